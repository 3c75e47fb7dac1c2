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
import re
import textwrap

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.colors import sample_colorscale

from analytics.feedback import SELF_VIEW
from analytics.instruments import Instrument

# ---------------------------------------------------------------- one palette, in both themes
#
# A chart names its colours by slot, and the browser gives each slot the colour of the active theme:
# Streamlit draws plotly charts (theme="streamlit") after replacing these placeholder colours, anywhere
# in the figure, with `theme.chartCategoricalColors` of the light or the dark theme (.streamlit/config.toml
# sets them to LIGHT_COLOURS and DARK_COLOURS below). So one cached figure reads well in either theme.
# tests/unit/test_palette_contrast.py checks the placeholders are Streamlit's and config.toml matches these lists;
# tests/browser/test_phone_width.py checks a drawn chart has the theme's colours.
PALETTE = tuple(f"#0000{slot:02d}" for slot in range(1, 11))
# Okabe-Ito and Paul Tol hues, darkened for a light background and lightened for a dark one: every
# colour at least 3:1 against its theme's backgrounds (WCAG 1.4.11), the first three far apart for
# protanopia, deuteranopia and tritanopia too (tests/unit/test_palette_contrast.py measures both).
LIGHT_COLOURS = (
    "#0072B2",  # blue
    "#C8430C",  # vermillion
    "#555555",  # grey
    "#AA3377",  # reddish purple
    "#332288",  # indigo
    "#8A6D00",  # ochre
    "#00806F",  # bluish green
    "#882255",  # wine
    "#2F7F8F",  # teal
    "#A0522D",  # sienna
)
DARK_COLOURS = (
    "#56B4E9",  # sky blue
    "#F5793A",  # orange
    "#BBBBBB",  # grey
    "#EE88CC",  # pink
    "#AA99FF",  # lavender
    "#DDCC77",  # sand
    "#44BB99",  # bluish green
    "#FF7799",  # rose
    "#88CCEE",  # cyan
    "#E8A27A",  # peach
)
# Colours that follow the theme too (Streamlit's placeholders for its own chart greys and background).
INK = "#000037"  # the theme's strongest grey: near black (#262730) on light, near white (#fafafa) on dark
MUTED = "#000036"  # a mid grey of the theme (#808495 on light, #e6eaf1 on dark): guides and outlines
BACKGROUND = "#000038"  # the theme's background: text on a filled bar, the inside of an open marker
# Each slot also has its own marker, dash and bar pattern, so colour is never the only cue.
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star", "triangle-down", "cross", "pentagon", "hexagon")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "solid", "dash", "dot", "dashdot")
PATTERNS = ("", "/", ".", "x", "-", "|", "+", "\\", "", "/")


def view_order(views) -> list[str]:
    """Views (whose ratings a line or bar shows) in the order that gives each its colour and marker: the
    person's own view first (the self-view, or a pair's fellow side), then mentors, then the rest, each by
    name. So the same views keep the same colours on every chart of a page, whatever order a table has."""

    def rank(view: str) -> tuple[int, str]:
        own = view == SELF_VIEW or view.startswith("Fellow")
        return (0 if own else 1 if view.startswith("Mentor") else 2, view)

    return sorted(set(views), key=rank)


class Palette:
    """The slots of one page: each name (a view, person, cohort) keeps the slot it was first given, on every
    chart the page draws. A page makes one and gives each builder `palette.slots(names)`; the names of one
    call are taken in `view_order` (the self-view first), each new one getting the next free slot."""

    def __init__(self) -> None:
        self._slots: dict[str, int] = {}

    def slots(self, names) -> dict[str, int]:
        ordered = view_order(str(name) for name in names)
        for name in ordered:
            self._slots.setdefault(name, len(self._slots))
        return {name: self._slots[name] for name in ordered}


def slots_of(names, slots: dict[str, int] | None = None) -> dict[str, int]:
    """The slot of each name: from `slots` when the page gave them all, else the names' own `view_order`."""
    names = [str(name) for name in names]
    if slots is not None and all(name in slots for name in names):
        return slots
    return Palette().slots(names)


def slot_line(slot: int, width: float = 2.5) -> dict:
    return dict(color=PALETTE[slot % len(PALETTE)], width=width, dash=DASHES[slot % len(DASHES)])


def slot_marker(slot: int, size: int = 10) -> dict:
    return dict(color=PALETTE[slot % len(PALETTE)], symbol=SYMBOLS[slot % len(SYMBOLS)], size=size)


def slot_bar(slot: int) -> dict:
    return dict(color=PALETTE[slot % len(PALETTE)], pattern_shape=PATTERNS[slot % len(PATTERNS)])


