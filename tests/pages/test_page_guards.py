"""Every page checks the viewer itself: run directly (as a new server's first request does), it shows
nothing to a visitor who has not signed in, nor to a signed-in person without the page's role."""

from datetime import datetime

import pytest
from streamlit.testing.v1 import AppTest

from analytics import auth
from tests.pages.conftest import PAGES, TIMEOUT, open_page, texts

# Who may open each page. A new page must be added here, or this test fails.
PAGE_ROLES = {
    "home.py": {"fellow", "mentor", "director"},
    "assessments.py": {"fellow", "mentor"},
    "progress.py": {"fellow", "mentor"},
    "account.py": {"fellow", "mentor", "director"},
    "feedback.py": {"fellow", "mentor"},
    "sharing.py": {"fellow"},
    "mentees.py": {"mentor"},
    "people.py": {"director"},
    "pairs.py": {"director"},
    "goals.py": {"fellow"},
    "meetings.py": {"fellow", "mentor"},
    "agreement.py": {"fellow", "mentor"},
    "health.py": {"fellow", "mentor", "director"},
    "network.py": {"fellow"},
    "outputs.py": {"fellow"},
    "dashboard.py": {"director"},
    "backup.py": {"director"},
    "settings.py": {"director"},
    "redcap_import.py": {"director"},
    "help.py": {"fellow", "mentor", "director"},
}
DEMO = {"fellow": "fellow@demo.org", "mentor": "mentor@demo.org", "director": "director@demo.org"}
DATA_ELEMENTS = ("dataframe", "plotly_chart", "metric", "radio", "table")


def page_files() -> list[str]:
    return sorted(path.name for path in PAGES.glob("*.py"))


def test_every_page_has_a_rule():
    assert page_files() == sorted(PAGE_ROLES)


def shows_data(at: AppTest) -> bool:
    return any(len(at.get(kind)) for kind in DATA_ELEMENTS)


@pytest.mark.parametrize("page", page_files())
def test_a_visitor_who_has_not_signed_in_sees_nothing(demo_db, page):
    at = AppTest.from_file(str(PAGES / page), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert "This page is not available" in texts(at)
    assert not shows_data(at)
    assert "Welcome" not in texts(at)


@pytest.mark.parametrize("page", page_files())
@pytest.mark.parametrize("role", sorted(DEMO))
def test_a_page_opens_only_for_its_roles(demo_db, app_store, page, role):
    at = open_page(app_store, page, DEMO[role])
    allowed = role in PAGE_ROLES[page]
    assert ("This page is not available" in texts(at)) is not allowed
    if not allowed:
        assert not shows_data(at)


@pytest.mark.parametrize("page", page_files())
def test_a_signed_out_token_opens_nothing(demo_db, app_store, page):
    token = auth.sign_in(app_store, "fellow@demo.org", "demo", datetime.now())
    auth.sign_out(app_store, token, datetime.now())
    at = AppTest.from_file(str(PAGES / page), default_timeout=TIMEOUT)
    at.session_state["sign_in_token"] = token
    at.run()
    assert "This page is not available" in texts(at)
    assert not shows_data(at)
