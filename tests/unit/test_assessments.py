"""Submitting assessments and reading them back, on the demo program."""

import uuid
from dataclasses import dataclass, replace
from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.assessments import (
    MAX_COMMENT,
    due_assessments,
    latest_snapshot,
    rating_history,
    submit_assessment,
    with_subscale_means,
)
from analytics.errors import AccessDenied, InputError
from analytics.feedback import views_of_mentor
from analytics.instruments import SUBSCALE_PREFIX, Catalogue, load_catalogue
from analytics.people import Viewer, active_pairs, load_viewer
from analytics.registry import register_catalogue
from analytics.store import Store
from demo import DEMO_ACCOUNTS
from tests.conftest import NOW, TODAY

pytestmark = pytest.mark.both_backends  # store, access and write tests run on DuckDB and PostgreSQL

CURRENT_PERIOD = date(2026, 10, 1)  # the quarter that holds TODAY (2026-11-26)
MENTEE_ITEMS = [
    "positive-attitude",
    "academic-growth",
    "willing-to-learn",
    "receptive-to-feedback",
    "learns-from-others",
    "asks-questions",
    "says-when-help-needed",
    "earns-benefits",
    "accepts-mentor-limits",
]


@dataclass
class Demo:
    store: Store
    catalogue: Catalogue
    fellow: Viewer  # the demo fellow: mentee-self still to do this period
    mentor: Viewer  # one of the demo fellow's current mentors
    pair_id: int  # the pair of those two
    other_mentor_id: int  # a mentor the demo fellow is not paired with
    other_pair_id: int  # a pair of that mentor with someone else
    other_fellow_id: int


@pytest.fixture
def demo(demo_store) -> Demo:
    catalogue = register_catalogue(demo_store, load_catalogue(), NOW)
    fellow_id = _person(demo_store, DEMO_ACCOUNTS["fellow"])
    pairs = active_pairs(demo_store, fellow_id, TODAY)
    pairs = pairs[pairs["mentee_id"] == fellow_id]
    mentor_id, pair_id = int(pairs["mentor_id"].iloc[0]), int(pairs["pair_id"].iloc[0])
    other_mentor_id, other_pair_id, other_fellow_id = demo_store.query_one(
        """
        SELECT pr.mentor_id, pr.pair_id, pr.mentee_id
        FROM pairs pr JOIN person_roles r ON r.person_id = pr.mentor_id AND r.role = 'mentor'
        WHERE pr.mentee_id <> ? AND pr.ended_on IS NULL AND pr.started_on <= ?
          AND pr.mentor_id NOT IN (SELECT mentor_id FROM pairs WHERE mentee_id = ?)
        ORDER BY pr.pair_id LIMIT 1
        """,
        [fellow_id, TODAY, fellow_id],
    )
    return Demo(
        demo_store,
        catalogue,
        load_viewer(demo_store, fellow_id),
        load_viewer(demo_store, mentor_id),
        pair_id,
        other_mentor_id,
        other_pair_id,
        other_fellow_id,
    )


def _person(store: Store, email: str) -> int:
    return store.query_one("SELECT person_id FROM people WHERE email = ?", [email])[0]


def _key() -> str:
    return uuid.uuid4().hex


def _counts(store: Store) -> tuple[int, int]:
    return (store.query_one("SELECT count(*) FROM assessments")[0], store.query_one("SELECT count(*) FROM responses")[0])


def _ratings(first: int = 1) -> dict[str, int]:
    """A different rating per item, so a mix-up between items shows."""
    return {item: (index + first) % 5 + 1 for index, item in enumerate(MENTEE_ITEMS)}


def _submit(demo: Demo, ratings=None, instrument_id="mentee-self", viewer=None, **extra):
    extra.setdefault("submission_key", _key())
    extra.setdefault("today", TODAY)
    extra.setdefault("now", NOW)
    return submit_assessment(
        demo.store, demo.catalogue, viewer or demo.fellow, instrument_id, _ratings() if ratings is None else ratings, **extra
    )


def _stored_ratings(store: Store, assessment_id: int) -> dict[str, int]:
    return dict(store.query_all("SELECT item_id, rating FROM responses WHERE assessment_id = ?", [assessment_id]))


