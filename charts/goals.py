"""A person's goals: one goal against its on-track line, and every goal on one timeline."""

import pandas as pd
import plotly.graph_objects as go

from charts.style import BACKGROUND, INK, LAYOUT, MUTED, PACE_COLOURS, PACE_SYMBOLS, PALETTE, escape_every_builder, wrapped_ticks


def _goal_unit(goal) -> str:
    if goal["measure"] == "percent":
        return "%"
    unit = goal.get("unit")
    return f" {unit}" if isinstance(unit, str) and unit else ""


def goal_progress(history: pd.DataFrame, goal) -> go.Figure:
    """One goal: progress over time against the straight line from start to target, and the target itself.

    `history` is analytics.goals.goal_history (its start point and check-ins are drawn); `goal` is
    that goal's row of analytics.goals.goals_of (a Series or a dict). Check-ins above the target are
    drawn above its line, ringed, and the axis grows to hold them.
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
            line=dict(color=MUTED, width=2, dash="dash"),
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
            line=dict(color=INK, width=1.5, dash="dot"),
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
    above = points[points["value"] > target]
    if not above.empty:
        figure.add_trace(
            go.Scatter(
                x=above["on"],
                y=above["value"],
                name="Above the target",
                mode="markers",
                marker=dict(symbol="circle-open", size=17, color=INK, line=dict(width=2)),
                hovertemplate="%{x|%Y-%m-%d}: %{y:g}, above the target<extra></extra>",
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
                marker=dict(symbol=PACE_SYMBOLS.get(pace, "circle"), size=18, color=colour, line=dict(color=INK, width=1)),
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
        yaxis=dict(
            title=f"progress ({unit.strip() or 'count'})",
            rangemode="tozero",
            range=[0, max(target, float(points["value"].max()) if not points.empty else 0) * 1.12],
        ),
        height=380,
        **LAYOUT,
    )
    return figure


def goals_timeline(goals: pd.DataFrame, today, title: str = "My goals on one timeline") -> go.Figure:
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
                marker=dict(color=PACE_COLOURS[pace], line=dict(color=INK, width=0.5)),
                text=[f"{pace} · {p:.0f}% done" for p in group["percent_done"]],
                textposition="inside",
                insidetextanchor="start",
                textfont=dict(color=BACKGROUND),  # the theme's background on a fill 3:1 or more against it
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
                marker=dict(symbol="diamond", size=11, color=BACKGROUND, line=dict(color=INK, width=1.5)),
                hovertemplate="%{y}: progress reaches %{x|%Y-%m-%d} on the line<extra></extra>",
            )
        )
    day = pd.Timestamp(today)
    figure.add_shape(type="line", x0=day, x1=day, y0=0, y1=1, yref="paper", line=dict(color=INK, width=2, dash="dash"))
    figure.add_annotation(x=day, y=1, yref="paper", text="today", showarrow=False, yanchor="bottom")
    figure.update_layout(
        title=title,
        barmode="overlay",
        xaxis=dict(type="date", title=None),
        yaxis=dict(categoryorder="array", categoryarray=order, autorange="reversed", title=None, **wrapped_ticks(order)),
        height=160 + 40 * max(len(rows), 1),
        **LAYOUT,
    )
    return figure


escape_every_builder(globals())
