"""What a review report holds: a fellow's record over a range of periods, gathered through the app's own reads.

A fellow's report about themselves holds everything of theirs; a mentor's report about one mentee holds
only what that mentee shares with that mentor (every read below checks the viewer, analytics/access.py),
the joint records of their own pairs, and one sentence for each kind of record that is not shared. The
report is data: charts/report.py draws its figures and analytics/report_pdf.py lays it out.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from analytics import agreements, feedback, goals, meetings, outputs
from analytics.access import RECORD_KINDS, shared_until
from analytics.assessments import latest_snapshot, rating_history, with_subscale_means
from analytics.errors import AccessDenied, InputError
from analytics.feedback import SELF_VIEW, latest_gaps
from analytics.instruments import MENTEE_SELF, PROCESS_STEPS, Catalogue
from analytics.people import Viewer, program_settings
from analytics.periods import next_period, period_label, period_start, periods_between
from analytics.store import Store

LOWEST_ITEMS = 3  # items to work on next, per instrument: the lowest latest self-ratings
GOAL_CHARTS = 6  # goals drawn one by one against their target line (the rest are in the table)
YEARS_OFFERED = 5  # how far back the range may start when the record is older

# What a mentor's report says in place of a kind of record the mentee does not share with them.
NOT_SHARED = {
    "self_assessments": "self-assessments (their ratings of themselves, and so the lowest items)",
    "goals": "goals and their progress",
    "outputs": "outputs (publications, abstracts, grants, awards, presentations)",
}


@dataclass
class PairRecord:
    """One mentoring pair's joint records in the range: meetings against the agreement, and the process steps."""

    pair_id: int
    label: str  # "with Dr A (mentor, research)"
    frequency: pd.DataFrame  # month, period, held (months in the range)
    agreed_per_month: float | None
    agreement: str  # the agreement's sentence (meetings held in the last 90 days against what it asks)
    process: pd.DataFrame  # process-step ratings in the range, both sides (analytics.feedback.process_views)
    process_gaps: pd.DataFrame  # latest per step and side, largest gap first


@dataclass
class ReviewReport:
    person: str
    program: str
    prepared_by: str  # the viewer's name
    for_mentor: bool  # a mentor's report about a mentee (else the fellow's own)
    first_period: date
    last_period: date
    period_range: str  # "2024 Q1 to 2026 Q4"
    made_on: date
    not_shared: list[str] = field(default_factory=list)  # one sentence per kind of record left out
    history: pd.DataFrame | None = None  # self-ratings over time (None: not shared)
    snapshot: pd.DataFrame | None = None  # first against latest within the range
    lowest: pd.DataFrame | None = None  # instrument_id, instrument, quality, latest, first, guidance
    views: pd.DataFrame | None = None  # the good-mentee qualities: self-view and mentors' views
    gaps: pd.DataFrame | None = None
    goals: pd.DataFrame | None = None
    goal_histories: dict[int, pd.DataFrame] = field(default_factory=dict)
    outputs: pd.DataFrame | None = None
    cumulative_outputs: pd.DataFrame | None = None
    pairs: list[PairRecord] = field(default_factory=list)


def _pairs_of(store: Store, viewer: Viewer, subject_id: int) -> pd.DataFrame:
    """The subject's pairs as a mentee: all of them for the subject, the viewer's own with them for a mentor."""
    return store.query_df(
        """
        SELECT pr.pair_id, pr.domain, pr.started_on, pr.ended_on, m.full_name AS mentor
        FROM pairs pr JOIN people m ON m.person_id = pr.mentor_id
        WHERE pr.mentee_id = $subject AND ($viewer = $subject OR pr.mentor_id = $viewer)
        ORDER BY pr.started_on, pr.pair_id
        """,
        {"subject": subject_id, "viewer": viewer.person_id},
    )


def _subject(store: Store, viewer: Viewer, subject_id: int) -> str:
    """The subject's name, once the viewer is the subject or one of their mentors (now or before)."""
    if viewer is None:
        raise AccessDenied("Sign in to see this.")
    row = store.query_one("SELECT full_name, program_id FROM people WHERE person_id = $subject", {"subject": subject_id})
    if row is None or row[1] != viewer.program_id:
        raise AccessDenied("Only the fellow and their mentors make a report about them.")
    if viewer.person_id != subject_id and (not viewer.has("mentor") or _pairs_of(store, viewer, subject_id).empty):
        raise AccessDenied("Only the fellow and their mentors make a report about them.")
    return row[0]


def report_periods(store: Store, catalogue: Catalogue, viewer: Viewer, subject_id: int, today: date) -> list[date]:
    """The period starts a report's range may take, oldest first: from the subject's first rating the viewer
    may see (at most YEARS_OFFERED years back) to today's period."""
    _subject(store, viewer, subject_id)
    months = program_settings(store, viewer.program_id)["period_months"]
    views = feedback.views_of_mentee(store, catalogue, viewer, subject_id)
    earliest = today.replace(year=today.year - YEARS_OFFERED)
    first = max(views["period_start"].min().date(), earliest) if not views.empty else today
    return periods_between(first, today, months)


def _in_range(frame: pd.DataFrame, first: date, last: date) -> pd.DataFrame:
    starts = pd.to_datetime(frame["period_start"])
    return frame[(starts >= pd.Timestamp(first)) & (starts <= pd.Timestamp(last))].reset_index(drop=True)


