"""The director's aggregates against hand-computed answers on a small hand-built program.

The disclosure model (analytics/disclosure.py): participation is administration, shown in full;
protected figures (ratings, goals, outputs, meetings) cover closed periods only and are sums over
whole atoms (same cohort, same answer to each enabled domain cut) of at least the minimum.

The fixture (minimum group size 5, period P = 2026 Q3 the latest closed one, TODAY in CURRENT = 2026 Q4):
- cohort A: 6 fellows, cohort B: 5, cohort C: 4 (under the minimum), cohort D: 10; 5 mentors.
- pairs (typed dates, no pair_log rows, started 2025): mentor i / A fellow i in career (i < 5), so
  A fellow 5 has no career mentor and the career cut (5 and 1) is not enabled; mentor i / D fellow i
  in research (i < 5), so the research cut splits D into 5 and 5 and is enabled.
- mentee-self in P, item positive-attitude: A rates 1, 2, 3, 4, 5, 5; B 3 x5; C 1 x4; D's research
  fellows 5 x5, the other five 2 x5. Item academic-growth: everyone rates 4. Every assessment carries a
  comment that must never show. In CURRENT (open), only A's fellows have submitted (5 on both items).
- mentee-by-mentor in P (no pair id): mentor i rates A fellow i (i < 5) and mentor 0 rates A fellow 5: 4 on both items.
- process-steps in P, career pairs: mentees rate ground-rules 2 (others 4), mentors rate ground-rules 3 (others 5).
- mentor-self in P: mentors 0..2 submit.
- goals (research): A's 6 (2 completed, 2 on track, 2 behind by the end of P), B's 5 (no progress), C's 4;
  plus records made after P's end with back-dated dates, which must not count: a new goal of A fellow 0,
  a check-in putting A fellow 4 on track, A fellow 5's completion.
- outputs, by when recorded: 2026 Q1 5 publications by A fellow 0 alone; 2026 Q2 a publication by
  each of A fellows 1..5 and a presentation by each of D fellows 0..4; P a publication by each B
  fellow (happened in Q1) and 6 presentations by D fellows 0..3; CURRENT one publication (happened in P).
"""

import dataclasses
import io
import random
from datetime import date, datetime, timedelta

import openpyxl
import pandas as pd
import pytest

from analytics import dashboard_aggregates, disclosure, pairs
from analytics.errors import AccessDenied
from analytics.instruments import load_catalogue
from analytics.people import Viewer
from tests.conftest import TODAY

pytestmark = pytest.mark.both_backends  # store, access and write tests run on DuckDB and PostgreSQL

P = date(2026, 7, 1)
CURRENT = date(2026, 10, 1)
CLOSE = CURRENT  # the end of P: records from then on belong to the open period
LAST_DAY = CLOSE - timedelta(days=1)
CREATED = datetime(2025, 1, 1)
SECRET = "SECRET COMMENT never in aggregates"
A, B, C, D = 1, 2, 3, 4
SIZES = {A: 6, B: 5, C: 4, D: 10}
POSITIVE = {A: [1, 2, 3, 4, 5, 5], B: [3] * 5, C: [1] * 4, D: [5] * 5 + [2] * 5}
NAMES = {A: "Cohort A", B: "Cohort B", C: "Cohort C", D: "Cohort D"}


class Program:
    def __init__(self, store):
        self.store = store
        self.fellows: dict[int, list[int]] = {}
        self.mentors: list[int] = []
        self.self_p: dict[int, int] = {}  # fellow -> their mentee-self assessment in P
        self.career_pairs: list[int] = []  # mentor i / A fellow i
        self.research_pairs: list[int] = []  # mentor i / D fellow i
        self.goals: dict[str, list[int]] = {}
        self.outputs: dict[str, list[int]] = {}
        self._next_person = 1
        self._next_assessment = 1
        self.director = None
        self.fellow_viewer = None

    def person(self, cur, name: str, role: str, cohort: int | None = None) -> int:
        pid = self._next_person
        self._next_person += 1
        cur.execute(
            "INSERT INTO people (person_id, program_id, full_name, email, cohort_id, active, created_at)"
            " VALUES (?, 1, ?, ?, ?, true, ?)",
            [pid, name, f"p{pid}@test.org", cohort, CREATED],
        )
        cur.execute("INSERT INTO person_roles VALUES (?, ?)", [pid, role])
        return pid

    def assess(self, cur, instrument: str, respondent: int, subject: int, period: date, ratings: dict, pair_id=None) -> int:
        aid = self._next_assessment
        self._next_assessment += 1
        cur.execute(
            """INSERT INTO assessments (assessment_id, instrument_id, instrument_version, respondent_id, subject_id, pair_id,
                   period_start, submitted_at, comment, submission_key) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?)""",
            [aid, instrument, respondent, subject, pair_id, period, datetime(period.year, period.month, 15), SECRET, f"k{aid}"],
        )
        for item, rating in ratings.items():
            cur.execute("INSERT INTO responses VALUES (?, ?, ?)", [aid, item, rating])
        return aid

    def ids(self, *cohorts: int) -> set[int]:
        """The mentee-self assessments in P of these cohorts' fellows."""
        return {self.self_p[f] for cohort in cohorts for f in self.fellows[cohort]}

    def d_research(self) -> set[int]:
        return {self.self_p[f] for f in self.fellows[D][:5]}


def _goal(cur, owner: int, created_at: datetime) -> int:
    return cur.execute(
        """INSERT INTO goals (owner_id, title, category, measure, target_value, started_on, target_date, created_at)
           VALUES (?, 'Write it', 'research', 'percent', 100, ?, ?, ?) RETURNING goal_id""",
        [owner, date(2026, 1, 1), date(2026, 12, 31), created_at],
    ).fetchone()[0]


def _output(cur, owner: int, kind: str, happened: date, recorded: datetime) -> int:
    return cur.execute(
        "INSERT INTO outputs (owner_id, kind, title, happened_on, recorded_at) VALUES (?, ?, 'It', ?, ?) RETURNING output_id",
        [owner, kind, happened, recorded],
    ).fetchone()[0]


def _build(store) -> Program:
    built = Program(store)

    def work(cur):
        cur.execute("INSERT INTO programs (program_id, name, created_at) VALUES (1, 'Test program', ?)", [CREATED])
        cur.execute("INSERT INTO programs (program_id, name, created_at) VALUES (2, 'Other program', ?)", [CREATED])
        for cohort, name in NAMES.items():
            cur.execute("INSERT INTO cohorts VALUES (?, 1, ?, 2025)", [cohort, name])
        built.director = built.person(cur, "Dana Director", "director")
        for cohort, size in SIZES.items():
            built.fellows[cohort] = [built.person(cur, f"Fellow {cohort}-{i}", "fellow", cohort) for i in range(size)]
        built.mentors = [built.person(cur, f"Mentor {i}", "mentor") for i in range(5)]
        a_fellows, d_fellows = built.fellows[A], built.fellows[D]

        def pair(mentor, mentee, domain):
            return cur.execute(
                "INSERT INTO pairs (program_id, mentor_id, mentee_id, domain, started_on) VALUES (1, ?, ?, ?, ?)"
                " RETURNING pair_id",
                [mentor, mentee, domain, date(2025, 1, 1)],
            ).fetchone()[0]

        built.career_pairs = [pair(built.mentors[i], a_fellows[i], "career") for i in range(5)]
        built.research_pairs = [pair(built.mentors[i], d_fellows[i], "research") for i in range(5)]

        for cohort, ratings in POSITIVE.items():
            for fellow, rating in zip(built.fellows[cohort], ratings, strict=True):
                items = {"positive-attitude": rating, "academic-growth": 4}
                built.self_p[fellow] = built.assess(cur, "mentee-self", fellow, fellow, P, items)
        for fellow in a_fellows:
            built.assess(cur, "mentee-self", fellow, fellow, CURRENT, {"positive-attitude": 5, "academic-growth": 5})
        for i, fellow in enumerate(a_fellows):
            mentor = built.mentors[i % 5]
            built.assess(cur, "mentee-by-mentor", mentor, fellow, P, {"positive-attitude": 4, "academic-growth": 4})
        steps = ["shared-interests", "ground-rules", "planned-meetings", "goals-tracked", "bidirectional-feedback"]
        for i, pair_id in enumerate(built.career_pairs):
            mentor, mentee = built.mentors[i], a_fellows[i]
            built.assess(cur, "process-steps", mentee, mentor, P, {s: 2 if s == "ground-rules" else 4 for s in steps}, pair_id)
            built.assess(cur, "process-steps", mentor, mentee, P, {s: 3 if s == "ground-rules" else 5 for s in steps}, pair_id)
        for mentor in built.mentors[:3]:
            built.assess(cur, "mentor-self", mentor, mentor, P, {"x": 3})

        # Goals, all research, started 2026-01-01, due 2026-12-31 (74.7% of the way on P's last day).
        for cohort in (A, B, C):
            built.goals[NAMES[cohort]] = [_goal(cur, owner, CREATED) for owner in built.fellows[cohort]]
        a_goals = built.goals["Cohort A"]
        for goal in a_goals[:2]:
            completed = [goal, date(2026, 6, 1), datetime(2026, 6, 1)]
            cur.execute("INSERT INTO goal_status_changes VALUES (?, 'completed', NULL, ?, ?)", completed)
        for goal, value in zip(a_goals[2:], (90, 90, 70, 10), strict=True):  # 90 and 70: on track; 10: behind
            cur.execute(
                "INSERT INTO goal_checkins VALUES (?, ?, ?, 'private note', ?)",
                [goal, date(2026, 9, 1), value, datetime(2026, 9, 1)],
            )
        # Recorded after P's end, dated inside it: none of these may count for P.
        late = datetime(2026, 10, 3)
        built.goals["late"] = [_goal(cur, a_fellows[0], late)]
        cur.execute("INSERT INTO goal_checkins VALUES (?, ?, 95, 'private note', ?)", [a_goals[4], date(2026, 9, 20), late])
        cur.execute("INSERT INTO goal_status_changes VALUES (?, 'completed', NULL, ?, ?)", [a_goals[5], date(2026, 9, 25), late])

        # Outputs: the period is the one of recorded_at, whatever happened_on says.
        built.outputs["q1"] = [
            _output(cur, a_fellows[0], "publication", date(2026, 1, 5), datetime(2026, 1, 10 + i)) for i in range(5)
        ]
        built.outputs["q2"] = [
            _output(cur, owner, "publication", date(2026, 4, 5), datetime(2026, 4, 10)) for owner in a_fellows[1:]
        ]
        built.outputs["q2-presentation"] = [
            _output(cur, owner, "presentation", date(2026, 5, 5), datetime(2026, 5, 10)) for owner in d_fellows[:5]
        ]
        built.outputs["p"] = [
            _output(cur, owner, "publication", date(2026, 2, 1), datetime(2026, 8, 10)) for owner in built.fellows[B]
        ]
        built.outputs["p-presentation"] = [
            _output(cur, owner, "presentation", date(2026, 8, 1), datetime(2026, 8, 12))
            for owner in (d_fellows[0], d_fellows[0], d_fellows[0], d_fellows[1], d_fellows[2], d_fellows[3])
        ]
        built.outputs["current"] = [_output(cur, d_fellows[9], "publication", date(2026, 9, 15), datetime(2026, 10, 2))]

    store.write(work)
    built.director_viewer = Viewer(built.director, "Dana Director", 1, frozenset({"director"}))
    fellow = built.fellows[A][0]
    built.fellow_viewer = Viewer(fellow, "Fellow", 1, frozenset({"fellow"}))
    built.mentor_viewer = Viewer(built.mentors[0], "Mentor", 1, frozenset({"mentor"}))
    return built


