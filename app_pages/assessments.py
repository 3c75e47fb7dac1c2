"""This period's assessments on one page: every one due, with its state, each filled in where it is listed."""

import streamlit as st

from ui.data import due_assessments
from ui.due_list import show_due_list
from ui.resources import today
from ui.viewer import require_viewer

resources, viewer = require_viewer("fellow", "mentor")

st.title("Assessments")
due = due_assessments(resources, viewer, today(resources.settings))
if not due:
    st.info("Nothing is asked of you this period.")
    st.stop()
st.caption("Each one opens here; Submit stores it and opens the next one still to do. Answering again corrects an answer.")
show_due_list(resources, viewer, due)
