"""Meetings of a pair: plan one with an agenda, write the notes and action items afterwards, tick them off."""

from datetime import timedelta

import streamlit as st

from analytics.goals import create_goal
from analytics.meetings import plan_meeting, record_notes, tick_action
from charts.mentoring import meeting_frequency_chart
from ui.charts import cached_figure, chart_with_table
from ui.data import goal_categories
from ui.meetings import agreement_of, choose_pair, meeting_frequency, meetings_of_pair, open_action_items
from ui.notices import confirm, refusals
from ui.resources import now, today
from ui.submissions import submission_key
from ui.tables import show_table
from ui.text import as_text
from ui.viewer import require_viewer

resources, viewer = require_viewer("fellow", "mentor")
store = resources.store
day = today(resources.settings)

st.title("Meetings")
st.caption("From the guidance: the mentoring process is optimised by \u201cPlanning meetings with clear agendas\u201d.")

pairs, pair_id = choose_pair(resources, viewer, day, key="meetings-pair", why_none="Meetings are planned within a pair.")
pair = pairs[pairs["pair_id"] == pair_id].iloc[0]
members = {int(pair.mentee_id): f"{pair.mentee_name} (fellow)", int(pair.mentor_id): f"{pair.mentor_name} (mentor)"}


st.header("Plan a meeting")
with st.form("plan-meeting", clear_on_submit=True):
    meeting_on = st.date_input(
        "Date",
        value=day + timedelta(days=14),
        min_value=day - timedelta(days=365),
        max_value=day + timedelta(days=365),
        key="plan-date",
    )
    agenda_text = st.text_area("Agenda: one item per line", key="plan-agenda", placeholder="Review abstract draft for ASH")
    planned = st.form_submit_button("Plan meeting", type="primary")
if planned:
    with refusals():
        key = submission_key(f"plan-meeting-{pair_id}", meeting_on, agenda_text)
        plan_meeting(
            store, viewer, pair_id, meeting_on, agenda_text.splitlines(), day, now(resources.settings), submission_key=key
        )
        st.success(f"Planned for {meeting_on:%d %b %Y}.")

st.header("Our meetings")
meetings = meetings_of_pair(resources, viewer, pair_id, day)
if meetings.empty:
    st.info("No meetings yet. Plan the first one above, with an agenda.")
else:
    show_table(
        meetings.assign(agenda=["; ".join(items) for items in meetings["agenda"]])[
            ["meeting_on", "status", "agenda", "notes", "action_items", "open_action_items"]
        ],
        key="meetings-table",
        file_name="meetings.csv",
        column_config={
            "meeting_on": st.column_config.DateColumn("Date", format="D MMM YYYY"),
            "action_items": "Action items",
            "open_action_items": "Still open",
        },
    )

st.header("Notes after a meeting")
past = meetings[meetings["meeting_on"] <= day] if not meetings.empty else meetings
if past.empty:
    st.info("Notes are written on or after a meeting's day.")
else:
    choices = {
        int(row.meeting_id): f"{row.meeting_on:%d %b %Y} ({row.status})" for row in past.itertuples()
    }  # newest first: the one that just happened
    meeting_id = st.selectbox("Meeting", list(choices), format_func=choices.get, key="notes-meeting")
    row = past[past["meeting_id"] == meeting_id].iloc[0]
    if row["agenda"]:
        st.markdown("**Agenda:** " + "; ".join(as_text(item) for item in row["agenda"]))
    with st.form("meeting-notes", clear_on_submit=True):
        held = st.checkbox("The meeting took place", value=row["held"] is not False, key=f"notes-held-{meeting_id}")
        notes = st.text_area("Notes", value=row["notes"] or "", key=f"notes-text-{meeting_id}", max_chars=5000)
        st.markdown("**Action items** (leave a line empty to skip it)")
        actions = []
        for number in range(1, 4):
            left, middle, right = st.columns([3, 2, 2])
            text = left.text_input(f"Action item {number}", key=f"action-text-{number}")
            owner = middle.selectbox(f"Owner {number}", list(members), format_func=members.get, key=f"action-owner-{number}")
            due = right.date_input(f"Due {number}", value=None, key=f"action-due-{number}")
            actions.append((text, owner, due))
        saved = st.form_submit_button("Save notes", type="primary")
    if saved:
        items = [{"text": text, "owner_id": owner, "due_on": due} for text, owner, due in actions if text.strip()]
        with refusals():
            key = submission_key(f"notes-{meeting_id}", held, notes, items)
            record_notes(store, viewer, meeting_id, held, notes, items, day, now(resources.settings), submission_key=key)
            confirm("Notes saved." + (f" {len(items)} action item{'s' if len(items) != 1 else ''} added." if items else ""))

st.header("Open action items")
open_items = open_action_items(resources, viewer, pair_id)
if open_items.empty:
    st.info("No open action items in this pair.")
for item in open_items.itertuples():
    text_column, done_column, goal_column = st.columns([5, 1, 1.3])
    due = f", due {item.due_on:%d %b %Y}" if item.due_on is not None else ""
    overdue = " **(overdue)**" if item.due_on is not None and item.due_on < day else ""
    text_column.markdown(
        f"{as_text(item.text)} \u2014 {as_text(item.owner_name)}{due}{overdue} (from {item.meeting_on:%d %b %Y})"
    )
    if done_column.button("Done", key=f"done-{item.action_id}"):
        with refusals():
            tick_action(store, viewer, int(item.action_id), now(resources.settings))
            confirm(f"Done: {item.text}")
    if item.mine and viewer.has("fellow"):
        with goal_column.popover("Make it a goal"), st.form(f"goal-from-{item.action_id}"):
            category = st.selectbox("Category", goal_categories(resources, viewer))
            target_date = st.date_input("Target date", value=item.due_on if item.due_on and item.due_on > day else None)
            if st.form_submit_button("Create the goal"):
                key = submission_key(f"goal-from-{item.action_id}", category, target_date)
                title = str(item.text)[:200]
                with refusals():
                    create_goal(
                        store,
                        viewer,
                        title,
                        category,
                        "percent",
                        100,
                        target_date,
                        day,
                        now(resources.settings),
                        from_action_id=int(item.action_id),
                        submission_key=key,
                    )
                    confirm(f"Goal created: {title}. It is on My goals.")

st.header("How often we meet")
frequency = meeting_frequency(resources, viewer, pair_id, day)
if frequency.empty or not frequency["held"].any():
    st.info("No meetings held yet: the chart appears once notes say a meeting took place.")
else:
    agreement = agreement_of(resources, viewer, pair_id)
    per_month = 365.25 / 12 / (7 * agreement["meet_every_weeks"]) if agreement else None
    if agreement:
        st.caption(f"The dashed line is your agreement: a meeting every {agreement['meet_every_weeks']} weeks.")
    chart_with_table(
        cached_figure(meeting_frequency_chart, frequency, per_month),
        frequency[["period", "held"]],
        key="meeting-frequency",
        file_name="meeting-frequency.csv",
    )
