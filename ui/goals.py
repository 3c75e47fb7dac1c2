"""Goals in the app: cached reads keyed by viewer and data version, and the goal forms.

After a successful write the page reruns and shows what was done at the top, so the timeline, the
tables and the charts already include the change.
"""

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from analytics import goals
from analytics.people import Viewer
from charts.goals import goal_progress, goals_timeline
from ui.charts import cached_figure, chart_with_table
from ui.data import cached_read, goal_categories
from ui.notices import confirm, refusals
from ui.resources import AppResources, now
from ui.submissions import submission_key
from ui.tables import show_table
from ui.text import as_text as plain

DATE_FORMAT = "YYYY-MM-DD"
FORM_MILESTONES = 5
NEXT_GOAL_KEY = "open-goal-next"
MEASURES = {"percent": "A percentage (done at 100%)", "count": "A count toward a target (such as 3 abstracts)"}

TABLE_COLUMNS = [
    "title",
    "category",
    "status",
    "pace",
    "percent_done",
    "expected_percent_today",
    "latest_value",
    "target_value",
    "unit",
    "started_on",
    "target_date",
    "days_left",
    "due_soon",
    "overdue",
    "stretch",
    "why_it_matters",
    "how_measured",
]
TABLE_CONFIG = {
    "title": "Goal",
    "category": "Category",
    "status": "Status",
    "pace": "Pace",
    "percent_done": st.column_config.NumberColumn("Done (%)", format="%.0f"),
    "expected_percent_today": st.column_config.NumberColumn("On track would be (%)", format="%.0f"),
    "latest_value": st.column_config.NumberColumn("Latest value", format="%g"),
    "target_value": st.column_config.NumberColumn("Target", format="%g"),
    "unit": "Unit",
    "started_on": st.column_config.DateColumn("Started", format=DATE_FORMAT),
    "target_date": st.column_config.DateColumn("Target date", format=DATE_FORMAT),
    "days_left": st.column_config.NumberColumn("Days left"),
    "due_soon": "Due within 30 days",
    "overdue": "Overdue",
    "stretch": "Stretch goal",
    "why_it_matters": "Why it matters",
    "how_measured": "How it is measured",
}


# ---------------------------------------------------------------- cached reads


def goals_of(resources: AppResources, viewer: Viewer, owner_id: int, today: date) -> pd.DataFrame:
    return cached_read(resources, goals.goals_of, viewer, owner_id, today)


def goal_history(resources: AppResources, viewer: Viewer, goal_id: int) -> pd.DataFrame:
    return cached_read(resources, goals.goal_history, viewer, goal_id)


def milestones_of(resources: AppResources, viewer: Viewer, goal_id: int) -> pd.DataFrame:
    return cached_read(resources, goals.milestones_of, viewer, goal_id)


# ---------------------------------------------------------------- sections


def summary(table: pd.DataFrame) -> None:
    """Counts, and the goals due soon, overdue or behind by name."""
    columns = st.columns(4)
    columns[0].metric("Active", int((table["status"] == "active").sum()))
    columns[1].metric("Due within 30 days", int(table["due_soon"].sum()))
    columns[2].metric("Overdue", int(table["overdue"].sum()))
    columns[3].metric("Behind", int((table["pace"] == "behind").sum()))
    for row in table[table["overdue"]].itertuples():
        st.warning(f"Overdue: {plain(row.title)} (target date {row.target_date:%Y-%m-%d}, {row.percent_done:.0f}% done)")
    for row in table[table["due_soon"]].itertuples():
        st.warning(f"Due in {row.days_left} days: {plain(row.title)} ({row.percent_done:.0f}% done)")
    for row in table[(table["pace"] == "behind") & ~table["overdue"]].itertuples():
        st.info(
            f"Behind: {plain(row.title)}, {row.percent_done:.0f}% done where the straight line to the target "
            f"is at {row.expected_percent_today:.0f}%"
        )


def goal_table(table: pd.DataFrame) -> pd.DataFrame:
    return table[TABLE_COLUMNS]


