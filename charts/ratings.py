"""A person's ratings: their history, first against latest, and how two views of a pair compare."""

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analytics.instruments import SUBSCALE_PREFIX, Instrument
from charts.style import (
    BACKGROUND,
    INK,
    LAYOUT,
    MUTED,
    PALETTE,
    escape_every_builder,
    scale_axis,
    slot_bar,
    slot_line,
    slot_marker,
    slots_of,
    wrapped_ticks,
)


def _items_only(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows of items, without the subscale means (analytics.assessments.with_subscale_means) beside them."""
    if "item_id" not in rows:
        return rows
    return rows[~rows["item_id"].astype(str).str.startswith(SUBSCALE_PREFIX)]


def ratings_over_time(
    history: pd.DataFrame, instrument: Instrument, average_of: pd.DataFrame | None = None, title: str | None = None
) -> go.Figure:
    """One line per quality, one point per period, and the average in bold.

    The average is over `average_of` (all qualities) when given, so choosing fewer lines to show
    does not change it.
    """
    rows = history[history["instrument_id"] == instrument.id].sort_values("period_start")
    everything = rows if average_of is None else average_of[average_of["instrument_id"] == instrument.id]
    everything = _items_only(everything)  # the average is over items, not subscale means
    figure = go.Figure()
    # A quality keeps its slot (its place among the instrument's rows) whichever others are chosen.
    places = {row: place for place, row in enumerate(instrument.row_order())}
    for quality, group in rows.groupby("quality", sort=False):
        index = places.get(str(group["item_id"].iloc[0]), len(places)) if "item_id" in group else len(places)
        figure.add_trace(
            go.Scatter(
                x=group["period"],
                y=group["rating"],
                name=quality,
                mode="lines+markers",
                line=slot_line(index, width=1.5),
                marker=slot_marker(index, size=9),
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
                line=dict(color=INK, width=4),
                marker=dict(color=INK, symbol="circle", size=8),
                hovertemplate="%{x}: average %{y}<extra></extra>",
            )
        )
    figure.update_layout(
        title=title or f"{instrument.title}: over time",
        yaxis=scale_axis(instrument),
        xaxis=dict(type="category", title=None),
        height=420,
        **LAYOUT,
    )
    return figure


def first_vs_latest(snapshot: pd.DataFrame, instrument: Instrument) -> go.Figure:
    """Each quality's first rating beside its latest: where growth happened, and where not yet."""
    rows = snapshot[snapshot["instrument_id"] == instrument.id]
    figure = go.Figure(
        [
            go.Bar(y=rows["quality"], x=rows["first"], name="First", orientation="h", marker=slot_bar(1)),
            go.Bar(y=rows["quality"], x=rows["latest"], name="Latest", orientation="h", marker_color=PALETTE[0]),
        ]
    )
    axis = scale_axis(instrument)
    axis["range"] = [0, instrument.max_rating + 0.2]
    figure.update_layout(
        title=f"{instrument.title}: first and latest",
        barmode="group",
        xaxis=axis,
        yaxis=dict(autorange="reversed", **wrapped_ticks(rows["quality"])),
        height=150 + 45 * max(len(rows), 1),
        **LAYOUT,
    )
    return figure


def ratings_heatmap(history: pd.DataFrame, instrument: Instrument) -> go.Figure:
    """Qualities by period, each cell showing its rating: the whole history at one glance."""
    rows = history[history["instrument_id"] == instrument.id]
    grid = rows.pivot_table(index="quality", columns=["period_start", "period"], values="rating", aggfunc="last")
    grid = grid.sort_index(axis=1)
    periods = [label for _, label in grid.columns]
    labels = [[instrument.label_for(int(v)) if pd.notna(v) and v == int(v) else "" for v in row] for row in grid.to_numpy()]
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
        yaxis=dict(autorange="reversed", title=None, **wrapped_ticks(grid.index)),
        **LAYOUT,
    )
    return figure


def views_over_time(views: pd.DataFrame, instrument: Instrument, title: str, slots: dict[str, int] | None = None) -> go.Figure:
    """Each view's average over the instrument's items, per period: do the two sides move together?"""
    figure = go.Figure()
    if not views.empty:
        averages = _items_only(views).groupby(["view", "period_start", "period"], as_index=False)["rating"].mean()
        slots = slots_of(averages["view"].unique(), slots)
        for view in sorted(averages["view"].unique(), key=slots.__getitem__):
            index = slots[view]
            rows = averages[averages["view"] == view].sort_values("period_start")
            figure.add_trace(
                go.Scatter(
                    x=rows["period"],
                    y=rows["rating"].round(2),
                    name=view,
                    mode="lines+markers",
                    line=slot_line(index, width=3),
                    marker=slot_marker(index),
                    hovertemplate="%{x}: %{y}<extra>" + view + "</extra>",
                )
            )
    periods = sorted(views[["period_start", "period"]].drop_duplicates().itertuples(index=False)) if not views.empty else []
    figure.update_layout(
        title=title,
        yaxis=scale_axis(instrument),
        xaxis=dict(type="category", title=None, categoryorder="array", categoryarray=[label for _, label in periods]),
        height=380,
        **LAYOUT,
    )
    return figure


