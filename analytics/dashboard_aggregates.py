"""The program director's dashboard: aggregates over the whole program, never one person's ratings.

What may be published, and how, is the disclosure model of analytics/disclosure.py: participation
and the overdue list are administration, shown in full; ratings, goal progress, outputs and
meetings held are protected: closed periods only, and sums over whole atoms of at least the
program's minimum group size, so no two views, nor a view before and after one more submission,
can be subtracted to isolate anyone. Every query is scoped to the director's own program and binds
its parameters.

Free-text comments (assessments.comment, goal and meeting notes) are never read here.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from analytics.disclosure import (
    CUTS,
    ITEM_ANSWERS_SQL,
    MENTOR_COHORT,
    Minimums,
    domain_bit,
    domain_masks_sql,
    first_open_period,
    latest_closed_period,
    period_minimums,
    plan_atoms,
    published_snapshots,
    select,
    suppress,
    suppress_bins,
    unit_parameters,
)
from analytics.errors import AccessDenied
from analytics.exports import to_xlsx  # the dashboard's Excel, made inert there
from analytics.goals import expected_percent_sql, pace_sql, percent_done_sql
from analytics.instruments import (
    MENTEE_BY_MENTOR,
    MENTEE_SELF,
    MENTOR_BY_MENTEE,
    MENTOR_SELF,
    PROCESS_STEPS,
    SUBSCALE_PREFIX,
    Catalogue,
)
from analytics.outputs import KINDS
from analytics.people import Viewer, program_people, program_settings
from analytics.periods import last_periods, next_period, period_label, period_start, periods_between
from analytics.program_settings import program_catalogue
from analytics.registry import registered_layout
from analytics.sql_fragments import (
    LATEST_CHECKIN_FIRST,
    LATEST_STATUS_FIRST,
    PROGRAM_MEMBERS,
    current_where,
    in_list,
    latest_notes,
    listed_limit,
    pair_during,
    pair_log_joins,
    pair_recorded_during,
)
from analytics.store import Store

ALL_COHORTS = "All cohorts"
MENTORS = "Mentors"


# ---------------------------------------------------------------- helpers


def _require_director(viewer: Viewer) -> None:
    if viewer is None or not viewer.has("director"):
        raise AccessDenied("The program dashboard is for directors.")


def _ids(values) -> list[int] | None:
    return None if values is None else [int(v) for v in values]


def _self_instrument_of(role: str) -> str:
    """SQL: the self-assessment that a person of `role` (an SQL expression, 'fellow' or 'mentor') answers."""
    return f"CASE {role} WHEN 'fellow' THEN '{MENTEE_SELF}' ELSE '{MENTOR_SELF}' END"


def _dates(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for column in columns:
        if column in frame:
            frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


# ---------------------------------------------------------------- participation


def _spans(today: date, periods: int, months: int, only: str | None) -> tuple[list[date], list[date]]:
    """The starts and ends of the last `periods` periods up to today's; `only` "open" keeps today's, "closed" the others."""
    if only not in (None, "open", "closed"):
        raise ValueError(f"only must be None, 'open' or 'closed', not {only!r}")
    starts = last_periods(today, periods, months)
    starts = starts[-1:] if only == "open" else starts[:-1] if only == "closed" else starts
    return starts, [next_period(start, months) for start in starts]


def participation(store: Store, viewer: Viewer, today: date, periods: int = 8, *, only: str | None = None) -> pd.DataFrame:
    """Per period (the last `periods`, up to today's) and cohort: active fellows, how many submitted
    their self-assessment (mentee-self), the completion rate; mentors (mentor-self) as one more row;
    and an "All cohorts" total row per period for fellows. `only` ("open": today's period, "closed":
    the others) gives those rows alone (a period's rows count that period's answers only).

    Administration, shown in full for every cohort, small ones included: who has submitted is
    what the overdue list names (analytics/disclosure.py), and no rating is in it.
    """
    _require_director(viewer)
    months = program_settings(store, viewer.program_id)["period_months"]
    starts, ends = _spans(today, periods, months, only)
    people, people_params = in_list("person", program_people(store, viewer.program_id), listed_limit(store.backend))
    frame = store.query_df(
        f"""
        WITH spans AS (SELECT unnest($starts::DATE[]) AS period_start, unnest($ends::DATE[]) AS period_end),
        members AS ({PROGRAM_MEMBERS}),
        answered AS (
            SELECT DISTINCT respondent_id, period_start,
                   CASE instrument_id WHEN '{MENTEE_SELF}' THEN 'fellow' ELSE 'mentor' END AS role
            FROM assessments
            WHERE instrument_id IN ('{MENTEE_SELF}', '{MENTOR_SELF}') AND respondent_id = subject_id
              AND respondent_id IN ({people})
              AND period_start IN (SELECT period_start FROM spans)
              AND respondent_id IN (SELECT person_id FROM members)
        ),
        cells AS (
            SELECT s.period_start, m.role, m.cohort_key,
                   count(DISTINCT m.person_id) AS active,
                   count(DISTINCT a.respondent_id) AS submitted
            FROM spans s JOIN members m ON m.active_from < s.period_end
            LEFT JOIN answered a ON a.respondent_id = m.person_id AND a.period_start = s.period_start AND a.role = m.role
            GROUP BY ALL
        ),
        rows AS (
            SELECT period_start, role, cohort_key, active, submitted, false AS is_total FROM cells
            UNION ALL
            SELECT period_start, 'fellow', NULL, sum(active), sum(submitted), true FROM cells
            WHERE role = 'fellow' GROUP BY period_start
        )
        SELECT r.period_start, r.role,
               CASE WHEN r.is_total THEN $all WHEN r.role = 'mentor' THEN $mentors
                    ELSE coalesce(c.name, 'No cohort') END AS cohort,
               CASE WHEN r.cohort_key > 0 THEN r.cohort_key END AS cohort_id,
               r.is_total, r.active::INTEGER AS active, r.submitted::INTEGER AS submitted,
               round(r.submitted / nullif(r.active, 0), 3) AS completion_rate
        FROM rows r LEFT JOIN cohorts c ON c.cohort_id = r.cohort_key AND c.program_id = $program
        ORDER BY r.period_start, r.role DESC, r.is_total, cohort
        """,
        {"starts": starts, "ends": ends, "program": viewer.program_id, "all": ALL_COHORTS, "mentors": MENTORS, **people_params},
    )
    frame = _dates(frame, "period_start")
    frame["cohort_id"] = frame["cohort_id"].astype("Int64")
    return frame


def _one_after_another(earlier: pd.DataFrame, later: pd.DataFrame) -> pd.DataFrame:
    """The rows of a table of periods computed in two spans of periods, earlier ones first, as the table of
    both spans gives them (an empty part adds nothing, not its column types)."""
    parts = [frame for frame in (earlier, later) if len(frame)] or [later]
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)


def open_with_closed(closed: pd.DataFrame, open_rows: pd.DataFrame) -> pd.DataFrame:
    """The rows of a participation table for every period, from its closed periods' rows and its open
    period's (`only="closed"` and `only="open"`), as the table of every period gives them."""
    return _one_after_another(closed, open_rows)


def overdue_people(store: Store, viewer: Viewer, today: date) -> pd.DataFrame:
    """Active fellows and mentors who have not submitted this period's self-assessment, by name.

    Administration (DESIGN.md allows names here); no ratings.
    """
    _require_director(viewer)
    start = period_start(today, program_settings(store, viewer.program_id)["period_months"])
    people, people_params = in_list("person", program_people(store, viewer.program_id), listed_limit(store.backend))
    frame = store.query_df(
        f"""
        SELECT p.full_name AS name, r.role, coalesce(c.name, '') AS cohort,
               {_self_instrument_of("r.role")} AS instrument_id, p.email
        FROM people p JOIN person_roles r USING (person_id)
        LEFT JOIN cohorts c ON c.cohort_id = p.cohort_id
        WHERE p.program_id = $program AND p.active AND r.role IN ('fellow', 'mentor')
          AND NOT EXISTS (
              SELECT 1 FROM assessments a
              WHERE a.respondent_id IN ({people})
                AND a.respondent_id = p.person_id AND a.subject_id = p.person_id AND a.period_start = $period
                AND a.instrument_id = {_self_instrument_of("r.role")}
          )
        ORDER BY r.role, cohort, name
        """,
        {"program": viewer.program_id, "period": start, **people_params},
    )
    return frame


PAIR_INSTRUMENTS = {  # instrument -> who in the pair is expected to answer it
    MENTEE_BY_MENTOR: ("mentor",),
    MENTOR_BY_MENTEE: ("mentee",),
    PROCESS_STEPS: ("mentee", "mentor"),
}


_SIDE_OF = {"fellow": "mentee", "mentor": "mentor"}  # who answers a pair instrument, as a side of the pair


def _instrument_rows(catalogue: Catalogue | None) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    """(self instrument, answering role, cadence) and (pair instrument, answering side, cadence) rows: the
    shipped five (asked every period), or every instrument of `catalogue`, a program's own included."""
    if catalogue is None:
        pair_rows = [(instrument, side, "period") for instrument, sides in PAIR_INSTRUMENTS.items() for side in sides]
        return [(MENTEE_SELF, "fellow", "period"), (MENTOR_SELF, "mentor", "period")], pair_rows
    self_rows = [(i.id, role, i.cadence) for i in catalogue.instruments if i.about == "self" for role in i.respondent]
    pair_rows = [(i.id, _SIDE_OF[role], i.cadence) for i in catalogue.instruments if i.about != "self" for role in i.respondent]
    return self_rows, pair_rows


# An answer counts for a period as its instrument's cadence says (as due_assessments asks for it): one of
# that period (every period), one of that calendar year so far (yearly), or one given by then (once, and
# at a pair's start and end). As a join: an answer's bucket (its period; its year; one bucket for all)
# equals the bucket of each period it may count for, and it counts where the bucket's first answer is
# at or before the period. Equality joins, so no answer is compared with every expected row.
_BUCKET = """CASE {cadence} WHEN 'period' THEN {period}
    WHEN 'yearly' THEN make_date(year({period}), 1, 1) ELSE DATE '2000-01-01' END"""


def _answers_since(starts: list[date], cadences: Sequence[str]) -> date:
    """The earliest period an answer may be of and still count for one of `starts` (a bound on the scan)."""
    if not starts or any(cadence not in ("period", "yearly") for cadence in cadences):
        return date(1, 1, 1)  # once, at a pair's start and end: an answer of any earlier period counts
    first = min(starts)
    return first.replace(month=1, day=1) if "yearly" in cadences else first


def participation_by_instrument(
    store: Store,
    viewer: Viewer,
    today: date,
    periods: int = 8,
    catalogue: Catalogue | None = None,
    *,
    only: str | None = None,
) -> pd.DataFrame:
    """Per period (the last `periods`, up to today's) and instrument, program-wide: how many were
    expected to answer (`expected`), how many did (`submitted`) and the completion rate.

    - Self instruments (mentee-self, mentor-self): `unit` is "people": active people of the answering
      role (fellows from their cohort's start) and those who submitted.
    - Pair instruments (mentee-by-mentor, mentor-by-mentee, process-steps; `respondent` says which
      side): `unit` is "pairs": the pairs current during the period (started before its end, not
      ended before its start) and those whose expected respondent submitted about the other member.
      process-steps has a row for each side.

    `n` is the distinct people behind a row (for pairs: the fewer of pairs and distinct expected
    respondents). Administration, shown in full like `participation`. With `catalogue`, every instrument
    in it has its rows, a program's own included, an answer counting for the periods its cadence covers
    (a yearly instrument answered in spring is complete for the rest of that year), by the cadence the
    program chose where it chose one (for earlier periods too). `only` ("open": today's period,
    "closed": the others) gives those rows alone: a closed period's rows count answers of closed
    periods only, so a submission (to the open period) cannot change them.
    """
    _require_director(viewer)
    if catalogue is not None:
        catalogue = program_catalogue(store, catalogue, viewer.program_id)
    months = program_settings(store, viewer.program_id)["period_months"]
    starts, ends = _spans(today, periods, months, only)
    self_kinds, pair_rows = _instrument_rows(catalogue)
    people, people_params = in_list("person", program_people(store, viewer.program_id), listed_limit(store.backend))
    frame = store.query_df(
        f"""
        WITH spans AS (SELECT unnest($starts::DATE[]) AS period_start, unnest($ends::DATE[]) AS period_end),
        members AS ({PROGRAM_MEMBERS}),
        self_kinds AS (
            SELECT unnest($self_instruments::VARCHAR[]) AS instrument_id, unnest($self_roles::VARCHAR[]) AS respondent,
                   unnest($self_cadences::VARCHAR[]) AS cadence
        ),
        self_answers AS (
            SELECT a.instrument_id, a.respondent_id, {_BUCKET.format(cadence="k.cadence", period="a.period_start")} AS bucket,
                   min(a.period_start) AS first_start
            FROM assessments a JOIN (SELECT DISTINCT instrument_id, cadence FROM self_kinds) k USING (instrument_id)
            WHERE a.respondent_id = a.subject_id AND a.period_start BETWEEN $since_self AND $until
              AND a.respondent_id IN ({people}) AND a.respondent_id IN (SELECT person_id FROM members)
            GROUP BY ALL
        ),
        self_rows AS (
            SELECT s.period_start, k.instrument_id, k.respondent, 'people' AS unit,
                   count(DISTINCT m.person_id) AS expected,
                   count(DISTINCT a.respondent_id) FILTER (WHERE a.first_start <= s.period_start) AS submitted,
                   count(DISTINCT m.person_id) AS n
            FROM spans s CROSS JOIN self_kinds k JOIN members m ON m.active_from < s.period_end AND m.role = k.respondent
            LEFT JOIN self_answers a ON a.respondent_id = m.person_id AND a.instrument_id = k.instrument_id
                 AND a.bucket = {_BUCKET.format(cadence="k.cadence", period="s.period_start")}
            GROUP BY ALL
        ),
        kinds AS (
            SELECT unnest($pair_instruments::VARCHAR[]) AS instrument_id, unnest($pair_sides::VARCHAR[]) AS respondent,
                   unnest($pair_cadences::VARCHAR[]) AS cadence
        ),
        expected AS (
            SELECT s.period_start, k.instrument_id, k.respondent, pp.pair_id,
                   {_BUCKET.format(cadence="k.cadence", period="s.period_start")} AS bucket,
                   CASE k.respondent WHEN 'mentor' THEN pp.mentor_id ELSE pp.mentee_id END AS respondent_id,
                   CASE k.respondent WHEN 'mentor' THEN pp.mentee_id ELSE pp.mentor_id END AS subject_id
            FROM spans s CROSS JOIN kinds k
            JOIN pairs pp ON pp.program_id = $program AND {pair_during("pp", "s.period_start", "s.period_end")}
        ),
        pair_answers AS (
            SELECT a.instrument_id, a.respondent_id, a.subject_id, a.pair_id,
                   {_BUCKET.format(cadence="k.cadence", period="a.period_start")} AS bucket, min(a.period_start) AS first_start
            FROM assessments a JOIN (SELECT DISTINCT instrument_id, cadence FROM kinds) k USING (instrument_id)
            WHERE a.period_start BETWEEN $since_pairs AND $until AND a.respondent_id IN ({people})
              AND a.respondent_id IN (SELECT respondent_id FROM expected)
            GROUP BY ALL
        ),
        answered AS (  -- an answer about the other member counts for any of their pairs unless it names one
            SELECT DISTINCT e.period_start, e.instrument_id, e.respondent, e.pair_id
            FROM expected e JOIN pair_answers a ON a.instrument_id = e.instrument_id AND a.respondent_id = e.respondent_id
                 AND a.subject_id = e.subject_id AND a.bucket = e.bucket
            WHERE a.first_start <= e.period_start AND (a.pair_id IS NULL OR a.pair_id = e.pair_id)
        ),
        pair_rows AS (
            SELECT e.period_start, e.instrument_id, e.respondent, 'pairs' AS unit,
                   count(DISTINCT e.pair_id) AS expected,
                   count(DISTINCT d.pair_id) AS submitted,
                   least(count(DISTINCT e.pair_id), count(DISTINCT e.respondent_id)) AS n
            FROM expected e LEFT JOIN answered d USING (period_start, instrument_id, respondent, pair_id)
            GROUP BY ALL
        ),
        every_row AS (
            SELECT s.period_start, k.instrument_id, k.respondent, k.unit
            FROM spans s CROSS JOIN (
                SELECT instrument_id, respondent, 'pairs' AS unit FROM kinds
                UNION ALL SELECT instrument_id, respondent, 'people' FROM self_kinds
            ) k
        ),
        counted AS (SELECT * FROM self_rows UNION ALL SELECT * FROM pair_rows)
        SELECT w.period_start, w.instrument_id, w.respondent, w.unit,
               coalesce(c.expected, 0)::INTEGER AS expected, coalesce(c.submitted, 0)::INTEGER AS submitted,
               round(c.submitted / nullif(c.expected, 0), 3) AS completion_rate,
               coalesce(c.n, 0)::INTEGER AS n
        FROM every_row w LEFT JOIN counted c USING (period_start, instrument_id, respondent)
        ORDER BY w.period_start, list_position($order, w.instrument_id), w.respondent
        """,
        {
            "starts": starts,
            "ends": ends,
            "until": max(starts, default=today),  # no answer after the last period counts for it
            "since_self": _answers_since(starts, [cadence for _, _, cadence in self_kinds]),
            "since_pairs": _answers_since(starts, [cadence for _, _, cadence in pair_rows]),
            "program": viewer.program_id,
            "pair_instruments": [instrument for instrument, _, _ in pair_rows],
            "pair_sides": [side for _, side, _ in pair_rows],
            "pair_cadences": [cadence for _, _, cadence in pair_rows],
            "self_instruments": [instrument for instrument, _, _ in self_kinds],
            "self_roles": [role for _, role, _ in self_kinds],
            "self_cadences": [cadence for _, _, cadence in self_kinds],
            "order": list(dict.fromkeys([instrument for instrument, _, _ in self_kinds + pair_rows])),
            **people_params,
        },
    )
    return _dates(frame, "period_start")


# ---------------------------------------------------------------- ratings

# Whose cohort and mentor domains place an assessment in an atom: the pair's mentee for pair
# instruments; otherwise the person the instrument is about (a fellow, or a mentor for mentor-self),
# or for a fellow's rating of a mentor made outside a pair, the fellow who rated.
_FOCUS = {MENTOR_SELF: ("subject", "mentor"), MENTOR_BY_MENTEE: ("respondent", "fellow")}


def _focus_of(store: Store, instrument_id: str) -> tuple[str, str]:
    """A program's own instrument placed like the shipped one of its kind: a rating of a mentor by the fellow
    who gave it, a self-assessment only mentors answer by the mentor, anything else by the fellow it is about."""
    row = store.query_one(
        "SELECT about, definition FROM instrument_versions WHERE instrument_id = $id ORDER BY version DESC LIMIT 1",
        {"id": instrument_id},
    )
    if row is None:
        return "subject", "fellow"
    about, definition = row[0], json.loads(row[1])
    if about == "mentor":
        return "respondent", "fellow"
    if about == "self" and definition.get("respondent") == ["mentor"]:
        return "subject", "mentor"
    return "subject", "fellow"


_RATING_UNITS_SQL = """
WITH current AS ({CURRENT}),
units AS (
    SELECT a.assessment_id AS unit_id, a.period_start, a.respondent_id, a.subject_id,
           CASE WHEN pp.pair_id IS NULL THEN '' WHEN a.respondent_id = pp.mentor_id THEN 'mentor' ELSE 'mentee' END AS side,
           CASE WHEN pp.pair_id IS NOT NULL THEN pp.mentee_id WHEN $focus_is_respondent THEN a.respondent_id
                ELSE a.subject_id END AS focus_id,
           CASE WHEN pp.pair_id IS NOT NULL THEN 'fellow' ELSE $focus_role END AS focus_role
    FROM current a LEFT JOIN pairs pp ON pp.pair_id = a.pair_id
),
{MASKS}
SELECT u.unit_id, u.period_start, u.respondent_id, u.subject_id, u.side,
       CASE WHEN u.focus_role = 'fellow' THEN coalesce(f.cohort_id, 0) ELSE $mentor_cohort END AS cohort_key,
       coalesce(m.mask, 0) AS mask
FROM units u JOIN people f ON f.person_id = u.focus_id
LEFT JOIN masks m USING (focus_id, focus_role, period_start)
ORDER BY u.unit_id
""".replace(
    "{CURRENT}",
    current_where(
        "instrument_id = $instrument AND period_start < $open"
        " AND ($first IS NULL OR period_start >= $first) AND ($last IS NULL OR period_start <= $last)"
        " AND respondent_id IN (SELECT person_id FROM people WHERE program_id = $program)",
        "assessment_id, period_start, respondent_id, subject_id, pair_id",
    ),
).replace("{MASKS}", domain_masks_sql("units"))

# One atom plan per instrument, whichever figure asks: a family is one period and one side of the pair
# (the sides of process steps are published apart), split by every cut the dashboard offers. Two
# figures of one instrument planned differently could be subtracted (process steps pooled per side
# against the same steps pooled per cohort once left the small groups' ratings).
_FAMILY = ("period_start", "side")


def _rating_units(
    store: Store, viewer: Viewer, instrument_id: str, first_period, last_period, today: date
) -> tuple[pd.DataFrame, Minimums]:
    """Every current assessment of the instrument in the program's closed periods of the window, one
    row each, planned into atoms (analytics/disclosure.py); and the minimum group size of each period."""
    minimum = period_minimums(store, viewer)
    focus_side, focus_role = _FOCUS.get(instrument_id) or _focus_of(store, instrument_id)
    units = store.query_df(
        _RATING_UNITS_SQL,
        {
            "program": viewer.program_id,
            "months": program_settings(store, viewer.program_id)["period_months"],
            "instrument": instrument_id,
            "open": first_open_period(store, viewer, today),
            "first": first_period,
            "last": last_period,
            "focus_is_respondent": focus_side == "respondent",
            "focus_role": focus_role,
            "mentor_cohort": MENTOR_COHORT,
        },
    )
    units = _dates(units, "period_start")
    return plan_atoms(units, minimum, _FAMILY, CUTS), minimum


def _check_view(cohort_ids, domain) -> None:
    domain_bit(domain)  # an unknown domain is refused before anything is read
    if cohort_ids is not None:
        _ids(cohort_ids)


def _scale_of(store: Store, viewer: Viewer, instrument_id: str) -> tuple[list[int], dict[str, str]]:
    """The values to count (every registered version's scale, and any rating the program stored outside
    it, so nothing vanishes from the counts) and each item's subscale."""
    values, subscales = registered_layout(store, instrument_id)
    stored = store.query_all(
        """
        SELECT DISTINCT r.rating FROM assessments a JOIN responses r USING (assessment_id)
        JOIN people p ON p.person_id = a.respondent_id
        WHERE a.instrument_id = $instrument AND p.program_id = $program
        """,
        {"instrument": instrument_id, "program": viewer.program_id},
    )
    return sorted(set(values) | {int(row[0]) for row in stored}), subscales


def _behind(trace: bool) -> str:
    """SQL: the `behind` column of a per-item figure, the assessments it pools; only with `trace` (long lists)."""
    if trace:
        return "list(DISTINCT assessment_id ORDER BY assessment_id) FILTER (WHERE counted) AS behind"
    return "NULL::BIGINT[] AS behind"


def rating_distribution(
    store: Store,
    viewer: Viewer,
    instrument_id: str,
    cohort_ids: Sequence[int] | None = None,
    first_period: date | None = None,
    last_period: date | None = None,
    domain: str | None = None,
    *,
    today: date,
    trace: bool = False,
) -> pd.DataFrame:
    """Per closed period and item, over the selected cohorts: n people, mean, sd and the count of each
    value of the instrument's scale (rating_1 ... rating_7 for a 7-point scale, rating_0 on for a 0-based
    one), for stacked Likert bars; and, for an instrument with subscales, one row more per subscale
    (item_id SUBSCALE_PREFIX + its name) pooling its items' answers: its mean beside the items'. Only whole atoms of at least the
    minimum enter (analytics/disclosure.py); a (period, item) with none is suppressed. `domain` keeps
    fellows who had a mentor in that domain during the period. `trace` adds `behind`: the
    assessment ids each row pools (for tests; never shown).
    """
    _require_director(viewer)
    _check_view(cohort_ids, domain)
    planned, minimum = _rating_units(store, viewer, instrument_id, first_period, last_period, today)
    chosen = select(planned, _ids(cohort_ids), domain)
    values, subscales = _scale_of(store, viewer, instrument_id)
    counts = "".join(f",\n count(*) FILTER (WHERE counted AND rating = {int(v)})::INTEGER AS rating_{int(v)}" for v in values)
    # A subscale's row pools its items' answers: an answer enters it only where it enters its item's row.
    frame = store.query_df(
        f"""
        WITH {ITEM_ANSWERS_SQL},
        subscales AS (SELECT unnest($sub_items::VARCHAR[]) AS item_id, unnest($sub_names::VARCHAR[]) AS subscale),
        rows AS (
            SELECT * FROM counted
            UNION ALL
            SELECT c.* REPLACE ($prefix || s.subscale AS item_id) FROM counted c JOIN subscales s USING (item_id)
        )
        SELECT period_start, item_id,
               least(count(DISTINCT respondent_id) FILTER (WHERE counted),
                     count(DISTINCT subject_id) FILTER (WHERE counted))::INTEGER AS n,
               round(avg(rating) FILTER (WHERE counted), 2) AS mean,
               round(stddev_samp(rating) FILTER (WHERE counted), 2) AS sd{counts},
               {_behind(trace)}
        FROM rows
        GROUP BY ALL
        ORDER BY period_start, item_id
        """,
        unit_parameters(chosen)
        | {"sub_items": list(subscales), "sub_names": list(subscales.values()), "prefix": SUBSCALE_PREFIX},
    )
    frame = _dates(frame, "period_start")
    return suppress(frame, minimum, ["mean", "sd", *(f"rating_{int(v)}" for v in values)], trace)


def item_heatmap(
    store: Store,
    viewer: Viewer,
    instrument_id: str,
    cohort_ids: Sequence[int] | None = None,
    first_period: date | None = None,
    last_period: date | None = None,
    domain: str | None = None,
    *,
    today: date,
) -> pd.DataFrame:
    """Mean per item x period (long form: period_start, item_id, n, mean, suppressed)."""
    distribution = rating_distribution(store, viewer, instrument_id, cohort_ids, first_period, last_period, domain, today=today)
    return heatmap_of(distribution)


def heatmap_of(distribution: pd.DataFrame) -> pd.DataFrame:
    """The heatmap's columns of a rating_distribution table (a page that has one need not query again)."""
    return distribution[["period_start", "item_id", "n", "mean", "suppressed"]].copy()


def cohort_trend(
    store: Store,
    viewer: Viewer,
    instrument_id: str,
    cohort_ids: Sequence[int] | None = None,
    first_period: date | None = None,
    last_period: date | None = None,
    domain: str | None = None,
    *,
    today: date,
    trace: bool = False,
) -> pd.DataFrame:
    """Per closed period and cohort: n people, the mean of each person's average rating, and its sd
    across people (the spread). Only whole atoms of at least the minimum enter; a cohort with none
    in a period is suppressed (a small cohort always is)."""
    _require_director(viewer)
    _check_view(cohort_ids, domain)
    planned, minimum = _rating_units(store, viewer, instrument_id, first_period, last_period, today)
    chosen = select(planned, _ids(cohort_ids), domain)
    frame = store.query_df(
        """
        WITH s AS (SELECT unnest($ids) AS assessment_id, unnest($pooled) AS pooled, unnest($cohorts) AS cohort_key),
        per_assessment AS (
            SELECT a.assessment_id, a.period_start, s.cohort_key, s.pooled, a.respondent_id, a.subject_id,
                   avg(r.rating) AS average
            FROM s JOIN assessments a USING (assessment_id) JOIN responses r USING (assessment_id)
            GROUP BY ALL
        )
        SELECT p.period_start, CASE WHEN p.cohort_key > 0 THEN p.cohort_key END AS cohort_id,
               CASE WHEN p.cohort_key = $mentor_cohort THEN $mentors ELSE coalesce(c.name, 'No cohort') END AS cohort,
               least(count(DISTINCT p.respondent_id) FILTER (WHERE p.pooled),
                     count(DISTINCT p.subject_id) FILTER (WHERE p.pooled))::INTEGER AS n,
               round(avg(p.average) FILTER (WHERE p.pooled), 2) AS mean,
               round(stddev_samp(p.average) FILTER (WHERE p.pooled), 2) AS sd,
               list(p.assessment_id ORDER BY p.assessment_id) FILTER (WHERE p.pooled) AS behind
        FROM per_assessment p LEFT JOIN cohorts c ON c.cohort_id = p.cohort_key
        GROUP BY ALL ORDER BY p.period_start, cohort
        """,
        unit_parameters(chosen, atoms=False)
        | {"cohorts": [int(c) for c in chosen["cohort_key"]], "mentor_cohort": MENTOR_COHORT, "mentors": MENTORS},
    )
    frame = _dates(frame, "period_start")
    frame["cohort_id"] = frame["cohort_id"].astype("Int64")
    return suppress(frame, minimum, ["mean", "sd"], trace)


def rating_periods(store: Store, viewer: Viewer, today: date) -> list[date]:
    """Every closed period with any assessment in the program (for the period range filter)."""
    _require_director(viewer)
    people, people_params = in_list("person", program_people(store, viewer.program_id), listed_limit(store.backend))
    rows = store.query_all(
        f"""
        SELECT DISTINCT a.period_start FROM assessments a JOIN people p ON p.person_id = a.respondent_id
        WHERE a.respondent_id IN ({people}) AND p.program_id = $program AND a.period_start < $open ORDER BY 1
        """,
        {"program": viewer.program_id, "open": first_open_period(store, viewer, today), **people_params},
    )
    return [row[0] for row in rows]


def latest_period_with_figures(store: Store, viewer: Viewer, instrument_id: str, today: date) -> date | None:
    """The latest closed period in which anything of this instrument is published for the whole
    program (the default period of a chart: never an empty one)."""
    distribution = rating_distribution(store, viewer, instrument_id, today=today)
    shown = distribution[~distribution["suppressed"]]
    return shown["period_start"].max() if len(shown) else None


def self_vs_mentor(
    store: Store,
    viewer: Viewer,
    cohort_ids: Sequence[int] | None = None,
    *,
    today: date,
    period: date | None = None,
    domain: str | None = None,
    trace: bool = False,
) -> pd.DataFrame:
    """Per good-mentee quality: the program mean of fellows' self-ratings (mentee-self) and of mentors'
    ratings of fellows (mentee-by-mentor) in the latest closed period with both published (or
    `period`), with n for each; each side pooled and suppressed on its own."""
    _require_director(viewer)

    def sides_of(first: date | None, last: date | None) -> dict[str, pd.DataFrame]:
        return {
            prefix: rating_distribution(store, viewer, instrument_id, cohort_ids, first, last, domain, today=today, trace=trace)
            for instrument_id, prefix in ((MENTEE_SELF, "self"), (MENTEE_BY_MENTOR, "mentor"))
        }

    # A period's figures come from that period's assessments and atoms alone, so the latest closed period
    # is tried first: where both sides are shown in it, it is the period, and no earlier one is computed;
    # otherwise the earlier periods' rows join its own.
    if period is None:
        latest = latest_closed_period(store, viewer, today)
        sides = sides_of(latest, latest)
        if all((~side["suppressed"]).any() for side in sides.values()):
            period = latest
        else:
            earlier = sides_of(None, last_periods(latest, 2, program_settings(store, viewer.program_id)["period_months"])[0])
            sides = {prefix: _one_after_another(earlier[prefix], side) for prefix, side in sides.items()}
    else:
        sides = sides_of(None, None)
    if period is None:
        shown = [set(side.loc[~side["suppressed"], "period_start"]) for side in sides.values()]
        any_data = set(sides["self"]["period_start"]) | set(sides["mentor"]["period_start"])
        period = max(shown[0] & shown[1], default=None) or max(any_data, default=None)
    columns = ["item_id", "n", "mean", "suppressed", *(["behind"] if trace else [])]
    parts = []
    for prefix, side in sides.items():
        one = side[side["period_start"] == period][columns]
        parts.append(one.rename(columns={c: f"{prefix}_{c}" for c in columns if c != "item_id"}))
    frame = parts[0].merge(parts[1], on="item_id", how="outer")
    for prefix in ("self", "mentor"):
        frame[f"{prefix}_n"] = frame[f"{prefix}_n"].fillna(0).astype(int)
        frame[f"{prefix}_suppressed"] = frame[f"{prefix}_suppressed"].astype("boolean").fillna(True).astype(bool)
    frame.insert(0, "period_start", period)
    frame["suppressed"] = frame["self_suppressed"] | frame["mentor_suppressed"]
    gap = pd.to_numeric(frame["self_mean"], errors="coerce") - pd.to_numeric(frame["mentor_mean"], errors="coerce")
    frame["gap"] = gap.round(2).astype(object).where(gap.notna(), None)
    return frame.sort_values("item_id").reset_index(drop=True)


def _process_step_means(store: Store, viewer: Viewer, today: date, trace: bool) -> pd.DataFrame:
    """Each process step's mean per closed period and side (mentee, mentor), the whole program, each
    side pooled from the same atoms as every other figure of process steps and suppressed on its own
    (columns period_start, item_id, side, n, mean, behind, suppressed)."""
    _require_director(viewer)
    planned, minimum = _rating_units(store, viewer, PROCESS_STEPS, None, None, today)
    chosen = select(planned, None, None)
    chosen = chosen[chosen["side"] != ""]
    frame = store.query_df(
        f"""
        WITH {ITEM_ANSWERS_SQL}
        SELECT period_start, item_id, split_part(atom, '/', 1) AS side,
               least(count(DISTINCT respondent_id) FILTER (WHERE counted),
                     count(DISTINCT subject_id) FILTER (WHERE counted))::INTEGER AS n,
               round(avg(rating) FILTER (WHERE counted), 2) AS mean,
               {_behind(trace)}
        FROM counted
        GROUP BY ALL
        ORDER BY period_start, item_id, side
        """,
        unit_parameters(chosen),
    )
    return suppress(_dates(frame, "period_start"), minimum, ["mean"], True)


def process_step_means(store: Store, viewer: Viewer, today: date) -> pd.DataFrame:
    """What process_gaps and process_step_trend both start from (without `trace`): the dashboard computes it
    once and passes it to both as `means`."""
    return _process_step_means(store, viewer, today, False)


def _means_of(store: Store, viewer: Viewer, today: date, trace: bool, means: pd.DataFrame | None) -> pd.DataFrame:
    _require_director(viewer)
    if means is None:
        return _process_step_means(store, viewer, today, trace)
    if trace:
        raise ValueError("trace needs the means with the assessments behind them: pass no means")
    return means


def process_gaps(
    store: Store,
    viewer: Viewer,
    catalogue: Catalogue,
    *,
    today: date,
    period: date | None = None,
    trace: bool = False,
    means: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The five process steps, as mentees and as mentors rate them in the latest closed period with
    figures (or `period`), lowest first, each with the guidance's own quote from the instrument
    catalogue. The whole program (no filters), each side pooled from the same atoms as every other
    figure of process steps, and suppressed on its own. `means`: `process_step_means` of this day."""
    frame = _means_of(store, viewer, today, trace, means)
    if period is None:
        shown = frame.loc[~frame["suppressed"], "period_start"]
        period = shown.max() if len(shown) else frame["period_start"].max() if len(frame) else None
    frame = frame[frame["period_start"] == period]
    instrument = catalogue.get(PROCESS_STEPS)
    base = pd.DataFrame({"item_id": [item.id for item in instrument.items]})
    for side in ("mentee", "mentor"):
        part = frame[frame["side"] == side][["item_id", "n", "mean", "suppressed", "behind"]]
        part = part.rename(columns={c: f"{side}_{c}" for c in ("n", "mean", "suppressed", "behind")})
        base = base.merge(part, on="item_id", how="left")
        base[f"{side}_n"] = base[f"{side}_n"].fillna(0).astype(int)
        base[f"{side}_suppressed"] = base[f"{side}_suppressed"].astype("boolean").fillna(True).astype(bool)
        if not trace:
            base = base.drop(columns=[f"{side}_behind"])
    base["suppressed"] = base["mentee_suppressed"] | base["mentor_suppressed"]
    means = [pd.to_numeric(base[f"{side}_mean"], errors="coerce") for side in ("mentee", "mentor")]
    base["lowest"] = pd.concat(means, axis=1).min(axis=1)
    base["step"] = [instrument.item(i).text for i in base["item_id"]]
    base["quote"] = [instrument.item(i).quote for i in base["item_id"]]
    base.insert(0, "period_start", period)
    base = base.sort_values(["lowest", "item_id"], na_position="last").drop(columns=["lowest"])
    return base.reset_index(drop=True)


def process_step_trend(
    store: Store,
    viewer: Viewer,
    catalogue: Catalogue,
    *,
    today: date,
    trace: bool = False,
    means: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Each process step's mean by closed period, as mentees and as mentors rate it: the figures of
    `process_gaps` for every period, from the same atoms and suppressed by the same rule (a side of a
    step in a period with fewer than the minimum people has no mean). One row per period, step and
    side, steps in the instrument's order: period_start, item_id, step, side, n, mean, suppressed
    (and `behind`, the assessments pooled, with `trace`). `means`: `process_step_means` of this day."""
    frame = _means_of(store, viewer, today, trace, means)
    instrument = catalogue.get(PROCESS_STEPS)
    order = [item.id for item in instrument.items]
    frame = frame[frame["item_id"].isin(order)].copy()
    frame["step"] = [instrument.item(i).text for i in frame["item_id"]]
    frame["_order"] = [order.index(i) for i in frame["item_id"]]
    frame = frame.sort_values(["period_start", "_order", "side"]).drop(columns=["_order"])
    columns = ["period_start", "item_id", "step", "side", "n", "mean", "suppressed", *(["behind"] if trace else [])]
    return frame[columns].reset_index(drop=True)


# ---------------------------------------------------------------- goals and outputs


# A goal's state in a snapshot: what the published figures count (goals, completed, on track).
_GOAL_STATES = {"active behind": 1, "active on track": 2, "completed": 3, "other": 4}


def _goal_states(store: Store, viewer: Viewer, periods: list[date], months: int) -> pd.DataFrame:
    """Each goal's state at the end of each of `periods` (columns goal_id, owner_id, category,
    cohort_key, period_start, state), from goals, status changes and check-ins recorded by then."""
    closes = [next_period(start, months) for start in periods]
    frame = store.query_df(
        f"""
        WITH spans AS (SELECT unnest($starts) AS period_start, unnest($closes) AS close),
        g AS (
            SELECT g.goal_id, g.owner_id, g.category, g.start_value, g.target_value, g.started_on, g.target_date,
                   coalesce(p.cohort_id, 0) AS cohort_key, s.period_start, s.close, (s.close - INTERVAL 1 DAY)::DATE AS last_day
            FROM goals g JOIN people p ON p.person_id = g.owner_id
            JOIN spans s ON g.created_at < s.close AND g.started_on < s.close
            WHERE p.program_id = $program
        ),
        latest_status AS (
            SELECT g.goal_id, g.period_start, c.status FROM g JOIN goal_status_changes c USING (goal_id)
            WHERE c.recorded_at < g.close AND c.changed_on <= g.last_day
            QUALIFY row_number() OVER (PARTITION BY g.goal_id, g.period_start ORDER BY {LATEST_STATUS_FIRST}) = 1
        ),
        latest_checkin AS (
            SELECT g.goal_id, g.period_start, c.value FROM g JOIN goal_checkins c USING (goal_id)
            WHERE c.recorded_at < g.close AND c.checked_on <= g.last_day
            QUALIFY row_number() OVER (PARTITION BY g.goal_id, g.period_start ORDER BY {LATEST_CHECKIN_FIRST}) = 1
        )
        SELECT goal_id, owner_id, category, cohort_key, period_start, {pace_sql("status", "ahead_by")} AS pace FROM (
            SELECT g.goal_id, g.owner_id, g.category, g.cohort_key, g.period_start, coalesce(s.status, 'active') AS status,
                   {percent_done_sql("g", "coalesce(c.value, g.start_value)")} - {expected_percent_sql("g", "g.last_day")}
                   AS ahead_by
            FROM g LEFT JOIN latest_status s USING (goal_id, period_start)
            LEFT JOIN latest_checkin c USING (goal_id, period_start)
        )
        ORDER BY period_start, goal_id
        """,
        {"program": viewer.program_id, "starts": periods, "closes": closes},
    )
    frame = _dates(frame, "period_start")
    frame["state"] = np.select(
        [frame["pace"] == "completed", frame["pace"].isin(["ahead", "on track"]), frame["pace"] == "behind"],
        [_GOAL_STATES["completed"], _GOAL_STATES["active on track"], _GOAL_STATES["active behind"]],
        _GOAL_STATES["other"],
    )
    return frame.drop(columns=["pace"])


def _goal_snapshots(
    store: Store, viewer: Viewer, today: date, cohort_ids: Sequence[int] | None, through: date | None
) -> tuple[pd.DataFrame, Minimums]:
    """Every (closed period, goal category, cohort) snapshot from the program's first goal to `through`
    (default: the latest closed period), one row each, suppressed as `published_snapshots` allows.

    Columns: period_start, category, cohort_id, cohort, goals, n (distinct owners), completed_share,
    on_track_share (of active goals), and as shares of all the group's goals: completed, on_track,
    behind and other (paused or dropped); `reached`: the group's completed goals less those of its last
    shown snapshot (the difference of two shown figures, so it tells nothing they do not); and
    `behind`, a code per goal counted (goal_id * 10 + its state), for tests.
    """
    _require_director(viewer)
    _check_view(cohort_ids, None)
    minimum = period_minimums(store, viewer)
    months = program_settings(store, viewer.program_id)["period_months"]
    closed = latest_closed_period(store, viewer, today)
    through = closed if through is None else min(period_start(through, months), closed)
    first = store.query_one(
        "SELECT min(greatest(g.created_at::DATE, g.started_on)) FROM goals g JOIN people p ON p.person_id = g.owner_id"
        " WHERE p.program_id = $program",
        {"program": viewer.program_id},
    )[0]
    periods = periods_between(min(first, through), through, months) if first is not None else [through]
    states = _goal_states(store, viewer, periods, months)
    published = published_snapshots(states, periods, minimum)
    names = dict(
        store.query_all("SELECT cohort_id, name FROM cohorts WHERE program_id = $program", {"program": viewer.program_id})
    )
    completed, on_track, behind = (_GOAL_STATES[s] for s in ("completed", "active on track", "active behind"))
    keys = ["category", "cohort_key", "period_start"]
    # A row per group and period in which the group has goals, groups in order and periods in order;
    # the goals of a snapshot that is not shown count for nothing.
    cells = published.merge(states[keys].drop_duplicates(), on=keys)
    goals = states.merge(cells.loc[cells["published"], keys], on=keys).sort_values([*keys, "goal_id"], kind="stable")
    state = goals["state"].to_numpy()
    goals = goals.assign(
        code=goals["goal_id"].to_numpy() * 10 + state,
        completed=state == completed,
        on_track=state == on_track,
        behind=state == behind,
        other=state == _GOAL_STATES["other"],
        active=(state == behind) | (state == on_track),
    )
    per_cell = goals.groupby(keys, sort=False)
    counts = per_cell[["completed", "on_track", "behind", "other", "active"]].sum()
    counts["goals"] = per_cell.size()
    counts["n"] = per_cell["owner_id"].nunique()
    # The cells' goals are consecutive rows, each cell's in goal_id order, so their codes are sorted too.
    ends = np.cumsum(counts["goals"].to_numpy())
    counts["codes"] = [part.tolist() for part in np.split(goals["code"].to_numpy(), ends[:-1])] if len(ends) else []
    counts = cells[keys].merge(counts.reset_index(), on=keys, how="left")

    def share(count, of) -> float | None:
        return round(float(count / of), 3) if of else None

    rows = []
    last_completed: dict[tuple, int] = {}  # per group: completed goals in its last shown snapshot
    for cell, is_shown in zip(counts.itertuples(index=False), cells["published"], strict=True):
        group = (cell.category, cell.cohort_key)
        goals_shown = int(cell.goals) if is_shown else 0
        done = int(cell.completed) if is_shown else 0
        active = int(cell.active) if is_shown else 0
        rows.append(
            {
                "period_start": cell.period_start,
                "category": cell.category,
                "cohort_id": int(cell.cohort_key) if cell.cohort_key > 0 else None,
                "cohort": names.get(int(cell.cohort_key), "No cohort"),
                "goals": goals_shown,
                "n": int(cell.n) if is_shown else 0,
                "completed_share": share(done, goals_shown),
                "on_track_share": share(cell.on_track if is_shown else 0, active),
                "share_completed": share(done, goals_shown),
                "share_on_track": share(cell.on_track if is_shown else 0, goals_shown),
                "share_behind": share(cell.behind if is_shown else 0, goals_shown),
                "share_other": share(cell.other if is_shown else 0, goals_shown),
                "reached": done - last_completed.get(group, 0),
                "behind": cell.codes if is_shown else [],
            }
        )
        if is_shown:
            last_completed[group] = done
    columns = [
        "period_start", "category", "cohort_id", "cohort", "goals", "n", "completed_share", "on_track_share",
        "share_completed", "share_on_track", "share_behind", "share_other", "reached", "behind",
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    if cohort_ids is not None:
        frame = frame[frame["cohort_id"].isin(_ids(cohort_ids))]
    frame["cohort_id"] = frame["cohort_id"].astype("Int64")
    frame = frame.sort_values(["period_start", "category", "cohort"]).reset_index(drop=True)
    return frame, minimum


_SHARES = ["share_completed", "share_on_track", "share_behind", "share_other"]


@dataclass(frozen=True, eq=False)
class GoalSnapshots:
    """The goal snapshots of one view (`goal_snapshots`), which goal_completion and goal_progress both
    start from: the dashboard computes them once for the two."""

    frame: pd.DataFrame
    minimum: Minimums
    made_for: tuple  # (program, today, cohort ids, through): a view with other filters must not use them


def _view_key(viewer: Viewer, today: date, cohort_ids: Sequence[int] | None, through: date | None) -> tuple:
    ids = _ids(cohort_ids)
    return (viewer.program_id, today, None if ids is None else tuple(sorted(ids)), through)


def goal_snapshots(
    store: Store, viewer: Viewer, today: date, cohort_ids: Sequence[int] | None = None, through: date | None = None
) -> GoalSnapshots:
    """The goal snapshots for these cohorts up to `through` (goal_completion's `period`, goal_progress's
    `last_period`), to pass to both as `snapshots`."""
    frame, minimum = _goal_snapshots(store, viewer, today, cohort_ids, through)
    return GoalSnapshots(frame, minimum, _view_key(viewer, today, cohort_ids, through))


def _snapshots_of(
    store: Store,
    viewer: Viewer,
    today: date,
    cohort_ids: Sequence[int] | None,
    through: date | None,
    snapshots: GoalSnapshots | None,
) -> tuple[pd.DataFrame, Minimums]:
    if snapshots is None:
        return _goal_snapshots(store, viewer, today, cohort_ids, through)
    if snapshots.made_for != _view_key(viewer, today, cohort_ids, through):
        raise ValueError("these goal snapshots were made for another view")
    return snapshots.frame, snapshots.minimum


def goal_completion(
    store: Store,
    viewer: Viewer,
    today: date,
    cohort_ids: Sequence[int] | None = None,
    *,
    period: date | None = None,
    trace: bool = False,
    snapshots: GoalSnapshots | None = None,
) -> pd.DataFrame:
    """Per goal category and cohort, as recorded by the end of the latest closed period (or `period`,
    which must be closed): goals, distinct owners (n), completed share, and on-track share (active
    goals on track or ahead, with the pace rule of analytics/goals.py, on the period's last day).

    Goals, status changes and check-ins count by when they were recorded, so a closed period's figures
    never change; a group's snapshot is shown only as `published_snapshots` (analytics/disclosure.py) allows. No domain
    filter: see there. `trace` adds `behind`, one code per goal counted: goal_id * 10 + its state.
    `snapshots`: `goal_snapshots` of the same view, made once for this and goal_progress.
    """
    frame, minimum = _snapshots_of(store, viewer, today, cohort_ids, period, snapshots)
    last = frame["period_start"].max() if len(frame) else None
    frame = frame[frame["period_start"] == last].drop(columns=[*_SHARES, "reached"])
    frame = frame.sort_values(["category", "cohort"]).reset_index(drop=True)
    return suppress(frame, minimum, ["goals", "completed_share", "on_track_share"], trace)


def goal_progress(
    store: Store,
    viewer: Viewer,
    today: date,
    cohort_ids: Sequence[int] | None = None,
    first_period: date | None = None,
    last_period: date | None = None,
    *,
    trace: bool = False,
    snapshots: GoalSnapshots | None = None,
) -> pd.DataFrame:
    """Goal progress over time: per closed period (within first_period..last_period when given), goal
    category and cohort, the share of the group's goals completed, active on track (or ahead), active
    behind and other (paused or dropped), and `reached`: the goals completed since the group's
    snapshot was last shown (net: a goal reopened since counts against it).

    Every period's snapshot obeys `published_snapshots` (analytics/disclosure.py), as in
    `goal_completion`: a group is shown only when its owners reach the minimum and the owners whose
    goals changed since it was last shown are none or at least the minimum, so neither one snapshot
    nor the difference of two (which `reached` is) rests on fewer people. A hidden snapshot adds
    nothing: the goals completed meanwhile are counted in the next shown one. The cohort filter picks
    rows; there is no domain filter (see published_snapshots). `trace` keeps `behind` (the codes a
    row counts). `snapshots`: `goal_snapshots` of the same view, as for goal_completion.
    """
    frame, minimum = _snapshots_of(store, viewer, today, cohort_ids, last_period, snapshots)
    if first_period is not None:
        frame = frame[frame["period_start"] >= first_period]
    frame = frame.drop(columns=["completed_share", "on_track_share"])
    return suppress(frame.reset_index(drop=True), minimum, ["goals", *_SHARES, "reached"], trace)


def outputs_over_time(store: Store, viewer: Viewer, today: date, *, trace: bool = False) -> pd.DataFrame:
    """Per closed period and kind, for the whole program: outputs logged in the period (by when they
    were recorded, so a closed period's count never changes), the distinct people who logged them
    (n), and the running total of the published counts.

    No cohort or domain filter: a period's outputs of one kind come from a few people, and a filter
    would bring them under the minimum. A period where fewer than the minimum people logged that
    kind is suppressed and adds nothing to the running total, so every published figure, and every
    difference of two, counts the outputs of at least the minimum people.
    """
    _require_director(viewer)
    minimum = period_minimums(store, viewer)
    months = program_settings(store, viewer.program_id)["period_months"]
    units = store.query_df(
        """
        SELECT o.output_id AS unit_id, o.owner_id AS respondent_id, o.owner_id AS subject_id, o.kind,
               o.recorded_at::DATE AS recorded_on, 0 AS cohort_key, 0 AS mask
        FROM outputs o JOIN people p ON p.person_id = o.owner_id
        WHERE p.program_id = $program AND o.recorded_at < $open
        ORDER BY o.output_id
        """,
        {"program": viewer.program_id, "open": first_open_period(store, viewer, today)},
    )
    units["period_start"] = [period_start(pd.Timestamp(d).date(), months) for d in units["recorded_on"]]
    planned = select(plan_atoms(units, minimum, ["period_start", "kind"], cuts=()), None, None)
    periods = periods_between(min(planned["period_start"]), max(planned["period_start"]), months) if len(planned) else []
    rows = []
    for kind in [k for k in KINDS if k in set(planned["kind"])]:
        total = 0
        for start in periods:
            group = planned[(planned["kind"] == kind) & (planned["period_start"] == start)]
            pooled = group[group["pooled"]]
            total += len(pooled)
            rows.append(
                {
                    "period_start": start,
                    "kind": kind,
                    "added": len(pooled),
                    "cumulative": total,
                    "n": int(pooled["respondent_id"].nunique()),
                    "behind": sorted(int(i) for i in pooled["unit_id"]),
                    "empty": group.empty,
                }
            )
    frame = pd.DataFrame(rows, columns=["period_start", "kind", "added", "cumulative", "n", "behind", "empty"])
    empty = frame.pop("empty").astype(bool)
    frame = suppress(frame, minimum, ["added"], trace)
    # A period where nobody logged that kind reveals no one: it shows 0, not "hidden".
    frame.loc[empty.to_numpy(), "added"] = 0
    frame.loc[empty.to_numpy(), "suppressed"] = False
    return frame


MEETING_BINS = ("0", "1", "2", "3-4", "5-6", "7+")


def meeting_frequency_distribution(store: Store, viewer: Viewer, today: date, *, period: date | None = None) -> pd.DataFrame:
    """The distribution, across the pairs current during the latest closed period (or `period`), of the
    number of meetings they held in it (the latest note, written by the period's end, says held):
    one row per bin of MEETING_BINS with `pairs`, the number of pairs in that bin.

    Protected like every figure of a pair's activity: each period counts only its own meetings, with
    pairs and notes as recorded by its end, so a period's bins never move and two periods share no
    meeting to subtract. The bins add up to the pairs of the period, which a director knows, so they
    go through `suppress_bins`.
    """
    _require_director(viewer)
    months = program_settings(store, viewer.program_id)["period_months"]
    closed = latest_closed_period(store, viewer, today)
    period = closed if period is None else min(period_start(period, months), closed)
    minimum = period_minimums(store, viewer).of(period)
    close = next_period(period, months)
    frame = store.query_df(
        f"""
        WITH current_pairs AS (
            SELECT p.pair_id FROM pairs p {pair_log_joins("p")}
            WHERE p.program_id = $program AND {pair_recorded_during("p", "$period", "$close")}
        ),
        recent AS (
            SELECT meeting_id, pair_id FROM meetings
            WHERE meeting_on >= $period AND meeting_on < $close AND pair_id IN (SELECT pair_id FROM current_pairs)
        ),
        notes AS ({latest_notes("SELECT meeting_id FROM recent", "meeting_id, held", written_before="$close")}),
        held AS (
            SELECT m.pair_id, count(*) AS meetings FROM recent m JOIN notes n USING (meeting_id)
            WHERE n.held
            GROUP BY m.pair_id
        ),
        binned AS (
            SELECT CASE WHEN coalesce(h.meetings, 0) <= 2 THEN coalesce(h.meetings, 0)::VARCHAR
                        WHEN h.meetings <= 4 THEN '3-4' WHEN h.meetings <= 6 THEN '5-6' ELSE '7+' END AS meetings
            FROM current_pairs c LEFT JOIN held h USING (pair_id)
        ),
        bins AS (SELECT unnest($bins) AS meetings)
        SELECT $period::DATE AS period_start, b.meetings, count(x.meetings)::INTEGER AS pairs
        FROM bins b LEFT JOIN binned x USING (meetings)
        GROUP BY b.meetings ORDER BY list_position($bins, b.meetings)
        """,
        {"program": viewer.program_id, "period": period, "close": close, "bins": list(MEETING_BINS)},
    )
    frame = _dates(frame, "period_start")
    frame["pairs"] = frame["pairs"].astype(int)
    return suppress_bins(frame, "pairs", minimum)


def cohorts_of(store: Store, viewer: Viewer) -> pd.DataFrame:
    """The program's cohorts with their number of active fellows (administration)."""
    _require_director(viewer)
    return store.query_df(
        """
        SELECT c.cohort_id, c.name, count(p.person_id) FILTER (WHERE p.active)::INTEGER AS fellows
        FROM cohorts c LEFT JOIN people p ON p.cohort_id = c.cohort_id
        WHERE c.program_id = $program GROUP BY c.cohort_id, c.name, c.start_year ORDER BY c.start_year, c.name
        """,
        {"program": viewer.program_id},
    )


# ---------------------------------------------------------------- what each table shows, and the Excel

_EVERY_FILTER = "Follows every filter above it: instrument, cohorts, periods and mentor domain."
_GOALS_NO_DOMAIN = (
    "not the mentor domain: a director could move a person between domain groups by creating or ending "
    "pairs, so goal figures are kept per cohort (see the suppression rule)"
)
# Each dashboard table: its sheet's name and what it follows of the filters, and why. The page says it at
# each chart and the Excel's first sheet repeats it, so the two cannot disagree.
SCOPES: dict[str, tuple[str, str]] = {
    "participation": (
        "Participation",
        "Ignores the filters: administration, shown in full for every cohort, up to today's period.",
    ),
    "participation_by_instrument": (
        "Participation by instrument",
        "Ignores the filters: administration, program-wide, up to today's period.",
    ),
    "overdue": ("Overdue", "Ignores the filters: administration, everyone who has not submitted this period's self-assessment."),
    "distribution": ("Rating distribution", _EVERY_FILTER),
    "heatmap": ("Item means", _EVERY_FILTER),
    "cohort_trend": ("Cohort trend", _EVERY_FILTER),
    "self_vs_mentor": (
        "Self vs mentors",
        "Follows the cohorts and the mentor domain. Not the instrument filter (always fellows' self-ratings against "
        "mentors' ratings of fellows) nor the periods (the latest complete period with both sides shown).",
    ),
    "process_steps": (
        "Process steps",
        "Ignores the filters: the whole program, pooled per side (mentees, mentors), so each mean rests on enough "
        "pairs; the latest complete period with figures.",
    ),
    "process_trend": (
        "Process steps over time",
        "Ignores the filters: the whole program, pooled per side, every complete period.",
    ),
    "goals": (
        "Goals (latest period)",
        f"Follows the cohorts and the end of the period range (a goal snapshot as of its end); {_GOALS_NO_DOMAIN}.",
    ),
    "goal_progress": (
        "Goal progress",
        f"Follows the cohorts and the period range; {_GOALS_NO_DOMAIN}.",
    ),
    "meeting_frequency": (
        "Meetings per pair",
        "Ignores the filters: every pair of the program in the latest complete period (the bins add up to the "
        "period's pairs, which a filter would bring under the minimum).",
    ),
    "outputs": (
        "Outputs",
        "Ignores the filters: program-wide, every complete period (a period's outputs of one kind come from a few "
        "people, whom a filter would bring under the minimum).",
    ),
}


def suppression_rule(minimum: int) -> str:
    """The program's suppression rule in one paragraph, as the dashboard and its Excel state it."""
    return (
        "Participation and who is overdue are administration, shown in full. Ratings, goals, outputs and meetings "
        f"are shown for completed periods only, each figure from groups of at least {minimum} people that no "
        "filter can split further; a goal snapshot is shown only when none or at least "
        f"{minimum} people's goals changed since it was last shown. Anything else is hidden and says so. "
        "Free-text comments never appear."
    )


def _instrument_title(catalogue: Catalogue, instrument_id: str) -> str:
    try:
        return catalogue.get(instrument_id).title
    except KeyError:
        return instrument_id


def _item_text(catalogue: Catalogue, instrument_id: str, item_id: str) -> str:
    try:
        return catalogue.get(instrument_id).row_label(item_id)  # a subscale's mean row is named, not its id
    except KeyError:
        return item_id


def readable_table(table: pd.DataFrame, catalogue: Catalogue, instrument_id: str, months: int) -> pd.DataFrame:
    """A dashboard table as a person reads it: period labels instead of dates, the item's wording instead
    of its id, the instrument's title instead of its id, and no internal ids (cohort, pair, person, goal
    or assessment ids, nor the trace of units behind a figure)."""
    out = table.copy()
    if "period_start" in out:
        labels = [None if pd.isna(p) else period_label(pd.Timestamp(p).date(), months) for p in out["period_start"]]
        out = out.drop(columns=["period_start", *(["period"] if "period" in out else [])])
        out.insert(0, "period", labels)
    if "item_id" in out:
        if "step" not in out:
            position = list(out.columns).index("item_id")
            out.insert(position, "item", [_item_text(catalogue, instrument_id, i) for i in out["item_id"]])
        out = out.drop(columns=["item_id"])
    if "instrument_id" in out:
        position = list(out.columns).index("instrument_id")
        out.insert(position, "instrument", [_instrument_title(catalogue, i) for i in out["instrument_id"]])
        out = out.drop(columns=["instrument_id"])
    internal = [c for c in out.columns if str(c).endswith("_id") or str(c).endswith("behind") or c == "changed"]
    return out.drop(columns=internal).reset_index(drop=True)


def export_sheets(
    tables: dict[str, pd.DataFrame], catalogue: Catalogue, instrument_id: str, months: int, about: dict[str, str]
) -> dict[str, pd.DataFrame]:
    """The dashboard's Excel, sheet by sheet: first "About" (`about`: the program, the filters and the
    periods, as the page words them, then the suppression rule and what each sheet follows), then
    every table in `tables` as `readable_table` makes it, named from SCOPES."""
    rows = [{"": key, "value": value} for key, value in about.items()]
    rows.append({"": "", "value": ""})
    rows += [{"": f"Sheet {SCOPES[name][0]}", "value": SCOPES[name][1]} for name in tables if name in SCOPES]
    sheets = {"About": pd.DataFrame(rows, columns=["", "value"])}
    for name, table in tables.items():
        sheets[SCOPES.get(name, (name, ""))[0]] = readable_table(table, catalogue, instrument_id, months)
    return sheets


__all__ = [
    "ALL_COHORTS",
    "SCOPES",
    "latest_period_with_figures",
    "cohort_trend",
    "cohorts_of",
    "export_sheets",
    "goal_completion",
    "goal_progress",
    "goal_snapshots",
    "heatmap_of",
    "item_heatmap",
    "meeting_frequency_distribution",
    "outputs_over_time",
    "overdue_people",
    "participation",
    "participation_by_instrument",
    "process_gaps",
    "process_step_means",
    "process_step_trend",
    "rating_distribution",
    "rating_periods",
    "readable_table",
    "self_vs_mentor",
    "suppression_rule",
    "to_xlsx",
]
