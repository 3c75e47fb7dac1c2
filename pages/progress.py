"""My progress: my ratings over time per item and instrument, first against latest, and the table."""

import streamlit as st

from analytics.assessments import latest_snapshot
from analytics.figures import first_vs_latest, ratings_over_time
from ui.charts import chart_with_table
from ui.data import rating_history
from ui.viewer import require_viewer

resources, viewer = require_viewer("fellow", "mentor")

st.title("My progress")
history = rating_history(resources, viewer, viewer.person_id)
if history.empty:
    st.info("No self-assessments yet. Fill one in and it appears here at once.")
    st.page_link("pages/assessments.py", label="Fill in an assessment", icon=":material/edit_note:")
    st.stop()

snapshot = latest_snapshot(history)
columns = ["period", "instrument", "quality", "rating", "instrument_version", "submitted_at"]
for instrument_id in history["instrument_id"].unique():
    instrument = resources.catalogue.get(instrument_id)
    rows = history[history["instrument_id"] == instrument_id]
    st.subheader(instrument.title)
    chart_with_table(
        ratings_over_time(history, instrument),
        rows[columns],
        key=f"trend-{instrument_id}",
        file_name=f"{instrument_id}-over-time.csv",
    )
    chart_with_table(
        first_vs_latest(snapshot, instrument),
        snapshot[snapshot["instrument_id"] == instrument_id][["quality", "first", "latest", "change"]],
        key=f"compare-{instrument_id}",
        file_name=f"{instrument_id}-first-vs-latest.csv",
    )
