"""Figure builders: DataFrame in, plotly Figure out. Pure, so tests need no browser.

Built with plotly.graph_objects: plotly express costs about 17 ms a figure, which a dashboard
would pay on every rerun (STYLE.md).

Plotly reads a few HTML tags in any text it draws (`<a href>` becomes a link, `<b>` bold), and names,
cohorts, titles and notes are people's typed text. So every public builder (a function returning a
go.Figure) receives its arguments with every string in them escaped (`_as_typed`, applied to all
builders at the end of this module): a builder never escapes by hand, and may add its own markup
(`<br>`, `<extra>`) around what it is given.
"""

import contextvars
import dataclasses
import functools
import html
import inspect

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative, sample_colorscale

from analytics.instruments import Instrument

# CARTO "Safe": a qualitative palette chosen to stay distinct for colour-blind readers.
PALETTE = qualitative.Safe
# Distinct marker shapes too, so lines that overlap or share a hue stay apart.
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star", "triangle-down", "cross", "pentagon", "hexagon")
_LAYOUT = dict(margin=dict(l=10, r=10, t=40, b=10), legend=dict(orientation="h", y=-0.2), template="plotly_white")


def _scale_axis(instrument: Instrument) -> dict:
    return dict(
        range=[instrument.min_rating - 0.3, instrument.max_rating + 0.3],
        tickvals=[point.value for point in instrument.scale],
        ticktext=[f"{point.value} {point.label}" for point in instrument.scale],
        title=None,
    )


def ratings_over_time(
    history: pd.DataFrame, instrument: Instrument, average_of: pd.DataFrame | None = None, title: str | None = None
) -> go.Figure:
    """One line per quality, one point per period, and the average in bold.

    The average is over `average_of` (all qualities) when given, so choosing fewer lines to show
    does not change it.
    """
    rows = history[history["instrument_id"] == instrument.id].sort_values("period_start")
    everything = rows if average_of is None else average_of[average_of["instrument_id"] == instrument.id]
    figure = go.Figure()
    for index, (quality, group) in enumerate(rows.groupby("quality", sort=False)):
        figure.add_trace(
            go.Scatter(
                x=group["period"],
                y=group["rating"],
                name=quality,
                mode="lines+markers",
                line=dict(color=PALETTE[index % len(PALETTE)], width=1.5),
                marker=dict(symbol=SYMBOLS[index % len(SYMBOLS)], size=9),
                opacity=0.8,
                hovertemplate="%{x}: %{y}<extra>" + quality + "</extra>",
            )
        )
    if not everything.empty:
        average = everything.groupby(["period_start", "period"], as_index=False)["rating"].mean()
        figure.add_trace(
            go.Scatter(
                x=average["period"],
                y=average["rating"].round(2),
                name="Average",
                mode="lines+markers",
                line=dict(color="black", width=4),
                hovertemplate="%{x}: average %{y}<extra></extra>",
            )
        )
    figure.update_layout(
        title=title or f"{instrument.title}: over time",
        yaxis=_scale_axis(instrument),
        xaxis=dict(type="category", title=None),
        height=420,
        **_LAYOUT,
    )
    return figure


def first_vs_latest(snapshot: pd.DataFrame, instrument: Instrument) -> go.Figure:
    """Each quality's first rating beside its latest: where growth happened, and where not yet."""
    rows = snapshot[snapshot["instrument_id"] == instrument.id]
    figure = go.Figure(
        [
            go.Bar(y=rows["quality"], x=rows["first"], name="First", orientation="h", marker_color=PALETTE[1]),
            go.Bar(y=rows["quality"], x=rows["latest"], name="Latest", orientation="h", marker_color=PALETTE[0]),
        ]
    )
    axis = _scale_axis(instrument)
    axis["range"] = [0, instrument.max_rating + 0.2]
    figure.update_layout(
        title=f"{instrument.title}: first and latest",
        barmode="group",
        xaxis=axis,
        yaxis=dict(autorange="reversed"),
        height=120 + 45 * max(len(rows), 1),
        **_LAYOUT,
    )
    return figure


