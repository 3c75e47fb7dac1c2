"""My goals: what is due, overdue or behind; every goal on one timeline; each goal's progress and check-ins."""

import streamlit as st

from ui.goals import (
    NEXT_GOAL_KEY,
    checkin_form,
    details,
    goal_history,
    goal_labels,
    goals_of,
    history_table,
    milestones_of,
    milestones_table,
    new_goal_form,
    plain,
    progress,
    status_form,
    summary,
    timeline,
)
from ui.resources import today
from ui.viewer import require_viewer

resources, viewer = require_viewer("fellow")
day = today(resources.settings)

st.title("My goals")
table = goals_of(resources, viewer, viewer.person_id, day)

if table.empty:
    st.info("No goals yet. Set your first one below.")
else:
    summary(table)
    st.header("All my goals")
    timeline(table, day, title="My goals on one timeline", file_name="my-goals.csv")

    st.header("One goal")
    labels = goal_labels(table)
    if st.session_state.get(NEXT_GOAL_KEY) in labels:  # a goal just created
        st.session_state["open-goal"] = st.session_state.pop(NEXT_GOAL_KEY)
    goal_id = st.selectbox("Open a goal", list(labels), format_func=labels.get, key="open-goal")
    goal = table[table["goal_id"] == goal_id].iloc[0]
    details(goal)
    history = goal_history(resources, viewer, goal_id)
    progress(history, goal)
    st.markdown(f"**Milestones of {plain(goal['title'])}**")
    milestones_table(milestones_of(resources, viewer, goal_id))
    st.markdown("**History** (check-ins and status changes; nothing is ever removed)")
    history_table(history)
    if goal["status"] == "active":
        st.markdown("**Add a check-in**")
        checkin_form(resources, viewer, goal, day)
    elif goal["status"] == "paused":
        st.caption("This goal is paused; resume it to add check-ins.")
    st.markdown("**Status**")
    status_form(resources, viewer, goal, day)

st.header("New goal")
new_goal_form(resources, viewer, day)
