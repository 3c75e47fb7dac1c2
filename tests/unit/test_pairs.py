"""The director's pairs: create, end and reassign, each rule with its message and nothing stored when refused;
the overview, mentor loads and missing domains, on the demo program and on a small hand-built one."""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from analytics import pairs
from analytics.errors import AccessDenied, InputError
from analytics.paths import GUIDANCE_DIR
from analytics.people import Viewer, active_pairs, load_viewer
from analytics.store import Store
from tests.conftest import NOW, TODAY

# ---------------------------------------------------------------- helpers and fixtures


def _person(store: Store, email: str) -> int:
    return store.query_one("SELECT person_id FROM people WHERE email = ?", [email])[0]


def _snapshot(store: Store) -> list[tuple]:
    """Every pair, every column: the "nothing stored" check compares two of these."""
    return store.query_all("SELECT * FROM pairs ORDER BY pair_id")


def _pair(store: Store, pair_id: int) -> dict:
    keys = ("program_id", "mentor_id", "mentee_id", "domain", "started_on", "ended_on", "end_status", "end_reason")
    row = store.query_one(f"SELECT {', '.join(keys)} FROM pairs WHERE pair_id = ?", [pair_id])
    return dict(zip(keys, row, strict=True))


def _add_person(
    cur, program_id: int, name: str, roles: tuple[str, ...], cohort_id: int | None = None, active: bool = True
) -> int:
    email = re.sub(r"[^a-z0-9]+", ".", name.lower()) + f".{program_id}@example.org"
    person_id = cur.execute(
        """
        INSERT INTO people (program_id, full_name, email, cohort_id, active, created_at)
        VALUES (?, ?, ?, ?, ?, ?) RETURNING person_id
        """,
        [program_id, name, email, cohort_id, active, NOW],
    ).fetchone()[0]
    for role in roles:
        cur.execute("INSERT INTO person_roles VALUES (?, ?)", [person_id, role])
    return person_id


def _add_program(cur, name: str) -> int:
    return cur.execute("INSERT INTO programs (name, created_at) VALUES (?, ?) RETURNING program_id", [name, NOW]).fetchone()[0]


def _add_pair(cur, program_id, mentor_id, mentee_id, domain, started_on, ended_on=None, end_status=None, end_reason=None) -> int:
    return cur.execute(
        """
        INSERT INTO pairs (program_id, mentor_id, mentee_id, domain, started_on, ended_on, end_status, end_reason)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING pair_id
        """,
        [program_id, mentor_id, mentee_id, domain, started_on, ended_on, end_status, end_reason],
    ).fetchone()[0]


@dataclass
class Demo:
    store: Store
    director: Viewer
    fellow: Viewer  # fellow@demo.org
    mentor: Viewer  # mentor@demo.org, the demo fellow's mentor in `pair_domain`
    pair_id: int  # the demo fellow's current pair with that mentor
    pair_started: date
    pair_domain: str
    free_domain: str  # a domain where the demo fellow has no pair at all
    other_mentor_id: int  # a mentor of the program who is not the demo fellow's mentor in pair_domain
    other_fellow_id: int  # another fellow of the program


@pytest.fixture
def demo(demo_store) -> Demo:
    store = demo_store
    fellow_id, mentor_id = _person(store, "fellow@demo.org"), _person(store, "mentor@demo.org")
    pair_id, started_on, domain = store.query_one(
        "SELECT pair_id, started_on, domain FROM pairs WHERE mentee_id = ? AND mentor_id = ? AND ended_on IS NULL",
        [fellow_id, mentor_id],
    )
    used = {row[0] for row in store.query_all("SELECT domain FROM pairs WHERE mentee_id = ?", [fellow_id])}
    free_domain = next(d for d in ("career", "research", "social") if d not in used)
    other_mentor_id = store.query_one(
        """
        SELECT r.person_id FROM person_roles r WHERE r.role = 'mentor' AND r.person_id <> ?
          AND r.person_id NOT IN (SELECT mentor_id FROM pairs WHERE mentee_id = ?)
        ORDER BY r.person_id LIMIT 1
        """,
        [mentor_id, fellow_id],
    )[0]
    other_fellow_id = store.query_one(
        "SELECT person_id FROM person_roles WHERE role = 'fellow' AND person_id <> ? ORDER BY person_id LIMIT 1", [fellow_id]
    )[0]
    return Demo(
        store,
        load_viewer(store, _person(store, "director@demo.org")),
        load_viewer(store, fellow_id),
        load_viewer(store, mentor_id),
        pair_id,
        started_on,
        domain,
        free_domain,
        other_mentor_id,
        other_fellow_id,
    )


