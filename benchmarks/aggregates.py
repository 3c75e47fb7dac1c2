"""The director dashboard's aggregates: DuckDB (analytics.program, as ui/dashboard.py calls them)
beside the same rating aggregates computed in pandas from the loaded tables, loading included.

The pandas baseline follows analytics/program.py's SQL step by step (current assessments, the
cohort of the fellow involved, cells allowed when both distinct respondents and subjects reach the
minimum, the pool of allowed cells) and passes its result through the same `program.suppress`, so
`check_equal` can demand the same numbers.
"""

import re
import statistics
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from analytics import program
from analytics.instruments import Catalogue
from analytics.people import Viewer
from analytics.store import Store

INSTRUMENT = "mentee-self"  # the dashboard's default instrument
RATINGS = program.RATING_VALUES


def dashboard_calls(store: Store, catalogue: Catalogue, viewer: Viewer, today: date) -> dict:
    """Every aggregate the dashboard's first view asks for (ui/dashboard.py `_tables`, default filters)."""
    periods = program.rating_periods(store, viewer)
    window = (periods[0], periods[-1]) if periods else (None, None)
    return {
        "participation": lambda: program.participation(store, viewer, today),
        "participation_by_instrument": lambda: program.participation_by_instrument(store, viewer, today),
        "overdue": lambda: program.overdue_people(store, viewer, today),
        "distribution": lambda: program.rating_distribution(store, viewer, INSTRUMENT, None, *window, None),
        "heatmap": lambda: program.item_heatmap(store, viewer, INSTRUMENT, None, *window, None),
        "cohort_trend": lambda: program.cohort_trend(store, viewer, INSTRUMENT, None, *window, None),
        "self_vs_mentor": lambda: program.self_vs_mentor(store, viewer, None, today=today, domain=None),
        "process_steps": lambda: program.process_gaps(store, viewer, catalogue, today=today),
        "goals": lambda: program.goal_completion(store, viewer, today, None, None),
        "meeting_frequency": lambda: program.meeting_frequency_distribution(store, viewer, today),
        "outputs": lambda: program.outputs_over_time(store, viewer, None),
    }


MEASURED = {  # the analytics.program function behind each entry of dashboard_calls
    "participation",
    "participation_by_instrument",
    "overdue_people",
    "rating_distribution",
    "item_heatmap",
    "cohort_trend",
    "self_vs_mentor",
    "process_gaps",
    "goal_completion",
    "meeting_frequency_distribution",
    "outputs_over_time",
}
NOT_QUERIES = {"to_xlsx"}  # builds the Excel file from the tables; no query


def unmeasured_dashboard_calls(dashboard_file: Path = Path(__file__).resolve().parents[1] / "ui" / "dashboard.py") -> list[str]:
    """analytics.program functions ui/dashboard.py calls that dashboard_calls does not: drift to fix here."""
    called = set(re.findall(r"program\.(\w+)\(", dashboard_file.read_text(encoding="utf-8")))
    return sorted(called - MEASURED - NOT_QUERIES)


# The aggregates over responses that both sides compute (the rest read no responses).
COMPARED = ("distribution", "heatmap", "cohort_trend", "self_vs_mentor", "process_steps")


# ---------------------------------------------------------------- pandas


def load_tables(store: Store) -> dict[str, pd.DataFrame]:
    """The responses and the tables the rating aggregates need, as pandas DataFrames."""
    return {
        "responses": store.query_df("SELECT assessment_id, item_id, rating FROM responses"),
        "assessments": store.query_df(
            "SELECT assessment_id, instrument_id, respondent_id, subject_id, pair_id, period_start, submitted_at FROM assessments"
        ),
        "people": store.query_df("SELECT person_id, program_id, cohort_id FROM people"),
        "pairs": store.query_df("SELECT pair_id, mentor_id, mentee_id FROM pairs"),
        "cohorts": store.query_df("SELECT cohort_id, name FROM cohorts"),
    }


def _round2(values: pd.Series) -> pd.Series:
    """DuckDB's round(x, 2) on a double: half away from zero."""
    return np.sign(values) * np.floor(np.abs(values) * 100 + 0.5) / 100


