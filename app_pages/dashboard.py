"""Program dashboard (directors): participation, ratings, two-way gaps, process steps, goals and
outputs across the program. Every number comes suppressed from analytics.dashboard_aggregates: cells of fewer
than the program's minimum group size show no values, and say so."""

import pandas as pd
import streamlit as st

from analytics import dashboard_aggregates, disclosure, pairs
from analytics.exports import to_csv, to_xlsx
from analytics.instruments import MENTEE_SELF, PROCESS_STEPS
from analytics.periods import period_label
from analytics.program_settings import own_instruments
from analytics.reminders import reminder_file_name, reminder_list
from charts import program as figures
from charts.style import Palette
from ui.charts import cached_figure, chart_with_table
from ui.dashboard import dashboard_tables
from ui.data import cached_read, program_settings
from ui.goal_progress import drawn_cohorts
from ui.prepared import prepared_download
from ui.resources import today
from ui.tables import show_table
from ui.text import as_text
from ui.viewer import require_viewer

resources, viewer = require_viewer("director")
day = today(resources.settings)
catalogue = own_instruments(resources.catalogue, viewer.program_id)  # another program's imports are not this one's
settings = program_settings(resources, viewer)
months = settings["period_months"]
minimum = cached_read(resources, disclosure.min_group_size, viewer)

palette = Palette()  # a cohort (or side) keeps its colour and marker on every chart of the page
st.title("Program dashboard")
st.caption(as_text(f"{settings['name']}: aggregates only. {dashboard_aggregates.suppression_rule(minimum)}"))

# ---------------------------------------------------------------- filters (whole cells only)
cohorts = cached_read(resources, dashboard_aggregates.cohorts_of, viewer)
cohort_names = {int(row.cohort_id): f"{row.name} ({row.fellows} fellows)" for row in cohorts.itertuples()}
# Every instrument the program has, its own included; the process steps have a tab of their own.
instruments = {i.id: i for i in catalogue.instruments if i.id != PROCESS_STEPS}
periods = cached_read(resources, dashboard_aggregates.rating_periods, viewer, day)
labels = {p: period_label(p, months) for p in periods}

left, middle, right, far_right = st.columns(4)
chosen_cohorts = left.multiselect(
    "Cohorts", list(cohort_names), default=list(cohort_names), format_func=cohort_names.get, key="dash_cohorts"
)
instrument_ids = list(instruments)
instrument_id = middle.selectbox(
    "Instrument",
    instrument_ids,
    index=instrument_ids.index(MENTEE_SELF) if MENTEE_SELF in instrument_ids else 0,  # fellows' self-view first
    format_func=lambda i: instruments[i].title,
    key="dash_instrument",
)
if periods:
    first_period, last_period = right.select_slider(
        "Periods", options=periods, value=(periods[0], periods[-1]), format_func=labels.get, key="dash_periods"
    )
else:
    first_period = last_period = None
domain_choice = far_right.selectbox(
    "Fellows who have a mentor in",
    ["any", *pairs.MENTOR_DOMAINS],
    format_func=lambda d: "Any domain" if d == "any" else d.capitalize(),
    key="dash_domain",
)
domain = None if domain_choice == "any" else domain_choice
cohort_ids = chosen_cohorts if len(chosen_cohorts) < len(cohort_names) else None
if not chosen_cohorts:
    st.warning("Choose at least one cohort.")
    st.stop()

tables = dashboard_tables(resources, viewer, day, instrument_id, cohort_ids, first_period, last_period, domain)
instrument = instruments[instrument_id]
# Participation runs to today's (open) period, which the period filter (closed periods) does not list.
for table in tables.values():
    for start in table.get("period_start", ()):
        if start is not None and start not in labels:
            labels[start] = period_label(start, months)


def _with_labels(frame, column="period_start"):
    frame = frame.copy()
    if column in frame:
        frame.insert(0, "period", [labels.get(p, str(p)) for p in frame[column]])
    return frame


def _latest_period_panel(
    table: str, build, instrument_id: str, name: str, none_yet: str, caption, sides: tuple[str, ...]
) -> pd.DataFrame | None:
    """A figure of the latest complete period with its table; None (after saying so) when there is no such period."""
    frame = _with_labels(tables[table])
    if frame.empty or frame["period_start"].isna().all():
        st.info(none_yet)
        return None
    st.caption(as_text(caption(frame)))
    figure = cached_figure(build, frame, catalogue.get(instrument_id), minimum, slots=palette.slots(sides))
    chart_with_table(figure, frame, key=f"dash-{name}", file_name=f"{name}.csv")
    return frame


def _scope(table: str) -> None:
    """Say, right at the chart, which of the filters above it the chart follows, and why not the others."""
    st.caption(as_text(dashboard_aggregates.SCOPES[table][1]))


def _note(frame, why: str | None = None) -> None:
    """Say why cells are hidden, in the terms of the figure (filters for ratings, bins, snapshots)."""
    if "suppressed" in frame and frame["suppressed"].any():
        st.info(
            why
            or f"Some cells are hidden: fewer than {minimum} people, or a group this filter would separate from the "
            "rest is smaller than that. Choosing more cohorts or any domain shows more."
        )


