"""Staying signed in, in a real browser: the HttpOnly cookie keeps a local sign-in across reloads, new tabs
and bookmarks; sign out, sign out everywhere and a password change end it; a forged cookie opens nothing.

A browser context is one browser profile (its own cookies); a page is a tab of it.
"""

import secrets

import pytest

from tests.browser.conftest import exception_boxes, wait_for_app
from tests.browser.server import running_app
from ui.session_cookie import COOKIE_NAME, END_PATH, EXCHANGE_PATH

pytestmark = pytest.mark.browser

WAIT = 60000  # ms: the machine is shared; every wait is for a state, never a pause
ROLES = {  # the demo account of each role, and a page only that role's menu has
    "fellow": ("fellow@demo.org", "My goals"),
    "mentor": ("mentor@demo.org", "My mentees"),
    "director": ("director@demo.org", "Program dashboard"),
}


@pytest.fixture(scope="module")
def app(tmp_path_factory, browser):
    """A server that has served its first visitor at the start address, so every test here starts alike."""
    with running_app(tmp_path_factory.mktemp("sign-in-cookie") / "demo.duckdb") as running:
        first = browser.new_context()
        page = first.new_page()
        page.goto(running.url)
        sign_in_form(page)
        first.close()
        yield running


@pytest.fixture
def context(browser):
    opened = browser.new_context(viewport={"width": 1280, "height": 900})
    yield opened
    opened.close()


@pytest.fixture
def other_context(browser):
    """A second browser (profile): nothing of the first one's cookies."""
    opened = browser.new_context(viewport={"width": 1280, "height": 900})
    yield opened
    opened.close()


def sign_in_form(page) -> None:
    """Wait for the sign-in form, drawn by a finished run."""
    page.get_by_role("button", name="Sign in").wait_for(timeout=WAIT)
    wait_for_app(page, timeout=WAIT)


def signed_in_home(page) -> None:
    page.get_by_role("heading", name="Welcome").wait_for(timeout=WAIT)
    wait_for_app(page, timeout=WAIT)


def sign_in(page, email: str, password: str = "demo") -> None:
    """Fill in the form on the page shown, and wait until the browser holds the cookie (the route's 204)."""
    sign_in_form(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    with page.expect_response(lambda r: r.url.endswith(EXCHANGE_PATH) and r.status == 204, timeout=WAIT):
        page.get_by_role("button", name="Sign in").click()
    wait_for_app(page, timeout=WAIT)


def signed_in_page(context, url: str, email: str):
    page = context.new_page()
    page.goto(url)
    sign_in(page, email)
    signed_in_home(page)
    return page


def menu(page) -> list[str]:
    """The titles in the sidebar's menu (each link's last line; the first is its icon's name)."""
    return [text.split("\n")[-1] for text in page.get_by_test_id("stSidebarNav").get_by_role("link").all_inner_texts()]


def session_cookie(context) -> dict | None:
    return next((cookie for cookie in context.cookies() if cookie["name"] == COOKIE_NAME), None)


def no_page_not_found(page) -> bool:
    return page.get_by_text("Page not found").count() == 0


@pytest.mark.parametrize("role", list(ROLES))
def test_a_reload_keeps_each_role_signed_in(app, context, role):
    email, own_page = ROLES[role]
    page = signed_in_page(context, app.url, email)
    page.reload()
    signed_in_home(page)
    assert own_page in menu(page)
    assert exception_boxes(page) == 0


def test_a_new_tab_is_signed_in_and_a_bookmarked_page_opens_there(app, context):
    signed_in_page(context, app.url, "fellow@demo.org")
    tab = context.new_page()
    tab.goto(app.url)
    signed_in_home(tab)
    bookmark = context.new_page()
    bookmark.goto(app.url + "/meetings")
    bookmark.get_by_role("heading", name="Meetings", exact=True).first.wait_for(timeout=WAIT)
    wait_for_app(bookmark, timeout=WAIT)
    assert bookmark.url == app.url + "/meetings" and no_page_not_found(bookmark)


def test_a_bookmark_in_a_new_browser_shows_the_sign_in_form_there_then_opens_its_page(app, context):
    page = context.new_page()
    page.goto(app.url + "/goals")
    sign_in_form(page)
    assert page.url == app.url + "/goals" and no_page_not_found(page)
    sign_in(page, "fellow@demo.org")
    page.get_by_role("heading", name="My goals", exact=True).wait_for(timeout=WAIT)
    assert page.url == app.url + "/goals" and no_page_not_found(page) and exception_boxes(page) == 0


def test_a_bookmark_the_roles_do_not_allow_opens_home_after_sign_in(app, context):
    page = context.new_page()
    page.goto(app.url + "/dashboard")
    sign_in(page, "fellow@demo.org")
    signed_in_home(page)
    assert no_page_not_found(page) and "Program dashboard" not in menu(page)


def test_the_cookie_is_httponly_and_the_token_never_reaches_the_page(app, context):
    page = signed_in_page(context, app.url, "mentor@demo.org")
    cookie = session_cookie(context)
    assert cookie is not None and cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert cookie["expires"] == -1  # a browser session's cookie: closing the browser (a shared computer) ends it
    assert COOKIE_NAME not in page.evaluate("document.cookie")
    assert cookie["value"] not in page.content()


def test_sign_out_ends_the_session_and_clears_the_cookie(app, context):
    page = signed_in_page(context, app.url, "mentor@demo.org")
    token = session_cookie(context)["value"]
    other_tab = context.new_page()
    other_tab.goto(app.url)
    signed_in_home(other_tab)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="My account").click()
    page.get_by_role("heading", name="My account").wait_for(timeout=WAIT)
    with page.expect_response(lambda r: r.url.endswith(END_PATH) and r.status == 204, timeout=WAIT):
        page.get_by_role("button", name="Sign out", exact=True).click()
    sign_in_form(page)
    assert session_cookie(context) is None
    page.reload()
    sign_in_form(page)
    other_tab.reload()  # the other tab of the same browser
    sign_in_form(other_tab)
    # Even a copy of the old cookie kept elsewhere opens nothing: the session ended in the database.
    context.add_cookies([{"name": COOKIE_NAME, "value": token, "url": app.url}])
    page.reload()
    sign_in_form(page)


