"""The director dashboard's aggregates: DuckDB (analytics.dashboard_aggregates, as ui/dashboard.py calls them)
beside the same rating aggregates computed in pandas from the loaded tables, loading included.

The pandas baseline follows analytics/dashboard_aggregates.py step by step under the disclosure model of
analytics/disclosure.py: the current assessments of the program's closed periods; the person each
one is about (the pair's mentee, the fellow, or the mentor for mentor-self), their cohort and their
mentor domains in that period, from the pairs as recorded by its end (`pair_log`); the atoms, planned
by the same `disclosure.plan_atoms` and picked by `disclosure.select`; then each figure over the
pooled units, rows with fewer than the minimum hidden. So `check_equal` can demand the same numbers.
"""

import re
import statistics
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from analytics import dashboard_aggregates
from analytics.disclosure import (
    DOMAIN_BITS,
    MENTOR_COHORT,
    first_open_period,
    latest_closed_period,
    min_group_size,
    plan_atoms,
    select,
)
from analytics.instruments import Catalogue
from analytics.people import Viewer, program_settings
from analytics.store import Store

INSTRUMENT = "mentee-self"  # the dashboard's default instrument
RATINGS = (1, 2, 3, 4, 5)  # the scale of INSTRUMENT


def dashboard_calls(store: Store, catalogue: Catalogue, viewer: Viewer, today: date) -> dict:
    """Every aggregate the dashboard's first view asks for (ui/dashboard.py `_tables`, default filters)."""
    periods = dashboard_aggregates.rating_periods(store, viewer, today)
    window = (periods[0], periods[-1]) if periods else (None, None)
    return {
        "participation": lambda: dashboard_aggregates.participation(store, viewer, today),
        "participation_by_instrument": lambda: dashboard_aggregates.participation_by_instrument(store, viewer, today),
        "overdue": lambda: dashboard_aggregates.overdue_people(store, viewer, today),
        "distribution": lambda: dashboard_aggregates.rating_distribution(
            store, viewer, INSTRUMENT, None, *window, None, today=today
        ),
        "heatmap": lambda: dashboard_aggregates.item_heatmap(store, viewer, INSTRUMENT, None, *window, None, today=today),
        "cohort_trend": lambda: dashboard_aggregates.cohort_trend(store, viewer, INSTRUMENT, None, *window, None, today=today),
        "self_vs_mentor": lambda: dashboard_aggregates.self_vs_mentor(store, viewer, None, today=today, domain=None),
        "process_steps": lambda: dashboard_aggregates.process_gaps(store, viewer, catalogue, today=today),
        "goals": lambda: dashboard_aggregates.goal_completion(store, viewer, today, None),
        "meeting_frequency": lambda: dashboard_aggregates.meeting_frequency_distribution(store, viewer, today),
        "outputs": lambda: dashboard_aggregates.outputs_over_time(store, viewer, today),
    }


MEASURED = {  # the analytics.dashboard_aggregates function behind each entry of dashboard_calls
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
NOT_QUERIES = {"to_xlsx", "heatmap_of"}  # built from tables already read (the Excel file; the heatmap's columns)


def unmeasured_dashboard_calls(dashboard_file: Path = Path(__file__).resolve().parents[1] / "ui" / "dashboard.py") -> list[str]:
    """analytics.dashboard_aggregates functions ui/dashboard.py calls that dashboard_calls does not: drift to fix here."""
    called = set(re.findall(r"dashboard_aggregates\.(\w+)\(", dashboard_file.read_text(encoding="utf-8")))
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
        "pairs": store.query_df("SELECT pair_id, program_id, mentor_id, mentee_id, domain, started_on, ended_on FROM pairs"),
        "pair_log": store.query_df("SELECT pair_id, event, recorded_on FROM pair_log"),
        "cohorts": store.query_df("SELECT cohort_id, name FROM cohorts"),
    }


def _round2(values: pd.Series) -> pd.Series:
    """DuckDB's round(x, 2) on a double: half away from zero."""
    return np.sign(values) * np.floor(np.abs(values) * 100 + 0.5) / 100


