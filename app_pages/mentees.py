"""My mentees: every current mentee at a glance, and one mentee in full, within what they share."""

from collections.abc import Callable

import pandas as pd
import streamlit as st

from analytics.errors import AccessDenied
from analytics.goals import mentees_goals_behind
from analytics.instruments import MENTEE_SELF, PROCESS_STEPS
from analytics.mentor_glance import mentee_glance
from analytics.program_settings import own_instruments
from charts.ratings import gap_bars, ratings_over_time, views_over_time
from charts.style import Palette
from ui.charts import cached_figure, chart_with_table
from ui.data import active_pairs, cached_read, rating_history, views
from ui.goals import details, goal_history, goal_labels, goals_of, progress, summary, timeline
from ui.outputs import cumulative_outputs, outputs_of, outputs_over_time, outputs_table
from ui.process_steps import steps_over_time
from ui.report import mentee_report_label, report_download
from ui.resources import today
from ui.tables import show_table
from ui.text import as_text
from ui.viewer import require_viewer

resources, viewer = require_viewer("mentor")
catalogue = own_instruments(resources.catalogue, viewer.program_id)  # another program's imports are not this one's
day = today(resources.settings)

st.title("My mentees")
glance = cached_read(resources, mentee_glance, viewer, day)
if glance.empty:
    st.info("You have no current mentees.")
    st.stop()


def direction(change) -> str:
    if change != change or change is None:  # NaN: fewer than two shared periods
        return ""
    return "rising" if change > 0.1 else "falling" if change < -0.1 else "steady"


behind = cached_read(resources, mentees_goals_behind, viewer, day)
behind_counts = behind.groupby("mentee_id").size().to_dict() if not behind.empty else {}
table = glance.assign(
    trend=[direction(c) for c in glance["self_change"]],
    shares=["yes" if s else "not shared" for s in glance["shares_self_assessments"]],
    my_rating=["due" if due else "done" for due in glance["my_rating_due"]],
    goals_behind=[
        behind_counts.get(mentee, 0) if shares else None
        for mentee, shares in zip(glance["mentee_id"], glance["shares_goals"], strict=True)
    ],
)[
    [
        "mentee",
        "cohort",
        "domains",
        "shares",
        "self_latest",
        "trend",
        "goals_behind",
        "last_meeting",
        "my_latest_rating",
        "my_rating",
    ]
]
show_table(
    table,
    key="mentees-glance",
    file_name="my-mentees.csv",
    column_config={
        "self_latest": st.column_config.NumberColumn("Self-rating (latest average)", format="%.1f"),
        "my_latest_rating": st.column_config.NumberColumn("My rating of them (latest)", format="%.1f"),
        "my_rating": "My rating this period",
        "shares": "Shares self-assessments",
        "goals_behind": st.column_config.NumberColumn("Goals behind target", help="Empty where goals are not shared with you"),
        "last_meeting": st.column_config.DateColumn("Last meeting", format="D MMM YYYY"),
    },
    not_yet=["last_meeting", "my_latest_rating"],
)

names = dict(zip(glance["mentee_id"].astype(int), glance["mentee"], strict=True))
mentee_id = st.selectbox("Open a mentee", list(names), format_func=names.get, key="open-mentee")
name = names[mentee_id]
shown = as_text(name)
palette = Palette()  # the mentee's self-view and each mentor's view in one colour on every chart of the mentee


def shared(read: Callable[[], pd.DataFrame], kind: str, first_time: str) -> pd.DataFrame | None:
    """`read()`, or None after one sentence saying the mentee does not share this kind of record or has none yet."""
    try:
        frame = read()
    except AccessDenied:
        st.info(f"{shown} does not share their {kind} with you.")
        return None
    if frame.empty:
        st.info(f"{shown} has not {first_time} yet.")
        return None
    return frame


st.caption(f"What {shown} shares with you, and what the two of you record together, over time.")
report_download(resources, viewer, mentee_id, mentee_report_label(name), key=f"mentee-report-{mentee_id}")
st.caption(f"The report holds only what {shown} shares with you, and says what is not shared.")
self_tab, goals_tab, outputs_tab, steps_tab = st.tabs(["Self-assessment", "Goals", "Outputs", "Our process steps"])

with self_tab:
    st.header(f"{shown}: their self-assessment over time")
    history = shared(lambda: rating_history(resources, viewer, mentee_id), "self-assessments", "filled in a self-assessment")
    if history is not None:
        chart_with_table(
            cached_figure(ratings_over_time, history, catalogue.get(MENTEE_SELF), title=f"{name}'s self-assessment over time"),
            history.loc[history["instrument_id"] == MENTEE_SELF, ["period", "quality", "rating"]],  # as the chart
            key="mentee-trend",
            file_name="mentee-self-over-time.csv",
        )

    st.header(f"{shown}: their view and mine")
    two_views = views(resources, viewer, "mentee", mentee_id, day)
    both, gaps = two_views.ratings, two_views.gaps
    instrument = catalogue.get(MENTEE_SELF)
    if both.empty:
        st.info("No ratings yet.")
    else:
        chart_with_table(
            cached_figure(
                views_over_time,
                both,
                instrument,
                "Self-view and my view: average over time",
                slots=palette.slots(both["view"].unique()),
            ),
            both[["period", "view", "quality", "rating"]],
            key="mentee-views",
            file_name="mentee-views.csv",
        )
        chart_with_table(
            cached_figure(
                gap_bars, gaps, instrument, "Latest ratings, largest gap first", slots=palette.slots(both["view"].unique())
            ),
            gaps.drop(columns=["item_id"]),
            key="mentee-gaps",
            file_name="mentee-gaps.csv",
        )

with goals_tab:
    goals = shared(lambda: goals_of(resources, viewer, mentee_id, day), "goals", "set a goal")
    if goals is not None:
        summary(goals)
        timeline(goals, day, title=f"{name}'s goals on one timeline", file_name="mentee-goals.csv")
        labels = goal_labels(goals)
        # A key per mentee: another mentee's goal is never the one opened.
        goal_id = st.selectbox("Open a goal", list(labels), format_func=labels.get, key=f"mentee-goal-{mentee_id}")
        goal = goals[goals["goal_id"] == goal_id].iloc[0]
        details(goal)
        progress(goal_history(resources, viewer, goal_id), goal)

with outputs_tab:
    logged = shared(lambda: outputs_of(resources, viewer, mentee_id), "outputs", "logged an output")
    if logged is not None:
        outputs_over_time(
            cumulative_outputs(resources, viewer, mentee_id, day),
            title=f"{name}'s outputs over time",
            key="mentee-outputs-over-time",
            file_name="mentee-outputs-over-time.csv",
        )
        outputs_table(logged, key="mentee-outputs", file_name="mentee-outputs.csv")

with steps_tab:
    st.caption("A joint record of your pair: you both always see it, whatever else is shared.")
    pairs = active_pairs(resources, viewer, day)
    ours = pairs[(pairs["mentor_id"] == viewer.person_id) & (pairs["mentee_id"] == mentee_id)]
    steps = catalogue.get(PROCESS_STEPS)
    for pair in ours.itertuples():
        if len(ours) > 1:
            st.markdown(f"**Our {as_text(pair.domain)} pair**")
        process = views(resources, viewer, "pair", int(pair.pair_id), day)
        if process.ratings.empty:
            st.info("Neither of you has rated the process steps yet.")
        else:
            steps_over_time(
                process.ratings,
                steps,
                key=f"mentee-steps-{pair.pair_id}",
                file_name="our-process-steps.csv",
                palette=palette,
                by_period=process.steps,
            )
