"""Entry point: page config, who is looking, and the pages that person may open."""

import streamlit as st

from ui.resources import app_resources
from ui.viewer import current_viewer, person_picker

st.set_page_config(page_title="Mentorship self-assessment", page_icon=":material/diversity_3:", layout="wide")

resources = app_resources()
viewer = current_viewer(resources)


def welcome() -> None:
    st.title("Mentorship self-assessment")
    st.write(
        "Fellows and mentors rate themselves on the qualities the American Society of Hematology names for "
        "a good mentee and a good mentor, rate how their mentoring is going, and follow their growth over time."
    )
    if resources.settings.demo:
        st.info("Demo mode: choose a person in the sidebar to see the app as they would.")
    else:
        st.warning("Sign-in is not set up yet; run in demo mode (MENTORSHIP_DEMO=1) to try the app.")


if resources.settings.demo:
    viewer = person_picker(resources) or viewer

if viewer is None:
    pages = [st.Page(welcome, title="Welcome", icon=":material/waving_hand:")]
else:
    pages = [st.Page("pages/home.py", title="Home", icon=":material/home:", default=True)]
    if viewer.has("fellow") or viewer.has("mentor"):
        pages += [
            st.Page("pages/assessments.py", title="Assessments", icon=":material/edit_note:"),
            st.Page("pages/progress.py", title="My progress", icon=":material/show_chart:"),
        ]
st.navigation(pages).run()
