"""The director's pair tables and forms: create, end and reassign a pair, each submit one write.

After a successful write the page reruns and shows what was done at the top, so every table and
list on it already includes the change.
"""

from datetime import date

import pandas as pd
import streamlit as st

from analytics import pairs
from analytics.people import Viewer
from ui.data import cached_read
from ui.notices import confirm, refusals
from ui.resources import AppResources
from ui.tables import show_table

OPEN_STATUSES = ("current", "upcoming")
DATE_FORMAT = "YYYY-MM-DD"


def _choose(label: str, labels: dict, placeholder: str, key: str):
    """A selectbox of ids shown by their labels, with nothing chosen at first."""
    return st.selectbox(label, list(labels), index=None, format_func=labels.__getitem__, placeholder=placeholder, key=key)


def person_labels(people: pd.DataFrame) -> dict[int, str]:
    """person id -> name (and cohort for fellows); the id is added where two labels would be the same."""
    labels = {}
    for row in people.itertuples():
        cohort = getattr(row, "cohort", None)
        labels[int(row.person_id)] = f"{row.full_name} · {cohort}" if isinstance(cohort, str) and cohort else row.full_name
    counts = pd.Series(list(labels.values())).value_counts()
    return {pid: f"{label} #{pid}" if counts[label] > 1 else label for pid, label in labels.items()}


def pair_labels(overview: pd.DataFrame) -> dict[int, str]:
    """pair id -> "mentee with mentor · domain · since date (pair N)" for the open pairs."""
    open_pairs = overview[overview["status"].isin(OPEN_STATUSES)]
    return {
        int(row.pair_id): f"{row.mentee} with {row.mentor} · {row.domain} · "
        f"{'starts' if row.status == 'upcoming' else 'since'} {row.started_on:%Y-%m-%d} (pair {row.pair_id})"
        for row in open_pairs.itertuples()
    }


def pairs_table(overview: pd.DataFrame) -> None:
    if overview.empty:
        st.info("No pairs to show yet. Create the first one below.")
        return
    show_table(
        overview,
        key="pairs-table",
        file_name="pairs.csv",
        column_order=[
            "pair_id",
            "mentee",
            "cohort",
            "mentor",
            "domain",
            "started_on",
            "ended_on",
            "status",
            "end_reason",
            "mentor_current_mentees",
        ],
        column_config={
            "pair_id": st.column_config.NumberColumn("Pair", format="%d"),
            "mentee": "Mentee",
            "cohort": "Cohort",
            "mentor": "Mentor",
            "domain": "Domain",
            "started_on": st.column_config.DateColumn("Started", format="YYYY-MM-DD"),
            "ended_on": st.column_config.DateColumn("Ended", format="YYYY-MM-DD"),
            "status": "Status",
            "end_reason": "Reason it ended",
            "mentor_current_mentees": st.column_config.NumberColumn(
                "Mentor's current mentees", help="How many fellows this mentor has a current pair with"
            ),
        },
    )


def create_pair_form(resources: AppResources, viewer: Viewer, today: date) -> None:
    mentors = person_labels(cached_read(resources, pairs.program_members, viewer, "mentor"))
    fellows = person_labels(cached_read(resources, pairs.program_members, viewer, "fellow"))
    domains = pairs.domain_labels()
    with st.form("create-pair"):
        mentor_id = _choose("Mentor", mentors, "Choose a mentor", "create_mentor")
        mentee_id = _choose("Mentee (fellow)", fellows, "Choose a fellow", "create_mentee")
        domain = _choose("Domain", domains, "Choose a domain", "create_domain")
        started_on = st.date_input(
            "Start date", value=today, max_value=pairs.latest_date(today), format=DATE_FORMAT, key="create_started"
        )
        submitted = st.form_submit_button("Create pair", type="primary")
    if not submitted:
        return
    with refusals():
        pair_id = pairs.create_pair(resources.store, viewer, mentor_id, mentee_id, domain, started_on, today)
        confirm(
            f"Created pair {pair_id}: {mentors[mentor_id]} mentors {fellows[mentee_id]} in {domains[domain]}, "
            f"starting {started_on:%Y-%m-%d}."
        )