def ratings_heatmap(history: pd.DataFrame, instrument: Instrument) -> go.Figure:
    """Qualities by period, each cell showing its rating: the whole history at one glance."""
    rows = history[history["instrument_id"] == instrument.id]
    grid = rows.pivot_table(index="quality", columns=["period_start", "period"], values="rating", aggfunc="last")
    grid = grid.sort_index(axis=1)
    periods = [label for _, label in grid.columns]
    labels = [[instrument.label_for(int(v)) if pd.notna(v) else "" for v in row] for row in grid.to_numpy()]
    figure = go.Figure(
        go.Heatmap(
            z=grid.to_numpy(),
            x=periods,
            y=list(grid.index),
            text=grid.to_numpy(),
            texttemplate="%{text}",
            customdata=labels,
            hovertemplate="%{y}<br>%{x}: %{z} %{customdata}<extra></extra>",
            zmin=instrument.min_rating,
            zmax=instrument.max_rating,
            colorscale="Cividis",
            colorbar=dict(tickvals=[p.value for p in instrument.scale], ticktext=[p.label for p in instrument.scale]),
        )
    )
    figure.update_layout(
        title=f"{instrument.title}: every rating",
        height=140 + 34 * max(len(grid.index), 1),
        xaxis=dict(type="category", title=None),
        yaxis=dict(autorange="reversed", title=None),
        **_LAYOUT,
    )
    return figure


def views_over_time(views: pd.DataFrame, instrument: Instrument, title: str) -> go.Figure:
    """Each view's average over the instrument's items, per period: do the two sides move together?"""
    figure = go.Figure()
    if not views.empty:
        averages = views.groupby(["view", "period_start", "period"], as_index=False)["rating"].mean()
        for index, (view, rows) in enumerate(averages.groupby("view", sort=True)):
            rows = rows.sort_values("period_start")
            figure.add_trace(
                go.Scatter(
                    x=rows["period"],
                    y=rows["rating"].round(2),
                    name=view,
                    mode="lines+markers",
                    line=dict(color=PALETTE[index % len(PALETTE)], width=3),
                    marker=dict(symbol=SYMBOLS[index % len(SYMBOLS)], size=10),
                    hovertemplate="%{x}: %{y}<extra>" + view + "</extra>",
                )
            )
    periods = sorted(views[["period_start", "period"]].drop_duplicates().itertuples(index=False)) if not views.empty else []
    figure.update_layout(
        title=title,
        yaxis=_scale_axis(instrument),
        xaxis=dict(type="category", title=None, categoryorder="array", categoryarray=[label for _, label in periods]),
        height=380,
        **_LAYOUT,
    )
    return figure


def gap_bars(gaps: pd.DataFrame, instrument: Instrument, title: str) -> go.Figure:
    """Each item's latest rating from every view side by side, largest gap at the top."""
    views = [c for c in gaps.columns if c not in ("item_id", "quality", "gap")]
    figure = go.Figure(
        [
            go.Bar(
                y=gaps["quality"],
                x=gaps[view],
                name=view,
                orientation="h",
                marker_color=PALETTE[index % len(PALETTE)],
                hovertemplate="%{y}: %{x}<extra>" + view + "</extra>",
            )
            for index, view in enumerate(views)
        ]
    )
    axis = _scale_axis(instrument)
    axis["range"] = [0, instrument.max_rating + 0.2]
    figure.update_layout(
        title=title,
        barmode="group",
        xaxis=axis,
        yaxis=dict(autorange="reversed", title=None),
        height=140 + 28 * max(len(gaps), 1) * max(len(views), 1),
        **_LAYOUT,
    )
    return figure


def meeting_frequency_chart(
    frequency: pd.DataFrame, agreed_per_month: float | None = None, title: str | None = None
) -> go.Figure:
    """Held meetings per month as bars (columns `period` and `held`), with the agreed rate as a line if given."""
    figure = go.Figure(
        go.Bar(
            x=frequency["period"],
            y=frequency["held"],
            name="Meetings held",
            marker_color=PALETTE[0],
            hovertemplate="%{x}: %{y} held<extra></extra>",
        )
    )
    if agreed_per_month is not None and not frequency.empty:
        figure.add_trace(
            go.Scatter(
                x=frequency["period"],
                y=[round(agreed_per_month, 2)] * len(frequency),
                name="Agreed rate",
                mode="lines",
                line=dict(color="black", width=2, dash="dash"),
                hovertemplate="agreed: about %{y} a month<extra></extra>",
            )
        )
    figure.update_layout(
        title=title or "Meetings held per month",
        xaxis=dict(type="category", title=None),
        yaxis=dict(title="Meetings", rangemode="tozero", dtick=1),
        height=340,
        **_LAYOUT,
    )
    return figure