class PandasDashboard:
    """The rating aggregates of analytics/program.py, in pandas."""

    def __init__(self, tables: dict[str, pd.DataFrame], program_id: int, minimum: int):
        self.t, self.program_id, self.minimum = tables, program_id, minimum
        a = tables["assessments"].assign(pair_key=lambda f: f["pair_id"].fillna(0))
        a = a.sort_values(["submitted_at", "assessment_id"], ascending=False)
        self.current = a.drop_duplicates(["respondent_id", "subject_id", "pair_key", "instrument_id", "period_start"])

    def rows(self, instrument_id: str, first, last) -> pd.DataFrame:
        people = self.t["people"]
        a = self.current[self.current["instrument_id"] == instrument_id]
        if first is not None:
            a = a[a["period_start"] >= pd.Timestamp(first)]
        if last is not None:
            a = a[a["period_start"] <= pd.Timestamp(last)]
        mine = people[people["program_id"] == self.program_id][["person_id", "cohort_id"]]
        a = a.merge(mine.rename(columns={"person_id": "respondent_id", "cohort_id": "pr_cohort"}), on="respondent_id")
        a = a.merge(
            people[["person_id", "cohort_id"]].rename(columns={"person_id": "subject_id", "cohort_id": "ps_cohort"}),
            on="subject_id",
            how="left",
        )
        a = a.merge(self.t["pairs"], on="pair_id", how="left")
        a = a.merge(
            people[["person_id", "cohort_id"]].rename(columns={"person_id": "mentee_id", "cohort_id": "pm_cohort"}),
            on="mentee_id",
            how="left",
        )
        a["cohort_key"] = a["pm_cohort"].fillna(a["pr_cohort"]).fillna(a["ps_cohort"]).fillna(0).astype("int64")
        a["side"] = np.where(a["mentor_id"].isna(), None, np.where(a["respondent_id"] == a["mentor_id"], "mentor", "mentee"))
        return a[["assessment_id", "period_start", "respondent_id", "subject_id", "cohort_key", "side"]]

    def allowed(self, selected: pd.DataFrame) -> pd.DataFrame:
        g = selected.groupby(["cohort_key", "period_start"])
        counts = pd.concat([g["respondent_id"].nunique(), g["subject_id"].nunique()], axis=1).min(axis=1)
        return counts[counts >= self.minimum].reset_index()[["cohort_key", "period_start"]]

    def distribution(self, instrument_id: str, first, last) -> pd.DataFrame:
        responses = self.t["responses"]
        selected = self.rows(instrument_id, first, last)
        pooled = selected.merge(self.allowed(selected), on=["cohort_key", "period_start"])
        cells = (
            selected[["assessment_id", "period_start"]]
            .merge(responses[["assessment_id", "item_id"]], on="assessment_id")[["period_start", "item_id"]]
            .drop_duplicates()
        )
        rated = pooled.merge(responses, on="assessment_id")
        g = rated.groupby(["period_start", "item_id"])
        stats = pd.DataFrame(
            {
                "n": pd.concat([g["respondent_id"].nunique(), g["subject_id"].nunique()], axis=1).min(axis=1),
                "mean_raw": g["rating"].mean(),
                "sd_raw": g["rating"].std(ddof=1),
            }
        )
        stats["mean"], stats["sd"] = _round2(stats["mean_raw"]), _round2(stats["sd_raw"])
        counts = rated.groupby(["period_start", "item_id", "rating"]).size().unstack("rating")
        for value in RATINGS:
            stats[f"rating_{value}"] = counts.get(value, 0)
        frame = cells.merge(stats.reset_index(), on=["period_start", "item_id"], how="left")
        frame["n"] = frame["n"].fillna(0).astype(int)
        for value in RATINGS:
            frame[f"rating_{value}"] = frame[f"rating_{value}"].fillna(0).astype(int)
        frame = frame.sort_values(["period_start", "item_id"]).reset_index(drop=True)
        frame["period_start"] = frame["period_start"].dt.date
        values = ["mean", "sd", *(f"rating_{v}" for v in RATINGS)]
        return program.suppress(frame, "n", self.minimum, value_columns=values, sibling_columns=["period_start"])

    def heatmap(self, instrument_id: str, first, last) -> pd.DataFrame:
        columns = ["period_start", "item_id", "n", "mean", "suppressed", "mean_raw"]
        return self.distribution(instrument_id, first, last)[columns].copy()

    def cohort_trend(self, instrument_id: str, first, last) -> pd.DataFrame:
        selected = self.rows(instrument_id, first, last)
        allowed = self.allowed(selected).assign(cell_allowed=True)
        rated = selected.merge(self.t["responses"], on="assessment_id")
        per_person = (
            rated.groupby(["period_start", "cohort_key", "respondent_id", "subject_id"])["rating"].mean().rename("average")
        ).reset_index()
        g = per_person.groupby(["period_start", "cohort_key"])
        frame = pd.DataFrame(
            {
                "n": pd.concat([g["respondent_id"].nunique(), g["subject_id"].nunique()], axis=1).min(axis=1),
                "mean_raw": g["average"].mean(),
                "sd_raw": g["average"].std(ddof=1),
            }
        ).reset_index()
        frame["mean"], frame["sd"] = _round2(frame["mean_raw"]), _round2(frame["sd_raw"])
        frame = frame.merge(allowed, on=["cohort_key", "period_start"], how="left")
        frame["cell_allowed"] = frame["cell_allowed"].fillna(False).astype(bool)
        names = self.t["cohorts"].rename(columns={"cohort_id": "cohort_key", "name": "cohort"})
        frame = frame.merge(names, on="cohort_key", how="left")
        frame["cohort"] = frame["cohort"].fillna(program.MENTORS)
        frame["cohort_id"] = frame["cohort_key"].where(frame["cohort_key"] > 0).astype("Int64")
        frame = frame.sort_values(["period_start", "cohort"]).reset_index(drop=True)
        frame["period_start"] = frame["period_start"].dt.date
        frame = frame[["period_start", "cohort_id", "cohort", "n", "mean", "sd", "cell_allowed", "mean_raw", "sd_raw"]]
        frame["cell_n"] = frame["n"].where(frame["cell_allowed"], 0)
        out = program.suppress(frame, "cell_n", self.minimum, value_columns=["mean", "sd"], sibling_columns=["period_start"])
        return out.drop(columns=["cell_allowed", "cell_n"])

    def self_vs_mentor(self, period) -> pd.DataFrame:
        sides = []
        for instrument_id, prefix in (("mentee-self", "self"), ("mentee-by-mentor", "mentor")):
            side = self.distribution(instrument_id, period, period)[["item_id", "n", "mean", "suppressed"]]
            sides.append(
                side.rename(columns={"n": f"{prefix}_n", "mean": f"{prefix}_mean", "suppressed": f"{prefix}_suppressed"})
            )
        return sides[0].merge(sides[1], on="item_id", how="outer")

    def process_steps(self, period) -> pd.DataFrame:
        selected = self.rows("process-steps", period, period)
        pooled = selected.merge(self.allowed(selected), on=["cohort_key", "period_start"])
        rated = pooled[pooled["side"].notna()].merge(self.t["responses"], on="assessment_id")
        g = rated.groupby(["item_id", "side"])
        return pd.DataFrame(
            {
                "n": pd.concat([g["respondent_id"].nunique(), g["assessment_id"].nunique()], axis=1).min(axis=1),
                "mean": _round2(g["rating"].mean()),
            }
        ).reset_index()


