"""The director's dashboard: program aggregates, each saying in its title when some cells are hidden."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analytics.instruments import Instrument
from charts.style import (
    INK,
    LAYOUT,
    MUTED,
    PALETTE,
    escape_every_builder,
    likert_colours,
    natural_key,
    scale_axis,
    slot_bar,
    slot_line,
    slot_marker,
    slots_of,
    wrapped_ticks,
)


def _hidden_suffix(table: pd.DataFrame, min_size: int, counted: str = "people") -> str:
    if "suppressed" in table and bool(table["suppressed"].fillna(False).astype(bool).any()):
        return f" (some cells hidden: fewer than {min_size} {counted})"
    return ""


def _numbers(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce")


# A hidden cell is drawn, never left out: a bar of light grey crossed with a pattern and labelled
# "hidden", as tall as the axis allows, so it cannot be read as a true 0.
HIDDEN_COLOUR = "rgba(200,200,200,0.45)"
HIDDEN_PATTERN = dict(shape="x", fgcolor=MUTED, size=8, solidity=0.2)
HIDDEN_TEXT = "hidden"


# Figures of several panels: room between the figure's title and the panels' own titles.
_PANELLED = LAYOUT | dict(margin=dict(l=10, r=10, t=90, b=10))


def _flags(table: pd.DataFrame, column: str = "suppressed") -> pd.Series:
    if column not in table:
        return pd.Series(False, index=table.index)
    return table[column].astype("boolean").fillna(False).astype(bool)


def _hidden_bars(positions, hidden: pd.Series, top: float, why: str, **trace) -> go.Bar:
    """The hidden cells of a bar series, drawn in the series' own slot (give the same `offsetgroup`):
    crossed grey bars as tall as `top`, labelled "hidden", with a hover saying why. `positions` are
    the series' categories (y for horizontal bars: pass orientation="h")."""
    chosen = [p for p, h in zip(positions, hidden, strict=True) if h]
    heights = [top] * len(chosen)
    horizontal = trace.get("orientation") == "h"
    axes = dict(y=chosen, x=heights) if horizontal else dict(x=chosen, y=heights)
    where = "%{y}" if horizontal else "%{x}"
    return go.Bar(
        **axes,
        marker=dict(color=HIDDEN_COLOUR, pattern=HIDDEN_PATTERN, line=dict(color=MUTED, width=1)),
        text=[HIDDEN_TEXT] * len(chosen),
        textposition="inside",
        insidetextanchor="middle",
        textfont=dict(color=INK),
        hovertemplate=where + f": hidden ({why})<extra></extra>",
        showlegend=False,
        legendgroup="hidden",
        **trace,
    )


def _shown(values: pd.Series, hidden: pd.Series) -> list:
    """The values of a series with its hidden cells left out (they are drawn by `_hidden_bars`)."""
    return [None if h or pd.isna(v) else float(v) for v, h in zip(values, hidden, strict=True)]


def _hidden_legend(name: str, showlegend: bool = True) -> go.Bar:
    """A legend entry for the hidden cells (a trace with no points)."""
    return go.Bar(
        x=[None],
        y=[None],
        name=name,
        legendgroup="hidden",
        showlegend=showlegend,
        marker=dict(color=HIDDEN_COLOUR, pattern=HIDDEN_PATTERN, line=dict(color=MUTED, width=1)),
        hoverinfo="skip",
    )


