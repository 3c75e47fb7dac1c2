"""Cached reads, as narrow as the data. Every key holds the viewer (st.cache_data is shared by all
sessions) and the change counters of what the read depends on (analytics/changes.py), read from the
database once per run: a write shows up on the very next run, in this session and every other, on
every server, while a write in another program, or by a fellow outside the viewer's pairs, leaves
the viewer's reads warm. A reader that declares its table groups (analytics.changes.personal_reads) keys on
those groups' counters of the people whose writes can change it: a self-assessment leaves the
writer's goals and meetings warm, and their mentor's own ratings."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

import pandas as pd
import streamlit as st

from analytics import assessments, feedback, goals, people, roster
from analytics.changes import GROUPS, SHARED_GROUPS, Counters, declared_personal_reads, personal_reads, read_counters, reads
from analytics.instruments import PROCESS_STEPS
from analytics.people import Viewer
from analytics.program_settings import own_instruments
from analytics.store import Store
from ui.process_steps import steps_by_period
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


def version_for(resources: AppResources, viewer: Viewer, reader: Callable, about: Iterable[int] | None = None) -> tuple[int, ...]:
    """The key part for `reader` by `viewer`: for a reader that declared its groups (analytics.changes.personal_reads),
    their counters of `about` (the people whose writes can change the result: by default the viewer if it
    declared `own`, else the viewer and everyone paired with them); for any other, `version_of`."""
    declared = declared_personal_reads(reader)
    if declared is None:
        return version_of(resources, viewer)
    if about is None and declared.own:
        about = (viewer.person_id,)
    return run_counters(resources, viewer).about(declared.groups, about)


@st.cache_data(max_entries=2048, ttl=3600, show_spinner=False)
def _read(_resources: AppResources, _reader: Callable, reader_name: str, db_path: str, version: tuple, viewer: Viewer, args):
    return _reader(_resources.store, viewer, *args)


def cached_read(resources: AppResources, reader: Callable[..., T], viewer: Viewer, *args) -> T:
    """`reader(store, viewer, *args)` once per version of what it may read: reruns and other sessions reuse the result.

    The reader is keyed by its qualified name (functions are hashed by identity otherwise), and the
    viewer is part of the key, so one person's result is never served to another. A program-wide reader marked
    with the table groups it reads (analytics.changes.reads) keys on those groups of the program alone; a personal
    one (analytics.changes.personal_reads) on its groups' counters of the people whose writes can change it.
    """
    name = f"{reader.__module__}.{reader.__qualname__}"
    groups = getattr(reader, "reads", ())
    version = version_of(resources, viewer, *groups) if groups else version_for(resources, viewer, reader)
    return _read(resources, reader, name, resources.store.path, version, viewer, args)


# Readers that take the viewer's id, or their program's, rather than the viewer: through cached_read, keyed by the viewer.


@personal_reads()  # the shared groups only
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


@personal_reads()  # the shared groups only
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
    version = version_for(resources, viewer, assessments.rating_history, about=[subject_id])
    return _rating_history(resources, resources.store.path, version, viewer, subject_id, about)


@dataclass(frozen=True)
class History:
    """A person's self-assessments ready to show, worked out once per version of them, not on every rerun."""

    ratings: pd.DataFrame  # analytics.assessments.rating_history, with subscale means where asked for
    snapshot: pd.DataFrame  # analytics.assessments.latest_snapshot of those


@st.cache_data(max_entries=512, ttl=3600, show_spinner=False)
def _history(_resources: AppResources, db_path: str, version: tuple, viewer: Viewer, subject_id: int, subscales: bool) -> History:
    ratings = assessments.rating_history(_resources.store, _resources.catalogue, viewer, subject_id)
    if subscales:
        ratings = assessments.with_subscale_means(ratings, _resources.catalogue)
    return History(ratings, assessments.latest_snapshot(ratings))


def history_of(resources: AppResources, viewer: Viewer, subject_id: int, subscales: bool = False) -> History:
    """The subject's self-assessment history (with subscale means if `subscales`) and its latest snapshot."""
    version = version_for(resources, viewer, assessments.rating_history, about=[subject_id])
    return _history(resources, resources.store.path, version, viewer, subject_id, subscales)