def pandas_calls(dashboard: PandasDashboard, window: tuple, latest_complete) -> dict:
    return {
        "distribution": lambda: dashboard.distribution(INSTRUMENT, *window),
        "heatmap": lambda: dashboard.heatmap(INSTRUMENT, *window),
        "cohort_trend": lambda: dashboard.cohort_trend(INSTRUMENT, *window),
        "self_vs_mentor": lambda: dashboard.self_vs_mentor(latest_complete),
        "process_steps": lambda: dashboard.process_steps(latest_complete),
    }


# ---------------------------------------------------------------- checks and timing


def check_equal(duck: pd.DataFrame, panda: pd.DataFrame, name: str) -> dict:
    """Same rows, the same integers and flags exactly, the same rounded means and sds.

    A rounded value may differ by 0.01 only where the unrounded pandas value (kept in `<column>_raw`)
    lies on a rounding boundary (x.xx5 to 1e-9): summing in another order moves it across.
    """
    duck, panda = duck.reset_index(drop=True), panda.reset_index(drop=True)
    raw = {column: panda.pop(f"{column}_raw") for column in ("mean", "sd") if f"{column}_raw" in panda}
    assert list(duck.columns) == list(panda.columns), (name, list(duck.columns), list(panda.columns))
    assert len(duck) == len(panda), (name, len(duck), len(panda))
    boundary = 0
    for column in duck.columns:
        left, right = duck[column], panda[column]
        if column in ("mean", "sd"):
            a = pd.to_numeric(left, errors="coerce").astype(float).to_numpy()
            b = pd.to_numeric(right, errors="coerce").astype(float).to_numpy()
            assert (np.isnan(a) == np.isnan(b)).all(), (name, column, "hidden cells differ")
            differ = ~np.isnan(a) & (np.abs(a - b) > 1e-9)
            if differ.any():
                unrounded = raw[column].astype(float).to_numpy()[differ] * 100
                on_boundary = np.abs(unrounded - np.floor(unrounded) - 0.5) < 1e-7
                assert (np.abs(a - b)[differ] <= 0.01 + 1e-9).all() and on_boundary.all(), (name, column, a[differ], b[differ])
                boundary += int(differ.sum())
        else:
            assert [None if pd.isna(x) else x for x in left] == [None if pd.isna(x) else x for x in right], (name, column)
    return {"aggregate": name, "rows": len(duck), "rounding_boundary_cells": boundary}


