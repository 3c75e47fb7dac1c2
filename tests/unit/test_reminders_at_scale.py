"""The director's reminder list and what is due, read for a whole program at once (analytics.assessments.DueLists):
a fixed number of queries whatever the program's size, and the same answers as the one-person-at-a-time code it
replaced, kept below as the reference (as of commit 1779547)."""

from dataclasses import replace
from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from analytics import roster
from analytics.assessments import DueAssessment, DueLists, due_assessments
from analytics.instruments import Catalogue
from analytics.people import Viewer, active_pairs, load_viewer, load_viewers, program_settings
from analytics.periods import next_period, period_label, period_start
from analytics.program_settings import program_catalogue
from analytics.reminders import MAX_PERIODS_BACK, reminder_list
from analytics.sql_fragments import PROGRAM_MEMBERS
from analytics.store import Store
from tests.conftest import NOW, TODAY

# Days to compare on: today, a period's first and last day, earlier in the demo's history, and ahead of it.
DAYS = [TODAY, date(2026, 10, 1), date(2026, 9, 30), date(2026, 2, 14), date(2025, 6, 30), date(2027, 1, 20)]


def _director(store: Store) -> Viewer:
    return load_viewer(store, store.query_one("SELECT person_id FROM people WHERE email = 'director@demo.org'")[0])


def _every_cadence(catalogue: Catalogue, store: Store) -> Catalogue:
    """The shipped instruments with every cadence and a cohort choice in use, so the demo's answers go through
    each rule: a yearly self-assessment, a once one, a pair asked at its start and end, one cohort's mentees."""
    cohort = store.query_one("SELECT name FROM cohorts ORDER BY cohort_id LIMIT 1")[0]
    changes = {
        "mentee-self": {"cadence": "yearly"},
        "mentor-self": {"cadence": "once"},
        "mentor-by-mentee": {"cadence": "pair-start-end"},
        "mentee-by-mentor": {"cohorts": (cohort,)},
    }
    instruments = [replace(i, **changes.get(i.id, {})) for i in catalogue.instruments]
    extra = replace(catalogue.get("mentee-self"), id="mentee-self-of-a-cohort", cohorts=(cohort,))
    return replace(catalogue, instruments=(*instruments, extra))


def _history_with_ends(store: Store) -> None:
    """Pairs that ended in this period, the last one and long ago; one that starts ahead; a deactivated fellow;
    a rating of a mentor given on the day their pair ended (it counts as the one asked at the end)."""
    pairs = [row[0] for row in store.query_all("SELECT pair_id FROM pairs ORDER BY pair_id")]
    ends = {pairs[0]: date(2026, 10, 20), pairs[3]: date(2026, 8, 2), pairs[7]: date(2025, 12, 31), pairs[9]: TODAY}

    def change(cur):
        for pair_id, ended_on in ends.items():
            cur.execute("UPDATE pairs SET ended_on = ? WHERE pair_id = ?", [ended_on, pair_id])
        cur.execute("UPDATE pairs SET started_on = ? WHERE pair_id = ?", [date(2027, 1, 5), pairs[12]])
        cur.execute(
            "UPDATE people SET active = false WHERE person_id = (SELECT mentee_id FROM pairs WHERE pair_id = ?)", [pairs[15]]
        )
        cur.execute(
            "INSERT INTO assessments (instrument_id, instrument_version, respondent_id, subject_id, pair_id, period_start, "
            "submitted_at, submission_key) SELECT 'mentor-by-mentee', 1, mentee_id, mentor_id, pair_id, ?, ?, 'at-the-end' "
            "FROM pairs WHERE pair_id = ?",
            [date(2026, 10, 1), datetime(2026, 10, 20, 9), pairs[0]],
        )

    store.write(change)


def _members(store: Store, program_id: int) -> list[int]:
    return [
        row[0] for row in store.query_all("SELECT person_id FROM people WHERE program_id = ? ORDER BY person_id", [program_id])
    ]


@pytest.mark.parametrize("instruments", ["shipped", "every cadence"])
def test_the_batch_decides_as_the_one_person_code_did(demo_store, catalogue, instruments):
    _history_with_ends(demo_store)
    if instruments == "every cadence":
        catalogue = _every_cadence(catalogue, demo_store)
    program = _director(demo_store).program_id
    people = _members(demo_store, program)
    viewers = load_viewers(demo_store, people)
    assert len(viewers) == len(people) - 1  # the deactivated fellow
    due = DueLists(demo_store, catalogue, program, [(person, day) for person in viewers for day in DAYS])
    for viewer in viewers.values():
        for day in DAYS:
            expected = _reference_due_assessments(demo_store, catalogue, viewer, day)
            assert due.of(viewer, day) == expected, (viewer, day)
            assert due_assessments(demo_store, catalogue, viewer, day) == expected
    with pytest.raises(KeyError):
        due.of(next(iter(viewers.values())), date(2020, 1, 1))  # not fetched


