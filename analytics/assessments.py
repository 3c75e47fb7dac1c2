"""Submitting assessments and reading them back: the write path and the trends behind charts."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import pandas as pd

from analytics.access import recorded_before, require_shared
from analytics.checks import clean_text, is_number, shown
from analytics.errors import AccessDenied, InputError
from analytics.instruments import Catalogue, Instrument
from analytics.people import Viewer, active_pairs, program_settings
from analytics.periods import period_label, period_start
from analytics.sql_fragments import standing_where
from analytics.store import Store, scalar
from analytics.submissions import OUT_OF_DATE, check_key

MAX_COMMENT = 2000


@dataclass(frozen=True)
class DueAssessment:
    """One assessment the viewer is asked for this period, and whether it is done."""

    instrument_id: str
    title: str
    about: str
    subject_id: int
    subject_name: str
    pair_id: int | None
    period_start: date
    submitted_at: datetime | None

    @property
    def done(self) -> bool:
        return self.submitted_at is not None


@dataclass(frozen=True)
class Submission:
    assessment_id: int
    duplicate: bool  # the same submission key was stored before: a double click, not a new answer


def current_period(store: Store, viewer: Viewer, today: date) -> date:
    return period_start(today, program_settings(store, viewer.program_id)["period_months"])


def due_assessments(store: Store, catalogue: Catalogue, viewer: Viewer, today: date) -> list[DueAssessment]:
    """What the viewer is asked to fill in this period: self-assessments, and one per pair."""
    months = program_settings(store, viewer.program_id)["period_months"]
    period = period_start(today, months)
    pairs = active_pairs(store, viewer.person_id, today)
    done = {
        (row[0], row[1], row[2]): row[3]
        for row in store.query_all(
            """
            SELECT instrument_id, subject_id, coalesce(pair_id, 0), max(submitted_at)
            FROM assessments WHERE respondent_id = $respondent AND period_start = $period
            GROUP BY ALL
            """,
            {"respondent": viewer.person_id, "period": period},
        )
    }
    due: list[DueAssessment] = []
    for instrument in catalogue.instruments:
        if not any(viewer.has(role) for role in instrument.respondent):
            continue
        for subject_id, subject_name, pair_id in _subjects(instrument, viewer, pairs):
            due.append(
                DueAssessment(
                    instrument.id,
                    instrument.title,
                    instrument.about,
                    subject_id,
                    subject_name,
                    pair_id,
                    period,
                    done.get((instrument.id, subject_id, pair_id or 0)),
                )
            )
    return due


def _subjects(instrument: Instrument, viewer: Viewer, pairs: pd.DataFrame):
    """Whom the viewer rates with this instrument: themselves, or the other side of each pair."""
    if instrument.about == "self":
        if any(viewer.has(role) for role in instrument.respondent):
            yield viewer.person_id, "yourself", None
        return
    for pair in pairs.itertuples():
        viewer_is_mentor = pair.mentor_id == viewer.person_id
        if instrument.about == "mentee" and viewer_is_mentor and viewer.has("mentor"):
            yield pair.mentee_id, pair.mentee_name, pair.pair_id
        elif instrument.about == "mentor" and not viewer_is_mentor and viewer.has("fellow"):
            yield pair.mentor_id, pair.mentor_name, pair.pair_id
        elif instrument.about == "pair" and viewer.has("mentor" if viewer_is_mentor else "fellow"):
            other = pair.mentee_name if viewer_is_mentor else pair.mentor_name
            yield (pair.mentee_id if viewer_is_mentor else pair.mentor_id), other, pair.pair_id


def submit_assessment(
    store: Store,
    catalogue: Catalogue,
    viewer: Viewer,
    instrument_id: str,
    ratings: Mapping[str, object],
    *,
    today: date,
    now: datetime,
    submission_key: str,
    comment: str | None = None,
    subject_id: int | None = None,
    pair_id: int | None = None,
    signed: bool = False,
) -> Submission:
    """Validate everything first, then store the assessment and all its ratings in one transaction.

    The same `submission_key` twice (a double click, a resubmitted form) stores one assessment.
    A correction is a new submission for the same period: the latest counts, the old one stays.
    `signed` (ratings of a mentor only) lets the mentor see this rating with the rater's name.
    """
    try:
        instrument = catalogue.get(instrument_id)
    except KeyError:
        raise InputError("This assessment is not offered. Choose one from the list.") from None
    if not any(viewer.has(role) for role in instrument.respondent):
        raise AccessDenied(f"'{instrument.title}' is answered by a {' or '.join(instrument.respondent)}.")
    subject_id, pair_id = _check_subject(store, instrument, viewer, subject_id, pair_id, today)
    clean_ratings = _check_ratings(instrument, ratings)
    if signed and instrument.about != "mentor":
        raise InputError("Only a rating of your mentor can be signed.")
    clean_comment = clean_text(comment, "The comment", MAX_COMMENT)
    if check_key(submission_key) is None:
        raise InputError(OUT_OF_DATE)
    period = period_start(today, program_settings(store, viewer.program_id)["period_months"])

    def store_it(cur: duckdb.DuckDBPyConnection) -> Submission:
        existing = cur.execute(
            "SELECT assessment_id FROM assessments WHERE submission_key = $key", {"key": submission_key}
        ).fetchone()
        if existing:
            return Submission(existing[0], duplicate=True)
        assessment_id = scalar(
            cur,
            """
            INSERT INTO assessments (instrument_id, instrument_version, respondent_id, subject_id, pair_id,
                                     period_start, submitted_at, comment, submission_key)
            VALUES ($instrument, $version, $respondent, $subject, $pair, $period, $now, $comment, $key) RETURNING assessment_id
            """,
            {
                "instrument": instrument.id,
                "version": instrument.version,
                "respondent": viewer.person_id,
                "subject": subject_id,
                "pair": pair_id,
                "period": period,
                "now": now,
                "comment": clean_comment,
                "key": submission_key,
            },
        )
        cur.execute(
            "INSERT INTO responses SELECT $assessment, unnest($items::VARCHAR[]), unnest($ratings::SMALLINT[])",
            {"assessment": assessment_id, "items": list(clean_ratings), "ratings": list(clean_ratings.values())},
        )
        if signed:
            cur.execute("INSERT INTO signed_assessments VALUES ($assessment, $now)", {"assessment": assessment_id, "now": now})
        return Submission(assessment_id, duplicate=False)

    try:
        return store.write(store_it)
    except duckdb.ConstraintException:
        # Two clicks raced past the check above; the first one's row is the answer.
        row = store.query_one("SELECT assessment_id FROM assessments WHERE submission_key = $key", {"key": submission_key})
        if row is None:
            raise
        return Submission(row[0], duplicate=True)


def _check_subject(store, instrument, viewer, subject_id, pair_id, today) -> tuple[int, int | None]:
    if instrument.about == "self":
        if subject_id not in (None, viewer.person_id) or pair_id is not None:
            raise AccessDenied("A self-assessment is about yourself.")
        return viewer.person_id, None
    for subject, _, pair in _subjects(instrument, viewer, active_pairs(store, viewer.person_id, today)):
        if pair == pair_id and subject_id in (None, subject):
            return subject, pair
    raise AccessDenied("You can only rate people you are currently paired with.")


def _check_ratings(instrument: Instrument, ratings: Mapping[str, object]) -> dict[str, int]:
    if not isinstance(ratings, dict):
        raise InputError("Ratings are missing.")
    unknown = sorted(set(ratings) - {item.id for item in instrument.items})
    if unknown:
        raise InputError(f"'{shown(unknown[0])}' is not an item of '{instrument.title}'.")
    low, high = instrument.min_rating, instrument.max_rating
    clean: dict[str, int] = {}
    missing = []
    for item in instrument.items:
        value = ratings.get(item.id)
        if value is None:
            missing.append(item.measures)
            continue
        if not is_number(value) or value != int(value):
            raise InputError(f"'{item.measures}': a rating is a whole number from {low} to {high}.")
        if not low <= value <= high:
            raise InputError(f"'{item.measures}': {value} is outside the scale; choose {low} to {high}.")
        clean[item.id] = int(value)
    if missing:
        raise InputError(f"Rate every item before submitting; still empty: {', '.join(missing)}.")
    return clean


def rating_history(store: Store, catalogue: Catalogue, viewer: Viewer, subject_id: int, about: str = "self") -> pd.DataFrame:
    """Every counted rating of the subject's assessments about themselves, one row per item and period.

    The subject sees all of it; a mentor sees it only as far as the subject shares it with them, and
    a former mentor each period as it stood at the pair's end (a later correction is not theirs to see).
    Versions of one instrument are joined by item id, so a reworded item keeps its trend.
    """
    before = recorded_before(require_shared(store, viewer, subject_id, "self_assessments"))
    instrument_ids = [i.id for i in catalogue.instruments if i.about == about]
    months = program_settings(store, viewer.program_id)["period_months"]
    standing = standing_where(
        "subject_id = $subject AND respondent_id = $subject AND list_contains($ids, instrument_id)", "$before"
    )
    frame = store.query_df(
        f"""
        SELECT a.instrument_id, a.instrument_version, a.period_start, a.submitted_at, r.item_id, r.rating
        FROM ({standing}) a JOIN responses r USING (assessment_id)
        ORDER BY a.period_start, a.instrument_id, r.item_id
        """,
        {"subject": subject_id, "ids": instrument_ids, "before": before},
    )
    return label_ratings(frame, catalogue, months)


def label_ratings(frame: pd.DataFrame, catalogue: Catalogue, months: int) -> pd.DataFrame:
    titles = {i.id: i.title for i in catalogue.instruments}
    measures = {(i.id, item.id): item.measures for i in catalogue.instruments for item in i.items}
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    frame["period"] = [period_label(day.date(), months) for day in frame["period_start"]]
    frame["instrument"] = frame["instrument_id"].map(titles).fillna(frame["instrument_id"])
    frame["quality"] = [measures.get(key, key[1]) for key in zip(frame["instrument_id"], frame["item_id"], strict=False)]
    return frame


def latest_snapshot(history: pd.DataFrame) -> pd.DataFrame:
    """Per instrument and item: the latest rating, the first one, and the change between them."""
    if history.empty:
        return pd.DataFrame(
            columns=["instrument_id", "instrument", "item_id", "quality", "first", "latest", "latest_period", "change"]
        )
    ordered = history.sort_values("period_start")
    grouped = ordered.groupby(["instrument_id", "instrument", "item_id", "quality"], sort=False)
    snapshot = grouped.agg(first=("rating", "first"), latest=("rating", "last"), latest_period=("period", "last"))
    snapshot["change"] = snapshot["latest"] - snapshot["first"]
    return snapshot.reset_index()