def _lowest(snapshot: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Per instrument, the LOWEST_ITEMS items with the lowest latest self-rating, each with the guidance's sentence."""
    rows = []
    items = snapshot[~snapshot["item_id"].astype(str).str.startswith("subscale:")]
    for instrument_id, group in items.groupby("instrument_id", sort=False):
        instrument = catalogue.get(str(instrument_id))
        known = {item.id for item in instrument.items}
        for row in group.sort_values(["latest", "change", "quality"]).head(LOWEST_ITEMS).itertuples():
            origin = instrument.origin_of(instrument.item(row.item_id)) if row.item_id in known else ""
            rows.append(
                {
                    "instrument_id": instrument_id,
                    "instrument": row.instrument,
                    "quality": row.quality,
                    "latest": row.latest,
                    "first": row.first,
                    "guidance": origin,
                }
            )
    return pd.DataFrame(rows, columns=["instrument_id", "instrument", "quality", "latest", "first", "guidance"])


def review_report(
    store: Store, catalogue: Catalogue, viewer: Viewer, subject_id: int, first: date, last: date, today: date
) -> ReviewReport:
    """The report about `subject_id` for periods `first` to `last` (any days within them), as `viewer` may see it.

    A fellow about themselves, or a mentor about a mentee of theirs; anyone else is refused (AccessDenied).
    """
    person = _subject(store, viewer, subject_id)
    settings = program_settings(store, viewer.program_id)
    months = settings["period_months"]
    first, last = period_start(first, months), period_start(last, months)
    if first > last:
        raise InputError("The range's first period comes after its last; choose them the other way round.")
    end = next_period(last, months) - timedelta(days=1)  # the range's last day
    report = ReviewReport(
        person=person,
        program=settings["name"],
        prepared_by=viewer.full_name,
        for_mentor=viewer.person_id != subject_id,
        first_period=first,
        last_period=last,
        period_range=(
            period_label(first, months) if first == last else f"{period_label(first, months)} to {period_label(last, months)}"
        ),
        made_on=today,
    )
    if report.for_mentor:
        for kind in RECORD_KINDS:
            if shared_until(store, viewer, subject_id, kind) is None:
                report.not_shared.append(
                    f"{person} does not share their {NOT_SHARED[kind]} with you: none of it is in this report."
                )
    shares = {kind: shared_until(store, viewer, subject_id, kind) is not None for kind in RECORD_KINDS}

    if shares["self_assessments"]:
        history = _in_range(with_subscale_means(rating_history(store, catalogue, viewer, subject_id), catalogue), first, last)
        report.history = history
        report.snapshot = latest_snapshot(history)
        report.lowest = _lowest(report.snapshot, catalogue)
    views = feedback.views_of_mentee(store, catalogue, viewer, subject_id)
    report.views = _in_range(views, first, last)
    report.gaps = latest_gaps(report.views, SELF_VIEW)

    if shares["goals"]:
        all_goals = goals.goals_of(store, viewer, subject_id, today)
        started = pd.to_datetime(all_goals["started_on"]) <= pd.Timestamp(end)
        reaching = pd.to_datetime(all_goals["target_date"]) >= pd.Timestamp(first)
        report.goals = all_goals[started & (reaching | (all_goals["status"] == "active"))].reset_index(drop=True)
        for goal_id in report.goals["goal_id"].head(GOAL_CHARTS):
            history = goals.goal_history(store, viewer, int(goal_id))
            report.goal_histories[int(goal_id)] = history[history["on"] <= end].reset_index(drop=True)

    if shares["outputs"]:
        logged = outputs.outputs_of(store, viewer, subject_id)
        days = pd.to_datetime(logged["happened_on"])
        report.outputs = logged[(days >= pd.Timestamp(first)) & (days <= pd.Timestamp(end))].reset_index(drop=True)
        cumulative = outputs.cumulative_outputs(store, viewer, subject_id, min(end, today))
        months_in = pd.to_datetime(cumulative["month"])
        report.cumulative_outputs = cumulative[(months_in >= pd.Timestamp(first)) & (months_in <= pd.Timestamp(end))].reset_index(
            drop=True
        )

    for pair in _pairs_of(store, viewer, subject_id).itertuples():
        pair_id = int(pair.pair_id)
        frequency = meetings.meeting_frequency(store, viewer, pair_id, min(end, today))
        frequency = frequency[[first <= month <= end for month in frequency["month"]]].reset_index(drop=True)
        agreement = agreements.agreement_of(store, viewer, pair_id)
        process = _in_range(feedback.process_views(store, catalogue, viewer, pair_id), first, last)
        ended = f", ended {pair.ended_on:%d %b %Y}" if pd.notna(pair.ended_on) else ""
        report.pairs.append(
            PairRecord(
                pair_id=pair_id,
                label=f"with {pair.mentor} (mentor, {pair.domain}{ended})",
                frequency=frequency,
                agreed_per_month=365.25 / 12 / (7 * agreement["meet_every_weeks"]) if agreement else None,
                agreement=agreements.agreement_check(store, viewer, pair_id, today)["sentence"],
                process=process,
                process_gaps=latest_gaps(process),
            )
        )
    return report


def self_instruments(report: ReviewReport, catalogue: Catalogue) -> list:
    """The instruments of the report's self-ratings, the good-mentee qualities first."""
    if report.history is None or report.history.empty:
        return []
    ids = list(dict.fromkeys(report.history["instrument_id"]))
    ids.sort(key=lambda instrument_id: instrument_id != MENTEE_SELF)
    return [catalogue.get(instrument_id) for instrument_id in ids]


def process_instrument(catalogue: Catalogue):
    return catalogue.get(PROCESS_STEPS)