def _current_self_ratings(demo: Demo) -> dict[str, int]:
    history = rating_history(demo.store, demo.catalogue, demo.fellow, demo.fellow.person_id)
    rows = history[(history["instrument_id"] == "mentee-self") & (history["period_start"] == pd.Timestamp(CURRENT_PERIOD))]
    return dict(zip(rows["item_id"], rows["rating"].astype(int), strict=True))


# ---------------------------------------------------------------- what is due


def test_the_demo_fellow_has_mentee_self_due_and_not_done(demo):
    due = due_assessments(demo.store, demo.catalogue, demo.fellow, TODAY)
    [mentee_self] = [d for d in due if d.instrument_id == "mentee-self"]
    assert not mentee_self.done
    assert mentee_self.period_start == CURRENT_PERIOD
    assert mentee_self.subject_id == demo.fellow.person_id
    assert mentee_self.pair_id is None
    # a fellow is not asked for the mentor's instruments
    assert not {d.instrument_id for d in due} & {"mentor-self", "mentee-by-mentor"}
    # and rates each current mentor
    about_mentors = {(d.subject_id, d.pair_id) for d in due if d.instrument_id == "mentor-by-mentee"}
    assert (demo.mentor.person_id, demo.pair_id) in about_mentors
    assert demo.other_mentor_id not in {subject for subject, _ in about_mentors}


def test_a_mentor_is_asked_about_each_mentee(demo):
    due = due_assessments(demo.store, demo.catalogue, demo.mentor, TODAY)
    about_mentees = {(d.subject_id, d.pair_id) for d in due if d.instrument_id == "mentee-by-mentor"}
    assert (demo.fellow.person_id, demo.pair_id) in about_mentees
    assert [d.subject_id for d in due if d.instrument_id == "mentor-self"] == [demo.mentor.person_id]
    assert "mentee-self" not in {d.instrument_id for d in due}


def test_submitting_marks_it_done_and_shows_in_the_history_at_once(demo):
    assert _current_self_ratings(demo) == {}  # the demo leaves this period to do

    ratings = _ratings()
    submission = _submit(demo, ratings)

    assert not submission.duplicate
    due = due_assessments(demo.store, demo.catalogue, demo.fellow, TODAY)
    [mentee_self] = [d for d in due if d.instrument_id == "mentee-self"]
    assert mentee_self.done
    assert mentee_self.submitted_at == NOW
    assert _current_self_ratings(demo) == ratings
    assert _stored_ratings(demo.store, submission.assessment_id) == ratings
    history = rating_history(demo.store, demo.catalogue, demo.fellow, demo.fellow.person_id)
    assert set(history.loc[history["period_start"] == pd.Timestamp(CURRENT_PERIOD), "period"]) == {"2026 Q4"}


def test_the_same_submission_key_twice_stores_one_assessment(demo):
    before = _counts(demo.store)
    key = _key()
    first = _submit(demo, _ratings(), submission_key=key)
    second = _submit(demo, _ratings(first=3), submission_key=key, now=NOW + timedelta(seconds=2))

    assert not first.duplicate
    assert second.duplicate
    assert second.assessment_id == first.assessment_id
    assert _counts(demo.store) == (before[0] + 1, before[1] + len(MENTEE_ITEMS))
    assert demo.store.query_one("SELECT count(*) FROM assessments WHERE submission_key = ?", [key])[0] == 1
    assert _current_self_ratings(demo) == _ratings()  # the first one's answers


def test_a_correction_counts_and_the_first_answer_stays(demo):
    first = _submit(demo, _ratings(first=0))
    correction = _submit(demo, _ratings(first=2), now=NOW + timedelta(hours=1))

    assert correction.assessment_id != first.assessment_id
    assert _current_self_ratings(demo) == _ratings(first=2)
    rows = demo.store.query_all(
        "SELECT assessment_id FROM assessments WHERE respondent_id = ? AND instrument_id = 'mentee-self' AND period_start = ?",
        [demo.fellow.person_id, CURRENT_PERIOD],
    )
    assert sorted(row[0] for row in rows) == sorted([first.assessment_id, correction.assessment_id])
    assert _stored_ratings(demo.store, first.assessment_id) == _ratings(first=0)


