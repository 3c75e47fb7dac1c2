"""SQL that several queries share, each piece once with what it means; the queries compose them.

A piece is a constant or a function that returns SQL text. None binds a value: its arguments are
table aliases and SQL expressions (a `$name` parameter, a column) to compare with, and the caller
binds the parameters.
"""

from collections.abc import Iterable

# ---------------------------------------------------------------- filters PostgreSQL receives

# On PostgreSQL (analytics/postgres.py) DuckDB copies every row its scans read over the wire; only a filter on
# a scanned table's own columns reaches PostgreSQL: `column = $value`, a range, or `column IN ($a, $b, ...)`,
# one parameter per value. A list in one parameter (`list_contains($ids, column)`, `column IN (SELECT
# unnest($ids))`), a subquery or a join condition does not, and then every row of the table crosses the wire.
LISTED_LIMIT = 2000  # above this many values one list parameter (the filter stays in DuckDB); most rows are read then
# On a DuckDB file both forms filter as fast, but binding costs about 0.1 ms a parameter (1,115 pairs named one
# by one: over 100 ms per query; one list: a few ms), so a reader of a program's many names them one by one only
# for PostgreSQL (listed_limit).
DUCKDB_LISTED_LIMIT = 50


def listed_limit(backend: str) -> int:
    """in_list's `limit` for a store's backend (Store.backend): PostgreSQL receives the values one by one, a
    DuckDB file a list past a few."""
    return LISTED_LIMIT if backend == "postgres" else DUCKDB_LISTED_LIMIT


def in_list(name: str, values: Iterable[object], limit: int = LISTED_LIMIT) -> tuple[str, dict[str, object]]:
    """SQL for the inside of `column IN (...)` holding `values`, and its parameters: `$name_0, $name_1, ...`,
    which reaches PostgreSQL as a filter (see above); above `limit` values, one list parameter (a semi-join).
    No values: a SELECT of no rows (IN is false, NOT IN true)."""
    distinct = list(dict.fromkeys(values))
    if not distinct:
        return "SELECT NULL WHERE false", {}
    if len(distinct) > limit:
        # Typed as the id columns are (INTEGER), so that DuckDB's semi-join skips the row groups outside the ids'
        # range instead of casting every row of the column.
        ints = all(type(value) is int and -(2**31) <= value < 2**31 for value in distinct)
        return f"SELECT unnest(${name}{'::INTEGER[]' if ints else ''})", {name: distinct}
    params = {f"{name}_{index}": value for index, value in enumerate(distinct)}
    return ", ".join(f"${key}" for key in params), params


# ---------------------------------------------------------------- current assessments

# The view `current_assessments` (migration 001) ranks all assessments and keeps the latest per
# respondent, subject, pair, instrument and period. A reader that needs only some of them filters
# first and ranks only those: the same rows, as long as the filter looks only at the columns that
# define a ranking group (respondent_id, subject_id, pair_id, instrument_id, period_start), so that
# a group is kept or dropped whole.
_GROUP = "respondent_id, subject_id, coalesce(pair_id, 0), instrument_id, period_start"
_RANK = f"QUALIFY row_number() OVER (PARTITION BY {_GROUP} ORDER BY submitted_at DESC, assessment_id DESC) = 1"
_LATEST = "submitted_at, assessment_id"  # the latest of a group: the largest of these, as _RANK orders them


def latest_of_few(table: str, condition: str, groups: str, latest: str, columns: str = "*") -> str:
    """SQL: per group (`groups`, SQL expressions) of the rows of `table` where `condition` holds, the row whose
    `latest` (SQL expressions, compared in order) is largest: what `QUALIFY row_number() OVER (PARTITION BY groups
    ORDER BY latest DESC) = 1` keeps, as an aggregate of whole rows.

    For a few rows (a person's, a pair's, a mentor's mentees'): DuckDB's window costs a fixed 3-10 ms per
    query however few rows it ranks, this aggregate about 1 ms (measured on the 10M database: one mentor's
    ratings 14 -> 1.4 ms). Not for a program's many: it holds each group's whole row in memory, where the
    window sorts and spills.
    """
    return f"SELECT {columns} FROM (SELECT unnest(arg_max({table}, ({latest}))) FROM {table} WHERE {condition} GROUP BY {groups})"


def current_where(condition: str, columns: str = "*", *, few: bool = False) -> str:
    """SQL: the current assessments among those where `condition` holds (on group columns only).
    `few`: the condition picks a few (latest_of_few), such as one person's or one pair's."""
    if few:
        return latest_of_few("assessments", condition, _GROUP, _LATEST, columns)
    return f"SELECT {columns} FROM assessments WHERE {condition} {_RANK}"


def responses_where(condition: str) -> str:
    """SQL: (assessment_id, item_id, rating) of the responses to the assessments where `condition` holds,
    from the view assessment_responses (migration 014), so that `condition` reaches PostgreSQL.

    For joining to a set of ranked assessments (`current_where`, `standing_where`): give it a condition
    those assessments all meet (their WHERE without the ranking, or part of it), and the join keeps the
    same rows as a join to all responses would, without reading every response of every program.
    """
    return f"(SELECT assessment_id, item_id, rating FROM assessment_responses WHERE {condition})"


def standing_where(condition: str, before: str, columns: str = "*", *, few: bool = False) -> str:
    """SQL: the assessments that were current at a moment: among those where `condition` holds and that
    were submitted before `before` (an SQL expression, per row if need be), the latest per group.
    `few`: as current_where's.

    A correction submitted after the moment does not hide the version that stood then; this is how a
    reader shows a record as it was when a cut-off fell (a pair's end, a period's close).
    """
    if few:
        return latest_of_few("assessments", f"({condition}) AND submitted_at < {before}", _GROUP, _LATEST, columns)
    return f"SELECT {columns} FROM assessments WHERE ({condition}) AND submitted_at < {before} {_RANK}"


