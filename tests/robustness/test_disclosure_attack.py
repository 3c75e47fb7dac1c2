"""A director attacking the dashboard with nothing but what it publishes (analytics/disclosure.py).

On the demo program (a cohort of 4 under the minimum of 5, fellows with mentors in several domains):
- every view the dashboard and its Excel offer (each cohort subset x each domain x each instrument,
  and each single period) is collected with the units behind every published figure; the figures
  are recomputed from the raw rows of exactly those units (so the trace cannot lie), and no linear
  combination of them may isolate fewer than the minimum: the units are split into classes that
  every published figure either takes whole or not at all, and each class must hold at least the
  minimum of people;
- the attack the issue reproduced is run as an attacker would: from administration alone (cohorts,
  pairs, who submitted), sums and differences of up to three views that single out fewer than 5
  people, compared with those people's true ratings;
- one more submission (and a back-dated pair) in the open period changes nothing protected.
"""

import contextlib
import itertools
from datetime import date

import numpy as np
import pandas as pd
import pytest

from analytics import assessments, dashboard_aggregates, disclosure, goals, outputs, pairs
from analytics.errors import InputError
from analytics.instruments import SUBSCALE_PREFIX, load_catalogue
from analytics.people import Viewer, load_viewer
from analytics.periods import periods_between
from analytics.registry import registered_layout
from analytics.store import Store
from demo import DemoSize, build_database
from tests.conftest import NOW, TODAY


@pytest.fixture(scope="module")
def large_program(tmp_path_factory):
    """One program of 120 fellows in 3 cohorts plus a small one, 40 mentors, 3 years: big enough that
    the domain filter's groups are worth attacking (the attack of the issue found 108 ratings here)."""
    path = tmp_path_factory.mktemp("large-program") / "large.duckdb"
    build_database(path, TODAY, size=DemoSize(fellows=120, mentors=40, years=3))
    return path


@pytest.fixture(params=["demo", "large"])
def attacked(request, demo_store, large_program):
    if request.param == "demo":
        yield demo_store
    else:
        with Store(large_program) as store:
            yield store


# The shipped four, and the demo program's own (demo/instruments/: 7 points, subscales).
RATING_INSTRUMENTS = ("mentee-self", "mentee-by-mentor", "mentor-self", "mentor-by-mentee", "mentoring-competencies")
SELF_INSTRUMENTS = {"mentee-self": "fellow", "mentor-self": "mentor"}


def _director(store) -> Viewer:
    person_id = store.query_one(
        "SELECT person_id FROM people JOIN person_roles USING (person_id) WHERE role = 'director' AND program_id = 1"
    )[0]
    return load_viewer(store, person_id)


def _cohort_subsets(store) -> list[tuple[int, ...] | None]:
    cohort_ids = [row[0] for row in store.query_all("SELECT cohort_id FROM cohorts WHERE program_id = 1 ORDER BY 1")]
    subsets = [combo for size in range(1, len(cohort_ids)) for combo in itertools.combinations(cohort_ids, size)]
    return [None, *subsets]  # None: every cohort, as the page passes it


def _closed_periods(store, director, today: date = TODAY) -> list[date]:
    """Every closed period from the program's first goal to the latest one."""
    first = store.query_one("SELECT min(created_at)::DATE FROM goals")[0]
    latest = disclosure.latest_closed_period(store, director, today)
    return periods_between(first, latest) if first <= latest else []


def _views(store):
    for cohorts in _cohort_subsets(store):
        for domain in (None, *pairs.MENTOR_DOMAINS):
            yield (None if cohorts is None else list(cohorts)), domain


def _values(row) -> list[int]:
    """The scale values a distribution row counts (its rating_<value> columns)."""
    return [int(name.removeprefix("rating_")) for name in row._fields if name.startswith("rating_")]


