"""The director's reminder list: their own program only, what each person has still to do, and nothing rating-based."""

from datetime import date

import pytest

from analytics.assessments import due_assessments, submit_assessment
from analytics.bulk import insert_program
from analytics.dashboard_aggregates import overdue_people
from analytics.errors import AccessDenied
from analytics.people import load_viewer
from analytics.reminders import COLUMNS, reminder_list
from tests.conftest import NOW, TODAY


def _person(store, email: str):
    return load_viewer(store, store.query_one("SELECT person_id FROM people WHERE email = ?", [email])[0])


def _stranger(store) -> None:
    """A fellow of another program, who has everything still to do."""

    def add(cur):
        program = insert_program(cur, "Another program", 3, NOW)
        cur.execute(
            "INSERT INTO people (program_id, full_name, email, created_at) VALUES (?, 'Stranger Elsewhere', 'x@else.org', ?)",
            [program, NOW],
        )
        cur.execute("INSERT INTO person_roles SELECT person_id, 'fellow' FROM people WHERE email = 'x@else.org'")

    store.write(add)


def test_the_list_is_what_each_person_of_the_program_still_has_to_do(demo_store, catalogue):
    _stranger(demo_store)
    director = _person(demo_store, "director@demo.org")
    table = reminder_list(demo_store, catalogue, director, TODAY)
    assert list(table.columns) == COLUMNS
    emails = {
        e for (e,) in demo_store.query_all("SELECT email FROM people WHERE program_id = ? AND active", [director.program_id])
    }
    assert set(table["email"]) <= emails and "x@else.org" not in set(table["email"])  # own program only
    fellow = _person(demo_store, "fellow@demo.org")
    undone = sorted(item.in_words for item in due_assessments(demo_store, catalogue, fellow, TODAY) if not item.done)
    assert sorted(table.loc[table["email"] == "fellow@demo.org", "what_is_due"]) == undone
    assert set(table["due_by"]) == {date(2026, 12, 31)}
    assert all(date(2024, 10, 1) <= since <= date(2026, 10, 1) for since in table["due_since"])
    # Everyone the dashboard's overdue list names (no self-assessment this period) is on it, for that.
    overdue = overdue_people(demo_store, director, TODAY)
    for row in overdue.itertuples():
        mine = table[(table["email"] == row.email)]
        assert any(what.endswith("self-assessment") for what in mine["what_is_due"]), row.email


def test_nothing_rating_based_and_done_ones_drop_off(demo_store, catalogue):
    director = _person(demo_store, "director@demo.org")
    fellow = _person(demo_store, "fellow@demo.org")
    before = reminder_list(demo_store, catalogue, director, TODAY)
    self_items = [item.id for item in catalogue.get("mentee-self").items]
    submit_assessment(
        demo_store,
        catalogue,
        fellow,
        "mentee-self",
        dict.fromkeys(self_items, 4),
        today=TODAY,
        now=NOW,
        submission_key="reminder-test",
        comment="CanaryReminderComment",
    )
    after = reminder_list(demo_store, catalogue, director, TODAY)
    mine = after[after["email"] == "fellow@demo.org"]["what_is_due"]
    assert not any(what.endswith("self-assessment") for what in mine)
    assert len(after) == len(before) - (
        1 if any(before[before["email"] == "fellow@demo.org"]["what_is_due"].str.endswith("self-assessment")) else 0
    )
    assert "CanaryReminderComment" not in after.to_csv()
    assert not any(str(value).isdigit() for value in after.drop(columns=["due_since", "due_by"]).to_numpy().ravel())


@pytest.mark.parametrize("email", ["fellow@demo.org", "mentor@demo.org"])
def test_only_a_director_gets_it(demo_store, catalogue, email):
    with pytest.raises(AccessDenied):
        reminder_list(demo_store, catalogue, _person(demo_store, email), TODAY)


def test_due_since_is_the_first_period_of_the_run_not_done_and_never_before_the_person_joined(demo_store, catalogue):
    director = _person(demo_store, "director@demo.org")
    fellow = _person(demo_store, "fellow@demo.org")
    # The fellow's self-assessments of 2026 Q2 and Q3 are taken out (a test's own copy): not done since 1 April.
    demo_store.write(
        lambda cur: [
            cur.execute(
                f"DELETE FROM {table} WHERE assessment_id IN (SELECT assessment_id FROM assessments WHERE respondent_id = ? "
                "AND subject_id = respondent_id AND instrument_id = 'mentee-self' "
                "AND period_start IN ('2026-04-01', '2026-07-01'))",
                [fellow.person_id],
            )
            for table in ("responses", "assessments")
        ]
    )
    done_in_q1 = demo_store.query_one(
        "SELECT count(*) FROM assessments "
        "WHERE respondent_id = ? AND instrument_id = 'mentee-self' AND period_start = '2026-01-01'",
        [fellow.person_id],
    )[0]
    assert done_in_q1  # so the run starts in Q2
    table = reminder_list(demo_store, catalogue, director, TODAY)
    row = table[(table["email"] == "fellow@demo.org") & table["what_is_due"].str.endswith("self-assessment")]
    assert list(row["due_since"]) == [date(2026, 4, 1)]
    # Someone added today has had nothing due before this period.
    from analytics import roster

    cohort = demo_store.query_one("SELECT min(cohort_id) FROM cohorts")[0]
    roster.add_person(demo_store, director, "Newly Added", "new@demo.org", ["fellow"], cohort, NOW)
    table = reminder_list(demo_store, catalogue, director, TODAY)
    assert set(table.loc[table["email"] == "new@demo.org", "due_since"]) == {date(2026, 10, 1)}