# ---------------------------------------------------------------- pairs


def open_pair(pair: str) -> str:
    """The pair (alias `pair`) has not ended. A pair ends today or earlier, never ahead (analytics/pairs.py),
    so one with an end date is over whatever day it is now."""
    return f"{pair}.ended_on IS NULL"


def current_pair(pair: str, day: str) -> str:
    """The pair is current on `day` (today): it has started by then and has not ended."""
    return f"{pair}.started_on <= {day} AND {open_pair(pair)}"


def pair_during(pair: str, start: str, end: str) -> str:
    """The pair was current at some time of the period [start, end), by its typed dates: it started
    before the period's end and had not ended before its start."""
    return f"{pair}.started_on < {end} AND ({pair}.ended_on IS NULL OR {pair}.ended_on >= {start})"


def pair_log_joins(pair: str) -> str:
    """The pair's log rows (pair_log) joined as `created` and `ended`, which `pair_recorded_during` reads."""
    return f"""
    LEFT JOIN pair_log created ON created.pair_id = {pair}.pair_id AND created.event = 'created'
    LEFT JOIN pair_log ended ON ended.pair_id = {pair}.pair_id AND ended.event = 'ended'"""


def pair_recorded_during(pair: str, start: str, end: str) -> str:
    """`pair_during` as recorded by the period's end, so a closed period's pairs never change: the pair's
    creation was recorded before `end`, it started before `end`, and it had not ended before `start`,
    unless that end was recorded only after the period closed. Pairs from before pair_log use their
    typed dates. Needs `pair_log_joins(pair)`."""
    return f"""{pair}.started_on < {end} AND coalesce(created.recorded_on, {pair}.started_on) < {end}
      AND NOT coalesce({pair}.ended_on < {start} AND coalesce(ended.recorded_on, {pair}.ended_on) < {end}, false)"""


# ---------------------------------------------------------------- people


# Active fellows and mentors of the program $program, with `active_from`, the moment they count from (a
# fellow from their cohort's start: fellowship years begin on 1 July), and `cohort_key` (a fellow's
# cohort, 0 for none; -1 for mentors).
PROGRAM_MEMBERS = """
    SELECT p.person_id, r.role,
           CASE WHEN r.role = 'fellow' AND c.start_year IS NOT NULL
                THEN greatest(p.created_at, make_timestamp(c.start_year, 7, 1, 0, 0, 0))
                ELSE p.created_at END AS active_from,
           CASE WHEN r.role = 'fellow' THEN coalesce(p.cohort_id, 0) ELSE -1 END AS cohort_key
    FROM people p JOIN person_roles r USING (person_id) LEFT JOIN cohorts c ON c.cohort_id = p.cohort_id
    WHERE p.program_id = $program AND p.active AND r.role IN ('fellow', 'mentor')"""


def latest_sharing_choices(
    condition: str, columns: str = "mentor_id, mentee_id, record_kind, shared, chosen_at", *, few: bool = False
) -> str:
    """SQL: the choice that counts (the latest) per mentor, mentee and record kind, among the sharing
    choices where `condition` holds. `few`: the condition picks a few (one mentor's, one pair's: latest_of_few)."""
    if few:
        return latest_of_few("sharing_choices", condition, "mentor_id, mentee_id, record_kind", "chosen_at", columns)
    return f"""
    SELECT {columns} FROM sharing_choices WHERE {condition}
    QUALIFY row_number() OVER (PARTITION BY mentor_id, mentee_id, record_kind ORDER BY chosen_at DESC) = 1"""


# ---------------------------------------------------------------- goals, meetings and action items

# A goal's status changes, and its check-ins, in the order that puts the one that counts first.
LATEST_STATUS_FIRST = "recorded_at DESC, rowid DESC"
LATEST_CHECKIN_FIRST = "checked_on DESC, recorded_at DESC, rowid DESC"


def latest_notes(
    meeting_ids: str,
    columns: str = "meeting_id, held, notes, written_by, written_at",
    written_before: str | None = None,
    *,
    few: bool = False,
) -> str:
    """SQL: the latest note of each meeting that `meeting_ids` (a SELECT of meeting ids, or `in_list`'s
    parameters, which PostgreSQL receives as a filter) names; with `written_before`, the latest one
    written before that moment. `few`: a few meetings (one mentor's, one pair's: latest_of_few).

    Filtered before the window, so only those meetings' notes are read and ranked; `columns` keeps
    the scan to what the caller shows (the notes' text is the widest column).
    """
    written = f"AND written_at < {written_before}" if written_before is not None else ""
    if few:
        return latest_of_few(
            "meeting_notes", f"meeting_id IN ({meeting_ids}) {written}", "meeting_id", "written_at, rowid", columns
        )
    return f"""
    SELECT {columns} FROM meeting_notes
    WHERE meeting_id IN ({meeting_ids}) {written}
    QUALIFY row_number() OVER (PARTITION BY meeting_id ORDER BY written_at DESC, rowid DESC) = 1
    """


def latest_action_status(action_ids: str, changed_before: str | None = None) -> str:
    """SQL: the latest status change of each action item that `action_ids` (a SELECT, or `in_list`'s parameters)
    names; an item with none is open. With `changed_before`, the latest one made before that moment."""
    changed = f"AND changed_at < {changed_before}" if changed_before is not None else ""
    return f"""
    SELECT action_id, status, goal_id, changed_at FROM action_item_changes
    WHERE action_id IN ({action_ids}) {changed}
    QUALIFY row_number() OVER (PARTITION BY action_id ORDER BY changed_at DESC, rowid DESC) = 1
    """
