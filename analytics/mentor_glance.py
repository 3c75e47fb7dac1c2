"""The mentor's review: every current mentee at a glance, within what each mentee shares."""

from datetime import date

import pandas as pd

from analytics.changes import personal_reads
from analytics.errors import AccessDenied
from analytics.instruments import MENTEE_BY_MENTOR, MENTEE_SELF, MENTOR_SELF
from analytics.meetings import meeting_ids
from analytics.people import Viewer, program_settings
from analytics.periods import period_start
from analytics.sql_fragments import (
    current_pair,
    current_where,
    in_list,
    latest_notes,
    latest_sharing_choices,
    listed_limit,
    responses_where,
)
from analytics.store import Store

_COLUMNS = "assessment_id, subject_id, period_start"


@personal_reads("assessments", "meetings")
def mentee_glance(store: Store, viewer: Viewer, today: date) -> pd.DataFrame:
    """One row per current mentee: sharing, their latest self-rating average and its direction
    (only if shared with this mentor), this mentor's latest rating of them, and what is due."""
    if viewer is None or not viewer.has("mentor"):
        raise AccessDenied("The review of mentees is for mentors.")
    period = period_start(today, program_settings(store, viewer.program_id)["period_months"])
    # Every pair of the mentor's, and those pairs' meetings up to today, first (two small reads): named one by
    # one below, they reach PostgreSQL as filters (sql_fragments.in_list), so it reads only these mentees'
    # self-assessments and these meetings' notes.
    pairs = store.query_all("SELECT pair_id, mentee_id FROM pairs WHERE mentor_id = $me", {"me": viewer.person_id})
    mentees, mentee_params = in_list("mentee", [mentee for _pair, mentee in pairs], listed_limit(store.backend))
    meetings, meeting_params = in_list(
        "meeting",
        meeting_ids(store, [pair for pair, _mentee in pairs], "meeting_on <= $today", {"today": today}),
        listed_limit(store.backend),
    )
    self_current = current_where(
        f"instrument_id = '{MENTEE_SELF}' AND respondent_id = subject_id AND subject_id IN ({mentees})"
        " AND subject_id IN (SELECT mentee_id FROM mine)"
        " AND subject_id IN (SELECT mentee_id FROM shares WHERE shared)",
        _COLUMNS,
        few=True,
    )
    self_responses = responses_where(f"instrument_id = '{MENTEE_SELF}' AND subject_id IN ({mentees})")
    my_current = current_where(f"instrument_id = '{MENTEE_BY_MENTOR}' AND respondent_id = $me", _COLUMNS, few=True)
    my_responses = responses_where(f"instrument_id = '{MENTEE_BY_MENTOR}' AND respondent_id = $me")
    return store.query_df(
        f"""
        WITH mine AS (
            SELECT mentee_id, string_agg(domain, ', ' ORDER BY domain) AS domains, min(started_on) AS since
            FROM pairs WHERE mentor_id = $me AND {current_pair("pairs", "$today")}
            GROUP BY mentee_id
        ),
        choices AS ({latest_sharing_choices("mentor_id = $me", "mentee_id, record_kind, shared", few=True)}),
        shares AS (SELECT mentee_id, shared FROM choices WHERE record_kind = 'self_assessments'),
        shares_goals AS (SELECT mentee_id, shared FROM choices WHERE record_kind = 'goals'),
        self_current AS ({self_current}),
        self_by_period AS (
            SELECT a.subject_id AS mentee_id, a.period_start, avg(r.rating) AS average
            FROM self_current a JOIN {self_responses} r USING (assessment_id)
            WHERE r.assessment_id IN (SELECT assessment_id FROM self_current)
            GROUP BY ALL
        ),
        self_latest AS (
            SELECT mentee_id, arg_max(average, period_start) AS latest,
                   max(period_start) AS latest_period,
                   list(average ORDER BY period_start DESC)[2] AS previous
            FROM self_by_period GROUP BY mentee_id
        ),
        my_current AS ({my_current}),
        my_ratings AS (
            SELECT a.subject_id AS mentee_id, a.period_start, avg(r.rating) AS average
            FROM my_current a JOIN {my_responses} r USING (assessment_id)
            WHERE r.assessment_id IN (SELECT assessment_id FROM my_current)
            GROUP BY ALL
        ),
        my_latest AS (
            SELECT mentee_id, arg_max(average, period_start) AS my_latest,
                   bool_or(period_start = $period) AS rated_this_period
            FROM my_ratings GROUP BY mentee_id
        ),
        my_meetings AS (
            SELECT meeting_id, pair_id, meeting_on FROM meetings WHERE meeting_id IN ({meetings})
        ),
        last_meetings AS (
            -- Meetings are joint records of the pair, so the mentor always sees them.
            SELECT pr.mentee_id, max(mt.meeting_on) AS last_meeting
            FROM my_meetings mt JOIN (SELECT pair_id, mentee_id FROM pairs WHERE mentor_id = $me) pr USING (pair_id)
            JOIN ({latest_notes(meetings, "meeting_id, held", few=True)}) n USING (meeting_id)
            WHERE n.held
            GROUP BY pr.mentee_id
        )
        SELECT p.person_id AS mentee_id, p.full_name AS mentee, c.name AS cohort, m.domains, m.since, lm.last_meeting,
               coalesce(s.shared, false) AS shares_self_assessments, coalesce(sg.shared, false) AS shares_goals,
               round(sl.latest, 2) AS self_latest, sl.latest_period AS self_latest_period,
               round(sl.latest - sl.previous, 2) AS self_change,
               round(ml.my_latest, 2) AS my_latest_rating,
               NOT coalesce(ml.rated_this_period, false) AS my_rating_due
        FROM mine m
        JOIN (SELECT * FROM people WHERE person_id IN ({mentees})) p ON p.person_id = m.mentee_id AND p.active
        LEFT JOIN cohorts c ON c.cohort_id = p.cohort_id
        LEFT JOIN shares s ON s.mentee_id = m.mentee_id
        LEFT JOIN shares_goals sg ON sg.mentee_id = m.mentee_id
        LEFT JOIN self_latest sl ON sl.mentee_id = m.mentee_id
        LEFT JOIN my_latest ml ON ml.mentee_id = m.mentee_id
        LEFT JOIN last_meetings lm ON lm.mentee_id = m.mentee_id
        ORDER BY p.full_name
        """,
        {"me": viewer.person_id, "today": today, "period": period, **mentee_params, **meeting_params},
    )


