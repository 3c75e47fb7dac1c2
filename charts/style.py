"""The one look of every chart, and the one guarantee that no text in a chart is HTML.

Colours and shapes stay distinct for colour-blind readers; every chart shares one layout.

Plotly reads a few HTML tags in any text it draws (`<a href>` becomes a link, `<b>` bold), and names,
cohorts, titles and notes are people's typed text. So every public builder (a function returning a
go.Figure) receives its arguments with every string in them escaped (`_as_typed`, applied by
`escape_every_builder` at the end of each builder module): a builder never escapes by hand, and may
add its own markup (`<br>`, `<extra>`) around what it is given.
"""

import contextvars
import dataclasses
import functools
import html
import inspect

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative, sample_colorscale

from analytics.feedback import SELF_VIEW
from analytics.instruments import Instrument

# CARTO "Safe": a qualitative palette chosen to stay distinct for colour-blind readers.
PALETTE = qualitative.Safe
# Distinct marker shapes too, so lines that overlap or share a hue stay apart.
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star", "triangle-down", "cross", "pentagon", "hexagon")


def view_order(views) -> list[str]:
    """Views (whose ratings a line or bar shows) in the order that gives each its colour and marker: the
    person's own view first (the self-view, or a pair's fellow side), then mentors, then the rest, each by
    name. So the same views keep the same colours on every chart of a page, whatever order a table has."""

    def rank(view: str) -> tuple[int, str]:
        own = view == SELF_VIEW or view.startswith("Fellow")
        return (0 if own else 1 if view.startswith("Mentor") else 2, view)

    return sorted(set(views), key=rank)


LAYOUT = dict(margin=dict(l=10, r=10, t=40, b=10), legend=dict(orientation="h", y=-0.2), template="plotly_white")


def scale_axis(instrument: Instrument) -> dict:
    return dict(
        range=[instrument.min_rating - 0.3, instrument.max_rating + 0.3],
        tickvals=[point.value for point in instrument.scale],
        ticktext=[f"{point.value} {point.label}" for point in instrument.scale],
        title=None,
    )


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


def likert_colours(points: int) -> list[str]:
    """An ordered scale (Cividis: colour-blind safe, dark to light), so the stack reads low to high without a legend."""
    return sample_colorscale("Cividis", [i / max(points - 1, 1) for i in range(points)])


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


def escape_every_builder(namespace: dict) -> None:
    """Called with `globals()` at the end of every builder module, so no builder can forget it: every
    public function of that module that returns a go.Figure."""
    for name, function in list(namespace.items()):
        if (
            inspect.isfunction(function)
            and not name.startswith("_")
            and function.__module__ == namespace["__name__"]
            and inspect.signature(function).return_annotation is go.Figure
        ):
            namespace[name] = _shown_as_typed(function)
