"""Two-way ratings (the guidance's bi-directional feedback): self-view beside the other side's view.

Each function takes the viewer and returns only what the rules in analytics/access.py allow.
"""

import pandas as pd

from analytics.access import MIN_MENTOR_RATERS, recorded_before, require_pair_member, shared_until
from analytics.assessments import label_ratings
from analytics.current import standing_where
from analytics.errors import AccessDenied
from analytics.instruments import Catalogue
from analytics.people import Viewer, program_settings
from analytics.store import Store

SELF_VIEW = "Self-view"
COLUMNS = ["instrument_id", "period_start", "item_id", "rating", "view"]


def _had_pair(store: Store, mentor_id: int, mentee_id: int) -> bool:
    return store.query_one("SELECT count(*) FROM pairs WHERE mentor_id = ? AND mentee_id = ?", [mentor_id, mentee_id])[0] > 0


def _finish(frame: pd.DataFrame, store: Store, catalogue: Catalogue, viewer: Viewer) -> pd.DataFrame:
    frame = label_ratings(frame, catalogue, program_settings(store, viewer.program_id)["period_months"])
    return frame.sort_values(["period_start", "view", "item_id"]).reset_index(drop=True)


def views_of_mentee(store: Store, catalogue: Catalogue, viewer: Viewer, mentee_id: int) -> pd.DataFrame:
    """Good-mentee qualities: the fellow's self-view and mentors' views, per item and period.

    The fellow sees every mentor's rating of them; a mentor sees their own ratings of the mentee,
    and the mentee's self-view only as far as it is shared with them (a former mentor: as it stood at the end).
    """
    is_mentee = viewer is not None and viewer.person_id == mentee_id
    if not is_mentee and not (viewer is not None and viewer.has("mentor") and _had_pair(store, viewer.person_id, mentee_id)):
        raise AccessDenied("Only the fellow and their mentors see these views.")
    before = recorded_before(shared_until(store, viewer, mentee_id, "self_assessments"))
    self_view = standing_where("instrument_id = 'mentee-self' AND respondent_id = $mentee AND subject_id = $mentee", "$before")
    frame = store.query_df(
        f"""
        SELECT a.instrument_id, a.period_start, r.item_id, r.rating, $self_view AS view
        FROM ({self_view}) a JOIN responses r USING (assessment_id)
        UNION ALL
        SELECT a.instrument_id, a.period_start, r.item_id, r.rating, 'Mentor: ' || p.full_name AS view
        FROM current_assessments a JOIN responses r USING (assessment_id) JOIN people p ON p.person_id = a.respondent_id
        WHERE a.instrument_id = 'mentee-by-mentor' AND a.subject_id = $mentee AND ($is_mentee OR a.respondent_id = $viewer)
        """,
        {"self_view": SELF_VIEW, "mentee": mentee_id, "before": before, "is_mentee": is_mentee, "viewer": viewer.person_id},
    )
    return _finish(frame, store, catalogue, viewer)