def likert_bars(distribution: pd.DataFrame, instrument: Instrument, min_size: int, title: str | None = None) -> go.Figure:
    """Stacked Likert bars, one horizontal bar per item: the share of people at each scale point.

    `distribution` is one period of analytics.dashboard_aggregates.rating_distribution; suppressed items show
    an empty bar with a hover saying why.
    """
    rows = distribution.sort_values("item_id")
    order = {row: position for position, row in enumerate(instrument.row_order())}
    rows = rows.sort_values("item_id", key=lambda ids: ids.map(lambda i: order.get(i, len(order))), kind="stable")
    labels = [instrument.row_label(i) for i in rows["item_id"]]
    totals = sum(_numbers(rows[f"rating_{p.value}"]).fillna(0) for p in instrument.scale if f"rating_{p.value}" in rows)
    figure = go.Figure()
    colours = likert_colours(len(instrument.scale))
    for index, point in enumerate(instrument.scale):
        column = f"rating_{point.value}"
        if column not in rows:
            continue
        share = (100 * _numbers(rows[column]) / totals.where(totals > 0)).round(1)
        figure.add_trace(
            go.Bar(
                y=labels,
                x=share,
                name=f"{point.value} {point.label}",
                orientation="h",
                marker=dict(color=colours[index], line=dict(color=INK, width=0.5)),
                hovertemplate="%{y}: %{x}%<extra>" + point.label + "</extra>",
            )
        )
    hidden = rows["suppressed"].fillna(False).astype(bool) if "suppressed" in rows else pd.Series(False, index=rows.index)
    if hidden.any():
        figure.add_trace(
            go.Bar(
                y=[label for label, h in zip(labels, hidden, strict=True) if h],
                x=[100] * int(hidden.sum()),
                name=f"Hidden: fewer than {min_size} people",
                orientation="h",
                marker=dict(color="rgba(0,0,0,0)", line=dict(color=MUTED, width=1)),
                hovertemplate=f"fewer than {min_size} people<extra></extra>",
            )
        )
    figure.update_layout(
        title=(title or f"{instrument.title}: distribution of ratings") + _hidden_suffix(rows, min_size),
        barmode="stack",
        xaxis=dict(title="% of people", range=[0, 100]),
        yaxis=dict(title=None, autorange="reversed", **wrapped_ticks(labels)),
        height=max(320, 40 * len(rows) + 140),
        **LAYOUT,
    )
    return figure


def program_heatmap(heatmap: pd.DataFrame, instrument: Instrument, min_size: int, period_labels: dict | None = None) -> go.Figure:
    """Items x periods, the mean per cell; suppressed cells are blank with a hover saying why."""
    table = heatmap.copy()
    table["mean"] = _numbers(table["mean"])
    periods = sorted(table["period_start"].unique())
    items = [row for row in instrument.row_order() if row in set(table["item_id"])] or sorted(table["item_id"].unique())
    grid = table.pivot_table(index="item_id", columns="period_start", values="mean", aggfunc="first", dropna=False)
    grid = grid.reindex(index=items, columns=periods)
    hidden = table.pivot_table(index="item_id", columns="period_start", values="suppressed", aggfunc="first", dropna=False)
    hidden = hidden.reindex(index=items, columns=periods)
    hover = [
        [
            f"fewer than {min_size} people" if bool(hidden.iloc[r, c]) is True else f"mean {grid.iloc[r, c]}"
            for c in range(len(periods))
        ]
        for r in range(len(items))
    ]
    x = [(period_labels or {}).get(p, str(p)) for p in periods]
    y = [instrument.row_label(i) for i in items]
    figure = go.Figure(
        go.Heatmap(
            z=grid.values,
            x=x,
            y=y,
            text=hover,
            hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>",
            colorscale="Cividis",
            zmin=instrument.min_rating,
            zmax=instrument.max_rating,
            hoverongaps=True,
            colorbar=dict(title="Mean"),
        )
    )
    # A hidden cell is a gap, which a dark end of the scale on a dark background would look like: mark it.
    hidden_cells = [(x[c], y[r]) for r in range(len(items)) for c in range(len(periods)) if bool(hidden.iloc[r, c]) is True]
    if hidden_cells:
        figure.add_trace(
            go.Scatter(
                x=[cell[0] for cell in hidden_cells],
                y=[cell[1] for cell in hidden_cells],
                mode="markers",
                marker=dict(symbol="x-thin-open", size=12, color=INK, line=dict(width=2)),
                name=f"Hidden: fewer than {min_size} people",
                legendgroup="hidden",
                hovertemplate="%{y}<br>%{x}: hidden (fewer than " + str(min_size) + " people)<extra></extra>",
            )
        )
    figure.update_layout(
        title=f"{instrument.title}: mean per item and period" + _hidden_suffix(table, min_size),
        xaxis=dict(type="category", title=None),
        yaxis=dict(title=None, autorange="reversed", **wrapped_ticks(y)),
        height=max(360, 34 * len(items) + 140),
        **LAYOUT,
    )
    return figure


