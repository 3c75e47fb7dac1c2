"""The director's aggregates against hand-computed answers on a small hand-built program.

The fixture (minimum group size 5, period P = 2026 Q3, TODAY in 2026 Q4):
- cohort A: 6 fellows, cohort B: 5 fellows, cohort C: 4 fellows (under the minimum); 5 mentors.
- mentee-self in P, item positive-attitude: A rates 1, 2, 3, 4, 5, 5; B rates 3 x5; C rates 1 x4.
  Item academic-growth: everyone rates 4. Every assessment carries a comment that must never show.
- mentee-by-mentor in P: mentor i rates A fellow i (i < 5) and mentor 0 rates A fellow 5: 4 on both items.
- process-steps in P: pairs mentor i / A fellow i (i < 5); mentees rate ground-rules 2 (others 4),
  mentors rate ground-rules 3 (others 5).
- mentor-self in P: mentors 0..2 submit. In TODAY's period, only cohort A fellows have submitted.
"""

import io
from datetime import date, datetime, timedelta

import openpyxl
import pandas as pd
import pytest

from analytics import program
from analytics.errors import AccessDenied
from analytics.instruments import load_catalogue
from analytics.people import Viewer
from tests.conftest import TODAY

P = date(2026, 7, 1)
CURRENT = date(2026, 10, 1)
CREATED = datetime(2025, 1, 1)
SECRET = "SECRET COMMENT never in aggregates"
A, B, C = 1, 2, 3
SIZES = {A: 6, B: 5, C: 4}
POSITIVE = {A: [1, 2, 3, 4, 5, 5], B: [3] * 5, C: [1] * 4}


class Program:
    def __init__(self, store):
        self.store = store
        self.fellows: dict[int, list[int]] = {}
        self.mentors: list[int] = []
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

    def assess(self, cur, instrument: str, respondent: int, subject: int, period: date, ratings: dict, pair_id=None) -> None:
        aid = self._next_assessment
        self._next_assessment += 1
        cur.execute(
            """INSERT INTO assessments (assessment_id, instrument_id, instrument_version, respondent_id, subject_id, pair_id,
                   period_start, submitted_at, comment, submission_key) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?)""",
            [aid, instrument, respondent, subject, pair_id, period, datetime(period.year, period.month, 15), SECRET, f"k{aid}"],
        )
        for item, rating in ratings.items():
            cur.execute("INSERT INTO responses VALUES (?, ?, ?)", [aid, item, rating])


