"""Entry point: page config, sign-in, and st.navigation built from the signed-in person's roles."""

import streamlit as st

from analytics.auth import needs_first_director
from ui.resources import app_resources
from ui.sign_in import first_director_page, sign_in_page
from ui.viewer import current_viewer

st.set_page_config(page_title="Mentorship self-assessment", page_icon="🤝", layout="wide")

resources = app_resources()
viewer = current_viewer(resources)

if viewer is None:
    if needs_first_director(resources.store):
        pages = [st.Page(lambda: first_director_page(resources), title="Set up", url_path="setup")]
    else:
        pages = [st.Page(lambda: sign_in_page(resources), title="Sign in", icon=":material/login:", url_path="sign-in")]
else:
    pages = [st.Page("pages/home.py", title="Home", icon=":material/home:", default=True)]
    if viewer.has("fellow") or viewer.has("mentor"):
        pages += [
            st.Page("pages/assessments.py", title="Assessments", icon=":material/edit_note:"),
            st.Page("pages/progress.py", title="My progress", icon=":material/show_chart:"),
            st.Page("pages/feedback.py", title="Two views", icon=":material/compare_arrows:"),
        ]
    if viewer.has("fellow"):
        pages.append(st.Page("pages/sharing.py", title="What my mentors see", icon=":material/visibility:"))
    if viewer.has("mentor"):
        pages.append(st.Page("pages/mentees.py", title="My mentees", icon=":material/groups:"))
    if viewer.has("director"):
        pages += [
            st.Page("pages/people.py", title="People", icon=":material/badge:"),
            st.Page("pages/pairs.py", title="Mentoring pairs", icon=":material/handshake:"),
        ]
    pages.append(st.Page("pages/account.py", title="My account", icon=":material/person:"))
st.navigation(pages).run()