@pytest.mark.parametrize("day", [TODAY, date(2026, 10, 1), date(2026, 3, 31), date(2027, 1, 20)])
def test_the_reminder_list_is_the_one_the_old_code_made(demo_store, catalogue, day):
    _history_with_ends(demo_store)
    director = _director(demo_store)
    for instruments in (catalogue, _every_cadence(catalogue, demo_store)):
        expected = _reference_reminder_list(demo_store, instruments, director, day)
        assert len(expected) > 20
        pd.testing.assert_frame_equal(reminder_list(demo_store, instruments, director, day), expected)


def test_the_reminder_list_takes_the_same_queries_for_more_people(demo_store, catalogue):
    director = _director(demo_store)

    def queries() -> int:
        before = demo_store.cursors
        reminder_list(demo_store, catalogue, director, TODAY)
        return demo_store.cursors - before

    few = queries()
    cohort = demo_store.query_one("SELECT min(cohort_id) FROM cohorts")[0]
    for number in range(12):
        roster.add_person(demo_store, director, f"Added Fellow{number}", f"added{number}@demo.org", ["fellow"], cohort, NOW)
    mentors = [row[0] for row in demo_store.query_all("SELECT person_id FROM person_roles WHERE role = 'mentor' LIMIT 3")]
    demo_store.write(
        lambda cur: cur.execute(
            "INSERT INTO pairs (program_id, mentor_id, mentee_id, domain, started_on) "
            "SELECT ?, unnest(?::INTEGER[]), person_id, 'career', ? FROM people WHERE email LIKE 'added%@demo.org'",
            [director.program_id, mentors, date(2026, 10, 2)],
        )
    )
    assert len(reminder_list(demo_store, catalogue, director, TODAY)) > len(_members(demo_store, director.program_id))
    assert queries() == few <= 12, few


# ---------------------------------------------------------------- the reference: the code before DueLists


def _reference_reminder_list(store: Store, catalogue: Catalogue, viewer: Viewer, today: date) -> pd.DataFrame:
    months = program_settings(store, viewer.program_id)["period_months"]
    people = store.query_all(
        f"""
        WITH members AS ({PROGRAM_MEMBERS})
        SELECT p.person_id, p.email, string_agg(m.role, ', ' ORDER BY m.role) AS roles, min(m.active_from)::DATE AS active_from
        FROM people p JOIN members m USING (person_id)
        GROUP BY p.person_id, p.email, p.full_name
        ORDER BY p.full_name, p.person_id
        """,
        {"program": viewer.program_id},
    )
    pair_starts = dict(
        store.query_all("SELECT pair_id, started_on FROM pairs WHERE program_id = $program", {"program": viewer.program_id})
    )
    rows = []
    for person_id, email, roles, active_from in people:
        person = load_viewer(store, person_id)
        if person is None:
            continue
        earlier: dict[date, list[DueAssessment]] = {}

        def asked_in(period: date, person: Viewer = person, earlier: dict = earlier) -> list[DueAssessment]:
            if period not in earlier:
                earlier[period] = _reference_due_assessments(
                    store, catalogue, person, next_period(period, months) - timedelta(days=1)
                )
            return earlier[period]

        for item in _reference_due_assessments(store, catalogue, person, today):
            if item.done:
                continue
            floor = period_start(max(active_from, pair_starts.get(item.pair_id, active_from)), months)
            rows.append(
                {
                    "name": person.full_name,
                    "email": email,
                    "role": roles,
                    "what_is_due": item.in_words,
                    "period": period_label(item.period_start, months),
                    "due_since": _reference_due_since(item, asked_in, floor, months),
                    "due_by": next_period(item.period_start, months) - timedelta(days=1),
                }
            )
    return pd.DataFrame(rows, columns=["name", "email", "role", "what_is_due", "period", "due_since", "due_by"])


def _reference_due_since(item: DueAssessment, asked_in, floor: date, months: int) -> date:
    since = item.period_start
    for _ in range(MAX_PERIODS_BACK):
        previous = period_start(since - timedelta(days=1), months)
        if previous < floor:
            break
        same = [
            asked
            for asked in asked_in(previous)
            if (asked.instrument_id, asked.subject_id, asked.pair_id) == (item.instrument_id, item.subject_id, item.pair_id)
        ]
        if not same or same[0].done:
            break
        since = previous
    return since


