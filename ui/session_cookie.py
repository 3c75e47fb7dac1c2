"""Staying signed in: an HttpOnly cookie holds the session token of a local (email and password) sign-in.

The cookie, `mentorship_session`, holds the opaque random token of a row of `sign_in_sessions` (the
database keeps only its SHA-256), flagged `HttpOnly; SameSite=Strict; Path=/`; over https it is `Secure`
and named `__Host-mentorship_session` (the browser then refuses one set by a sibling subdomain or for
another path, and one sent over plain http),
and no `Max-Age`: it ends when the browser closes (a shared ward computer opens signed out for the next
person), and the session behind it ends 12 hours after sign-in at the latest (auth.SESSION_LIFETIME). Every
script run reads it from `st.context.cookies` (the cookies of the websocket's request) and checks it
with `auth.viewer_for_token`, as it checks the token the tab keeps: an ended, expired or forged
token signs nobody in.

How the cookie gets set. A script run answers over the websocket and cannot set a cookie; only an
HTTP response can, and an HttpOnly one only from the server. So after a sign-in the script stores a
single-use handoff code (auth.open_handoff: hashed, sealed, good for a minute) and renders a tiny
script (`st.html(..., unsafe_allow_javascript=True)`, which Streamlit 1.67 runs in the page itself,
not in an iframe) that POSTs the code with a same-origin `fetch` to the app's own route
(EXCHANGE_PATH, served by serve.py through st.App's `routes`); the route answers `204` with the
`Set-Cookie`. Chosen over the other ways because it uses public APIs only and keeps the page: a
top-level navigation to the route and a 303 back (what st.login does) needs the private
`ForwardMsg.auth_redirect` or a `window.location` script anyway, reloads the whole app, and would put
the code in a URL (history, logs). The token itself never reaches the page or a URL.

The routes are guarded against cross-site requests (login CSRF: a page elsewhere making a browser
take the attacker's session): they accept only a POST whose `Origin` names this server's own host
(and, where the browser sends `Sec-Fetch-Site`, says `same-origin`). Their database work runs in a
worker thread (`run_in_threadpool`), on the store every script run of the process shares
(ui.resources.open_resources; DuckDB locks the file to one process).

Signing out ends the session in the database first, so a cookie left behind opens nothing; the
script then asks END_PATH to clear the cookie as well.
"""

import json
import logging
from datetime import datetime
from urllib.parse import urlsplit

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from analytics import auth
from analytics.errors import StoreError
from analytics.instruments import InstrumentError
from ui.resources import AppResources, now, open_resources

log = logging.getLogger(__name__)

COOKIE_NAME = "mentorship_session"  # over plain http (a laptop, a test server)
SECURE_COOKIE_NAME = "__Host-" + COOKIE_NAME  # over https: Secure, Path=/, no Domain, as the prefix demands
EXCHANGE_PATH = "/_mentorship/session"  # POST {"code": ...}: the handoff code for the cookie
END_PATH = "/_mentorship/session/end"  # POST: end the cookie's session and clear the cookie
HANDOFF_KEY = "sign_in_handoff"  # session_state: the handoff code this tab has yet to exchange
FORGET_KEY = "sign_in_forget_cookie"  # session_state: the browser's cookie is to be cleared


def cookie_token() -> str | None:
    """The session token in this browser's cookie, as the websocket's request carried it (None if none)."""
    for name in (SECURE_COOKIE_NAME, COOKIE_NAME):
        token = st.context.cookies.get(name)
        if isinstance(token, str) and token:
            return token
    return None


def hand_off(resources: AppResources, token: str) -> None:
    """After a sign-in: have the browser keep `token` in the cookie (the next run sends the script)."""
    st.session_state.pop(FORGET_KEY, None)
    st.session_state[HANDOFF_KEY] = auth.open_handoff(resources.store, token, now(resources.settings))


def forget() -> None:
    """After a sign-out: have the browser clear the cookie (the next run sends the script)."""
    st.session_state.pop(HANDOFF_KEY, None)
    st.session_state[FORGET_KEY] = True