@pytest.fixture
def built(store) -> Program:
    return _build(store)


def _row(frame: pd.DataFrame, **where) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    rows = frame[mask]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def _all_text(frame: pd.DataFrame) -> str:
    return frame.astype(str).to_csv(index=False)


def _distribution(store, built, cohorts=None, domain=None, **kwargs):
    kwargs = {"first_period": P, "last_period": P, "today": TODAY} | kwargs
    return dashboard_aggregates.rating_distribution(store, built.director_viewer, "mentee-self", cohorts, domain=domain, **kwargs)


def _trend(store, built, cohorts=None, domain=None, **kwargs):
    kwargs = {"first_period": P, "last_period": P, "today": TODAY} | kwargs
    return dashboard_aggregates.cohort_trend(store, built.director_viewer, "mentee-self", cohorts, domain=domain, **kwargs)


def _set_minimum(store, minimum: int) -> None:
    store.write(lambda cur: cur.execute("UPDATE programs SET min_group_size = ? WHERE program_id = 1", [minimum]))


# ---------------------------------------------------------------- the rule


def test_suppress_bins_hides_small_bins_the_empty_ones_beside_them_and_enough_to_reach_the_minimum():
    frame = pd.DataFrame({"pairs": [0, 1, 6, 3, 0, 8]})
    out = disclosure.suppress_bins(frame, "pairs", 3)
    # Bin 1 (one pair) is hidden, with the empty bins (a 0 beside it would say it is not empty) and,
    # since those hold 1 < 3, the smallest shown bin (3): the hidden bins hold 4 together.
    assert out["suppressed"].tolist() == [True, True, False, True, True, False]
    assert out["pairs"].tolist() == [None, None, 6, None, None, 8]
    nothing_small = disclosure.suppress_bins(pd.DataFrame({"pairs": [0, 5, 7]}), "pairs", 5)
    assert nothing_small["pairs"].tolist() == [0, 5, 7] and not nothing_small["suppressed"].any()


def test_suppress_bins_never_goes_below_three():
    out = disclosure.suppress_bins(pd.DataFrame({"pairs": [2, 3, 9]}), "pairs", 1)
    assert out["suppressed"].tolist() == [True, True, False]


def test_min_group_size_reads_the_program_setting(built, store):
    assert disclosure.min_group_size(store, built.director_viewer) == 5
    _set_minimum(store, 4)
    assert disclosure.min_group_size(store, built.director_viewer) == 4


# ---------------------------------------------------------------- participation (administration)


def test_participation_by_hand_shown_in_full(built, store):
    frame = dashboard_aggregates.participation(store, built.director_viewer, TODAY, periods=2)
    assert "suppressed" not in frame
    assert set(frame["period_start"]) == {P, CURRENT}  # the open period too: it is administration

    def counts(period, cohort):
        row = _row(frame, period_start=period, cohort=cohort)
        return (row["active"], row["submitted"], row["completion_rate"])

    assert counts(P, "Cohort A") == (6, 6, 1.0)
    assert counts(P, "Cohort B") == (5, 5, 1.0)
    assert counts(P, "Cohort C") == (4, 4, 1.0)  # a cohort of 4: shown, like the overdue list's names
    assert counts(P, "Cohort D") == (10, 10, 1.0)
    assert counts(P, dashboard_aggregates.ALL_COHORTS) == (25, 25, 1.0)
    assert counts(P, dashboard_aggregates.MENTORS) == (5, 3, 0.6)
    assert counts(CURRENT, "Cohort A") == (6, 6, 1.0)
    assert counts(CURRENT, "Cohort C") == (4, 0, 0.0)
    assert counts(CURRENT, dashboard_aggregates.ALL_COHORTS) == (25, 6, 0.24)
    assert counts(CURRENT, dashboard_aggregates.MENTORS) == (5, 0, 0.0)


def test_participation_stays_in_full_whatever_the_minimum(built, store):
    before = dashboard_aggregates.participation(store, built.director_viewer, TODAY, periods=2)
    by_instrument = dashboard_aggregates.participation_by_instrument(store, built.director_viewer, TODAY, periods=2)
    _set_minimum(store, 30)  # above every group of the program
    pd.testing.assert_frame_equal(dashboard_aggregates.participation(store, built.director_viewer, TODAY, periods=2), before)
    after = dashboard_aggregates.participation_by_instrument(store, built.director_viewer, TODAY, periods=2)
    pd.testing.assert_frame_equal(after, by_instrument)
    assert after["submitted"].notna().all() and after["completion_rate"].notna().all()


def test_overdue_people_by_name(built, store):
    overdue = dashboard_aggregates.overdue_people(store, built.director_viewer, TODAY)
    assert len(overdue) == 5 + 4 + 10 + 5
    assert set(overdue[overdue["role"] == "fellow"]["cohort"]) == {"Cohort B", "Cohort C", "Cohort D"}
    assert "Mentor 0" in set(overdue["name"])


def test_participation_by_instrument_by_hand(built, store):
    frame = dashboard_aggregates.participation_by_instrument(store, built.director_viewer, TODAY, periods=2)
    assert len(frame) == 2 * 6  # 2 periods x (2 self instruments + 4 pair instrument sides)
    assert "suppressed" not in frame

    def rate(period, instrument, respondent):
        row = _row(frame, period_start=period, instrument_id=instrument, respondent=respondent)
        return (row["unit"], row["expected"], row["submitted"], row["completion_rate"], row["n"])

    assert rate(P, "mentee-self", "fellow") == ("people", 25, 25, 1.0, 25)
    assert rate(P, "mentor-self", "mentor") == ("people", 5, 3, 0.6, 5)
    # 10 current pairs: the mentors of the 5 career pairs rated their mentees; no mentee rated a mentor.
    # n for pairs: the fewer of pairs (10) and distinct expected respondents (5 mentors, 10 mentees).
    assert rate(P, "mentee-by-mentor", "mentor") == ("pairs", 10, 5, 0.5, 5)
    assert rate(P, "mentor-by-mentee", "mentee") == ("pairs", 10, 0, 0.0, 10)
    assert rate(P, "process-steps", "mentee") == ("pairs", 10, 5, 0.5, 10)
    assert rate(P, "process-steps", "mentor") == ("pairs", 10, 5, 0.5, 5)
    assert rate(CURRENT, "mentee-self", "fellow") == ("people", 25, 6, 0.24, 25)
    assert rate(CURRENT, "mentee-by-mentor", "mentor") == ("pairs", 10, 0, 0.0, 5)


