"""My mentees: every current mentee at a glance, and one mentee in full, within what they share."""

import streamlit as st

from analytics.errors import AccessDenied
from analytics.feedback import SELF_VIEW, latest_gaps
from analytics.goals import mentees_goals_behind
from analytics.instruments import MENTEE_SELF
from analytics.mentor_glance import mentee_glance
from charts.ratings import gap_bars, ratings_over_time, views_over_time
from ui.charts import cached_figure, chart_with_table
from ui.data import cached_read, rating_history, views
from ui.resources import today
from ui.tables import show_table
from ui.text import as_text
from ui.viewer import require_viewer

resources, viewer = require_viewer("mentor")
catalogue = resources.catalogue

st.title("My mentees")
glance = cached_read(resources, mentee_glance, viewer, today(resources.settings))
if glance.empty:
    st.info("You have no current mentees.")
    st.stop()


def direction(change) -> str:
    if change != change or change is None:  # NaN: fewer than two shared periods
        return ""
    return "rising" if change > 0.1 else "falling" if change < -0.1 else "steady"


behind = cached_read(resources, mentees_goals_behind, viewer, today(resources.settings))
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
)

names = dict(zip(glance["mentee_id"].astype(int), glance["mentee"], strict=True))
mentee_id = st.selectbox("Open a mentee", list(names), format_func=names.get, key="open-mentee")
name = names[mentee_id]

st.subheader(f"{as_text(name)}: their self-assessment over time")
try:
    history = rating_history(resources, viewer, mentee_id)
except AccessDenied:
    st.info(f"{as_text(name)} does not share their self-assessments with you.")
else:
    if history.empty:
        st.info(f"{as_text(name)} has not filled in a self-assessment yet.")
    else:
        instrument = catalogue.get(MENTEE_SELF)
        chart_with_table(
            cached_figure(ratings_over_time, history, instrument, title=f"{name}'s self-assessment over time"),
            history[["period", "quality", "rating"]],
            key="mentee-trend",
            file_name="mentee-self-over-time.csv",
        )

st.subheader(f"{as_text(name)}: their view and mine")
both = views(resources, viewer, "mentee", mentee_id, today(resources.settings))
instrument = catalogue.get(MENTEE_SELF)
if both.empty:
    st.info("No ratings yet.")
else:
    gaps = latest_gaps(both, SELF_VIEW)
    chart_with_table(
        cached_figure(views_over_time, both, instrument, "Self-view and my view: average over time"),
        both[["period", "view", "quality", "rating"]],
        key="mentee-views",
        file_name="mentee-views.csv",
    )
    chart_with_table(
        cached_figure(gap_bars, gaps, instrument, "Latest ratings, largest gap first"),
        gaps.drop(columns=["item_id"]),
        key="mentee-gaps",
        file_name="mentee-gaps.csv",
    )
