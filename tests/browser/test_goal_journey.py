"""The goal journey in a real browser: create a count goal, log progress twice, see the chart say ahead."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import exception_boxes, sign_in, wait_for_app
from tests.browser.server import running_app

pytestmark = pytest.mark.browser
TITLE = "Submit 3 abstracts to regional meetings"


def progress_points(page) -> dict:
    """The goal chart's traces as {name: [y, ...]}, read from plotly.js."""
    return page.evaluate(
        """(title) => {
            for (const plot of document.querySelectorAll('.js-plotly-plot')) {
                const text = ((plot.layout && plot.layout.title && plot.layout.title.text) || '').replace(/<br>/g, ' ');
                if (!text.includes(title)) continue;
                const traces = {};
                for (const trace of plot._fullData) traces[trace.name] = Array.from(trace.y || []).map(Number);
                return {title: text, traces};
            }
            return null;
        }""",
        TITLE,
    )


def check_in(page, value: str) -> None:
    field = page.get_by_label("New value", exact=False)
    # While a rerun draws the page, the previous run's form can still be on screen beside the new one.
    expect(field).to_have_count(1, timeout=30000)
    field.fill(value)
    page.get_by_role("button", name="Add check-in").click()
    wait_for_app(page)


def test_fellow_creates_a_goal_logs_progress_twice_and_sees_it_ahead(tmp_path, page):
    with running_app(tmp_path / "demo.duckdb") as app:
        sign_in(page, app.url, "fellow@demo.org")
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="My goals", exact=True).click()
        page.get_by_role("heading", name="My goals", exact=True).wait_for()
        wait_for_app(page)

        page.get_by_label("Title (what, specifically)", exact=True).fill(TITLE)
        page.get_by_text("A count toward a target (such as 3 abstracts)").click()
        page.get_by_label("Unit, for a count (such as abstracts)").fill("abstracts")
        page.get_by_role("button", name="Create goal").click()
        page.get_by_text(f"Goal created: {TITLE}").wait_for(timeout=30000)
        wait_for_app(page)

        check_in(page, "1")
        page.get_by_text("Check-in saved: 1 abstracts").wait_for(timeout=30000)
        check_in(page, "2")
        page.get_by_text("Check-in saved: 2 abstracts").wait_for(timeout=30000)
        wait_for_app(page)
        # plotly.js draws after the run ends: wait until the chart's last point is the second check-in (a chart
        # drawn between the two holds the start and the first: two points already).
        page.wait_for_function(
            """(title) => [...document.querySelectorAll('.js-plotly-plot')].some((plot) =>
                (((plot.layout && plot.layout.title && plot.layout.title.text) || '').replace(/<br>/g, ' ')).includes(title)
                && (plot._fullData || []).some((trace) =>
                    trace.name === 'Progress' && Number([...(trace.y || [])].pop()) === 2))""",
            arg=TITLE,
            timeout=30000,
        )
        chart = progress_points(page)
        assert chart is not None, "the goal's progress chart"
        assert chart["traces"]["Progress"][-2:] == [1.0, 2.0]
        # Set today with a target months away, 2 of 3 done is well ahead of the straight line.
        assert "Now: ahead" in chart["traces"]
        assert exception_boxes(page) == 0