def _build(store) -> Program:
    built = Program(store)

    def work(cur):
        cur.execute("INSERT INTO programs (program_id, name, created_at) VALUES (1, 'Test program', ?)", [CREATED])
        cur.execute("INSERT INTO programs (program_id, name, created_at) VALUES (2, 'Other program', ?)", [CREATED])
        for cohort, name in ((A, "Cohort A"), (B, "Cohort B"), (C, "Cohort C")):
            cur.execute("INSERT INTO cohorts VALUES (?, 1, ?, 2025)", [cohort, name])
        built.director = built.person(cur, "Dana Director", "director")
        for cohort, size in SIZES.items():
            built.fellows[cohort] = [built.person(cur, f"Fellow {cohort}-{i}", "fellow", cohort) for i in range(size)]
        built.mentors = [built.person(cur, f"Mentor {i}", "mentor") for i in range(5)]
        for cohort, ratings in POSITIVE.items():
            for fellow, rating in zip(built.fellows[cohort], ratings, strict=True):
                items = {"positive-attitude": rating, "academic-growth": 4}
                built.assess(cur, "mentee-self", fellow, fellow, P, items)
        for fellow in built.fellows[A]:
            built.assess(cur, "mentee-self", fellow, fellow, CURRENT, {"positive-attitude": 5, "academic-growth": 5})
        a_fellows = built.fellows[A]
        for i, fellow in enumerate(a_fellows):
            mentor = built.mentors[i % 5]
            built.assess(cur, "mentee-by-mentor", mentor, fellow, P, {"positive-attitude": 4, "academic-growth": 4})
        steps = ["shared-interests", "ground-rules", "planned-meetings", "goals-tracked", "bidirectional-feedback"]
        for i in range(5):
            mentor, mentee = built.mentors[i], a_fellows[i]
            cur.execute(
                "INSERT INTO pairs (pair_id, program_id, mentor_id, mentee_id, domain, started_on)"
                " VALUES (?, 1, ?, ?, 'career', ?)",
                [i + 1, mentor, mentee, date(2025, 1, 1)],
            )
            built.assess(cur, "process-steps", mentee, mentor, P, {s: 2 if s == "ground-rules" else 4 for s in steps}, i + 1)
            built.assess(cur, "process-steps", mentor, mentee, P, {s: 3 if s == "ground-rules" else 5 for s in steps}, i + 1)
        for mentor in built.mentors[:3]:
            built.assess(cur, "mentor-self", mentor, mentor, P, {"x": 3})
        # Goals: A's 6 research goals (2 completed, 2 on track, 2 behind); B's 5 (behind); C's 4.
        goal_id = 0
        for cohort in (A, B, C):
            for i, owner in enumerate(built.fellows[cohort]):
                goal_id += 1
                cur.execute(
                    """INSERT INTO goals (goal_id, owner_id, title, category, measure, target_value, started_on, target_date,
                           created_at) VALUES (?, ?, 'Write it', 'research', 'percent', 100, ?, ?, ?)""",
                    [goal_id, owner, date(2026, 1, 1), date(2026, 12, 31), CREATED],
                )
                if cohort == A and i < 2:
                    cur.execute(
                        "INSERT INTO goal_status_changes VALUES (?, 'completed', NULL, ?, ?)",
                        [goal_id, date(2026, 6, 1), datetime(2026, 6, 1)],
                    )
                elif cohort == A:
                    value = 90 if i < 4 else 10
                    cur.execute(
                        "INSERT INTO goal_checkins VALUES (?, ?, ?, 'private note', ?)",
                        [goal_id, date(2026, 11, 1), value, datetime(2026, 11, 1)],
                    )
        # Outputs: one publication in 2026-01 (one person), five more in 2026-03 (five others).
        for i, owner in enumerate(a_fellows):
            happened = date(2026, 1, 10) if i == 0 else date(2026, 3, 10)
            cur.execute(
                "INSERT INTO outputs (output_id, owner_id, kind, title, happened_on, recorded_at)"
                " VALUES (?, ?, 'publication', ?, ?, ?)",
                [i + 1, owner, f"Paper {i}", happened, CREATED],
            )

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


# ---------------------------------------------------------------- the rule


def test_suppress_hides_small_cells_and_their_next_smallest_sibling():
    frame = pd.DataFrame({"group": ["g"] * 3 + ["h"] * 2, "n": [4, 6, 9, 7, 8], "mean": [1.0, 2.0, 3.0, 4.0, 5.0]})
    out = program.suppress(frame, "n", 5, value_columns=["mean"], sibling_columns=["group"])
    assert out["suppressed"].tolist() == [True, True, False, False, False]
    assert out["mean"].tolist() == [None, None, 3.0, 4.0, 5.0]


def test_suppress_never_goes_below_three():
    frame = pd.DataFrame({"n": [2, 3], "mean": [1.0, 2.0]})
    out = program.suppress(frame, "n", 1, value_columns=["mean"])
    assert out["suppressed"].tolist() == [True, False]


def test_min_group_size_reads_the_program_setting(built, store):
    assert program.min_group_size(store, built.director_viewer) == 5
    store.write(lambda cur: cur.execute("UPDATE programs SET min_group_size = 4 WHERE program_id = 1"))
    assert program.min_group_size(store, built.director_viewer) == 4


# ---------------------------------------------------------------- participation


def test_participation_counts_and_complementary_suppression(built, store):
    frame = program.participation(store, built.director_viewer, TODAY, periods=2)
    in_p = frame[frame["period_start"] == P]
    a = _row(in_p, cohort="Cohort A")
    assert (a["active"], a["submitted"], a["completion_rate"], a["suppressed"]) == (6, 6, 1.0, False)
    c = _row(in_p, cohort="Cohort C")
    assert c["active"] == 4 and c["submitted"] is None and c["completion_rate"] is None and c["suppressed"]
    # The difference attack: total (15) minus A (6) minus B would give C; B is hidden too.
    b = _row(in_p, cohort="Cohort B")
    assert b["suppressed"] and b["submitted"] is None
    total = _row(in_p, cohort=program.ALL_COHORTS)
    assert (total["active"], total["submitted"]) == (15, 15)
    mentors = _row(in_p, cohort=program.MENTORS)
    assert (mentors["active"], mentors["submitted"], mentors["completion_rate"]) == (5, 3, 0.6)