class Raw:
    """The assessments and responses of the program, read once, to recompute published figures."""

    def __init__(self, store):
        frame = store.query_df(
            """SELECT a.assessment_id, a.respondent_id, a.subject_id, r.item_id, r.rating
               FROM assessments a JOIN responses r USING (assessment_id)"""
        )
        self.people = frame.drop_duplicates("assessment_id").set_index("assessment_id")[["respondent_id", "subject_id"]]
        self.ratings = frame.set_index(["assessment_id", "item_id"])["rating"].sort_index()
        self.averages = frame.groupby("assessment_id")["rating"].mean()

    def n(self, ids) -> int:
        people = self.people.loc[list(ids)]
        return int(min(people["respondent_id"].nunique(), people["subject_id"].nunique()))

    def check_rating_row(self, row, subscales: dict[str, str]) -> None:
        """A published (period, item) row equals its statistics recomputed from the assessments it names
        (a subscale's row: from their answers to every item of the subscale)."""
        items = [i for i, name in subscales.items() if SUBSCALE_PREFIX + name == row.item_id] or [row.item_id]
        raw = self.ratings.loc[[(i, item) for i in row.behind for item in items]]
        assert len(raw) == len(row.behind) * len(items), "every named assessment answers the item, once"
        assert row.n == self.n(row.behind)
        assert float(row.mean) == pytest.approx(raw.mean(), abs=0.0051)  # rounded to 2 places
        for value in _values(row):
            assert int(getattr(row, f"rating_{value}")) == int((raw == value).sum())

    def check_trend_row(self, row) -> None:
        assert float(row.mean) == pytest.approx(self.averages.loc[list(row.behind)].mean(), abs=0.0051)
        assert row.n == self.n(row.behind)