def send_to_browser(resources: AppResources) -> None:
    """The script that sets or clears the cookie, while this tab has one to send. Call it on every run.

    The handoff script is sent again on each run until the code is spent or expired, so a run that
    replaced the page before the browser ran it costs nothing; the same element is not run twice.
    """
    code = st.session_state.get(HANDOFF_KEY)
    if code is not None:
        if auth.handoff_pending(resources.store, code, now(resources.settings)):
            _script(EXCHANGE_PATH, {"code": code})
        else:
            del st.session_state[HANDOFF_KEY]
    elif st.session_state.pop(FORGET_KEY, False):
        _script(END_PATH, {})


def _script(path: str, body: dict) -> None:
    # The body is the app's own JSON (a URL-safe code), never anything a person typed.
    options = {"method": "POST", "credentials": "same-origin", "headers": {"Content-Type": "application/json"}}
    options["body"] = json.dumps(body)
    st.html(
        f"<script data-session-cookie>fetch({json.dumps(path)}, {json.dumps(options)});</script>"
        # The element shows nothing; without this its container would still take a row's gap at the top.
        '<style>[data-testid="stElementContainer"]:has(script[data-session-cookie]) {display: none}</style>',
        unsafe_allow_javascript=True,
        width="content",
    )


# -- the routes (served by serve.py) ---------------------------------------------------------------


def _same_origin(request: Request) -> bool:
    """True for a request the app's own page made: its Origin names this server's host."""
    origin = request.headers.get("origin")
    host = request.headers.get("host")
    if not origin or not host or urlsplit(origin).netloc.lower() != host.lower():
        return False
    return request.headers.get("sec-fetch-site", "same-origin") == "same-origin"


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("origin", "").startswith("https://")


def _exchange(code: object) -> tuple[str, int] | None:
    resources = open_resources()
    current = now(resources.settings)
    found = auth.exchange_handoff(resources.store, code, current)
    if found is None:
        return None
    token, expires_at = found
    return token, expires_in(expires_at, current)


def _end(token: str | None) -> None:
    if token:
        resources = open_resources()
        auth.sign_out(resources.store, token, now(resources.settings))


async def exchange_route(request: Request) -> Response:
    """POST {"code": handoff code}: 204 with the session's cookie, or 403 / 400 and no cookie."""
    if not _same_origin(request):
        return Response("Only this app's own pages may sign in here.", status_code=403, media_type="text/plain")
    try:
        body = await request.json()
    except ValueError:
        body = None
    code = body.get("code") if isinstance(body, dict) else None
    try:
        found = await run_in_threadpool(_exchange, code)
    except (StoreError, InstrumentError):
        log.exception("the sign-in cookie could not be set: the database did not open")
        return Response("The database is not available.", status_code=503, media_type="text/plain")
    if found is None:
        log.info("a sign-in handoff code was refused (wrong, used or expired)")
        return Response("This sign-in cannot be kept; sign in again.", status_code=400, media_type="text/plain")
    token, _seconds_left = found
    response = Response(status_code=204)
    # No max_age: a browser session's cookie, gone when the browser closes; the database ends the session anyway.
    secure = _secure(request)
    name = SECURE_COOKIE_NAME if secure else COOKIE_NAME
    response.set_cookie(name, token, path="/", secure=secure, httponly=True, samesite="strict")
    return response


async def end_route(request: Request) -> Response:
    """POST: end the session the cookie names (if any) and clear the cookie; 204, or 403 from elsewhere."""
    if not _same_origin(request):
        return Response("Only this app's own pages may sign out here.", status_code=403, media_type="text/plain")
    try:
        await run_in_threadpool(_end, request.cookies.get(SECURE_COOKIE_NAME) or request.cookies.get(COOKIE_NAME))
    except (StoreError, InstrumentError):
        log.exception("the sign-in cookie's session could not be ended: the database did not open")
    response = Response(status_code=204)
    secure = _secure(request)
    response.delete_cookie(
        SECURE_COOKIE_NAME if secure else COOKIE_NAME, path="/", secure=secure, httponly=True, samesite="strict"
    )
    return response


def routes() -> list[Route]:
    """The app's own HTTP routes for the cookie, for st.App(routes=...)."""
    return [Route(EXCHANGE_PATH, exchange_route, methods=["POST"]), Route(END_PATH, end_route, methods=["POST"])]


def expires_in(expires_at: datetime, current: datetime) -> int:
    """Seconds from `current` to `expires_at`, never negative (the cookie's Max-Age)."""
    return max(int((expires_at - current).total_seconds()), 0)
