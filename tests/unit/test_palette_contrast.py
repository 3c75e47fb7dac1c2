"""The palette and the theme, measured: every chart colour at least 3:1 against the background of the theme it
is drawn in (WCAG 1.4.11), text and captions at least 4.5:1 (1.4.3), the first views apart for colour-blind
readers, and .streamlit/config.toml giving Streamlit the colours charts/style.py names."""

import itertools
import math
import tomllib

import pytest
from streamlit.elements.lib import streamlit_plotly_theme as streamlit_slots

from charts.style import BACKGROUND, DARK_COLOURS, DASHES, INK, LIGHT_COLOURS, MUTED, PALETTE, SYMBOLS, likert_colours
from tests.pages.conftest import ROOT

CONFIG = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["theme"]
# Streamlit's own backgrounds beside the app's: the sidebar and widgets (its defaults for 1.67, which the
# config keeps), and the greys its chart placeholders INK and MUTED become (gray90/gray10, gray70/gray30 of
# its frontend; tests/browser/test_phone_width.py sees them drawn).
THEMES = {
    "light": dict(backgrounds=("#ffffff", "#f8f8f7"), colours=LIGHT_COLOURS, ink="#262730", muted="#808495"),
    "dark": dict(backgrounds=("#171614", "#21201d", "#2d2b27"), colours=DARK_COLOURS, ink="#fafafa", muted="#e6eaf1"),
}


def _channels(colour: str) -> tuple[float, float, float]:
    if colour.startswith("rgb"):
        return tuple(float(part) / 255 for part in colour[colour.index("(") + 1 : -1].split(","))[:3]
    colour = colour.lstrip("#")
    return tuple(int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4))


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    red, green, blue = (_linear(c) for c in _channels(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(one: str, other: str) -> float:
    """WCAG 2 contrast ratio."""
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def over(colour: str, background: str, opacity: float) -> str:
    """`colour` drawn at `opacity` over `background`, as the eye sees it."""
    mixed = [opacity * c + (1 - opacity) * b for c, b in zip(_channels(colour), _channels(background), strict=True)]
    return "#" + "".join(f"{round(255 * c):02x}" for c in mixed)


# Colour-vision deficiencies, full severity (Machado, Oliveira and Fernandes 2009), in linear RGB.
DEFICIENCIES = {
    "none": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
}


def lab(colour: str, deficiency: str = "none") -> tuple[float, float, float]:
    rgb = [_linear(c) for c in _channels(colour)]
    rgb = [min(1.0, max(0.0, sum(m * c for m, c in zip(row, rgb, strict=True)))) for row in DEFICIENCIES[deficiency]]
    x = (0.4124 * rgb[0] + 0.3576 * rgb[1] + 0.1805 * rgb[2]) / 0.95047
    y = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]
    z = (0.0193 * rgb[0] + 0.1192 * rgb[1] + 0.9505 * rgb[2]) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def test_the_colour_slots_are_the_placeholders_streamlit_fills_from_the_theme():
    """If Streamlit renamed them, charts would be drawn near black: this fails first."""
    assert tuple(getattr(streamlit_slots, f"CATEGORY_{n}") for n in range(10)) == PALETTE
    assert (INK, MUTED, BACKGROUND) == (streamlit_slots.GRAY_90, streamlit_slots.GRAY_70, streamlit_slots.BG_COLOR)


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_the_config_gives_streamlit_the_palette_of_each_theme(theme):
    assert CONFIG[theme]["chartCategoricalColors"] == list(THEMES[theme]["colours"])
    assert CONFIG[theme]["backgroundColor"] == THEMES[theme]["backgrounds"][0]


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_every_chart_colour_is_3_to_1_against_every_background_of_its_theme(theme):
    spec = THEMES[theme]
    for background in spec["backgrounds"]:
        for colour in (*spec["colours"], spec["ink"], spec["muted"]):
            assert contrast(colour, background) >= 3, (theme, colour, background, round(contrast(colour, background), 2))


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_text_and_captions_are_4_5_to_1(theme):
    """Body text, and captions (Streamlit draws them in the text colour at 60% opacity: 3.88:1 before)."""
    text = CONFIG[theme]["textColor"]
    for background in THEMES[theme]["backgrounds"]:
        assert contrast(text, background) >= 4.5
        caption = over(text, background, 0.6)
        assert contrast(caption, background) >= 4.5, (theme, background, round(contrast(caption, background), 2))
        # Text drawn on a filled bar is the theme's background on a chart colour (charts/goals.py).
        for colour in THEMES[theme]["colours"]:
            assert contrast(colour, background) >= 3


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_the_first_views_stay_apart_for_colour_blind_readers(theme):
    """The self-view and the first two others (most charts have no more) differ clearly under every
    deficiency (CIE76 distance 15 or more); every slot also has its own marker and dash."""
    colours = THEMES[theme]["colours"]
    for deficiency in DEFICIENCIES:
        for one, other in itertools.combinations(colours[:3], 2):
            distance = math.dist(lab(one, deficiency), lab(other, deficiency))
            assert distance >= 15, (theme, deficiency, one, other, round(distance, 1))
    assert len(set(zip(PALETTE, SYMBOLS, DASHES, strict=True))) == len(PALETTE)
    assert len(set(SYMBOLS)) == len(SYMBOLS)


def test_the_ends_of_the_ordered_scales_are_apart():
    """Likert stacks and heatmaps (Cividis) read low to high: their ends at least 3:1 apart."""
    low, *_, high = likert_colours(5)
    assert contrast(low, high) >= 3
    low, high = (colour for _, colour in sample_colorscale_ends("Cividis"))
    assert contrast(low, high) >= 3


def sample_colorscale_ends(name: str) -> list[tuple[float, str]]:
    from plotly.colors import get_colorscale

    scale = get_colorscale(name)
    return [scale[0], scale[-1]]


def test_a_hidden_heatmap_cell_is_marked_hidden_not_left_as_a_gap():
    """On a dark background a gap looks like the dark end of the scale: a hidden cell gets a mark of its own."""
    from datetime import date

    import pandas as pd

    from analytics.instruments import load_catalogue
    from charts.program import program_heatmap

    instrument = load_catalogue().get("mentee-self")
    first, second = (item.id for item in instrument.items[:2])
    heatmap = pd.DataFrame(
        {
            "item_id": [first, second],
            "period_start": [date(2026, 1, 1)] * 2,
            "mean": [1.0, None],
            "suppressed": [False, True],
        }
    )
    figure = program_heatmap(heatmap, instrument, 5)
    marks = [trace for trace in figure.data if trace.legendgroup == "hidden"]
    assert len(marks) == 1 and list(marks[0].y) == [instrument.row_label(second)]
    assert marks[0].marker.color == INK
