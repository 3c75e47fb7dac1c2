"""Bad input, property-based (hypothesis): whatever is typed into a form or uploaded as a roster, the
write either stores exactly what was meant, and only where it belongs, or is refused with one clear
sentence and changes no table. No other exception, ever."""

import csv
import io
import uuid
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics import agreements, assessments, goals, meetings, network, outputs, pairs, roster
from analytics.errors import AccessDenied, InputError
from analytics.store import Store
from tests.robustness.bad_input_helpers import (
    CONTROL_TEXTS,
    HOSTILE_TEXTS,
    World,
    assert_clear_message,
    build_world,
    changed_tables,
    copy_demo,
    remember_snapshot,
    snapshot,
    snapshot_before,
)

EXAMPLES = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def world(demo_template, tmp_path_factory):
    with Store(copy_demo(demo_template, tmp_path_factory.mktemp("bad-input-properties"))) as store:
        yield build_world(store)


# Typed text: anything, the hostile samples, control characters, and lengths up to 300,000 characters.
texts = st.one_of(
    st.text(max_size=300),
    st.sampled_from([*HOSTILE_TEXTS.values(), *CONTROL_TEXTS, "", "   ", "\n\t"]),
    st.integers(min_value=0, max_value=300_000).map(lambda n: "y" * n),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zl", "Zp", "Mn", "So"]), max_size=50),
)
# What arrives where a number is expected.
numbers = st.one_of(
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=10),
    st.none(),
    st.booleans(),
)
dates = st.one_of(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)), st.text(max_size=12), st.none())


def attempt(w: World, call: Callable[[], object], may_change: set[str]):
    """Run one write: a refusal must be a clear sentence with no table changed; a success changes only `may_change`."""
    before = snapshot_before(w.store)
    try:
        result = call()
    except (InputError, AccessDenied) as error:
        assert_clear_message(error)
        assert changed_tables(before, remember_snapshot(w.store, snapshot(w.store))) == set()
        return None
    assert changed_tables(before, remember_snapshot(w.store, snapshot(w.store))) <= may_change
    return result


def stored_as_typed(w: World, sql: str, record_id: int, typed: str) -> None:
    assert w.store.query_one(sql, [record_id])[0] == typed.strip()


# ---------------------------------------------------------------- free text in every form


@EXAMPLES
@given(text=texts)
def test_any_goal_title_is_stored_as_typed_or_refused(world, text):
    goal_id = attempt(
        world,
        lambda: goals.create_goal(world.store, world.fellow, text, "career", "percent", None, world.today + timedelta(days=60),
                                  world.today, world.now),
        {"goals"},
    )  # fmt: skip
    if goal_id is not None:
        stored_as_typed(world, "SELECT title FROM goals WHERE goal_id = ?", goal_id, text)


@EXAMPLES
@given(text=texts)
def test_any_milestone_text_is_stored_as_typed_or_refused(world, text):
    def create():
        steps = goals.parse_milestone_lines(text)
        return goals.create_goal(world.store, world.fellow, "With milestones", "career", "percent", None,
                                 world.today + timedelta(days=200), world.today, world.now, milestones=steps)  # fmt: skip

    goal_id = attempt(world, create, {"goals", "goal_milestones"})
    if goal_id is not None:
        stored = [row[0] for row in world.store.query_all("SELECT title FROM goal_milestones WHERE goal_id = ?", [goal_id])]
        assert stored == [line.partition(";")[0].strip() for line in text.splitlines() if line.strip()]


@EXAMPLES
@given(text=texts)
def test_any_meeting_agenda_is_stored_as_typed_or_refused(world, text):
    meeting_id = attempt(
        world,
        lambda: meetings.plan_meeting(world.store, world.fellow, world.pair_id, world.today + timedelta(days=5),
                                      text.splitlines(), world.today, world.now),
        {"meetings", "meeting_agenda_items"},
    )  # fmt: skip
    if meeting_id is not None:
        stored = [
            row[0] for row in world.store.query_all("SELECT text FROM meeting_agenda_items WHERE meeting_id = ?", [meeting_id])
        ]
        assert stored == [line.strip() for line in text.splitlines() if line.strip()]