def end_pair_form(resources: AppResources, viewer: Viewer, today: date, overview: pd.DataFrame) -> None:
    choices = pair_labels(overview)
    if not choices:
        st.info("There is no current pair to end.")
        return
    endings = {
        "completed": "Completed: the pair reached what it set out to do",
        "stopped": "Stopped early: give the reason",
    }
    with st.form("end-pair"):
        pair_id = _choose("Pair to end", choices, "Choose a pair", "end_pair")
        status = st.radio("How it ends", list(endings), index=None, format_func=endings.get, key="end_status")
        reason = st.text_area("Reason (required when stopped)", max_chars=pairs.MAX_REASON, key="end_reason")
        ended_on = st.date_input("End date", value=today, max_value=pairs.latest_date(today), format=DATE_FORMAT, key="end_date")
        st.caption(
            "A pair ends today or earlier; a pair that has not started yet is called off on its start date. "
            "From the end date on, the two are no longer asked to rate each other. "
            "The pair and its assessments stay as history; an ended pair cannot be reopened."
        )
        submitted = st.form_submit_button("End pair")
    if not submitted:
        return
    with refusals():
        pairs.end_pair(resources.store, viewer, pair_id, ended_on, status, reason, today)
        confirm(f"Ended {choices[pair_id]}: {status} on {ended_on:%Y-%m-%d}. Its assessments are kept.")


def reassign_form(resources: AppResources, viewer: Viewer, today: date, overview: pd.DataFrame) -> None:
    choices = pair_labels(overview)
    if not choices:
        st.info("There is no current pair to reassign.")
        return
    mentors = person_labels(cached_read(resources, pairs.program_members, viewer, "mentor"))
    with st.form("reassign-pair"):
        pair_id = _choose("Pair to reassign", choices, "Choose a pair", "reassign_pair")
        new_mentor_id = _choose("New mentor", mentors, "Choose a mentor", "reassign_mentor")
        on_date = st.date_input("From", value=today, max_value=pairs.latest_date(today), format=DATE_FORMAT, key="reassign_date")
        reason = st.text_area("Reason (required)", max_chars=pairs.MAX_REASSIGN_REASON, key="reassign_reason")
        st.caption(
            "The current pair is stopped on this date (today or earlier) with the reason \u201cReassigned: \u2026\u201d, "
            "and a new pair of the same mentee and domain starts with the new mentor that day. Both happen, or neither."
        )
        submitted = st.form_submit_button("Reassign")
    if not submitted:
        return
    with refusals():
        new_pair_id = pairs.reassign_pair(resources.store, viewer, pair_id, new_mentor_id, on_date, reason, today)
        confirm(
            f"Reassigned {choices[pair_id]}: it is stopped on {on_date:%Y-%m-%d}, and new pair {new_pair_id} "
            f"with {mentors[new_mentor_id]} starts that day."
        )


def mentor_loads_table(loads: pd.DataFrame) -> None:
    show_table(
        loads,
        key="mentor-loads",
        file_name="mentor-loads.csv",
        column_order=["mentor", "current_mentees"],
        column_config={"mentor": "Mentor", "current_mentees": st.column_config.NumberColumn("Current mentees")},
    )


def missing_domains_table(missing: pd.DataFrame) -> None:
    if missing.empty:
        st.write("Every fellow has a current mentor in every domain.")
        return
    show_table(
        missing,
        key="missing-domains",
        file_name="fellows-without-a-mentor-in-a-domain.csv",
        column_order=["fellow", "cohort", "domain", "upcoming_from"],
        column_config={
            "fellow": "Fellow",
            "cohort": "Cohort",
            "domain": "No current mentor in",
            "upcoming_from": st.column_config.DateColumn("A planned pair starts", format="YYYY-MM-DD"),
        },
    )