def timeline(table: pd.DataFrame, today: date, title: str, file_name: str) -> None:
    """Every goal on one timeline, how to read it, and the table behind it."""
    st.caption(
        "Each bar runs from the day a goal was set to its target date; the diamond shows how far along it the "
        f"progress is. Left of today's line is behind, right of it ahead (within {goals.PACE_TOLERANCE:g} points counts as "
        "on track)."
    )
    chart_with_table(
        cached_figure(goals_timeline, table, today, title=title),
        goal_table(table),
        key="goals-timeline",
        file_name=file_name,
        column_config=TABLE_CONFIG,
    )


def progress(history: pd.DataFrame, goal: pd.Series) -> None:
    """One goal's progress against its on-track line, with its history behind it."""
    chart_with_table(
        cached_figure(goal_progress, history, goal), history, key="goal-progress", file_name=f"goal-{goal['goal_id']}.csv"
    )


def details(goal: pd.Series) -> None:
    """The goal as SMART: what, why it matters, how it is measured, by when, and whether it is a stretch."""
    unit = "%" if goal["measure"] == "percent" else (f" {goal['unit']}" if isinstance(goal["unit"], str) else "")
    stretch = " · a stretch goal" if bool(goal["stretch"]) else ""
    lines = [
        f"**What:** {plain(goal['title'])}{stretch}",
        f"**Why it matters:** {_said(goal['why_it_matters'])}",
        f"**How it is measured:** {_said(goal['how_measured'])} (done at {goal['target_value']:g}{plain(unit)})",
        f"**By when:** {goal['target_date']:%Y-%m-%d}",
    ]
    if float(goal["latest_value"]) > float(goal["target_value"]):
        lines.append(f"**Above target:** {goal['latest_value']:g} of {goal['target_value']:g}{plain(unit)}")
    st.markdown("  \n".join(lines))


def _said(text: object) -> str:
    return plain(text) if isinstance(text, str) and text else "_not written_"


def goal_labels(table: pd.DataFrame) -> dict[int, str]:
    """Title and category only: a label that changed with each check-in would reset the open goal."""
    return {int(row.goal_id): f"{row.title} ({row.category})" for row in table.itertuples()}


def history_table(history: pd.DataFrame) -> None:
    show_table(
        history[["on", "kind", "value", "status", "note"]],
        key="goal-history",
        file_name="goal-history.csv",
        column_config={
            "on": st.column_config.DateColumn("Date", format=DATE_FORMAT),
            "kind": "What",
            "value": st.column_config.NumberColumn("Value", format="%g"),
            "status": "Status from then on",
            "note": "Note",
        },
    )


def milestones_table(milestones: pd.DataFrame) -> None:
    if milestones.empty:
        st.caption("No milestones.")
        return
    show_table(
        milestones,
        key="goal-milestones",
        file_name="goal-milestones.csv",
        column_config={
            "position": st.column_config.NumberColumn("#", format="%d"),
            "title": "Milestone",
            "due_on": st.column_config.DateColumn("Due", format=DATE_FORMAT),
        },
    )


def checkin_form(resources: AppResources, viewer: Viewer, goal: pd.Series, today: date) -> None:
    """Date, new value and a short note; one check-in per submit."""
    goal_id = int(goal["goal_id"])
    unit = "%" if goal["measure"] == "percent" else (f" {goal['unit']}" if isinstance(goal["unit"], str) else "")
    with st.form(f"checkin-{goal_id}", clear_on_submit=True):
        checked_on = st.date_input(
            "Date", value=today, min_value=goal["started_on"], max_value=today, format=DATE_FORMAT, key=f"checkin-date-{goal_id}"
        )
        value = st.number_input(
            f"New value (target {goal['target_value']:g}{unit}; last {goal['latest_value']:g})",
            min_value=0.0,
            value=float(goal["latest_value"]),
            step=1.0,
            key=f"checkin-value-{goal_id}",
        )
        note = st.text_area(
            "Note (needed when the value goes down)", max_chars=goals.MAX_NOTE, key=f"checkin-note-{goal_id}", height=80
        )
        submitted = st.form_submit_button("Add check-in", type="primary")
    if not submitted:
        return
    key = submission_key(f"checkin-{goal_id}", checked_on, value, note)
    with refusals():
        goals.add_checkin(
            resources.store, viewer, goal_id, value, checked_on, note, today, now(resources.settings), submission_key=key
        )
        message = f"Check-in saved: {value:g}{unit} on {checked_on:%Y-%m-%d}."
        if value > float(goal["target_value"]):
            message += (
                f" That is above the target of {goal['target_value']:g}{unit}: mark the goal completed below when it is done."
            )
        elif value == float(goal["target_value"]):
            message += " The target is reached: mark the goal completed below when it is done."
        confirm(message)