# Only the chosen tab runs (`.open`): a rerun builds and sends one tab's charts, not all five tabs' (the
# tables are computed for every tab alike, above). Choosing a tab reruns the page.
participation_tab, ratings_tab, gaps_tab, steps_tab, goals_tab = st.tabs(
    ["Participation", "Ratings", "Self vs mentors", "Process steps", "Goals & outputs"], key="dash_tab", on_change="rerun"
)

if participation_tab.open:
    with participation_tab:
        _scope("participation")
        table = _with_labels(tables["participation"])
        chart_with_table(
            cached_figure(figures.participation_chart, table, minimum, labels, slots=palette.slots(table["cohort"].unique())),
            table,
            key="dash-participation",
            file_name="participation.csv",
        )
        _note(table)
        st.header("Per instrument")
        _scope("participation_by_instrument")
        st.caption("Self instruments: people of the answering role. Pair instruments: pairs whose expected respondent submitted.")
        by_instrument = _with_labels(tables["participation_by_instrument"])
        chart_with_table(
            cached_figure(figures.participation_by_instrument_chart, by_instrument, minimum, labels),
            by_instrument,
            key="dash-participation-instrument",
            file_name="participation-by-instrument.csv",
        )
        _note(by_instrument)
        st.caption("Small cohorts included: the overdue list below names the same people.")
        st.header("Overdue this period")
        _scope("overdue")
        st.caption("No ratings.")
        show_table(tables["overdue"], key="dash-overdue", file_name="overdue.csv")
        st.header("Reminder list")
        prepared_download(
            "Prepare the reminder list (CSV)",
            "Download the reminder list (CSV)",
            lambda: to_csv(reminder_list(resources.store, resources.catalogue, viewer, day)),
            reminder_file_name(day),
            "text/csv",
            key="dash-reminders",
        )
        st.caption(
            "For your own mail merge: name, email, each assessment still to do this period, since when it has been due "
            "and by when. Administration, like the overdue list: no ratings."
        )

if ratings_tab.open:
    with ratings_tab:
        _scope("distribution")
        distribution = _with_labels(tables["distribution"])
        if distribution.empty:
            st.info("No ratings for these filters yet.")
        else:
            shown = sorted(distribution["period_start"].unique())
            published = sorted(distribution.loc[~distribution["suppressed"].astype(bool), "period_start"].unique())
            default = shown.index(published[-1]) if published else len(shown) - 1  # never open on an empty period
            period = st.selectbox("Period for the distribution", shown, index=default, format_func=labels.get, key="dash_likert")
            one = distribution[distribution["period_start"] == period]
            chart_with_table(
                cached_figure(
                    figures.likert_bars, one, instrument, minimum, f"{instrument.title}: ratings in {labels.get(period)}"
                ),
                one,
                key="dash-likert",
                file_name="rating-distribution.csv",
            )
            heatmap = _with_labels(tables["heatmap"])
            chart_with_table(
                cached_figure(figures.program_heatmap, heatmap, instrument, minimum, labels),
                heatmap,
                key="dash-heatmap",
                file_name="item-heatmap.csv",
            )
            trend = _with_labels(tables["cohort_trend"])
            chart_with_table(
                cached_figure(
                    figures.cohort_trend_chart, trend, instrument, minimum, labels, slots=palette.slots(trend["cohort"].unique())
                ),
                trend,
                key="dash-trend",
                file_name="cohort-trend.csv",
            )
            _note(pd.concat([frame[["suppressed"]] for frame in (distribution, heatmap, trend)]))  # the trend's cohorts too


if gaps_tab.open:
    with gaps_tab:
        _scope("self_vs_mentor")
        gaps = _latest_period_panel(
            "self_vs_mentor",
            figures.self_vs_mentor_chart,
            MENTEE_SELF,
            "self-vs-mentor",
            "No complete period with ratings yet.",
            lambda frame: f"Latest complete period: {labels.get(frame['period_start'].iloc[0], '')}.",
            ("Fellows (self)", "Mentors"),
        )
        if gaps is not None:
            _note(gaps)

if steps_tab.open:
    with steps_tab:
        _scope("process_steps")
        steps = _latest_period_panel(
            "process_steps",
            figures.process_gap_chart,
            PROCESS_STEPS,
            "process-steps",
            "No complete period with process-step ratings yet.",
            lambda frame: f"Latest complete period with figures: {frame['period'].iloc[0]}; the whole program.",
            ("Mentees", "Mentors"),
        )
        if steps is not None:
            for row in steps.itertuples():
                st.markdown(f"**{as_text(row.step)}**: from the guidance, \u201c{as_text(row.quote)}\u201d")
            _note(steps)
        st.header("Process steps over time")
        _scope("process_trend")
        step_trend = _with_labels(tables["process_trend"])
        if step_trend.empty:
            st.info("No complete period with process-step ratings yet.")
        else:
            chart_with_table(
                cached_figure(figures.process_step_trend_chart, step_trend, catalogue.get(PROCESS_STEPS), minimum, labels),
                step_trend,
                key="dash-process-trend",
                file_name="process-steps-over-time.csv",
            )
            _note(step_trend, f"Some means are hidden: fewer than {minimum} people rated that step on that side in that period.")