def _with_cadence(cadence: str):
    """The shipped instruments, every one asked at `cadence`."""
    catalogue = load_catalogue()
    instruments = tuple(dataclasses.replace(i, cadence=cadence) for i in catalogue.instruments)
    return dataclasses.replace(catalogue, instruments=instruments)


@pytest.mark.parametrize(
    ("cadence", "submitted"),
    [("period", [1, 0, 0, 25, 6]), ("yearly", [1, 0, 0, 25, 25]), ("once", [1, 1, 1, 25, 25])],
)
def test_participation_by_instrument_counts_an_answer_for_the_periods_its_cadence_covers(built, store, cadence, submitted):
    """A C fellow answers in 2025 Q4 as well: every period counts it (every period), the rest of 2025 (yearly),
    or every later period (once); P's answers of all 25 fellows count for CURRENT unless asked every period."""
    fellow = built.fellows[C][0]
    store.write(lambda cur: built.assess(cur, "mentee-self", fellow, fellow, date(2025, 10, 1), {"positive-attitude": 3}))
    frame = dashboard_aggregates.participation_by_instrument(
        store, built.director_viewer, TODAY, periods=5, catalogue=_with_cadence(cadence)
    )
    rows = frame[frame["instrument_id"] == "mentee-self"]
    assert list(rows["period_start"]) == [date(2025, 10, 1), date(2026, 1, 1), date(2026, 4, 1), P, CURRENT]
    assert list(rows["submitted"]) == submitted and set(rows["expected"]) == {25}


@pytest.mark.parametrize("cadence", ["period", "yearly", "once"])
def test_a_submission_to_the_open_period_changes_its_rows_alone(built, store, cadence):
    """The dashboard caches the closed periods' participation apart from the open period's (ui/dashboard.py):
    a submission, always to the open period, must leave the closed periods' rows as they were, whatever
    the cadence, and the two together are the table of every period."""
    viewer, catalogue = built.director_viewer, _with_cadence(cadence)

    def tables(only):
        return (
            dashboard_aggregates.participation(store, viewer, TODAY, periods=3, only=only),
            dashboard_aggregates.participation_by_instrument(store, viewer, TODAY, periods=3, catalogue=catalogue, only=only),
        )

    closed_before, open_before = tables("closed"), tables("open")
    assert set(closed_before[0]["period_start"]) == {date(2026, 4, 1), P} and set(open_before[1]["period_start"]) == {CURRENT}
    b_fellow, mentor, d_fellow = built.fellows[B][0], built.mentors[0], built.fellows[D][0]

    def submit(cur):
        built.assess(cur, "mentee-self", b_fellow, b_fellow, CURRENT, {"positive-attitude": 4})
        built.assess(cur, "mentee-by-mentor", mentor, d_fellow, CURRENT, {"positive-attitude": 4}, built.research_pairs[0])

    store.write(submit)
    closed_after, open_after = tables("closed"), tables("open")
    for before, after in zip(closed_before, closed_after, strict=True):
        pd.testing.assert_frame_equal(after, before)
    assert _row(open_before[0], cohort="Cohort B")["submitted"] == 0 and _row(open_after[0], cohort="Cohort B")["submitted"] == 1
    by_mentor = {"instrument_id": "mentee-by-mentor", "respondent": "mentor"}
    assert _row(open_after[1], **by_mentor)["submitted"] == _row(open_before[1], **by_mentor)["submitted"] + 1
    whole = tables(None)
    for closed, open_rows, every in zip(closed_after, open_after, whole, strict=True):
        pd.testing.assert_frame_equal(dashboard_aggregates.open_with_closed(closed, open_rows), every)


def test_participation_of_one_period_has_no_closed_rows(built, store):
    viewer = built.director_viewer
    assert dashboard_aggregates.participation(store, viewer, TODAY, periods=1, only="closed").empty
    closed = dashboard_aggregates.participation_by_instrument(store, viewer, TODAY, periods=1, only="closed")
    open_rows = dashboard_aggregates.participation_by_instrument(store, viewer, TODAY, periods=1, only="open")
    assert closed.empty
    pd.testing.assert_frame_equal(
        dashboard_aggregates.open_with_closed(closed, open_rows),
        dashboard_aggregates.participation_by_instrument(store, viewer, TODAY, periods=1),
    )
    with pytest.raises(ValueError):
        dashboard_aggregates.participation(store, viewer, TODAY, only="closing")


# ---------------------------------------------------------------- ratings by hand


def test_rating_distribution_by_hand(built, store):
    frame = _distribution(store, built, trace=True)
    row = _row(frame, item_id="positive-attitude")
    # A, B and D pooled (C is under the minimum and never enters): (20 + 15 + 35) / 21.
    assert row["n"] == 21 and row["mean"] == round(70 / 21, 2) and not row["suppressed"]
    assert [row[f"rating_{v}"] for v in range(1, 6)] == [1, 6, 6, 1, 7]
    assert set(row["behind"]) == built.ids(A, B, D)
    growth = _row(frame, item_id="academic-growth")
    assert (growth["n"], growth["mean"], growth["sd"], growth["rating_4"]) == (21, 4.0, 0.0, 21)


def test_rating_distribution_one_cohort_by_hand(built, store):
    frame = _distribution(store, built, [A])
    row = _row(frame, item_id="positive-attitude")
    assert (row["n"], row["mean"], row["sd"]) == (6, 3.33, 1.63)
    d = _row(_distribution(store, built, [D]), item_id="positive-attitude")
    assert (d["n"], d["mean"], d["rating_2"], d["rating_5"]) == (10, 3.5, 5, 5)


def test_cohort_trend_by_hand(built, store):
    frame = _trend(store, built)
    assert frame["cohort"].tolist() == ["Cohort A", "Cohort B", "Cohort C", "Cohort D"]
    a = _row(frame, cohort="Cohort A")
    # Each A fellow's average: (r + 4) / 2 for r in 1, 2, 3, 4, 5, 5 -> mean 22 / 6.
    assert (a["n"], a["mean"], a["suppressed"]) == (6, round(22 / 6, 2), False)
    b = _row(frame, cohort="Cohort B")  # no complementary hiding any more: B is a whole atom of 5
    assert (b["n"], b["mean"], b["sd"], b["suppressed"]) == (5, 3.5, 0.0, False)
    d = _row(frame, cohort="Cohort D")  # five average 4.5, five 3.0: sd sqrt(10 x 0.75^2 / 9)
    assert (d["n"], d["mean"], d["sd"], d["suppressed"]) == (10, 3.75, 0.79, False)
    c = _row(frame, cohort="Cohort C")
    assert c["suppressed"] and c["n"] == 0 and c["mean"] is None and c["sd"] is None


def test_heatmap_means(built, store):
    frame = dashboard_aggregates.item_heatmap(store, built.director_viewer, "mentee-self", today=TODAY)
    assert list(frame.columns) == ["period_start", "item_id", "n", "mean", "suppressed"]
    assert _row(frame, period_start=P, item_id="academic-growth")["mean"] == 4.0
    assert _row(frame, period_start=P, item_id="positive-attitude")["mean"] == round(70 / 21, 2)


def test_self_vs_mentor_by_hand(built, store):
    frame = dashboard_aggregates.self_vs_mentor(store, built.director_viewer, today=TODAY)
    row = _row(frame, item_id="positive-attitude")
    assert row["period_start"] == P
    assert (row["self_n"], row["self_mean"]) == (21, round(70 / 21, 2))
    # Mentors rated A's fellows: 5 distinct raters of 6 fellows, one atom (cohort A) of 5.
    assert (row["mentor_n"], row["mentor_mean"]) == (5, 4.0)
    assert row["gap"] == round(round(70 / 21, 2) - 4.0, 2)


def test_a_figure_never_rests_on_fewer_raters_than_the_minimum(built, store):
    _set_minimum(store, 6)
    row = _row(
        dashboard_aggregates.self_vs_mentor(store, built.director_viewer, today=TODAY, trace=True), item_id="positive-attitude"
    )
    # The mentors' ratings rate 6 of A's fellows, but come from 5 mentors: under 6, hidden.
    assert (row["mentor_n"], row["mentor_mean"], row["mentor_suppressed"], row["mentor_behind"]) == (0, None, True, [])
    # Self-ratings: A (6) and D (10) reach 6; B (5) and C (4) do not.
    assert (row["self_n"], row["self_mean"], row["self_suppressed"]) == (16, round(55 / 16, 2), False)
    assert set(row["self_behind"]) == built.ids(A, D)


def test_self_vs_mentor_small_cohort_is_suppressed(built, store):
    frame = dashboard_aggregates.self_vs_mentor(store, built.director_viewer, cohort_ids=[C], today=TODAY)
    assert len(frame) and frame["self_suppressed"].all() and frame["self_mean"].isna().all()
    assert frame["mentor_suppressed"].all() and frame["gap"].isna().all()