def program_glance(store: Store, viewer: Viewer, today: date) -> dict:
    """For a director: counts of people, pairs and this period's self-assessments. No ratings."""
    if viewer is None or not viewer.has("director"):
        raise AccessDenied("The program overview is for directors.")
    period = period_start(today, program_settings(store, viewer.program_id)["period_months"])
    row = store.query_one(
        f"""
        WITH active AS (
            SELECT p.person_id, r.role FROM people p JOIN person_roles r USING (person_id)
            WHERE p.program_id = $program AND p.active
        ),
        answered AS (
            SELECT DISTINCT respondent_id, instrument_id FROM assessments
            WHERE period_start = $period AND instrument_id IN ('{MENTEE_SELF}', '{MENTOR_SELF}')
              AND respondent_id IN (SELECT person_id FROM active)
        )
        SELECT
            count(*) FILTER (WHERE role = 'fellow'),
            count(*) FILTER (WHERE role = 'mentor'),
            count(*) FILTER (WHERE role = 'director'),
            (SELECT count(*) FROM pairs WHERE program_id = $program AND {current_pair("pairs", "$today")}),
            count(*) FILTER (WHERE role = 'fellow' AND (person_id, '{MENTEE_SELF}') IN (SELECT * FROM answered)),
            count(*) FILTER (WHERE role = 'mentor' AND (person_id, '{MENTOR_SELF}') IN (SELECT * FROM answered))
        FROM active
        """,
        {"program": viewer.program_id, "period": period, "today": today},
    )
    keys = ["fellows", "mentors", "directors", "current_pairs", "fellows_done", "mentors_done"]
    return dict(zip(keys, row, strict=True)) | {"period_start": period}