if goals_tab.open:
    with goals_tab:
        goals_hidden = (
            f"Some cohorts' goals are hidden: fewer than {minimum} people, or fewer than {minimum} people's goals "
            "changed since they were last shown."
        )
        st.header("Goal progress over time")
        _scope("goal_progress")
        progress = _with_labels(tables["goal_progress"])
        drawn: list[str] | None = None  # the cohorts drawn in detail; None: every one
        if progress.empty:
            st.info("No complete period with goals yet.")
        else:
            st.caption(
                as_text(
                    "Each bar: a cohort's goals in a category as recorded by the end of the period, by state. A cohort's "
                    f"goals are shown when at least {minimum} people's goals changed since they were last shown (or "
                    "none did), so no one person's progress can be read off two periods; a hidden period's changes are "
                    "counted in the next one shown."
                )
            )
            drawn = drawn_cohorts(progress, minimum, labels)  # None: few enough to draw them all
            detail = progress if drawn is None else progress[progress["cohort"].isin(drawn)]
            if detail.empty:
                st.info("Choose the cohorts to draw in detail.")
            else:
                chart_with_table(
                    cached_figure(figures.program_goal_progress_chart, detail, minimum, labels),
                    progress,
                    key="dash-goal-progress",
                    file_name="goal-progress.csv",
                )
                st.caption("Goals reached: goals completed since the cohort's goals in that category were last shown.")
                chart_with_table(
                    cached_figure(
                        figures.goals_reached_chart, detail, minimum, labels, slots=palette.slots(detail["cohort"].unique())
                    ),
                    progress,
                    key="dash-goals-reached",
                    file_name="goals-reached.csv",
                )
            _note(progress, goals_hidden)
        st.header("Goals in the latest period")
        _scope("goals")
        goals = _with_labels(tables["goals"])
        if len(goals):
            st.caption(as_text(f"Goals as recorded by the end of {labels.get(goals['period_start'].iloc[0], '')}, per cohort."))
        drawn_goals = goals if drawn is None else goals[goals["cohort"].isin(drawn)]
        if drawn is not None:
            st.caption("The cohorts drawn in detail above; the table holds every cohort.")
        chart_with_table(
            cached_figure(
                figures.goal_completion_chart, drawn_goals, minimum, slots=palette.slots(drawn_goals["cohort"].unique())
            ),
            goals,
            key="dash-goals",
            file_name="goal-completion.csv",
        )
        _note(goals, goals_hidden)
        st.header("Meetings")
        _scope("meeting_frequency")
        meetings = _with_labels(tables["meeting_frequency"])
        if len(meetings):
            st.caption(as_text(f"Meetings each pair held in {meetings['period'].iloc[0]}, over the pairs current then."))
        chart_with_table(
            cached_figure(figures.meeting_frequency_bars, meetings, minimum),
            meetings,
            key="dash-meetings",
            file_name="meeting-frequency.csv",
        )
        _note(
            meetings,
            f"Some bins are hidden: one of fewer than {minimum} pairs, the empty bins beside it, and enough others that "
            f"the hidden bins hold at least {minimum} pairs together (the bins add up to the period's pairs).",
        )
        st.header("Outputs")
        _scope("outputs")
        outputs = _with_labels(tables["outputs"])
        st.caption(
            "Counted in the period they were logged; a period where fewer than "
            f"{minimum} people logged a kind is hidden and left out of the running total."
        )
        chart_with_table(
            cached_figure(figures.program_outputs_chart, outputs, minimum),
            outputs,
            key="dash-outputs",
            file_name="outputs.csv",
        )

st.header("Export")
about = {
    "Program": settings["name"],
    "Exported on": day.isoformat(),
    "Cohorts": ", ".join(str(cohorts.set_index("cohort_id").loc[c, "name"]) for c in chosen_cohorts)
    if cohort_ids is not None
    else "All cohorts",
    "Instrument (ratings)": instrument.title,
    "Periods": f"{labels.get(first_period)} to {labels.get(last_period)}" if periods else "No complete period yet",
    "Fellows who have a mentor in": "Any domain" if domain is None else domain.capitalize(),
    "Suppression rule": dashboard_aggregates.suppression_rule(minimum),
}
# Made when the button is clicked, from the tables shown: building it on every run after a write took
# seconds on a large program (the workbook of every table), longer than the tables themselves.
st.download_button(
    "Download all tables (Excel)",
    lambda: to_xlsx(dashboard_aggregates.export_sheets(tables, resources.catalogue, instrument_id, months, about)),
    file_name="program-dashboard.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="dash-xlsx",
)
st.caption("Charts: the camera icon on each chart saves it as a PNG in the browser.")
