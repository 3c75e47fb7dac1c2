"""analytics.sql_fragments.current_where: filtering assessments before ranking gives exactly the rows of the view
current_assessments filtered afterwards, for conditions on the ranking-group columns; each latest-per-group
piece gives the same rows ranked by an aggregate (`few=True`) as by a window; and in_list and responses_where
(the filters PostgreSQL receives) select what list_contains and a join to all responses select."""

from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.sql_fragments import (
    LISTED_LIMIT,
    current_where,
    in_list,
    latest_notes,
    latest_sharing_choices,
    responses_where,
    standing_where,
)

PERIODS = (date(2026, 1, 1), date(2026, 4, 1), date(2026, 7, 1))
# Conditions of the kinds the readers use: equality, ranges, IN (subquery), on group columns only.
CONDITIONS = (
    "respondent_id = 1",
    "instrument_id = 'mentee-self' AND respondent_id = subject_id",
    "instrument_id = 'mentee-by-mentor' AND period_start >= DATE '2026-04-01' AND period_start <= DATE '2026-07-01'",
    "respondent_id IN (SELECT unnest([2, 3]))",
    "subject_id IN (SELECT unnest([1])) AND pair_id IS NOT NULL",
)
COLUMNS = "assessment_id, instrument_id, respondent_id, subject_id, pair_id, period_start, submitted_at"

submissions = st.lists(
    st.tuples(
        st.sampled_from(("mentee-self", "mentee-by-mentor")),
        st.integers(1, 3),  # respondent
        st.integers(1, 3),  # subject
        st.sampled_from((None, 1, 2)),  # pair
        st.sampled_from(PERIODS),
        st.integers(0, 3),  # minutes after a fixed time: ties are likely, so the id breaks them
    ),
    max_size=40,
)


def _fill(store, rows) -> None:
    def insert(cur):
        cur.execute("DELETE FROM assessments")
        for number, (instrument, respondent, subject, pair, period, minutes) in enumerate(rows, start=1):
            cur.execute(
                "INSERT INTO assessments (assessment_id, instrument_id, instrument_version, respondent_id, subject_id, pair_id,"
                " period_start, submitted_at, submission_key) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?)",
                [
                    number,
                    instrument,
                    respondent,
                    subject,
                    pair,
                    period,
                    datetime(2026, 8, 1) + timedelta(minutes=minutes),
                    f"k{number}",
                ],
            )

    store.write(insert)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=submissions)
def test_filtering_first_keeps_exactly_the_views_rows(store, rows):
    _fill(store, rows)
    for condition in CONDITIONS:
        expected = store.query_all(f"SELECT {COLUMNS} FROM current_assessments WHERE {condition} ORDER BY assessment_id")
        found = store.query_all(f"SELECT {COLUMNS} FROM ({current_where(condition, COLUMNS)}) ORDER BY assessment_id")
        assert found == expected, condition


def test_a_resubmission_replaces_the_earlier_one_and_other_groups_stay(store):
    rows = [
        ("mentee-self", 1, 1, None, PERIODS[0], 0),  # 1: replaced by 2
        ("mentee-self", 1, 1, None, PERIODS[0], 0),  # 2: same time, higher id wins
        ("mentee-self", 1, 1, None, PERIODS[1], 0),  # 3: another period
        ("mentee-by-mentor", 1, 2, 1, PERIODS[0], 3),  # 4: the later submission stays
        ("mentee-by-mentor", 1, 2, 1, PERIODS[0], 2),  # 5: a higher id but submitted earlier
        ("mentee-by-mentor", 1, 2, 2, PERIODS[0], 1),  # 6: another pair
    ]
    _fill(store, rows)
    found = store.query_all(f"SELECT assessment_id FROM ({current_where('respondent_id = 1', 'assessment_id')}) ORDER BY 1")
    assert [row[0] for row in found] == [2, 3, 4, 6]


@pytest.mark.parametrize("condition", ["submitted_at < TIMESTAMP '2026-08-01 00:02:00'"])
def test_a_condition_on_a_non_group_column_is_not_the_same(store, condition):
    """Why the docstring limits conditions to group columns: filtering on the submission time first
    would bring back a replaced submission."""
    _fill(store, [("mentee-self", 1, 1, None, PERIODS[0], 0), ("mentee-self", 1, 1, None, PERIODS[0], 3)])
    early = store.query_all(f"SELECT assessment_id FROM ({current_where(condition, 'assessment_id')})")
    view = store.query_all(f"SELECT assessment_id FROM current_assessments WHERE {condition}")
    assert early == [(1,)] and view == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=submissions)
