"""Pair health: which mentoring pairs are slipping and why, with the guidance's advice on what to do next.

A mentor and a fellow see their own pairs, most in need first, and one pair's evidence; a director sees
counts per cohort and, by name, only the administrative signals (analytics/relationship_health.py).
"""

import streamlit as st

from analytics import relationship_health as rh
from ui.health import administrative, my_pairs, pair_evidence, pair_label, pairs_table, program_counts
from ui.resources import today
from ui.viewer import require_viewer

resources, viewer = require_viewer("mentor", "fellow", "director")
day = today(resources.settings)

st.title("Pair health")
st.caption(
    "The guidance's five steps are what a healthy pair does. Each signal below comes from the pair's own records "
    "(ratings, meetings, the agreement, goals, action items, assessments); one signal is worth watching, "
    f"{rh.default_thresholds()['at_risk_signals']:g} or more (the program may set another number) make a pair at risk."
)

if viewer.has("mentor") or viewer.has("fellow"):
    found = my_pairs(resources, viewer, day)
    if not found:
        st.info("You have no current mentoring pairs.")
    else:
        st.header("My pairs")
        pairs_table(found)
        st.header("One pair's evidence")
        chosen = st.selectbox("Pair", range(len(found)), format_func=lambda index: pair_label(found, index), key="health-pair")
        if chosen is not None:
            pair_evidence(*found[chosen])

if viewer.has("director"):
    st.header("The program's pairs by health and signal")
    program_counts(resources, viewer, day)
    st.header("Administrative signals, by pair")
    st.caption(
        "No meeting for too long, no or lapsed agreement, assessments overdue: administration, shown by name. "
        "Signals built from ratings, goals or meetings held are never shown by pair."
    )
    administrative(resources, viewer, day)
