"""Goal progress of a program with many cohorts: every cohort at a glance, a few of them in detail.

One bar panel per cohort and category reads well for a handful of cohorts; a large program has sixty
(1,500 fellows), which made a figure of a thousand traces, too tall to read and a megabyte to send on
every rerun. Over DRAWN_AT_MOST cohorts the page shows instead an overview of them all (a heatmap per
category, coloured by the share of goals in one state) and draws in detail the cohorts a director
chooses, at first those with the largest share of goals behind. Every number is the table's own, as
suppressed there: nothing here adds cohorts up.
"""

import pandas as pd
import streamlit as st

from charts import program as figures
from charts.style import natural_key
from ui.charts import cached_figure, chart_with_table

DRAWN_AT_MOST = 6
STATES = {column: name for column, name, _colour, _pattern in figures.GOAL_STATES}


def most_behind(progress: pd.DataFrame, count: int) -> list[str]:
    """The `count` cohorts whose goals were most behind in their latest period shown (the share of the
    goals shown then, over every category shown), then the others by name; a cohort never shown comes last."""
    shown = progress[~progress["suppressed"].astype(bool) & progress["goals"].notna()]
    shown = shown[shown["period_start"] == shown.groupby("cohort")["period_start"].transform("max")]
    goals = pd.to_numeric(shown["goals"])
    behind = (pd.to_numeric(shown["share_behind"]) * goals).groupby(shown["cohort"]).sum() / goals.groupby(shown["cohort"]).sum()
    ranked = sorted(progress["cohort"].unique(), key=lambda cohort: (-behind.get(cohort, -1.0), natural_key(cohort)))
    return [str(cohort) for cohort in ranked[:count]]


def drawn_cohorts(progress: pd.DataFrame, minimum: int, labels: dict) -> list[str] | None:
    """With more than DRAWN_AT_MOST cohorts: the overview of them all, then the choice of which to draw in
    detail (returned); None when there are few enough to draw every one."""
    cohorts = sorted((str(cohort) for cohort in progress["cohort"].unique()), key=natural_key)
    if len(cohorts) <= DRAWN_AT_MOST:
        return None
    state = st.radio(
        "Colour the overview by",
        list(STATES),
        index=list(STATES).index("share_behind"),
        format_func=STATES.__getitem__,
        horizontal=True,
        key="dash_goal_state",
    )
    chart_with_table(
        cached_figure(figures.goal_progress_overview_chart, progress, minimum, labels, state),
        progress,
        key="dash-goal-overview",
        file_name="goal-progress.csv",
    )
    st.caption(
        f"Every cohort: a row each, a column per period. A cross is a hidden snapshot; a blank, a period in "
        f"which the cohort had no goals. Below, up to {DRAWN_AT_MOST} cohorts in detail: at first the ones "
        "with the largest share of goals behind in their latest period shown."
    )
    chosen = st.multiselect(
        f"Cohorts drawn in detail (up to {DRAWN_AT_MOST})",
        cohorts,
        default=most_behind(progress, DRAWN_AT_MOST),
        max_selections=DRAWN_AT_MOST,
        key="dash_goal_cohorts",
    )
    return [str(cohort) for cohort in chosen]
