"""The program director's dashboard: aggregates over the whole program, never one person's ratings.

Every aggregate here is computed by a DuckDB query (bound parameters, scoped to the director's own
program) and then passes through `suppress`, the single suppression rule:

- A cell whose number of distinct people is under the program's minimum group size
  (programs.min_group_size, default 5, never below 3) keeps its row, but its values are None and its
  `suppressed` flag is True.
- Complementary suppression: when exactly one cell among siblings (e.g. the cohorts within one
  period) is suppressed, the next-smallest sibling is suppressed too, so a published total minus the
  other siblings cannot reveal the small cell.
- Pooled figures (over several cohorts, e.g. the distribution of one item over the selected
  cohorts) only take in cohort x period cells that themselves meet the minimum. So a filter that
  adds or drops a small cohort changes nothing in the pool, and two allowed views cannot be
  subtracted to isolate the people of a small cohort. Filters choose whole cells only: whole
  cohorts, whole periods and one instrument.

Free-text comments (assessments.comment, goal and meeting notes) are never read here. Counts of
people who are due or overdue are administration (DESIGN.md) and are shown by name in
`overdue_people`; rates and ratings are not.
"""

from collections.abc import Sequence
from datetime import date, timedelta

import pandas as pd

from analytics.current import current_where
from analytics.errors import AccessDenied
from analytics.goals import PACE_TOLERANCE
from analytics.instruments import Catalogue
from analytics.outputs import KINDS
from analytics.people import Viewer, program_settings
from analytics.periods import last_periods, next_period, period_start
from analytics.store import Store

DEFAULT_MIN_GROUP_SIZE = 5
FLOOR_MIN_GROUP_SIZE = 3
RATING_VALUES = (1, 2, 3, 4, 5)
SELF_INSTRUMENT = {"fellow": "mentee-self", "mentor": "mentor-self"}
ALL_COHORTS = "All cohorts"
MENTORS = "Mentors"
_NO_COHORT = 0  # mentors (and anyone without a cohort) in the cell keys


# ---------------------------------------------------------------- the rule


def min_group_size(store: Store, viewer: Viewer) -> int:
    """The program's minimum group size: its setting, default 5, never below 3."""
    setting = program_settings(store, viewer.program_id).get("min_group_size") or DEFAULT_MIN_GROUP_SIZE
    return max(int(setting), FLOOR_MIN_GROUP_SIZE)


def suppress(
    frame: pd.DataFrame,
    count_column: str,
    min_size: int,
    value_columns: Sequence[str] | None = None,
    sibling_columns: Sequence[str] | None = None,
    total_mask: pd.Series | None = None,
) -> pd.DataFrame:
    """The one suppression rule every aggregate passes through. Returns a copy with `suppressed`.

    - Rows whose `count_column` (distinct people) is under `min_size` (never below 3) are suppressed:
      every column in `value_columns` (default: every numeric column but `count_column`) becomes None.
    - Complementary: within each group of `sibling_columns` (rows that add up to a published total,
      e.g. the cohorts of one period), when exactly one sibling is suppressed, the next-smallest
      unsuppressed sibling is suppressed too. Rows where `total_mask` is True are the totals
      themselves: they are checked against the minimum but are not siblings.
    """
    min_size = max(int(min_size), FLOOR_MIN_GROUP_SIZE)
    out = frame.copy().reset_index(drop=True)
    if value_columns is None:
        value_columns = [c for c in out.columns if c != count_column and pd.api.types.is_numeric_dtype(out[c])]
    counts = pd.to_numeric(out[count_column], errors="coerce").fillna(0)
    flags = counts < min_size
    if sibling_columns is not None and len(out):
        is_total = pd.Series(False, index=out.index) if total_mask is None else total_mask.reset_index(drop=True)
        siblings = out[~is_total]
        keys = list(sibling_columns)
        joined = siblings[keys].astype(str).agg("\x1f".join, axis=1) if keys else pd.Series("", index=siblings.index)
        for index in joined.groupby(joined, sort=False).groups.values():
            index = list(index)
            if int(flags[index].sum()) == 1:
                candidates = [i for i in index if not flags[i]]
                if candidates:
                    flags[min(candidates, key=lambda i: (counts[i], i))] = True
    out["suppressed"] = flags.astype(bool)
    for column in value_columns:
        out[column] = out[column].astype(object).where(~out["suppressed"], None)
    return out


def suppression_note(frame: pd.DataFrame, min_size: int) -> str:
    """' (some cells hidden: fewer than N people)' when anything is suppressed, else ''."""
    if "suppressed" in frame and bool(frame["suppressed"].any()):
        return f" (some cells hidden: fewer than {min_size} people)"
    return ""


def _require_director(viewer: Viewer) -> None:
    if viewer is None or not viewer.has("director"):
        raise AccessDenied("The program dashboard is for directors.")