@EXAMPLES
@given(note=texts, action_text=texts)
def test_any_meeting_notes_and_action_item_are_stored_as_typed_or_refused(world, note, action_text):
    item = {"text": action_text, "owner_id": world.fellow.person_id, "due_on": None}
    attempt(
        world,
        lambda: meetings.record_notes(world.store, world.mentor, world.meeting_id, True, note, [item], world.today, world.now),
        {"meeting_notes", "action_items"},
    )


@EXAMPLES
@given(comment=texts)
def test_any_assessment_comment_is_stored_as_typed_or_refused(world, comment):
    ratings = {item.id: 3 for item in world.catalogue.get("mentee-self").items}
    submission = attempt(
        world,
        lambda: assessments.submit_assessment(world.store, world.catalogue, world.fellow, "mentee-self", ratings,
                                              today=world.today, now=world.now, submission_key=uuid.uuid4().hex,
                                              comment=comment),
        {"assessments", "responses"},
    )  # fmt: skip
    if submission is not None:
        stored = world.store.query_one("SELECT comment FROM assessments WHERE assessment_id = ?", [submission.assessment_id])[0]
        assert stored == (comment.strip() or None)


@EXAMPLES
@given(fields=st.lists(texts, min_size=5, max_size=5))
def test_any_agreement_text_is_stored_as_typed_or_refused(world, fields):
    agreement_id = attempt(
        world,
        lambda: agreements.record_agreement(world.store, world.fellow, world.pair_id, 4, *fields,
                                            world.today + timedelta(days=90), world.today, world.now),
        {"agreements", "agreement_acknowledgements"},
    )  # fmt: skip
    if agreement_id is not None:
        stored = world.store.query_one(
            "SELECT contact, response_time, mentee_expects, mentor_expects, confidential FROM agreements WHERE agreement_id = ?",
            [agreement_id],
        )
        assert list(stored) == [field.strip() for field in fields]


@EXAMPLES
@given(name=texts)
def test_any_network_name_is_stored_as_typed_or_refused(world, name):
    ids = attempt(
        world,
        lambda: network.add_to_network(world.store, world.fellow, ["social"], world.now, mentor_name=name),
        {"network_entries"},
    )
    if ids is not None:
        stored_as_typed(world, "SELECT mentor_name FROM network_entries WHERE entry_id = ?", ids[0], name)


@EXAMPLES
@given(title=texts, identifier=texts, kind=st.sampled_from([None, "doi", "pmid", "grant", "isbn"]))
def test_any_output_title_and_identifier_are_stored_or_refused(world, title, identifier, kind):
    output_id = attempt(
        world,
        lambda: outputs.log_output(world.store, world.fellow, "abstract", title, world.today - timedelta(days=3), world.today,
                                   world.now, identifier_kind=kind, identifier=identifier),
        {"outputs"},
    )  # fmt: skip
    if output_id is not None:
        stored_as_typed(world, "SELECT title FROM outputs WHERE output_id = ?", output_id, title)


@EXAMPLES
@given(name=texts, email=texts, roles=st.one_of(texts, st.lists(texts, max_size=3)))
def test_any_person_form_is_stored_as_typed_or_refused(world, name, email, roles):
    person_id = attempt(
        world,
        lambda: roster.add_person(world.store, world.director, name, email, roles, None, world.now),
        {"people", "person_roles"},
    )
    if person_id is not None:
        stored_as_typed(world, "SELECT full_name FROM people WHERE person_id = ?", person_id, name)


@EXAMPLES
@given(name=texts, year=numbers)
def test_any_cohort_form_is_stored_or_refused(world, name, year):
    attempt(world, lambda: roster.add_cohort(world.store, world.director, name, year), {"cohorts"})


# ---------------------------------------------------------------- ratings, numbers and dates


item_values = st.one_of(st.integers(min_value=-10, max_value=10), numbers)


@EXAMPLES
@given(data=st.data(), signed=st.booleans())
def test_any_ratings_are_stored_exactly_or_refused(world, data, signed):
    instrument = world.catalogue.get("mentor-by-mentee")
    ids = [item.id for item in instrument.items]
    ratings = data.draw(st.dictionaries(st.sampled_from([*ids, "unknown-item", ""]), item_values, max_size=len(ids) + 1))
    if data.draw(st.booleans()):  # mostly complete forms, so most examples reach the scale checks
        ratings = {item_id: data.draw(item_values) for item_id in ids}
    submission = attempt(
        world,
        lambda: assessments.submit_assessment(world.store, world.catalogue, world.fellow, instrument.id, ratings,
                                              today=world.today, now=world.now, submission_key=uuid.uuid4().hex,
                                              pair_id=world.pair_id, signed=signed),
        {"assessments", "responses", "signed_assessments"},
    )  # fmt: skip
    if submission is not None:
        stored = dict(
            world.store.query_all("SELECT item_id, rating FROM responses WHERE assessment_id = ?", [submission.assessment_id])
        )
        assert stored == {item_id: int(value) for item_id, value in ratings.items()}
        assert all(instrument.min_rating <= value <= instrument.max_rating for value in stored.values())