@pytest.mark.parametrize(
    ("instrument_id", "by_mentor", "explicit_subject"),
    [
        ("mentor-by-mentee", False, False),
        ("mentor-by-mentee", False, True),
        ("mentee-by-mentor", True, True),
        ("process-steps", False, False),
        ("process-steps", True, True),
    ],
)
def test_a_pair_member_rates_the_other_side(demo, instrument_id, by_mentor, explicit_subject):
    viewer, subject = (demo.mentor, demo.fellow) if by_mentor else (demo.fellow, demo.mentor)
    ratings = {item.id: 4 for item in demo.catalogue.get(instrument_id).items}
    extra = {"subject_id": subject.person_id} if explicit_subject else {}
    submission = _submit(demo, ratings, instrument_id=instrument_id, viewer=viewer, pair_id=demo.pair_id, **extra)
    row = demo.store.query_one(
        "SELECT respondent_id, subject_id, pair_id, period_start FROM assessments WHERE assessment_id = ?",
        [submission.assessment_id],
    )
    assert row == (viewer.person_id, subject.person_id, demo.pair_id, CURRENT_PERIOD)
    assert _stored_ratings(demo.store, submission.assessment_id) == ratings
    due = due_assessments(demo.store, demo.catalogue, viewer, TODAY)
    [entry] = [d for d in due if d.instrument_id == instrument_id and d.pair_id == demo.pair_id]
    assert entry.done


# ---------------------------------------------------------------- refused submissions store nothing


def _with(**changes):
    def ratings():
        values = _ratings()
        values.update(changes)
        return values

    return ratings


def _without(item):
    def ratings():
        values = _ratings()
        del values[item]
        return values

    return ratings


REFUSED = [
    ("rating-0", lambda d: {"ratings": _with(**{"asks-questions": 0})()}, InputError),
    ("rating-6", lambda d: {"ratings": _with(**{"asks-questions": 6})()}, InputError),
    ("rating-negative", lambda d: {"ratings": _with(**{"asks-questions": -1})()}, InputError),
    ("rating-as-text", lambda d: {"ratings": _with(**{"asks-questions": "3"})()}, InputError),
    ("rating-3.5", lambda d: {"ratings": _with(**{"asks-questions": 3.5})()}, InputError),
    ("rating-nan", lambda d: {"ratings": _with(**{"asks-questions": float("nan")})()}, InputError),
    ("rating-inf", lambda d: {"ratings": _with(**{"asks-questions": float("inf")})()}, InputError),
    ("rating-True", lambda d: {"ratings": _with(**{"asks-questions": True})()}, InputError),
    ("rating-None", lambda d: {"ratings": _with(**{"asks-questions": None})()}, InputError),
    ("missing-item", lambda d: {"ratings": _without("earns-benefits")()}, InputError),
    ("no-ratings", lambda d: {"ratings": {}}, InputError),
    ("ratings-not-a-dict", lambda d: {"ratings": [5] * 9}, InputError),
    ("unknown-item", lambda d: {"ratings": _with(**{"brings-coffee": 3})()}, InputError),
    ("comment-2001-characters", lambda d: {"comment": "x" * (MAX_COMMENT + 1)}, InputError),
    ("comment-with-NUL", lambda d: {"comment": "fine\x00 until here"}, InputError),
    ("comment-with-escape", lambda d: {"comment": "red \x1b[31m text"}, InputError),
    ("comment-not-text", lambda d: {"comment": 42}, InputError),
    ("submission-key-too-short", lambda d: {"submission_key": "abc"}, InputError),
    ("unknown-instrument", lambda d: {"instrument_id": "no-such-instrument"}, InputError),
    ("fellow-submits-mentor-self", lambda d: {"instrument_id": "mentor-self"}, AccessDenied),
    (
        "fellow-rates-an-unpaired-mentor",
        lambda d: {
            "instrument_id": "mentor-by-mentee",
            "ratings": {item: 3 for item in _mentor_items(d)},
            "subject_id": d.other_mentor_id,
            "pair_id": d.other_pair_id,
        },
        AccessDenied,
    ),
    (
        "fellow-rates-an-unpaired-mentor-through-own-pair",
        lambda d: {
            "instrument_id": "mentor-by-mentee",
            "ratings": {item: 3 for item in _mentor_items(d)},
            "subject_id": d.other_mentor_id,
            "pair_id": d.pair_id,
        },
        AccessDenied,
    ),
    (
        "fellow-rates-a-mentor-without-a-pair",
        lambda d: {"instrument_id": "mentor-by-mentee", "ratings": {item: 3 for item in _mentor_items(d)}},
        AccessDenied,
    ),
    ("self-assessment-about-another-person", lambda d: {"subject_id": d.other_fellow_id}, AccessDenied),
    ("self-assessment-with-a-pair", lambda d: {"pair_id": d.pair_id}, AccessDenied),
]


