"""Two-way ratings (the guidance's bi-directional feedback): self-view beside the other side's view.

Each function takes the viewer and returns only what the rules in analytics/access.py allow.
"""

from datetime import date

import pandas as pd

from analytics.access import EVERYTHING, MIN_MENTOR_RATERS, recorded_before, require_pair_member, shared_until
from analytics.assessments import label_ratings
from analytics.changes import personal_reads
from analytics.errors import AccessDenied
from analytics.instruments import MENTEE_BY_MENTOR, MENTEE_SELF, MENTOR_BY_MENTEE, MENTOR_SELF, PROCESS_STEPS, Catalogue
from analytics.people import Viewer, program_settings
from analytics.periods import period_label, period_start
from analytics.sql_fragments import current_where, responses_where, standing_where
from analytics.store import Store

SELF_VIEW = "Self-view"
COLUMNS = ["instrument_id", "period_start", "item_id", "rating", "view"]


def _had_pair(store: Store, mentor_id: int, mentee_id: int) -> bool:
    return (
        store.query_one(
            "SELECT count(*) FROM pairs WHERE mentor_id = $mentor AND mentee_id = $mentee",
            {"mentor": mentor_id, "mentee": mentee_id},
        )[0]
        > 0
    )


def _finish(frame: pd.DataFrame, store: Store, catalogue: Catalogue, viewer: Viewer) -> pd.DataFrame:
    frame = label_ratings(frame, catalogue, program_settings(store, viewer.program_id)["period_months"])
    return frame.sort_values(["period_start", "view", "item_id"]).reset_index(drop=True)


@personal_reads("assessments")  # keyed on the mentee (ui/data.py): every rating in it names them
def views_of_mentee(store: Store, catalogue: Catalogue, viewer: Viewer, mentee_id: int) -> pd.DataFrame:
    """Good-mentee qualities: the fellow's self-view and mentors' views, per item and period.

    The fellow sees every mentor's rating of them; a mentor sees their own ratings of the mentee,
    and the mentee's self-view only as far as it is shared with them (a former mentor: as it stood at the end).
    """
    is_mentee = viewer is not None and viewer.person_id == mentee_id
    if not is_mentee and not (viewer is not None and viewer.has("mentor") and _had_pair(store, viewer.person_id, mentee_id)):
        raise AccessDenied("Only the fellow and their mentors see these views.")
    before = recorded_before(shared_until(store, viewer, mentee_id, "self_assessments"))
    self_view = standing_where(
        f"instrument_id = '{MENTEE_SELF}' AND respondent_id = $mentee AND subject_id = $mentee", "$before", few=True
    )
    by_mentors = current_where(
        f"instrument_id = '{MENTEE_BY_MENTOR}' AND subject_id = $mentee AND ($is_mentee OR respondent_id = $viewer)", few=True
    )
    frame = store.query_df(
        f"""
        SELECT a.instrument_id, a.period_start, r.item_id, r.rating, $self_view AS view
        FROM ({self_view}) a JOIN {responses_where("subject_id = $mentee AND respondent_id = $mentee")} r USING (assessment_id)
        UNION ALL
        SELECT a.instrument_id, a.period_start, r.item_id, r.rating, 'Mentor: ' || p.full_name AS view
        FROM ({by_mentors}) a
        JOIN {responses_where(f"subject_id = $mentee AND instrument_id = '{MENTEE_BY_MENTOR}'")} r USING (assessment_id)
        JOIN people p ON p.person_id = a.respondent_id
        """,
        {"self_view": SELF_VIEW, "mentee": mentee_id, "before": before, "is_mentee": is_mentee, "viewer": viewer.person_id},
    )
    return _finish(frame, store, catalogue, viewer)