def views_per_item_over_time(
    views: pd.DataFrame, instrument: Instrument, title: str, slots: dict[str, int] | None = None
) -> go.Figure:
    """One small panel per item, one line per view in each: which step the two sides see drifting apart, and when.

    An average over the items (views_over_time) hides a step that slips while another improves.
    """
    order = {row: position for position, row in enumerate(instrument.row_order())}
    qualities = views.drop_duplicates("item_id").set_index("item_id")["quality"]
    items = sorted(qualities.index, key=lambda item: (order.get(item, len(order)), item))
    labels = [label for _, label in sorted(views[["period_start", "period"]].drop_duplicates().itertuples(index=False))]
    slots = slots_of(views["view"].unique(), slots)
    sides = sorted(views["view"].unique(), key=slots.__getitem__)
    panels = max(len(items), 1)
    figure = make_subplots(
        rows=panels,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.35 / panels,
        subplot_titles=[str(qualities[item]) for item in items],
    )
    for row, item in enumerate(items, start=1):
        ratings = views[views["item_id"] == item]
        for side in sides:
            index = slots[side]
            rated = ratings[ratings["view"] == side].groupby("period")["rating"].last()
            values = [rated.get(label) for label in labels]  # None where this side did not rate: a break, not a line
            figure.add_trace(
                go.Scatter(
                    x=labels,
                    y=values,
                    name=side,
                    legendgroup=side,
                    showlegend=row == 1,
                    mode="lines+markers",
                    line=slot_line(index),
                    marker=slot_marker(index, size=9),
                    customdata=[
                        "" if value is None or value != int(value) else instrument.label_for(int(value)) for value in values
                    ],
                    hovertemplate="%{x}: %{y} %{customdata}<extra>" + side + "</extra>",
                ),
                row=row,
                col=1,
            )
    figure.update_annotations(font_size=13)  # the subplot titles: each step's wording
    figure.update_yaxes(
        range=[instrument.min_rating - 0.4, instrument.max_rating + 0.4],
        tickvals=[point.value for point in instrument.scale],
        title=None,
    )
    figure.update_xaxes(type="category", categoryorder="array", categoryarray=labels, title=None)
    plot_height = 150 * panels
    # The legend at the foot, as on every chart; room above the first panel for its wrapped wording.
    figure.update_layout(title=title, height=plot_height + 190, **(LAYOUT | dict(margin=dict(l=10, r=10, t=110, b=10))))
    return figure


def gap_bars(gaps: pd.DataFrame, instrument: Instrument, title: str, slots: dict[str, int] | None = None) -> go.Figure:
    """Each item's latest rating from every view, one row per item, largest gap at the top: a marker per view
    (its colour and shape, as on the page's other charts) on a line from the lowest to the highest rating.

    One row per item whatever the number of views (a mentor rated by 8 mentees drew 8 bars per item, 1,932 px)."""
    views = [c for c in gaps.columns if c not in ("item_id", "quality", "gap")]
    slots = slots_of(views, slots)
    views = sorted(views, key=slots.__getitem__)
    figure = go.Figure()
    ratings = gaps[views].apply(pd.to_numeric, errors="coerce") if views else pd.DataFrame(index=gaps.index)
    low, high = ratings.min(axis=1), ratings.max(axis=1)
    spans_x: list = []
    spans_y: list = []
    for quality, first, last in zip(gaps["quality"], low, high, strict=True):
        if pd.notna(first) and pd.notna(last) and last > first:
            spans_x += [first, last, None]
            spans_y += [quality, quality, None]
    if spans_x:
        figure.add_trace(
            go.Scatter(
                x=spans_x,
                y=spans_y,
                mode="lines",
                name="Gap",
                showlegend=False,
                line=dict(color=MUTED, width=3),
                hoverinfo="skip",
            )
        )
    for view in views:
        figure.add_trace(
            go.Scatter(
                y=gaps["quality"],
                x=ratings[view],
                name=view,
                mode="markers",
                marker=slot_marker(slots[view], size=13) | dict(line=dict(color=BACKGROUND, width=1)),
                hovertemplate="%{y}: %{x}<extra>" + view + "</extra>",
            )
        )
    axis = scale_axis(instrument)
    figure.update_layout(
        title=title,
        xaxis=axis,
        yaxis=dict(autorange="reversed", title=None, **wrapped_ticks(gaps["quality"])),
        height=170 + 52 * max(len(gaps), 1),
        **LAYOUT,
    )
    return figure


escape_every_builder(globals())