def _mentor_items(demo: Demo) -> list[str]:
    return [item.id for item in demo.catalogue.get("mentor-by-mentee").items]


@pytest.mark.parametrize(("case", "arguments", "error"), REFUSED, ids=[case for case, _, _ in REFUSED])
def test_a_refused_submission_stores_nothing(demo, case, arguments, error):
    before = _counts(demo.store)
    with pytest.raises(error):
        _submit(demo, **arguments(demo))
    assert _counts(demo.store) == before


def test_refusals_are_sentences_for_a_person(demo):
    with pytest.raises(InputError, match="Rate every item") as raised:
        _submit(demo, _without("earns-benefits")())
    assert "Does not expect unearned benefits" in str(raised.value)
    with pytest.raises(InputError, match="1 to 5"):
        _submit(demo, _with(**{"asks-questions": 6})())


# ---------------------------------------------------------------- comments


@pytest.mark.parametrize(
    "text",
    [
        "Grew a lot this quarter \U0001f469\U0001f3fd\u200d\u2695\ufe0f\U0001f389",
        "\u062a\u0642\u062f\u0645 \u062c\u064a\u062f \u0641\u064a \u0627\u0644\u0628\u062d\u062b",  # Arabic, right to left
        "\u05d4\u05ea\u05e7\u05d3\u05de\u05d5\u05ea \u05d8\u05d5\u05d1\u05d4 (mixed \u05e2\u05d1\u05e8\u05d9\u05ea and English)",
        "<script>alert('x')</script> & <b>bold</b> \"quoted\" 'single'; DROP TABLE responses; --",
        "line one\nline two\twith a tab",
        "y" * MAX_COMMENT,
    ],
    ids=["emoji", "arabic", "hebrew-mixed", "html-and-sql", "newline-and-tab", "exactly-the-limit"],
)
def test_a_comment_is_stored_exactly_trimmed(demo, text):
    submission = _submit(demo, comment=f"  \n {text} \t\n")
    stored = demo.store.query_one("SELECT comment FROM assessments WHERE assessment_id = ?", [submission.assessment_id])[0]
    assert stored == text
    assert demo.store.query_one("SELECT count(*) FROM responses")[0] > 0  # the SQL-looking text did nothing


def test_a_blank_comment_is_no_comment(demo):
    submission = _submit(demo, comment="   \n ")
    assert demo.store.query_one("SELECT comment FROM assessments WHERE assessment_id = ?", [submission.assessment_id]) == (None,)


# ---------------------------------------------------------------- reading back


def test_rating_history_of_another_person_is_refused(demo):
    with pytest.raises(AccessDenied):
        rating_history(demo.store, demo.catalogue, demo.fellow, demo.other_fellow_id)
    # A mentor who was never paired with the fellow sees nothing, whatever the fellow shares.
    with pytest.raises(AccessDenied):
        rating_history(demo.store, demo.catalogue, load_viewer(demo.store, demo.other_mentor_id), demo.fellow.person_id)


def test_rating_history_holds_only_the_subjects_own_self_assessments(demo):
    history = rating_history(demo.store, demo.catalogue, demo.fellow, demo.fellow.person_id)
    assert not history.empty
    assert set(history["instrument_id"]) == {"mentee-self"}
    assert set(history["item_id"]) == set(MENTEE_ITEMS)
    # one counted rating per item and period
    assert not history.duplicated(["instrument_id", "item_id", "period_start"]).any()
    labels = {item.id: item.measures for item in demo.catalogue.get("mentee-self").items}
    assert (history["quality"] == history["item_id"].map(labels)).all()


def _history_row(instrument_id, item_id, quality, day, rating):
    start = pd.Timestamp(day)
    return {
        "instrument_id": instrument_id,
        "instrument": instrument_id.title(),
        "item_id": item_id,
        "quality": quality,
        "period_start": start,
        "period": f"{start.year} Q{(start.month - 1) // 3 + 1}",
        "rating": rating,
    }


