"""My account: change my password, sign out here or everywhere."""

import streamlit as st

from analytics import auth
from analytics.calendars import calendar_file_name, person_calendar
from analytics.my_data import my_data_file_name, my_data_zip
from ui.notices import refusals
from ui.prepared import prepared_download
from ui.resources import now, today
from ui.text import as_text
from ui.viewer import TOKEN_KEY, require_viewer, sign_out, sign_out_everywhere

resources, viewer = require_viewer()

st.title("My account")
st.write(f"**{as_text(viewer.full_name)}** · {', '.join(sorted(viewer.roles))}")

token = st.session_state.get(TOKEN_KEY)
if token:
    with st.form("change-password", clear_on_submit=True):
        st.header("Change my password")
        current = st.text_input("Current password", type="password", max_chars=200)
        new = st.text_input(f"New password (at least {auth.MIN_PASSWORD} characters)", type="password", max_chars=200)
        again = st.text_input("New password again", type="password", max_chars=200)
        changed = st.form_submit_button("Change password")
    if changed:
        if new != again:
            st.error("The two new passwords differ.")
        else:
            with refusals():
                auth.change_password(resources.store, viewer, current, new, now(resources.settings), keep_token=token)
                st.success("Your password is changed. Other places where you were signed in are signed out.")
else:
    st.caption("You signed in through your institution; your password is managed there.")

st.subheader("My calendar and my data")
day = today(resources.settings)
prepared_download(
    "Prepare my calendar (.ics)",
    "Download my calendar (.ics)",
    lambda: person_calendar(resources.store, resources.catalogue, viewer, day, now(resources.settings)),
    calendar_file_name(day),
    "text/calendar",
    key="my-calendar",
)
st.caption(
    "Your pairs' meetings (with the agenda, never the notes) and each assessment due for you, on the day it is due by, "
    "for any calendar app. Importing it again updates the same events."
)
prepared_download(
    "Prepare my data (.zip)",
    "Download my data (.zip)",
    lambda: my_data_zip(resources.store, resources.catalogue, viewer, day, now(resources.settings)),
    my_data_file_name(day),
    "application/zip",
    key="my-data",
)
st.caption(
    "Everything the app holds about you that you may see, as CSV files with a README of the columns: your assessments "
    "and comments, ratings about you as the app shows them to you, goals, meetings, agreements, outputs and sharing choices."
)

st.subheader("Sign out")
if st.button("Sign out", type="primary"):
    sign_out(resources)
    st.rerun()
st.caption("Ends your sign-in on this browser: its other tabs too.")
if st.button("Sign out everywhere"):
    sign_out_everywhere(resources, viewer)
    st.rerun()
st.caption("Ends your sign-in on every browser and device, for a computer you left signed in or lost.")