def test_overdue_people_by_name(built, store):
    overdue = program.overdue_people(store, built.director_viewer, TODAY)
    assert len(overdue) == 5 + 4 + 5
    assert set(overdue[overdue["role"] == "fellow"]["cohort"]) == {"Cohort B", "Cohort C"}
    assert "Mentor 0" in set(overdue["name"])


# ---------------------------------------------------------------- ratings


def test_rating_distribution_by_hand(built, store):
    frame = program.rating_distribution(store, built.director_viewer, "mentee-self", first_period=P, last_period=P)
    row = _row(frame, item_id="positive-attitude")
    # A and B pooled (C is under the minimum and never enters a pool): (20 + 15) / 11.
    assert row["n"] == 11 and row["mean"] == round(35 / 11, 2) and not row["suppressed"]
    assert [row[f"rating_{v}"] for v in range(1, 6)] == [1, 1, 6, 1, 2]


def test_rating_distribution_one_cohort_by_hand(built, store):
    frame = program.rating_distribution(store, built.director_viewer, "mentee-self", [A], P, P)
    row = _row(frame, item_id="positive-attitude")
    assert (row["n"], row["mean"], row["sd"]) == (6, 3.33, 1.63)


def test_a_cohort_of_four_shows_nothing(built, store):
    frame = program.rating_distribution(store, built.director_viewer, "mentee-self", [C], P, P)
    assert len(frame) == 2 and frame["suppressed"].all()
    assert frame[["mean", "sd", "rating_1", "rating_5"]].isna().all().all()
    heatmap = program.item_heatmap(store, built.director_viewer, "mentee-self", [C], P, P)
    assert heatmap["suppressed"].all() and heatmap["mean"].isna().all()


def test_a_filter_that_leaves_four_shows_nothing(built, store):
    # Only one period and one cohort chosen: the cell has 4 people.
    frame = program.cohort_trend(store, built.director_viewer, "mentee-self", [C], P, P)
    assert frame["suppressed"].all() and frame["mean"].isna().all()


def test_a_difference_between_filters_reveals_nothing(built, store):
    viewer = built.director_viewer
    with_c = program.rating_distribution(store, viewer, "mentee-self", [A, B, C], P, P)
    without_c = program.rating_distribution(store, viewer, "mentee-self", [A, B], P, P)
    pd.testing.assert_frame_equal(with_c, without_c)
    a_and_c = program.rating_distribution(store, viewer, "mentee-self", [A, C], P, P)
    a_only = program.rating_distribution(store, viewer, "mentee-self", [A], P, P)
    pd.testing.assert_frame_equal(a_and_c, a_only)


def test_cohort_trend_by_hand_with_complementary_suppression(built, store):
    frame = program.cohort_trend(store, built.director_viewer, "mentee-self", None, P, P)
    a = _row(frame, cohort="Cohort A")
    # Each A fellow's average: (r + 4) / 2 for r in 1, 2, 3, 4, 5, 5 -> mean 22 / 6.
    assert a["mean"] == round(22 / 6, 2) and not a["suppressed"]
    assert _row(frame, cohort="Cohort C")["suppressed"]
    b = _row(frame, cohort="Cohort B")
    assert b["suppressed"] and b["mean"] is None


def test_heatmap_means(built, store):
    frame = program.item_heatmap(store, built.director_viewer, "mentee-self")
    assert _row(frame, period_start=P, item_id="academic-growth")["mean"] == 4.0
    # In the current period only A (6 people) answered: 5 on both items.
    assert _row(frame, period_start=CURRENT, item_id="positive-attitude")["mean"] == 5.0


def test_self_vs_mentor_by_hand(built, store):
    frame = program.self_vs_mentor(store, built.director_viewer, today=TODAY)
    row = _row(frame, item_id="positive-attitude")
    assert row["period_start"] == P
    assert (row["self_n"], row["self_mean"]) == (11, round(35 / 11, 2))
    assert (row["mentor_n"], row["mentor_mean"]) == (5, 4.0)
    assert row["gap"] == round(round(35 / 11, 2) - 4.0, 2)


