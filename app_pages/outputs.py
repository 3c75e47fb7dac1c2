"""My outputs: log publications, abstracts, grants, awards and presentations; see them add up over time."""

import streamlit as st

from analytics.checks import EARLIEST
from analytics.outputs import IDENTIFIER_KINDS, KIND_LABELS, KINDS, log_output
from ui.notices import confirm, refusals
from ui.outputs import cumulative_outputs, outputs_of, outputs_over_time, outputs_table
from ui.resources import now, today
from ui.submissions import empty_form, form_key
from ui.viewer import require_viewer

resources, viewer = require_viewer("fellow")
day = today(resources.settings)

st.title("My outputs")
st.write(
    "Your publications, abstracts, grants, awards and presentations. Your mentors see them only where you share "
    "your outputs with them (What my mentors see)."
)

form = form_key("log-output")
with st.form(form):
    kind = st.selectbox("Kind", KINDS, format_func=KIND_LABELS.get, key=f"{form}-kind")
    title = st.text_input("Title", max_chars=300, key=f"{form}-title")
    happened_on = st.date_input(
        "Date (published, presented, awarded)",
        value=day,
        min_value=EARLIEST,
        max_value=day,
        format="YYYY-MM-DD",
        key=f"{form}-date",
    )
    left, right = st.columns([1, 2])
    id_options = [None, *IDENTIFIER_KINDS]
    identifier_kind = left.selectbox(
        "Identifier (optional)",
        id_options,
        format_func=lambda k: "No identifier" if k is None else IDENTIFIER_KINDS[k],
        key=f"{form}-id-kind",
    )
    identifier = right.text_input(
        "DOI, PMID or grant number", placeholder="10.1182/blood.2024012345", max_chars=200, key=f"{form}-id"
    )
    submitted = st.form_submit_button("Log output", type="primary")
if submitted:
    with refusals():
        log_output(
            resources.store,
            viewer,
            kind,
            title,
            happened_on,
            day,
            now(resources.settings),
            identifier_kind=identifier_kind,
            identifier=identifier or None,
        )
        empty_form("log-output")
        confirm(f"Logged: {KIND_LABELS[kind].lower()} '{title.strip()}' ({happened_on:%Y-%m-%d}).")

mine = outputs_of(resources, viewer, viewer.person_id)
if mine.empty:
    st.info("Nothing logged yet. Log your first output above and it appears here at once.")
    st.stop()

counts = mine["kind_id"].value_counts()
for column, kind_id in zip(st.columns(len(KINDS)), KINDS, strict=True):
    column.metric(KIND_LABELS[kind_id] + "s", int(counts.get(kind_id, 0)))

cumulative = cumulative_outputs(resources, viewer, viewer.person_id, day)
outputs_over_time(cumulative, title="My outputs over time", key="cumulative", file_name="my-outputs-over-time.csv")

st.header("Everything I logged")
outputs_table(mine, key="outputs-list", file_name="my-outputs.csv")
