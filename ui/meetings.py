"""Cached reads of meetings and agreements, and the choice of pair both pages start with. Every key holds
the viewer and the store's data version, so a write shows up on the very next run (st.cache_data is shared
by all sessions)."""

from datetime import date

import pandas as pd
import streamlit as st

from analytics import agreements, meetings
from analytics.people import Viewer
from ui.data import active_pairs, cached_read
from ui.resources import AppResources


def meetings_of_pair(resources: AppResources, viewer: Viewer, pair_id: int, today: date) -> pd.DataFrame:
    return cached_read(resources, meetings.meetings_of_pair, viewer, pair_id, today)


def open_action_items(resources: AppResources, viewer: Viewer, pair_id: int | None = None) -> pd.DataFrame:
    return cached_read(resources, meetings.open_action_items, viewer, pair_id)


def meeting_frequency(resources: AppResources, viewer: Viewer, pair_id: int | None, today: date) -> pd.DataFrame:
    return cached_read(resources, meetings.meeting_frequency, viewer, pair_id, today)


def agreement_of(resources: AppResources, viewer: Viewer, pair_id: int) -> dict | None:
    return cached_read(resources, agreements.agreement_of, viewer, pair_id)


def agreement_versions(resources: AppResources, viewer: Viewer, pair_id: int) -> pd.DataFrame:
    return cached_read(resources, agreements.agreement_versions, viewer, pair_id)


def agreement_check(resources: AppResources, viewer: Viewer, pair_id: int, today: date) -> dict:
    return cached_read(resources, agreements.agreement_check, viewer, pair_id, today)


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


def choose_pair(resources: AppResources, viewer: Viewer, today: date, *, key: str, why_none: str) -> tuple[pd.DataFrame, int]:
    """The viewer's current pairs and the one they pick; with none, the page stops saying so and `why_none`."""
    pairs = active_pairs(resources, viewer, today)
    if pairs.empty:
        st.info(f"You have no current mentoring pair. {why_none}")
        st.stop()
    labels = pair_labels(pairs, viewer)
    pair_id = st.selectbox("Pair", list(labels), format_func=labels.__getitem__, key=key)
    if pair_id is None:  # only without options, which the check above rules out
        st.stop()
    return pairs, pair_id
