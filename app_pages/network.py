"""My mentors: my mentoring network by domain, the domains nobody covers yet, and adding or removing mentors."""

import pandas as pd
import streamlit as st

from analytics.network import FROM_PROGRAM, add_to_network, guidance_sentence, program_mentors, remove_from_network
from analytics.pairs import domain_labels
from charts.mentoring import network_chart
from ui.charts import cached_figure, chart_with_table
from ui.data import cached_read
from ui.notices import confirm, refusals
from ui.outputs import network_of
from ui.resources import now, today
from ui.submissions import empty_form, form_key
from ui.text import as_text
from ui.viewer import require_viewer

resources, viewer = require_viewer("fellow")
labels = domain_labels()

st.title("My mentors")
st.write(
    "Everyone who mentors you, by domain: the mentors your program paired you with, and anyone you add yourself, "
    "in the program or outside it. One person may cover several domains."
)

network, missing = network_of(resources, viewer, viewer.person_id, today(resources.settings))
if missing:
    names = [labels[domain] for domain in missing]
    which = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    st.warning(
        f"**No mentor for {which}.** The guidance says: “{guidance_sentence()}” "
        "Think about who could mentor you there, and add them below."
    )
else:
    st.success("Every domain (" + ", ".join(labels.values()) + ") has at least one mentor.")

table = network[["domain", "mentor", "source", "since"]].rename(
    columns={"domain": "Domain", "mentor": "Mentor", "source": "Source", "since": "Since"}
)
chart_with_table(cached_figure(network_chart, network, missing, labels), table, key="network", file_name="my-mentors.csv")


st.header("Add a mentor")
mentors = cached_read(resources, program_mentors, viewer)
choices = {int(row.person_id): row.full_name for row in mentors.itertuples()}
form = form_key("add-mentor")
with st.form(form):
    mentor_id = st.selectbox(
        "A mentor of the program",
        list(choices),
        index=None,
        format_func=choices.get,
        placeholder="Choose a mentor of the program",
        key=f"{form}-mentor",
    )
    name = st.text_input("Or someone outside the program", placeholder="Dr. Lee (former PI)", max_chars=200, key=f"{form}-name")
    chosen = st.multiselect("Domains they mentor you in", list(labels), format_func=labels.get, key=f"{form}-domains")
    submitted = st.form_submit_button("Add to my network", type="primary")
if submitted:
    with refusals():
        add_to_network(
            resources.store, viewer, chosen, now(resources.settings), mentor_person_id=mentor_id, mentor_name=name or None
        )
        who = choices[mentor_id] if mentor_id is not None else name.strip()
        empty_form("add-mentor")
        confirm(f"Added {who} for {', '.join(labels[d] for d in dict.fromkeys(chosen))}.")

mine = network[network["source"] != FROM_PROGRAM]
if not mine.empty:
    st.header("Mentors you listed")
    st.caption("Mentors from the program's pairs are changed by your program director.")
    for row in mine.itertuples():
        left, right = st.columns([4, 1], vertical_alignment="center")
        since = f" · since {row.since:%d %b %Y}" if row.since is not None and not pd.isna(row.since) else ""
        left.markdown(as_text(f"{row.mentor} · {row.domain}{since}"))
        if right.button("Remove", key=f"remove-{row.entry_id}"):
            with refusals():
                remove_from_network(resources.store, viewer, int(row.entry_id), now(resources.settings))
                confirm(f"Removed {row.mentor} from {row.domain}.")
