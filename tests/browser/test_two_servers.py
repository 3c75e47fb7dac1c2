"""Two app servers on one PostgreSQL database (issue 16): what one stores, the other shows on its next rerun.

Both are real `streamlit run serve.py` processes with MENTORSHIP_DB set to the same postgresql:// URL,
each driven by its own browser context (its own cookies, its own websocket). The fellow opens My goals
on server B, creates a goal on server A, then moves on server B (a rerun, no reload): B must show it.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import exception_boxes, sign_in, wait_for_app
from tests.browser.server import running_app

pytestmark = pytest.mark.browser
TITLE = "Present a poster at the spring meeting"


def active_goals(page) -> int:
    """The "Active" figure above the fellow's goals."""
    metric = page.get_by_test_id("stMetric").filter(has_text="Active")
    expect(metric).to_have_count(1, timeout=30000)
    return int(metric.get_by_test_id("stMetricValue").inner_text())


def open_my_goals(page) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="My goals", exact=True).click()
    page.get_by_role("heading", name="My goals", exact=True).wait_for(timeout=30000)
    wait_for_app(page)


def test_a_goal_created_on_one_server_shows_on_the_others_next_rerun(tmp_path, browser, postgres_cluster):
    url = postgres_cluster.create_database("two_servers")
    # One after the other: the first fills the new database with the demo program before it answers.
    with (
        running_app(tmp_path / "unused-a.duckdb", database=url) as first,
        running_app(tmp_path / "unused-b.duckdb", database=url) as second,
    ):
        on_a = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        on_b = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        try:
            sign_in(on_b, second.url, "fellow@demo.org")
            open_my_goals(on_b)
            before = active_goals(on_b)

            sign_in(on_a, first.url, "fellow@demo.org")
            open_my_goals(on_a)
            on_a.get_by_label("Title (what, specifically)", exact=True).fill(TITLE)
            on_a.get_by_role("button", name="Create goal").click()
            on_a.get_by_text(f"Goal created: {TITLE}").wait_for(timeout=30000)
            wait_for_app(on_a)
            assert active_goals(on_a) == before + 1

            # Server B's next rerun: moving to Home and back to My goals, in the same tab and session.
            on_b.get_by_test_id("stSidebarNav").get_by_role("link", name="Home", exact=True).click()
            wait_for_app(on_b)
            open_my_goals(on_b)
            assert active_goals(on_b) == before + 1, "server B still shows what it read before server A's write"
            assert exception_boxes(on_a) == 0 and exception_boxes(on_b) == 0
        finally:
            on_a.context.close()
            on_b.context.close()