def cohort_trend_chart(
    trend: pd.DataFrame,
    instrument: Instrument,
    min_size: int,
    period_labels: dict | None = None,
    slots: dict[str, int] | None = None,
) -> go.Figure:
    """The cohort mean per period with its spread (sd across people) as error bars; gaps where hidden."""
    figure = go.Figure()
    slots = slots_of(trend["cohort"].unique(), slots)
    for cohort, group in trend.sort_values("period_start").groupby("cohort", sort=True):
        index = slots[str(cohort)]
        figure.add_trace(
            go.Scatter(
                x=[(period_labels or {}).get(p, str(p)) for p in group["period_start"]],
                y=_numbers(group["mean"]),
                error_y=dict(type="data", array=_numbers(group["sd"]).fillna(0), visible=True),
                name=str(cohort),
                mode="lines+markers",
                connectgaps=False,
                line=slot_line(index),
                marker=slot_marker(index, size=9),
            )
        )
    figure.update_layout(
        title=f"{instrument.title}: cohort mean over time" + _hidden_suffix(trend, min_size),
        yaxis=scale_axis(instrument),
        xaxis=dict(type="category", title=None),
        height=420,
        **LAYOUT,
    )
    return figure


def self_vs_mentor_chart(
    frame: pd.DataFrame, instrument: Instrument, min_size: int, slots: dict[str, int] | None = None
) -> go.Figure:
    """A dumbbell per quality: fellows' self-ratings against mentors' ratings (program means)."""
    labels = [instrument.item(i).text if any(it.id == i for it in instrument.items) else i for i in frame["item_id"]]
    figure = go.Figure()
    for label, low, high in zip(labels, _numbers(frame["self_mean"]), _numbers(frame["mentor_mean"]), strict=True):
        if pd.notna(low) and pd.notna(high):
            figure.add_trace(
                go.Scatter(x=[low, high], y=[label, label], mode="lines", line=dict(color=MUTED, width=3), showlegend=False)
            )
    sides = (("self_mean", "Fellows (self)"), ("mentor_mean", "Mentors"))
    slots = slots_of([name for _, name in sides], slots)
    for column, name in sides:
        index = slots[name]
        figure.add_trace(
            go.Scatter(
                x=_numbers(frame[column]),
                y=labels,
                mode="markers",
                name=name,
                marker=slot_marker(index, size=12),
            )
        )
    figure.update_layout(
        title="Self-ratings and mentors' ratings, per quality" + _hidden_suffix(frame, min_size),
        xaxis=scale_axis(instrument),
        yaxis=dict(title=None, autorange="reversed", **wrapped_ticks(labels)),
        height=max(360, 40 * len(frame) + 140),
        **LAYOUT,
    )
    return figure


def process_gap_chart(
    frame: pd.DataFrame, instrument: Instrument, min_size: int, slots: dict[str, int] | None = None
) -> go.Figure:
    """The process steps, lowest first: grouped bars as mentees and as mentors see them; a hidden side
    is a crossed grey bar labelled "hidden"."""
    labels = list(frame["step"])
    figure = go.Figure()
    any_hidden = False
    sides = (("mentee", "Mentees"), ("mentor", "Mentors"))
    slots = slots_of([name for _, name in sides], slots)
    for side, name in sides:
        index = slots[name]
        means = _numbers(frame[f"{side}_mean"])
        hidden = _flags(frame, f"{side}_suppressed") & means.isna()
        figure.add_trace(
            go.Bar(
                y=labels,
                x=_shown(means, hidden),
                name=name,
                orientation="h",
                offsetgroup=side,
                marker=slot_bar(index),
                hovertemplate="%{y}<br>" + name + ": %{x}<extra></extra>",
            )
        )
        if hidden.any():
            any_hidden = True
            why = f"{name.lower()}: fewer than {min_size} people"
            figure.add_trace(
                _hidden_bars(labels, hidden, instrument.max_rating, why, orientation="h", offsetgroup=side, name=name)
            )
    if any_hidden:
        figure.add_trace(_hidden_legend(f"Hidden: fewer than {min_size} people"))
    figure.update_layout(
        title="Process steps as mentees and mentors see them, lowest first" + _hidden_suffix(frame, min_size),
        barmode="group",
        xaxis=scale_axis(instrument),
        yaxis=dict(title=None, autorange="reversed", **wrapped_ticks(labels)),
        height=max(360, 60 * len(frame) + 140),
        **LAYOUT,
    )
    return figure


