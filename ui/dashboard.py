"""Cached reads for the director's dashboard. Every key holds the db path, the store's data version,
the viewer and the filters (st.cache_data is shared by all sessions), so a write shows up on the
next run and one director's cache is never another's."""

from datetime import date

import pandas as pd
import streamlit as st

from analytics import dashboard_aggregates
from analytics.exports import to_xlsx
from analytics.people import Viewer
from ui.resources import AppResources

_ENTRIES = 256


@st.cache_data(max_entries=_ENTRIES, ttl=3600, show_spinner=False)
def _tables(
    _resources: AppResources,
    db_path: str,
    data_version: int,
    viewer: Viewer,
    today: date,
    instrument_id: str,
    cohort_ids: tuple[int, ...] | None,
    first_period: date | None,
    last_period: date | None,
    domain: str | None = None,
) -> dict[str, pd.DataFrame]:
    store, catalogue = _resources.store, _resources.catalogue
    ids = None if cohort_ids is None else list(cohort_ids)
    window = (first_period, last_period)
    distribution = dashboard_aggregates.rating_distribution(store, viewer, instrument_id, ids, *window, domain, today=today)
    return {
        "participation": dashboard_aggregates.participation(store, viewer, today),
        "participation_by_instrument": dashboard_aggregates.participation_by_instrument(
            store, viewer, today, catalogue=catalogue
        ),
        "overdue": dashboard_aggregates.overdue_people(store, viewer, today),
        "distribution": distribution,
        "heatmap": dashboard_aggregates.heatmap_of(distribution),
        "cohort_trend": dashboard_aggregates.cohort_trend(store, viewer, instrument_id, ids, *window, domain, today=today),
        "self_vs_mentor": dashboard_aggregates.self_vs_mentor(store, viewer, ids, today=today, domain=domain),
        "process_steps": dashboard_aggregates.process_gaps(store, viewer, catalogue, today=today),
        "process_trend": dashboard_aggregates.process_step_trend(store, viewer, catalogue, today=today),
        "goals": dashboard_aggregates.goal_completion(store, viewer, today, ids, period=last_period),
        "goal_progress": dashboard_aggregates.goal_progress(store, viewer, today, ids, *window),
        "meeting_frequency": dashboard_aggregates.meeting_frequency_distribution(store, viewer, today),
        "outputs": dashboard_aggregates.outputs_over_time(store, viewer, today),
    }


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
    """Every table of the dashboard for these filters (domain: fellows who have a mentor in it), already suppressed."""
    ids = None if cohort_ids is None else tuple(sorted(int(c) for c in cohort_ids))
    return _tables(
        resources,
        resources.store.path,
        resources.store.data_version,
        viewer,
        today,
        instrument_id,
        ids,
        first_period,
        last_period,
        domain,
    )


@st.cache_data(max_entries=_ENTRIES, ttl=3600, show_spinner=False)
def _xlsx(
    _resources: AppResources,
    _tables: dict,
    db_path: str,
    data_version: int,
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
        resources.store.data_version,
        viewer,
        key,
        instrument_id,
        months,
        tuple(about.items()),
    )