def test_sign_out_everywhere_ends_another_browser_s_session_at_its_next_run(app, context, other_context):
    mine = signed_in_page(context, app.url, "director@demo.org")
    elsewhere = signed_in_page(other_context, app.url, "director@demo.org")
    mine.get_by_test_id("stSidebarNav").get_by_role("link", name="My account").click()
    mine.get_by_role("heading", name="My account").wait_for(timeout=WAIT)
    mine.get_by_role("button", name="Sign out everywhere").click()
    sign_in_form(mine)
    # The other browser's next run, without a reload: a click in its menu shows the sign-in form there.
    elsewhere.get_by_test_id("stSidebarNav").get_by_role("link", name="People").click()
    sign_in_form(elsewhere)
    elsewhere.reload()
    sign_in_form(elsewhere)


def test_a_forged_cookie_signs_nobody_in(app, context):
    context.add_cookies([{"name": COOKIE_NAME, "value": secrets.token_urlsafe(32), "url": app.url}])
    page = context.new_page()
    page.goto(app.url + "/meetings")
    sign_in_form(page)
    assert page.get_by_role("heading", name="Welcome").count() == 0


def test_a_password_change_signs_another_browser_out(tmp_path, context, other_context):
    with running_app(tmp_path / "demo.duckdb") as app:  # its own server: the password stays changed
        mine = signed_in_page(context, app.url, "fellow@demo.org")
        elsewhere = signed_in_page(other_context, app.url, "fellow@demo.org")
        mine.get_by_test_id("stSidebarNav").get_by_role("link", name="My account").click()
        mine.get_by_role("heading", name="My account").wait_for(timeout=WAIT)
        mine.get_by_label("Current password").fill("demo")
        mine.get_by_label("New password (at least 8 characters)").fill("a much better one")
        mine.get_by_label("New password again").fill("a much better one")
        mine.get_by_role("button", name="Change password").click()
        mine.get_by_text("Your password is changed").wait_for(timeout=WAIT)
        elsewhere.reload()
        sign_in_form(elsewhere)
        mine.reload()  # the browser that changed it stays signed in, on the page it was on
        mine.get_by_role("heading", name="My account").wait_for(timeout=WAIT)
        wait_for_app(mine, timeout=WAIT)
        assert mine.get_by_role("button", name="Sign in").count() == 0
