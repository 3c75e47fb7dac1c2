"""Pair health on the page: a person's pairs ordered by need, one pair's evidence, and the director's counts
(analytics/relationship_health.py decides what each person may see; this only shows it)."""

import pandas as pd
import streamlit as st

from analytics import relationship_health as rh
from analytics.people import Viewer
from ui.data import cached_read
from ui.resources import AppResources
from ui.tables import show_table
from ui.text import as_text

BADGES = {rh.AT_RISK: ":red-badge[At risk]", rh.WATCH: ":orange-badge[Watch]", rh.HEALTHY: ":green-badge[Healthy]"}


def my_pairs(resources: AppResources, viewer: Viewer, day) -> list:
    return cached_read(resources, rh.my_pairs_health, viewer, day)


def pairs_table(found: list) -> None:
    """Every pair of the viewer's, most in need first, with what to do next."""
    rows = [
        {
            "with": row["other"],
            "as": "their mentor" if row["role"] == "mentor" else "their fellow",
            "domain": row["domain"],
            "health": health.health,
            "signals": len(health.signals),
            "why": health.sentence,
            "next": health.advice,
        }
        for row, health in found
    ]
    show_table(
        pd.DataFrame(rows),
        key="health-pairs",
        file_name="pair-health.csv",
        column_config={
            "with": "With",
            "as": "You are",
            "domain": "Domain",
            "health": "Health",
            "signals": st.column_config.NumberColumn("Signals"),
            "why": st.column_config.TextColumn("Why", width="large"),
            "next": st.column_config.TextColumn("What to do next", width="large"),
        },
    )


def pair_label(found: list, index: int) -> str:
    row, health = found[index]
    return f"{row['other']} ({row['domain']}): {health.health}"


def pair_evidence(row: dict, health: rh.PairHealth) -> None:
    """One pair: the health in one sentence, the advice, and every signal with its evidence and guidance."""
    st.markdown(f"{BADGES[health.health]} {as_text(health.sentence)}")
    st.markdown(as_text(health.advice))
    if health.unseen:
        st.caption(as_text("Not looked at: " + "; ".join(health.unseen) + "."))
    if not health.signals:
        st.success("No signal: this pair's records show nothing to act on.")
        return
    show_table(
        rh.signal_rows(health),
        key=f"health-evidence-{row['pair_id']}",
        file_name="pair-health-evidence.csv",
        column_config={
            "signal": "Signal",
            "evidence": st.column_config.TextColumn("Evidence", width="large"),
            "guidance": "The guidance's step",
            "why this is a signal": st.column_config.TextColumn("Why this is a signal", width="large"),
        },
    )


def program_health(resources: AppResources, viewer: Viewer, day) -> pd.DataFrame:
    """The director's counts per cohort, cached on the table groups they read (rh.program_health declares them): of
    closed periods only, so a submission in the open period leaves them warm."""
    return cached_read(resources, rh.program_health, viewer, day)


def administrative_signals(resources: AppResources, viewer: Viewer, day) -> pd.DataFrame:
    """The pairs with an administrative signal, cached on the table groups those signals read (declared there)."""
    return cached_read(resources, rh.administrative_signals, viewer, day)


def program_counts(resources: AppResources, viewer: Viewer, day) -> None:
    counts = program_health(resources, viewer, day)
    if counts.empty:
        st.info("The program has no current pairs.")
        return
    show_table(counts, key="health-program", file_name="pair-health-by-cohort.csv")
    st.caption(
        "Counts of pairs, never names: signals built from ratings, goals, action items and meetings held are as of "
        "the end of the latest closed period, so no figure moves when one more person submits. A cohort whose "
        "pairs have fewer fellows than the program's minimum group size is hidden (a blank) and left out of the total."
    )


def administrative(resources: AppResources, viewer: Viewer, day) -> None:
    named = administrative_signals(resources, viewer, day)
    if named.empty:
        st.info("No pair has an administrative signal.")
        return
    show_table(
        named,
        key="health-administrative",
        file_name="pair-health-administrative.csv",
        column_config={
            "mentor": "Mentor",
            "fellow": "Fellow",
            "cohort": "Cohort",
            "signal": "Signal",
            "evidence": st.column_config.TextColumn("Evidence", width="large"),
        },
    )