def test_latest_snapshot_takes_first_and_latest_by_period():
    history = pd.DataFrame(
        [
            # deliberately not in period order
            _history_row("mentee-self", "asks-questions", "Asks questions", "2026-07-01", 4),
            _history_row("mentee-self", "asks-questions", "Asks questions", "2026-01-01", 2),
            _history_row("mentee-self", "asks-questions", "Asks questions", "2026-04-01", 5),
            _history_row("mentee-self", "patient-ish", "Patience", "2026-04-01", 3),
            _history_row("mentee-self", "patient-ish", "Patience", "2026-10-01", 1),
            _history_row("mentor-self", "asks-questions", "Asks questions", "2026-10-01", 3),
        ]
    )
    snapshot = latest_snapshot(history).set_index(["instrument_id", "item_id"])
    assert len(snapshot) == 3
    asks = snapshot.loc[("mentee-self", "asks-questions")]
    assert (asks["first"], asks["latest"], asks["change"], asks["latest_period"]) == (2, 4, 2, "2026 Q3")
    patience = snapshot.loc[("mentee-self", "patient-ish")]
    assert (patience["first"], patience["latest"], patience["change"], patience["latest_period"]) == (3, 1, -2, "2026 Q4")
    single = snapshot.loc[("mentor-self", "asks-questions")]
    assert (single["first"], single["latest"], single["change"]) == (3, 3, 0)


def test_latest_snapshot_of_no_history_is_empty():
    empty = pd.DataFrame(columns=["instrument_id", "instrument", "item_id", "quality", "period_start", "period", "rating"])
    snapshot = latest_snapshot(empty)
    assert snapshot.empty
    assert {"first", "latest", "change"} <= set(snapshot.columns)


# ---------------------------------------------------------------- property: all or nothing

_VALID = st.fixed_dictionaries({item: st.integers(1, 5) for item in MENTEE_ITEMS})
_ANY = st.dictionaries(
    st.one_of(st.sampled_from(MENTEE_ITEMS), st.sampled_from(["brings-coffee", "", "ASKS-QUESTIONS"])),
    st.integers(-3, 9),
    max_size=12,
)
_NEARLY = _VALID.flatmap(
    lambda valid: st.tuples(st.sampled_from(MENTEE_ITEMS), st.integers(-2, 8)).map(lambda change: {**valid, change[0]: change[1]})
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ratings=st.one_of(_VALID, _ANY, _NEARLY))
def test_submit_stores_all_nine_ratings_or_nothing(demo, ratings):
    before = _counts(demo.store)
    acceptable = set(ratings) == set(MENTEE_ITEMS) and all(1 <= value <= 5 for value in ratings.values())
    try:
        submission = _submit(demo, ratings)
    except InputError:
        assert not acceptable, ratings
        assert _counts(demo.store) == before
        return
    assert acceptable, ratings
    assert _counts(demo.store) == (before[0] + 1, before[1] + len(MENTEE_ITEMS))
    assert _stored_ratings(demo.store, submission.assessment_id) == ratings


# ---------------------------------------------------------------- how often each instrument is asked


def _with_instrument(demo: Demo, base_id: str, **changes) -> Catalogue:
    """The demo's catalogue plus a copy of `base_id` under the id 'program-copy' with `changes`."""
    copy = replace(demo.catalogue.get(base_id), id="program-copy", shipped=False, **changes)
    return Catalogue((*demo.catalogue.instruments, copy))


def _due_copy(demo: Demo, catalogue: Catalogue, viewer: Viewer, day: date) -> list:
    return [d for d in due_assessments(demo.store, catalogue, viewer, day) if d.instrument_id == "program-copy"]


def _submit_copy(demo: Demo, catalogue: Catalogue, day: date, viewer=None, ratings=None, **extra):
    return submit_assessment(
        demo.store,
        catalogue,
        viewer or demo.fellow,
        "program-copy",
        _ratings() if ratings is None else ratings,
        today=day,
        now=NOW.replace(year=day.year, month=day.month, day=day.day),
        submission_key=_key(),
        **extra,
    )


def test_a_yearly_instrument_is_due_once_a_year(demo):
    catalogue = _with_instrument(demo, "mentee-self", cadence="yearly")
    january, may, next_january = date(2026, 1, 15), date(2026, 5, 2), date(2027, 1, 10)
    [before] = _due_copy(demo, catalogue, demo.fellow, january)
    assert not before.done
    _submit_copy(demo, catalogue, january)
    # Done in every later period of that year, though asked in January's.
    assert _due_copy(demo, catalogue, demo.fellow, may)[0].done
    assert _due_copy(demo, catalogue, demo.fellow, TODAY)[0].done
    # Due again the next year; an every-period instrument, answered the same day, is due again next quarter.
    assert not _due_copy(demo, catalogue, demo.fellow, next_january)[0].done
    every = _with_instrument(demo, "mentee-self")
    assert not _due_copy(demo, every, demo.fellow, may)[0].done