def process_step_trend_chart(
    frame: pd.DataFrame, instrument: Instrument, min_size: int, period_labels: dict | None = None
) -> go.Figure:
    """Each process step's mean by period, a line per step, as mentees (left) and as mentors (right)
    see them (analytics.dashboard_aggregates.process_step_trend). A hidden mean is a gap in its line,
    marked with an open grey marker saying "hidden" on hover."""
    figure = make_subplots(rows=1, cols=2, shared_yaxes=True, subplot_titles=("As mentees see them", "As mentors see them"))
    periods = sorted(frame["period_start"].unique())
    x = [(period_labels or {}).get(p, str(p)) for p in periods]
    steps = [item.id for item in instrument.items if item.id in set(frame["item_id"])] or sorted(frame["item_id"].unique())
    hidden_legend = False
    for column, side in enumerate(("mentee", "mentor"), start=1):
        part = frame[frame["side"] == side]
        for index, step in enumerate(steps):
            rows = part[part["item_id"] == step].drop_duplicates("period_start").set_index("period_start").reindex(periods)
            means = _numbers(rows["mean"])
            name = instrument.item(step).text if any(it.id == step for it in instrument.items) else step
            figure.add_trace(
                go.Scatter(
                    x=x,
                    y=means,
                    name=name,
                    legendgroup=step,
                    showlegend=column == 1,
                    mode="lines+markers",
                    connectgaps=False,
                    line=slot_line(index, width=2),
                    marker=slot_marker(index, size=8),
                    hovertemplate="%{x}: %{y}<extra>" + name + "</extra>",
                ),
                row=1,
                col=column,
            )
        hidden_at = [(period_labels or {}).get(p, str(p)) for p in sorted(set(part.loc[_flags(part), "period_start"]))]
        if hidden_at:
            figure.add_trace(
                go.Scatter(
                    x=hidden_at,
                    y=[instrument.min_rating] * len(hidden_at),
                    mode="markers+text",
                    text=[HIDDEN_TEXT] * len(hidden_at),
                    textposition="top center",
                    textfont=dict(color=INK),
                    marker=dict(symbol="x-thin-open", size=10, color=INK, line=dict(width=2)),
                    name=f"Hidden: fewer than {min_size} people",
                    legendgroup="hidden",
                    showlegend=not hidden_legend,
                    hovertemplate="%{x}: some steps hidden (fewer than " + str(min_size) + " people)<extra></extra>",
                ),
                row=1,
                col=column,
            )
            hidden_legend = True
    axis = scale_axis(instrument)
    figure.update_yaxes(**axis)
    figure.update_yaxes(ticktext=[f"{point.value}" for point in instrument.scale], col=2)
    figure.update_xaxes(type="category", title=None)
    figure.update_layout(
        title="Process steps over time, mean per period" + _hidden_suffix(frame, min_size),
        height=460,
        **_PANELLED,
    )
    return figure


def _completion_bars(
    frame: pd.DataFrame,
    series: str,
    title: str,
    min_size: int,
    period_labels: dict | None,
    *,
    sort: bool,
    slots: dict[str, int] | None = None,
) -> go.Figure:
    """Completion rate per period, one bar per value of column `series`; hidden rates leave a gap."""
    figure = go.Figure()
    groups = list(frame.sort_values("period_start").groupby(series, sort=sort))
    slots = slots_of([name for name, _ in groups], slots) if slots is not None else {str(n): i for i, (n, _) in enumerate(groups)}
    for name, group in groups:
        index = slots[str(name)]
        figure.add_trace(
            go.Bar(
                x=[(period_labels or {}).get(p, str(p)) for p in group["period_start"]],
                y=(100 * _numbers(group["completion_rate"])).round(1),
                name=str(name),
                marker=slot_bar(index),
                hovertemplate="%{x}: %{y}%<extra>" + str(name) + "</extra>",
            )
        )
    figure.update_layout(
        title=title + _hidden_suffix(frame, min_size),
        barmode="group",
        yaxis=dict(title="%", range=[0, 100]),
        xaxis=dict(type="category", title=None),
        height=420,
        **LAYOUT,
    )
    return figure


