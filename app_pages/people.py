"""People (directors): the program's people, adding them, deactivating and reactivating them, cohorts,
first passwords, password reset codes, and importing a roster from a CSV file."""

import streamlit as st

from analytics import auth, roster
from analytics.people import ROLES
from ui.data import cached_read, program_settings, roster_check
from ui.notices import confirm, refusals
from ui.resources import now, today
from ui.roster import (
    as_text,
    import_button_label,
    import_with_progress,
    people_table,
    person_label,
    show_roster_check,
)
from ui.submissions import empty_form, form_key
from ui.tables import show_table
from ui.viewer import require_viewer

resources, viewer = require_viewer("director")
store = resources.store

st.title("People")
st.caption(as_text(f"{program_settings(resources, viewer)['name']}: names, emails, roles and cohorts. Never ratings."))

people = cached_read(resources, roster.people_list, viewer)
cohorts = cached_read(resources, roster.cohorts, viewer)
cohort_names = {int(row.cohort_id): row.name for row in cohorts.itertuples()}

st.header("People in the program")
role_column, status_column = st.columns(2)
role = role_column.selectbox("Role", ["everyone", *ROLES], key="people_role")
status = status_column.radio("Show", ["active", "deactivated", "everyone"], horizontal=True, key="people_status")
shown = roster.filter_people(people, None if role == "everyone" else role, status)
show_table(people_table(shown), key="people-table", file_name="people.csv")
st.caption(f"{len(shown)} of {len(people)} people shown.")

st.header("Add a person")
with st.form(form_key("add-person")):
    name = st.text_input("Full name", max_chars=roster.MAX_NAME)
    email = st.text_input("Email", max_chars=roster.MAX_EMAIL)
    roles = st.multiselect("Roles", list(ROLES))
    cohort_id = st.selectbox(
        "Cohort (fellows only)", [None, *cohort_names], format_func=lambda c: "no cohort" if c is None else cohort_names[c]
    )
    password = st.text_input(
        f"First password (optional, at least {auth.MIN_PASSWORD} characters; you can also set it later)",
        type="password",
        max_chars=auth.MAX_PASSWORD,
    )
    add = st.form_submit_button("Add person", type="primary")
if add:
    with refusals():
        roster.add_person(store, viewer, name, email, roles, cohort_id, now(resources.settings), password=password or None)
        follow_up = "They can sign in with the password you set." if password else "Give them a first password below."
        empty_form("add-person")
        confirm(f"Added {name.strip()} ({auth.normalise_email(email)}). {follow_up}")

st.header("Deactivate or reactivate")
st.caption("A deactivated person can no longer sign in and is signed out at once; everything they entered is kept.")
others = people[people["person_id"] != viewer.person_id]
by_id = {int(row.person_id): row for row in others.itertuples()}
chosen = st.selectbox(
    "Person",
    list(by_id),
    index=None,
    placeholder="Choose a person",
    format_func=lambda p: person_label(by_id[p]),
    key="status_person",
)
if chosen is not None:
    person = by_id[chosen]
    if person.active:
        sure = st.checkbox(f"Yes, deactivate {as_text(person.full_name)}", key=f"confirm_deactivate_{chosen}")
        if st.button("Deactivate", disabled=not sure, key="deactivate"):
            with refusals():
                ended = roster.deactivate_person(store, viewer, chosen, now(resources.settings), today(resources.settings))
                pairs_note = f" Their {ended} open mentoring pair{'s' if ended != 1 else ''} ended today." if ended else ""
                confirm(
                    f"{person.full_name} is deactivated. Their history is kept; reactivate them here at any time." + pairs_note
                )
    else:
        sure = st.checkbox(f"Yes, reactivate {as_text(person.full_name)}", key=f"confirm_reactivate_{chosen}")
        if st.button("Reactivate", disabled=not sure, key="reactivate"):
            with refusals():
                roster.reactivate_person(store, viewer, chosen, now(resources.settings))
                confirm(f"{person.full_name} is active again and can sign in with their password.")

st.header("Give a first password")
st.caption("For someone who has not signed in yet. After their first sign-in they change it themselves on My account.")
waiting = {p: row for p, row in by_id.items() if row.active}
with st.form("first-password", clear_on_submit=True):
    for_whom = st.selectbox(
        "Person", list(waiting), index=None, placeholder="Choose a person", format_func=lambda p: person_label(waiting[p])
    )
    first = st.text_input(f"Password (at least {auth.MIN_PASSWORD} characters)", type="password", max_chars=auth.MAX_PASSWORD)
    again = st.text_input("Password again", type="password", max_chars=auth.MAX_PASSWORD)
    give = st.form_submit_button("Set first password")