@EXAMPLES
@given(target=numbers, measure=st.sampled_from(["percent", "count", "other"]), target_date=dates)
def test_any_goal_target_and_date_are_stored_or_refused(world, target, measure, target_date):
    attempt(
        world,
        lambda: goals.create_goal(world.store, world.fellow, "Target", "research", measure, target, target_date, world.today,
                                  world.now, unit="papers"),
        {"goals"},
    )  # fmt: skip


@EXAMPLES
@given(value=numbers, checked_on=dates, note=texts)
def test_any_check_in_is_stored_or_refused(world, value, checked_on, note):
    goal_id = goals.create_goal(world.store, world.fellow, "Check-ins", "research", "count", 10, world.today + timedelta(days=90),
                                world.today - timedelta(days=30), world.now)  # fmt: skip
    attempt(
        world,
        lambda: goals.add_checkin(world.store, world.fellow, goal_id, value, checked_on, note, world.today, world.now),
        {"goal_checkins"},
    )


@EXAMPLES
@given(meeting_on=dates, weeks=numbers, review_on=dates, started_on=dates)
def test_any_dates_and_numbers_in_meetings_agreements_and_pairs_are_stored_or_refused(
    world, meeting_on, weeks, review_on, started_on
):
    attempt(
        world,
        lambda: meetings.plan_meeting(
            world.store, world.mentor, world.pair_id, meeting_on, ["Date check"], world.today, world.now
        ),
        {"meetings", "meeting_agenda_items"},
    )
    attempt(
        world,
        lambda: agreements.record_agreement(world.store, world.mentor, world.pair_id, weeks, "a", "b", "c", "d", "e", review_on,
                                            world.today, world.now),
        {"agreements", "agreement_acknowledgements"},
    )  # fmt: skip
    pair_id = attempt(
        world,
        lambda: pairs.create_pair(world.store, world.director, world.mentor.person_id, world.other_fellow.person_id, "social",
                                  started_on, world.today),
        {"pairs", "pair_log"},
    )  # fmt: skip
    if pair_id is not None:  # end it again, so the next example may create one
        started = world.store.query_one("SELECT started_on FROM pairs WHERE pair_id = ?", [pair_id])[0]
        pairs.end_pair(world.store, world.director, pair_id, max(started, world.today), "completed", None, world.today)


# ---------------------------------------------------------------- the roster file


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


cells = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["fellow", "mentor", "director", "fellow;mentor", "Class of 2025", "<script>", "x@new.org", ""]),
    st.builds(lambda n: f"p{n}@new.org", st.integers(0, 50)),
)


@EXAMPLES
@given(
    header=st.one_of(st.just(list(roster.ROSTER_COLUMNS)), st.lists(st.text(max_size=12), max_size=6)),
    rows=st.lists(st.lists(cells, min_size=0, max_size=6), max_size=8),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]),
)
def test_any_roster_file_is_checked_and_imported_whole_or_not_at_all(world, header, rows, encoding):
    text = _csv([header, *rows]).decode("utf-8")
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    before = snapshot(world.store)
    check = roster.parse_roster(data, world.store, world.director)  # never raises for what a file holds
    for _line, message in check.errors:
        assert_clear_message(InputError(message))
    assert changed_tables(before, snapshot(world.store)) == set()
    if check.valid_rows:
        added = attempt(world, lambda: roster.import_roster(world.store, world.director, check.valid_rows, world.now),
                        {"people", "person_roles"})  # fmt: skip
        if added is not None:
            assert added == len(check.valid_rows)
            emails = [row["email"] for row in check.valid_rows]
            found = world.store.query_one("SELECT count(*) FROM people WHERE list_contains(?, email)", [emails])[0]
            assert found == len(emails)