# ---------------------------------------------------------------- goals

# Pace and status colours from the colour-blind-safe palette; every figure also says it in words.
PACE_COLOURS = {
    "ahead": PALETTE[3],
    "on track": PALETTE[0],
    "behind": PALETTE[1],
    "completed": PALETTE[4],
    "paused": PALETTE[2],
    "dropped": PALETTE[10 % len(PALETTE)],
}
PACE_SYMBOLS = {
    "ahead": "triangle-up",
    "on track": "circle",
    "behind": "triangle-down",
    "completed": "star",
    "paused": "square",
    "dropped": "x",
}


def _goal_unit(goal) -> str:
    if goal["measure"] == "percent":
        return "%"
    unit = goal.get("unit")
    return f" {unit}" if isinstance(unit, str) and unit else ""


def goal_progress(history: pd.DataFrame, goal) -> go.Figure:
    """One goal: progress over time against the straight line from start to target, and the target itself.

    `history` is analytics.goals.goal_history (its start point and check-ins are drawn); `goal` is
    that goal's row of analytics.goals.goals_of (a Series or a dict).
    """
    points = history[history["kind"].isin(["start", "check-in"])].copy()
    points["on"] = pd.to_datetime(points["on"])
    started, target_date = pd.Timestamp(goal["started_on"]), pd.Timestamp(goal["target_date"])
    start_value = float(goal.get("start_value", 0) or 0)
    target = float(goal["target_value"])
    unit = _goal_unit(goal)
    pace = str(goal["pace"])
    colour = PACE_COLOURS.get(pace, PALETTE[0])
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=[started, target_date],
            y=[start_value, target],
            name="On-track line (start to target)",
            mode="lines",
            line=dict(color="grey", width=2, dash="dash"),
            hovertemplate="%{x|%Y-%m-%d}: on track would be %{y:.1f}<extra></extra>",
        )
    )
    end = max(target_date, points["on"].max() if not points.empty else target_date)
    figure.add_trace(
        go.Scatter(
            x=[started, end],
            y=[target, target],
            name=f"Target: {target:g}{unit}",
            mode="lines",
            line=dict(color="black", width=1.5, dash="dot"),
            hoverinfo="skip",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=points["on"],
            y=points["value"],
            name="Progress",
            mode="lines+markers",
            line=dict(color=PALETTE[4], width=3),
            marker=dict(symbol="circle", size=9),
            customdata=points["note"].fillna(""),
            hovertemplate="%{x|%Y-%m-%d}: %{y:g}<br>%{customdata}<extra></extra>",
        )
    )
    if not points.empty:
        last = points.iloc[-1]
        label = f"{pace}: {float(goal['percent_done']):.0f}% done, {float(goal['expected_percent_today']):.0f}% expected"
        figure.add_trace(
            go.Scatter(
                x=[last["on"]],
                y=[last["value"]],
                name=f"Now: {pace}",
                mode="markers+text",
                marker=dict(symbol=PACE_SYMBOLS.get(pace, "circle"), size=18, color=colour, line=dict(color="black", width=1)),
                text=[pace],
                textposition="top center",
                hovertemplate=label + "<extra></extra>",
            )
        )
        figure.add_annotation(
            xref="paper", yref="paper", x=0, y=1.08, showarrow=False, xanchor="left", text=label, font=dict(size=13)
        )
    figure.update_layout(
        title=str(goal["title"]),
        xaxis=dict(type="date", title=None),
        yaxis=dict(title=f"progress ({unit.strip() or 'count'})", rangemode="tozero", range=[0, target * 1.12]),
        height=380,
        **_LAYOUT,
    )
    return figure


