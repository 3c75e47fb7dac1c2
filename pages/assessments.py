"""Fill in an assessment: choose one that is due, rate each item, submit once."""

import streamlit as st

from analytics.periods import period_label
from ui.assessment_form import show_assessment_form, start_new_answer
from ui.data import due_assessments
from ui.focus import focused
from ui.links import page_link
from ui.resources import today
from ui.viewer import require_viewer

resources, viewer = require_viewer("fellow", "mentor")

st.title("Assessments")
due = due_assessments(resources, viewer, today(resources.settings))
if not due:
    st.info("Nothing is asked of you this period.")
    st.stop()


def describe(item) -> str:
    # No status in the label: a label that changes on submit would make a new widget and lose the choice.
    return item.title if item.about == "self" else f"{item.title} about {item.subject_name}"


labels = [describe(item) for item in due]
if len(set(labels)) < len(labels):  # two people of the same name
    labels = [
        label if item.pair_id is None else f"{label} (pair {item.pair_id})" for label, item in zip(labels, due, strict=True)
    ]
by_label = dict(zip(labels, due, strict=True))
if st.session_state.get("assessment_choice") not in by_label:
    # Set once rather than through `index`, for the same reason; the first one still due comes first.
    st.session_state["assessment_choice"] = next((label for label, item in by_label.items() if not item.done), labels[0])
choice = st.selectbox(f"Assessment for {period_label(due[0].period_start)}", list(by_label), key="assessment_choice")
chosen = by_label[choice]
still_due = sum(not item.done for item in due)
st.caption(f"{still_due} of {len(due)} still due this period." if still_due else "All done for this period. Thank you.")

submission = show_assessment_form(resources, viewer, chosen)
if submission is not None:
    with focused():  # a keyboard or screen-reader user hears it first
        st.success(f"Saved: {chosen.title} for {period_label(chosen.period_start)}. It is in your progress charts now.")
    page_link("pages/progress.py", "See my progress", ":material/show_chart:")
    if st.button("Answer this one again (a correction)"):
        start_new_answer(chosen)
        st.rerun()
