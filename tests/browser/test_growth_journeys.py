"""Growth over time in a real browser (issue 14): a mentor walks through a mentee's goals, a director through
goal progress over time. Each journey leaves a full-page screenshot in test-artifacts/ for a person to look at."""

import pytest

from tests.browser.conftest import ARTIFACTS, exception_boxes, sign_in, wait_for_app
from tests.browser.server import running_app
from tests.browser.test_journeys import open_page

pytestmark = pytest.mark.browser


def charts_by_title(page) -> dict[str, dict[str, list[float | None]]]:
    """Every drawn plotly chart: its title -> {trace name: y values}, read from plotly.js's resolved traces
    (the traces of one name in several panels joined)."""
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('.js-plotly-plot')].map((plot) => {
            const traces = {};
            for (const trace of plot._fullData || []) {
                const ys = Array.from(trace.y || []).map((y) => (y === null ? null : Number(y)));
                traces[trace.name] = (traces[trace.name] || []).concat(ys);
            }
            return [((plot.layout && plot.layout.title && plot.layout.title.text) || '').replace(/<br>/g, ' '), traces];
        }))"""
    )


def wait_for_chart(page, title_part: str) -> None:
    """plotly.js draws after the run ends: wait until a chart with this title holds data."""
    page.wait_for_function(
        """(part) => [...document.querySelectorAll('.js-plotly-plot')].some((plot) =>
            (((plot.layout && plot.layout.title && plot.layout.title.text) || '').replace(/<br>/g, ' ')).includes(part)
            && (plot._fullData || []).some((trace) => (trace.y || []).length > 0))""",
        arg=title_part,
        timeout=30000,
    )


def screenshot(page, name: str) -> None:
    """The whole page: Streamlit scrolls inside its main block, so the window grows to that block's height."""
    ARTIFACTS.mkdir(exist_ok=True)
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": 1280, "height": min(int(height) + 100, 8000)})
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_a_mentor_walks_through_a_mentees_goals(tmp_path, page):
    with running_app(tmp_path / "demo.duckdb") as app:
        sign_in(page, app.url, "mentor@demo.org")
        open_page(page, "My mentees")
        mentee = page.get_by_test_id("stSelectbox").filter(has_text="Open a mentee")
        mentee.click()
        page.get_by_role("option", name="Nadia Evans").click()  # the demo fellow, who shares goals with this mentor
        wait_for_app(page)
        # Nadia's page, whole: the run that opens her has written her caption, and no element of the run before
        # (the first mentee's tabs, with their own "Goals") is left standing as stale beside hers.
        page.wait_for_function(
            """() => [...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
                    .some((caption) => caption.innerText.includes('What Nadia Evans shares with you'))
                && !document.querySelector('[data-stale="true"]')
                && [...document.querySelectorAll('[data-testid="stTab"]')]
                    .filter((tab) => tab.innerText.trim() === 'Goals').length === 1""",
            timeout=30000,
        )
        page.get_by_role("tab", name="Goals").click()
        wait_for_chart(page, "goals on one timeline")  # the title is drawn escaped: Evans&#x27;s
        goal = page.get_by_test_id("stSelectbox").filter(has_text="Open a goal")
        goal.wait_for(timeout=30000)
        # The opened goal's own chart: its progress against the straight line to its target.
        page.wait_for_function(
            """() => [...document.querySelectorAll('.js-plotly-plot')].some((plot) =>
                (plot._fullData || []).some((trace) => trace.name === 'Progress' && (trace.y || []).length > 0))""",
            timeout=30000,
        )
        charts = charts_by_title(page)
        timeline = next(traces for title, traces in charts.items() if "goals on one timeline" in title)
        assert timeline, "the timeline has the mentee's goals"
        assert any(traces.get("Progress") for traces in charts.values()), "the opened goal's progress chart"
        assert exception_boxes(page) == 0
        screenshot(page, "journey-mentor-mentee-goals")


def test_a_director_walks_through_goal_progress_over_time(tmp_path, page):
    with running_app(tmp_path / "demo.duckdb") as app:
        sign_in(page, app.url, "director@demo.org")
        open_page(page, "Program dashboard")
        page.get_by_role("tab", name="Goals & outputs").click()
        wait_for_chart(page, "Goal progress over time")
        wait_for_chart(page, "Goals reached per period")  # each chart is drawn on its own, after the run
        charts = charts_by_title(page)
        progress = next(traces for title, traces in charts.items() if "Goal progress over time" in title)
        states = ("Completed", "Active, on track", "Active, behind", "Paused or dropped")
        assert set(states) <= set(progress), progress.keys()
        shown = [y for state in states for y in progress[state] if y is not None and y == y]  # NaN: a hidden cell
        assert shown and all(0 <= y <= 100 for y in shown), "shares of goals, in percent, for some periods"
        assert any(name.startswith("Hidden") for name in progress), "hidden cells are drawn and named as hidden"
        assert any("Goals reached per period" in title for title in charts)
        assert exception_boxes(page) == 0
        screenshot(page, "journey-director-goal-progress")
