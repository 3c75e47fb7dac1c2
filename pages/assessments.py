"""Fill in an assessment: choose one that is due, rate each item, submit once."""

import streamlit as st

from analytics.periods import period_label
from ui.assessment_form import show_assessment_form, start_new_answer
from ui.data import due_assessments
from ui.resources import today
from ui.viewer import require_viewer

resources, viewer = require_viewer("fellow", "mentor")

st.title("Assessments")
due = due_assessments(resources, viewer, today(resources.settings))
if not due:
    st.info("Nothing is asked of you this period.")
    st.stop()


def describe(item) -> str:
    about = "" if item.about == "self" else f" about {item.subject_name}"
    status = f"done {item.submitted_at:%d %b}" if item.done else "due"
    return f"{item.title}{about} ({status})"


# Due ones first, so the default choice is the next thing to do.
ordered = sorted(due, key=lambda item: item.done)
choice = st.selectbox(
    f"Assessment for {period_label(ordered[0].period_start)}",
    range(len(ordered)),
    format_func=lambda index: describe(ordered[index]),
    key="assessment_choice",
)
chosen = ordered[choice]
submission = show_assessment_form(resources, viewer, chosen)
if submission is not None:
    st.success(f"Saved: {chosen.title} for {period_label(chosen.period_start)}. It is in your progress charts now.")
    st.page_link("pages/progress.py", label="See my progress", icon=":material/show_chart:")
    if st.button("Answer this one again (a correction)"):
        start_new_answer(chosen)
        st.rerun()