def _median_ms(call, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), result


def measure_aggregates(
    store: Store, catalogue: Catalogue, viewer: Viewer, today: date, repeat: int, pandas_repeat: int, log=print
) -> dict:
    calls = dashboard_calls(store, catalogue, viewer, today)
    for call in calls.values():  # warm-up: DuckDB's buffers, Python's imports
        call()
    duck = {}
    duck_results = {}
    for name, call in calls.items():
        duck[name], duck_results[name] = _median_ms(call, repeat)
    periods = program.rating_periods(store, viewer)
    window = (periods[0], periods[-1]) if periods else (None, None)
    latest = program._latest_complete_period(store, viewer, today)
    minimum = program.min_group_size(store, viewer)

    def pandas_round() -> tuple[float, dict, dict]:
        began = time.perf_counter()
        dashboard = PandasDashboard(load_tables(store), viewer.program_id, minimum)
        load_ms = (time.perf_counter() - began) * 1000
        timings, results = {}, {}
        for name, call in pandas_calls(dashboard, window, latest).items():
            timings[name], results[name] = _median_ms(call, 1)
        return load_ms, timings, results

    rounds = [pandas_round() for _ in range(pandas_repeat)]
    load_ms = statistics.median(r[0] for r in rounds)
    pandas_ms = {name: statistics.median(r[1][name] for r in rounds) for name in COMPARED}
    pandas_results = rounds[-1][2]
    checks = [
        check_equal(duck_results["distribution"], pandas_results["distribution"], "distribution"),
        check_equal(duck_results["heatmap"], pandas_results["heatmap"], "heatmap"),
        check_equal(duck_results["cohort_trend"], pandas_results["cohort_trend"], "cohort_trend"),
    ]
    duck_total = sum(duck[name] for name in COMPARED)
    pandas_total = load_ms + sum(pandas_ms.values())
    log(f"  aggregates: duckdb {duck_total:.0f} ms, pandas {pandas_total:.0f} ms (load {load_ms:.0f}); equal: {checks}")
    missing = unmeasured_dashboard_calls()
    if missing:
        log(f"  WARNING: ui/dashboard.py also calls {missing}; benchmarks/aggregates.py does not measure them")
    return {
        "unmeasured_dashboard_calls": missing,
        "duckdb_ms": duck,
        "duckdb_dashboard_total_ms": sum(duck.values()),
        "compared": list(COMPARED),
        "duckdb_compared_ms": duck_total,
        "pandas_load_ms": load_ms,
        "pandas_ms": pandas_ms,
        "pandas_total_ms": pandas_total,
        "speedup": pandas_total / duck_total if duck_total else None,
        "equality_checks": checks,
        "pandas_rounds": pandas_repeat,
    }
