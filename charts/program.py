"""The director's dashboard: program aggregates, each saying in its title when some cells are hidden."""

import pandas as pd
import plotly.graph_objects as go

from analytics.instruments import Instrument
from charts.style import LAYOUT, PALETTE, SYMBOLS, escape_every_builder, likert_colours, scale_axis


def _hidden_suffix(table: pd.DataFrame, min_size: int, counted: str = "people") -> str:
    if "suppressed" in table and bool(table["suppressed"].fillna(False).astype(bool).any()):
        return f" (some cells hidden: fewer than {min_size} {counted})"
    return ""


def _numbers(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce")


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
                marker_color=colours[index],
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
                marker=dict(color="rgba(0,0,0,0)", line=dict(color="grey", width=1)),
                hovertemplate=f"fewer than {min_size} people<extra></extra>",
            )
        )
    figure.update_layout(
        title=(title or f"{instrument.title}: distribution of ratings") + _hidden_suffix(rows, min_size),
        barmode="stack",
        xaxis=dict(title="% of people", range=[0, 100]),
        yaxis=dict(title=None, autorange="reversed"),
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
    figure.update_layout(
        title=f"{instrument.title}: mean per item and period" + _hidden_suffix(table, min_size),
        xaxis=dict(type="category", title=None),
        yaxis=dict(title=None, autorange="reversed"),
        height=max(360, 34 * len(items) + 140),
        **LAYOUT,
    )
    return figure


def cohort_trend_chart(
    trend: pd.DataFrame, instrument: Instrument, min_size: int, period_labels: dict | None = None
) -> go.Figure:
    """The cohort mean per period with its spread (sd across people) as error bars; gaps where hidden."""
    figure = go.Figure()
    for index, (cohort, group) in enumerate(trend.sort_values("period_start").groupby("cohort", sort=True)):
        figure.add_trace(
            go.Scatter(
                x=[(period_labels or {}).get(p, str(p)) for p in group["period_start"]],
                y=_numbers(group["mean"]),
                error_y=dict(type="data", array=_numbers(group["sd"]).fillna(0), visible=True),
                name=str(cohort),
                mode="lines+markers",
                connectgaps=False,
                line=dict(color=PALETTE[index % len(PALETTE)]),
                marker=dict(symbol=SYMBOLS[index % len(SYMBOLS)], size=9),
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


def self_vs_mentor_chart(frame: pd.DataFrame, instrument: Instrument, min_size: int) -> go.Figure:
    """A dumbbell per quality: fellows' self-ratings against mentors' ratings (program means)."""
    labels = [instrument.item(i).text if any(it.id == i for it in instrument.items) else i for i in frame["item_id"]]
    figure = go.Figure()
    for label, low, high in zip(labels, _numbers(frame["self_mean"]), _numbers(frame["mentor_mean"]), strict=True):
        if pd.notna(low) and pd.notna(high):
            figure.add_trace(
                go.Scatter(x=[low, high], y=[label, label], mode="lines", line=dict(color="lightgrey", width=3), showlegend=False)
            )
    for index, (column, name) in enumerate((("self_mean", "Fellows (self)"), ("mentor_mean", "Mentors"))):
        figure.add_trace(
            go.Scatter(
                x=_numbers(frame[column]),
                y=labels,
                mode="markers",
                name=name,
                marker=dict(color=PALETTE[index], symbol=SYMBOLS[index], size=12),
            )
        )
    figure.update_layout(
        title="Self-ratings and mentors' ratings, per quality" + _hidden_suffix(frame, min_size),
        xaxis=scale_axis(instrument),
        yaxis=dict(title=None, autorange="reversed"),
        height=max(360, 40 * len(frame) + 140),
        **LAYOUT,
    )
    return figure


def process_gap_chart(frame: pd.DataFrame, instrument: Instrument, min_size: int) -> go.Figure:
    """The process steps, lowest first: grouped bars as mentees and as mentors see them."""
    labels = list(frame["step"])
    figure = go.Figure(
        [
            go.Bar(y=labels, x=_numbers(frame["mentee_mean"]), name="Mentees", orientation="h", marker_color=PALETTE[0]),
            go.Bar(y=labels, x=_numbers(frame["mentor_mean"]), name="Mentors", orientation="h", marker_color=PALETTE[1]),
        ]
    )
    figure.update_layout(
        title="Process steps as mentees and mentors see them, lowest first" + _hidden_suffix(frame, min_size),
        barmode="group",
        xaxis=scale_axis(instrument),
        yaxis=dict(title=None, autorange="reversed"),
        height=max(360, 60 * len(frame) + 140),
        **LAYOUT,
    )
    return figure


def _completion_bars(
    frame: pd.DataFrame, series: str, title: str, min_size: int, period_labels: dict | None, *, sort: bool
) -> go.Figure:
    """Completion rate per period, one bar per value of column `series`; hidden rates leave a gap."""
    figure = go.Figure()
    for index, (name, group) in enumerate(frame.sort_values("period_start").groupby(series, sort=sort)):
        figure.add_trace(
            go.Bar(
                x=[(period_labels or {}).get(p, str(p)) for p in group["period_start"]],
                y=(100 * _numbers(group["completion_rate"])).round(1),
                name=str(name),
                marker=dict(color=PALETTE[index % len(PALETTE)], pattern_shape=["", "/", "x", ".", "-", "+"][index % 6]),
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


def participation_chart(frame: pd.DataFrame, min_size: int, period_labels: dict | None = None) -> go.Figure:
    """Completion rate per period, grouped by cohort (and mentors); hidden rates leave a gap."""
    title = "Self-assessments completed, % of active people"
    return _completion_bars(frame, "cohort", title, min_size, period_labels, sort=True)


def goal_completion_chart(frame: pd.DataFrame, min_size: int) -> go.Figure:
    """Completed and on-track shares per goal category, one bar group per cohort."""
    figure = go.Figure()
    for index, (cohort, group) in enumerate(frame.groupby("cohort", sort=True)):
        figure.add_trace(
            go.Bar(
                x=group["category"],
                y=(100 * _numbers(group["on_track_share"])).round(1),
                name=f"{cohort}: on track",
                marker=dict(color=PALETTE[index % len(PALETTE)]),
            )
        )
        figure.add_trace(
            go.Bar(
                x=group["category"],
                y=(100 * _numbers(group["completed_share"])).round(1),
                name=f"{cohort}: completed",
                marker=dict(color=PALETTE[index % len(PALETTE)], pattern_shape="/"),
            )
        )
    figure.update_layout(
        title="Goals: on-track and completed share by category" + _hidden_suffix(frame, min_size),
        barmode="group",
        yaxis=dict(title="%", range=[0, 100]),
        xaxis=dict(title=None),
        height=420,
        **LAYOUT,
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
                line=dict(shape="hv", color=PALETTE[index % len(PALETTE)]),
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
    """The period's pairs by the number of meetings each held in it; hidden bins leave a gap."""
    figure = go.Figure(
        go.Bar(
            x=frame["meetings"].astype(str),
            y=_numbers(frame["pairs"]),
            marker_color=PALETTE[0],
            hovertemplate="%{x} meetings: %{y} pairs<extra></extra>",
        )
    )
    figure.update_layout(
        title="Meetings held per pair in the period" + _hidden_suffix(frame, min_size, "pairs"),
        yaxis=dict(title="Pairs", rangemode="tozero"),
        xaxis=dict(type="category", title="Meetings held"),
        height=380,
        **LAYOUT,
    )
    return figure


escape_every_builder(globals())
