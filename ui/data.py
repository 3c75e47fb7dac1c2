"""Cached reads, as narrow as the data. Every key holds the viewer (st.cache_data is shared by all
sessions) and the change counters of what the read depends on (analytics/changes.py), read from the
database once per run: a write shows up on the very next run, in this session and every other, on
every server, while a write in another program, or by a fellow outside the viewer's pairs, leaves
the viewer's reads warm."""

from collections.abc import Callable
from datetime import date
from typing import TypeVar

import pandas as pd
import streamlit as st

from analytics import assessments, feedback, goals, people, roster
from analytics.changes import GROUPS, SHARED_GROUPS, Counters, read_counters, reads
from analytics.people import Viewer
from analytics.store import Store
from ui.resources import AppResources

T = TypeVar("T")
COUNTERS_KEY = "change_counters"


def run_counters(resources: AppResources, viewer: Viewer, fresh: bool = False) -> Counters:
    """The change counters of the viewer's program and person for this run: read at the page guard
    (`fresh`, ui/viewer.py) and held in the session; read again within the run only after a write of
    this process (so a writer's own page shows the write in the same run)."""
    store = resources.store
    stamp = (store.path, store.data_version, store.reopens, viewer.program_id, viewer.person_id)
    held = st.session_state.get(COUNTERS_KEY)
    if fresh or held is None or held[0] != stamp:
        held = (stamp, read_counters(store, viewer.program_id, viewer.person_id))
        st.session_state[COUNTERS_KEY] = held
    return held[1]


def version_of(resources: AppResources, viewer: Viewer, *groups: str) -> tuple[int, ...]:
    """The key part for a read by `viewer`: with `groups`, those table groups of the program (and the
    shared ones); without, what the viewer's pages may show: a director's every group of the program,
    anyone else's their own counter (bumped by writes of and about them and their pairs) and the shared groups."""
    counters = run_counters(resources, viewer)
    if groups:
        return counters.of(*dict.fromkeys((*SHARED_GROUPS, *groups)))
    if viewer.has("director"):
        return (*counters.of(*GROUPS), counters.get("person", viewer.person_id))
    return counters.personal()


@st.cache_data(max_entries=2048, ttl=3600, show_spinner=False)
def _read(_resources: AppResources, _reader: Callable, reader_name: str, db_path: str, version: tuple, viewer: Viewer, args):
    return _reader(_resources.store, viewer, *args)


def cached_read(resources: AppResources, reader: Callable[..., T], viewer: Viewer, *args) -> T:
    """`reader(store, viewer, *args)` once per version of what it may read: reruns and other sessions reuse the result.

    The reader is keyed by its qualified name (functions are hashed by identity otherwise), and the
    viewer is part of the key, so one person's result is never served to another. A reader marked
    with the table groups it reads (analytics.changes.reads) keys on those alone.
    """
    name = f"{reader.__module__}.{reader.__qualname__}"
    groups = getattr(reader, "reads", ())
    version = version_of(resources, viewer, *groups) if groups else version_of(resources, viewer)
    return _read(resources, reader, name, resources.store.path, version, viewer, args)


# Readers that take the viewer's id, or their program's, rather than the viewer: through cached_read, keyed by the viewer.


def _active_pairs(store: Store, viewer: Viewer, today: date) -> pd.DataFrame:
    return people.active_pairs(store, viewer.person_id, today)


def active_pairs(resources: AppResources, viewer: Viewer, today: date) -> pd.DataFrame:
    """The viewer's current pairs, from either side (analytics.people.active_pairs)."""
    return cached_read(resources, _active_pairs, viewer, today)


@reads("settings")
def _program_settings(store: Store, viewer: Viewer) -> dict:
    return people.program_settings(store, viewer.program_id)


def program_settings(resources: AppResources, viewer: Viewer) -> dict:
    return cached_read(resources, _program_settings, viewer)


