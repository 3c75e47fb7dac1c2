"""Submitting assessments and reading them back: the write path and the trends behind charts."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import duckdb
import pandas as pd

from analytics.access import recorded_before, require_shared
from analytics.changes import personal_reads, stored_nothing, touched
from analytics.checks import clean_text, is_number, shown
from analytics.errors import AccessDenied, InputError
from analytics.instruments import SUBSCALE_PREFIX, Catalogue, Instrument
from analytics.people import Viewer, program_settings
from analytics.periods import period_label, period_start
from analytics.program_settings import program_catalogue
from analytics.sql_fragments import current_pair, in_list, listed_limit, responses_where, standing_where
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

    @property
    def in_words(self) -> str:
        """The assessment in words, as typed: its title and whom it is about (the due list, the calendar, reminders)."""
        if self.about == "self":
            return self.title
        return f"{self.title} {'with' if self.about == 'pair' else 'about'} {self.subject_name}"


@dataclass(frozen=True)
class Submission:
    assessment_id: int
    duplicate: bool  # the same submission key was stored before: a double click, not a new answer


def current_period(store: Store, viewer: Viewer, today: date) -> date:
    return period_start(today, program_settings(store, viewer.program_id)["period_months"])


@personal_reads("assessments", own=True)  # what the viewer answered; pairs and cadences are shared groups
def due_assessments(store: Store, catalogue: Catalogue, viewer: Viewer, today: date) -> list[DueAssessment]:
    """What the viewer is asked to fill in this period: self-assessments, and one per pair, each as
    often as its instrument's cadence says and only where its cohorts (if it names any) take in the
    fellow it concerns.

    `submitted_at` is the answer that counts for the cadence: this period's (every period), this
    calendar year's (yearly), any (once); for a pair (start and end), any since the pair began while
    it runs, and one given on or after its end day once it has ended (asked until the period after).
    A cadence the program chose (analytics/program_settings.py) counts instead of the file's.
    The one-person case of DueLists.
    """
    return DueLists(store, catalogue, viewer.program_id, [(viewer.person_id, today)]).of(viewer, today)


@dataclass(frozen=True)
class PairToRate:
    """A pair as someone may be asked to rate it on a day: current then (`running`), or ended since the
    previous period began (for an instrument asked at a pair's end)."""

    pair_id: int
    mentor_id: int
    mentee_id: int
    mentor_name: str
    mentee_name: str
    running: bool
    ended_on: date | None


class DueLists:
    """due_assessments for many people of one program, each as of one or more days (the director's
    reminder list asks every member, as of this period and earlier ones).

    What the decision needs is fetched up front in a fixed number of queries whatever the number of
    people and days (the pairs to rate of every (person, day), all their answers, the cohorts); `of`
    then decides one person's list for one of those days in Python, when it is asked for.
    """

    def __init__(self, store: Store, catalogue: Catalogue, program_id: int, asked: Iterable[tuple[int, date]]):
        self.catalogue = program_catalogue(store, catalogue, program_id)
        self.months = program_settings(store, program_id)["period_months"]
        self._asked = {(int(person), day) for person, day in asked}
        self._pairs = _pairs_to_rate(store, self._asked, self.months)
        people = {person for person, _ in self._asked}
        self._answers = _answers_of(store, people)
        self._cohorts = _cohort_names(store, people | {p.mentee_id for pairs in self._pairs.values() for p in pairs})
        self._decided: dict[tuple[Viewer, date], list[DueAssessment]] = {}

    def of(self, viewer: Viewer, today: date) -> list[DueAssessment]:
        """What `viewer` (one of the people asked) is asked to fill in for the period of `today` (one of
        the days asked for them), as due_assessments says. Decided once per viewer and day."""
        if (viewer, today) not in self._decided:
            self._decided[viewer, today] = self._decide(viewer, today)
        return list(self._decided[viewer, today])

    def _decide(self, viewer: Viewer, today: date) -> list[DueAssessment]:
        if (viewer.person_id, today) not in self._asked:
            raise KeyError(f"person {viewer.person_id} as of {today} was not fetched")
        period = period_start(today, self.months)
        pairs = self._pairs.get((viewer.person_id, today), [])
        answers = self._answers.get(viewer.person_id, {})
        due: list[DueAssessment] = []
        for instrument in self.catalogue.instruments:
            if not any(viewer.has(role) for role in instrument.respondent):
                continue
            ended = instrument.cadence == "pair-start-end"
            for subject_id, subject_name, pair in _subjects(instrument, viewer, pairs if ended else _running(pairs)):
                if not _for_cohorts(instrument, viewer, subject_id, pair, self._cohorts):
                    continue
                pair_id = pair.pair_id if pair else None
                due.append(
                    DueAssessment(
                        instrument.id,
                        instrument.title,
                        instrument.about,
                        subject_id,
                        subject_name,
                        pair_id,
                        period,
                        _answer_that_counts(
                            instrument.cadence, answers.get((instrument.id, subject_id, pair_id or 0), []), period, pair
                        ),
                    )
                )
        return due


def _pairs_to_rate(store: Store, asked: Iterable[tuple[int, date]], months: int) -> dict[tuple[int, date], list[PairToRate]]:
    """The pairs to rate of each (person, day) asked, in one query: the person's current pairs (`running`,
    by start date), then those ended since the previous period began (by end date)."""
    asked = list(asked)
    running = current_pair("pr", "a.today")
    # The people named on each side (one by one for PostgreSQL, which then reads only their pairs: pair_people,
    # migration 014; one list on a DuckDB file: sql_fragments.listed_limit).
    people, people_params = in_list("person", sorted({person for person, _ in asked}), listed_limit(store.backend))
    rows = store.query_all(
        f"""
        WITH a AS (SELECT unnest($people) AS person_id, unnest($days::DATE[]) AS today, unnest($previous::DATE[]) AS previous),
        -- each pair once from each side: an equi-join (joining on "person is mentor or mentee" took 3x as long)
        sides AS (
            SELECT *, mentor_id AS person_id FROM pair_people WHERE mentor_id IN ({people})
            UNION ALL
            SELECT *, mentee_id AS person_id FROM pair_people WHERE mentee_id IN ({people})
        )
        SELECT a.person_id, a.today, pr.pair_id, pr.mentor_id, pr.mentee_id, pr.mentor_name, pr.mentee_name,
               {running} AS running, pr.ended_on
        FROM a JOIN sides pr USING (person_id)
        WHERE pr.mentor_active AND pr.mentee_active AND ({running} OR (pr.ended_on >= a.previous AND pr.ended_on <= a.today))
        ORDER BY a.person_id, a.today, running DESC, CASE WHEN running THEN pr.started_on ELSE pr.ended_on END, pr.pair_id
        """,
        {
            "people": [person for person, _ in asked],
            "days": [day for _, day in asked],
            "previous": [period_start(period_start(day, months) - timedelta(days=1), months) for _, day in asked],
            **people_params,
        },
    )
    pairs: dict[tuple[int, date], list[PairToRate]] = {}
    for person, day, *pair in rows:
        pairs.setdefault((person, day), []).append(PairToRate(*pair))
    return pairs


def _running(pairs: list[PairToRate]) -> list[PairToRate]:
    return [pair for pair in pairs if pair.running]


def _answers_of(store: Store, people: set[int]) -> dict[int, dict[tuple[str, int, int], list[tuple[date, datetime]]]]:
    """Every answer the people gave, in one query: per respondent, (instrument, subject, pair or 0) ->
    (period, latest submission of that period)."""
    # Named one by one for PostgreSQL, one list on a DuckDB file (sql_fragments.listed_limit).
    respondents, params = in_list("person", sorted(people), listed_limit(store.backend))
    rows = store.query_all(
        f"""
        SELECT respondent_id, instrument_id, subject_id, coalesce(pair_id, 0) AS pair_key, period_start, max(submitted_at)
        FROM assessments WHERE respondent_id IN ({respondents})
        GROUP BY ALL
        """,
        params,
    )
    answers: dict[int, dict[tuple[str, int, int], list[tuple[date, datetime]]]] = {}
    for respondent, instrument_id, subject_id, pair_key, start, submitted_at in rows:
        answers.setdefault(respondent, {}).setdefault((instrument_id, subject_id, pair_key), []).append((start, submitted_at))
    return answers


def _cohort_names(store: Store, person_ids: set) -> dict[int, str]:
    people, params = in_list("person", sorted(int(i) for i in person_ids), listed_limit(store.backend))
    rows = store.query_all(
        f"SELECT p.person_id, c.name FROM people p JOIN cohorts c USING (cohort_id) WHERE p.person_id IN ({people})", params
    )
    return {int(person): name for person, name in rows}


def _for_cohorts(instrument: Instrument, viewer: Viewer, subject_id: int, pair: PairToRate | None, cohorts: dict) -> bool:
    """An instrument that names cohorts is asked only about, or of, a fellow of one of them: the pair's
    mentee, or the fellow answering about themselves. A mentor's self-assessment has no fellow in it."""
    if not instrument.cohorts:
        return True
    if pair is not None:
        fellow = pair.mentee_id
    elif viewer.has("fellow") and "fellow" in instrument.respondent:
        fellow = subject_id
    else:
        return True
    return cohorts.get(fellow) in instrument.cohorts


def _answer_that_counts(
    cadence: str, answers: list[tuple[date, datetime]], period: date, pair: PairToRate | None
) -> datetime | None:
    if cadence == "period":
        answers = [answer for answer in answers if answer[0] == period]
    elif cadence == "yearly":
        answers = [answer for answer in answers if answer[0].year == period.year]
    elif cadence == "pair-start-end" and pair is not None and pair.ended_on is not None:
        answers = [answer for answer in answers if answer[1].date() >= pair.ended_on]
    return max((submitted_at for _, submitted_at in answers), default=None)


def _subjects(instrument: Instrument, viewer: Viewer, pairs: list[PairToRate]):
    """Whom the viewer rates with this instrument, and in which pair: themselves (no pair), or the other
    side of each pair."""
    if instrument.about == "self":
        if any(viewer.has(role) for role in instrument.respondent):
            yield viewer.person_id, "yourself", None
        return
    for pair in pairs:
        viewer_is_mentor = pair.mentor_id == viewer.person_id
        if instrument.about == "mentee" and viewer_is_mentor and viewer.has("mentor"):
            yield pair.mentee_id, pair.mentee_name, pair
        elif instrument.about == "mentor" and not viewer_is_mentor and viewer.has("fellow"):
            yield pair.mentor_id, pair.mentor_name, pair
        elif instrument.about == "pair" and viewer.has("mentor" if viewer_is_mentor else "fellow"):
            other = pair.mentee_name if viewer_is_mentor else pair.mentor_name
            yield (pair.mentee_id if viewer_is_mentor else pair.mentor_id), other, pair


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
        instrument = program_catalogue(store, catalogue, viewer.program_id).get(instrument_id)
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
            stored_nothing(cur)  # a double click: no cached read changes
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
        return store.write(store_it, touches=touched(viewer.program_id, "assessments", people=[viewer.person_id, subject_id]))
    except duckdb.ConstraintException:
        # Two clicks raced past the check above; the first one's row is the answer.
        row = store.query_one("SELECT assessment_id FROM assessments WHERE submission_key = $key", {"key": submission_key})
        if row is None:
            raise
        return Submission(row[0], duplicate=True)


def _check_subject(store, instrument, viewer, subject_id, pair_id, today) -> tuple[int, int | None]:
    months = program_settings(store, viewer.program_id)["period_months"]
    pairs = _pairs_to_rate(store, [(viewer.person_id, today)], months).get((viewer.person_id, today), [])
    if instrument.about == "self":
        if subject_id not in (None, viewer.person_id) or pair_id is not None:
            raise AccessDenied("A self-assessment is about yourself.")
        return _asked_of_cohort(store, instrument, viewer, viewer.person_id, None, pairs)
    if instrument.cadence != "pair-start-end":  # only an instrument asked at a pair's end rates a pair just ended
        pairs = _running(pairs)
    for subject, _, pair in _subjects(instrument, viewer, pairs):
        if pair.pair_id == pair_id and subject_id in (None, subject):
            return _asked_of_cohort(store, instrument, viewer, subject, pair, pairs)
    raise AccessDenied("You can only rate people you are currently paired with.")


def _asked_of_cohort(store, instrument, viewer, subject_id: int, pair: PairToRate | None, pairs) -> tuple[int, int | None]:
    """(subject, pair) when the instrument is asked of that fellow's cohort (as due_assessments asks it)."""
    cohorts = _cohort_names(store, {viewer.person_id, *(p.mentee_id for p in pairs)})
    if not _for_cohorts(instrument, viewer, subject_id, pair, cohorts):
        raise AccessDenied(f"'{instrument.title}' is not asked of this cohort.")
    return subject_id, pair.pair_id if pair else None


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


@personal_reads("assessments")
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
        "subject_id = $subject AND respondent_id = $subject AND list_contains($ids, instrument_id)", "$before", few=True
    )
    frame = store.query_df(
        f"""
        SELECT a.instrument_id, a.instrument_version, a.period_start, a.submitted_at, r.item_id, r.rating
        FROM ({standing}) a JOIN {responses_where("subject_id = $subject AND respondent_id = $subject")} r USING (assessment_id)
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


def with_subscale_means(frame: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """`frame` (rows of item ratings labelled by label_ratings) with one more row per subscale where an
    instrument has subscales: the mean of its items' ratings in the same assessment or view, with the
    item id SUBSCALE_PREFIX + name, for charts that show subscale means beside items.

    The means come after the rows, instrument by instrument in the catalogue's order, subscale by subscale,
    each group where it first comes; all of them in one grouping (one per subscale took 30 ms each on a
    person's few hundred ratings).
    """
    subscales: list[tuple[Instrument, str]] = []  # (instrument, subscale) in the order their means come
    place: dict[tuple[str, str], int] = {}  # (instrument id, item id) -> its subscale's place in `subscales`
    for instrument in catalogue.instruments:
        for name in instrument.subscales:
            place.update(((instrument.id, item.id), len(subscales)) for item in instrument.subscale_items(name))
            subscales.append((instrument, name))
    if not place or frame.empty:
        return frame
    found = [place.get(key) for key in zip(frame["instrument_id"], frame["item_id"], strict=True)]
    rows = frame[[subscale is not None for subscale in found]]
    if rows.empty:
        return frame
    rows = rows.assign(_subscale=[subscale for subscale in found if subscale is not None])
    fixed = ("item_id", "rating", "quality", "instrument_version", "submitted_at")
    keys = [column for column in frame.columns if column not in fixed]
    extra = {column: (column, "max") for column in ("instrument_version", "submitted_at") if column in rows}
    means = rows.groupby([*keys, "_subscale"], dropna=False, sort=False).agg(rating=("rating", "mean"), **extra).reset_index()
    means = means.sort_values("_subscale", kind="stable")
    means["rating"] = means["rating"].round(2)
    means["item_id"] = [SUBSCALE_PREFIX + subscales[subscale][1] for subscale in means["_subscale"]]
    means["quality"] = [
        subscales[subscale][0].row_label(SUBSCALE_PREFIX + subscales[subscale][1]) for subscale in means["_subscale"]
    ]
    return pd.concat([frame, means[frame.columns]], ignore_index=True)


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