def views_of_mentor(store: Store, catalogue: Catalogue, viewer: Viewer, mentor_id: int) -> pd.DataFrame:
    """Good-mentor qualities: the mentor's self-view beside their mentees' view.

    The mentor sees unsigned ratings only as a per-period average of at least MIN_MENTOR_RATERS
    mentees, and each rating a mentee chose to sign with its name. A fellow sees only their own ratings of the mentor.
    """
    if viewer is not None and viewer.person_id == mentor_id:
        frame = store.query_df(
            """
            SELECT a.instrument_id, a.period_start, r.item_id, r.rating::DOUBLE AS rating, ? AS view
            FROM current_assessments a JOIN responses r USING (assessment_id)
            WHERE a.instrument_id = 'mentor-self' AND a.respondent_id = ? AND a.subject_id = ?
            UNION ALL
            SELECT any_value(a.instrument_id), a.period_start, r.item_id, round(avg(r.rating), 2),
                   'Mentees (average)' AS view
            FROM current_assessments a JOIN responses r USING (assessment_id)
            WHERE a.instrument_id = 'mentor-by-mentee' AND a.subject_id = ?
              -- Unsigned ratings only: with signed ones in the average, subtracting them could
              -- reveal one unsigned rating.
              AND a.assessment_id NOT IN (SELECT assessment_id FROM signed_assessments)
            GROUP BY a.period_start, r.item_id
            HAVING count(DISTINCT a.respondent_id) >= ?
            UNION ALL
            SELECT a.instrument_id, a.period_start, r.item_id, r.rating, 'Signed: ' || p.full_name AS view
            FROM current_assessments a JOIN signed_assessments s USING (assessment_id)
            JOIN responses r USING (assessment_id) JOIN people p ON p.person_id = a.respondent_id
            WHERE a.instrument_id = 'mentor-by-mentee' AND a.subject_id = ?
            """,
            [SELF_VIEW, mentor_id, mentor_id, mentor_id, MIN_MENTOR_RATERS, mentor_id],
        )
    elif viewer is not None and viewer.has("fellow") and _had_pair(store, mentor_id, viewer.person_id):
        frame = store.query_df(
            """
            SELECT a.instrument_id, a.period_start, r.item_id, r.rating::DOUBLE AS rating, 'My rating' AS view
            FROM current_assessments a JOIN responses r USING (assessment_id)
            WHERE a.instrument_id = 'mentor-by-mentee' AND a.respondent_id = ? AND a.subject_id = ?
            """,
            [viewer.person_id, mentor_id],
        )
    else:
        raise AccessDenied("Ratings about a mentor are not shown to you.")
    return _finish(frame, store, catalogue, viewer)


def mentor_rating_coverage(store: Store, viewer: Viewer) -> pd.DataFrame:
    """For the mentor themselves: how many mentees rated them each period (no ratings, just counts)."""
    return store.query_df(
        """
        SELECT period_start, count(DISTINCT respondent_id) AS mentees_who_rated
        FROM current_assessments WHERE instrument_id = 'mentor-by-mentee' AND subject_id = ?
        GROUP BY period_start ORDER BY period_start
        """,
        [viewer.person_id],
    )


def process_views(store: Store, catalogue: Catalogue, viewer: Viewer, pair_id: int) -> pd.DataFrame:
    """The five process steps as each side of a pair rates them: a joint record both see."""
    mentor_id, mentee_id = require_pair_member(store, viewer, pair_id)
    frame = store.query_df(
        """
        SELECT a.instrument_id, a.period_start, r.item_id, r.rating,
               CASE WHEN a.respondent_id = ? THEN 'Mentor' ELSE 'Fellow' END || ': ' || p.full_name AS view
        FROM current_assessments a JOIN responses r USING (assessment_id) JOIN people p ON p.person_id = a.respondent_id
        WHERE a.instrument_id = 'process-steps' AND a.pair_id = ? AND a.respondent_id IN (?, ?)
        """,
        [mentor_id, pair_id, mentor_id, mentee_id],
    )
    return _finish(frame, store, catalogue, viewer)


def latest_gaps(views: pd.DataFrame, first_view: str | None = None) -> pd.DataFrame:
    """Per item, each view's latest rating side by side and the gap between them, largest first.

    With more than two views, the gap is between the highest and the lowest.
    """
    if views.empty:
        return pd.DataFrame(columns=["item_id", "quality", "gap"])
    latest = views.sort_values("period_start").groupby(["item_id", "quality", "view"], as_index=False).last()
    table = latest.pivot_table(index=["item_id", "quality"], columns="view", values="rating").reset_index()
    view_columns = [c for c in table.columns if c not in ("item_id", "quality")]
    if first_view in view_columns:
        view_columns = [first_view] + [c for c in view_columns if c != first_view]
    table["gap"] = (table[view_columns].max(axis=1) - table[view_columns].min(axis=1)).round(2)
    table = table[["item_id", "quality", *view_columns, "gap"]]
    return table.sort_values(["gap", "quality"], ascending=[False, True]).reset_index(drop=True)
