"""My progress: my ratings over time per item and instrument, first against latest, and the table."""

import streamlit as st

from charts.ratings import first_vs_latest, ratings_heatmap, ratings_over_time
from ui.charts import cached_figure, chart_with_table
from ui.data import history_of
from ui.links import page_link
from ui.report import report_download
from ui.viewer import require_viewer

resources, viewer = require_viewer("fellow", "mentor")

st.title("My progress")


def review_report() -> None:
    if viewer.has("fellow"):
        st.header("My review report")
        st.caption("A PDF to bring to the review meeting: the periods you choose, with the charts of these pages.")
        report_download(resources, viewer, viewer.person_id, "Download my review report (PDF)", key="my-report")


progress = history_of(resources, viewer, viewer.person_id, subscales=True)
history, snapshot = progress.ratings, progress.snapshot
if history.empty:
    st.info("No self-assessments yet. Fill one in and it appears here at once.")
    page_link("app_pages/assessments.py", "Fill in an assessment", ":material/edit_note:")
    review_report()
    st.stop()

table_columns = ["period", "quality", "rating", "instrument_version", "submitted_at"]
tabs = st.tabs([resources.catalogue.get(i).title for i in history["instrument_id"].unique()])
for tab, instrument_id in zip(tabs, history["instrument_id"].unique(), strict=True):
    instrument = resources.catalogue.get(instrument_id)
    rows = history[history["instrument_id"] == instrument_id]
    mine = snapshot[snapshot["instrument_id"] == instrument_id]
    with tab:
        # The lowest latest ratings first: those are what to work on next.
        qualities = list(mine.sort_values(["latest", "change"])["quality"])
        shown = st.multiselect("Qualities in the line chart", qualities, default=qualities[:3], key=f"shown-{instrument_id}")
        chart_with_table(
            cached_figure(ratings_over_time, rows[rows["quality"].isin(shown)], instrument, average_of=rows),
            rows[table_columns],
            key=f"trend-{instrument_id}",
            file_name=f"{instrument_id}-over-time.csv",
        )
        chart_with_table(
            cached_figure(ratings_heatmap, rows, instrument),
            rows[table_columns],
            key=f"grid-{instrument_id}",
            file_name=f"{instrument_id}-all-ratings.csv",
        )
        chart_with_table(
            cached_figure(first_vs_latest, snapshot, instrument),
            mine[["quality", "first", "latest", "change"]],
            key=f"compare-{instrument_id}",
            file_name=f"{instrument_id}-first-vs-latest.csv",
        )

review_report()