def test_self_vs_mentor_small_cohort_is_suppressed(built, store):
    frame = program.self_vs_mentor(store, built.director_viewer, cohort_ids=[C], today=TODAY)
    assert frame["self_suppressed"].all() and frame["self_mean"].isna().all()


def test_process_gaps_lowest_first_with_the_guidance_quote(built, store):
    catalogue = load_catalogue()
    frame = program.process_gaps(store, built.director_viewer, catalogue, today=TODAY)
    assert len(frame) == 5
    first = frame.iloc[0]
    assert first["item_id"] == "ground-rules"
    assert (first["mentee_mean"], first["mentor_mean"], first["mentee_n"], first["mentor_n"]) == (2.0, 3.0, 5, 5)
    assert first["quote"] == catalogue.get("process-steps").item("ground-rules").quote
    assert set(frame.iloc[1:]["mentee_mean"]) == {4.0}


# ---------------------------------------------------------------- goals and outputs


def test_goal_completion_by_hand(built, store):
    frame = program.goal_completion(store, built.director_viewer, TODAY)
    a = _row(frame, cohort="Cohort A")
    assert (a["goals"], a["n"], a["completed_share"], a["on_track_share"]) == (6, 6, round(2 / 6, 3), 0.5)
    assert _row(frame, cohort="Cohort C")["suppressed"]
    b = _row(frame, cohort="Cohort B")  # complementary: the next-smallest cohort of the category
    assert b["suppressed"] and b["completed_share"] is None


def test_outputs_over_time_by_hand(built, store):
    frame = program.outputs_over_time(store, built.director_viewer)
    january = _row(frame, month=date(2026, 1, 1), kind="publication")
    assert january["suppressed"] and january["cumulative"] is None  # one person's paper
    march = _row(frame, month=date(2026, 3, 1), kind="publication")
    assert (march["added"], march["cumulative"], march["n"], march["suppressed"]) == (5, 6, 6, False)


# ---------------------------------------------------------------- privacy and access


def _every_table(store, built) -> dict[str, pd.DataFrame]:
    viewer = built.director_viewer
    return {
        "participation": program.participation(store, viewer, TODAY),
        "overdue": program.overdue_people(store, viewer, TODAY),
        "distribution": program.rating_distribution(store, viewer, "mentee-self"),
        "heatmap": program.item_heatmap(store, viewer, "mentee-self"),
        "trend": program.cohort_trend(store, viewer, "mentee-self"),
        "self_vs_mentor": program.self_vs_mentor(store, viewer, today=TODAY),
        "process": program.process_gaps(store, viewer, load_catalogue(), today=TODAY),
        "goals": program.goal_completion(store, viewer, TODAY),
        "outputs": program.outputs_over_time(store, viewer),
    }


def test_comments_never_appear(built, store):
    for name, table in _every_table(store, built).items():
        assert "SECRET" not in _all_text(table), name
        assert "private note" not in _all_text(table), name


@pytest.mark.parametrize("who", ["fellow_viewer", "mentor_viewer", None])
def test_only_directors(built, store, who):
    viewer = getattr(built, who) if who else None
    calls = [
        lambda: program.participation(store, viewer, TODAY),
        lambda: program.overdue_people(store, viewer, TODAY),
        lambda: program.rating_distribution(store, viewer, "mentee-self"),
        lambda: program.item_heatmap(store, viewer, "mentee-self"),
        lambda: program.cohort_trend(store, viewer, "mentee-self"),
        lambda: program.self_vs_mentor(store, viewer),
        lambda: program.process_gaps(store, viewer, load_catalogue()),
        lambda: program.goal_completion(store, viewer, TODAY),
        lambda: program.outputs_over_time(store, viewer),
        lambda: program.cohorts_of(store, viewer),
        lambda: program.rating_periods(store, viewer),
    ]
    for call in calls:
        with pytest.raises(AccessDenied):
            call()