def participation_chart(
    frame: pd.DataFrame, min_size: int, period_labels: dict | None = None, slots: dict[str, int] | None = None
) -> go.Figure:
    """Completion rate per period, grouped by cohort (and mentors); hidden rates leave a gap."""
    title = "Self-assessments completed, % of active people"
    return _completion_bars(
        frame, "cohort", title, min_size, period_labels, sort=True, slots=slots_of(frame["cohort"].unique(), slots)
    )


def goal_completion_chart(frame: pd.DataFrame, min_size: int, slots: dict[str, int] | None = None) -> go.Figure:
    """Completed and on-track shares per goal category, one bar group per cohort; a hidden cohort's
    bars are crossed grey bars labelled "hidden"."""
    figure = go.Figure()
    any_hidden = False
    slots = slots_of(frame["cohort"].unique(), slots)
    for cohort, group in frame.groupby("cohort", sort=True):
        index = slots[str(cohort)]
        hidden = _flags(group) & _numbers(group["completed_share"]).isna()
        for column, what, pattern in (("on_track_share", "on track", ""), ("completed_share", "completed", "/")):
            slot = f"{cohort}: {what}"
            figure.add_trace(
                go.Bar(
                    x=group["category"],
                    y=(shown := _shown((100 * _numbers(group[column])).round(1), hidden)),
                    text=["" if v is None else f"{v:.0f}%" for v in shown],
                    textposition="outside",
                    name=slot,
                    offsetgroup=slot,
                    marker=dict(color=PALETTE[index % len(PALETTE)], pattern_shape=pattern, line=dict(color=INK, width=0.5)),
                    hovertemplate="%{x}: %{y}%<extra>" + slot + "</extra>",
                )
            )
            if hidden.any():
                any_hidden = True
                why = f"{slot}: fewer than {min_size} people, or too few changed"
                figure.add_trace(
                    _hidden_bars(list(group["category"]), hidden, 100, why, offsetgroup=slot, textangle=-90, name=slot)
                )
    if any_hidden:
        figure.add_trace(_hidden_legend(f"Hidden: fewer than {min_size} people, or too few changed"))
    figure.update_layout(
        title="Goals: on-track and completed share by category" + _hidden_suffix(frame, min_size),
        barmode="group",
        yaxis=dict(title="%", range=[0, 110], tickvals=[0, 20, 40, 60, 80, 100]),
        xaxis=dict(title=None),
        height=420,
        **LAYOUT,
    )
    return figure


GOAL_STATES = (  # column, name, colour, pattern: the stack of a goal progress bar, bottom up
    ("share_completed", "Completed", PALETTE[4], "/"),
    ("share_on_track", "Active, on track", PALETTE[0], ""),
    ("share_behind", "Active, behind", PALETTE[1], "."),
    ("share_other", "Paused or dropped", PALETTE[2], "-"),
)


def _goal_grid(frame: pd.DataFrame) -> tuple[list, list, list]:
    periods = sorted(frame["period_start"].unique())
    cohorts = sorted(frame["cohort"].unique(), key=natural_key)  # "(group 2)" before "(group 10)"
    categories = sorted(frame["category"].unique())
    return periods, cohorts, categories


