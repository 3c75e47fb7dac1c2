"""Meetings: planning with an agenda, notes and action items, and who sees them (both members, nobody else)."""

from datetime import timedelta

import numpy as np
import pytest

from analytics.errors import AccessDenied, InputError
from analytics.meetings import (
    action_to_goal,
    meeting_frequency,
    meetings_of,
    meetings_of_pair,
    next_meeting,
    open_action_items,
    plan_meeting,
    record_notes,
    tick_action,
)
from analytics.people import load_viewer
from charts.mentoring import meeting_frequency_chart
from demo import meetings as demo_meetings
from tests.conftest import NOW, TODAY

pytestmark = pytest.mark.both_backends  # store, access and write tests run on DuckDB and PostgreSQL

TABLES = ("meetings", "meeting_agenda_items", "meeting_notes", "action_items", "action_item_changes")


def counts(store) -> dict[str, int]:
    return {table: store.query_one("SELECT count(*) FROM " + table)[0] for table in TABLES}


class Cast:
    """A pair of the demo program and three outsiders: another fellow, another mentor, a director."""

    def __init__(self, store):
        pair_id, mentor_id, mentee_id = store.query_one(
            "SELECT pair_id, mentor_id, mentee_id FROM pairs WHERE ended_on IS NULL ORDER BY pair_id LIMIT 1"
        )
        self.pair_id = pair_id
        self.mentor = load_viewer(store, mentor_id)
        self.fellow = load_viewer(store, mentee_id)
        other_fellow = store.query_one(
            "SELECT person_id FROM person_roles WHERE role = 'fellow' AND person_id <> ? ORDER BY person_id LIMIT 1", [mentee_id]
        )[0]
        other_mentor = store.query_one(
            "SELECT person_id FROM person_roles WHERE role = 'mentor' AND person_id <> ? ORDER BY person_id LIMIT 1", [mentor_id]
        )[0]
        director = store.query_one("SELECT person_id FROM person_roles WHERE role = 'director' LIMIT 1")[0]
        self.outsiders = [load_viewer(store, p) for p in (other_fellow, other_mentor, director)]
        # The outsiders must really be outside this pair.
        assert all(o.person_id not in (mentor_id, mentee_id) for o in self.outsiders)


@pytest.fixture
def cast(demo_store):
    return Cast(demo_store)


def assert_only_a_current_pair_may(store, cast, act, counts) -> None:
    """`act(viewer)` is refused to each outsider, and to the fellow once the pair has ended; `counts`
    (the tables it writes) stay as they were."""
    before = counts(store)
    for outsider in cast.outsiders:
        with pytest.raises(AccessDenied):
            act(outsider)
    store.write(lambda cur: cur.execute("UPDATE pairs SET ended_on = ? WHERE pair_id = ?", [TODAY, cast.pair_id]))
    with pytest.raises(InputError, match="not current"):
        act(cast.fellow)
    assert counts(store) == before


def plan(store, cast, days=-3, agenda=("Review abstract draft for ASH", "Discuss K-award timeline"), viewer=None):
    return plan_meeting(store, viewer or cast.fellow, cast.pair_id, TODAY + timedelta(days=days), list(agenda), TODAY, NOW)


def held_meeting(store, cast, notes, action_items) -> int:
    """A meeting three days ago whose notes the fellow has recorded: it took place, with these action items."""
    meeting_id = plan(store, cast, days=-3)
    record_notes(store, cast.fellow, meeting_id, True, notes, action_items, TODAY, NOW)
    return meeting_id


def test_planning_stores_the_meeting_and_its_agenda_in_order(demo_store, cast):
    before = counts(demo_store)
    meeting_id = plan(demo_store, cast, days=7, agenda=[" First item ", "", "Second item"])
    after = counts(demo_store)
    assert after["meetings"] == before["meetings"] + 1
    assert after["meeting_agenda_items"] == before["meeting_agenda_items"] + 2
    rows = meetings_of_pair(demo_store, cast.mentor, cast.pair_id, TODAY)
    row = rows[rows["meeting_id"] == meeting_id].iloc[0]
    assert row["agenda"] == ["First item", "Second item"]
    assert row["status"] == "planned"


