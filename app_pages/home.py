"""Home: who I am, what is due this period, and my latest snapshot."""

import streamlit as st

from analytics.goals import goals_due
from analytics.guide import WELCOMES, dismiss_welcome, welcomes_to_show
from analytics.meetings import next_meeting, open_action_items
from analytics.mentor_glance import mentee_glance, program_glance
from analytics.periods import period_label
from analytics.program_settings import own_instruments
from ui.data import cached_read, due_assessments, history_of
from ui.links import page_link
from ui.notices import confirm, refusals
from ui.resources import now, today
from ui.text import as_text
from ui.viewer import require_viewer

resources, viewer = require_viewer()

st.title(f"Welcome, {as_text(viewer.full_name)}")
roles = ", ".join(sorted(viewer.roles))
due = due_assessments(resources, viewer, today(resources.settings))
period = period_label(due[0].period_start) if due else period_label(today(resources.settings).replace(day=1))
st.caption(f"Signed in as {roles} · this period is {period}")

for role in cached_read(resources, welcomes_to_show, viewer):  # a first visit: one short welcome per role
    with st.container(border=True, key=f"welcome-{role}"):
        st.markdown(WELCOMES[role])
        page_link("app_pages/help.py", "Help: who sees what, and the guidance in full", ":material/help:")
        if st.button("Dismiss this welcome", key=f"dismiss-welcome-{role}"):
            with refusals():
                dismiss_welcome(resources.store, viewer, role, now(resources.settings))
                confirm("The welcome is dismissed. Help is always in the menu.")

st.header("Due this period")
if not due:
    st.write("Nothing is asked of you this period.")
else:
    open_items = [d for d in due if not d.done]
    done_items = [d for d in due if d.done]
    if open_items:
        for item in open_items:
            about = "" if item.about == "self" else f" about {as_text(item.subject_name)}"
            st.markdown(f"- :orange[Due] **{as_text(item.title)}**{about}")
        page_link("app_pages/assessments.py", "Fill them in, all on one page", ":material/edit_note:")
    else:
        st.success("You are up to date for this period.")
    for item in done_items:
        about = "" if item.about == "self" else f" about {as_text(item.subject_name)}"
        st.markdown(f"- :green[Done {item.submitted_at:%d %b}] {as_text(item.title)}{about}")

disabled_instruments = own_instruments(resources.catalogue, viewer.program_id).disabled
if viewer.has("director") and disabled_instruments:
    st.warning("Instrument files your program added that are turned off until they are fixed:")
    for disabled in disabled_instruments:
        st.text(disabled.reason)

if viewer.has("director"):
    st.header("The program this period")
    glance = cached_read(resources, program_glance, viewer, today(resources.settings))
    columns = st.columns(4)
    columns[0].metric("Fellows", glance["fellows"])
    columns[1].metric("Mentors", glance["mentors"])
    columns[2].metric("Current pairs", glance["current_pairs"])
    columns[3].metric("Directors", glance["directors"])
    columns = st.columns(2)
    columns[0].metric("Fellows who rated themselves", f"{glance['fellows_done']} of {glance['fellows']}")
    columns[1].metric("Mentors who rated themselves", f"{glance['mentors_done']} of {glance['mentors']}")
    page_link("app_pages/people.py", "People", ":material/badge:")
    page_link("app_pages/pairs.py", "Mentoring pairs", ":material/handshake:")

if viewer.has("fellow") or viewer.has("mentor"):
    upcoming = cached_read(resources, next_meeting, viewer, today(resources.settings))
    actions = cached_read(resources, open_action_items, viewer)
    if upcoming or not actions.empty:
        st.header("Meetings")
    if upcoming:
        st.markdown(
            f"Next meeting: **{upcoming['meeting_on']:%a %d %b %Y}** "
            f"with {as_text(upcoming['with_name'])} ({upcoming['relation']})"
        )
        for item in upcoming["agenda"]:
            st.markdown(f"- {as_text(item)}")
    if not actions.empty:
        mine = actions[actions["mine"]]
        st.markdown(f"Open action items: **{len(actions)}** ({len(mine)} yours)")
        for row in mine.head(5).itertuples():
            due = f" (due {row.due_on:%d %b})" if row.due_on is not None and row.due_on == row.due_on else ""
            st.markdown(f"- {as_text(row.text)}{due}")
    if upcoming or not actions.empty:
        page_link("app_pages/meetings.py", "Meetings", ":material/event:")

if viewer.has("fellow"):
    due_goals = cached_read(resources, goals_due, viewer, viewer.person_id, today(resources.settings))
    st.header("Goals due soon")
    if due_goals.empty:
        st.write("No goal is due in the next 30 days or overdue.")
    for goal in due_goals.itertuples():
        when = "Overdue" if goal.overdue else f"Due {goal.target_date:%d %b}"
        st.markdown(f"- **{when}**: {as_text(goal.title)} ({goal.percent_done:.0f}% done, {goal.pace})")
    page_link("app_pages/goals.py", "My goals", ":material/flag:")

if viewer.has("mentor"):
    mentees = cached_read(resources, mentee_glance, viewer, today(resources.settings))
    if not mentees.empty:
        st.header("My mentees")
        due_ratings = int(mentees["my_rating_due"].sum())
        st.write(f"{len(mentees)} current mentees; your rating of {due_ratings} of them is due this period.")
        page_link("app_pages/mentees.py", "Review my mentees", ":material/groups:")

if viewer.has("fellow") or viewer.has("mentor"):
    st.header("My latest snapshot")
    snapshot = history_of(resources, viewer, viewer.person_id).snapshot
    if snapshot.empty:
        st.write("No self-assessments yet. Your first one starts your picture of growth over time.")
    else:
        for instrument_id, rows in snapshot.groupby("instrument_id", sort=False):
            instrument = resources.catalogue.get(instrument_id)
            st.markdown(f"**{as_text(instrument.title)}** (latest: {rows['latest_period'].iloc[0]})")
            average, strongest, weakest = st.columns([1, 2, 2])
            average.metric("Average now", f"{rows['latest'].mean():.1f}", delta=f"{rows['change'].mean():+.1f} since first")
            strongest.markdown("Strongest now")
            for row in rows.sort_values(["latest", "change"], ascending=False).head(3).itertuples():
                strongest.markdown(f"- {as_text(row.quality)}: {as_text(instrument.label_for(int(row.latest)).lower())}")
            weakest.markdown("To work on next")
            for row in rows.sort_values(["latest", "change"]).head(3).itertuples():
                weakest.markdown(
                    f"- {as_text(row.quality)}: {as_text(instrument.label_for(int(row.latest)).lower())}",
                    help=as_text(instrument.origin_of(instrument.item(row.item_id))),
                )
        page_link("app_pages/progress.py", "See my progress over time", ":material/show_chart:")
