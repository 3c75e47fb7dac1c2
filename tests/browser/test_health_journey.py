"""A mentor in a real browser: from Pair health's list of their pairs, most in need first, to one pair's
evidence, with the guidance's advice. Leaves a full-page screenshot in test-artifacts/ to look at."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import exception_boxes, sign_in, wait_for_app
from tests.browser.server import running_app
from tests.browser.test_growth_journeys import screenshot

pytestmark = pytest.mark.browser


def test_a_mentor_goes_from_the_health_list_to_a_pairs_evidence(tmp_path, page):
    with running_app(tmp_path / "demo.duckdb") as app:
        sign_in(page, app.url, "mentor@demo.org")
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Pair health", exact=True).click()
        page.get_by_role("heading", name="My pairs", exact=True).wait_for(timeout=30000)
        wait_for_app(page)
        tables = page.get_by_test_id("stDataFrame")
        expect(tables.first).to_be_visible(timeout=30000)
        # The list, most in need first: the first pair's summary begins with its health.
        first = page.get_by_test_id("stMarkdown").filter(has_text="Weakest step").first
        expect(first).to_be_visible(timeout=30000)

        summaries = """() => [...document.querySelectorAll('[data-testid="stMarkdown"]')].map((m) => m.innerText).join('|')"""
        before = page.evaluate(summaries)
        box = page.get_by_test_id("stSelectbox").filter(has_text="Pair")
        box.click()
        options = page.get_by_role("option")
        expect(options).to_have_count(6, timeout=30000)  # the demo mentor's six pairs
        second = options.nth(1).inner_text()
        options.nth(1).click()
        wait_for_app(page)
        # The chosen pair's evidence: its label in the box, its evidence table with the guidance's step beside
        # each line, and nothing stale from the run before.
        expect(box.locator("input")).to_have_value(second, timeout=30000)
        # The run for the chosen pair has finished: its summary replaced the first pair's, nothing is stale.
        page.wait_for_function(
            f"""(before) => ({summaries})() !== before && !document.querySelector('[data-stale="true"]')""",
            arg=before,
            timeout=30000,
        )
        wait_for_app(page)
        expect(page.get_by_test_id("stDataFrame")).to_have_count(2, timeout=30000)
        expect(page.get_by_text("Download CSV")).to_have_count(2)
        evidence = page.get_by_test_id("stDataFrame").nth(1)
        expect(evidence).to_be_visible()
        expect(page.get_by_test_id("stMarkdown").filter(has_text="The guidance:")).to_be_visible()
        assert exception_boxes(page) == 0
        screenshot(page, "pair-health-mentor")