def program_goal_progress_chart(frame: pd.DataFrame, min_size: int, period_labels: dict | None = None) -> go.Figure:
    """Goal progress over time (analytics.dashboard_aggregates.goal_progress): one panel per cohort
    (rows) and goal category (columns), a bar per period stacking the shares of goals completed, on
    track, behind and paused or dropped; a hidden snapshot is a full crossed grey bar labelled "hidden"."""
    periods, cohorts, categories = _goal_grid(frame)
    rows, cols = max(len(cohorts), 1), max(len(categories), 1)
    figure = make_subplots(
        rows=rows,
        cols=cols,
        shared_xaxes=True,
        shared_yaxes=True,
        column_titles=[str(c).capitalize() for c in categories] or None,
        row_titles=[str(c) for c in cohorts] or None,
        horizontal_spacing=0.02,
        vertical_spacing=min(0.06, 0.5 / rows),  # a large program has dozens of cohorts: plotly needs <= 1 / (rows - 1)
    )
    x_all = [(period_labels or {}).get(p, str(p)) for p in periods]
    any_hidden = False
    for r, cohort in enumerate(cohorts, start=1):
        for c, category in enumerate(categories, start=1):
            cell = frame[(frame["cohort"] == cohort) & (frame["category"] == category)].sort_values("period_start")
            x = [(period_labels or {}).get(p, str(p)) for p in cell["period_start"]]
            hidden = _flags(cell) & _numbers(cell["goals"]).isna()
            first = r == 1 and c == 1
            for column, name, colour, pattern in GOAL_STATES:
                figure.add_trace(
                    go.Bar(
                        x=x,
                        y=(100 * _numbers(cell[column])).round(1),
                        name=name,
                        legendgroup=column,
                        showlegend=first,
                        marker=dict(color=colour, pattern_shape=pattern),
                        customdata=_numbers(cell["goals"]),
                        hovertemplate="%{x}: %{y}% of %{customdata} goals<extra>" + f"{name}, {cohort}, {category}</extra>",
                    ),
                    row=r,
                    col=c,
                )
            if hidden.any():
                any_hidden = True
                why = f"{cohort}, {category}: fewer than {min_size} people, or too few changed"
                figure.add_trace(_hidden_bars(x, hidden, 100, why, textangle=-90, name=f"{cohort}, {category}"), row=r, col=c)
    if any_hidden:
        figure.add_trace(_hidden_legend(f"Hidden: fewer than {min_size} people, or too few changed"))
    figure.update_xaxes(type="category", categoryorder="array", categoryarray=x_all, title=None, tickangle=-45)
    figure.update_yaxes(range=[0, 100], ticksuffix="%", title=None)
    figure.update_layout(
        title="Goal progress over time: share of goals by state, per cohort and category" + _hidden_suffix(frame, min_size),
        barmode="stack",
        bargap=0.15,
        height=max(380, 190 * rows + 190),
        **_PANELLED,
    )
    return figure


