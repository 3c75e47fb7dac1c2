"""The main journeys in a real browser."""

import pytest

from tests.browser.conftest import choose, exception_boxes, sign_in, wait_for_app
from tests.browser.server import running_app

pytestmark = pytest.mark.browser

NAV = ["Home", "Assessments", "My progress", "My account"]


def open_page(page, name: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=name, exact=True).click()
    heading = {"Home": "Welcome"}.get(name, name)
    page.get_by_role("heading", name=heading, exact=name != "Home").first.wait_for(timeout=30000)
    wait_for_app(page)


def chart_points(page, title_part: str) -> list[tuple[str, str, float]]:
    """(trace name, x, y) of every point of the plotly chart whose title contains `title_part`.

    Read from plotly.js's resolved traces (`_fullData`): the figure JSON carries numbers as typed arrays.
    """
    return page.evaluate(
        """(titlePart) => {
            const points = [];
            for (const plot of document.querySelectorAll('.js-plotly-plot')) {
                const title = ((plot.layout && plot.layout.title && plot.layout.title.text) || '').replace(/<br>/g, ' ');
                if (!title.includes(titlePart)) continue;
                for (const trace of plot._fullData) {
                    (trace.x || []).forEach((x, i) => points.push([trace.name, String(x), Number(trace.y[i])]));
                }
            }
            return points;
        }""",
        title_part,
    )


def test_fellow_self_assessment_appears_in_the_progress_chart(tmp_path, page):
    with running_app(tmp_path / "new-demo.duckdb") as app:  # a new database: the app builds the demo program
        sign_in(page, app.url, "fellow@demo.org")
        assert exception_boxes(page) == 0
        open_page(page, "Assessments")
        groups = page.get_by_role("radiogroup")
        groups.nth(8).wait_for(timeout=30000)
        assert groups.count() == 9
        for group in groups.all():
            choose(group.get_by_role("radio", name="2 Rarely"))
        page.get_by_role("button", name="Submit").click()
        page.get_by_text("Saved: Good-mentee qualities: my self-assessment for 2026 Q4").wait_for(timeout=30000)

        open_page(page, "My progress")
        page.wait_for_selector(".js-plotly-plot")
        average = [p for p in chart_points(page, "over time") if p[0] == "Average" and p[1] == "2026 Q4"]
        assert average == [["Average", "2026 Q4", 2.0]]
        heatmap_cells = page.evaluate(
            """() => [...document.querySelectorAll('.js-plotly-plot')]
                .filter(p => (p.layout.title.text || '').replace(/<br>/g, ' ').includes('every rating'))
                .map(p => { const t = p._fullData[0]; const col = t.x.indexOf('2026 Q4');
                            return t.z.map(row => row[col]); })[0]"""
        )
        assert heatmap_cells == [2] * 9
        assert exception_boxes(page) == 0


EXPECTED_PAGES = {
    "fellow@demo.org": [
        "Home",
        "Assessments",
        "My progress",
        "Two views",
        "My goals",
        "My mentors",
        "My outputs",
        "Meetings",
        "Agreement",
        "Pair health",
        "What my mentors see",
        "My account",
        "Help",
    ],
    "mentor@demo.org": [
        "Home",
        "Assessments",
        "My progress",
        "Two views",
        "My mentees",
        "Meetings",
        "Agreement",
        "Pair health",
        "My account",
        "Help",
    ],
    "director@demo.org": [
        "Home",
        "Pair health",
        "Program dashboard",
        "People",
        "Mentoring pairs",
        "Program settings",
        "Import from REDCap",
        "Backup",
        "My account",
        "Help",
    ],
}


@pytest.mark.parametrize("email", sorted(EXPECTED_PAGES))
def test_each_demo_account_sees_only_its_pages_and_each_renders(tmp_path, page, email):
    with running_app(tmp_path / "demo.duckdb") as app:
        sign_in(page, app.url, email)
        links = page.get_by_test_id("stSidebarNav").get_by_role("link")
        names = [links.nth(i).inner_text().strip().split("\n")[-1] for i in range(links.count())]  # after the icon
        assert names == EXPECTED_PAGES[email]
        for name in names:
            open_page(page, name)
            assert exception_boxes(page) == 0, f"{email} on {name}"
            if name in ("My progress", "Two views", "My goals", "Program dashboard"):
                page.wait_for_selector(".js-plotly-plot", timeout=30000)  # the charts are drawn