@pytest.mark.parametrize(
    "days, agenda, message",
    [
        (7, [], "at least one agenda item"),
        (7, ["", "   "], "at least one agenda item"),
        (7, [f"item {n}" for n in range(16)], "16 items"),
        (7, ["x" * 301], "300 or fewer"),
        (7, ["bad\x07bell"], "control characters"),
        (366, ["ok"], "within a year"),
        (-366, ["ok"], "within a year"),
    ],
)
def test_a_bad_plan_is_refused_and_stores_nothing(demo_store, cast, days, agenda, message):
    before = counts(demo_store)
    with pytest.raises(InputError, match=message):
        plan(demo_store, cast, days=days, agenda=agenda)
    assert counts(demo_store) == before


def test_an_agenda_of_fifteen_and_a_date_a_year_away_are_fine(demo_store, cast):
    plan(demo_store, cast, days=365, agenda=[f"item {n}" for n in range(15)])
    plan(demo_store, cast, days=-365, agenda=["x" * 300])


def test_only_members_of_a_current_pair_plan(demo_store, cast):
    assert_only_a_current_pair_may(demo_store, cast, lambda viewer: plan(demo_store, cast, viewer=viewer), counts)


def test_the_mentor_may_plan_as_well(demo_store, cast):
    meeting_id = plan(demo_store, cast, viewer=cast.mentor)
    assert meeting_id in set(meetings_of_pair(demo_store, cast.fellow, cast.pair_id)["meeting_id"])


def test_notes_with_action_items_are_appended_and_the_latest_counts(demo_store, cast):
    meeting_id = plan(demo_store, cast, days=-3)
    before = counts(demo_store)
    record_notes(
        demo_store,
        cast.fellow,
        meeting_id,
        True,
        "Went well.",
        [
            {"text": "Send revised abstract draft", "owner_id": cast.fellow.person_id, "due_on": TODAY + timedelta(days=10)},
            {"text": "Introduce fellow to the trials group", "owner_id": cast.mentor.person_id, "due_on": None},
        ],
        TODAY,
        NOW,
    )
    record_notes(demo_store, cast.mentor, meeting_id, True, "Went well; corrected.", [], TODAY, NOW + timedelta(minutes=5))
    after = counts(demo_store)
    assert after["meeting_notes"] == before["meeting_notes"] + 2  # the earlier note stays
    assert after["action_items"] == before["action_items"] + 2
    row = meetings_of_pair(demo_store, cast.fellow, cast.pair_id, TODAY).set_index("meeting_id").loc[meeting_id]
    assert row["notes"] == "Went well; corrected."
    assert row["status"] == "held"
    assert row["action_items"] == 2 and row["open_action_items"] == 2


@pytest.mark.parametrize(
    "held, notes, actions, message",
    [
        (True, "x" * 5001, [], "5,000 or fewer"),
        (True, "bad\x00", [], "control characters"),
        (True, "ok", [{"text": "", "owner_id": "fellow", "due_on": None}], "empty"),
        (True, "ok", [{"text": "x" * 301, "owner_id": "fellow", "due_on": None}], "300 or fewer"),
        (True, "ok", [{"text": "Do it", "owner_id": "outsider", "due_on": None}], "one of the two of you"),
        (True, "ok", [{"text": "Do it", "owner_id": "fellow", "due_on": -10}], "due date"),
        (False, "did not happen", [{"text": "Do it", "owner_id": "fellow", "due_on": None}], "did not take place"),
        ("yes", "ok", [], "took place"),
    ],
)
def test_bad_notes_are_refused_and_store_nothing(demo_store, cast, held, notes, actions, message):
    meeting_id = plan(demo_store, cast, days=-3)
    owners = {"fellow": cast.fellow.person_id, "outsider": cast.outsiders[0].person_id}
    actions = [
        a
        | {
            "owner_id": owners[a["owner_id"]],
            "due_on": None if a["due_on"] is None else TODAY - timedelta(days=3) + timedelta(days=a["due_on"]),
        }
        for a in actions
    ]
    before = counts(demo_store)
    with pytest.raises(InputError, match=message):
        record_notes(demo_store, cast.fellow, meeting_id, held, notes, actions, TODAY, NOW)
    assert counts(demo_store) == before


def test_notes_wait_for_the_meeting_day(demo_store, cast):
    meeting_id = plan(demo_store, cast, days=2)
    before = counts(demo_store)
    with pytest.raises(InputError, match="on or after that day"):
        record_notes(demo_store, cast.fellow, meeting_id, True, "early", [], TODAY, NOW)
    assert counts(demo_store) == before
    record_notes(demo_store, cast.fellow, meeting_id, True, "on the day", [], TODAY + timedelta(days=2), NOW)


