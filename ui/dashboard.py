"""Cached reads for the director's dashboard. Every key holds the db path, the change counters of the
table groups a part reads (ui/data.py), the viewer and the filters (st.cache_data is shared by all
sessions), so a write shows up on the next run, recomputes only the parts it concerns, and one
director's cache is never another's."""

from datetime import date

import pandas as pd
import streamlit as st

from analytics import dashboard_aggregates
from analytics.exports import to_xlsx
from analytics.people import Viewer
from ui.data import version_of
from ui.resources import AppResources

_ENTRIES = 256


# Each part of the dashboard, with the table groups it reads (analytics/changes.py): a part is
# recomputed only when one of its groups changed in the viewer's program (a goal's check-in leaves
# the rating figures warm, a new assessment the goals and meetings). The rating figures are of
# closed periods only, which a submission (always to the open period) cannot change: they key on
# 'ratings' and the day, so a new 2026 Q4 assessment recomputes participation alone, and of it only
# the open period's rows and who is overdue: the closed periods' rows count closed periods' answers
# only, so they key on 'ratings' too. A table two parts give is the first one's rows, then the second's.
_PARTS: dict[str, tuple[str, ...]] = {
    "participation_closed": ("ratings",),
    "participation": ("assessments",),
    "distribution": ("ratings",),
    "cohort_trend": ("ratings",),
    "self_vs_mentor": ("ratings",),
    "process": ("ratings",),
    "goals": ("goals",),
    "meetings": ("meetings",),
    "outputs": ("outputs",),
}


def _part_tables(part: str, store, catalogue, viewer: Viewer, today: date, filters: tuple) -> dict[str, pd.DataFrame]:
    instrument_id, ids, first_period, last_period, domain = filters
    window = (first_period, last_period)
    if part == "participation_closed":
        return {
            "participation": dashboard_aggregates.participation(store, viewer, today, only="closed"),
            "participation_by_instrument": dashboard_aggregates.participation_by_instrument(
                store, viewer, today, catalogue=catalogue, only="closed"
            ),
        }
    if part == "participation":
        return {
            "participation": dashboard_aggregates.participation(store, viewer, today, only="open"),
            "participation_by_instrument": dashboard_aggregates.participation_by_instrument(
                store, viewer, today, catalogue=catalogue, only="open"
            ),
            "overdue": dashboard_aggregates.overdue_people(store, viewer, today),
        }
    if part == "distribution":
        distribution = dashboard_aggregates.rating_distribution(store, viewer, instrument_id, ids, *window, domain, today=today)
        return {"distribution": distribution, "heatmap": dashboard_aggregates.heatmap_of(distribution)}
    if part == "cohort_trend":
        return {
            "cohort_trend": dashboard_aggregates.cohort_trend(store, viewer, instrument_id, ids, *window, domain, today=today)
        }
    if part == "self_vs_mentor":
        return {"self_vs_mentor": dashboard_aggregates.self_vs_mentor(store, viewer, ids, today=today, domain=domain)}
    if part == "process":  # both tables start from the same means: computed once
        means = dashboard_aggregates.process_step_means(store, viewer, today)
        return {
            "process_steps": dashboard_aggregates.process_gaps(store, viewer, catalogue, today=today, means=means),
            "process_trend": dashboard_aggregates.process_step_trend(store, viewer, catalogue, today=today, means=means),
        }
    if part == "goals":  # both tables start from the same snapshots: computed once
        snapshots = dashboard_aggregates.goal_snapshots(store, viewer, today, ids, last_period)
        return {
            "goals": dashboard_aggregates.goal_completion(store, viewer, today, ids, period=last_period, snapshots=snapshots),
            "goal_progress": dashboard_aggregates.goal_progress(store, viewer, today, ids, *window, snapshots=snapshots),
        }
    if part == "meetings":
        return {"meeting_frequency": dashboard_aggregates.meeting_frequency_distribution(store, viewer, today)}
    if part == "outputs":
        return {"outputs": dashboard_aggregates.outputs_over_time(store, viewer, today)}
    raise ValueError(f"no dashboard part {part!r}")


# Only the filters a part reads are in its key, so changing the instrument leaves goals and meetings warm.
_FILTERS_READ = {
    "participation_closed": (),
    "participation": (),
    "distribution": (0, 1, 2, 3, 4),
    "cohort_trend": (0, 1, 2, 3, 4),
    "self_vs_mentor": (1, 4),
    "process": (),
    "goals": (1, 2, 3),
    "meetings": (),
    "outputs": (),
}


@st.cache_data(max_entries=_ENTRIES * len(_PARTS), ttl=3600, show_spinner=False)
def _part(
    _resources: AppResources, part: str, db_path: str, version: tuple, viewer: Viewer, today: date, filters: tuple
) -> dict[str, pd.DataFrame]:
    ids = None if filters[1] is None else list(filters[1])
    return _part_tables(part, _resources.store, _resources.catalogue, viewer, today, (filters[0], ids, *filters[2:]))


def dashboard_tables(
    resources: AppResources,
    viewer: Viewer,
    today: date,
    instrument_id: str,
    cohort_ids: list[int] | None,
    first_period: date | None,
    last_period: date | None,
    domain: str | None = None,
) -> dict[str, pd.DataFrame]:
    """Every table of the dashboard for these filters (domain: fellows who have a mentor in it), already suppressed.

    Part by part (_PARTS), each cached on the change counters of the table groups it reads."""
    ids = None if cohort_ids is None else tuple(sorted(int(c) for c in cohort_ids))
    filters = (instrument_id, ids, first_period, last_period, domain)
    tables: dict[str, pd.DataFrame] = {}
    for part, groups in _PARTS.items():
        used = tuple(value if index in _FILTERS_READ[part] else None for index, value in enumerate(filters))
        version = version_of(resources, viewer, *groups)
        for name, table in _part(resources, part, resources.store.path, version, viewer, today, used).items():
            tables[name] = dashboard_aggregates.open_with_closed(tables[name], table) if name in tables else table
    return tables


@st.cache_data(max_entries=_ENTRIES, ttl=3600, show_spinner=False)
def _xlsx(
    _resources: AppResources,
    _tables: dict,
    db_path: str,
    version: tuple,
    viewer: Viewer,
    key: tuple,
    instrument_id: str,
    months: int,
    about: tuple[tuple[str, str], ...],
) -> bytes:
    sheets = dashboard_aggregates.export_sheets(_tables, _resources.catalogue, instrument_id, months, dict(about))
    return to_xlsx(sheets)


def xlsx_export(
    resources: AppResources,
    viewer: Viewer,
    tables: dict[str, pd.DataFrame],
    key: tuple,
    instrument_id: str,
    months: int,
    about: dict[str, str],
) -> bytes:
    """The same suppressed tables as one workbook: first a sheet naming the program, the filters, the
    periods and the suppression rule (`about`), then a sheet per table, in words (item wording, period
    labels, no internal ids); cached with the tables' key."""
    return _xlsx(
        resources,
        tables,
        resources.store.path,
        version_of(resources, viewer),
        viewer,
        key,
        instrument_id,
        months,
        tuple(about.items()),
    )
