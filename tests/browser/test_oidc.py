"""Sign-in through an institution (OpenID Connect, Streamlit's st.login) end to end in a real browser.

The provider is oidc-provider-mock, run in this process on a loopback port; the app gets an [auth]
section naming it. The browser may reach loopback addresses only: every other request is aborted
(the mock's pages link a stylesheet on a CDN, which is not needed to use them).
"""

import json
import secrets
import threading
import urllib.request
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote, urlsplit

import pytest
import werkzeug.serving

from tests.browser.conftest import exception_boxes, wait_for_app
from tests.browser.server import free_port, running_app

with warnings.catch_warnings():  # oidc-provider-mock 0.3.4 imports Authlib modules that Authlib 1.9 deprecates
    import authlib.deprecate  # noqa: F401 - first: on import it puts an "always" filter for its warnings in front

    warnings.simplefilter("ignore", DeprecationWarning)
    import oidc_provider_mock

pytestmark = [
    pytest.mark.browser,
    # The mock calls Authlib APIs that Authlib 1.9 deprecates; in this process only the mock runs Authlib.
    pytest.mark.filterwarnings("ignore::DeprecationWarning:authlib.*"),
]

NO_MATCH = "Your institution's account has no matching person in this program"
DATA = '.js-plotly-plot, [data-testid="stDataFrame"], [data-testid="stMetric"], [data-testid="stRadio"]'
LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}


@contextmanager
def oidc_provider() -> Iterator[str]:
    """oidc-provider-mock on a free loopback port, in a thread; yields its issuer URL."""
    server = werkzeug.serving.make_server("127.0.0.1", 0, oidc_provider_mock.app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def add_provider_user(issuer: str, sub: str, claims: dict[str, object]) -> None:
    """The mock's API: the claims it puts in the ID token of the user `sub`."""
    request = urllib.request.Request(
        f"{issuer}/users/{quote(sub, safe='')}",
        data=json.dumps(claims).encode(),
        headers={"Content-Type": "application/json"},
        method="PUT",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 204


def auth_secrets(issuer: str, app_port: int) -> str:
    return f"""
[auth]
redirect_uri = "http://127.0.0.1:{app_port}/oauth2callback"
cookie_secret = "{secrets.token_hex(32)}"
client_id = "mentorship-dashboard"
client_secret = "{secrets.token_hex(16)}"
server_metadata_url = "{issuer}/.well-known/openid-configuration"
"""


@pytest.fixture
def loopback_only(page):
    """Abort every request of the browser page that leaves the machine; yields the aborted URLs."""
    aborted: list[str] = []

    def handle(route):
        url = route.request.url
        if url.startswith(("http:", "https:", "ws:", "wss:")) and urlsplit(url).hostname not in LOOPBACK:
            aborted.append(url)
            route.abort()
        else:
            route.continue_()

    page.context.route("**/*", handle)
    yield aborted


@contextmanager
def app_with_provider(tmp_path, sub: str, claims: dict[str, object]) -> Iterator[str]:
    with oidc_provider() as issuer:
        add_provider_user(issuer, sub, claims)
        port = free_port()
        with running_app(tmp_path / "demo.duckdb", secrets=auth_secrets(issuer, port), port=port) as app:
            yield app.url


def sign_in_with_institution(page, url: str, sub: str) -> None:
    """Start at the app, press the institution button, authorise `sub` on the provider's form."""
    page.goto(url)
    wait_for_app(page)
    page.get_by_role("button", name="Sign in with your institution").click()
    page.get_by_role("heading", name="Authorize Client").wait_for(timeout=30000)
    page.get_by_placeholder("sub").fill(sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{url}/**", timeout=30000)


def sidebar_pages(page) -> list[str]:
    nav = page.get_by_test_id("stSidebarNav")
    if nav.count() == 0:
        return []
    links = nav.get_by_role("link")
    return [links.nth(i).inner_text().strip().split("\n")[-1] for i in range(links.count())]  # after the icon


def auth_cookies(page) -> set[str]:
    return {cookie["name"] for cookie in page.context.cookies() if cookie["name"].startswith("_streamlit_user")}


def assert_signed_in_as_demo_mentor(page) -> None:
    page.get_by_role("heading", name="Welcome").wait_for(timeout=30000)
    wait_for_app(page)
    assert "My mentees" in sidebar_pages(page)
    assert page.get_by_role("button", name="Sign in with your institution").count() == 0
    assert exception_boxes(page) == 0


def test_institution_sign_in_lands_as_the_mentor_survives_a_reload_and_signs_out(tmp_path, page, loopback_only):
    # The provider's subject is not an email: the app must match the person by the email claim.
    with app_with_provider(tmp_path, "mentor-0001", {"email": "mentor@demo.org", "name": "Demo Mentor"}) as url:
        sign_in_with_institution(page, url, "mentor-0001")
        assert_signed_in_as_demo_mentor(page)
        assert "_streamlit_user" in auth_cookies(page)

        page.reload()  # st.login's own cookie keeps this sign-in (a local one is kept by mentorship_session)
        assert_signed_in_as_demo_mentor(page)

        # Signing out ends st.login's cookie too (st.logout, through the provider's end-session page).
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="My account").click()
        page.get_by_text("You signed in through your institution").wait_for(timeout=30000)
        wait_for_app(page)
        page.get_by_role("button", name="Sign out", exact=True).click()
        page.get_by_role("button", name="End session").click()
        page.get_by_role("button", name="Sign in with your institution").wait_for(timeout=30000)
        wait_for_app(page)
        assert auth_cookies(page) == set()
        page.reload()
        page.get_by_role("button", name="Sign in with your institution").wait_for(timeout=30000)
        wait_for_app(page)
        assert "Welcome" not in page.inner_text("body")
        assert page.get_by_text(NO_MATCH).count() == 0
        assert exception_boxes(page) == 0


def test_institution_account_without_a_person_sees_an_error_and_no_data(tmp_path, page, loopback_only):
    with app_with_provider(tmp_path, "stranger-0001", {"email": "stranger@elsewhere.example"}) as url:
        sign_in_with_institution(page, url, "stranger-0001")
        page.get_by_text(NO_MATCH).wait_for(timeout=30000)
        wait_for_app(page)
        body = page.inner_text("body")
        assert "Welcome" not in body
        assert page.locator(DATA).count() == 0
        assert sidebar_pages(page) in ([], ["Sign in"])
        assert exception_boxes(page) == 0

        page.reload()  # still no way in, and still told why
        page.get_by_text(NO_MATCH).wait_for(timeout=30000)
        wait_for_app(page)
        assert page.locator(DATA).count() == 0
        assert exception_boxes(page) == 0