def test_a_meeting_that_did_not_take_place(demo_store, cast):
    meeting_id = plan(demo_store, cast, days=-1)
    record_notes(demo_store, cast.mentor, meeting_id, False, None, [], TODAY, NOW)
    rows = meetings_of(demo_store, cast.fellow, TODAY)
    assert rows.set_index("meeting_id").loc[meeting_id, "status"] == "not held"


def test_ticking_off_and_turning_into_a_goal(demo_store, cast):
    held_meeting(
        demo_store,
        cast,
        None,
        [{"text": "One", "owner_id": cast.fellow.person_id}, {"text": "Two", "owner_id": cast.fellow.person_id}],
    )
    open_items = open_action_items(demo_store, cast.fellow, cast.pair_id)
    one, two = (int(open_items[open_items["text"] == t]["action_id"].iloc[0]) for t in ("One", "Two"))
    before = counts(demo_store)
    for outsider in cast.outsiders:
        with pytest.raises(AccessDenied):
            tick_action(demo_store, outsider, one, NOW)
    tick_action(demo_store, cast.mentor, one, NOW)
    with pytest.raises(InputError, match="already done"):
        tick_action(demo_store, cast.fellow, one, NOW)
    assert counts(demo_store)["action_item_changes"] == before["action_item_changes"] + 1
    assert set(open_action_items(demo_store, cast.fellow)["action_id"]) & {one, two} == {two}

    goal_id = demo_store.write(
        lambda cur: cur.execute(
            """
            INSERT INTO goals (owner_id, title, category, measure, target_value, started_on, target_date, created_at,
                               from_action_id)
            VALUES (?, 'Two', 'research', 'percent', 100, ?, ?, ?, ?) RETURNING goal_id
            """,
            [cast.fellow.person_id, TODAY, TODAY + timedelta(days=90), NOW, two],
        ).fetchone()[0]
    )
    with pytest.raises(InputError, match="does not belong"):
        action_to_goal(demo_store, cast.fellow, two, goal_id + 1000, NOW)
    action_to_goal(demo_store, cast.fellow, two, goal_id, NOW)
    assert demo_store.query_one(
        "SELECT status, goal_id FROM action_item_changes WHERE action_id = ? ORDER BY changed_at DESC, rowid DESC LIMIT 1", [two]
    ) == ("goal", goal_id)
    assert two not in set(open_action_items(demo_store, cast.fellow)["action_id"])
    with pytest.raises(InputError, match="became a goal"):
        tick_action(demo_store, cast.fellow, two, NOW)


def test_both_members_see_the_meetings_and_outsiders_do_not(demo_store, cast):
    meeting_id = held_meeting(demo_store, cast, "Private notes", [{"text": "X", "owner_id": cast.fellow.person_id}])
    for member in (cast.fellow, cast.mentor):
        assert meeting_id in set(meetings_of_pair(demo_store, member, cast.pair_id)["meeting_id"])
        assert meeting_id in set(meetings_of(demo_store, member, TODAY)["meeting_id"])
        assert "X" in set(open_action_items(demo_store, member)["text"])
    for outsider in cast.outsiders:
        with pytest.raises(AccessDenied):
            meetings_of_pair(demo_store, outsider, cast.pair_id)
        with pytest.raises(AccessDenied):
            meeting_frequency(demo_store, outsider, cast.pair_id)
        with pytest.raises(AccessDenied):
            open_action_items(demo_store, outsider, cast.pair_id)
        with pytest.raises(AccessDenied):
            record_notes(demo_store, outsider, meeting_id, True, "x", [], TODAY, NOW)
        assert meeting_id not in set(meetings_of(demo_store, outsider, TODAY)["meeting_id"])
        assert "Private notes" not in set(meetings_of(demo_store, outsider, TODAY)["notes"].dropna())
        nxt = next_meeting(demo_store, outsider, TODAY)
        assert nxt is None or nxt["pair_id"] != cast.pair_id


