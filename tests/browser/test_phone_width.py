"""Phone width: at 390 px every page of every demo role reads without sideways scrolling, and charts are drawn
in the active theme's colours (light and dark). Each page leaves a screenshot in test-artifacts/phone/ to look at."""

import re

import pytest

from charts.style import DARK_COLOURS, LIGHT_COLOURS
from tests.browser.conftest import ARTIFACTS, exception_boxes, sign_in, wait_for_app
from tests.browser.server import running_app
from tests.pages.test_page_guards import DEMO, PAGE_ROLES

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
APP_PAGES = re.compile(r'\("[^"]*", "(\w+\.py)", "([^"]+)"')  # app.py's PAGES rows: (section, file, title, ...)


def page_titles() -> dict[str, str]:
    """The menu title of every page file, from app.py's PAGES table."""
    from tests.browser.server import ROOT

    return dict(APP_PAGES.findall((ROOT / "app.py").read_text()))


def open_from_menu(page, title: str) -> None:
    """Open a page as a person on a phone does: the menu button, then the page."""
    page.get_by_test_id("stExpandSidebarButton").click()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
    page.get_by_role("heading", name={"Home": "Welcome"}.get(title, title)).first.wait_for(timeout=30000)
    wait_for_app(page)
    if page.get_by_test_id("stSidebar").is_visible():
        page.get_by_test_id("stSidebarCollapseButton").locator("button").click()
        page.get_by_test_id("stSidebar").wait_for(state="hidden", timeout=10000)


def wait_for_charts(page) -> None:
    """plotly.js draws each chart after the run ends: wait until every chart on the page has its traces."""
    page.wait_for_function(
        """() => [...document.querySelectorAll('.stPlotlyChart')].every((chart) => {
            const plot = chart.querySelector('.js-plotly-plot');
            return plot && plot._fullData && plot.querySelector('.main-svg');
        })""",
        timeout=30000,
    )


def sideways(page) -> dict:
    """How far the page is wider than the screen, and the widest element that makes it so."""
    return page.evaluate(
        """() => {
            // Tables, charts, tab rows and chosen-option rows scroll inside themselves, by design.
            const scrollsInside = [
                '[data-testid="stDataFrame"]', '.js-plotly-plot', '[role="tablist"]', '[data-testid="stMultiSelect"]',
                '[data-baseweb="select"]', '[data-testid="stSlider"] input',
            ].join(', ');
            const width = window.innerWidth;
            const scroller = document.scrollingElement.scrollWidth;
            const main = document.querySelector('[data-testid="stMain"]');
            const wide = [...document.querySelectorAll('[data-testid="stMain"] *')]
                .filter((e) => e.getBoundingClientRect().right > width + 1 && getComputedStyle(e).position !== 'fixed')
                .filter((e) => !e.closest(scrollsInside))
                .map((e) => `${(e.closest('[data-testid]') || e).dataset.testid} ${e.tagName}.${e.className}`.slice(0, 80));
            return {width, scroller, main: main.scrollWidth, wide: wide.slice(0, 5)};
        }"""
    )


def shoot(page, name: str) -> None:
    folder = ARTIFACTS / "phone"
    folder.mkdir(parents=True, exist_ok=True)
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": PHONE["width"], "height": min(int(height) + 60, 16000)})
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    page.set_viewport_size(PHONE)


@pytest.mark.parametrize("role", sorted(DEMO))
def test_no_page_scrolls_sideways_at_390_px(tmp_path, browser, role):
    titles = page_titles()
    pages = sorted((page for page, roles in PAGE_ROLES.items() if role in roles), key=lambda page: page != "home.py")
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        with running_app(tmp_path / "demo.duckdb") as app:
            sign_in(page, app.url, DEMO[role])
            wide = {}
            for file in pages:
                if file != "home.py":
                    open_from_menu(page, titles[file])
                wait_for_charts(page)
                measured = sideways(page)
                if measured["scroller"] > measured["width"] + 1 or measured["main"] > measured["width"] + 1 or measured["wide"]:
                    wide[file] = measured  # scrolls sideways, or clips something past the right edge
                assert exception_boxes(page) == 0, file
                shoot(page, f"{role}-{file.removesuffix('.py')}")
            assert not wide, f"wider than a 390 px phone: {wide}"
            # The measure itself: a block wider than the phone is caught.
            page.evaluate(
                """() => document.querySelector('[data-testid="stMainBlockContainer"]')
                    .insertAdjacentHTML('beforeend', '<p id="too-wide" style="width: 900px">too wide</p>')"""
            )
            assert sideways(page)["wide"] or sideways(page)["scroller"] > PHONE["width"] + 1
    finally:
        context.close()


@pytest.mark.parametrize(("scheme", "colours"), [("light", LIGHT_COLOURS), ("dark", DARK_COLOURS)])
def test_charts_are_drawn_in_the_colours_of_the_active_theme(tmp_path, browser, scheme, colours):
    """The figures name colour slots; the browser must draw them in the theme's colours, never the slots' near black."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    try:
        with running_app(tmp_path / "demo.duckdb") as app:
            sign_in(page, app.url, "fellow@demo.org")
            page.get_by_test_id("stSidebarNav").get_by_role("link", name="Two views", exact=True).click()
            page.get_by_role("heading", name="Two views").first.wait_for(timeout=30000)
            wait_for_app(page)
            wait_for_charts(page)
            wanted = [colour.lower() for colour in colours]
            # Streamlit may draw a chart once more when it has read the theme the browser prefers: wait for its colours.
            page.wait_for_function(
                """(wanted) => [...document.querySelectorAll('.js-plotly-plot')].some((plot) =>
                    (plot._fullData || []).some((trace) =>
                        wanted.includes(String(trace.line && trace.line.color).toLowerCase())))""",
                arg=wanted,
                timeout=30000,
            )
            drawn = page.evaluate(
                """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap((plot) =>
                    (plot._fullData || []).flatMap((trace) =>
                        [trace.line && trace.line.color, trace.marker && trace.marker.color]))
                    .filter((colour) => typeof colour === 'string')"""
            )
            background = page.evaluate("() => getComputedStyle(document.querySelector('.stApp')).backgroundColor")
            shoot(page, f"theme-{scheme}-two-views")
    finally:
        context.close()
    used = {colour.lower() for colour in drawn}
    assert used & set(wanted), (scheme, used)
    assert not any(re.fullmatch(r"#0000[0-4]\d", colour) for colour in used), used  # a slot left unfilled
    assert background == {"light": "rgb(255, 255, 255)", "dark": "rgb(23, 22, 20)"}[scheme]