def _collect(demo_store, today: date = TODAY):
    """Every published protected figure with the units behind it: {universe: [set of unit ids]}."""
    store = demo_store
    director = _director(store)
    minimum = disclosure.min_group_size(store, director)
    catalogue = load_catalogue()
    raw = Raw(store)
    published: dict[str, list[frozenset]] = {"assessment": [], "goal": [], "output": []}
    periods = dashboard_aggregates.rating_periods(store, director, today)
    windows = [(None, None)] + [(p, p) for p in periods]
    for instrument_id in RATING_INSTRUMENTS:
        for cohort_ids, domain in _views(store):
            for first, last in windows if (cohort_ids, domain) == (None, None) else [(None, None)]:
                args = (store, director, instrument_id, cohort_ids, first, last, domain)
                distribution = dashboard_aggregates.rating_distribution(*args, today=today, trace=True)
                for row in distribution[~distribution["suppressed"]].itertuples():
                    raw.check_rating_row(row, registered_layout(store, instrument_id)[1])
                    published["assessment"].append(frozenset(row.behind))
                trend = dashboard_aggregates.cohort_trend(*args, today=today, trace=True)
                for row in trend[~trend["suppressed"]].itertuples():
                    raw.check_trend_row(row)
                    published["assessment"].append(frozenset(row.behind))
    for cohort_ids, domain in _views(store):
        gaps = dashboard_aggregates.self_vs_mentor(store, director, cohort_ids, today=today, domain=domain, trace=True)
        for side in ("self", "mentor"):
            for behind, hidden in zip(gaps[f"{side}_behind"], gaps[f"{side}_suppressed"], strict=True):
                if not hidden:
                    published["assessment"].append(frozenset(behind))

    # Goals are a stock: a goal is in every period's figures, so each period's snapshot is collected, a
    # unit being a goal in one state (goal_id * 10 + state): two snapshots subtract to the goals that changed.
    periods = _closed_periods(store, director, today)
    for period in periods:
        # A cohort filter only picks rows of goal figures (a cohort is one group): every subset for the
        # latest period, every period for all cohorts.
        for cohort_ids in _cohort_subsets(store) if period == periods[-1] else [None]:
            completion = dashboard_aggregates.goal_completion(store, director, today, cohort_ids, period=period, trace=True)
            for row in completion[~completion["suppressed"]].itertuples():
                goal_ids = sorted({code // 10 for code in row.behind})
                owners = store.query_one("SELECT count(DISTINCT owner_id) FROM goals WHERE list_contains(?, goal_id)", [goal_ids])
                assert row.goals == len(goal_ids) == len(row.behind) and row.n == owners[0]
                published["goal"].append(frozenset(row.behind))
    # Goal progress over time: every period's snapshot, each group's as goal_completion publishes it, and the
    # goals reached since the group was last shown: the difference of two published completed counts.
    for cohort_ids in _cohort_subsets(store):
        progress = dashboard_aggregates.goal_progress(store, director, today, cohort_ids, trace=True)
        assert set(progress["period_start"]) <= set(periods)
        for _, group in progress.groupby(["category", "cohort"]):
            last_completed = 0
            for row in group[~group["suppressed"]].itertuples():
                goal_ids = sorted({code // 10 for code in row.behind})
                owners = store.query_one("SELECT count(DISTINCT owner_id) FROM goals WHERE list_contains(?, goal_id)", [goal_ids])
                assert row.goals == len(goal_ids) == len(row.behind) and row.n == owners[0]
                completed = sum(1 for code in row.behind if code % 10 == 3)
                assert row.reached == completed - last_completed
                last_completed = completed
                published["goal"].append(frozenset(row.behind))
    steps = dashboard_aggregates.process_gaps(store, director, catalogue, today=today, trace=True)
    for side in ("mentee", "mentor"):
        for behind, hidden in zip(steps[f"{side}_behind"], steps[f"{side}_suppressed"], strict=True):
            if not hidden:
                published["assessment"].append(frozenset(behind))
    trend = dashboard_aggregates.process_step_trend(store, director, catalogue, today=today, trace=True)
    for row in trend[~trend["suppressed"]].itertuples():
        raw_means = raw.ratings.loc[[(i, row.item_id) for i in row.behind]]
        assert float(row.mean) == pytest.approx(raw_means.mean(), abs=0.0051) and row.n == raw.n(row.behind)
        published["assessment"].append(frozenset(row.behind))
    made = dashboard_aggregates.outputs_over_time(store, director, today, trace=True)
    for row in made[~made["suppressed"] & (made["added"] > 0)].itertuples():
        owners = store.query_one("SELECT count(DISTINCT owner_id) FROM outputs WHERE list_contains(?, output_id)", [row.behind])
        assert row.added == len(row.behind) and row.n == owners[0]
        published["output"].append(frozenset(row.behind))
    return published, minimum, raw


def _classes(sets: list[frozenset]) -> list[list[int]]:
    """Units grouped by the published sets they belong to: any sum or difference of published figures
    is the same on every unit of a class, so a class is the finest thing an attacker can single out."""
    membership: dict[int, list[int]] = {}
    for index, units in enumerate(sets):
        for unit in units:
            membership.setdefault(unit, []).append(index)
    classes: dict[tuple, list[int]] = {}
    for unit, indices in membership.items():
        classes.setdefault(tuple(indices), []).append(unit)
    return list(classes.values())


def _isolated(sets: list[frozenset], people, minimum: int) -> list[list[int]]:
    """Groups of classes, together of fewer than `minimum` people, on which some linear combination of
    the published sets is non-zero while it is zero everywhere else.

    A combination is constant on each class, so it singles out a set of classes T exactly when a column
    of T is outside the span of the other columns (the rank drops without T). Only classes of fewer
    than `minimum` people can be in T. Sets that share no unit never combine into anything finer, so
    the check runs on each block of sets linked by shared units (one instrument and period, say).
    """
    classes = _classes(sets)
    column = {unit: k for k, units in enumerate(classes) for unit in units}
    rows = sorted({tuple(sorted({column[unit] for unit in units})) for units in sets})
    parent = list(range(len(classes)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for columns in rows:
        for k in columns[1:]:
            parent[root(k)] = root(columns[0])
    blocks: dict[int, list[tuple]] = {}
    for columns in rows:
        blocks.setdefault(root(columns[0]), []).append(columns)
    found = []
    for block_rows in blocks.values():
        block = sorted({k for columns in block_rows for k in columns})
        small = [k for k in block if people(classes[k]) < minimum]
        if not small:
            continue
        position = {k: i for i, k in enumerate(block)}
        matrix = np.zeros((len(block_rows), len(block)))
        for r, columns in enumerate(block_rows):
            matrix[r, [position[k] for k in columns]] = 1
        full = np.linalg.matrix_rank(matrix)
        singled: list[tuple] = []
        for size in range(1, minimum):
            for group in itertools.combinations(small, size):
                if any(set(g) <= set(group) for g in singled):
                    continue
                if people([unit for k in group for unit in classes[k]]) >= minimum:
                    continue
                if np.linalg.matrix_rank(np.delete(matrix, [position[k] for k in group], axis=1)) < full:
                    singled.append(group)
        found += [[unit for k in group for unit in classes[k]] for group in singled]
    return found


def test_no_linear_combination_of_published_figures_isolates_fewer_than_the_minimum(attacked):
    demo_store = attacked
    published, minimum, raw = _collect(demo_store)
    assert len(published["assessment"]) > 500 and published["goal"] and published["output"], "the attack saw data"
    people = {
        "assessment": raw.n,
        "goal": lambda codes: demo_store.query_one(
            "SELECT count(DISTINCT owner_id) FROM goals WHERE list_contains(?, goal_id)", [sorted({c // 10 for c in codes})]
        )[0],
        "output": lambda ids: demo_store.query_one(
            "SELECT count(DISTINCT owner_id) FROM outputs WHERE list_contains(?, output_id)", [sorted(ids)]
        )[0],
    }
    isolated = [(universe, units) for universe, sets in published.items() for units in _isolated(sets, people[universe], minimum)]
    assert not isolated, f"{len(isolated)} groups of fewer than {minimum} people can be singled out, e.g. {isolated[:3]}"


# ---------------------------------------------------------------- the attack as the issue ran it


def _memberships(store, period: date, months: int, definition: str) -> dict[int, set[str]]:
    """What a director knows from the pairs page: each person's mentor domains, two ways."""
    end = (pd.Timestamp(period) + pd.DateOffset(months=months)).date()
    frame = store.query_df("SELECT mentor_id, mentee_id, domain, started_on, ended_on FROM pairs WHERE program_id = 1")
    if definition == "in the period":
        started = frame["started_on"] < pd.Timestamp(end)
        overlaps = started & (frame["ended_on"].isna() | (frame["ended_on"] >= pd.Timestamp(period)))
        frame = frame[overlaps]
    domains: dict[int, set[str]] = {}
    for row in frame.itertuples():
        domains.setdefault(row.mentee_id, set()).add(row.domain)
        domains.setdefault(-row.mentor_id, set()).add(row.domain)  # mentors, told apart by sign
    return domains


def _combinations(views: int) -> np.ndarray:
    """Every sum or difference of one, two or three views (first sign +), as rows of coefficients."""
    rows = []
    for size in (1, 2, 3):
        for combo in itertools.combinations(range(views), size):
            for signs in itertools.product((1, -1), repeat=size - 1):
                row = np.zeros(views, dtype=np.int64)
                row[list(combo)] = (1, *signs)
                rows.append(row)
    return np.array(rows)


def test_sums_and_differences_of_views_never_give_anyones_true_ratings(attacked):
    """The attacker picks views whose people (known from administration) combine into fewer than 5,
    and compares the same combination of published rating counts with those people's true ratings."""
    store = attacked
    director = _director(store)
    minimum = disclosure.min_group_size(store, director)
    months = 3
    cohort_of = dict(store.query_all("SELECT person_id, coalesce(cohort_id, 0) FROM people WHERE program_id = 1"))
    leaks = []
    for instrument_id, role in SELF_INSTRUMENTS.items():
        raters = store.query_df(
            "SELECT respondent_id, period_start, assessment_id FROM current_assessments WHERE instrument_id = ?", [instrument_id]
        )
        raters["period_start"] = pd.to_datetime(raters["period_start"]).dt.date
        true = store.query_df(
            """SELECT a.respondent_id, a.period_start, r.item_id, r.rating FROM current_assessments a
               JOIN responses r USING (assessment_id) WHERE a.instrument_id = ?""",
            [instrument_id],
        )
        true["period_start"] = pd.to_datetime(true["period_start"]).dt.date
        tables = {}
        for cohort_ids, domain in _views(store):
            if role == "mentor" and cohort_ids is not None:
                continue  # mentors have no cohort; a cohort filter leaves none of them
            tables[(tuple(cohort_ids or ()), domain)] = dashboard_aggregates.rating_distribution(
                store, director, instrument_id, cohort_ids, None, None, domain, today=TODAY
            )
        combos = _combinations(len(tables))
        values = [int(c.removeprefix("rating_")) for c in next(iter(tables.values())).columns if c.startswith("rating_")]
        published = {
            (view, row.period_start, row.item_id): np.array([getattr(row, f"rating_{v}") for v in values], float)
            for view, table in tables.items()
            for row in table[~table["suppressed"]].itertuples()
        }
        answers = {
            (row.period_start, row.respondent_id, row.item_id): (np.array(values) == row.rating).astype(float)
            for row in true.itertuples()
        }
        items = sorted(true["item_id"].unique())
        for period in sorted(raters["period_start"].unique()):
            submitted = set(raters.loc[raters["period_start"] == period, "respondent_id"])
            for definition in ("ever", "in the period"):
                domains = _memberships(store, period, months, definition)
                key = (lambda p: p) if role == "fellow" else (lambda p: -p)
                members = {}
                for (cohorts, domain), _ in tables.items():
                    members[(cohorts, domain)] = frozenset(
                        p
                        for p in submitted
                        if (not cohorts or cohort_of.get(p) in cohorts)
                        and (domain is None or domain in domains.get(key(p), set()))
                    )
                views = list(members)
                people = sorted(submitted)
                matrix = np.array([[p in members[view] for p in people] for view in views], dtype=np.int64)
                weights = combos @ matrix  # every sum/difference of up to 3 views, person by person
                single_out = np.all((weights == 0) | (weights == 1), axis=1) & (weights.sum(axis=1) > 0)
                single_out &= weights.sum(axis=1) < minimum
                for index in np.flatnonzero(single_out):
                    target = {people[i] for i in np.flatnonzero(weights[index])}
                    used = [(views[v], int(combos[index, v])) for v in np.flatnonzero(combos[index])]
                    for item in items:
                        derived = np.zeros(len(values))
                        for view, sign in used:
                            counts = published.get((view, period, item))
                            if counts is None:  # hidden or absent: the attacker learns nothing here
                                break
                            derived += sign * counts
                        else:
                            actual = sum(answers[(period, person, item)] for person in target)
                            if np.array_equal(derived, actual):
                                leaks.append((instrument_id, period, item, sorted(target), used))
    assert not leaks, f"{len(leaks)} (period, item) ratings of fewer than {minimum} people recovered, e.g. {leaks[:2]}"


# ---------------------------------------------------------------- one more submission


def _protected(store, director, catalogue, today: date = TODAY) -> dict[str, pd.DataFrame]:
    tables = {}
    for instrument_id in RATING_INSTRUMENTS:
        for cohort_ids, domain in [(None, None), (None, "career"), ([1], None)]:
            args = (store, director, instrument_id, cohort_ids, None, None, domain)
            tables[f"distribution {instrument_id} {cohort_ids} {domain}"] = dashboard_aggregates.rating_distribution(
                *args, today=today
            )
            tables[f"trend {instrument_id} {cohort_ids} {domain}"] = dashboard_aggregates.cohort_trend(*args, today=today)
    tables["self_vs_mentor"] = dashboard_aggregates.self_vs_mentor(store, director, today=today)
    tables["process"] = dashboard_aggregates.process_gaps(store, director, catalogue, today=today)
    tables["goals"] = dashboard_aggregates.goal_completion(store, director, today)
    tables["goals cohort 1"] = dashboard_aggregates.goal_completion(store, director, today, [1])
    tables["goal progress"] = dashboard_aggregates.goal_progress(store, director, today)
    tables["process trend"] = dashboard_aggregates.process_step_trend(store, director, catalogue, today=today)
    tables["outputs"] = dashboard_aggregates.outputs_over_time(store, director, today)
    tables["meetings"] = dashboard_aggregates.meeting_frequency_distribution(store, director, today)
    return tables


def test_one_more_submission_or_a_back_dated_pair_in_the_open_period_changes_nothing_protected(demo_store):
    store = demo_store
    catalogue = load_catalogue()
    director = _director(store)
    before = _protected(store, director, catalogue)
    participation_before = dashboard_aggregates.participation(store, director, TODAY)
    fellow_id = store.query_one(
        """SELECT person_id FROM people JOIN person_roles USING (person_id) WHERE role = 'fellow' AND program_id = 1
           AND cohort_id = 1 AND person_id NOT IN (
               SELECT respondent_id FROM assessments WHERE instrument_id = 'mentee-self' AND period_start = '2026-10-01')
           ORDER BY person_id LIMIT 1"""
    )[0]
    fellow = load_viewer(store, fellow_id)
    instrument = catalogue.get("mentee-self")
    assessments.submit_assessment(
        store,
        catalogue,
        fellow,
        "mentee-self",
        {item.id: 5 for item in instrument.items},
        today=TODAY,
        now=NOW,
        submission_key="attack-one-more",
    )
    goal_id = store.query_one("SELECT goal_id FROM goals WHERE owner_id = ? ORDER BY goal_id LIMIT 1", [fellow_id])
    if goal_id:  # a check-in typed for a day in the closed period, recorded now
        with contextlib.suppress(InputError):  # a completed goal refuses check-ins; the rest still attacks
            goals.add_checkin(store, fellow, goal_id[0], 1, date(2026, 8, 1), None, TODAY, NOW)
    outputs.log_output(store, fellow, "publication", "A paper logged late", date(2026, 8, 1), TODAY, NOW)
    mentor_id = store.query_one(
        "SELECT person_id FROM people JOIN person_roles USING (person_id) WHERE role = 'mentor' AND program_id = 1 LIMIT 1"
    )[0]
    # Ended today, back-dated to the day it started; created today, back-dated two years.
    open_pair, started_on = store.query_one(
        """SELECT pair_id, started_on FROM pairs WHERE program_id = 1 AND ended_on IS NULL AND domain = 'career'
           ORDER BY pair_id LIMIT 1"""
    )
    pairs.end_pair(store, director, open_pair, started_on, "stopped", "Back-dated to carve a group", TODAY)
    taken = set(store.query_all("SELECT mentor_id, domain FROM pairs WHERE mentee_id = ?", [fellow_id]))
    domain = next(d for d in ("social", "research", "career") if (mentor_id, d) not in taken)
    pairs.create_pair(store, director, mentor_id, fellow_id, domain, date(2024, 1, 1), TODAY)
    after = _protected(store, director, catalogue)
    for name, table in before.items():
        pd.testing.assert_frame_equal(table, after[name], obj=name)
    # The writes did land: participation (administration, live) sees the new self-assessment.
    assert not dashboard_aggregates.participation(store, director, TODAY).equals(participation_before)
