"""Two views: how I see myself beside how the other side of my pairs sees me, and the process steps."""

import pandas as pd
import streamlit as st

from analytics.access import MIN_MENTOR_RATERS
from analytics.feedback import mentor_rating_coverage
from analytics.instruments import MENTEE_SELF, MENTOR_BY_MENTEE, MENTOR_SELF, PROCESS_STEPS
from analytics.program_settings import own_instruments
from charts.ratings import gap_bars, views_over_time
from charts.style import Palette
from ui.charts import cached_figure, chart_with_table
from ui.data import Views, active_pairs, cached_read, mentor_views, ratings_given, views
from ui.process_steps import steps_over_time
from ui.resources import today
from ui.text import as_text
from ui.viewer import require_viewer

resources, viewer = require_viewer("fellow", "mentor")
catalogue = own_instruments(resources.catalogue, viewer.program_id)  # another program's imports are not this one's
palette = Palette()  # each view (the self-view first, each mentor, mentee or pair side) in one colour on every chart

st.title("Two views")
st.caption("From the guidance: the mentoring process is optimised by \u201cHaving ongoing bi-directional feedback\u201d.")


def show_views(shown: Views, instrument_id: str, heading: str, empty_message: str, key: str) -> None:
    instrument = catalogue.get(instrument_id)
    st.header(heading)
    frame, gaps = shown.ratings, shown.gaps  # with subscale means, and the latest gaps of them (ui.data.views)
    if frame.empty or frame["view"].nunique() < 1:
        st.info(empty_message)
        return
    if len(gaps.columns) > 4 and not gaps.empty:
        top = gaps.iloc[0]
        st.markdown(f"Largest gap: **{as_text(top['quality'])}** (a difference of {top['gap']:g} on the latest ratings).")
    table = frame[["period", "view", "quality", "rating"]]
    chart_with_table(
        cached_figure(
            views_over_time, frame, instrument, f"{heading}: average over time", slots=palette.slots(frame["view"].unique())
        ),
        table,
        key=f"{key}-time",
        file_name=f"{key}-views-over-time.csv",
    )
    chart_with_table(
        cached_figure(
            gap_bars,
            gaps,
            instrument,
            f"{heading}: latest ratings, largest gap first",
            slots=palette.slots(frame["view"].unique()),
        ),
        gaps.drop(columns=["item_id"]),
        key=f"{key}-gaps",
        file_name=f"{key}-gaps.csv",
    )


if viewer.has("fellow"):
    show_views(
        views(resources, viewer, "mentee", viewer.person_id, today(resources.settings), subscales=True),
        MENTEE_SELF,
        "Me as a mentee, and my mentors' view",
        "No ratings yet. Your self-assessment and your mentors' ratings of you appear here side by side.",
        "mentee",
    )

if viewer.has("mentor"):
    day = today(resources.settings)
    show_views(
        views(resources, viewer, "mentor", viewer.person_id, day, subscales=True),
        MENTOR_SELF,
        "Me as a mentor, and my mentees' view",
        "No ratings yet.",
        "mentor",
    )
    for own in catalogue.instruments:  # a program's own instruments about a mentor, each beside the shipped one
        if own.about == "mentor" and own.id != MENTOR_BY_MENTEE:
            show_views(
                mentor_views(resources, viewer, viewer.person_id, own.id, day),
                own.id,
                f"Me as a mentor: {own.title}",
                "No ratings from a completed period yet.",
                f"mentor-{own.id}",
            )
    coverage = cached_read(resources, mentor_rating_coverage, viewer, day)
    now_open = coverage[~coverage["closed"]].iloc[-1]
    st.caption(
        f"Your mentees' ratings of a period reach you once the period has closed: unsigned ones as an average when at "
        f"least {MIN_MENTOR_RATERS} mentees rated you without signing, signed ones with the mentee's name. "
        f"So far {now_open['mentees_who_rated']} of your mentees have rated you in {now_open['period']}; "
        "the current period's average appears once the period closes."
    )

given = ratings_given(resources, viewer)  # with subscale means
if not given.empty:
    st.header("Ratings I gave")
    st.caption("Your own history of how you rated the people you were paired with, on each instrument.")
    for instrument_id in given["instrument_id"].unique():
        instrument = catalogue.get(instrument_id) if instrument_id in {i.id for i in catalogue.instruments} else None
        if instrument is None:
            continue
        rows = given[given["instrument_id"] == instrument_id]
        chart_with_table(
            cached_figure(
                views_over_time,
                rows,
                instrument,
                f"{instrument.title}: my ratings over time",
                slots=palette.slots(rows["view"].unique()),
            ),
            rows[["period", "view", "quality", "rating"]].rename(columns={"view": "about"}),
            key=f"given-{instrument_id}",
            file_name=f"{instrument_id}-ratings-i-gave.csv",
        )

st.header("How our mentoring is going")
pairs = active_pairs(resources, viewer, today(resources.settings))
if pairs.empty:
    st.info("You have no current mentoring pair.")
    st.stop()
labels = {
    int(pair.pair_id): (
        f"with {pair.mentee_name} (my mentee, {pair.domain})"
        if pair.mentor_id == viewer.person_id
        else f"with {pair.mentor_name} (my mentor, {pair.domain})"
    )
    for pair in pairs.itertuples()
}
pair_id = st.selectbox("Pair", list(labels), format_func=labels.get, key="process-pair")
pair_views = views(resources, viewer, "pair", pair_id, today(resources.settings))
process, gaps = pair_views.ratings, pair_views.gaps
instrument = catalogue.get(PROCESS_STEPS)
if process.empty:
    st.info("Neither of you has rated the process steps yet.")
    st.stop()
sides = [c for c in gaps.columns if c not in ("item_id", "quality", "gap")]
chart_with_table(
    cached_figure(gap_bars, gaps, instrument, "The five process steps, as each of you sees them", slots=palette.slots(sides)),
    gaps.drop(columns=["item_id"]),
    key="process-gaps",
    file_name="process-steps.csv",
)
st.markdown("**Where you differ most, first.** Each step in the guidance's own words:")
for _, row in gaps.iterrows():
    ratings = ", ".join(f"{side.split(': ')[0].lower()} {row[side]:g}" for side in sides if pd.notna(row[side]))
    gap = f" (gap {row['gap']:g})" if len(sides) > 1 and pd.notna(row["gap"]) else ""
    st.markdown(f"- \u201c{as_text(instrument.item(row['item_id']).quote)}\u201d: {ratings}{gap}")
steps_over_time(
    process,
    instrument,
    key="process-over-time",
    file_name="process-steps-over-time.csv",
    palette=palette,
    by_period=pair_views.steps,
)