def test_next_meeting_is_the_earliest_planned_one_without_notes(demo_store, cast):
    demo_store.write(
        lambda cur: cur.execute(
            "DELETE FROM meetings WHERE pair_id IN (SELECT pair_id FROM pairs WHERE mentee_id = ? OR mentor_id = ?)",
            [cast.fellow.person_id, cast.fellow.person_id],
        )
    )
    assert next_meeting(demo_store, cast.fellow, TODAY) is None
    plan(demo_store, cast, days=-2)  # past, notes due: not "next"
    later = plan(demo_store, cast, days=20, agenda=["Later"])
    sooner = plan(demo_store, cast, days=5, agenda=["Sooner", "Also"])
    found = next_meeting(demo_store, cast.fellow, TODAY)
    assert found["meeting_id"] == sooner and found["agenda"] == ["Sooner", "Also"]
    assert found["meeting_on"] == TODAY + timedelta(days=5)
    statuses = meetings_of(demo_store, cast.fellow, TODAY).set_index("meeting_id")["status"]
    assert statuses[later] == "planned" and (statuses == "notes due").sum() == 1


def test_open_action_items_earliest_due_first(demo_store, cast):
    meeting_id = held_meeting(
        demo_store,
        cast,
        None,
        [
            {"text": "Late", "owner_id": cast.mentor.person_id, "due_on": TODAY + timedelta(days=30)},
            {"text": "Early", "owner_id": cast.fellow.person_id, "due_on": TODAY + timedelta(days=3)},
        ],
    )
    items = open_action_items(demo_store, cast.fellow, cast.pair_id)
    ours = items[items["meeting_id"] == meeting_id]
    assert list(ours["text"]) == ["Early", "Late"]
    assert list(ours["mine"]) == [True, False]


def test_meeting_frequency_counts_held_meetings_per_month(demo_store, cast):
    demo_store.write(lambda cur: cur.execute("DELETE FROM meetings WHERE pair_id = ?", [cast.pair_id]))
    held_days = [TODAY - timedelta(days=d) for d in (70, 60, 5)]  # 17 Sep, 27 Sep, 21 Nov 2026
    for day in held_days:
        meeting_id = plan_meeting(demo_store, cast.fellow, cast.pair_id, day, ["a"], TODAY, NOW)
        record_notes(demo_store, cast.fellow, meeting_id, True, None, [], TODAY, NOW)
    skipped = plan_meeting(demo_store, cast.fellow, cast.pair_id, TODAY - timedelta(days=40), ["a"], TODAY, NOW)
    record_notes(demo_store, cast.fellow, skipped, False, None, [], TODAY, NOW)
    frame = meeting_frequency(demo_store, cast.mentor, cast.pair_id, TODAY)
    assert list(frame["period"]) == ["Sep 2026", "Oct 2026", "Nov 2026"]
    assert list(frame["held"]) == [2, 0, 1]
    figure = meeting_frequency_chart(frame, agreed_per_month=1.5)
    assert list(figure.data[0].y) == [2, 0, 1]
    assert list(figure.data[1].y) == [1.5, 1.5, 1.5]
    assert len(meeting_frequency_chart(frame).data) == 1


def test_meeting_frequency_of_nothing_is_empty(demo_store, cast):
    demo_store.write(lambda cur: cur.execute("DELETE FROM meetings WHERE pair_id = ?", [cast.pair_id]))
    frame = meeting_frequency(demo_store, cast.fellow, cast.pair_id)
    assert frame.empty and list(frame.columns) == ["month", "period", "held"]
    meeting_frequency_chart(frame)


def _generate(store, seed=11):
    pairs = store.query_df("SELECT * FROM pairs ORDER BY pair_id")
    fellows = np.array([r[0] for r in store.query_all("SELECT person_id FROM person_roles WHERE role = 'fellow' ORDER BY 1")])
    demo_fellow = store.query_one("SELECT person_id FROM people WHERE email = 'fellow@demo.org'")[0]
    program_id = store.query_one("SELECT program_id FROM programs")[0]

    def work(cur):
        cur.execute("DELETE FROM meetings; DELETE FROM meeting_agenda_items; DELETE FROM meeting_notes; DELETE FROM action_items")
        cur.execute("DELETE FROM action_item_changes; DELETE FROM agreements; DELETE FROM agreement_acknowledgements")
        return demo_meetings.generate(cur, np.random.default_rng(seed), program_id, fellows, pairs, TODAY, demo_fellow)

    summary = store.write(work)
    snapshot = {
        table: store.query_all("SELECT * EXCLUDE (" + key + ") FROM " + table + " ORDER BY ALL")
        for table, key in (("meetings", "meeting_id"), ("agreements", "agreement_id"), ("action_items", "action_id, meeting_id"))
    }
    snapshot["notes"] = store.query_all(
        "SELECT m.pair_id, m.meeting_on, n.held, n.notes FROM meeting_notes n JOIN meetings m USING (meeting_id) ORDER BY ALL"
    )
    return summary, snapshot, demo_fellow


