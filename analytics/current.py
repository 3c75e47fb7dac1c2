"""The current assessments of a few people, without ranking every assessment of the program.

The view `current_assessments` (migration 001) ranks all assessments and keeps the latest per
respondent, subject, pair, instrument and period. A reader that needs only some of them filters
first and ranks only those: the same rows, as long as the filter looks only at the columns that
define a ranking group (respondent_id, subject_id, pair_id, instrument_id, period_start), so that
a group is kept or dropped whole.
"""

_RANK = (
    "QUALIFY row_number() OVER (PARTITION BY respondent_id, subject_id, coalesce(pair_id, 0), instrument_id, period_start "
    "ORDER BY submitted_at DESC, assessment_id DESC) = 1"
)


def current_where(condition: str, columns: str = "*") -> str:
    """SQL: the current assessments among those where `condition` holds (on group columns only)."""
    return f"SELECT {columns} FROM assessments WHERE {condition} {_RANK}"


def standing_where(condition: str, before: str, columns: str = "*") -> str:
    """SQL: the assessments that were current at a moment: among those where `condition` holds and that
    were submitted before `before` (an SQL expression, per row if need be), the latest per group.

    A correction submitted after the moment does not hide the version that stood then; this is how a
    reader shows a record as it was when a cut-off fell (a pair's end, a period's close).
    """
    return f"SELECT {columns} FROM assessments WHERE ({condition}) AND submitted_at < {before} {_RANK}"