def goals_timeline(goals: pd.DataFrame, today) -> go.Figure:
    """Every goal as a bar from its start to its target date on one timeline, coloured and labelled by pace.

    A diamond marks how far along the bar the progress is, so it is ahead of today's line or behind it.
    """
    figure = go.Figure()
    rows = goals.copy()
    rows["start"] = pd.to_datetime(rows["started_on"])
    rows["end"] = pd.to_datetime(rows["target_date"])
    counts = rows["title"].value_counts()
    rows["label"] = [f"{t} (#{g})" if counts[t] > 1 else t for t, g in zip(rows["title"], rows["goal_id"], strict=True)]
    order = list(rows.sort_values(["start", "goal_id"])["label"])
    for pace in PACE_COLOURS:
        group = rows[rows["pace"] == pace]
        if group.empty:
            continue
        duration = (group["end"] - group["start"]).dt.total_seconds() * 1000
        figure.add_trace(
            go.Bar(
                y=group["label"],
                x=duration,
                base=group["start"],
                orientation="h",
                name=pace,
                marker=dict(color=PACE_COLOURS[pace], line=dict(color="black", width=0.5)),
                text=[f"{pace} · {p:.0f}% done" for p in group["percent_done"]],
                textposition="inside",
                insidetextanchor="start",
                textfont=dict(color="black" if pace in ("on track", "paused") else "white"),  # readable on the fill
                customdata=list(zip(group["started_on"].astype(str), group["target_date"].astype(str), strict=True)),
                hovertemplate="%{y}<br>%{customdata[0]} to %{customdata[1]}<br>%{text}<extra></extra>",
            )
        )
    if not rows.empty:
        share = rows["percent_done"].clip(0, 100) / 100
        reached = rows["start"] + (rows["end"] - rows["start"]) * share
        figure.add_trace(
            go.Scatter(
                x=reached,
                y=rows["label"],
                name="Progress so far",
                mode="markers",
                marker=dict(symbol="diamond", size=11, color="white", line=dict(color="black", width=1.5)),
                hovertemplate="%{y}: progress reaches %{x|%Y-%m-%d} on the line<extra></extra>",
            )
        )
    day = pd.Timestamp(today)
    figure.add_shape(type="line", x0=day, x1=day, y0=0, y1=1, yref="paper", line=dict(color="black", width=2, dash="dash"))
    figure.add_annotation(x=day, y=1, yref="paper", text="today", showarrow=False, yanchor="bottom")
    figure.update_layout(
        title="My goals on one timeline",
        barmode="overlay",
        xaxis=dict(type="date", title=None),
        yaxis=dict(categoryorder="array", categoryarray=order, autorange="reversed", title=None),
        height=160 + 40 * max(len(rows), 1),
        **_LAYOUT,
    )
    return figure


