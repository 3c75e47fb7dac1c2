"""Who may see whose records. Every read of a person's data goes through here.

- A person always sees their own records.
- A mentor sees a mentee's own records (self-assessments, goals, outputs) only where the mentee
  shares that kind with that mentor. Sharing needs a pair; once every pair between them has ended,
  the mentor keeps what was recorded up to the end and nothing newer. The cut is when a record was
  recorded (recorded_before), never a date the person typed or the start of its period: otherwise a
  correction or a back-dated check-in made after the end would still reach the former mentor.
- A mentor's rating of a mentee is visible to that mentee; ratings about a mentor reach the mentor
  only from closed periods (a live figure could be compared before and after one more rating), as
  an average of at least MIN_MENTOR_RATERS mentees, or when signed.
- Joint records of a pair (meetings, the agreement, process-step ratings) are visible to both.
"""

from datetime import date, datetime, time, timedelta

from analytics.errors import AccessDenied
from analytics.people import Viewer
from analytics.sql_fragments import latest_sharing_choices, open_pair
from analytics.store import Store

RECORD_KINDS = {
    "self_assessments": "Self-assessments",
    "goals": "Goals and progress",
    "outputs": "Outputs (publications, grants, ...)",
}
MIN_MENTOR_RATERS = 3
EVERYTHING = date.max  # the cut-off for one's own records and for current pairs


def shared_until(store: Store, viewer: Viewer, subject_id: int, record_kind: str) -> date | None:
    """The last day of the subject's records of this kind the viewer may see, or None for nothing."""
    if viewer is None:
        return None
    if viewer.person_id == subject_id:
        return EVERYTHING
    if record_kind not in RECORD_KINDS or not viewer.has("mentor"):
        return None
    row = store.query_one(
        f"""
        WITH latest AS (
            {latest_sharing_choices("mentee_id = $mentee AND mentor_id = $mentor AND record_kind = $kind", "shared", few=True)}
        )
        SELECT (SELECT shared FROM latest),
               count(*) AS pairs,
               count(*) FILTER (WHERE {open_pair("pairs")}) AS current_pairs,
               max(ended_on) AS last_end
        FROM pairs WHERE mentee_id = $mentee AND mentor_id = $mentor
        """,
        {"mentee": subject_id, "mentor": viewer.person_id, "kind": record_kind},
    )
    shared, pair_count, current_pairs, last_end = row
    if not shared or not pair_count:
        return None
    return EVERYTHING if current_pairs else last_end


def recorded_before(until: date | None) -> datetime | None:
    """The moment a record must have been recorded before to be within the cut-off `until` (a day, inclusive).

    Readers compare it with the record's own timestamp (submitted_at, recorded_at, created_at).
    None (nothing shared) stays None, which SQL compares as false.
    """
    if until is None:
        return None
    if until == EVERYTHING:
        return datetime.max
    return datetime.combine(until + timedelta(days=1), time.min)


def require_shared(store: Store, viewer: Viewer, subject_id: int, record_kind: str) -> date:
    """The cut-off date, or AccessDenied when the viewer may see none of these records."""
    if viewer is None:
        raise AccessDenied("Sign in to see this.")
    until = shared_until(store, viewer, subject_id, record_kind)
    if until is None:
        raise AccessDenied("This person's records are not shared with you.")
    return until


def require_pair_member(store: Store, viewer: Viewer, pair_id: int | None) -> tuple[int, int]:
    """(mentor_id, mentee_id) of a pair the viewer belongs to; joint records are theirs to see."""
    row = store.query_one("SELECT mentor_id, mentee_id FROM pairs WHERE pair_id = $pair", {"pair": pair_id})
    if viewer is None or row is None or viewer.person_id not in row:
        raise AccessDenied("Only the two people of a pair see its joint records.")
    return row