def _create(demo: Demo, **changes) -> int:
    args = {
        "mentor_id": demo.mentor.person_id,
        "mentee_id": demo.fellow.person_id,
        "domain": demo.free_domain,
        "started_on": TODAY,
        "today": TODAY,
    } | changes
    viewer = args.pop("viewer", demo.director)
    return pairs.create_pair(demo.store, viewer, **args)


def _second_program(store: Store) -> tuple[Viewer, int, int]:
    """Another program with its own director, mentor and fellow, inserted directly."""

    def build(cur):
        program_id = _add_program(cur, "Another Fellowship")
        return (
            _add_person(cur, program_id, "Other Director", ("director",)),
            _add_person(cur, program_id, "Other Mentor", ("mentor",)),
            _add_person(cur, program_id, "Other Fellow", ("fellow",)),
        )

    director_id, mentor_id, fellow_id = store.write(build)
    return load_viewer(store, director_id), mentor_id, fellow_id


# ---------------------------------------------------------------- the domains


def test_the_domains_are_the_guidances_three_with_their_labels():
    assert pairs.domains() == [
        {"id": "career", "label": "Career"},
        {"id": "research", "label": "Research"},
        {"id": "social", "label": "Social/interpersonal"},
    ]
    guidance = " ".join((GUIDANCE_DIR / "optimizing-a-mentor-mentee-relationship.txt").read_text(encoding="utf-8").split())
    assert pairs.domains_quote() in guidance
    assert "(career, research, and social/interpersonal development)" in pairs.domains_quote()


def test_changing_the_returned_domains_does_not_change_the_cached_ones():
    pairs.domains()[0]["label"] = "changed"
    assert pairs.domains()[0]["label"] == "Career"