def status_form(resources: AppResources, viewer: Viewer, goal: pd.Series, today: date) -> None:
    """Complete, pause, resume, drop (with a note) or reopen; each a new row in the goal's history."""
    goal_id = int(goal["goal_id"])
    status = goal["status"]
    actions = {
        "active": [("Mark completed", "completed"), ("Pause", "paused"), ("Drop", "dropped")],
        "paused": [("Resume", "active"), ("Mark completed", "completed"), ("Drop", "dropped")],
        "completed": [("Reopen", "active")],
        "dropped": [("Reopen", "active")],
    }[status]
    if status == "active" and float(goal["latest_value"]) >= float(goal["target_value"]):
        st.info("This goal has reached its target. Mark it completed when it is done.")
    with st.form(f"status-{goal_id}", clear_on_submit=True):
        note = st.text_input("Note (required to drop a goal)", max_chars=goals.MAX_NOTE, key=f"status-note-{goal_id}")
        columns = st.columns(len(actions))
        pressed = [column.form_submit_button(label) for column, (label, _) in zip(columns, actions, strict=True)]
    chosen = [new for (_, new), was_pressed in zip(actions, pressed, strict=True) if was_pressed]
    if not chosen:
        return
    with refusals():
        goals.change_status(resources.store, viewer, goal_id, chosen[0], note, today, now(resources.settings))
        words = {"active": "active again", "completed": "completed", "paused": "paused", "dropped": "dropped"}
        confirm(f"{goal['title']} is {words[chosen[0]]}. Its history is kept.")


def new_goal_form(resources: AppResources, viewer: Viewer, today: date) -> None:
    categories = goal_categories(resources, viewer)
    with st.form("new-goal"):
        title = st.text_input("Title (what, specifically)", max_chars=goals.MAX_TITLE, key="goal-title")
        why = st.text_area(
            "Why it matters (to you, your training, your career)",
            max_chars=goals.MAX_WHY,
            key="goal-why",
            height=80,
            placeholder="My first-author abstract makes the case for a K award.",
        )
        category = st.selectbox("Category", categories, key="goal-category")
        measure = st.radio("Done is measured as", list(MEASURES), format_func=MEASURES.get, key="goal-measure")
        target = st.number_input(
            "Target, for a count", min_value=1, max_value=goals.MAX_COUNT, value=3, step=1, key="goal-target"
        )
        unit = st.text_input("Unit, for a count (such as abstracts)", max_chars=goals.MAX_UNIT, key="goal-unit")
        how = st.text_area(
            "How it will be measured, in words",
            max_chars=goals.MAX_HOW,
            key="goal-how",
            height=80,
            placeholder="Done when the abstract is submitted; my mentor reviews each draft.",
        )
        target_date = st.date_input("Target date", value=today + timedelta(days=180), format=DATE_FORMAT, key="goal-date")
        stretch = st.checkbox("A stretch goal (ambitious on purpose: falling short of it is not failing)", key="goal-stretch")
        milestone_text = st.text_area(
            f"Milestones (optional, up to {FORM_MILESTONES}): one a line, as title; YYYY-MM-DD",
            key="goal-milestones",
            placeholder="Draft to my mentor; 2027-01-15",
        )
        submitted = st.form_submit_button("Create goal", type="primary")
    if not submitted:
        return
    key = submission_key("new-goal", title, why, category, measure, target, unit, how, target_date, stretch, milestone_text)
    with refusals():
        steps = goals.parse_milestone_lines(milestone_text, limit=FORM_MILESTONES)
        goal_id = goals.create_goal(
            resources.store,
            viewer,
            title,
            category,
            measure,
            None if measure == "percent" else target,
            target_date,
            today,
            now(resources.settings),
            unit=unit,
            milestones=steps,
            submission_key=key,
            why_it_matters=why,
            how_measured=how,
            stretch=stretch,
        )
        st.session_state[NEXT_GOAL_KEY] = goal_id  # the page opens it on its next run, ready for a check-in
        confirm(f"Goal created: {title.strip()}, target {target_date:%Y-%m-%d}.")
