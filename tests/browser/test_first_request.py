"""A freshly started server whose first request is a page's URL runs that page file directly,
without app.py (seen with Streamlit 1.67): the page's own guard must show no data."""

import re

import pytest

from tests.browser.conftest import wait_for_app
from tests.browser.server import ROOT, running_app

pytestmark = pytest.mark.browser

PAGE_NAMES = sorted(path.stem for path in (ROOT / "pages").glob("*.py"))
DATA = '.js-plotly-plot, [data-testid="stDataFrame"], [data-testid="stMetric"], [data-testid="stRadio"]'


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_first_request_to_a_page_shows_no_data(tmp_path, page, name):
    with running_app(tmp_path / "demo.duckdb") as app:
        page.goto(f"{app.url}/{name}")
        # The guard's message (or the sign-in page, if Streamlit routed through app.py after all).
        page.get_by_text(re.compile("This page is not available|Sign in")).first.wait_for(timeout=60000)
        wait_for_app(page)
        body = page.inner_text("body")
        assert page.locator(DATA).count() == 0
        assert "Welcome" not in body