def _reference_due_assessments(store: Store, catalogue: Catalogue, viewer: Viewer, today: date) -> list[DueAssessment]:
    catalogue = program_catalogue(store, catalogue, viewer.program_id)
    months = program_settings(store, viewer.program_id)["period_months"]
    period = period_start(today, months)
    pairs = _reference_pairs_to_rate(store, viewer, today, months)
    answers = store.query_df(
        """
        SELECT instrument_id, subject_id, coalesce(pair_id, 0) AS pair_key, period_start, max(submitted_at) AS submitted_at
        FROM assessments WHERE respondent_id = $respondent
        GROUP BY ALL
        """,
        {"respondent": viewer.person_id},
    )
    answers["period_start"] = pd.to_datetime(answers["period_start"]).dt.date
    cohorts = _reference_cohort_names(store, {viewer.person_id, *pairs["mentee_id"]})
    due: list[DueAssessment] = []
    for instrument in catalogue.instruments:
        if not any(viewer.has(role) for role in instrument.respondent):
            continue
        ended = instrument.cadence == "pair-start-end"
        for subject_id, subject_name, pair_id in _reference_subjects(
            instrument, viewer, pairs if ended else pairs[pairs["running"]]
        ):
            if not _reference_for_cohorts(instrument, viewer, subject_id, pair_id, pairs, cohorts):
                continue
            mine = answers[
                (answers["instrument_id"] == instrument.id)
                & (answers["subject_id"] == subject_id)
                & (answers["pair_key"] == (pair_id or 0))
            ]
            due.append(
                DueAssessment(
                    instrument.id,
                    instrument.title,
                    instrument.about,
                    subject_id,
                    subject_name,
                    pair_id,
                    period,
                    _reference_answer_that_counts(instrument.cadence, mine, period, pairs, pair_id),
                )
            )
    return due


def _reference_pairs_to_rate(store: Store, viewer: Viewer, today: date, months: int) -> pd.DataFrame:
    running = active_pairs(store, viewer.person_id, today).assign(running=True, ended_on=None)
    previous = period_start(period_start(today, months) - timedelta(days=1), months)
    ended = store.query_df(
        """
        SELECT pr.pair_id, pr.mentor_id, pr.mentee_id, pr.domain, pr.started_on,
               m.full_name AS mentor_name, f.full_name AS mentee_name, false AS running, pr.ended_on
        FROM pairs pr JOIN people m ON m.person_id = pr.mentor_id JOIN people f ON f.person_id = pr.mentee_id
        WHERE (pr.mentor_id = $person OR pr.mentee_id = $person) AND m.active AND f.active
          AND pr.ended_on >= $previous AND pr.ended_on <= $today
        ORDER BY pr.ended_on, pr.pair_id
        """,
        {"person": viewer.person_id, "previous": previous, "today": today},
    )
    return pd.concat([running, ended], ignore_index=True) if len(ended) else running


def _reference_cohort_names(store: Store, person_ids: set) -> dict[int, str]:
    rows = store.query_all(
        "SELECT p.person_id, c.name FROM people p JOIN cohorts c USING (cohort_id) WHERE list_contains($ids, p.person_id)",
        {"ids": [int(i) for i in person_ids]},
    )
    return {int(person): name for person, name in rows}


def _reference_for_cohorts(instrument, viewer: Viewer, subject_id: int, pair_id, pairs: pd.DataFrame, cohorts: dict) -> bool:
    if not instrument.cohorts:
        return True
    if pair_id is not None:
        fellow = int(pairs.loc[pairs["pair_id"] == pair_id, "mentee_id"].iloc[0])
    elif viewer.has("fellow") and "fellow" in instrument.respondent:
        fellow = subject_id
    else:
        return True
    return cohorts.get(fellow) in instrument.cohorts


def _reference_answer_that_counts(cadence: str, answers: pd.DataFrame, period: date, pairs: pd.DataFrame, pair_id):
    if cadence == "period":
        answers = answers[answers["period_start"] == period]
    elif cadence == "yearly":
        answers = answers[[start.year == period.year for start in answers["period_start"]]]
    elif cadence == "pair-start-end" and pair_id is not None:
        ended_on = pairs.loc[pairs["pair_id"] == pair_id, "ended_on"].iloc[0]
        if ended_on is not None and not pd.isna(ended_on):
            answers = answers[pd.to_datetime(answers["submitted_at"]).dt.date >= pd.Timestamp(ended_on).date()]
    if answers.empty:
        return None
    return pd.Timestamp(answers["submitted_at"].max()).to_pydatetime()


def _reference_subjects(instrument, viewer: Viewer, pairs: pd.DataFrame):
    if instrument.about == "self":
        if any(viewer.has(role) for role in instrument.respondent):
            yield viewer.person_id, "yourself", None
        return
    for pair in pairs.itertuples():
        viewer_is_mentor = pair.mentor_id == viewer.person_id
        if instrument.about == "mentee" and viewer_is_mentor and viewer.has("mentor"):
            yield pair.mentee_id, pair.mentee_name, pair.pair_id
        elif instrument.about == "mentor" and not viewer_is_mentor and viewer.has("fellow"):
            yield pair.mentor_id, pair.mentor_name, pair.pair_id
        elif instrument.about == "pair" and viewer.has("mentor" if viewer_is_mentor else "fellow"):
            other = pair.mentee_name if viewer_is_mentor else pair.mentor_name
            yield (pair.mentee_id if viewer_is_mentor else pair.mentor_id), other, pair.pair_id
