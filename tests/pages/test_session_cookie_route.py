"""The app's own routes for the sign-in cookie (ui/session_cookie.py), through Starlette's TestClient, on the
store the app's script runs share (ui.resources.open_resources)."""

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from analytics import auth
from ui.resources import now, open_resources
from ui.session_cookie import COOKIE_NAME, END_PATH, EXCHANGE_PATH, SECURE_COOKIE_NAME, routes

SAME_ORIGIN = {"Origin": "http://testserver"}


@pytest.fixture
def store(demo_db):
    return open_resources().store  # the app's own store object, as the route opens it


@pytest.fixture
def client(demo_db):
    with TestClient(Starlette(routes=routes())) as opened:
        yield opened


def handoff(store, email: str = "fellow@demo.org") -> tuple[str, str]:
    token = auth.sign_in(store, email, "demo", now())
    return token, auth.open_handoff(store, token, now())


def set_cookie(response) -> str:
    return "; ".join(response.headers.get_list("set-cookie"))


def test_a_handoff_code_from_the_app_s_own_page_sets_the_httponly_cookie_once(store, client):
    token, code = handoff(store)
    response = client.post(EXCHANGE_PATH, json={"code": code}, headers=SAME_ORIGIN)
    assert response.status_code == 204
    header = set_cookie(response)
    assert header.startswith(f"{COOKIE_NAME}={token};")
    assert "HttpOnly" in header and "SameSite=strict" in header and "Path=/" in header and "Secure" not in header
    assert "Max-Age" not in header and "expires" not in header.lower()  # ends with the browser (a shared computer)

    again = client.post(EXCHANGE_PATH, json={"code": code}, headers=SAME_ORIGIN)
    assert again.status_code == 400 and not set_cookie(again)  # single use


@pytest.mark.parametrize(
    "headers",
    [
        {},  # no Origin at all
        {"Origin": "https://evil.example"},  # another site's page (login CSRF)
        {"Origin": "http://testserver.evil.example"},
        {"Origin": "http://testserver", "Sec-Fetch-Site": "cross-site"},
    ],
)
def test_a_request_from_elsewhere_is_refused_and_spends_nothing(store, client, headers):
    _token, code = handoff(store)
    response = client.post(EXCHANGE_PATH, json={"code": code}, headers=headers)
    assert response.status_code == 403 and not set_cookie(response)
    assert auth.handoff_pending(store, code, now())


@pytest.mark.parametrize("body", [{"code": "x" * 43}, {"code": None}, {}, [], "not json"])
def test_a_wrong_code_or_body_sets_no_cookie(store, client, body):
    handoff(store)
    kwargs = {"content": body} if isinstance(body, str) else {"json": body}
    response = client.post(EXCHANGE_PATH, headers=SAME_ORIGIN, **kwargs)
    assert response.status_code == 400 and not set_cookie(response)


def test_only_post_is_answered(client):
    assert client.get(EXCHANGE_PATH).status_code == 405
    assert client.get(END_PATH).status_code == 405


def test_over_https_the_cookie_is_secure_and_host_only(store, demo_db):
    token, code = handoff(store)
    https = {"Origin": "https://testserver"}
    with TestClient(Starlette(routes=routes()), base_url="https://testserver") as client:
        response = client.post(EXCHANGE_PATH, json={"code": code}, headers=https)
        header = set_cookie(response)
        assert response.status_code == 204 and header.startswith(f"{SECURE_COOKIE_NAME}={token};")
        assert "Secure" in header and "Path=/" in header and "Domain" not in header  # what __Host- demands
        ended = client.post(END_PATH, headers=https)  # the client sends the cookie back
    assert ended.status_code == 204 and set_cookie(ended).startswith(f'{SECURE_COOKIE_NAME}=""')
    assert auth.viewer_for_token(store, token, now()) is None


def test_ending_clears_the_cookie_and_ends_its_session(store, client):
    token, _code = handoff(store)
    client.cookies.set(COOKIE_NAME, token)
    refused = client.post(END_PATH, headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403 and auth.viewer_for_token(store, token, now()) is not None
    response = client.post(END_PATH, headers=SAME_ORIGIN)
    assert response.status_code == 204
    header = set_cookie(response)
    assert header.startswith(f'{COOKIE_NAME}=""') and "Max-Age=0" in header and "HttpOnly" in header
    assert auth.viewer_for_token(store, token, now()) is None
