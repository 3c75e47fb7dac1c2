"""Who is looking. Every page starts with `require_viewer`, so a page run without app.py shows nothing."""

import streamlit as st

from analytics.people import Viewer, load_viewer, people_directory
from ui.resources import AppResources, app_resources

PERSON_KEY = "demo_person_id"


def current_viewer(resources: AppResources) -> Viewer | None:
    """The person this session acts as, with roles read from the database on every run."""
    person_id = st.session_state.get(PERSON_KEY)
    if not isinstance(person_id, int):
        return None
    return load_viewer(resources.store, person_id)


def require_viewer(*roles: str) -> tuple[AppResources, Viewer]:
    """The resources and viewer, or stop the page with "not available" for anyone else."""
    resources = app_resources()
    viewer = current_viewer(resources)
    if viewer is None or (roles and not any(viewer.has(role) for role in roles)):
        st.info("This page is not available. Choose who you are on the start page.")
        st.stop()
    return resources, viewer


def person_picker(resources: AppResources) -> Viewer | None:
    """Demo mode's stand-in for sign-in: pick a person from the program."""
    people = people_directory(resources.store)
    if people.empty:
        return None
    labels = {int(row.person_id): f"{row.full_name} ({row.roles})" for row in people.itertuples()}
    choice = st.sidebar.selectbox(
        "Who are you?",
        list(labels),
        format_func=labels.get,
        index=None,
        key=PERSON_KEY,
        placeholder="Choose a person",
    )
    return load_viewer(resources.store, choice) if choice is not None else None