def test_self_vs_mentor_goes_back_to_the_latest_period_with_both_sides_shown(built, store):
    """Cohorts B and D: in P their fellows rated themselves but no mentor rated them. In Q2 B's five rated
    themselves and the research mentors rated D's five research fellows: Q2 is the period, as if every
    period had been computed (self_vs_mentor tries P alone first)."""
    q2 = date(2026, 4, 1)

    def earlier(cur):
        for fellow in built.fellows[B]:
            built.assess(cur, "mentee-self", fellow, fellow, q2, {"positive-attitude": 2, "academic-growth": 2})
        for i, pair_id in enumerate(built.research_pairs):
            mentee = built.fellows[D][i]
            built.assess(cur, "mentee-by-mentor", built.mentors[i], mentee, q2, {"positive-attitude": 3}, pair_id)

    store.write(earlier)
    row = _row(
        dashboard_aggregates.self_vs_mentor(store, built.director_viewer, [B, D], today=TODAY, trace=True),
        item_id="positive-attitude",
    )
    assert row["period_start"] == q2
    assert (row["self_n"], row["self_mean"], row["mentor_n"], row["mentor_mean"], row["gap"]) == (5, 2.0, 5, 3.0, -1.0)
    assert len(row["mentor_behind"]) == 5 and not row["suppressed"]
    every_cohort = dashboard_aggregates.self_vs_mentor(store, built.director_viewer, today=TODAY)
    assert set(every_cohort["period_start"]) == {P}  # both sides are shown in P


def test_process_step_means_made_once_give_both_process_tables(built, store):
    viewer, catalogue = built.director_viewer, load_catalogue()
    means = dashboard_aggregates.process_step_means(store, viewer, TODAY)
    pd.testing.assert_frame_equal(
        dashboard_aggregates.process_gaps(store, viewer, catalogue, today=TODAY, means=means),
        dashboard_aggregates.process_gaps(store, viewer, catalogue, today=TODAY),
    )
    pd.testing.assert_frame_equal(
        dashboard_aggregates.process_step_trend(store, viewer, catalogue, today=TODAY, means=means),
        dashboard_aggregates.process_step_trend(store, viewer, catalogue, today=TODAY),
    )
    with pytest.raises(ValueError, match="trace"):
        dashboard_aggregates.process_gaps(store, viewer, catalogue, today=TODAY, means=means, trace=True)
    with pytest.raises(AccessDenied):
        dashboard_aggregates.process_step_trend(store, built.fellow_viewer, catalogue, today=TODAY, means=means)


def test_process_gaps_lowest_first_with_the_guidance_quote(built, store):
    catalogue = load_catalogue()
    frame = dashboard_aggregates.process_gaps(store, built.director_viewer, catalogue, today=TODAY)
    assert len(frame) == 5 and set(frame["period_start"]) == {P}
    first = frame.iloc[0]
    assert first["item_id"] == "ground-rules"
    assert (first["mentee_mean"], first["mentor_mean"], first["mentee_n"], first["mentor_n"]) == (2.0, 3.0, 5, 5)
    assert first["quote"] == catalogue.get("process-steps").item("ground-rules").quote
    assert set(frame.iloc[1:]["mentee_mean"]) == {4.0}
    assert set(frame.iloc[1:]["mentor_mean"]) == {5.0}


def test_process_gaps_hides_a_side_under_the_minimum(built, store):
    _set_minimum(store, 6)  # 5 mentees and 5 mentors answered
    frame = dashboard_aggregates.process_gaps(store, built.director_viewer, load_catalogue(), today=TODAY)
    assert frame["mentee_suppressed"].all() and frame["mentor_suppressed"].all()
    assert frame["mentee_mean"].isna().all() and frame["mentor_mean"].isna().all()


# ---------------------------------------------------------------- closed periods only


def test_the_open_period_never_appears_in_protected_figures(built, store):
    viewer = built.director_viewer
    distribution = dashboard_aggregates.rating_distribution(store, viewer, "mentee-self", today=TODAY)
    assert set(distribution["period_start"]) == {P}  # A's 6 answers in CURRENT are not shown
    assert set(dashboard_aggregates.item_heatmap(store, viewer, "mentee-self", today=TODAY)["period_start"]) == {P}
    assert set(dashboard_aggregates.cohort_trend(store, viewer, "mentee-self", today=TODAY)["period_start"]) == {P}
    asked = dashboard_aggregates.rating_distribution(store, viewer, "mentee-self", None, CURRENT, CURRENT, today=TODAY)
    assert asked.empty
    assert dashboard_aggregates.rating_periods(store, viewer, TODAY) == [P]
    assert dashboard_aggregates.latest_period_with_figures(store, viewer, "mentee-self", TODAY) == P
    assert (
        dashboard_aggregates.self_vs_mentor(store, viewer, today=TODAY, period=CURRENT)[["self_mean", "mentor_mean"]]
        .isna()
        .all()
        .all()
    )
    # ... while participation shows the open period: A's 6 fellows have submitted.
    participation = dashboard_aggregates.participation(store, viewer, TODAY, periods=1)
    assert _row(participation, period_start=CURRENT, cohort="Cohort A")["submitted"] == 6
    # Once CURRENT has closed, its figures appear: A alone, 5 on both items.
    later = date(2027, 1, 5)
    closed = dashboard_aggregates.rating_distribution(store, viewer, "mentee-self", today=later)
    row = _row(closed, period_start=CURRENT, item_id="positive-attitude")
    assert (row["n"], row["mean"], row["suppressed"]) == (6, 5.0, False)
    assert dashboard_aggregates.rating_periods(store, viewer, later) == [P, CURRENT]


# ---------------------------------------------------------------- atoms