def _ids(values) -> list[int] | None:
    return None if values is None else [int(v) for v in values]


def _dates(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for column in columns:
        if column in frame:
            frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


# ---------------------------------------------------------------- participation


def participation(store: Store, viewer: Viewer, today: date, periods: int = 8) -> pd.DataFrame:
    """Per period (the last `periods`, up to today's) and cohort: active fellows, how many submitted
    their self-assessment (mentee-self), the completion rate; mentors (mentor-self) as one more row;
    and an "All cohorts" total row per period for fellows.

    Active people are counted in full (administration); `submitted` and `completion_rate` of a
    cohort under the minimum are suppressed, complementarily among the cohorts of a period, because
    the total row would otherwise give them away.
    """
    _require_director(viewer)
    months = program_settings(store, viewer.program_id)["period_months"]
    minimum = min_group_size(store, viewer)
    starts = last_periods(today, periods, months)
    ends = [next_period(start, months) for start in starts]
    frame = store.query_df(
        """
        WITH spans AS (SELECT unnest($starts) AS period_start, unnest($ends) AS period_end),
        members AS (
            -- A fellow counts from their cohort's start (fellowship years begin on 1 July), not before.
            SELECT p.person_id, r.role,
                   CASE WHEN r.role = 'fellow' AND c.start_year IS NOT NULL
                        THEN greatest(p.created_at, make_timestamp(c.start_year, 7, 1, 0, 0, 0))
                        ELSE p.created_at END AS active_from,
                   CASE WHEN r.role = 'fellow' THEN coalesce(p.cohort_id, 0) ELSE -1 END AS cohort_key
            FROM people p JOIN person_roles r USING (person_id) LEFT JOIN cohorts c ON c.cohort_id = p.cohort_id
            WHERE p.program_id = $program AND p.active AND r.role IN ('fellow', 'mentor')
        ),
        answered AS (
            SELECT DISTINCT respondent_id, period_start,
                   CASE instrument_id WHEN 'mentee-self' THEN 'fellow' ELSE 'mentor' END AS role
            FROM assessments
            WHERE instrument_id IN ('mentee-self', 'mentor-self') AND respondent_id = subject_id
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
        {"starts": starts, "ends": ends, "program": viewer.program_id, "all": ALL_COHORTS, "mentors": MENTORS},
    )
    frame = _dates(frame, "period_start")
    frame["cohort_id"] = frame["cohort_id"].astype("Int64")
    # Siblings: the fellow cohorts of one period (they add up to the total row); mentors stand alone.
    frame["sibling_group"] = frame["period_start"].astype(str) + "/" + frame["role"]
    out = suppress(
        frame,
        "active",
        minimum,
        value_columns=["submitted", "completion_rate"],
        sibling_columns=["sibling_group"],
        total_mask=frame["is_total"] | (frame["role"] == "mentor"),
    )
    return out.drop(columns=["sibling_group"])


def overdue_people(store: Store, viewer: Viewer, today: date) -> pd.DataFrame:
    """Active fellows and mentors who have not submitted this period's self-assessment, by name.

    Administration (DESIGN.md allows names here); no ratings.
    """
    _require_director(viewer)
    start = period_start(today, program_settings(store, viewer.program_id)["period_months"])
    frame = store.query_df(
        """
        SELECT p.full_name AS name, r.role, coalesce(c.name, '') AS cohort,
               CASE r.role WHEN 'fellow' THEN 'mentee-self' ELSE 'mentor-self' END AS instrument_id, p.email
        FROM people p JOIN person_roles r USING (person_id)
        LEFT JOIN cohorts c ON c.cohort_id = p.cohort_id
        WHERE p.program_id = ? AND p.active AND r.role IN ('fellow', 'mentor')
          AND NOT EXISTS (
              SELECT 1 FROM assessments a
              WHERE a.respondent_id = p.person_id AND a.subject_id = p.person_id AND a.period_start = ?
                AND a.instrument_id = CASE r.role WHEN 'fellow' THEN 'mentee-self' ELSE 'mentor-self' END
          )
        ORDER BY r.role, cohort, name
        """,
        [viewer.program_id, start],
    )
    return frame


PAIR_INSTRUMENTS = {  # instrument -> who in the pair is expected to answer it
    "mentee-by-mentor": ("mentor",),
    "mentor-by-mentee": ("mentee",),
    "process-steps": ("mentee", "mentor"),
}


def participation_by_instrument(store: Store, viewer: Viewer, today: date, periods: int = 8) -> pd.DataFrame:
    """Per period (the last `periods`, up to today's) and instrument, program-wide: how many were
    expected to answer (`expected`), how many did (`submitted`) and the completion rate.

    - Self instruments (mentee-self, mentor-self): `unit` is "people": active people of the answering
      role (fellows from their cohort's start) and those who submitted.
    - Pair instruments (mentee-by-mentor, mentor-by-mentee, process-steps; `respondent` says which
      side): `unit` is "pairs": the pairs current during the period (started before its end, not
      ended before its start) and those whose expected respondent submitted about the other member.
      process-steps has a row for each side.

    `n` is the distinct people behind a row (for pairs: the fewer of pairs and distinct expected
    respondents); a row with n under the minimum is suppressed. Rows are not siblings of one
    another (each is its own program total), so no complementary step is needed.
    """
    _require_director(viewer)
    months = program_settings(store, viewer.program_id)["period_months"]
    minimum = min_group_size(store, viewer)
    starts = last_periods(today, periods, months)
    ends = [next_period(start, months) for start in starts]
    pair_rows = [(instrument, side) for instrument, sides in PAIR_INSTRUMENTS.items() for side in sides]
    frame = store.query_df(
        """
        WITH spans AS (SELECT unnest($starts) AS period_start, unnest($ends) AS period_end),
        members AS (
            SELECT p.person_id, r.role,
                   CASE WHEN r.role = 'fellow' AND c.start_year IS NOT NULL
                        THEN greatest(p.created_at, make_timestamp(c.start_year, 7, 1, 0, 0, 0))
                        ELSE p.created_at END AS active_from
            FROM people p JOIN person_roles r USING (person_id) LEFT JOIN cohorts c ON c.cohort_id = p.cohort_id
            WHERE p.program_id = $program AND p.active AND r.role IN ('fellow', 'mentor')
        ),
        self_rows AS (
            SELECT s.period_start, CASE m.role WHEN 'fellow' THEN 'mentee-self' ELSE 'mentor-self' END AS instrument_id,
                   m.role AS respondent, 'people' AS unit,
                   count(DISTINCT m.person_id) AS expected,
                   count(DISTINCT a.respondent_id) AS submitted,
                   count(DISTINCT m.person_id) AS n
            FROM spans s JOIN members m ON m.active_from < s.period_end
            LEFT JOIN assessments a ON a.respondent_id = m.person_id AND a.subject_id = m.person_id
                 AND a.period_start = s.period_start
                 AND a.instrument_id = CASE m.role WHEN 'fellow' THEN 'mentee-self' ELSE 'mentor-self' END
            GROUP BY ALL
        ),
        kinds AS (SELECT unnest($pair_instruments) AS instrument_id, unnest($pair_sides) AS respondent),
        expected AS (
            SELECT s.period_start, k.instrument_id, k.respondent, pp.pair_id,
                   CASE k.respondent WHEN 'mentor' THEN pp.mentor_id ELSE pp.mentee_id END AS respondent_id,
                   CASE k.respondent WHEN 'mentor' THEN pp.mentee_id ELSE pp.mentor_id END AS subject_id
            FROM spans s CROSS JOIN kinds k
            JOIN pairs pp ON pp.program_id = $program AND pp.started_on < s.period_end
                 AND (pp.ended_on IS NULL OR pp.ended_on >= s.period_start)
        ),
        pair_rows AS (
            SELECT e.period_start, e.instrument_id, e.respondent, 'pairs' AS unit,
                   count(DISTINCT e.pair_id) AS expected,
                   count(DISTINCT e.pair_id) FILTER (WHERE EXISTS (
                       SELECT 1 FROM assessments a
                       WHERE a.instrument_id = e.instrument_id AND a.period_start = e.period_start
                         AND a.respondent_id = e.respondent_id AND a.subject_id = e.subject_id
                         AND (a.pair_id IS NULL OR a.pair_id = e.pair_id)
                   )) AS submitted,
                   least(count(DISTINCT e.pair_id), count(DISTINCT e.respondent_id)) AS n
            FROM expected e GROUP BY ALL
        ),
        every_row AS (
            SELECT s.period_start, k.instrument_id, k.respondent,
                   CASE WHEN k.instrument_id LIKE '%-self' THEN 'people' ELSE 'pairs' END AS unit
            FROM spans s CROSS JOIN (
                SELECT * FROM kinds UNION ALL SELECT 'mentee-self', 'fellow' UNION ALL SELECT 'mentor-self', 'mentor'
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
            "program": viewer.program_id,
            "pair_instruments": [instrument for instrument, _ in pair_rows],
            "pair_sides": [side for _, side in pair_rows],
            "order": ["mentee-self", "mentor-self", *PAIR_INSTRUMENTS],
        },
    )
    frame = _dates(frame, "period_start")
    return suppress(frame, "n", minimum, value_columns=["submitted", "completion_rate"])


# ---------------------------------------------------------------- ratings

# The rows of one instrument that count, each with the cohort of the fellow involved: the pair's
# mentee, else the respondent's cohort, else the subject's (0: mentors, no cohort). A cohort x period
# cell is "allowed" when its distinct respondents and distinct subjects both reach the minimum.
_ROWS_SQL = """
rows AS (
    SELECT a.assessment_id, a.period_start, a.respondent_id, a.subject_id,
           coalesce(pm.cohort_id, pr.cohort_id, ps.cohort_id, 0) AS cohort_key,
           CASE WHEN pp.pair_id IS NULL THEN NULL WHEN a.respondent_id = pp.mentor_id THEN 'mentor' ELSE 'mentee' END AS side,
           -- The person the domain filter looks at: the fellow involved, else (mentor-self) the mentor.
           coalesce(pp.mentee_id, CASE WHEN pr.cohort_id IS NOT NULL THEN a.respondent_id END,
                    CASE WHEN ps.cohort_id IS NOT NULL THEN a.subject_id END, a.respondent_id) AS focus_id
    FROM (
        -- The program's current assessments of the instrument in the window: filtered on their
        -- ranking-group columns first, so only these are ranked (the same rows as the view).
        {CURRENT}
    ) a
    JOIN people pr ON pr.person_id = a.respondent_id AND pr.program_id = $program
    LEFT JOIN people ps ON ps.person_id = a.subject_id
    LEFT JOIN pairs pp ON pp.pair_id = a.pair_id
    LEFT JOIN people pm ON pm.person_id = pp.mentee_id
),
domain_people AS (
    SELECT mentee_id AS person_id FROM pairs WHERE $domain IS NOT NULL AND program_id = $program AND domain = $domain
    UNION
    SELECT mentor_id FROM pairs WHERE $domain IS NOT NULL AND program_id = $program AND domain = $domain
),
scope AS (
    SELECT r.*, ($domain IS NULL OR r.focus_id IN (SELECT person_id FROM domain_people)) AS in_domain
    FROM rows r WHERE $cohorts IS NULL OR list_contains($cohorts, r.cohort_key)
),
selected AS (
    SELECT * EXCLUDE (in_domain) FROM scope WHERE in_domain
),
-- A cohort x period cell is allowed when its people in the domain reach the minimum, and so do its
-- people outside it (or there are none): otherwise "any domain" minus "this domain" would isolate them.
allowed AS (
    SELECT cohort_key, period_start FROM scope GROUP BY ALL
    HAVING least(count(DISTINCT respondent_id) FILTER (WHERE in_domain),
                 count(DISTINCT subject_id) FILTER (WHERE in_domain)) >= $min
       AND (count(*) FILTER (WHERE NOT in_domain) = 0
            OR least(count(DISTINCT respondent_id) FILTER (WHERE NOT in_domain),
                     count(DISTINCT subject_id) FILTER (WHERE NOT in_domain)) >= $min)
),
pooled AS (
    SELECT s.* FROM selected s JOIN allowed USING (cohort_key, period_start)
)
"""

_ROWS_SQL = _ROWS_SQL.replace(
    "{CURRENT}",
    current_where(
        "instrument_id = $instrument AND ($first IS NULL OR period_start >= $first) AND ($last IS NULL OR period_start <= $last)"
        " AND respondent_id IN (SELECT person_id FROM people WHERE program_id = $program)",
        "assessment_id, period_start, respondent_id, subject_id, pair_id",
    ),
)

DOMAINS = ("career", "research", "social")


def _domain(domain: str | None) -> str | None:
    if domain is not None and domain not in DOMAINS:
        raise ValueError(f"Unknown mentor domain: {domain!r}")
    return domain


def _rating_params(viewer, instrument_id, cohort_ids, first_period, last_period, minimum, domain=None) -> dict:
    return {
        "domain": _domain(domain),
        "program": viewer.program_id,
        "instrument": instrument_id,
        "first": first_period,
        "last": last_period,
        "cohorts": _ids(cohort_ids),
        "min": minimum,
    }


def rating_distribution(
    store: Store,
    viewer: Viewer,
    instrument_id: str,
    cohort_ids: Sequence[int] | None = None,
    first_period: date | None = None,
    last_period: date | None = None,
    domain: str | None = None,
) -> pd.DataFrame:
    """Per period and item, over the selected cohorts: n people, mean, sd and the count of each rating
    value (columns rating_1 ... rating_5), for stacked Likert bars. A (period, item) with fewer than
    the minimum people is suppressed; cohort x period cells under the minimum never enter the pool.
    `domain` keeps only fellows who have a mentor (any pair) in that domain; a cohort x period cell
    then enters the pool only if both its in-domain and out-of-domain people reach the minimum.
    """
    _require_director(viewer)
    minimum = min_group_size(store, viewer)
    counts = ",\n".join(f"count(*) FILTER (WHERE p.pooled AND r.rating = {v})::INTEGER AS rating_{v}" for v in RATING_VALUES)
    frame = store.query_df(
        f"""
        WITH {_ROWS_SQL},
        flagged AS (
            -- Every selected row makes its (period, item) cell appear; only pooled rows are counted.
            SELECT s.assessment_id, s.period_start, s.respondent_id, s.subject_id, al.cohort_key IS NOT NULL AS pooled
            FROM selected s LEFT JOIN allowed al USING (cohort_key, period_start)
        )
        SELECT p.period_start, r.item_id,
               least(count(DISTINCT p.respondent_id) FILTER (WHERE p.pooled),
                     count(DISTINCT p.subject_id) FILTER (WHERE p.pooled))::INTEGER AS n,
               round(avg(r.rating) FILTER (WHERE p.pooled), 2) AS mean,
               round(stddev_samp(r.rating) FILTER (WHERE p.pooled), 2) AS sd,
               {counts}
        FROM flagged p JOIN responses r USING (assessment_id)
        GROUP BY ALL
        ORDER BY p.period_start, r.item_id
        """,
        _rating_params(viewer, instrument_id, cohort_ids, first_period, last_period, minimum, domain),
    )
    frame = _dates(frame, "period_start")
    values = ["mean", "sd", *(f"rating_{v}" for v in RATING_VALUES)]
    return suppress(frame, "n", minimum, value_columns=values, sibling_columns=["period_start"])


def item_heatmap(
    store: Store,
    viewer: Viewer,
    instrument_id: str,
    cohort_ids: Sequence[int] | None = None,
    first_period: date | None = None,
    last_period: date | None = None,
    domain: str | None = None,
) -> pd.DataFrame:
    """Mean per item x period (long form: period_start, item_id, n, mean, suppressed)."""
    distribution = rating_distribution(store, viewer, instrument_id, cohort_ids, first_period, last_period, domain)
    return distribution[["period_start", "item_id", "n", "mean", "suppressed"]].copy()


def cohort_trend(
    store: Store,
    viewer: Viewer,
    instrument_id: str,
    cohort_ids: Sequence[int] | None = None,
    first_period: date | None = None,
    last_period: date | None = None,
    domain: str | None = None,
) -> pd.DataFrame:
    """Per period and cohort: n people, the mean of each person's average rating, and its sd across
    people (the spread). Suppressed below the minimum, complementarily among the cohorts of a period.
    With `domain`, a cohort whose people outside the domain are under the minimum is suppressed too."""
    _require_director(viewer)
    minimum = min_group_size(store, viewer)
    frame = store.query_df(
        f"""
        WITH {_ROWS_SQL},
        per_person AS (
            SELECT s.period_start, s.cohort_key, s.respondent_id, s.subject_id, avg(r.rating) AS average
            FROM selected s JOIN responses r USING (assessment_id) GROUP BY ALL
        )
        SELECT pp.period_start, CASE WHEN pp.cohort_key > 0 THEN pp.cohort_key END AS cohort_id,
               coalesce(c.name, $mentors) AS cohort,
               least(count(DISTINCT pp.respondent_id), count(DISTINCT pp.subject_id))::INTEGER AS n,
               round(avg(pp.average), 2) AS mean, round(stddev_samp(pp.average), 2) AS sd,
               (al.cohort_key IS NOT NULL) AS cell_allowed
        FROM per_person pp LEFT JOIN cohorts c ON c.cohort_id = pp.cohort_key
        LEFT JOIN allowed al ON al.cohort_key = pp.cohort_key AND al.period_start = pp.period_start
        GROUP BY ALL ORDER BY pp.period_start, cohort
        """,
        _rating_params(viewer, instrument_id, cohort_ids, first_period, last_period, minimum, domain) | {"mentors": MENTORS},
    )
    frame = _dates(frame, "period_start")
    frame["cohort_id"] = frame["cohort_id"].astype("Int64")
    # Without a domain, "allowed" is exactly n >= minimum; with one, it also needs the out-of-domain rest.
    frame["cell_n"] = frame["n"].where(frame["cell_allowed"].astype(bool), 0)
    out = suppress(frame, "cell_n", minimum, value_columns=["mean", "sd"], sibling_columns=["period_start"])
    return out.drop(columns=["cell_allowed", "cell_n"])


def rating_periods(store: Store, viewer: Viewer) -> list[date]:
    """Every period with any assessment in the program (for the period range filter)."""
    _require_director(viewer)
    rows = store.query_all(
        """
        SELECT DISTINCT a.period_start FROM assessments a JOIN people p ON p.person_id = a.respondent_id
        WHERE p.program_id = ? ORDER BY 1
        """,
        [viewer.program_id],
    )
    return [row[0] for row in rows]


def _latest_complete_period(store: Store, viewer: Viewer, today: date | None) -> date | None:
    """The latest period before today's (the current one is still filling); without today, the latest."""
    periods = rating_periods(store, viewer)
    if today is not None:
        current = period_start(today, program_settings(store, viewer.program_id)["period_months"])
        periods = [p for p in periods if p < current]
    return periods[-1] if periods else None


def self_vs_mentor(
    store: Store,
    viewer: Viewer,
    cohort_ids: Sequence[int] | None = None,
    today: date | None = None,
    period: date | None = None,
    domain: str | None = None,
) -> pd.DataFrame:
    """Per good-mentee quality: the program mean of fellows' self-ratings (mentee-self) and of mentors'
    ratings of fellows (mentee-by-mentor) in the latest complete period (or `period`), with n for
    each; each side suppressed below the minimum on its own."""
    _require_director(viewer)
    period = period or _latest_complete_period(store, viewer, today)
    sides = []
    for instrument_id, prefix in (("mentee-self", "self"), ("mentee-by-mentor", "mentor")):
        side = rating_distribution(store, viewer, instrument_id, cohort_ids, period, period, domain)
        side = side[["item_id", "n", "mean", "suppressed"]].rename(
            columns={"n": f"{prefix}_n", "mean": f"{prefix}_mean", "suppressed": f"{prefix}_suppressed"}
        )
        sides.append(side)
    frame = sides[0].merge(sides[1], on="item_id", how="outer")
    for prefix in ("self", "mentor"):
        frame[f"{prefix}_n"] = frame[f"{prefix}_n"].fillna(0).astype(int)
        frame[f"{prefix}_suppressed"] = frame[f"{prefix}_suppressed"].astype("boolean").fillna(True).astype(bool)
    frame.insert(0, "period_start", period)
    frame["suppressed"] = frame["self_suppressed"] | frame["mentor_suppressed"]
    gap = pd.to_numeric(frame["self_mean"], errors="coerce") - pd.to_numeric(frame["mentor_mean"], errors="coerce")
    frame["gap"] = gap.round(2).astype(object).where(gap.notna(), None)
    return frame.sort_values("item_id").reset_index(drop=True)


def process_gaps(
    store: Store, viewer: Viewer, catalogue: Catalogue, today: date | None = None, period: date | None = None
) -> pd.DataFrame:
    """The five process steps, as mentees and as mentors rate them in the latest complete period (or
    `period`), lowest first, each with the guidance's own quote from the instrument catalogue.
    Each side is suppressed below the minimum (people and pairs)."""
    _require_director(viewer)
    minimum = min_group_size(store, viewer)
    period = period or _latest_complete_period(store, viewer, today)
    frame = store.query_df(
        f"""
        WITH {_ROWS_SQL}
        SELECT r.item_id, s.side,
               least(count(DISTINCT s.respondent_id), count(DISTINCT s.assessment_id))::INTEGER AS n,
               round(avg(r.rating), 2) AS mean
        FROM pooled s JOIN responses r USING (assessment_id)
        WHERE s.side IS NOT NULL
        GROUP BY ALL
        """,
        _rating_params(viewer, "process-steps", None, period, period, minimum),
    )
    instrument = catalogue.get("process-steps")
    base = pd.DataFrame({"item_id": [item.id for item in instrument.items]})
    for side in ("mentee", "mentor"):
        part = frame[frame["side"] == side][["item_id", "n", "mean"]].rename(columns={"n": f"{side}_n", "mean": f"{side}_mean"})
        base = base.merge(part, on="item_id", how="left")
        base[f"{side}_n"] = base[f"{side}_n"].fillna(0).astype(int)
        checked = suppress(base[["item_id", f"{side}_n", f"{side}_mean"]], f"{side}_n", minimum, value_columns=[f"{side}_mean"])
        base[f"{side}_mean"] = checked[f"{side}_mean"]
        base[f"{side}_suppressed"] = checked["suppressed"]
    base["suppressed"] = base["mentee_suppressed"] | base["mentor_suppressed"]
    means = [pd.to_numeric(base[f"{side}_mean"], errors="coerce") for side in ("mentee", "mentor")]
    base["lowest"] = pd.concat(means, axis=1).min(axis=1)
    base["step"] = [instrument.item(i).text for i in base["item_id"]]
    base["quote"] = [instrument.item(i).quote for i in base["item_id"]]
    base.insert(0, "period_start", period)
    base = base.sort_values(["lowest", "item_id"], na_position="last").drop(columns=["lowest"])
    return base.reset_index(drop=True)


# ---------------------------------------------------------------- goals and outputs


def goal_completion(
    store: Store, viewer: Viewer, today: date, cohort_ids: Sequence[int] | None = None, domain: str | None = None
) -> pd.DataFrame:
    """Per goal category and cohort: goals, distinct owners (n), completed share, and on-track share
    (active goals on track or ahead, with the pace rule of analytics/goals.py, as of today).
    Suppressed below the minimum owners, complementarily among the cohorts of a category.
    `domain` keeps only owners who have a mentor (any pair) in that domain; a cell whose owners
    outside the domain are under the minimum (but not none) is suppressed too."""
    _require_director(viewer)
    minimum = min_group_size(store, viewer)
    frame = store.query_df(
        """
        WITH scope AS (
            SELECT g.*, coalesce(p.cohort_id, 0) AS cohort_key,
                   ($domain IS NULL OR EXISTS (
                       SELECT 1 FROM pairs d WHERE d.program_id = $program AND d.domain = $domain AND d.mentee_id = g.owner_id
                   )) AS in_domain
            FROM goals g JOIN people p ON p.person_id = g.owner_id
            WHERE p.program_id = $program AND g.started_on <= $today
              AND ($cohorts IS NULL OR list_contains($cohorts, coalesce(p.cohort_id, 0)))
        ),
        g AS (SELECT * EXCLUDE (in_domain) FROM scope WHERE in_domain),
        rest AS (
            SELECT category, cohort_key, count(DISTINCT owner_id) AS outside FROM scope WHERE NOT in_domain GROUP BY ALL
        ),
        latest_status AS (
            SELECT goal_id, status FROM goal_status_changes
            WHERE goal_id IN (SELECT goal_id FROM g) AND changed_on <= $today
            QUALIFY row_number() OVER (PARTITION BY goal_id ORDER BY recorded_at DESC, rowid DESC) = 1
        ),
        latest_checkin AS (
            SELECT goal_id, value FROM goal_checkins
            WHERE goal_id IN (SELECT goal_id FROM g) AND checked_on <= $today
            QUALIFY row_number() OVER (PARTITION BY goal_id ORDER BY checked_on DESC, recorded_at DESC, rowid DESC) = 1
        ),
        paced AS (
            SELECT g.goal_id, g.owner_id, g.category, g.cohort_key, coalesce(s.status, 'active') AS status,
                   100.0 * (coalesce(c.value, g.start_value) - g.start_value) / greatest(g.target_value - g.start_value, 1e-9)
                   - 100.0 * greatest(0.0, least(1.0,
                       date_diff('day', g.started_on, $today) / greatest(date_diff('day', g.started_on, g.target_date), 1)::DOUBLE
                   )) AS ahead_by
            FROM g LEFT JOIN latest_status s USING (goal_id) LEFT JOIN latest_checkin c USING (goal_id)
        )
        SELECT p.category, CASE WHEN p.cohort_key > 0 THEN p.cohort_key END AS cohort_id,
               coalesce(c.name, 'No cohort') AS cohort,
               count(*)::INTEGER AS goals, count(DISTINCT p.owner_id)::INTEGER AS n,
               round(avg((p.status = 'completed')::INTEGER), 3) AS completed_share,
               round(avg(CASE WHEN p.status = 'active' THEN (p.ahead_by >= -$tolerance)::INTEGER END), 3) AS on_track_share,
               coalesce(any_value(r.outside), 0)::INTEGER AS outside
        FROM paced p LEFT JOIN cohorts c ON c.cohort_id = p.cohort_key
        LEFT JOIN rest r ON r.category = p.category AND r.cohort_key = p.cohort_key
        GROUP BY p.category, p.cohort_key, c.name ORDER BY p.category, cohort
        """,
        {
            "program": viewer.program_id,
            "today": today,
            "cohorts": _ids(cohort_ids),
            "tolerance": PACE_TOLERANCE,
            "domain": _domain(domain),
        },
    )
    frame["cohort_id"] = frame["cohort_id"].astype("Int64")
    outside = frame.pop("outside")
    frame["cell_n"] = frame["n"].where((outside == 0) | (outside >= max(minimum, FLOOR_MIN_GROUP_SIZE)), 0)
    values = ["goals", "completed_share", "on_track_share"]
    out = suppress(frame, "cell_n", minimum, value_columns=values, sibling_columns=["category"])
    return out.drop(columns=["cell_n"])


def outputs_over_time(store: Store, viewer: Viewer, cohort_ids: Sequence[int] | None = None) -> pd.DataFrame:
    """Per month and kind: outputs added, the cumulative program count, and the distinct people who
    have contributed that kind so far (n).

    Choice: a program total is only shown once at least the minimum number of people have contributed
    outputs of that kind (cumulative contributors), so an early month where one person's grant is
    the program's only grant is suppressed rather than shown as "1 grant". Outputs are not ratings,
    but a count of one is one person's record, so the same rule applies.
    """
    _require_director(viewer)
    minimum = min_group_size(store, viewer)
    frame = store.query_df(
        """
        WITH mine AS (
            SELECT o.owner_id, o.kind, date_trunc('month', o.happened_on)::DATE AS month
            FROM outputs o JOIN people p ON p.person_id = o.owner_id
            WHERE p.program_id = $program AND ($cohorts IS NULL OR list_contains($cohorts, coalesce(p.cohort_id, 0)))
        ),
        bounds AS (SELECT min(month) AS first_month, max(month) AS last_month FROM mine HAVING count(*) > 0),
        months AS (SELECT unnest(generate_series(first_month, last_month, INTERVAL 1 MONTH))::DATE AS month FROM bounds),
        kinds AS (SELECT DISTINCT kind FROM mine),
        added AS (SELECT month, kind, count(*) AS n FROM mine GROUP BY ALL),
        firsts AS (SELECT owner_id, kind, min(month) AS first_month FROM mine GROUP BY ALL),
        contributors AS (SELECT first_month AS month, kind, count(*) AS new_people FROM firsts GROUP BY ALL)
        SELECT m.month, k.kind,
               coalesce(a.n, 0)::INTEGER AS added,
               sum(coalesce(a.n, 0)) OVER (PARTITION BY k.kind ORDER BY m.month)::INTEGER AS cumulative,
               sum(coalesce(c.new_people, 0)) OVER (PARTITION BY k.kind ORDER BY m.month)::INTEGER AS n
        FROM months m CROSS JOIN kinds k
        LEFT JOIN added a ON a.month = m.month AND a.kind = k.kind
        LEFT JOIN contributors c ON c.month = m.month AND c.kind = k.kind
        ORDER BY list_position($kinds, k.kind), m.month
        """,
        {"program": viewer.program_id, "cohorts": _ids(cohort_ids), "kinds": list(KINDS)},
    )
    frame = _dates(frame, "month")
    return suppress(frame, "n", minimum, value_columns=["added", "cumulative"])


MEETING_BINS = ("0", "1", "2", "3-4", "5-6", "7+")


def meeting_frequency_distribution(store: Store, viewer: Viewer, today: date, days: int = 180) -> pd.DataFrame:
    """The distribution across current pairs (started on or before today, not ended) of the number
    of meetings held (the latest note says held) in the last `days` days: one row per bin of
    MEETING_BINS with `pairs`, the number of pairs in that bin.

    Choice: a bin with fewer pairs than the minimum group size is hidden (its `pairs` is None and it
    is flagged `suppressed`), not merged into a neighbour, so the bins stay the same on every run.
    The bins add up to the number of current pairs, which a director knows, so suppression is
    complementary: when exactly one bin is hidden, the next-smallest is hidden too. Empty bins
    (0 pairs) reveal no one and are shown as 0.
    """
    _require_director(viewer)
    minimum = min_group_size(store, viewer)
    frame = store.query_df(
        """
        WITH current_pairs AS (
            SELECT pair_id FROM pairs
            WHERE program_id = $program AND started_on <= $today AND (ended_on IS NULL OR ended_on > $today)
        ),
        recent AS (
            SELECT meeting_id, pair_id FROM meetings
            WHERE meeting_on > $since AND meeting_on <= $today AND pair_id IN (SELECT pair_id FROM current_pairs)
        ),
        notes AS (
            SELECT meeting_id, held FROM meeting_notes
            WHERE meeting_id IN (SELECT meeting_id FROM recent)
            QUALIFY row_number() OVER (PARTITION BY meeting_id ORDER BY written_at DESC, rowid DESC) = 1
        ),
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
        SELECT b.meetings, count(x.meetings)::INTEGER AS pairs
        FROM bins b LEFT JOIN binned x USING (meetings)
        GROUP BY b.meetings ORDER BY list_position($bins, b.meetings)
        """,
        {"program": viewer.program_id, "today": today, "since": today - timedelta(days=days), "bins": list(MEETING_BINS)},
    )
    frame["pairs"] = frame["pairs"].astype(int)
    # Empty bins show 0, expose no pair and are never picked as the complementary bin.
    frame["cell_n"] = frame["pairs"].where(frame["pairs"] > 0, 10**9)
    out = suppress(frame, "cell_n", minimum, value_columns=["pairs"], sibling_columns=[])
    return out.drop(columns=["cell_n"])


def cohorts_of(store: Store, viewer: Viewer) -> pd.DataFrame:
    """The program's cohorts with their number of active fellows (administration)."""
    _require_director(viewer)
    return store.query_df(
        """
        SELECT c.cohort_id, c.name, count(p.person_id) FILTER (WHERE p.active)::INTEGER AS fellows
        FROM cohorts c LEFT JOIN people p ON p.cohort_id = c.cohort_id
        WHERE c.program_id = ? GROUP BY c.cohort_id, c.name, c.start_year ORDER BY c.start_year, c.name
        """,
        [viewer.program_id],
    )


# ---------------------------------------------------------------- export


from analytics.exports import to_xlsx  # noqa: E402  (every file the app writes is made inert there)

__all__ = [
    "ALL_COHORTS",
    "cohort_trend",
    "cohorts_of",
    "goal_completion",
    "item_heatmap",
    "meeting_frequency_distribution",
    "min_group_size",
    "outputs_over_time",
    "overdue_people",
    "participation",
    "participation_by_instrument",
    "process_gaps",
    "rating_distribution",
    "rating_periods",
    "self_vs_mentor",
    "suppress",
    "suppression_note",
    "to_xlsx",
]