# One layout for every chart, readable from a 390 px phone to a wide screen (a figure cannot know the
# width it is drawn at): the legend in rows at the foot of the figure (plotly makes room for as many rows as
# a narrow screen needs),
# the title under the chart's toolbar, long titles and labels wrapped rather than clipped (`finish`).
LAYOUT = dict(
    margin=dict(l=10, r=10, t=40, b=10),
    legend=dict(orientation="h", x=0, xanchor="left", yref="container", y=0, yanchor="bottom"),
)
TEMPLATE = "plotly_white"  # every chart's template, set by `finish`
TITLE_WIDTH = 36  # characters per title line: a bold 16 px title fits a 390 px phone's chart at about 38
LABEL_WIDTH = 22  # characters per line of a category label (an item's wording) beside a horizontal bar
TOOLBAR = 30  # px above the title for the chart's toolbar (its one button: download as PNG)


def wrap(text: str, width: int) -> str:
    """`text` broken into lines of at most `width` characters at spaces, joined by plotly's `<br>`."""
    return "<br>".join(textwrap.wrap(str(text), width, break_long_words=False, break_on_hyphens=False)) or str(text)


def wrapped_ticks(labels, width: int = LABEL_WIDTH) -> dict:
    """Axis settings that show category `labels` wrapped (the categories themselves stay as they are)."""
    labels = list(dict.fromkeys(labels))
    return dict(tickmode="array", tickvals=labels, ticktext=[wrap(label, width) for label in labels])


def finish(figure: go.Figure) -> go.Figure:
    """The last touch of every drawn figure (ui.charts.cached_figure): the title wrapped to a phone's width
    and set below the toolbar, the top margin grown to hold it. Builders keep their titles in one line."""
    _in_template(figure)
    title = figure.layout.title.text
    lines = 0
    if title:
        text = wrap(title, TITLE_WIDTH)
        lines = text.count("<br>") + 1
        height = figure.layout.height or 450
        # From the figure's left edge (not the plot's, which wide axis labels push right), under the toolbar.
        figure.update_layout(
            title=dict(text=text, x=0, xanchor="left", xref="container", pad=dict(l=4), y=1 - TOOLBAR / height, yanchor="top")
        )
    for annotation in figure.layout.annotations:  # panel titles (an item's wording) and notes
        if annotation.text and len(annotation.text) > TITLE_WIDTH + 6 and "<br>" not in annotation.text:
            annotation.text = wrap(annotation.text, TITLE_WIDTH + 6)
    top = TOOLBAR + 22 * lines + 12
    margin = figure.layout.margin
    figure.update_layout(margin=dict(t=max(margin.t or 0, top)))
    return figure


def natural_key(name) -> tuple:
    """Sort names as a person reads them: "group 2" before "group 10"."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.casefold()) for part in re.split(r"(\d+)", str(name)))


class DrawnFigure(go.Figure):
    """A figure drawn as it is, whose dict is made once. st.plotly_chart calls `to_dict()` on every
    rerun: a deep copy of every trace, about 10x the JSON it then writes (0.5 s for a figure of a
    thousand traces). A cached figure never changes (ui.charts.cached_figure), so neither does its
    dict; nobody may change that dict either."""

    def to_dict(self) -> dict:
        spec = self.__dict__.get("_drawn_spec")
        if spec is None:
            spec = self.__dict__["_drawn_spec"] = super().to_dict()
        return spec


def drawn(figure: go.Figure) -> go.Figure:
    """The same figure, its dict kept once made (a copy would validate every property again)."""
    figure.__class__ = DrawnFigure
    return figure


def _in_template(figure: go.Figure) -> None:
    """`figure` in the app's template (TEMPLATE), set as plotly sets its own default template on a new figure:
    without validating plotly's own template again. Named in a layout, it is validated for every figure
    (20-40 ms, most of building a person's chart); the default is no help, Streamlit makes its own the default."""
    layout = figure.layout
    layout._validate = False
    try:
        layout.template = pio.templates[TEMPLATE]
    finally:
        layout._validate = figure._validate


def scale_axis(instrument: Instrument) -> dict:
    return dict(
        range=[instrument.min_rating - 0.3, instrument.max_rating + 0.3],
        tickvals=[point.value for point in instrument.scale],
        ticktext=[f"{point.value} {point.label}" for point in instrument.scale],
        title=None,
    )


# Pace and status colours from the colour-blind-safe palette; every figure also says it in words.
PACE_COLOURS = {
    "ahead": PALETTE[6],
    "on track": PALETTE[0],
    "behind": PALETTE[1],
    "completed": PALETTE[4],
    "paused": PALETTE[5],
    "dropped": PALETTE[2],
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