def cumulative_outputs_chart(cumulative: pd.DataFrame, title: str = "My outputs over time") -> go.Figure:
    """One step line per kind of output (columns month, kind, cumulative): how the record grows."""
    figure = go.Figure()
    for index, (kind, rows) in enumerate(cumulative.groupby("kind", sort=False)):
        rows = rows.sort_values("month")
        figure.add_trace(
            go.Scatter(
                x=pd.to_datetime(rows["month"]),
                y=rows["cumulative"],
                name=str(kind),
                mode="lines+markers",
                line=dict(color=PALETTE[index % len(PALETTE)], width=2.5, shape="hv"),
                marker=dict(symbol=SYMBOLS[index % len(SYMBOLS)], size=8),
                hovertemplate="%{x|%b %Y}: %{y} in all<extra>" + str(kind) + "</extra>",
            )
        )
    if cumulative.empty:
        figure.add_annotation(text="No outputs logged yet", showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    figure.update_layout(
        title=title,
        xaxis=dict(title=None, tickformat="%b %Y"),
        yaxis=dict(title="Outputs so far", rangemode="tozero", tick0=0, dtick=1 if cumulative.empty else None),
        height=400,
        **_LAYOUT,
    )
    return figure


def network_chart(network: pd.DataFrame, missing: list[str], labels: dict[str, str] | None = None) -> go.Figure:
    """Mentors per domain (columns domain_id, mentor, source), stacked by where they come from; a domain
    with no mentor gets a clear 'No mentor' marker. `labels` maps domain ids to names (default: the guidance's)."""
    if labels is None:
        from analytics.pairs import domain_labels  # the guidance's domains, read from data/domains.toml

        labels = domain_labels()
    order = list(labels)
    names = [labels[domain] for domain in order]
    figure = go.Figure()
    for index, (source, rows) in enumerate(network.groupby("source", sort=True)):
        counts = rows.groupby("domain_id")["mentor"].agg(list)
        figure.add_trace(
            go.Bar(
                x=names,
                y=[len(counts.get(domain, [])) for domain in order],
                text=["<br>".join(str(m) for m in counts.get(domain, [])) for domain in order],
                textposition="inside",
                name=str(source).capitalize(),
                marker=dict(color=PALETTE[index % len(PALETTE)], pattern=dict(shape=("", "/", ".")[index % 3])),
                hovertemplate="%{x}: %{y} mentor(s)<br>%{text}<extra>" + str(source) + "</extra>",
            )
        )
    gaps = [labels[domain] for domain in order if domain in missing]
    if gaps:
        figure.add_trace(
            go.Scatter(
                x=gaps,
                y=[0] * len(gaps),
                mode="markers+text",
                name="No mentor",
                text=["No mentor"] * len(gaps),
                textposition="top center",
                textfont=dict(size=14, color="black"),
                marker=dict(symbol="x-thin-open", size=22, line=dict(width=4, color=PALETTE[len(PALETTE) - 1])),
                hovertemplate="%{x}: no mentor<extra></extra>",
            )
        )
    most = max([0] + [int(n) for n in network.groupby("domain_id").size()]) if not network.empty else 0
    figure.update_layout(
        title="My mentors by domain",
        barmode="stack",
        xaxis=dict(title=None, categoryorder="array", categoryarray=names),
        yaxis=dict(title="Mentors", range=[-0.3, max(most, 1) + 0.8], dtick=1),
        height=380,
        **_LAYOUT,
    )
    return figure


# ---------------------------------------------------------------- the director's dashboard (aggregates)


def _hidden_suffix(table: pd.DataFrame, min_size: int, counted: str = "people") -> str:
    if "suppressed" in table and bool(table["suppressed"].fillna(False).astype(bool).any()):
        return f" (some cells hidden: fewer than {min_size} {counted})"
    return ""


def _numbers(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce")


def likert_colours(points: int) -> list[str]:
    """An ordered scale (Cividis: colour-blind safe, dark to light), so the stack reads low to high without a legend."""
    return sample_colorscale("Cividis", [i / max(points - 1, 1) for i in range(points)])


def likert_bars(distribution: pd.DataFrame, instrument: Instrument, min_size: int, title: str | None = None) -> go.Figure:
    """Stacked Likert bars, one horizontal bar per item: the share of people at each scale point.

    `distribution` is one period of analytics.program.rating_distribution; suppressed items show
    an empty bar with a hover saying why.
    """
    rows = distribution.sort_values("item_id")
    labels = [instrument.item(i).text if any(it.id == i for it in instrument.items) else i for i in rows["item_id"]]
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
        **_LAYOUT,
    )
    return figure


def program_heatmap(heatmap: pd.DataFrame, instrument: Instrument, min_size: int, period_labels: dict | None = None) -> go.Figure:
    """Items x periods, the mean per cell; suppressed cells are blank with a hover saying why."""
    table = heatmap.copy()
    table["mean"] = _numbers(table["mean"])
    periods = sorted(table["period_start"].unique())
    items = [item.id for item in instrument.items if item.id in set(table["item_id"])] or sorted(table["item_id"].unique())
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
    y = [instrument.item(i).text if any(it.id == i for it in instrument.items) else i for i in items]
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
        **_LAYOUT,
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
        yaxis=_scale_axis(instrument),
        xaxis=dict(type="category", title=None),
        height=420,
        **_LAYOUT,
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
        xaxis=_scale_axis(instrument),
        yaxis=dict(title=None, autorange="reversed"),
        height=max(360, 40 * len(frame) + 140),
        **_LAYOUT,
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
        xaxis=_scale_axis(instrument),
        yaxis=dict(title=None, autorange="reversed"),
        height=max(360, 60 * len(frame) + 140),
        **_LAYOUT,
    )
    return figure