@personal_reads("assessments", own=True)  # ratings about the viewer, or by them
def views_of_mentor(
    store: Store, catalogue: Catalogue, viewer: Viewer, mentor_id: int, today: date, instrument_id: str = MENTOR_BY_MENTEE
) -> pd.DataFrame:
    """Good-mentor qualities (or another instrument fellows answer about a mentor, `instrument_id`): the
    mentor's self-view (for the good-mentor qualities) beside their mentees' view.

    The mentor sees their mentees' ratings only from closed periods (see _closed_ratings): unsigned
    ones as a per-period average of at least MIN_MENTOR_RATERS mentees, and each rating a mentee
    chose to sign with its name. A fellow sees only their own ratings of the mentor.
    """
    if viewer is not None and viewer.person_id == mentor_id:
        months = program_settings(store, viewer.program_id)["period_months"]
        own = current_where(
            f"instrument_id = '{MENTOR_SELF}' AND $instrument = '{MENTOR_BY_MENTEE}' AND respondent_id = $mentor"
            " AND subject_id = $mentor",
            few=True,
        )
        about_mentor = responses_where("subject_id = $mentor AND instrument_id = $instrument")
        frame = store.query_df(
            f"""
            WITH closed AS ({_closed_ratings()})
            SELECT a.instrument_id, a.period_start, r.item_id, r.rating::DOUBLE AS rating, $self_view AS view
            FROM ({own}) a JOIN {responses_where("subject_id = $mentor AND respondent_id = $mentor")} r USING (assessment_id)
            UNION ALL
            SELECT any_value(a.instrument_id), a.period_start, r.item_id, round(avg(r.rating), 2), 'Mentees (average)' AS view
            FROM closed a JOIN {about_mentor} r USING (assessment_id)
            -- Unsigned ratings only: with signed ones in the average, subtracting them could reveal one unsigned rating.
            WHERE NOT a.signed
            GROUP BY a.period_start, r.item_id
            HAVING count(DISTINCT a.respondent_id) >= $min_raters
            UNION ALL
            SELECT a.instrument_id, a.period_start, r.item_id, r.rating, 'Signed: ' || p.full_name AS view
            FROM closed a JOIN {about_mentor} r USING (assessment_id) JOIN people p ON p.person_id = a.respondent_id
            WHERE a.signed
            """,
            {
                "self_view": SELF_VIEW,
                "mentor": mentor_id,
                "min_raters": MIN_MENTOR_RATERS,
                "open_from": period_start(today, months),
                "months": months,
                "instrument": instrument_id,
            },
        )
    elif viewer is not None and viewer.has("fellow") and _had_pair(store, mentor_id, viewer.person_id):
        mine = current_where("instrument_id = $instrument AND respondent_id = $fellow AND subject_id = $mentor", few=True)
        frame = store.query_df(
            f"""
            SELECT a.instrument_id, a.period_start, r.item_id, r.rating::DOUBLE AS rating, 'My rating' AS view
            FROM ({mine}) a JOIN {responses_where("respondent_id = $fellow AND subject_id = $mentor")} r USING (assessment_id)
            """,
            {"fellow": viewer.person_id, "mentor": mentor_id, "instrument": instrument_id},
        )
    else:
        raise AccessDenied("Ratings about a mentor are not shown to you.")
    return _finish(frame, store, catalogue, viewer)


def _closed_ratings() -> str:
    """SQL ($mentor, $instrument, $open_from, $months): the mentees' ratings of the mentor in closed periods, each
    as it stood when its period ended, with whether it is signed.

    Why closed periods only: a figure that moves while a period is open can be compared before and
    after one more rating (4 x new average - 3 x old average is the fourth mentee's rating), and a
    mentee switching between signed and unsigned moves it too. Submissions and corrections always go to
    the current period, so a closed period's set never changes; the cut at the period's end (by
    submitted_at) keeps it so even if a late row were ever written there.
    """
    # A rating given on or after its pair's end day (an instrument asked at a pair's end) never reaches the
    # former mentor: nothing recorded after a pair ended does.
    standing = standing_where(
        "instrument_id = $instrument AND subject_id = $mentor AND period_start < $open_from AND NOT EXISTS ("
        "SELECT 1 FROM pairs ended WHERE ended.pair_id = assessments.pair_id AND ended.ended_on IS NOT NULL "
        "AND assessments.submitted_at::DATE >= ended.ended_on)",
        "period_start + to_months($months)",
        "assessment_id, instrument_id, respondent_id, period_start",
        few=True,
    )
    return f"""
        SELECT c.*, s.assessment_id IS NOT NULL AS signed
        FROM ({standing}) c LEFT JOIN signed_assessments s USING (assessment_id)
    """