def test_a_domains_file_with_an_id_the_database_refuses_is_an_error(tmp_path):
    bad = tmp_path / "domains.toml"
    bad.write_text('[[domains]]\nid = "clinical"\nlabel = "Clinical"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="domain id 'clinical' is not one the database accepts"):
        pairs._load_domains(bad)


# ---------------------------------------------------------------- creating a pair


def test_a_director_creates_a_pair_and_the_mentee_is_asked_about_the_mentor(demo):
    before = len(_snapshot(demo.store))
    pair_id = _create(demo)

    assert len(_snapshot(demo.store)) == before + 1
    assert _pair(demo.store, pair_id) == {
        "program_id": demo.director.program_id,
        "mentor_id": demo.mentor.person_id,
        "mentee_id": demo.fellow.person_id,
        "domain": demo.free_domain,
        "started_on": TODAY,
        "ended_on": None,
        "end_status": None,
        "end_reason": None,
    }
    assert pair_id in set(active_pairs(demo.store, demo.fellow.person_id, TODAY)["pair_id"])


def test_a_start_date_exactly_a_year_ahead_is_accepted_and_upcoming(demo):
    pair_id = _create(demo, started_on=date(2027, 11, 26))
    overview = pairs.pairs_overview(demo.store, demo.director, TODAY)
    assert overview.set_index("pair_id").loc[pair_id, "status"] == "upcoming"
    assert pair_id not in set(active_pairs(demo.store, demo.fellow.person_id, TODAY)["pair_id"])


CREATE_REFUSALS = {
    "unknown domain": (lambda d: {"domain": "clinical"}, "Choose a domain: Career, Research, Social/interpersonal."),
    "no domain": (lambda d: {"domain": None}, "Choose a domain: Career, Research, Social/interpersonal."),
    "start over a year ahead": (lambda d: {"started_on": date(2027, 11, 27)}, "is more than a year ahead (after 2027-11-26)"),
    "no start date": (lambda d: {"started_on": None}, "Choose the start date."),
    "the same person": (lambda d: {"mentee_id": d.mentor.person_id}, "The mentor and the mentee are the same person"),
    "no mentor": (lambda d: {"mentor_id": None}, "Choose a mentor."),
    "no mentee": (lambda d: {"mentee_id": None}, "Choose a mentee."),
    "unknown mentor": (lambda d: {"mentor_id": 999_999}, "The chosen mentor is not a member of your program."),
    "a fellow as mentor": (
        lambda d: {"mentor_id": d.other_fellow_id},
        "does not have the mentor role, so cannot be the mentor of a pair.",
    ),
    "a mentor as mentee": (
        lambda d: {"mentee_id": d.other_mentor_id},
        "does not have the fellow role, so cannot be the mentee of a pair.",
    ),
    "a second current pair": (lambda d: {"domain": d.pair_domain}, "already have a pair in"),
}


@pytest.mark.parametrize("case", sorted(CREATE_REFUSALS))
def test_a_pair_that_breaks_a_rule_is_refused_and_nothing_is_stored(demo, case):
    changes, message = CREATE_REFUSALS[case]
    before = _snapshot(demo.store)
    with pytest.raises(InputError, match=re.escape(message)):
        _create(demo, **changes(demo))
    assert _snapshot(demo.store) == before


def test_a_second_current_pair_names_the_existing_one(demo):
    with pytest.raises(InputError) as refused:
        _create(demo, domain=demo.pair_domain)
    assert str(refused.value) == (
        f"{demo.mentor.full_name} and {demo.fellow.full_name} already have a pair in "
        f"{pairs.domain_labels()[demo.pair_domain]} (pair {demo.pair_id}, from {demo.pair_started:%Y-%m-%d} with no end date). "
        "End it first, or start the new pair after it ends."
    )


def test_people_who_are_no_longer_active_cannot_be_paired(demo):
    demo.store.write(lambda cur: cur.execute("UPDATE people SET active = false WHERE person_id = ?", [demo.mentor.person_id]))
    before = _snapshot(demo.store)
    with pytest.raises(InputError, match=f"{demo.mentor.full_name} is no longer active in the program"):
        _create(demo)
    assert _snapshot(demo.store) == before


def test_the_same_pair_may_start_again_after_it_ended_but_not_overlap_it(demo):
    end = TODAY - timedelta(days=10)
    pairs.end_pair(demo.store, demo.director, demo.pair_id, end, "completed", None, TODAY)
    before = _snapshot(demo.store)
    with pytest.raises(InputError, match=f"already have a pair in .* until {end:%Y-%m-%d}"):
        _create(demo, domain=demo.pair_domain, started_on=end - timedelta(days=1))
    assert _snapshot(demo.store) == before
    again = _create(demo, domain=demo.pair_domain, started_on=end)
    assert _pair(demo.store, again)["ended_on"] is None


# ---------------------------------------------------------------- who may


def _every_call(demo: Demo, viewer):
    return {
        "create": lambda: _create(demo, viewer=viewer),
        "end": lambda: pairs.end_pair(demo.store, viewer, demo.pair_id, TODAY, "completed", None, TODAY),
        "reassign": lambda: pairs.reassign_pair(demo.store, viewer, demo.pair_id, demo.other_mentor_id, TODAY, "why", TODAY),
        "overview": lambda: pairs.pairs_overview(demo.store, viewer, TODAY),
        "loads": lambda: pairs.mentor_loads(demo.store, viewer, TODAY),
        "missing": lambda: pairs.fellows_without_mentor_in_domain(demo.store, viewer, TODAY),
        "members": lambda: pairs.program_members(demo.store, viewer, "fellow"),
    }


@pytest.mark.parametrize("who", ["fellow", "mentor", "nobody"])
def test_only_a_director_manages_or_sees_pairs(demo, who):
    viewer = {"fellow": demo.fellow, "mentor": demo.mentor, "nobody": None}[who]
    before = _snapshot(demo.store)
    for name, call in _every_call(demo, viewer).items():
        with pytest.raises(AccessDenied, match="Only a program director can manage pairs."):
            call()
        assert _snapshot(demo.store) == before, name


def test_the_access_check_lets_the_director_through(demo):
    """The same calls as above succeed for the director, so the refusals above are about the role."""
    calls = _every_call(demo, demo.director)
    for name, call in calls.items():
        if name != "end":  # the reassignment ends the pair already
            call()
    assert _pair(demo.store, demo.pair_id)["end_reason"] == "Reassigned: why"
    with pytest.raises(InputError, match="has already ended"):
        calls["end"]()


def test_a_director_of_another_program_cannot_touch_these_pairs(demo):
    other_director, other_mentor_id, other_fellow_id = _second_program(demo.store)
    assert other_director.has("director") and other_director.program_id != demo.director.program_id
    before = _snapshot(demo.store)

    with pytest.raises(InputError, match=f"There is no pair {demo.pair_id} in your program."):
        pairs.end_pair(demo.store, other_director, demo.pair_id, TODAY, "stopped", "taking over", TODAY)
    with pytest.raises(InputError, match=f"There is no pair {demo.pair_id} in your program."):
        pairs.reassign_pair(demo.store, other_director, demo.pair_id, other_mentor_id, TODAY, "taking over", TODAY)
    with pytest.raises(InputError, match="The chosen mentor is not a member of your program."):
        pairs.create_pair(demo.store, other_director, demo.mentor.person_id, other_fellow_id, "career", TODAY, TODAY)
    with pytest.raises(InputError, match="The chosen mentee is not a member of your program."):
        pairs.create_pair(demo.store, other_director, other_mentor_id, demo.fellow.person_id, "career", TODAY, TODAY)
    # ... nor can this program's director pair people of the other program
    with pytest.raises(InputError, match="The chosen mentor is not a member of your program."):
        pairs.create_pair(demo.store, demo.director, other_mentor_id, demo.fellow.person_id, "social", TODAY, TODAY)
    assert _snapshot(demo.store) == before

    assert pairs.pairs_overview(demo.store, other_director, TODAY).empty
    assert list(pairs.mentor_loads(demo.store, other_director, TODAY)["mentor"]) == ["Other Mentor"]
    missing = pairs.fellows_without_mentor_in_domain(demo.store, other_director, TODAY)
    assert set(missing["fellow"]) == {"Other Fellow"}
    assert list(pairs.program_members(demo.store, other_director, "fellow")["full_name"]) == ["Other Fellow"]


# ---------------------------------------------------------------- ending a pair


def test_ending_a_pair_sets_only_the_end_and_keeps_its_assessments(demo):
    counts = "SELECT count(*), (SELECT count(*) FROM responses) FROM assessments WHERE pair_id = ?"
    kept = demo.store.query_one(counts, [demo.pair_id])
    assert kept[0] > 0  # the demo pair has history to keep
    before = _pair(demo.store, demo.pair_id)
    others = [row for row in _snapshot(demo.store) if row[0] != demo.pair_id]

    pairs.end_pair(demo.store, demo.director, demo.pair_id, TODAY, "stopped", "  Mentor on sabbatical  ", TODAY)

    after = _pair(demo.store, demo.pair_id)
    assert after == before | {"ended_on": TODAY, "end_status": "stopped", "end_reason": "Mentor on sabbatical"}
    assert [row for row in _snapshot(demo.store) if row[0] != demo.pair_id] == others
    assert demo.store.query_one(counts, [demo.pair_id]) == kept
    # from the end date on, the two are no longer asked about each other
    assert demo.pair_id not in set(active_pairs(demo.store, demo.fellow.person_id, TODAY)["pair_id"])


def test_a_completed_pair_needs_no_reason(demo):
    pairs.end_pair(demo.store, demo.director, demo.pair_id, TODAY, "completed", "   ", TODAY)
    stored = _pair(demo.store, demo.pair_id)
    assert (stored["end_status"], stored["end_reason"], stored["ended_on"]) == ("completed", None, TODAY)


def test_an_end_on_the_start_date_is_accepted(demo):
    pairs.end_pair(demo.store, demo.director, demo.pair_id, demo.pair_started, "completed", None, TODAY)
    assert _pair(demo.store, demo.pair_id)["ended_on"] == demo.pair_started


def test_a_reason_of_exactly_the_limit_is_accepted(demo):
    reason = "r" * pairs.MAX_REASON
    pairs.end_pair(demo.store, demo.director, demo.pair_id, TODAY, "stopped", reason, TODAY)
    assert _pair(demo.store, demo.pair_id)["end_reason"] == reason


END_REFUSALS = {
    "stopped without a reason": ({"status": "stopped", "reason": None}, "Give a reason when a pair is stopped."),
    "stopped with a blank reason": ({"status": "stopped", "reason": " \n "}, "Give a reason when a pair is stopped."),
    "a reason too long": ({"reason": "x" * 501}, "The reason is 501 characters long"),
    "a reason with control characters": ({"reason": "moved\x07away"}, "The reason contains control characters"),
    "an unknown status": ({"status": "paused"}, "Choose how the pair ends: completed or stopped."),
    "no status": ({"status": None}, "Choose how the pair ends: completed or stopped."),
    "before it started": ({"ended_on": "day before start"}, "is before the pair started"),
    "over a year ahead": ({"ended_on": date(2027, 11, 27)}, "The end date 2027-11-27 is more than a year ahead"),
    "after today": ({"ended_on": date(2026, 11, 27)}, "The end date 2026-11-27 is after today; a pair ends today or earlier."),
    "no end date": ({"ended_on": None}, "Choose the end date."),
    "an unknown pair": ({"pair_id": 999_999}, "There is no pair 999999 in your program."),
    "no pair": ({"pair_id": None}, "Choose a pair."),
}


@pytest.mark.parametrize("case", sorted(END_REFUSALS))
def test_an_end_that_breaks_a_rule_is_refused_and_nothing_is_stored(demo, case):
    changes, message = END_REFUSALS[case]
    args = {"pair_id": demo.pair_id, "ended_on": TODAY, "status": "stopped", "reason": "moved away"} | changes
    if args["ended_on"] == "day before start":
        args["ended_on"] = demo.pair_started - timedelta(days=1)
    before = _snapshot(demo.store)
    with pytest.raises(InputError, match=re.escape(message)):
        pairs.end_pair(demo.store, demo.director, today=TODAY, **args)
    assert _snapshot(demo.store) == before


def test_an_ended_pair_cannot_be_ended_again(demo):
    pairs.end_pair(demo.store, demo.director, demo.pair_id, TODAY, "completed", None, TODAY)
    before = _snapshot(demo.store)
    with pytest.raises(InputError, match=f"Pair {demo.pair_id} has already ended on {TODAY:%Y-%m-%d}"):
        pairs.end_pair(demo.store, demo.director, demo.pair_id, TODAY, "stopped", "second thoughts", TODAY)
    assert _snapshot(demo.store) == before


# ---------------------------------------------------------------- reassigning a pair


def test_reassigning_stops_the_old_pair_and_starts_a_new_one_the_same_day(demo):
    on = TODAY - timedelta(days=3)
    old_before = _pair(demo.store, demo.pair_id)
    new_id = pairs.reassign_pair(demo.store, demo.director, demo.pair_id, demo.other_mentor_id, on, " Mentor moved ", TODAY)

    assert new_id != demo.pair_id
    assert _pair(demo.store, demo.pair_id) == old_before | {
        "ended_on": on,
        "end_status": "stopped",
        "end_reason": "Reassigned: Mentor moved",
    }
    assert _pair(demo.store, new_id) == {
        "program_id": demo.director.program_id,
        "mentor_id": demo.other_mentor_id,
        "mentee_id": demo.fellow.person_id,
        "domain": demo.pair_domain,
        "started_on": on,
        "ended_on": None,
        "end_status": None,
        "end_reason": None,
    }
    mentors_now = set(active_pairs(demo.store, demo.fellow.person_id, TODAY)["mentor_id"])
    assert demo.other_mentor_id in mentors_now


REASSIGN_REFUSALS = {
    # the end half fails
    "no reason": ({"reason": ""}, "Give a reason for the reassignment."),
    "a reason too long": ({"reason": "x" * (pairs.MAX_REASSIGN_REASON + 1)}, "The reason is 489 characters long"),
    "before the pair started": ({"on_date": "day before start"}, "The reassignment date"),
    "a date after today": ({"on_date": date(2026, 11, 27)}, "The reassignment date 2026-11-27 is after today"),
    "a date over a year ahead": ({"on_date": date(2027, 11, 27)}, "more than a year ahead"),
    # the create half fails, after the old pair was ended inside the transaction
    "a new mentor without the mentor role": ({"new_mentor_id": "a fellow"}, "does not have the mentor role"),
    "the same mentor": ({"new_mentor_id": "the same mentor"}, "The new mentor is the pair's current mentor"),
    "an unknown new mentor": ({"new_mentor_id": 999_999}, "The chosen mentor is not a member of your program."),
}


@pytest.mark.parametrize("case", sorted(REASSIGN_REFUSALS))
def test_a_refused_reassignment_changes_nothing(demo, case):
    changes, message = REASSIGN_REFUSALS[case]
    args = {"new_mentor_id": demo.other_mentor_id, "on_date": TODAY, "reason": "moved"} | changes
    args["new_mentor_id"] = {"a fellow": demo.other_fellow_id, "the same mentor": demo.mentor.person_id}.get(
        args["new_mentor_id"], args["new_mentor_id"]
    )
    if args["on_date"] == "day before start":
        args["on_date"] = demo.pair_started - timedelta(days=1)
    before = _snapshot(demo.store)
    with pytest.raises(InputError, match=re.escape(message)):
        pairs.reassign_pair(demo.store, demo.director, demo.pair_id, today=TODAY, **args)
    assert _snapshot(demo.store) == before
    assert _pair(demo.store, demo.pair_id)["end_status"] is None  # the old pair is still current


def test_a_reassignment_is_one_transaction_even_when_the_insert_itself_fails(demo, monkeypatch):
    """The end is written first; a failure while creating the new pair takes it back."""
    ended_first = []
    real_end = pairs._end

    def end_then_note(cur, *args):
        pair = real_end(cur, *args)
        ended_first.append(cur.execute("SELECT end_status FROM pairs WHERE pair_id = ?", [pair.pair_id]).fetchone()[0])
        return pair

    def failing_create(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(pairs, "_end", end_then_note)
    monkeypatch.setattr(pairs, "_create", failing_create)
    before = _snapshot(demo.store)
    with pytest.raises(RuntimeError, match="disk full"):
        pairs.reassign_pair(demo.store, demo.director, demo.pair_id, demo.other_mentor_id, TODAY, "moved", TODAY)
    assert ended_first == ["stopped"]  # inside the transaction the old pair was ended ...
    assert _snapshot(demo.store) == before  # ... and the failure took it back


def test_a_reassigned_mentee_who_left_is_refused_and_the_old_pair_stays(demo):
    demo.store.write(lambda cur: cur.execute("UPDATE people SET active = false WHERE person_id = ?", [demo.fellow.person_id]))
    before = _snapshot(demo.store)
    with pytest.raises(InputError, match=f"{demo.fellow.full_name} is no longer active"):
        pairs.reassign_pair(demo.store, demo.director, demo.pair_id, demo.other_mentor_id, TODAY, "moved", TODAY)
    assert _snapshot(demo.store) == before
    # ending the pair of someone who left is still possible
    pairs.end_pair(demo.store, demo.director, demo.pair_id, TODAY, "stopped", "left the program", TODAY)
    assert _pair(demo.store, demo.pair_id)["end_status"] == "stopped"


# ---------------------------------------------------------------- the overview on the demo program

OVERVIEW_COLUMNS = [
    "pair_id",
    "mentor",
    "mentee",
    "cohort",
    "domain",
    "domain_id",
    "started_on",
    "ended_on",
    "status",
    "end_reason",
    "mentor_current_mentees",
    "mentor_id",
    "mentee_id",
]


def test_the_overview_is_administration_only_and_counts_each_mentors_mentees(demo):
    overview = pairs.pairs_overview(demo.store, demo.director, TODAY)
    assert list(overview.columns) == OVERVIEW_COLUMNS  # names, dates and domains: no ratings
    assert len(overview) == demo.store.query_one("SELECT count(*) FROM pairs")[0]
    assert set(overview["status"]) == {"current"}  # the demo has no ended pair
    expected = dict(
        demo.store.query_all(
            "SELECT mentor_id, count(DISTINCT mentee_id) FROM pairs WHERE ended_on IS NULL AND started_on <= ? GROUP BY ALL",
            [TODAY],
        )
    )
    assert dict(zip(overview["mentor_id"], overview["mentor_current_mentees"], strict=True)) == expected
    assert max(expected.values()) >= 3  # the demo mentor has several mentees
    loads = pairs.mentor_loads(demo.store, demo.director, TODAY)
    assert {k: v for k, v in zip(loads["mentor_id"], loads["current_mentees"], strict=True) if v} == expected


def test_ending_a_pair_takes_it_out_of_the_current_view_and_the_mentors_load(demo):
    def load(viewer_today=TODAY):
        loads = pairs.mentor_loads(demo.store, demo.director, viewer_today)
        return int(loads.set_index("mentor_id").loc[demo.mentor.person_id, "current_mentees"])

    mentees_with_mentor = demo.store.query_one(
        "SELECT count(*) FROM pairs WHERE mentor_id = ? AND mentee_id = ?", [demo.mentor.person_id, demo.fellow.person_id]
    )[0]
    assert mentees_with_mentor == 1  # so ending this pair lowers the mentor's count by one
    before = load()
    pairs.end_pair(demo.store, demo.director, demo.pair_id, TODAY, "completed", None, TODAY)
    assert load() == before - 1
    current = pairs.pairs_overview(demo.store, demo.director, TODAY, include_ended=False)
    assert demo.pair_id not in set(current["pair_id"])
    everything = pairs.pairs_overview(demo.store, demo.director, TODAY)
    assert everything.set_index("pair_id").loc[demo.pair_id, "status"] == "completed"


# ---------------------------------------------------------------- a small hand-built program


@dataclass
class Small:
    store: Store
    director: Viewer
    ids: dict[str, int]  # names of people and pairs -> ids


@pytest.fixture
def small(store) -> Small:
    """One program, worked out by hand:

    fellows Ada (active), Ben (active), Cleo (no longer active); mentors Max and Nia; Olga is a mentor
    with no mentees. Another program has fellow Xia and mentor Yan.

        pair              domain    from            to              status
        Max - Ada         career    2025-07-01      -               current
        Nia - Ada         research  2025-07-01      2026-06-30      completed
        Max - Ben         research  TODAY           -               current (starts today)
        Nia - Ben         social    TODAY + 10      -               upcoming
        Nia - Ben         career    2025-09-01      2026-01-15      stopped ("moved away")
        Nia - Cleo        career    2025-07-01      -               current (Cleo has left; the pair was not ended)
        Yan - Xia         career    2025-07-01      -               (other program)

    Current mentees: Max 2 (Ada, Ben), Nia 1 (Cleo), Olga 0.
    Missing (active fellows of the program, no current pair in the domain):
        Ada: research, social;  Ben: career, social (a pair starts TODAY + 10).
    """

    def build(cur):
        program = _add_program(cur, "Small Fellowship")
        cohort = cur.execute(
            "INSERT INTO cohorts (program_id, name, start_year) VALUES (?, 'Class of 2028', 2025) RETURNING cohort_id", [program]
        ).fetchone()[0]
        ids = {
            "director": _add_person(cur, program, "Dora Director", ("director",)),
            "ada": _add_person(cur, program, "Ada Fellow", ("fellow",), cohort),
            "ben": _add_person(cur, program, "Ben Fellow", ("fellow",), cohort),
            "cleo": _add_person(cur, program, "Cleo Fellow", ("fellow",), cohort, active=False),
            "max": _add_person(cur, program, "Max Mentor", ("mentor",)),
            "nia": _add_person(cur, program, "Nia Mentor", ("mentor",)),
            "olga": _add_person(cur, program, "Olga Mentor", ("mentor",)),
        }
        other = _add_program(cur, "Elsewhere Fellowship")
        xia = _add_person(cur, other, "Xia Fellow", ("fellow",))
        yan = _add_person(cur, other, "Yan Mentor", ("mentor",))
        p = ids
        ids["max-ada"] = _add_pair(cur, program, p["max"], p["ada"], "career", date(2025, 7, 1))
        ids["nia-ada"] = _add_pair(
            cur, program, p["nia"], p["ada"], "research", date(2025, 7, 1), date(2026, 6, 30), "completed", None
        )
        ids["max-ben"] = _add_pair(cur, program, p["max"], p["ben"], "research", TODAY)
        ids["nia-ben-social"] = _add_pair(cur, program, p["nia"], p["ben"], "social", TODAY + timedelta(days=10))
        ids["nia-ben-career"] = _add_pair(
            cur, program, p["nia"], p["ben"], "career", date(2025, 9, 1), date(2026, 1, 15), "stopped", "moved away"
        )
        ids["nia-cleo"] = _add_pair(cur, program, p["nia"], p["cleo"], "career", date(2025, 7, 1))
        ids["yan-xia"] = _add_pair(cur, other, yan, xia, "career", date(2025, 7, 1))
        return ids

    ids = store.write(build)
    return Small(store, load_viewer(store, ids["director"]), ids)


def test_fellows_without_a_mentor_in_a_domain_match_the_hand_computed_answer(small):
    missing = pairs.fellows_without_mentor_in_domain(small.store, small.director, TODAY)
    assert list(missing.columns) == ["fellow_id", "fellow", "cohort", "domain", "domain_id", "upcoming_from"]
    assert list(zip(missing["fellow"], missing["domain_id"], missing["upcoming_from"], strict=True)) == [
        ("Ada Fellow", "research", None),
        ("Ada Fellow", "social", None),
        ("Ben Fellow", "career", None),
        ("Ben Fellow", "social", TODAY + timedelta(days=10)),
    ]
    assert list(missing["domain"]) == ["Research", "Social/interpersonal", "Career", "Social/interpersonal"]
    assert set(missing["cohort"]) == {"Class of 2028"}


def test_a_day_later_and_after_an_end_the_missing_domains_follow(small):
    # Ben's social pair starts on TODAY + 10: from then on, social is no longer missing for him
    later = pairs.fellows_without_mentor_in_domain(small.store, small.director, TODAY + timedelta(days=10))
    assert ("Ben Fellow", "social") not in set(zip(later["fellow"], later["domain_id"], strict=True))
    # ending Ada's career pair makes career missing for her
    pairs.end_pair(small.store, small.director, small.ids["max-ada"], TODAY, "completed", None, TODAY)
    now = pairs.fellows_without_mentor_in_domain(small.store, small.director, TODAY)
    assert ("Ada Fellow", "career") in set(zip(now["fellow"], now["domain_id"], strict=True))


def test_the_overview_statuses_and_mentor_counts_match_the_hand_computed_answer(small):
    overview = pairs.pairs_overview(small.store, small.director, TODAY).set_index("pair_id")
    ids = small.ids
    assert overview["status"].to_dict() == {
        ids["max-ada"]: "current",
        ids["nia-ada"]: "completed",
        ids["max-ben"]: "current",
        ids["nia-ben-social"]: "upcoming",
        ids["nia-ben-career"]: "stopped",
        ids["nia-cleo"]: "current",
    }  # Yan - Xia belongs to another program
    assert overview.loc[ids["nia-ben-career"], "end_reason"] == "moved away"
    assert overview.loc[ids["nia-ada"], "ended_on"] == date(2026, 6, 30)
    assert overview.loc[ids["nia-ben-social"], "domain"] == "Social/interpersonal"
    counts = dict(zip(overview["mentor"], overview["mentor_current_mentees"], strict=False))
    assert counts == {"Max Mentor": 2, "Nia Mentor": 1}
    # open pairs first (current, then upcoming), ended ones after
    assert list(overview["status"]) == ["current", "current", "current", "upcoming", "completed", "stopped"]

    current_only = pairs.pairs_overview(small.store, small.director, TODAY, include_ended=False)
    assert set(current_only["status"]) == {"current", "upcoming"}
    assert len(current_only) == 4

    loads = pairs.mentor_loads(small.store, small.director, TODAY)
    assert list(zip(loads["mentor"], loads["current_mentees"], strict=True)) == [
        ("Max Mentor", 2),
        ("Nia Mentor", 1),
        ("Olga Mentor", 0),
    ]


def test_an_upcoming_pair_is_called_off_on_its_start_date_and_never_becomes_active(small):
    pair_id, starts = small.ids["nia-ben-social"], TODAY + timedelta(days=10)
    before = _snapshot(small.store)
    for wrong in (TODAY, starts + timedelta(days=1)):
        with pytest.raises(InputError, match=f"This pair starts on {starts:%Y-%m-%d}; to call it off before then"):
            pairs.end_pair(small.store, small.director, pair_id, wrong, "stopped", "plans changed", TODAY)
    assert _snapshot(small.store) == before

    pairs.end_pair(small.store, small.director, pair_id, starts, "stopped", "plans changed", TODAY)
    overview = pairs.pairs_overview(small.store, small.director, TODAY).set_index("pair_id")
    assert overview.loc[pair_id, "status"] == "stopped"
    for day in (starts, starts + timedelta(days=30)):
        assert pair_id not in set(active_pairs(small.store, small.ids["ben"], day)["pair_id"])


def test_an_upcoming_pair_is_reassigned_on_its_start_date(small):
    pair_id, starts = small.ids["nia-ben-social"], TODAY + timedelta(days=10)
    new_id = pairs.reassign_pair(small.store, small.director, pair_id, small.ids["olga"], starts, "Nia is away", TODAY)
    overview = pairs.pairs_overview(small.store, small.director, TODAY).set_index("pair_id")
    assert overview.loc[pair_id, ["status", "end_reason"]].tolist() == ["stopped", "Reassigned: Nia is away"]
    assert overview.loc[new_id, ["mentor", "mentee", "domain_id", "status"]].tolist() == [
        "Olga Mentor",
        "Ben Fellow",
        "social",
        "upcoming",
    ]
    assert overview.loc[new_id, "started_on"] == starts


def test_program_members_lists_active_people_of_a_role(small):
    fellows = pairs.program_members(small.store, small.director, "fellow")
    assert list(fellows["full_name"]) == ["Ada Fellow", "Ben Fellow"]  # Cleo has left; Xia is elsewhere
    mentors = pairs.program_members(small.store, small.director, "mentor")
    assert list(mentors["full_name"]) == ["Max Mentor", "Nia Mentor", "Olga Mentor"]


def test_the_clock_is_never_read(small):
    """Everything depends on the `today` it is given: the same call a year on gives another answer."""
    source = Path(pairs.__file__).read_text(encoding="utf-8")
    assert not re.search(r"\.(today|now|utcnow)\(|time\.time\(", source)
    a_year_on = TODAY + timedelta(days=365)
    overview = pairs.pairs_overview(small.store, small.director, a_year_on).set_index("pair_id")
    assert overview.loc[small.ids["nia-ben-social"], "status"] == "current"
    pair_id = pairs.create_pair(
        small.store, small.director, small.ids["olga"], small.ids["ada"], "social", a_year_on + timedelta(days=300), a_year_on
    )
    assert _pair(small.store, pair_id)["started_on"] == a_year_on + timedelta(days=300)
