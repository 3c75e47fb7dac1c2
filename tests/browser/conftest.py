"""Browser tests: the real server in a subprocess, driven by Playwright in Debian's headless Chromium.

Without Chromium they skip with the reason locally, and fail when CI=true: CI must run them.
"""

import os

import pytest
from playwright.sync_api import expect

from tests.browser.server import ROOT, chromium_path, launched_chromium

ARTIFACTS = ROOT / "test-artifacts"  # screenshots of failed browser tests (git-ignored)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        message = "Debian's chromium is not installed (apt-get install chromium); browser tests need it"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message + " and CI must run them")
        pytest.skip(message)
    with launched_chromium(path) as launched:
        yield launched


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    yield opened
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        ARTIFACTS.mkdir(exist_ok=True)
        opened.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def wait_for_app(page, timeout: int = 30000) -> None:
    """Streamlit has finished a run: the main block is there, its app root says `notRunning` (the attribute
    Streamlit's own e2e tests read) and the status widget is gone. The short pause after it lets the browser
    draw what the run sent; every test then waits for the element or text it means."""
    page.wait_for_selector('[data-testid="stMain"]', timeout=timeout)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout)
    page.wait_for_timeout(300)


def sign_in(page, url: str, email: str, password: str = "demo") -> None:
    page.goto(url)
    wait_for_app(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Welcome").wait_for(timeout=30000)
    wait_for_app(page)


def choose(radio) -> None:
    """Choose one rating point as a person does: click its visible label once it has stopped moving.

    The input itself is visually hidden, and a forced click skips Playwright's stability check: while a rerun
    opens an expander above the form the click can land beside it (seen on CI). The label's click waits for a
    stable, hit-testable target, and the check after it waits for the state it means."""
    radio.locator("xpath=ancestor::label[1]").click()
    expect(radio).to_be_checked()


def exception_boxes(page) -> int:
    return page.locator('[data-testid="stException"]').count()