@personal_reads("assessments", own=True)
def ratings_given(store: Store, catalogue: Catalogue, viewer: Viewer) -> pd.DataFrame:
    """The viewer's own history of what they gave: every counted rating they made of someone else (a mentor,
    a mentee, the other side of a pair), per instrument, person and period; `view` names the person."""
    if viewer is None:
        raise AccessDenied("Sign in to see this.")
    given = current_where("respondent_id = $viewer AND subject_id <> $viewer", few=True)
    frame = store.query_df(
        f"""
        SELECT a.instrument_id, a.period_start, r.item_id, r.rating::DOUBLE AS rating, p.full_name AS view
        FROM ({given}) a JOIN {responses_where("respondent_id = $viewer")} r USING (assessment_id)
        JOIN people p ON p.person_id = a.subject_id
        """,
        {"viewer": viewer.person_id},
    )
    return _finish(frame, store, catalogue, viewer)


@personal_reads("assessments", own=True)
def mentor_rating_coverage(store: Store, viewer: Viewer, today: date) -> pd.DataFrame:
    """For the mentor themselves: how many mentees rated them each period, and whether it is closed.

    Counts only (participation, no ratings), so the open period's count may be shown while it moves;
    the open period always has a row, 0 before anyone rates. Columns: period_start, period, mentees_who_rated, closed.
    """
    if viewer is None:
        raise AccessDenied("Sign in to see this.")
    months = program_settings(store, viewer.program_id)["period_months"]
    open_from = period_start(today, months)
    standing = standing_where(
        f"instrument_id = '{MENTOR_BY_MENTEE}' AND subject_id = $mentor", "period_start + to_months($months)", few=True
    )
    frame = store.query_df(
        f"""
        WITH rated AS (
            SELECT period_start, count(DISTINCT respondent_id) AS mentees_who_rated
            FROM ({standing})
            GROUP BY period_start
        )
        SELECT coalesce(r.period_start, o.period_start) AS period_start, coalesce(r.mentees_who_rated, 0) AS mentees_who_rated,
               coalesce(r.period_start, o.period_start) < $open_from AS closed
        FROM rated r FULL JOIN (SELECT $open_from::DATE AS period_start) o USING (period_start)
        ORDER BY 1
        """,
        {"mentor": viewer.person_id, "open_from": open_from, "months": months},
    )
    frame["period"] = [period_label(day.date(), months) for day in pd.to_datetime(frame["period_start"])]
    return frame[["period_start", "period", "mentees_who_rated", "closed"]]


@personal_reads("assessments", own=True)  # a pair rating names both of the pair
def process_views(store: Store, catalogue: Catalogue, viewer: Viewer, pair_id: int) -> pd.DataFrame:
    """The five process steps as each side of a pair rates them: a joint record both see.

    Once the pair has ended, the other side's ratings are shown as they stood at the end day (by when
    they were submitted), like every record of a former partner (analytics/access.py).
    """
    mentor_id, mentee_id = require_pair_member(store, viewer, pair_id)
    ended_on = store.query_one("SELECT ended_on FROM pairs WHERE pair_id = $pair", {"pair": pair_id})[0]
    other = mentee_id if viewer.person_id == mentor_id else mentor_id
    steps = f"instrument_id = '{PROCESS_STEPS}' AND pair_id = $pair AND respondent_id = "
    standing = standing_where(steps + "$other", "$before", few=True)
    frame = store.query_df(
        f"""
        WITH rated AS (
            SELECT * FROM ({current_where(steps + "$viewer", few=True)})
            UNION ALL
            SELECT * FROM ({standing})
        )
        SELECT a.instrument_id, a.period_start, r.item_id, r.rating,
               CASE WHEN a.respondent_id = $mentor THEN 'Mentor' ELSE 'Fellow' END || ': ' || p.full_name AS view
        FROM rated a JOIN {responses_where(f"pair_id = $pair AND instrument_id = '{PROCESS_STEPS}'")} r USING (assessment_id)
        JOIN people p ON p.person_id = a.respondent_id
        """,
        {
            "pair": pair_id,
            "viewer": viewer.person_id,
            "other": other,
            "mentor": mentor_id,
            "before": recorded_before(ended_on if ended_on is not None else EVERYTHING),
        },
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
