"""Cached reads of meetings and agreements. Every key holds the viewer and the store's data version,
so a write shows up on the very next run (st.cache_data is shared by all sessions)."""

from datetime import date

import pandas as pd
import streamlit as st

from analytics import agreements, meetings
from analytics.people import Viewer
from ui.resources import AppResources


@st.cache_data(max_entries=512, ttl=3600, show_spinner=False)
def _meetings_of_pair(_resources: AppResources, db_path: str, data_version: int, viewer: Viewer, pair_id: int, today: date):
    return meetings.meetings_of_pair(_resources.store, viewer, pair_id, today)


def meetings_of_pair(resources: AppResources, viewer: Viewer, pair_id: int, today: date) -> pd.DataFrame:
    return _meetings_of_pair(resources, resources.store.path, resources.store.data_version, viewer, pair_id, today)


@st.cache_data(max_entries=512, ttl=3600, show_spinner=False)
def _open_actions(_resources: AppResources, db_path: str, data_version: int, viewer: Viewer, pair_id: int | None):
    return meetings.open_action_items(_resources.store, viewer, pair_id)


def open_action_items(resources: AppResources, viewer: Viewer, pair_id: int | None = None) -> pd.DataFrame:
    return _open_actions(resources, resources.store.path, resources.store.data_version, viewer, pair_id)


@st.cache_data(max_entries=512, ttl=3600, show_spinner=False)
def _frequency(_resources: AppResources, db_path: str, data_version: int, viewer: Viewer, pair_id: int | None, today: date):
    return meetings.meeting_frequency(_resources.store, viewer, pair_id, today)


def meeting_frequency(resources: AppResources, viewer: Viewer, pair_id: int | None, today: date) -> pd.DataFrame:
    return _frequency(resources, resources.store.path, resources.store.data_version, viewer, pair_id, today)


@st.cache_data(max_entries=512, ttl=3600, show_spinner=False)
def _agreement(_resources: AppResources, db_path: str, data_version: int, viewer: Viewer, pair_id: int):
    return agreements.agreement_of(_resources.store, viewer, pair_id)


def agreement_of(resources: AppResources, viewer: Viewer, pair_id: int) -> dict | None:
    return _agreement(resources, resources.store.path, resources.store.data_version, viewer, pair_id)


@st.cache_data(max_entries=512, ttl=3600, show_spinner=False)
def _versions(_resources: AppResources, db_path: str, data_version: int, viewer: Viewer, pair_id: int):
    return agreements.agreement_versions(_resources.store, viewer, pair_id)


def agreement_versions(resources: AppResources, viewer: Viewer, pair_id: int) -> pd.DataFrame:
    return _versions(resources, resources.store.path, resources.store.data_version, viewer, pair_id)


@st.cache_data(max_entries=512, ttl=3600, show_spinner=False)
def _check(_resources: AppResources, db_path: str, data_version: int, viewer: Viewer, pair_id: int, today: date):
    return agreements.agreement_check(_resources.store, viewer, pair_id, today)


def agreement_check(resources: AppResources, viewer: Viewer, pair_id: int, today: date) -> dict:
    return _check(resources, resources.store.path, resources.store.data_version, viewer, pair_id, today)


def pair_labels(pairs: pd.DataFrame, viewer: Viewer) -> dict[int, str]:
    """A label per current pair, from the viewer's side: "with NAME (my mentor, research)"."""
    return {
        int(pair.pair_id): (
            f"with {pair.mentee_name} (my mentee, {pair.domain})"
            if pair.mentor_id == viewer.person_id
            else f"with {pair.mentor_name} (my mentor, {pair.domain})"
        )
        for pair in pairs.itertuples()
    }