def test_a_few_ranked_by_an_aggregate_are_the_rows_the_window_keeps(store, rows):
    _fill(store, rows)
    for condition in CONDITIONS:
        for columns in (COLUMNS, "*"):
            window = store.query_all(f"SELECT {COLUMNS} FROM ({current_where(condition, columns)}) ORDER BY assessment_id")
            few = store.query_all(f"SELECT {COLUMNS} FROM ({current_where(condition, columns, few=True)}) ORDER BY assessment_id")
            assert few == window, condition
        for before in ("TIMESTAMP '2026-08-01 00:02:00'", "period_start + INTERVAL 1 MONTH", "TIMESTAMP '2027-01-01'"):
            window = store.query_all(f"SELECT {COLUMNS} FROM ({standing_where(condition, before, COLUMNS)}) ORDER BY 1")
            few = store.query_all(f"SELECT {COLUMNS} FROM ({standing_where(condition, before, COLUMNS, few=True)}) ORDER BY 1")
            assert few == window, (condition, before)


choices = st.lists(
    st.tuples(st.integers(1, 2), st.integers(3, 4), st.sampled_from(("goals", "outputs")), st.booleans(), st.integers(0, 3)),
    max_size=25,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=choices, notes=st.lists(st.tuples(st.integers(1, 3), st.booleans(), st.integers(0, 3)), max_size=25))
def test_the_latest_sharing_choice_and_note_by_an_aggregate_are_the_windows(store, rows, notes):
    """Ties in time are broken by the row's place (notes) as the window breaks them; sharing choices are made
    one per moment, so the test makes their times distinct."""

    def fill(cur):
        cur.execute("DELETE FROM sharing_choices")
        cur.execute("DELETE FROM meeting_notes")
        for number, (mentor, mentee, kind, shared, _minutes) in enumerate(rows):
            cur.execute(
                "INSERT INTO sharing_choices VALUES (?, ?, ?, ?, ?)",
                [mentee, mentor, kind, shared, datetime(2026, 8, 1) + timedelta(minutes=number)],
            )
        for meeting, held, minutes in notes:
            cur.execute(
                "INSERT INTO meeting_notes (meeting_id, held, notes, written_by, written_at) VALUES (?, ?, 'n', 1, ?)",
                [meeting, held, datetime(2026, 8, 1) + timedelta(minutes=minutes)],
            )

    store.write(fill)
    for condition in ("mentor_id = 1", "mentee_id = 3 AND record_kind = 'goals'"):
        columns = "mentor_id, mentee_id, record_kind, shared, chosen_at"
        window = store.query_all(f"SELECT * FROM ({latest_sharing_choices(condition)}) ORDER BY ALL")
        few = store.query_all(f"SELECT * FROM ({latest_sharing_choices(condition, columns, few=True)}) ORDER BY ALL")
        assert few == window, condition
    for before in (None, "TIMESTAMP '2026-08-01 00:02:00'"):
        ids = "SELECT unnest([1, 2])"
        window = store.query_all(f"SELECT * FROM ({latest_notes(ids, written_before=before)}) ORDER BY ALL")
        few = store.query_all(f"SELECT * FROM ({latest_notes(ids, written_before=before, few=True)}) ORDER BY ALL")
        assert few == window, before


def test_values_named_one_by_one_select_what_a_list_parameter_selects(store):
    _fill(store, [("mentee-self", respondent, respondent, None, PERIODS[0], 0) for respondent in (1, 2, 3, 3)])
    for values in ([], [2], [3, 1, 3], [5], list(range(1, LISTED_LIMIT + 5))):
        expected = store.query_all(
            "SELECT assessment_id FROM assessments WHERE list_contains($who, respondent_id) ORDER BY 1", {"who": values}
        )
        for limit in (LISTED_LIMIT, 1, 0):  # one by one, then one (typed) list past the limit
            listed, params = in_list("who", values, limit)
            found = store.query_all(f"SELECT assessment_id FROM assessments WHERE respondent_id IN ({listed}) ORDER BY 1", params)
            assert found == expected, (values, limit)
            others = store.query_all(f"SELECT count(*) FROM assessments WHERE respondent_id NOT IN ({listed})", params)
            assert others == [(4 - len(expected),)], (values, limit)
    assert len(in_list("who", [1, 2])[1]) == 2 and len(in_list("who", range(LISTED_LIMIT + 1))[1]) == 1  # one list past the limit


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=submissions)
def test_the_responses_a_condition_names_join_as_all_responses_do(store, rows):
    _fill(store, rows)
    store.write(
        lambda cur: cur.execute(
            "DELETE FROM responses; INSERT INTO responses SELECT assessment_id, 'q' || n, n FROM assessments, range(1, 3) t(n)"
        )
    )
    for condition, few in ((condition, few) for condition in CONDITIONS for few in (False, True)):
        ranked = current_where(condition, "assessment_id", few=few)
        expected = store.query_all(
            f"SELECT a.assessment_id, r.item_id, r.rating FROM ({ranked}) a JOIN responses r USING (assessment_id) ORDER BY ALL"
        )
        found = store.query_all(
            f"SELECT a.assessment_id, r.item_id, r.rating FROM ({ranked}) a "
            f"JOIN {responses_where(condition)} r USING (assessment_id) ORDER BY ALL"
        )
        assert found == expected, (condition, few)