def test_a_once_instrument_stays_done(demo):
    catalogue = _with_instrument(demo, "mentee-self", cadence="once")
    assert not _due_copy(demo, catalogue, demo.fellow, date(2025, 3, 1))[0].done
    _submit_copy(demo, catalogue, date(2025, 3, 1))
    assert _due_copy(demo, catalogue, demo.fellow, TODAY)[0].done


def test_an_instrument_for_chosen_cohorts_is_asked_only_of_their_fellows(demo):
    cohort = demo.store.query_one(
        "SELECT c.name FROM people p JOIN cohorts c USING (cohort_id) WHERE p.person_id = ?", [demo.fellow.person_id]
    )[0]
    mine = _with_instrument(demo, "mentee-self", cohorts=(cohort,))
    other = _with_instrument(demo, "mentee-self", cohorts=("A cohort of nobody",))
    assert len(_due_copy(demo, mine, demo.fellow, TODAY)) == 1
    assert _due_copy(demo, other, demo.fellow, TODAY) == []
    # A mentor is asked about a mentee only where the mentee's cohort is named.
    about_mentee = _with_instrument(demo, "mentee-by-mentor", cohorts=(cohort,))
    subjects = {d.subject_id for d in _due_copy(demo, about_mentee, demo.mentor, TODAY)}
    assert demo.fellow.person_id in subjects
    assert all(_cohort(demo, subject) == cohort for subject in subjects)
    # What is not asked cannot be answered either, and nothing is stored.
    before = demo.store.query_one("SELECT count(*) FROM assessments")[0]
    with pytest.raises(AccessDenied, match="not asked of this cohort"):
        _submit_copy(demo, other, TODAY)
    assert demo.store.query_one("SELECT count(*) FROM assessments")[0] == before
    _submit_copy(demo, mine, TODAY)  # the fellow's own cohort is asked


def _cohort(demo: Demo, person_id: int) -> str:
    return demo.store.query_one(
        "SELECT c.name FROM people p JOIN cohorts c USING (cohort_id) WHERE p.person_id = ?", [person_id]
    )[0]


def test_a_rating_given_at_a_pairs_end_never_reaches_the_former_mentor(demo):
    """Asked at a pair's end, a fellow's signed rating of the mentor is stored for the fellow, but like every
    record made after a pair ended it does not reach the former mentor, even once its period has closed."""
    catalogue = _with_instrument(demo, "mentor-by-mentee", cadence="pair-start-end")
    ratings = {item.id: 1 for item in catalogue.get("program-copy").items}
    ended = date(2027, 2, 1)
    demo.store.write(lambda cur: cur.execute("UPDATE pairs SET ended_on = ? WHERE pair_id = ?", [ended, demo.pair_id]))
    _submit_copy(demo, catalogue, ended, ratings=ratings, pair_id=demo.pair_id, subject_id=demo.mentor.person_id, signed=True)
    after_its_period = date(2027, 9, 1)
    seen = views_of_mentor(demo.store, catalogue, demo.mentor, demo.mentor.person_id, after_its_period, "program-copy")
    assert not seen["view"].str.startswith("Signed").any(), seen


