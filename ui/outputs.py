"""The mentoring network and outputs: cached reads, and the outputs chart and list that a fellow and their
mentor both see. Every key holds the viewer (st.cache_data is shared by all sessions), the database path and
the change counters of what they read (ui/data.py), so a write shows at once."""

from datetime import date

import pandas as pd
import streamlit as st

from analytics import network, outputs
from analytics.pairs import domains
from analytics.people import Viewer
from charts.mentoring import cumulative_outputs_chart
from ui.charts import cached_figure, chart_with_table
from ui.data import cached_read, version_of
from ui.resources import AppResources
from ui.tables import show_table


@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def _network(_resources: AppResources, db_path: str, version: tuple, viewer: Viewer, fellow_id: int, today: date):
    frame = network.network_of(_resources.store, viewer, fellow_id, today)
    covered = set(frame["domain_id"])
    return frame, [domain["id"] for domain in domains() if domain["id"] not in covered]


def network_of(resources: AppResources, viewer: Viewer, fellow_id: int, today: date) -> tuple[pd.DataFrame, list[str]]:
    """The fellow's network (network.network_of) and the ids of the domains nobody covers (network.missing_domains)."""
    return _network(resources, resources.store.path, version_of(resources, viewer), viewer, fellow_id, today)


def outputs_of(resources: AppResources, viewer: Viewer, owner_id: int) -> pd.DataFrame:
    return cached_read(resources, outputs.outputs_of, viewer, owner_id)


def cumulative_outputs(resources: AppResources, viewer: Viewer, owner_id: int, through: date) -> pd.DataFrame:
    return cached_read(resources, outputs.cumulative_outputs, viewer, owner_id, through)


def outputs_over_time(cumulative: pd.DataFrame, title: str, key: str, file_name: str) -> None:
    """One step line per kind of output, with the table behind it."""
    chart_with_table(
        cached_figure(cumulative_outputs_chart, cumulative, title=title),
        cumulative[["month", "kind", "added", "cumulative"]],
        key=key,
        file_name=file_name,
    )


def outputs_table(logged: pd.DataFrame, key: str, file_name: str) -> None:
    """Every output, newest first, with its identifier and a link to it."""
    show_table(
        logged,
        file_name=file_name,
        column_order=["happened_on", "kind", "title", "identifier_kind", "identifier", "link"],
        column_config={
            "happened_on": st.column_config.DateColumn("Date", format="YYYY-MM-DD"),
            "kind": "Kind",
            "title": "Title",
            "identifier_kind": "Identifier",
            "identifier": "Value",
            "link": st.column_config.LinkColumn("Link", display_text="open"),
        },
        key=key,
    )