def test_another_programs_director_sees_nothing_of_this_program(built, store):
    other = Viewer(built.director, "Dana", 2, frozenset({"director"}))
    frame = program.rating_distribution(store, other, "mentee-self")
    assert frame.empty
    assert program.participation(store, other, TODAY)["active"].sum() == 0


def test_xlsx_round_trips_with_the_same_suppressed_values(built, store):
    tables = _every_table(store, built)
    workbook = openpyxl.load_workbook(io.BytesIO(program.to_xlsx(tables)))
    assert workbook.sheetnames == list(tables)
    sheet = workbook["participation"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    records = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    small = [r for r in records if r["cohort"] == "Cohort C"]
    assert small and all(r["submitted"] is None and r["completion_rate"] is None and r["suppressed"] for r in small)
    big = next(r for r in records if r["cohort"] == "Cohort A" and str(r["period_start"]).startswith("2026-07-01"))
    assert big["completion_rate"] == 1.0
    trend_rows = list(workbook["trend"].iter_rows(values_only=True))
    assert len(trend_rows) == len(tables["trend"]) + 1
    assert "SECRET" not in str(trend_rows)


# ---------------------------------------------------------------- participation per instrument


def test_participation_by_instrument_by_hand(built, store):
    frame = program.participation_by_instrument(store, built.director_viewer, TODAY, periods=2)
    assert len(frame) == 2 * 6  # 2 periods x (2 self instruments + 4 pair instrument sides)

    def rate(period, instrument, respondent):
        row = _row(frame, period_start=period, instrument_id=instrument, respondent=respondent)
        return (row["unit"], row["expected"], row["submitted"], row["completion_rate"])

    assert rate(P, "mentee-self", "fellow") == ("people", 15, 15, 1.0)
    assert rate(P, "mentor-self", "mentor") == ("people", 5, 3, 0.6)
    # 5 current pairs (mentor i / A fellow i): mentors rated their mentees; no mentee rated a mentor.
    assert rate(P, "mentee-by-mentor", "mentor") == ("pairs", 5, 5, 1.0)
    assert rate(P, "mentor-by-mentee", "mentee") == ("pairs", 5, 0, 0.0)
    assert rate(P, "process-steps", "mentee") == ("pairs", 5, 5, 1.0)
    assert rate(P, "process-steps", "mentor") == ("pairs", 5, 5, 1.0)
    assert rate(CURRENT, "mentee-self", "fellow") == ("people", 15, 6, 0.4)
    assert rate(CURRENT, "mentee-by-mentor", "mentor") == ("pairs", 5, 0, 0.0)
    assert not frame["suppressed"].any()


def test_participation_by_instrument_suppresses_small_groups(built, store):
    store.write(lambda cur: cur.execute("UPDATE programs SET min_group_size = 6 WHERE program_id = 1"))
    frame = program.participation_by_instrument(store, built.director_viewer, TODAY, periods=1)
    pairs = frame[frame["unit"] == "pairs"]
    assert pairs["suppressed"].all() and pairs["submitted"].isna().all() and pairs["completion_rate"].isna().all()
    fellows = _row(frame, instrument_id="mentee-self")
    assert not fellows["suppressed"] and fellows["submitted"] == 6
    assert _row(frame, instrument_id="mentor-self")["suppressed"]  # 5 mentors


# ---------------------------------------------------------------- the mentor-domain filter


def _research_pairs_for_b(store, built):
    """Each B fellow gets a research mentor (mentor i); pair 5 (A fellow 4) becomes research too, so
    career leaves 4 fellows (A 0..3)."""

    def work(cur):
        for i, fellow in enumerate(built.fellows[B]):
            cur.execute(
                "INSERT INTO pairs (pair_id, program_id, mentor_id, mentee_id, domain, started_on)"
                " VALUES (?, 1, ?, ?, 'research', ?)",
                [100 + i, built.mentors[i], fellow, date(2025, 1, 1)],
            )
        cur.execute("UPDATE pairs SET domain = 'research' WHERE pair_id = 5")

    store.write(work)


def test_domain_filter_by_hand(built, store):
    _research_pairs_for_b(store, built)
    viewer = built.director_viewer
    # Research: B's 5 fellows (all in the domain, none outside) -> B's ratings alone: 3 x5.
    frame = program.rating_distribution(store, viewer, "mentee-self", None, P, P, domain="research")
    row = _row(frame, item_id="positive-attitude")
    assert (row["n"], row["mean"], row["rating_3"], row["suppressed"]) == (5, 3.0, 5, False)
    trend = program.cohort_trend(store, viewer, "mentee-self", None, P, P, domain="research")
    # A has one research fellow (hidden), so B, its only sibling, is hidden too (complementary).
    assert _row(trend, cohort="Cohort A")["suppressed"] and _row(trend, cohort="Cohort B")["suppressed"]
    trend = program.cohort_trend(store, viewer, "mentee-self", [B], P, P, domain="research")
    b = _row(trend, cohort="Cohort B")
    assert (b["n"], b["mean"], b["suppressed"]) == (5, 3.5, False)  # each B fellow averages (3 + 4) / 2
    goals = program.goal_completion(store, viewer, TODAY, [B], domain="research")
    gb = _row(goals, cohort="Cohort B")
    assert (gb["goals"], gb["n"], gb["completed_share"], gb["suppressed"]) == (5, 5, 0.0, False)
    # Social: nobody has a social mentor.
    assert program.rating_distribution(store, viewer, "mentee-self", None, P, P, domain="social")["mean"].isna().all()


def test_a_domain_filter_that_leaves_four_shows_nothing(built, store):
    _research_pairs_for_b(store, built)
    viewer = built.director_viewer
    kwargs = {"first_period": P, "last_period": P, "domain": "career"}  # A fellows 0..3 only
    distribution = program.rating_distribution(store, viewer, "mentee-self", **kwargs)
    assert len(distribution) and distribution["suppressed"].all() and distribution["mean"].isna().all()
    heatmap = program.item_heatmap(store, viewer, "mentee-self", **kwargs)
    assert heatmap["suppressed"].all() and heatmap["mean"].isna().all()
    trend = program.cohort_trend(store, viewer, "mentee-self", **kwargs)
    assert len(trend) and trend["suppressed"].all() and trend["mean"].isna().all()
    goals = program.goal_completion(store, viewer, TODAY, domain="career")
    assert len(goals) and goals["suppressed"].all() and goals["completed_share"].isna().all()
    gaps = program.self_vs_mentor(store, viewer, today=TODAY, domain="career")
    assert gaps["self_mean"].isna().all() and gaps["mentor_mean"].isna().all()


def test_a_domain_filter_cannot_isolate_the_rest_of_a_cohort(built, store):
    # Career covers A fellows 0..4: 5 people, but the 1 A fellow outside would be "any" minus "career".
    frame = program.rating_distribution(store, built.director_viewer, "mentee-self", [A], P, P, domain="career")
    assert frame["suppressed"].all() and frame["mean"].isna().all()


def test_an_unknown_domain_is_refused(built, store):
    with pytest.raises(ValueError):
        program.rating_distribution(store, built.director_viewer, "mentee-self", domain="x'); DROP TABLE people; --")


# ---------------------------------------------------------------- meeting frequency


def _meetings(store, built, held_per_pair: dict[int, int]) -> None:
    """`held_per_pair[pair_id]` held meetings in the last 180 days; every pair also gets one meeting
    whose latest note says it was not held, and one held meeting 200 days ago (both never count)."""

    def work(cur):
        meeting_id = 0

        def meeting(pair_id, day, notes):
            nonlocal meeting_id
            meeting_id += 1
            cur.execute("INSERT INTO meetings VALUES (?, ?, ?, ?, ?)", [meeting_id, pair_id, day, built.director, CREATED])
            for minute, held in enumerate(notes):
                cur.execute(
                    "INSERT INTO meeting_notes VALUES (?, ?, NULL, ?, ?)",
                    [meeting_id, held, built.director, datetime(2026, 11, 1, 9, minute)],
                )

        for pair_id, held in held_per_pair.items():
            for i in range(held):
                meeting(pair_id, TODAY - timedelta(days=10 + 7 * i), [True])
            meeting(pair_id, TODAY - timedelta(days=5), [True, False])
            meeting(pair_id, TODAY - timedelta(days=200), [True])

    store.write(work)


def test_meeting_frequency_by_hand(built, store):
    store.write(lambda cur: cur.execute("UPDATE programs SET min_group_size = 3 WHERE program_id = 1"))
    _meetings(store, built, {1: 2, 2: 2, 3: 2, 4: 1, 5: 0})
    frame = program.meeting_frequency_distribution(store, built.director_viewer, TODAY)
    assert frame["meetings"].tolist() == ["0", "1", "2", "3-4", "5-6", "7+"]
    assert frame["pairs"].tolist() == [None, None, 3, 0, 0, 0]  # the single-pair bins 0 and 1 are hidden
    assert frame["suppressed"].tolist() == [True, True, False, False, False, False]


def test_meeting_frequency_hides_the_next_smallest_bin_too(built, store):
    store.write(lambda cur: cur.execute("UPDATE programs SET min_group_size = 3 WHERE program_id = 1"))
    _meetings(store, built, {1: 3, 2: 4, 3: 6, 4: 5, 5: 7})
    frame = program.meeting_frequency_distribution(store, built.director_viewer, TODAY)
    # 3-4: 2 pairs, 5-6: 2 pairs, 7+: 1 pair -> all hidden; the empty bins stay 0.
    assert frame["pairs"].tolist() == [0, 0, 0, None, None, None]
    _meetings_reset(store)
    _meetings(store, built, {1: 2, 2: 2, 3: 2, 4: 2, 5: 1})
    frame = program.meeting_frequency_distribution(store, built.director_viewer, TODAY)
    # Bin 1 (one pair) is hidden; 5 current pairs minus bin 2 would give it away, so bin 2 is hidden too.
    assert frame["pairs"].tolist() == [0, None, None, 0, 0, 0]


def _meetings_reset(store) -> None:
    def work(cur):
        cur.execute("DELETE FROM meeting_notes")
        cur.execute("DELETE FROM meetings")

    store.write(work)


def test_meeting_frequency_counts_only_current_pairs(built, store):
    _meetings(store, built, {1: 1, 2: 1, 3: 1, 4: 1, 5: 1})
    store.write(lambda cur: cur.execute("UPDATE pairs SET ended_on = ?, end_status = 'completed' WHERE pair_id = 5", [P]))
    frame = program.meeting_frequency_distribution(store, built.director_viewer, TODAY)
    assert _row(frame, meetings="1")["suppressed"]  # 4 current pairs: under 5
    _meetings_reset(store)
    store.write(lambda cur: cur.execute("UPDATE pairs SET ended_on = NULL, end_status = NULL WHERE pair_id = 5"))
    _meetings(store, built, {1: 1, 2: 1, 3: 1, 4: 1, 5: 1})
    assert _row(program.meeting_frequency_distribution(store, built.director_viewer, TODAY), meetings="1")["pairs"] == 5


@pytest.mark.parametrize("who", ["fellow_viewer", "mentor_viewer", None])
def test_only_directors_for_the_new_aggregates(built, store, who):
    viewer = getattr(built, who) if who else None
    calls = [
        lambda: program.participation_by_instrument(store, viewer, TODAY),
        lambda: program.meeting_frequency_distribution(store, viewer, TODAY),
        lambda: program.rating_distribution(store, viewer, "mentee-self", domain="career"),
        lambda: program.goal_completion(store, viewer, TODAY, domain="career"),
    ]
    for call in calls:
        with pytest.raises(AccessDenied):
            call()


def test_xlsx_holds_the_new_tables_suppressed(built, store):
    viewer = built.director_viewer
    store.write(lambda cur: cur.execute("UPDATE programs SET min_group_size = 6 WHERE program_id = 1"))
    tables = {
        "participation_by_instrument": program.participation_by_instrument(store, viewer, TODAY, periods=1),
        "meeting_frequency": program.meeting_frequency_distribution(store, viewer, TODAY),
    }
    workbook = openpyxl.load_workbook(io.BytesIO(program.to_xlsx(tables)))
    rows = list(workbook["participation_by_instrument"].iter_rows(values_only=True))
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    pairs = [r for r in records if r["unit"] == "pairs"]
    assert pairs and all(r["submitted"] is None and r["completion_rate"] is None for r in pairs)
    meetings = list(workbook["meeting_frequency"].iter_rows(values_only=True))
    assert meetings[1][:2] == ("0", None)  # 5 pairs with no meetings: under 6