def test_a_pair_instrument_is_asked_at_the_start_and_again_at_the_end(demo):
    catalogue = _with_instrument(demo, "mentor-by-mentee", cadence="pair-start-end")
    ratings = {item.id: 3 for item in catalogue.get("program-copy").items}
    [start] = [d for d in _due_copy(demo, catalogue, demo.fellow, TODAY) if d.pair_id == demo.pair_id]
    assert not start.done
    _submit_copy(demo, catalogue, TODAY, ratings=ratings, pair_id=demo.pair_id, subject_id=demo.mentor.person_id)
    [start] = [d for d in _due_copy(demo, catalogue, demo.fellow, TODAY) if d.pair_id == demo.pair_id]
    assert start.done
    # Still done next quarter, while the pair runs.
    later = date(2027, 2, 1)
    assert [d.done for d in _due_copy(demo, catalogue, demo.fellow, later) if d.pair_id == demo.pair_id] == [True]
    demo.store.write(lambda cur: cur.execute("UPDATE pairs SET ended_on = ? WHERE pair_id = ?", [later, demo.pair_id]))
    [end] = [d for d in _due_copy(demo, catalogue, demo.fellow, later) if d.pair_id == demo.pair_id]
    assert not end.done  # asked again once it has ended
    _submit_copy(demo, catalogue, later, ratings=ratings, pair_id=demo.pair_id, subject_id=demo.mentor.person_id)
    assert [d.done for d in _due_copy(demo, catalogue, demo.fellow, later) if d.pair_id == demo.pair_id] == [True]
    # An every-period instrument is not asked about the ended pair, nor may it be answered.
    assert demo.pair_id not in [
        d.pair_id for d in due_assessments(demo.store, catalogue, demo.fellow, later) if d.instrument_id == "mentor-by-mentee"
    ]
    with pytest.raises(AccessDenied):
        _submit(demo, ratings, "mentor-by-mentee", today=later, pair_id=demo.pair_id, subject_id=demo.mentor.person_id)
    # Long after the end it is no longer asked.
    assert [d for d in _due_copy(demo, catalogue, demo.fellow, date(2027, 9, 1)) if d.pair_id == demo.pair_id] == []


# ---------------------------------------------------------------- subscale means


def _subscale_means_one_by_one(frame: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """with_subscale_means as it was, one grouping per subscale: what the one grouping must give, row for row."""
    parts = [frame]
    fixed = ("item_id", "rating", "quality", "instrument_version", "submitted_at")
    keys = [column for column in frame.columns if column not in fixed]
    for instrument in catalogue.instruments:
        for name in instrument.subscales:
            items = [item.id for item in instrument.subscale_items(name)]
            rows = frame[(frame["instrument_id"] == instrument.id) & frame["item_id"].isin(items)]
            if rows.empty:
                continue
            extra = {column: (column, "max") for column in ("instrument_version", "submitted_at") if column in rows}
            means = rows.groupby(keys, dropna=False, sort=False).agg(rating=("rating", "mean"), **extra).reset_index()
            means["rating"] = means["rating"].round(2)
            means["item_id"] = SUBSCALE_PREFIX + name
            means["quality"] = instrument.row_label(SUBSCALE_PREFIX + name)
            parts.append(means[frame.columns])
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else frame


@pytest.fixture(scope="module")
def two_subscaled(tmp_path_factory) -> Catalogue:
    """The shipped catalogue and two program instruments with subscales (three items, two subscales each)."""
    from tests.unit.test_instruments import cited_instrument, load_instrument, write_instrument

    folder = tmp_path_factory.mktemp("subscaled")
    own = []
    for instrument_id in ("program-a", "program-b"):
        document = cited_instrument(instrument_id)
        document["items"].append(
            {"id": "plans", "text": "My mentor plans with me.", "measures": "Plans", "subscale": "Communication"}
        )
        own.append(load_instrument(write_instrument(folder, f"{instrument_id}.toml", document), shipped=False))
    shipped = load_catalogue()
    return replace(shipped, instruments=(*shipped.instruments, *own))


ratings_rows = st.lists(
    st.tuples(
        st.sampled_from(("program-a", "program-b", "mentee-self")),
        st.sampled_from(("listens", "sets-expectations", "plans", "asks-questions")),
        st.sampled_from((date(2026, 1, 1), date(2026, 4, 1), None)),  # None: a missing key, grouped as one
        st.sampled_from(("Self-view", "Mentor: A", "Mentor: B")),
        st.one_of(st.integers(1, 7), st.floats(1, 7).map(lambda rating: round(rating, 2))),
    ),
    max_size=40,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=ratings_rows, versioned=st.booleans())
def test_subscale_means_in_one_grouping_are_the_rows_one_grouping_per_subscale_gave(two_subscaled, rows, versioned):
    frame = pd.DataFrame(rows, columns=["instrument_id", "item_id", "period_start", "view", "rating"])
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    frame["quality"] = frame["item_id"].str.title()
    if versioned:  # a history's columns: the version and submission time are aggregated, not grouped by
        frame["instrument_version"] = [1 + index % 2 for index in range(len(frame))]
        frame["submitted_at"] = frame["period_start"]
    pd.testing.assert_frame_equal(with_subscale_means(frame, two_subscaled), _subscale_means_one_by_one(frame, two_subscaled))