@st.cache_data(max_entries=512, ttl=3600, show_spinner=False)
def _due(_resources: AppResources, db_path: str, version: tuple, viewer: Viewer, today: date):
    return assessments.due_assessments(_resources.store, _resources.catalogue, viewer, today)


def due_assessments(resources: AppResources, viewer: Viewer, today: date) -> list[assessments.DueAssessment]:
    return _due(resources, resources.store.path, version_for(resources, viewer, assessments.due_assessments), viewer, today)


@dataclass(frozen=True)
class Views:
    """Two-way views ready to show, worked out once per version of the ratings, not on every rerun."""

    ratings: pd.DataFrame  # analytics.feedback's rows, with subscale means where asked for
    gaps: pd.DataFrame  # analytics.feedback.latest_gaps of those (the self-view first)
    steps: pd.DataFrame | None = None  # a pair's process steps by period (ui.process_steps.steps_by_period)


def _shown(resources: AppResources, viewer: Viewer, ratings: pd.DataFrame, subscales: bool, first_view: str | None) -> Views:
    catalogue = own_instruments(resources.catalogue, viewer.program_id)  # another program's imports are not this one's
    if subscales:
        ratings = assessments.with_subscale_means(ratings, catalogue)
    steps = None
    if first_view is None and not ratings.empty:  # a pair's process steps
        steps = steps_by_period(ratings, catalogue.get(PROCESS_STEPS))
    return Views(ratings, feedback.latest_gaps(ratings, first_view), steps)


_VIEW_READERS: dict[str, Callable[..., pd.DataFrame]] = {
    "mentee": feedback.views_of_mentee,
    "mentor": feedback.views_of_mentor,
    "pair": feedback.process_views,
}


@st.cache_data(max_entries=512, ttl=3600, show_spinner=False)
def _views(
    _resources: AppResources, db_path: str, version: tuple, viewer: Viewer, kind: str, key: int, today: date, subscales: bool
) -> Views:
    if kind == "mentor":  # which periods are closed depends on the day
        ratings = feedback.views_of_mentor(_resources.store, _resources.catalogue, viewer, key, today)
    else:
        ratings = _VIEW_READERS[kind](_resources.store, _resources.catalogue, viewer, key)
    return _shown(_resources, viewer, ratings, subscales, None if kind == "pair" else feedback.SELF_VIEW)


@st.cache_data(max_entries=512, ttl=3600, show_spinner=False)
def _mentor_views(
    _resources: AppResources, db_path: str, version: tuple, viewer: Viewer, mentor_id: int, instrument_id: str, today: date
) -> Views:
    ratings = feedback.views_of_mentor(_resources.store, _resources.catalogue, viewer, mentor_id, today, instrument_id)
    return _shown(_resources, viewer, ratings, True, feedback.SELF_VIEW)


def mentor_views(resources: AppResources, viewer: Viewer, mentor_id: int, instrument_id: str, today: date) -> Views:
    """A mentor's ratings on one instrument fellows answer about a mentor (analytics.feedback.views_of_mentor),
    with subscale means."""
    version = version_for(resources, viewer, feedback.views_of_mentor)
    return _mentor_views(resources, resources.store.path, version, viewer, mentor_id, instrument_id, today)


@st.cache_data(max_entries=512, ttl=3600, show_spinner=False)
def _ratings_given(_resources: AppResources, db_path: str, version: tuple, viewer: Viewer) -> pd.DataFrame:
    ratings = feedback.ratings_given(_resources.store, _resources.catalogue, viewer)
    return assessments.with_subscale_means(ratings, own_instruments(_resources.catalogue, viewer.program_id))


def ratings_given(resources: AppResources, viewer: Viewer) -> pd.DataFrame:
    """What the viewer rated others on, over time (analytics.feedback.ratings_given), with subscale means."""
    return _ratings_given(resources, resources.store.path, version_for(resources, viewer, feedback.ratings_given), viewer)


def views(resources: AppResources, viewer: Viewer, kind: str, key: int, today: date, subscales: bool = False) -> Views:
    """Two-way views: kind 'mentee' (a fellow's qualities), 'mentor' (a mentor's), 'pair' (process steps);
    with subscale means if `subscales`."""
    reader = _VIEW_READERS[kind]
    about = [key] if kind == "mentee" else None  # the mentee: every rating of a mentee's view names them
    version = version_for(resources, viewer, reader, about)
    return _views(resources, resources.store.path, version, viewer, kind, key, today, subscales)