def goal_progress_overview_chart(
    frame: pd.DataFrame, min_size: int, period_labels: dict | None = None, state: str = "share_behind"
) -> go.Figure:
    """Goal progress over time for many cohorts at a glance: one heatmap per goal category, a row per
    cohort and a column per period, coloured by the share of the cohort's goals in one `state` (a
    column of GOAL_STATES); a hidden snapshot is an open cross, a period without the cohort's goals
    blank. Sent as numbers (rows and columns by position, labelled on the axes), so sixty cohorts
    over five years are a few tens of kilobytes, not the megabyte of one bar panel each."""
    periods, cohorts, categories = _goal_grid(frame)
    names = {column: name for column, name, _, _ in GOAL_STATES}
    figure = make_subplots(
        rows=1,
        cols=max(len(categories), 1),
        shared_yaxes=True,
        subplot_titles=[str(c).capitalize() for c in categories] or None,
        horizontal_spacing=0.015,
    )
    row_of = {cohort: r for r, cohort in enumerate(cohorts)}
    column_of = {period: c for c, period in enumerate(periods)}
    labels = [(period_labels or {}).get(p, str(p)) for p in periods]
    any_hidden = False
    for c, category in enumerate(categories, start=1):
        cells = frame[frame["category"] == category]
        rows = np.array([row_of[cohort] for cohort in cells["cohort"]], dtype=np.int16)
        columns = np.array([column_of[period] for period in cells["period_start"]], dtype=np.int16)
        share = np.full((len(cohorts), len(periods)), np.nan, dtype=np.float32)
        goals = np.zeros((len(cohorts), len(periods)), dtype=np.int32)
        share[rows, columns] = (100 * _numbers(cells[state])).round(0).to_numpy(dtype=np.float32, na_value=np.nan)
        goals[rows, columns] = _numbers(cells["goals"]).fillna(0).to_numpy(dtype=np.int32)
        figure.add_trace(
            go.Heatmap(
                z=share,
                customdata=goals,
                coloraxis="coloraxis",
                hoverongaps=False,
                hovertemplate=f"%{{z:.0f}}% of %{{customdata}} goals: {names[state].lower()}<extra>{category}</extra>",
                xgap=1,
                ygap=1,
            ),
            row=1,
            col=c,
        )
        hidden = (_flags(cells) & _numbers(cells["goals"]).isna()).to_numpy()
        if hidden.any():
            first_hidden, any_hidden = not any_hidden, True
            figure.add_trace(
                go.Scatter(
                    x=columns[hidden],
                    y=rows[hidden],
                    mode="markers",
                    marker=dict(symbol="x-thin-open", size=7, color=INK, line=dict(width=1.5)),
                    name=f"Hidden: fewer than {min_size} people, or too few changed",
                    legendgroup="hidden",
                    showlegend=first_hidden,
                    hovertemplate=f"hidden (fewer than {min_size} people, or too few changed)<extra>{category}</extra>",
                ),
                row=1,
                col=c,
            )
    # A year's first period labels the axis: sixty columns of "2026 Q3" would overlap.
    firsts = [c for c, period in enumerate(periods) if c == 0 or period.year != periods[c - 1].year]
    figure.update_xaxes(
        tickvals=firsts,
        ticktext=[labels[c] for c in firsts],
        range=[-0.5, len(periods) - 0.5],
        tickangle=-90,
        showgrid=False,
        title=None,
    )
    figure.update_yaxes(
        tickvals=list(range(len(cohorts))),
        ticktext=[str(c) for c in cohorts],
        range=[len(cohorts) - 0.5, -0.5],  # the first cohort on top
        showgrid=False,
        title=None,
    )
    figure.update_layout(
        title=f"Goals {names[state].lower()}: share of each cohort's goals, per period and category"
        + _hidden_suffix(frame, min_size),
        coloraxis=dict(colorscale="Cividis", cmin=0, cmax=100, colorbar=dict(title="%", ticksuffix="%", thickness=12)),
        height=max(360, 14 * len(cohorts) + 200),
        **_PANELLED,
    )
    return figure