def test_the_demo_generator_is_deterministic_and_realistic(demo_store, demo_template, tmp_path):
    import shutil

    from analytics.store import Store

    first, snapshot, demo_fellow = _generate(demo_store)
    copy = tmp_path / "again.duckdb"
    shutil.copy(demo_template, copy)
    with Store(copy) as again:
        second, snapshot_again, _ = _generate(again)
    assert first == second and snapshot == snapshot_again
    assert first["meetings"] > 100 and first["agreements"] > 10 and first["action_items"] > 50

    # No meeting was held (or noted) after today.
    assert (
        demo_store.query_one(
            "SELECT count(*) FROM meeting_notes n JOIN meetings m USING (meeting_id) WHERE m.meeting_on > ?", [TODAY]
        )[0]
        == 0
    )
    assert demo_store.query_one("SELECT max(written_at) FROM meeting_notes")[0].date() <= TODAY
    # Versions, acknowledgements, reviews due.
    assert demo_store.query_one("SELECT count(*) FROM agreements WHERE version = 2")[0] >= 1
    latest = """
        SELECT a.agreement_id, a.review_on, count(k.person_id) AS acks FROM agreements a
        LEFT JOIN agreement_acknowledgements k USING (agreement_id)
        WHERE a.version = (SELECT max(version) FROM agreements b WHERE b.pair_id = a.pair_id) GROUP BY ALL
    """
    rows = demo_store.query_all(latest)
    both = sum(1 for _, _, acks in rows if acks == 2)
    waiting = sum(1 for _, _, acks in rows if acks == 1)
    due = sum(1 for _, review_on, _ in rows if review_on <= TODAY)
    assert both > len(rows) / 2 and 1 <= waiting < len(rows) / 2 and 1 <= due < len(rows) / 2
    # Some pairs meet less often than agreed; the demo fellow has a planned meeting and open action items.
    fellow = load_viewer(demo_store, demo_fellow)
    nxt = next_meeting(demo_store, fellow, TODAY)
    assert nxt is not None and nxt["meeting_on"] > TODAY and len(nxt["agenda"]) >= 2
    assert len(open_action_items(demo_store, fellow)) >= 3
    assert "Review abstract draft for ASH" in {r[0] for r in demo_store.query_all("SELECT text FROM meeting_agenda_items")}
    from analytics.agreements import agreement_check

    behind = 0
    for pair_id, mentor_id in demo_store.query_all(
        "SELECT DISTINCT a.pair_id, p.mentor_id FROM agreements a JOIN pairs p USING (pair_id)"
    ):
        behind += agreement_check(demo_store, load_viewer(demo_store, mentor_id), pair_id, TODAY)["behind"]
    assert behind >= 1


def test_nothing_is_recorded_on_a_pair_after_it_ends(demo_store, cast):
    """Notes, a ticked action item or one turned into a goal after the end would reach the former partner
    (their Meetings page, their my-data zip): once the pair has ended, they are refused and nothing is stored."""
    meeting_id = held_meeting(demo_store, cast, "Before the end", [{"text": "Open one", "owner_id": cast.fellow.person_id}])
    items = open_action_items(demo_store, cast.fellow, cast.pair_id)
    action_id = int(items[items["text"] == "Open one"]["action_id"].iloc[0])
    goal_id = demo_store.query_one("SELECT goal_id FROM goals WHERE owner_id = ? LIMIT 1", [cast.fellow.person_id])
    demo_store.write(lambda cur: cur.execute("UPDATE pairs SET ended_on = ? WHERE pair_id = ?", [TODAY, cast.pair_id]))
    before = counts(demo_store)
    with pytest.raises(InputError, match="not current"):
        record_notes(demo_store, cast.fellow, meeting_id, True, "After the end: thinking of leaving", [], TODAY, NOW)
    with pytest.raises(InputError, match="not current"):
        tick_action(demo_store, cast.fellow, action_id, NOW)
    if goal_id is not None:
        with pytest.raises(InputError, match="not current"):
            action_to_goal(demo_store, cast.fellow, action_id, goal_id[0], NOW)
    assert counts(demo_store) == before
