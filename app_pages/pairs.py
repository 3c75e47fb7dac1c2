"""Pairs: the program director creates, ends and reassigns mentor-mentee pairs; ended pairs keep their history."""

import streamlit as st

from analytics import pairs
from ui.data import cached_read
from ui.pairs import (
    create_pair_form,
    end_pair_form,
    mentor_loads_table,
    missing_domains_table,
    pairs_table,
    reassign_form,
)
from ui.resources import today
from ui.viewer import require_viewer

resources, viewer = require_viewer("director")
day = today(resources.settings)

st.title("Mentoring pairs")
st.caption(f"From the guidance: \u201c{pairs.domains_quote()}\u201d")

include_ended = st.toggle("Include ended pairs", key="include_ended")
overview = cached_read(resources, pairs.pairs_overview, viewer, day, include_ended)
pairs_table(overview)

st.header("Create a pair")
create_pair_form(resources, viewer, day)

st.header("End a pair")
end_pair_form(resources, viewer, day, overview)

st.header("Reassign")
reassign_form(resources, viewer, day, overview)

st.header("Mentor loads")
mentor_loads_table(cached_read(resources, pairs.mentor_loads, viewer, day))

st.header("Fellows without a current mentor in a domain")
st.caption("Several mentors may be needed for different domains; a missing one is a question, not always a gap.")
missing_domains_table(cached_read(resources, pairs.fellows_without_mentor_in_domain, viewer, day))