def goals_reached_chart(
    frame: pd.DataFrame, min_size: int, period_labels: dict | None = None, slots: dict[str, int] | None = None
) -> go.Figure:
    """Goals reached (completed) per period: one panel per goal category, a bar per cohort and period
    (`reached` of analytics.dashboard_aggregates.goal_progress); a hidden one is a crossed grey bar
    labelled "hidden"."""
    periods, cohorts, categories = _goal_grid(frame)
    figure = make_subplots(
        rows=1,
        cols=max(len(categories), 1),
        shared_yaxes=True,
        subplot_titles=[str(c).capitalize() for c in categories] or None,
        horizontal_spacing=0.02,
    )
    x_all = [(period_labels or {}).get(p, str(p)) for p in periods]
    reached = _numbers(frame["reached"])
    top = max(float(reached.max()) if reached.notna().any() else 0.0, 1.0)
    # Net of goals reopened since, `reached` can fall below 0: the axis shows that bar too.
    bottom = min(float(reached.min()) if reached.notna().any() else 0.0, 0.0)
    any_hidden = False
    slots = slots_of(cohorts, slots)
    for c, category in enumerate(categories, start=1):
        for cohort in cohorts:
            index = slots[str(cohort)]
            cell = frame[(frame["cohort"] == cohort) & (frame["category"] == category)].sort_values("period_start")
            hidden = _flags(cell) & _numbers(cell["reached"]).isna()
            x = [(period_labels or {}).get(p, str(p)) for p in cell["period_start"]]
            figure.add_trace(
                go.Bar(
                    x=x,
                    y=(shown := _shown(_numbers(cell["reached"]), hidden)),
                    text=["" if v is None else f"{v:g}" for v in shown],
                    textposition="outside",
                    name=str(cohort),
                    legendgroup=str(cohort),
                    showlegend=c == 1,
                    offsetgroup=str(index),
                    marker=slot_bar(index),
                    hovertemplate="%{x}: %{y} reached<extra>" + f"{cohort}, {category}</extra>",
                ),
                row=1,
                col=c,
            )
            if hidden.any():
                any_hidden = True
                why = f"{cohort}, {category}: fewer than {min_size} people, or too few changed"
                figure.add_trace(
                    _hidden_bars(x, hidden, top, why, offsetgroup=str(index), textangle=-90, name=str(cohort)), row=1, col=c
                )
    if any_hidden:
        figure.add_trace(_hidden_legend(f"Hidden: fewer than {min_size} people, or too few changed"))
    figure.update_xaxes(type="category", categoryorder="array", categoryarray=x_all, title=None, tickangle=-45)
    figure.update_yaxes(range=[bottom * 1.15, top * 1.15], dtick=max(1, int((top - bottom) // 5)), title=None)
    figure.update_yaxes(title="Goals reached", col=1)
    figure.update_layout(
        title="Goals reached per period, since each group was last shown" + _hidden_suffix(frame, min_size),
        barmode="group",
        height=400,
        **_PANELLED,
    )
    return figure


def program_outputs_chart(frame: pd.DataFrame, min_size: int) -> go.Figure:
    """Running total of the program's published outputs by kind, per period (column `period`)."""
    figure = go.Figure()
    for index, (kind, group) in enumerate(frame.groupby("kind", sort=False)):
        figure.add_trace(
            go.Scatter(
                x=group["period"],
                y=_numbers(group["cumulative"]),
                name=str(kind),
                mode="lines",
                line=slot_line(index) | dict(shape="hv"),
                connectgaps=False,
            )
        )
    figure.update_layout(
        title="Program outputs over time (running total)" + _hidden_suffix(frame, min_size),
        yaxis=dict(title="Outputs", rangemode="tozero"),
        xaxis=dict(type="category", title=None),
        height=420,
        **LAYOUT,
    )
    return figure


def participation_by_instrument_chart(frame: pd.DataFrame, min_size: int, period_labels: dict | None = None) -> go.Figure:
    """Completion rate per period, one bar per instrument (and side); hidden rates leave a gap."""
    named = frame.assign(series=frame["instrument_id"] + " (" + frame["respondent"] + "s)")
    title = "Completed, % of people or pairs expected, per instrument"
    return _completion_bars(named, "series", title, min_size, period_labels, sort=False)


def meeting_frequency_bars(frame: pd.DataFrame, min_size: int) -> go.Figure:
    """The period's pairs by the number of meetings each held in it; a hidden bin is a crossed grey
    bar labelled "hidden"."""
    pairs = _numbers(frame["pairs"])
    hidden = _flags(frame) & pairs.isna()
    bins = list(frame["meetings"].astype(str))
    figure = go.Figure(
        go.Bar(
            x=bins,
            y=_shown(pairs, hidden),
            marker_color=PALETTE[0],
            name="Pairs",
            showlegend=False,
            offsetgroup="pairs",
            hovertemplate="%{x} meetings: %{y} pairs<extra></extra>",
        )
    )
    if hidden.any():
        top = max(float(pairs.max()) if pairs.notna().any() else 0.0, float(min_size))
        why = f"a bin of fewer than {min_size} pairs, with others"
        figure.add_trace(_hidden_bars(bins, hidden, top, why, offsetgroup="pairs", name="Pairs"))
    if hidden.any():
        figure.add_trace(_hidden_legend(f"Hidden: a bin of fewer than {min_size} pairs, with others"))
    figure.update_layout(
        title="Meetings held per pair in the period" + _hidden_suffix(frame, min_size, "pairs"),
        yaxis=dict(title="Pairs", rangemode="tozero"),
        xaxis=dict(type="category", title="Meetings held"),
        height=380,
        **LAYOUT,
    )
    return figure


escape_every_builder(globals())