if give:
    if for_whom is None:
        st.error("Choose a person.")
    elif first != again:
        st.error("The two passwords differ.")
    else:
        with refusals():
            roster.set_initial_password(store, viewer, for_whom, first, now(resources.settings))
            confirm(f"{waiting[for_whom].full_name} can sign in with the password you set. Hand it over in person.")

st.header("Password help")
st.caption(
    "For someone who forgot their password: a one-time reset code, which they enter with their email under "
    "“Forgot password?” on the sign-in page to set a new password. It works once, for "
    f"{int(auth.RESET_CODE_LIFETIME.total_seconds() // 3600)} hours; a new code replaces the last one. Setting the "
    "password signs them out everywhere. Hand the code over in person or by phone. Not for directors: you would see "
    "the code that could sign you in as them."
)
# Not for a director: the code is shown here, so it could sign this director in as them (analytics refuses it too).
resettable = [p for p, row in waiting.items() if "director" not in row.roles.split(", ")]
with st.form("reset-code"):
    reset_for = st.selectbox(
        "Person", resettable, index=None, placeholder="Choose a fellow or mentor", format_func=lambda p: person_label(waiting[p])
    )
    issue = st.form_submit_button("Issue a reset code")
if issue:
    if reset_for is None:
        st.error("Choose a person.")
    else:
        with refusals():
            issued_at = now(resources.settings)
            code = roster.issue_reset_code(store, viewer, reset_for, issued_at)
            until = (issued_at + auth.RESET_CODE_LIFETIME).strftime("%Y-%m-%d %H:%M")
            confirm(
                f"Reset code for {waiting[reset_for].full_name}: {code} (works once, until {until}). "
                "It is not shown again; issue a new one if it is lost."
            )
issued = roster.reset_code_states(cached_read(resources, roster.reset_codes_issued, viewer), now(resources.settings))
if len(issued):
    show_table(
        issued.rename(
            columns={
                "person": "For",
                "issued_by": "Issued by",
                "issued_at": "Issued",
                "expires_at": "Works until",
                "state": "State",
            }
        ),
        key="reset-codes-table",
        file_name="reset-codes.csv",
    )

st.header("Cohorts")
show_table(
    cohorts[["name", "start_year", "active_fellows"]].rename(
        columns={"name": "Cohort", "start_year": "Start year", "active_fellows": "Active fellows"}
    ),
    key="cohorts-table",
    file_name="cohorts.csv",
)
with st.form(form_key("add-cohort")):
    st.markdown("**Add a cohort**")
    cohort_name = st.text_input("Cohort name", max_chars=roster.MAX_COHORT_NAME, placeholder="Class of 2030")
    start_year = st.number_input(
        "Start year", min_value=roster.FIRST_START_YEAR, max_value=roster.LAST_START_YEAR, value=today(resources.settings).year
    )
    add_cohort = st.form_submit_button("Add cohort")
if add_cohort:
    with refusals():
        roster.add_cohort(store, viewer, cohort_name, int(start_year))
        empty_form("add-cohort")
        confirm(f"Added the cohort {cohort_name.strip()}.")

st.header("Import a roster (CSV)")
st.markdown(
    as_text(
        f"One person per line under the header {roster.ROSTER_HEADER}. Roles: fellow, mentor or director; "
        "several separated by ; or | (such as mentor;director). A fellow's cohort is the name of one of the "
        f"cohorts above; others leave it empty. Save as CSV UTF-8; at most {roster.MAX_ROSTER_ROWS:,} people "
        "and 2 MB per file. Nothing is stored until you press the import button."
    )
)
st.download_button(
    "Download the CSV template", roster.roster_template(), file_name="roster-template.csv", mime="text/csv", key="template"
)
uploaded = st.file_uploader("Roster file", type="csv", key=form_key("roster-file"))
if uploaded is not None:
    check = roster_check(resources, viewer, uploaded.getvalue())
    show_roster_check(check)
    label = import_button_label(check)
    if label and st.button(label, type="secondary" if check.errors else "primary", key="import_roster"):
        added = import_with_progress(resources, viewer, check.valid_rows)
        if added is not None:
            left_out = check.rows - added
            skipped = f" {left_out} {'row' if left_out == 1 else 'rows'} with problems left out." if check.errors else ""
            empty_form("roster-file")  # so the same file is not offered again
            confirm(f"Imported {added} {'person' if added == 1 else 'people'}.{skipped} Give them a first password above.")
