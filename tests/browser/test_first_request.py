"""A freshly started server whose first request is a page's address (a bookmark after a restart) shows the
sign-in form there, and nothing of any page. With a `pages/` folder Streamlit 1.67 ran that page's file alone,
without app.py: the guard's sentence and a sidebar of raw file names. The screens live in app_pages/."""

import pytest

from tests.browser.conftest import wait_for_app
from tests.browser.server import ROOT, running_app

pytestmark = pytest.mark.browser

PAGE_NAMES = sorted(path.stem for path in (ROOT / "app_pages").glob("*.py"))
DATA = '.js-plotly-plot, [data-testid="stDataFrame"], [data-testid="stMetric"], [data-testid="stRadio"]'


def test_the_screens_are_not_in_a_folder_streamlit_discovers():
    assert not (ROOT / "pages").exists()
    assert len(PAGE_NAMES) >= 18


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_first_request_to_a_page_shows_the_sign_in_form_and_no_data(tmp_path, page, name):
    with running_app(tmp_path / "demo.duckdb") as app:
        page.goto(f"{app.url}/{name}")
        page.get_by_role("button", name="Sign in").wait_for(timeout=60000)
        wait_for_app(page)
        body = page.inner_text("body")
        assert page.locator(DATA).count() == 0
        assert "Welcome" not in body
        assert "This page is not available" not in body
        assert page.get_by_test_id("stSidebarNav").count() == 0  # the raw file names were listed there