def test_a_cohort_of_four_shows_nothing_in_any_filter(built, store):
    viewer = built.director_viewer
    frame = _distribution(store, built, [C])
    assert len(frame) == 2 and frame["suppressed"].all() and (frame["n"] == 0).all()
    assert frame[["mean", "sd", *(f"rating_{v}" for v in range(1, 6))]].isna().all().all()
    heatmap = dashboard_aggregates.item_heatmap(store, viewer, "mentee-self", [C], P, P, today=TODAY)
    assert heatmap["suppressed"].all() and heatmap["mean"].isna().all()
    trend = _trend(store, built, [C])
    assert len(trend) == 1 and trend["suppressed"].all() and trend["mean"].isna().all()
    goals = dashboard_aggregates.goal_completion(store, viewer, TODAY, [C])
    assert len(goals) == 1 and goals["suppressed"].all() and goals[["goals", "completed_share"]].isna().all().all()
    # No view with C, whatever the other cohorts and the domain, pools one of C's assessments or goals
    # (test_every_view_pools_whole_atoms checks every view's ratings exactly).
    c_assessments, c_goals = built.ids(C), set(built.goals["Cohort C"])
    for cohorts in (None, [C], [A, C], [C, D], [A, B, C, D]):
        for domain in (None, "career", "research", "social"):
            frame = _distribution(store, built, cohorts, domain, trace=True)
            assert not {i for b in frame["behind"] for i in b} & c_assessments, (cohorts, domain)
            goals = dashboard_aggregates.goal_completion(store, viewer, TODAY, cohorts, trace=True)
            assert not {code // 10 for b in goals["behind"] for code in b} & c_goals, cohorts


def test_every_view_pools_whole_atoms(built, store):
    """The atoms of mentee-self in P, by hand: A (career would split it 5 / 1, so it is not enabled),
    B, D's research fellows, D's others (research splits D 5 / 5, so it is); C is under the minimum."""
    atoms = {A: built.ids(A), B: built.ids(B), D: built.ids(D)}
    for cohorts in (None, [A], [B], [C], [D], [A, B], [A, C], [B, D], [C, D], [A, B, C], [A, B, C, D]):
        chosen = {A, B, C, D} if cohorts is None else set(cohorts)
        for domain in (None, "career", "research", "social"):
            if domain is None:
                expected = set().union(*(atoms[c] for c in chosen if c in atoms))
            elif domain == "research":
                expected = built.d_research() if D in chosen else set()
            else:
                expected = set()
            distribution = _distribution(store, built, cohorts, domain, trace=True)
            for _, row in distribution.iterrows():
                assert set(row["behind"]) == expected, (cohorts, domain, row["item_id"])
                assert row["suppressed"] == (not expected) and row["n"] == len(expected), (cohorts, domain)
            if expected or (domain == "career" and A in chosen):  # A's career fellows are chosen, but hidden
                assert len(distribution) == 2, (cohorts, domain)
            trend = _trend(store, built, cohorts, domain, trace=True)
            for _, row in trend.iterrows():
                cohort = next(c for c, name in NAMES.items() if name == row["cohort"])
                assert set(row["behind"]) == expected & built.ids(cohort), (cohorts, domain, cohort)
                assert row["suppressed"] == (not expected & built.ids(cohort)), (cohorts, domain, cohort)
            shown = {NAMES[c] for c in NAMES if expected & built.ids(c)}
            assert set(trend.loc[~trend["suppressed"], "cohort"]) == shown, (cohorts, domain)


def test_a_difference_between_filters_reveals_nothing(built, store):
    with_c = _distribution(store, built, [A, B, C])
    without_c = _distribution(store, built, [A, B])
    pd.testing.assert_frame_equal(with_c, without_c)
    pd.testing.assert_frame_equal(_distribution(store, built, [A, C]), _distribution(store, built, [A]))
    # "any domain" minus "research" within D is D's other 5 fellows: never fewer than the minimum.
    d_all = _row(_distribution(store, built, [D], trace=True), item_id="positive-attitude")
    d_research = _row(_distribution(store, built, [D], "research", trace=True), item_id="positive-attitude")
    assert len(set(d_all["behind"]) - set(d_research["behind"])) == 5


def test_an_item_answered_by_part_of_an_atom_is_not_isolated(built, store):
    # A new version of mentee-self adds an item during P: A fellow 0 and B's five fellows answer it.
    def work(cur):
        cur.execute("INSERT INTO responses VALUES (?, 'new-item', 1)", [built.self_p[built.fellows[A][0]]])
        for fellow in built.fellows[B]:
            cur.execute("INSERT INTO responses VALUES (?, 'new-item', 4)", [built.self_p[fellow]])

    store.write(work)
    both = _row(_distribution(store, built, [A, B], trace=True), item_id="new-item")
    b_only = _row(_distribution(store, built, [B], trace=True), item_id="new-item")
    # [A, B] minus [B] is nobody or at least the minimum, never A fellow 0 alone: A's one answer to the
    # new item is in no published figure, while B's five are.
    assert not both["suppressed"] and not b_only["suppressed"]
    difference = set(both["behind"]) - set(b_only["behind"])
    assert len(difference) == 0 or len(difference) >= 5
    assert built.self_p[built.fellows[A][0]] not in both["behind"]
    assert both["n"] == 5 and both["rating_4"] == 5 and both["rating_1"] == 0


def test_a_domain_cut_that_would_leave_under_five_is_not_enabled(built, store):
    viewer = built.director_viewer
    # Career: A fellows 0..4 have a career mentor, A fellow 5 has none: "any" minus "career" would be one person.
    for cohorts in (None, [A]):
        frame = _distribution(store, built, cohorts, "career")
        assert len(frame) == 2 and frame["suppressed"].all() and frame["mean"].isna().all()
        trend = _trend(store, built, cohorts, "career")
        assert _row(trend, cohort="Cohort A")["suppressed"] and trend["mean"].isna().all()
    mentor = dashboard_aggregates.self_vs_mentor(store, viewer, today=TODAY, domain="career")
    assert mentor["self_mean"].isna().all() and mentor["mentor_mean"].isna().all()
    # Once A fellow 5 also has a career mentor (recorded before P ended), career covers all of A: shown.
    pairs.create_pair(store, viewer, built.mentors[0], built.fellows[A][5], "career", date(2026, 6, 1), date(2026, 6, 1))
    row = _row(_distribution(store, built, None, "career"), item_id="positive-attitude")
    assert (row["n"], row["mean"], row["suppressed"]) == (6, round(20 / 6, 2), False)
    assert [row[f"rating_{v}"] for v in range(1, 6)] == [1, 1, 1, 1, 2]
    a = _row(_trend(store, built, None, "career"), cohort="Cohort A")
    assert (a["n"], a["mean"]) == (6, round(22 / 6, 2))
    mentor = _row(dashboard_aggregates.self_vs_mentor(store, viewer, today=TODAY, domain="career"), item_id="positive-attitude")
    assert (mentor["self_n"], mentor["mentor_n"], mentor["mentor_mean"]) == (6, 5, 4.0)


def test_a_domain_cut_that_splits_ten_into_five_and_five_is_enabled(built, store):
    viewer = built.director_viewer
    # Research: D fellows 0..4 (rated 5) have a research mentor, D fellows 5..9 (rated 2) do not.
    for cohorts in (None, [D], [A, B, C, D]):
        frame = _distribution(store, built, cohorts, "research", trace=True)
        row = _row(frame, item_id="positive-attitude")
        assert (row["n"], row["mean"], row["sd"], row["rating_5"], row["suppressed"]) == (5, 5.0, 0.0, 5, False)
        assert set(row["behind"]) == built.d_research()
    trend = _trend(store, built, None, "research")
    assert trend["cohort"].tolist() == ["Cohort D"]
    assert (trend.iloc[0]["n"], trend.iloc[0]["mean"]) == (5, 4.5)  # (5 + 4) / 2 each
    mentor = _row(dashboard_aggregates.self_vs_mentor(store, viewer, today=TODAY, domain="research"), item_id="positive-attitude")
    assert (mentor["self_n"], mentor["self_mean"]) == (5, 5.0)
    # Cohorts without research mentors are simply not in the research view.
    assert _distribution(store, built, [A, B], "research").empty
    # Social: nobody has a social mentor.
    assert _distribution(store, built, None, "social").empty


def test_an_unknown_domain_is_refused(built, store):
    with pytest.raises(ValueError):
        dashboard_aggregates.rating_distribution(
            store, built.director_viewer, "mentee-self", domain="x'); DROP TABLE people; --", today=TODAY
        )


def _closed_period_figures(store, built) -> dict[str, pd.DataFrame]:
    viewer = built.director_viewer
    return {
        "distribution": _distribution(store, built, trace=True),
        "career": _distribution(store, built, None, "career", trace=True),
        "career A": _distribution(store, built, [A], "career", trace=True),
        "research": _distribution(store, built, None, "research", trace=True),
        "trend career": _trend(store, built, None, "career", trace=True),
        "trend research": _trend(store, built, None, "research", trace=True),
        "mentor research": dashboard_aggregates.self_vs_mentor(store, viewer, today=TODAY, domain="research", trace=True),
        "goals": dashboard_aggregates.goal_completion(store, viewer, TODAY, trace=True),
        "meetings": dashboard_aggregates.meeting_frequency_distribution(store, viewer, TODAY),
    }


def test_pairs_created_or_ended_later_with_back_dated_dates_change_nothing(built, store):
    viewer = built.director_viewer
    _meetings(store, built, dict.fromkeys(built.career_pairs + built.research_pairs, 1))
    before = _closed_period_figures(store, built)
    assert _row(before["meetings"], meetings="1")["pairs"] == 10
    # Today, a career pair for A fellow 5 starting in January (it would enable the career cut), and
    # the end of D fellow 0's research pair back-dated to before P (it would disable the research cut).
    new_pair = pairs.create_pair(store, viewer, built.mentors[1], built.fellows[A][5], "career", date(2026, 1, 1), TODAY)
    pairs.end_pair(store, viewer, built.research_pairs[0], date(2026, 6, 30), "completed", None, TODAY)
    after = _closed_period_figures(store, built)
    for name, frame in before.items():
        pd.testing.assert_frame_equal(after[name], frame, obj=name)
    # The same two changes recorded in time (before P ended) would have changed P's figures.
    store.write(
        lambda cur: cur.execute(
            "UPDATE pair_log SET recorded_on = ? WHERE pair_id IN (?, ?)", [date(2026, 6, 30), new_pair, built.research_pairs[0]]
        )
    )
    in_time = _closed_period_figures(store, built)
    assert _row(in_time["career"], item_id="positive-attitude")["n"] == 6
    assert in_time["research"]["suppressed"].all()  # D's research part is now 4
    # The new pair (no meeting) is current and D fellow 0's is not: bin 0 has 1 pair, so it is hidden, with
    # the empty bins and then bin 1 (9 pairs) until the hidden bins hold at least 5: everything is hidden.
    assert in_time["meetings"]["pairs"].tolist() == [None] * 6


# ---------------------------------------------------------------- goals and outputs


def test_goal_completion_by_hand(built, store):
    frame = dashboard_aggregates.goal_completion(store, built.director_viewer, TODAY, trace=True)
    assert set(frame["period_start"]) == {P}
    a = _row(frame, cohort="Cohort A")
    # 6 goals (the one created after P's end is not), 2 completed by then; of the 4 active, 3 on track.
    assert (a["goals"], a["n"], a["completed_share"], a["on_track_share"]) == (6, 6, round(2 / 6, 3), 0.75)
    assert {code // 10 for code in a["behind"]} == set(built.goals["Cohort A"])
    b = _row(frame, cohort="Cohort B")  # no complementary hiding: B is a whole atom of 5
    assert (b["goals"], b["n"], b["completed_share"], b["on_track_share"], b["suppressed"]) == (5, 5, 0.0, 0.0, False)
    c = _row(frame, cohort="Cohort C")
    assert c["suppressed"] and c["goals"] is None and c["completed_share"] is None and c["behind"] == []
    # A period asked for that has not closed yet gives the latest closed one.
    pd.testing.assert_frame_equal(
        dashboard_aggregates.goal_completion(store, built.director_viewer, TODAY, period=CURRENT, trace=True), frame
    )


def test_a_cohorts_goals_are_shown_only_when_enough_of_its_people_changed_since_last_shown(built, store):
    """A goal is in every period's figures, so two periods subtract to the goals that changed. A's goals
    were shown in 2026 Q1 (6 new, all behind); in Q2 only 2 fellows' goals changed (completed): hidden;
    by P, 5 fellows' goals changed since Q1 (2 completed, 3 on track): shown. Had the fellow at 70 stayed
    behind, only 4 would have changed, and P would be hidden too."""
    viewer = built.director_viewer
    q1, q2 = date(2026, 1, 1), date(2026, 4, 1)

    def a(period):
        return _row(dashboard_aggregates.goal_completion(store, viewer, TODAY, [A], period=period), cohort="Cohort A")

    assert (a(q1)["goals"], a(q1)["completed_share"], a(q1)["on_track_share"], a(q1)["suppressed"]) == (6, 0.0, 0.0, False)
    assert a(q2)["suppressed"] and a(q2)["goals"] is None
    assert not a(P)["suppressed"]
    a_goals = built.goals["Cohort A"]
    store.write(lambda cur: cur.execute("UPDATE goal_checkins SET value = 10 WHERE goal_id = ? AND value = 70", [a_goals[4]]))
    assert a(P)["suppressed"] and a(P)["goals"] is None
    # B never changed: shown in every period with the same figures.
    b = [_row(dashboard_aggregates.goal_completion(store, viewer, TODAY, [B], period=p), cohort="Cohort B") for p in (q1, q2, P)]
    assert all((row["goals"], row["completed_share"], row["suppressed"]) == (5, 0.0, False) for row in b)


def test_goals_recorded_after_the_period_do_not_count(built, store):
    def a_row():
        a = _row(dashboard_aggregates.goal_completion(store, built.director_viewer, TODAY), cohort="Cohort A")
        return (a["goals"], a["n"], a["completed_share"], a["on_track_share"])

    # The goal created, the check-in at 95 and the completion recorded on 3 October are left out.
    assert a_row() == (6, 6, round(2 / 6, 3), 0.75)
    late_goal, late = built.goals["late"][0], datetime(2026, 10, 3)

    def in_time(cur):
        cur.execute("UPDATE goals SET created_at = ? WHERE goal_id = ?", [datetime(2026, 9, 29), late_goal])
        for table in ("goal_checkins", "goal_status_changes"):
            cur.execute(f"UPDATE {table} SET recorded_at = ? WHERE recorded_at = ?", [datetime(2026, 9, 29), late])

    store.write(in_time)
    # Recorded before P's end they count: 7 goals of 6 owners, 3 completed; of the 4 active, the new
    # one (no check-in) is behind, the two at 90 and the one at 70, now 95, are on track.
    assert a_row() == (7, 6, round(3 / 7, 3), 0.75)


def test_goal_progress_by_hand_every_closed_period(built, store):
    """Goals start in 2026 Q1. A (6 fellows): all 6 behind in Q1; in Q2 two completed (2 fellows changed:
    hidden); by P 2 completed, 3 on track, 1 behind. B (5): all behind, unchanged, shown every period.
    C (4): under the minimum, never shown."""
    q1, q2 = date(2026, 1, 1), date(2026, 4, 1)
    frame = dashboard_aggregates.goal_progress(store, built.director_viewer, TODAY, trace=True)
    assert sorted(set(frame["period_start"])) == [q1, q2, P]
    a = {p: _row(frame, cohort="Cohort A", period_start=p) for p in (q1, q2, P)}
    assert (a[q1]["goals"], a[q1]["share_behind"], a[q1]["share_completed"], a[q1]["reached"]) == (6, 1.0, 0.0, 0)
    # Q2 differs from Q1 by two fellows' completions only: hidden, although A has 6 people.
    assert a[q2]["suppressed"] and a[q2]["goals"] is None and a[q2]["share_completed"] is None and a[q2]["reached"] is None
    assert a[q2]["behind"] == []
    shares = [a[P][c] for c in ("share_completed", "share_on_track", "share_behind", "share_other")]
    assert a[P]["goals"] == 6 and shares == [round(2 / 6, 3), 0.5, round(1 / 6, 3), 0.0]
    # Reached by P: the two completed in the hidden Q2, counted against the last shown snapshot (Q1).
    assert a[P]["reached"] == 2
    b = frame[frame["cohort"] == "Cohort B"]
    assert b["goals"].tolist() == [5, 5, 5] and b["share_behind"].tolist() == [1.0] * 3 and b["reached"].tolist() == [0] * 3
    c = frame[frame["cohort"] == "Cohort C"]
    assert len(c) == 3 and c["suppressed"].all() and c["goals"].isna().all() and c["share_behind"].isna().all()
    # The latest period is goal_completion's snapshot, figure for figure.
    latest = dashboard_aggregates.goal_completion(store, built.director_viewer, TODAY, trace=True)
    now = frame[frame["period_start"] == P].reset_index(drop=True)
    assert now[["cohort", "goals", "n", "behind", "suppressed"]].equals(latest[["cohort", "goals", "n", "behind", "suppressed"]])


def test_goal_progress_hides_a_period_that_a_difference_would_expose(built, store):
    """Had A's fellow at 70 stayed behind, only 4 fellows' goals would have changed since Q1: P is
    hidden too, and so nothing of A after Q1 is shown."""
    a_goals = built.goals["Cohort A"]
    store.write(lambda cur: cur.execute("UPDATE goal_checkins SET value = 10 WHERE goal_id = ? AND value = 70", [a_goals[4]]))
    frame = dashboard_aggregates.goal_progress(store, built.director_viewer, TODAY, [A])
    assert set(frame["cohort"]) == {"Cohort A"}
    assert frame["suppressed"].tolist() == [False, True, True]
    assert frame.loc[1:, ["goals", "share_completed", "share_on_track", "reached"]].isna().all().all()


def test_goal_progress_follows_the_cohort_and_period_filters(built, store):
    viewer = built.director_viewer
    frame = dashboard_aggregates.goal_progress(store, viewer, TODAY, [B], first_period=date(2026, 4, 1), last_period=P)
    assert set(frame["cohort"]) == {"Cohort B"} and list(frame["period_start"]) == [date(2026, 4, 1), P]
    assert "behind" not in frame and "cohort_id" in frame


def test_goal_snapshots_made_once_give_both_goal_tables_and_only_for_their_view(built, store):
    """The dashboard computes the snapshots once for goal_completion and goal_progress (ui/dashboard.py)."""
    viewer = built.director_viewer
    for cohorts, through in ((None, None), ([A, B], P), ([B], date(2026, 4, 1))):
        snapshots = dashboard_aggregates.goal_snapshots(store, viewer, TODAY, cohorts, through)
        pd.testing.assert_frame_equal(
            dashboard_aggregates.goal_completion(store, viewer, TODAY, cohorts, period=through, trace=True, snapshots=snapshots),
            dashboard_aggregates.goal_completion(store, viewer, TODAY, cohorts, period=through, trace=True),
        )
        pd.testing.assert_frame_equal(
            dashboard_aggregates.goal_progress(store, viewer, TODAY, cohorts, date(2026, 4, 1), through, snapshots=snapshots),
            dashboard_aggregates.goal_progress(store, viewer, TODAY, cohorts, date(2026, 4, 1), through),
        )
    snapshots = dashboard_aggregates.goal_snapshots(store, viewer, TODAY, [A], P)
    with pytest.raises(ValueError, match="another view"):
        dashboard_aggregates.goal_completion(store, viewer, TODAY, [B], period=P, snapshots=snapshots)
    with pytest.raises(ValueError, match="another view"):
        dashboard_aggregates.goal_progress(store, viewer, TODAY, [A], None, None, snapshots=snapshots)


def test_process_step_trend_by_hand(built, store):
    """P: 5 career pairs rate the steps (as in test_process_gaps...). Q2: only 4 of the mentees rate them,
    all 5 mentors do: Q2's mentee side is hidden, its mentor side shown."""
    q2 = date(2026, 4, 1)

    def earlier(cur):
        steps = ["shared-interests", "ground-rules", "planned-meetings", "goals-tracked", "bidirectional-feedback"]
        for i, pair_id in enumerate(built.career_pairs):
            mentor, mentee = built.mentors[i], built.fellows[A][i]
            if i < 4:
                built.assess(cur, "process-steps", mentee, mentor, q2, dict.fromkeys(steps, 3), pair_id)
            built.assess(cur, "process-steps", mentor, mentee, q2, dict.fromkeys(steps, 4), pair_id)

    store.write(earlier)
    catalogue = load_catalogue()
    frame = dashboard_aggregates.process_step_trend(store, built.director_viewer, catalogue, today=TODAY)
    assert len(frame) == 20 and sorted(set(frame["period_start"])) == [q2, P]
    order = [item.id for item in catalogue.get("process-steps").items]
    assert frame["item_id"].tolist()[:10] == [i for i in order for _ in ("mentee", "mentor")]
    rules = _row(frame, period_start=P, item_id="ground-rules", side="mentee")
    assert (rules["mean"], rules["n"], rules["step"]) == (2.0, 5, catalogue.get("process-steps").item("ground-rules").text)
    assert _row(frame, period_start=P, item_id="ground-rules", side="mentor")["mean"] == 3.0
    earlier_mentees = frame[(frame["period_start"] == q2) & (frame["side"] == "mentee")]
    assert earlier_mentees["suppressed"].all() and earlier_mentees["mean"].isna().all()
    earlier_mentors = frame[(frame["period_start"] == q2) & (frame["side"] == "mentor")]
    assert not earlier_mentors["suppressed"].any() and set(earlier_mentors["mean"]) == {4.0}
    # The latest period is the latest-period figure's, the open period never appears.
    gaps = dashboard_aggregates.process_gaps(store, built.director_viewer, catalogue, today=TODAY)
    assert _row(gaps, item_id="ground-rules")["mentee_mean"] == rules["mean"] and CURRENT not in set(frame["period_start"])


def test_process_step_trend_hides_a_side_under_the_minimum(built, store):
    _set_minimum(store, 6)  # 5 mentees and 5 mentors answered
    frame = dashboard_aggregates.process_step_trend(store, built.director_viewer, load_catalogue(), today=TODAY)
    assert len(frame) == 10 and frame["suppressed"].all() and frame["mean"].isna().all()


def test_outputs_over_time_by_hand(built, store):
    frame = dashboard_aggregates.outputs_over_time(store, built.director_viewer, TODAY, trace=True)
    q1, q2 = date(2026, 1, 1), date(2026, 4, 1)
    assert sorted(set(frame["period_start"])) == [q1, q2, P]  # CURRENT's publication is not in any period

    def cell(start, kind):
        row = _row(frame, period_start=start, kind=kind)
        return (row["added"], row["cumulative"], row["n"], row["suppressed"])

    # 2026 Q1: five papers, all by one person: hidden, and not in the running total.
    assert cell(q1, "publication") == (None, 0, 0, True)
    assert cell(q2, "publication") == (5, 5, 5, False)
    # P: one each by B's 5 fellows (they happened in Q1: recorded_at decides the period).
    assert cell(P, "publication") == (5, 10, 5, False)
    assert set(_row(frame, period_start=P, kind="publication")["behind"]) == set(built.outputs["p"])
    # Presentations: none in Q1 (0, reveals no one); 5 people in Q2; 6 by 4 people in P: hidden.
    assert cell(q1, "presentation") == (0, 0, 0, False)
    assert cell(q2, "presentation") == (5, 5, 5, False)
    assert cell(P, "presentation") == (None, 5, 0, True)
    assert _row(frame, period_start=P, kind="presentation")["behind"] == []
    assert set(frame["kind"]) == {"publication", "presentation"}


def test_outputs_recorded_after_the_period_do_not_count(built, store):
    before = dashboard_aggregates.outputs_over_time(store, built.director_viewer, TODAY)
    # A fifth person's presentation in P, recorded today: P's presentations stay hidden.
    store.write(lambda cur: _output(cur, built.fellows[D][4], "presentation", date(2026, 8, 1), datetime(2026, 11, 20)))
    pd.testing.assert_frame_equal(dashboard_aggregates.outputs_over_time(store, built.director_viewer, TODAY), before)
    # Recorded in P, it would have made the cell 5 people: shown, 7 presentations, running total 12.
    store.write(lambda cur: _output(cur, built.fellows[D][4], "presentation", date(2026, 8, 1), datetime(2026, 9, 20)))
    row = _row(dashboard_aggregates.outputs_over_time(store, built.director_viewer, TODAY), period_start=P, kind="presentation")
    assert (row["added"], row["cumulative"], row["n"], row["suppressed"]) == (7, 12, 5, False)


# ---------------------------------------------------------------- privacy and access


def _every_table(store, built) -> dict[str, pd.DataFrame]:
    viewer = built.director_viewer
    return {
        "participation": dashboard_aggregates.participation(store, viewer, TODAY),
        "overdue": dashboard_aggregates.overdue_people(store, viewer, TODAY),
        "distribution": dashboard_aggregates.rating_distribution(store, viewer, "mentee-self", today=TODAY),
        "heatmap": dashboard_aggregates.item_heatmap(store, viewer, "mentee-self", today=TODAY),
        "trend": dashboard_aggregates.cohort_trend(store, viewer, "mentee-self", today=TODAY),
        "self_vs_mentor": dashboard_aggregates.self_vs_mentor(store, viewer, today=TODAY),
        "process": dashboard_aggregates.process_gaps(store, viewer, load_catalogue(), today=TODAY),
        "goals": dashboard_aggregates.goal_completion(store, viewer, TODAY),
        "outputs": dashboard_aggregates.outputs_over_time(store, viewer, TODAY),
        "meetings": dashboard_aggregates.meeting_frequency_distribution(store, viewer, TODAY),
    }


def test_comments_never_appear(built, store):
    tables = _every_table(store, built)
    assert any(len(t) for t in tables.values())
    for name, table in tables.items():
        assert "SECRET" not in _all_text(table), name
        assert "private note" not in _all_text(table), name


@pytest.mark.parametrize("who", ["fellow_viewer", "mentor_viewer", None])
def test_only_directors(built, store, who):
    viewer = getattr(built, who) if who else None
    calls = [
        lambda: dashboard_aggregates.participation(store, viewer, TODAY),
        lambda: dashboard_aggregates.overdue_people(store, viewer, TODAY),
        lambda: dashboard_aggregates.rating_distribution(store, viewer, "mentee-self", today=TODAY),
        lambda: dashboard_aggregates.item_heatmap(store, viewer, "mentee-self", today=TODAY),
        lambda: dashboard_aggregates.cohort_trend(store, viewer, "mentee-self", today=TODAY),
        lambda: dashboard_aggregates.self_vs_mentor(store, viewer, today=TODAY),
        lambda: dashboard_aggregates.process_gaps(store, viewer, load_catalogue(), today=TODAY),
        lambda: dashboard_aggregates.goal_completion(store, viewer, TODAY),
        lambda: dashboard_aggregates.outputs_over_time(store, viewer, TODAY),
        lambda: dashboard_aggregates.cohorts_of(store, viewer),
        lambda: dashboard_aggregates.rating_periods(store, viewer, TODAY),
        lambda: dashboard_aggregates.latest_period_with_figures(store, viewer, "mentee-self", TODAY),
        lambda: dashboard_aggregates.participation_by_instrument(store, viewer, TODAY),
        lambda: dashboard_aggregates.meeting_frequency_distribution(store, viewer, TODAY),
        lambda: dashboard_aggregates.rating_distribution(store, viewer, "mentee-self", domain="career", today=TODAY),
        lambda: dashboard_aggregates.goal_completion(store, viewer, TODAY, [A], period=P),
    ]
    for call in calls:
        with pytest.raises(AccessDenied):
            call()


def test_another_programs_director_sees_nothing_of_this_program(built, store):
    other = Viewer(built.director, "Dana", 2, frozenset({"director"}))
    assert dashboard_aggregates.rating_distribution(store, other, "mentee-self", today=TODAY).empty
    assert dashboard_aggregates.cohort_trend(store, other, "mentee-self", today=TODAY).empty
    assert dashboard_aggregates.rating_periods(store, other, TODAY) == []
    assert dashboard_aggregates.goal_completion(store, other, TODAY).empty
    assert dashboard_aggregates.outputs_over_time(store, other, TODAY).empty
    assert dashboard_aggregates.meeting_frequency_distribution(store, other, TODAY)["pairs"].sum() == 0
    assert dashboard_aggregates.participation(store, other, TODAY)["active"].sum() == 0
    assert dashboard_aggregates.participation_by_instrument(store, other, TODAY)["expected"].sum() == 0


def test_xlsx_round_trips_with_the_same_values(built, store):
    tables = _every_table(store, built)
    workbook = openpyxl.load_workbook(io.BytesIO(dashboard_aggregates.to_xlsx(tables)))
    assert workbook.sheetnames == list(tables)

    def records(sheet):
        rows = list(workbook[sheet].iter_rows(values_only=True))
        return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]

    participation = records("participation")
    small = [r for r in participation if r["cohort"] == "Cohort C" and str(r["period_start"]).startswith("2026-07-01")]
    assert len(small) == 1 and small[0]["submitted"] == 4 and small[0]["completion_rate"] == 1.0  # administration
    big = next(r for r in participation if r["cohort"] == "Cohort A" and str(r["period_start"]).startswith("2026-07-01"))
    assert big["completion_rate"] == 1.0
    trend = records("trend")
    assert len(trend) == len(tables["trend"])
    c = next(r for r in trend if r["cohort"] == "Cohort C")
    assert c["mean"] is None and c["sd"] is None and c["suppressed"] is True
    assert next(r for r in trend if r["cohort"] == "Cohort D")["mean"] == 3.75
    assert "SECRET" not in str(list(workbook["trend"].iter_rows(values_only=True)))


# ---------------------------------------------------------------- meeting frequency


def _meetings(store, built, held_per_pair: dict[int, int]) -> None:
    """`held_per_pair[pair_id]` held meetings in P; every pair also gets one meeting whose latest note
    says it was not held, one held meeting 200 days before P ended (in an earlier period), and one
    held meeting whose only note was written after P ended (none of these three counts for P)."""

    def work(cur):
        def meeting(pair_id, day, notes):
            meeting_id = cur.execute(
                "INSERT INTO meetings (pair_id, meeting_on, created_by, created_at) VALUES (?, ?, ?, ?) RETURNING meeting_id",
                [pair_id, day, built.director, datetime(day.year, day.month, day.day)],
            ).fetchone()[0]
            for minute, (held, written) in enumerate(notes):
                cur.execute(
                    "INSERT INTO meeting_notes VALUES (?, ?, NULL, ?, ?)",
                    [meeting_id, held, built.director, written.replace(minute=minute)],
                )

        in_time = datetime(2026, 9, 30, 9)
        for pair_id, held in held_per_pair.items():
            for i in range(held):
                meeting(pair_id, LAST_DAY - timedelta(days=10 + 7 * i), [(True, in_time)])
            meeting(pair_id, LAST_DAY - timedelta(days=5), [(True, in_time), (False, in_time)])
            meeting(pair_id, LAST_DAY - timedelta(days=200), [(True, in_time)])
            meeting(pair_id, LAST_DAY - timedelta(days=3), [(True, datetime(2026, 10, 2, 9))])

    store.write(work)


def _meetings_reset(store) -> None:
    def work(cur):
        cur.execute("DELETE FROM meeting_notes")
        cur.execute("DELETE FROM meetings")

    store.write(work)


def _pair_ids(built) -> list[int]:
    return built.career_pairs + built.research_pairs


def test_meeting_frequency_by_hand(built, store):
    _set_minimum(store, 3)
    _meetings(store, built, dict(zip(_pair_ids(built), [2, 2, 2, 1, 0, 3, 3, 3, 7, 0], strict=True)))
    frame = dashboard_aggregates.meeting_frequency_distribution(store, built.director_viewer, TODAY)
    assert set(frame["period_start"]) == {P}
    assert frame["meetings"].tolist() == ["0", "1", "2", "3-4", "5-6", "7+"]
    # Bins 0 (2 pairs), 1 (1) and 7+ (1) are under 3, and the empty 5-6 is hidden with them; together they hold 4.
    assert frame["pairs"].tolist() == [None, None, 3, 3, None, None]
    assert frame["suppressed"].tolist() == [True, True, False, False, True, True]


def test_meeting_frequency_hides_the_next_smallest_bin_too(built, store):
    _set_minimum(store, 3)
    _meetings(store, built, dict(zip(_pair_ids(built), [2, 2, 2, 2, 1, 2, 2, 3, 3, 3], strict=True)))
    frame = dashboard_aggregates.meeting_frequency_distribution(store, built.director_viewer, TODAY)
    # Bin 1 (one pair) is hidden; 10 current pairs minus the others would give it away, so the empty
    # bins and the next-smallest bin, 3-4 (3 pairs), are hidden too: the hidden bins hold 4 together.
    assert frame["pairs"].tolist() == [None, None, 6, None, None, None]
    _meetings_reset(store)
    _set_minimum(store, 5)
    _meetings(store, built, dict(zip(_pair_ids(built), [3, 4, 6, 5, 7, 0, 0, 0, 0, 0], strict=True)))
    frame = dashboard_aggregates.meeting_frequency_distribution(store, built.director_viewer, TODAY)
    # 3-4: 2 pairs, 5-6: 2 pairs, 7+: 1 pair -> hidden with the empty bins 1 and 2; bin 0 has the 5 others.
    assert frame["pairs"].tolist() == [5, None, None, None, None, None]


def test_meeting_frequency_counts_only_pairs_current_during_the_period(built, store):
    _meetings(store, built, dict.fromkeys(_pair_ids(built), 1))
    assert (
        _row(dashboard_aggregates.meeting_frequency_distribution(store, built.director_viewer, TODAY), meetings="1")["pairs"]
        == 10
    )

    def end_before_p(cur):  # D fellow 0's pair ended the day before P began, and that was recorded then
        day = P - timedelta(days=1)
        cur.execute("UPDATE pairs SET ended_on = ?, end_status = 'completed' WHERE pair_id = ?", [day, built.research_pairs[0]])
        cur.execute("INSERT INTO pair_log VALUES (?, 'ended', ?)", [built.research_pairs[0], day])

    store.write(end_before_p)
    frame = dashboard_aggregates.meeting_frequency_distribution(store, built.director_viewer, TODAY)
    assert _row(frame, meetings="1")["pairs"] == 9


def test_xlsx_holds_the_new_tables(built, store):
    viewer = built.director_viewer
    _set_minimum(store, 6)
    _meetings(store, built, dict(zip(_pair_ids(built), [1] * 5 + [0] * 5, strict=True)))
    tables = {
        "participation_by_instrument": dashboard_aggregates.participation_by_instrument(store, viewer, TODAY, periods=1),
        "meeting_frequency": dashboard_aggregates.meeting_frequency_distribution(store, viewer, TODAY),
    }
    workbook = openpyxl.load_workbook(io.BytesIO(dashboard_aggregates.to_xlsx(tables)))
    rows = list(workbook["participation_by_instrument"].iter_rows(values_only=True))
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    pairs_rows = [r for r in records if r["unit"] == "pairs"]
    # Administration, in full even under a minimum of 6: CURRENT has 10 pairs and no pair answer yet.
    assert len(pairs_rows) == 4 and all(r["expected"] == 10 and r["submitted"] == 0 for r in pairs_rows)
    rows = list(workbook["meeting_frequency"].iter_rows(values_only=True))
    meetings = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    # Bins 0 and 1 have 5 pairs each: under 6, hidden, and the empty bins with them.
    shown = [(m["meetings"], m["pairs"], m["suppressed"]) for m in meetings[:3]]
    assert shown == [("0", None, True), ("1", None, True), ("2", None, True)]


def _published_snapshots_one_group_at_a_time(states, periods, minimum) -> pd.DataFrame:
    """published_snapshots as it was first written, group by group with pandas: the reference for the array one."""
    rows = []
    needs = {start: int(disclosure.minimum_of_rows(minimum, pd.Series([start])).iloc[0]) for start in periods}
    for (category, cohort_key), group in states.groupby(["category", "cohort_key"], sort=True):
        codes = group.pivot_table(index="goal_id", columns="period_start", values="state", aggfunc="first", fill_value=0)
        owners = group.drop_duplicates("goal_id").set_index("goal_id")["owner_id"].reindex(codes.index)
        shown = [pd.Series(0, index=codes.index)]
        for start in periods:
            now = codes[start] if start in codes.columns else pd.Series(0, index=codes.index)
            present = owners[now != 0].nunique()
            differing = [owners[now != before].nunique() for before in shown]
            published = present >= needs[start] and all(count == 0 or count >= needs[start] for count in differing)
            if published:
                shown.append(now)
            rows.append({"category": category, "cohort_key": int(cohort_key), "period_start": start, "published": published})
    return pd.DataFrame(rows, columns=["category", "cohort_key", "period_start", "published"])


def test_published_snapshots_decides_as_the_group_by_group_walk_does():
    """Random programs (owners with one to three goals, in two categories and four cohorts, goals that come,
    go and change state), every minimum rule: the array walk publishes exactly what the plain walk does."""
    days = [date(2024, month, 1) for month in (1, 4, 7, 10)] + [date(2025, month, 1) for month in (1, 4, 7, 10)]
    minimums = [3, 4, 5, disclosure.Minimums(5, ((datetime(2024, 8, 1), 3, 5),), 3)]
    published = 0
    for seed in range(60):
        chance = random.Random(seed)
        rows, goal = [], 0
        for owner in range(chance.randint(0, 30)):
            cohort = chance.randint(0, 3)
            for _ in range(chance.randint(1, 3)):
                goal += 1
                category = chance.choice(["research", "career"])
                for day in days[chance.randint(0, 8) :]:
                    if chance.random() < 0.9:
                        state = chance.choice([1, 2, 3, 3, 4]) if chance.random() < 0.5 else 2
                        rows.append((goal, owner, category, cohort, day, state))
        states = pd.DataFrame(rows, columns=["goal_id", "owner_id", "category", "cohort_key", "period_start", "state"])
        periods, minimum = days[: chance.randint(0, 8)], minimums[seed % len(minimums)]
        expected = _published_snapshots_one_group_at_a_time(states, periods, minimum)
        pd.testing.assert_frame_equal(disclosure.published_snapshots(states, periods, minimum), expected)
        published += int(expected["published"].sum())
    assert published > 50  # the cases publish some snapshots and hide others


def test_no_two_published_goal_snapshots_differ_by_fewer_than_the_minimum():
    """Not only the last one shown: a director may subtract any two periods' snapshots. Ten owners, all on
    track; five fall behind; four of them recover and the fifth completes. The third snapshot differs from
    the second by five, but from the first by one person, so it stays hidden."""
    periods = [date(2025, 1, 1), date(2025, 4, 1), date(2025, 7, 1)]
    codes = {1: [2, 1, 3], **{owner: [2, 1, 2] for owner in range(2, 6)}, **{owner: [2, 2, 2] for owner in range(6, 11)}}
    states = pd.DataFrame(
        [
            {"goal_id": owner, "owner_id": owner, "category": "research", "cohort_key": 1, "period_start": day, "state": code}
            for owner, sequence in codes.items()
            for day, code in zip(periods, sequence, strict=True)
        ]
    )
    published = disclosure.published_snapshots(states, periods, minimum=5)
    assert list(published["published"]) == [True, True, False]