def participation_chart(frame: pd.DataFrame, min_size: int, period_labels: dict | None = None) -> go.Figure:
    """Completion rate per period, grouped by cohort (and mentors); hidden rates leave a gap."""
    figure = go.Figure()
    for index, (cohort, group) in enumerate(frame.sort_values("period_start").groupby("cohort", sort=True)):
        figure.add_trace(
            go.Bar(
                x=[(period_labels or {}).get(p, str(p)) for p in group["period_start"]],
                y=(100 * _numbers(group["completion_rate"])).round(1),
                name=str(cohort),
                marker=dict(color=PALETTE[index % len(PALETTE)], pattern_shape=["", "/", "x", ".", "-", "+"][index % 6]),
                hovertemplate="%{x}: %{y}%<extra>" + str(cohort) + "</extra>",
            )
        )
    figure.update_layout(
        title="Self-assessments completed, % of active people" + _hidden_suffix(frame, min_size),
        barmode="group",
        yaxis=dict(title="%", range=[0, 100]),
        xaxis=dict(type="category", title=None),
        height=420,
        **_LAYOUT,
    )
    return figure


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
        **_LAYOUT,
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
        **_LAYOUT,
    )
    return figure


def participation_by_instrument_chart(frame: pd.DataFrame, min_size: int, period_labels: dict | None = None) -> go.Figure:
    """Completion rate per period, one bar per instrument (and side); hidden rates leave a gap."""
    figure = go.Figure()
    named = frame.assign(series=frame["instrument_id"] + " (" + frame["respondent"] + "s)")
    for index, (series, group) in enumerate(named.sort_values("period_start").groupby("series", sort=False)):
        figure.add_trace(
            go.Bar(
                x=[(period_labels or {}).get(p, str(p)) for p in group["period_start"]],
                y=(100 * _numbers(group["completion_rate"])).round(1),
                name=str(series),
                marker=dict(color=PALETTE[index % len(PALETTE)], pattern_shape=["", "/", "x", ".", "-", "+"][index % 6]),
                hovertemplate="%{x}: %{y}%<extra>" + str(series) + "</extra>",
            )
        )
    figure.update_layout(
        title="Completed, % of people or pairs expected, per instrument" + _hidden_suffix(frame, min_size),
        barmode="group",
        yaxis=dict(title="%", range=[0, 100]),
        xaxis=dict(type="category", title=None),
        height=420,
        **_LAYOUT,
    )
    return figure


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
        **_LAYOUT,
    )
    return figure


# ---------------------------------------------------------------- text as typed, for every builder


def _as_typed(value):
    """`value` with every string in it HTML-escaped: in a DataFrame (cells and column names), Series, dict,
    list, tuple or dataclass (an Instrument's title, items and scale labels). Numbers and dates as they are."""
    if isinstance(value, str):
        return html.escape(value, quote=False)
    if isinstance(value, pd.DataFrame):
        frame = value.rename(columns=lambda column: _as_typed(column) if isinstance(column, str) else column)
        for position in range(frame.shape[1]):
            column = frame.iloc[:, position]
            if not (pd.api.types.is_numeric_dtype(column) or pd.api.types.is_datetime64_any_dtype(column)):
                frame.isetitem(position, column.map(_as_typed))
        return frame
    if isinstance(value, pd.Series):
        return value if pd.api.types.is_numeric_dtype(value) else value.map(_as_typed)
    if isinstance(value, dict):
        return {_as_typed(key): _as_typed(item) for key, item in value.items()}
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a named tuple takes its fields one by one
        return type(value)(*(_as_typed(item) for item in value))
    if isinstance(value, list | tuple):
        return type(value)(_as_typed(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {field.name: _as_typed(getattr(value, field.name)) for field in dataclasses.fields(value) if field.init}
        return dataclasses.replace(value, **fields)
    return value


_building = contextvars.ContextVar("_building", default=False)


def _shown_as_typed(build):
    """`build` called with its arguments escaped once (a builder that calls another is not escaped twice)."""

    @functools.wraps(build)
    def wrapper(*args, **kwargs):
        if _building.get():
            return build(*args, **kwargs)
        token = _building.set(True)
        try:
            return build(*_as_typed(args), **_as_typed(kwargs))
        finally:
            _building.reset(token)

    return wrapper


def _escape_every_builder() -> None:
    """One place, so no builder can forget it: every public function here that returns a go.Figure."""
    for name, function in list(globals().items()):
        if (
            inspect.isfunction(function)
            and not name.startswith("_")
            and function.__module__ == __name__
            and inspect.signature(function).return_annotation is go.Figure
        ):
            globals()[name] = _shown_as_typed(function)


_escape_every_builder()