def _goal_categories(store: Store, viewer: Viewer) -> tuple[str, ...]:
    return goals.goal_categories(store, viewer.program_id)


def goal_categories(resources: AppResources, viewer: Viewer) -> tuple[str, ...]:
    return cached_read(resources, _goal_categories, viewer)


def _roster_check(store: Store, viewer: Viewer, data: bytes) -> roster.RosterCheck:
    return roster.parse_roster(data, store, viewer)


def roster_check(resources: AppResources, viewer: Viewer, data: bytes) -> roster.RosterCheck:
    """The uploaded file checked against the program (analytics.roster.parse_roster), once per file and data version."""
    return cached_read(resources, _roster_check, viewer, data)


@st.cache_data(max_entries=512, ttl=3600, show_spinner=False)
def _rating_history(
    _resources: AppResources, db_path: str, version: tuple, viewer: Viewer, subject_id: int, about: str
) -> pd.DataFrame:
    return assessments.rating_history(_resources.store, _resources.catalogue, viewer, subject_id, about)


def rating_history(resources: AppResources, viewer: Viewer, subject_id: int, about: str = "self") -> pd.DataFrame:
    return _rating_history(resources, resources.store.path, version_of(resources, viewer), viewer, subject_id, about)


@st.cache_data(max_entries=512, ttl=3600, show_spinner=False)
def _due(_resources: AppResources, db_path: str, version: tuple, viewer: Viewer, today: date):
    return assessments.due_assessments(_resources.store, _resources.catalogue, viewer, today)


def due_assessments(resources: AppResources, viewer: Viewer, today: date) -> list[assessments.DueAssessment]:
    return _due(resources, resources.store.path, version_of(resources, viewer), viewer, today)


@st.cache_data(max_entries=512, ttl=3600, show_spinner=False)
def _views(
    _resources: AppResources, db_path: str, version: tuple, viewer: Viewer, kind: str, key: int, today: date
) -> pd.DataFrame:
    if kind == "mentor":  # which periods are closed depends on the day
        return feedback.views_of_mentor(_resources.store, _resources.catalogue, viewer, key, today)
    reader = {"mentee": feedback.views_of_mentee, "pair": feedback.process_views}[kind]
    return reader(_resources.store, _resources.catalogue, viewer, key)


@st.cache_data(max_entries=512, ttl=3600, show_spinner=False)
def _mentor_views(
    _resources: AppResources, db_path: str, version: tuple, viewer: Viewer, mentor_id: int, instrument_id: str, today: date
) -> pd.DataFrame:
    return feedback.views_of_mentor(_resources.store, _resources.catalogue, viewer, mentor_id, today, instrument_id)


def mentor_views(resources: AppResources, viewer: Viewer, mentor_id: int, instrument_id: str, today: date) -> pd.DataFrame:
    """A mentor's ratings on one instrument fellows answer about a mentor (analytics.feedback.views_of_mentor)."""
    return _mentor_views(resources, resources.store.path, version_of(resources, viewer), viewer, mentor_id, instrument_id, today)


@st.cache_data(max_entries=512, ttl=3600, show_spinner=False)
def _ratings_given(_resources: AppResources, db_path: str, version: tuple, viewer: Viewer) -> pd.DataFrame:
    return feedback.ratings_given(_resources.store, _resources.catalogue, viewer)


def ratings_given(resources: AppResources, viewer: Viewer) -> pd.DataFrame:
    """What the viewer rated others on, over time (analytics.feedback.ratings_given)."""
    return _ratings_given(resources, resources.store.path, version_of(resources, viewer), viewer)


def views(resources: AppResources, viewer: Viewer, kind: str, key: int, today: date) -> pd.DataFrame:
    """Two-way views: kind 'mentee' (a fellow's qualities), 'mentor' (a mentor's), 'pair' (process steps)."""
    return _views(resources, resources.store.path, version_of(resources, viewer), viewer, kind, key, today)