def _people_count(frame: pd.DataFrame, keys: list[str]) -> pd.Series:
    """The fewer of distinct respondents and distinct subjects per group."""
    g = frame.groupby(keys)
    return pd.concat([g["respondent_id"].nunique(), g["subject_id"].nunique()], axis=1).min(axis=1)


def _hide(frame: pd.DataFrame, minimum: int, values: list[str]) -> pd.DataFrame:
    """disclosure.suppress: a row with fewer than the minimum pooled people keeps its key only."""
    frame["n"] = frame["n"].fillna(0).astype(int)
    frame["suppressed"] = frame["n"] < minimum
    for column in values:
        frame[column] = frame[column].astype(object).where(~frame["suppressed"], None)
    return frame


# Whose cohort and domains place an assessment outside a pair (analytics/dashboard_aggregates.py `_FOCUS`).
FOCUS = {"mentor-self": ("subject", "mentor"), "mentor-by-mentee": ("respondent", "fellow")}


class PandasDashboard:
    """The rating aggregates of analytics/dashboard_aggregates.py, in pandas."""

    def __init__(self, tables: dict[str, pd.DataFrame], program_id: int, minimum: int, months: int, open_period: date):
        self.t, self.program_id, self.minimum, self.months = tables, program_id, minimum, months
        self.open = pd.Timestamp(open_period)
        a = tables["assessments"].assign(pair_key=lambda f: f["pair_id"].fillna(0))
        a = a.sort_values(["submitted_at", "assessment_id"], ascending=False)
        self.current = a.drop_duplicates(["respondent_id", "subject_id", "pair_key", "instrument_id", "period_start"])
        pairs = tables["pairs"][tables["pairs"]["program_id"] == program_id]
        log = tables["pair_log"].pivot_table(index="pair_id", columns="event", values="recorded_on", aggfunc="first")
        log = log.reindex(columns=["created", "ended"]).rename(columns={"created": "created_on", "ended": "end_recorded_on"})
        pairs = pairs.merge(log, left_on="pair_id", right_index=True, how="left")
        for column in ("started_on", "ended_on", "created_on", "end_recorded_on"):
            pairs[column] = pd.to_datetime(pairs[column])
        pairs["created_on"] = pairs["created_on"].fillna(pairs["started_on"])
        pairs["end_recorded_on"] = pairs["end_recorded_on"].fillna(pairs["ended_on"])
        pairs["bit"] = pairs["domain"].map(DOMAIN_BITS).astype("int64")
        self.pairs = pairs

    def masks(self, keys: pd.DataFrame) -> pd.DataFrame:
        """disclosure.domain_masks_sql: each focus person's mentor domains in a period, from the pairs as
        recorded by the period's end."""
        keys = keys[["focus_id", "focus_role", "period_start"]].drop_duplicates()
        side = {"fellow": "mentee_id", "mentor": "mentor_id"}
        parts = []
        for role, column in side.items():
            mine = keys[keys["focus_role"] == role]
            parts.append(mine.merge(self.pairs, left_on="focus_id", right_on=column))
        joined = pd.concat(parts, ignore_index=True)
        end = joined["period_start"] + pd.DateOffset(months=self.months)
        ended_before = (joined["ended_on"] < joined["period_start"]) & (joined["end_recorded_on"] < end)
        joined = joined[(joined["started_on"] < end) & (joined["created_on"] < end) & ~ended_before.fillna(False)]
        masks = joined.groupby(["focus_id", "focus_role", "period_start"])["bit"].agg(np.bitwise_or.reduce)
        return masks.rename("mask").reset_index()

    def units(self, instrument_id: str, first, last) -> pd.DataFrame:
        """The current assessments of the instrument in the closed periods of the window, planned into atoms."""
        people = self.t["people"]
        a = self.current[(self.current["instrument_id"] == instrument_id) & (self.current["period_start"] < self.open)]
        if first is not None:
            a = a[a["period_start"] >= pd.Timestamp(first)]
        if last is not None:
            a = a[a["period_start"] <= pd.Timestamp(last)]
        mine = people.loc[people["program_id"] == self.program_id, "person_id"]
        a = a[a["respondent_id"].isin(mine)]
        a = a.merge(self.pairs[["pair_id", "mentor_id", "mentee_id"]], on="pair_id", how="left")
        paired = a["mentee_id"].notna()
        a["side"] = np.where(~paired, "", np.where(a["respondent_id"] == a["mentor_id"], "mentor", "mentee"))
        focus_side, focus_role = FOCUS.get(instrument_id, ("subject", "fellow"))
        alone = a["respondent_id"] if focus_side == "respondent" else a["subject_id"]
        a["focus_id"] = a["mentee_id"].where(paired, alone).astype("int64")
        a["focus_role"] = np.where(paired, "fellow", focus_role)
        a = a.merge(people[["person_id", "cohort_id"]].rename(columns={"person_id": "focus_id"}), on="focus_id")
        a["cohort_key"] = np.where(a["focus_role"] == "fellow", a["cohort_id"].fillna(0), MENTOR_COHORT).astype("int64")
        a = a.merge(self.masks(a), on=["focus_id", "focus_role", "period_start"], how="left")
        a["mask"] = a["mask"].fillna(0).astype("int64")
        a = a.rename(columns={"assessment_id": "unit_id"}).sort_values("unit_id")
        units = a[["unit_id", "period_start", "respondent_id", "subject_id", "side", "cohort_key", "mask"]]
        return plan_atoms(units, self.minimum, ("period_start", "side"), ("cohort", "domain"))  # dashboard_aggregates._FAMILY

    def distribution(self, instrument_id: str, first, last, domain: str | None = None) -> pd.DataFrame:
        chosen = select(self.units(instrument_id, first, last), None, domain)
        rated = chosen.merge(self.t["responses"], left_on="unit_id", right_on="assessment_id")
        keys = ["period_start", "item_id"]
        pooled = self.item_pooled(rated)
        g = pooled.groupby(keys)
        stats = pd.DataFrame(
            {"n": _people_count(pooled, keys), "mean_raw": g["rating"].mean(), "sd_raw": g["rating"].std(ddof=1)}
        )
        stats["mean"], stats["sd"] = _round2(stats["mean_raw"]), _round2(stats["sd_raw"])
        counts = pooled.groupby([*keys, "rating"]).size().unstack("rating")
        for value in RATINGS:
            stats[f"rating_{value}"] = counts.get(value, 0)
        cells = rated[keys].drop_duplicates()
        frame = cells.merge(stats.reset_index(), on=keys, how="left").sort_values(keys).reset_index(drop=True)
        frame["period_start"] = frame["period_start"].dt.date
        for value in RATINGS:
            frame[f"rating_{value}"] = frame[f"rating_{value}"].fillna(0).astype(int)
        columns = ["period_start", "item_id", "n", "mean", "sd", *(f"rating_{v}" for v in RATINGS), "mean_raw", "sd_raw"]
        frame = _hide(frame[columns].copy(), self.minimum, ["mean", "sd", *(f"rating_{v}" for v in RATINGS)])
        return frame[[*columns[:-2], "suppressed", "mean_raw", "sd_raw"]]

    def item_pooled(self, rated: pd.DataFrame) -> pd.DataFrame:
        """Pooled answers of the (atom, item) groups at least the minimum answered (disclosure.ITEM_ANSWERS_SQL)."""
        pooled = rated[rated["pooled"]].copy()
        pooled["atom"] = pooled["side"].astype(str) + "/" + pooled["cohort_key"].astype(str) + "/"
        pooled["atom"] += pooled["atom_mask"].astype(str)
        keys = ["period_start", "item_id", "atom"]
        groups = pooled.groupby(keys)
        size = np.minimum(groups["respondent_id"].transform("nunique"), groups["subject_id"].transform("nunique"))
        return pooled[size >= self.minimum]

    def heatmap(self, instrument_id: str, first, last) -> pd.DataFrame:
        columns = ["period_start", "item_id", "n", "mean", "suppressed", "mean_raw"]
        return self.distribution(instrument_id, first, last)[columns].copy()

    def cohort_trend(self, instrument_id: str, first, last, domain: str | None = None) -> pd.DataFrame:
        chosen = select(self.units(instrument_id, first, last), None, domain)
        rated = chosen.merge(self.t["responses"], left_on="unit_id", right_on="assessment_id")
        keys = ["period_start", "cohort_key"]
        per_assessment = rated.groupby([*keys, "unit_id", "respondent_id", "subject_id", "pooled"])["rating"].mean()
        per_assessment = per_assessment.rename("average").reset_index()
        pooled = per_assessment[per_assessment["pooled"]]
        g = pooled.groupby(keys)
        stats = pd.DataFrame(
            {"n": _people_count(pooled, keys), "mean_raw": g["average"].mean(), "sd_raw": g["average"].std(ddof=1)}
        )
        stats["mean"], stats["sd"] = _round2(stats["mean_raw"]), _round2(stats["sd_raw"])
        frame = per_assessment[keys].drop_duplicates().merge(stats.reset_index(), on=keys, how="left")
        names = dict(zip(self.t["cohorts"]["cohort_id"], self.t["cohorts"]["name"], strict=True))
        frame["cohort"] = [
            dashboard_aggregates.MENTORS if key == MENTOR_COHORT else names.get(int(key), "No cohort")
            for key in frame["cohort_key"]
        ]
        frame["cohort_id"] = frame["cohort_key"].where(frame["cohort_key"] > 0).astype("Int64")
        frame = frame.sort_values(["period_start", "cohort"]).reset_index(drop=True)
        frame["period_start"] = frame["period_start"].dt.date
        frame = _hide(frame, self.minimum, ["mean", "sd"])
        return frame[["period_start", "cohort_id", "cohort", "n", "mean", "sd", "suppressed", "mean_raw", "sd_raw"]]

    def self_vs_mentor(self, period) -> pd.DataFrame:
        sides = []
        for instrument_id, prefix in (("mentee-self", "self"), ("mentee-by-mentor", "mentor")):
            side = self.distribution(instrument_id, None, None)
            side = side[side["period_start"] == period][["item_id", "n", "mean", "suppressed"]]
            sides.append(
                side.rename(columns={"n": f"{prefix}_n", "mean": f"{prefix}_mean", "suppressed": f"{prefix}_suppressed"})
            )
        return sides[0].merge(sides[1], on="item_id", how="outer")

    def process_steps(self, period) -> pd.DataFrame:
        chosen = select(self.units("process-steps", None, None), None, None)
        chosen = chosen[(chosen["side"] != "") & (chosen["period_start"] == pd.Timestamp(period))]
        rated = chosen.merge(self.t["responses"], left_on="unit_id", right_on="assessment_id")
        pooled = self.item_pooled(rated)
        g = pooled.groupby(["item_id", "side"])
        frame = pd.DataFrame({"n": _people_count(pooled, ["item_id", "side"]), "mean": _round2(g["rating"].mean())})
        return _hide(frame.reset_index(), self.minimum, ["mean"])


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
    periods = dashboard_aggregates.rating_periods(store, viewer, today)
    window = (periods[0], periods[-1]) if periods else (None, None)
    latest = latest_closed_period(store, viewer, today)
    minimum = min_group_size(store, viewer)
    months = program_settings(store, viewer.program_id)["period_months"]
    open_period = first_open_period(store, viewer, today)

    def pandas_round() -> tuple[float, dict, dict]:
        began = time.perf_counter()
        dashboard = PandasDashboard(load_tables(store), viewer.program_id, minimum, months, open_period)
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
    # The default view never splits a cohort by domain; each domain filter checks the atoms too (not timed).
    dashboard = PandasDashboard(load_tables(store), viewer.program_id, minimum, months, open_period)
    for domain in DOMAIN_BITS:
        duck_view = dashboard_aggregates.rating_distribution(store, viewer, INSTRUMENT, None, *window, domain, today=today)
        checks.append(check_equal(duck_view, dashboard.distribution(INSTRUMENT, *window, domain), f"distribution ({domain})"))
        duck_view = dashboard_aggregates.cohort_trend(store, viewer, INSTRUMENT, None, *window, domain, today=today)
        checks.append(check_equal(duck_view, dashboard.cohort_trend(INSTRUMENT, *window, domain), f"cohort_trend ({domain})"))
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
