"""Who is looking. Every page starts with `require_viewer`, so a page run without app.py shows nothing.

The session keeps only an opaque sign-in token; the person and their roles are looked up in the
database on every run. A tab that has none takes the browser's cookie (ui/session_cookie.py), so a
reload, a new tab or a bookmark stays signed in while that session lasts.
"""

import streamlit as st

from analytics import auth
from analytics.people import Viewer
from ui.data import run_counters
from ui.focus import focus_heading_if_moved
from ui.notices import show_notice
from ui.resources import AppResources, app_resources, now
from ui.session_cookie import cookie_token, forget, hand_off

TOKEN_KEY = "sign_in_token"


def oidc_configured() -> bool:
    """True when .streamlit/secrets.toml has an [auth] section for st.login."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def current_viewer(resources: AppResources) -> Viewer | None:
    """The person this tab's token (or, without one, the browser's cookie) signs in, checked now; else None."""
    token = st.session_state.get(TOKEN_KEY)
    if token is not None:
        viewer = auth.viewer_for_token(resources.store, token, now(resources.settings))
        if viewer is not None:
            return viewer
        del st.session_state[TOKEN_KEY]  # ended, expired or forged: forget it
    token = cookie_token()
    if token is not None:
        viewer = auth.viewer_for_token(resources.store, token, now(resources.settings))
        if viewer is not None:
            st.session_state[TOKEN_KEY] = token  # the tab's own from now on: My account and sign-out use it
            return viewer
    # An email the provider has not verified is no proof of who this is.
    if oidc_configured() and st.user.is_logged_in and st.user.get("email") and st.user.get("email_verified") is not False:
        return auth.viewer_for_email(resources.store, str(st.user.get("email")))
    return None


def require_viewer(*roles: str) -> tuple[AppResources, Viewer]:
    """The resources and viewer, or stop the page with "not available" for anyone else.

    Reads the change counters of the viewer's program and person (ui.data.run_counters): one small
    query per run, which every cached read of the run is keyed by.

    Shows the confirmation of what the viewer just did (ui.notices), so every page shows it, and moves
    the keyboard focus to it, or after a move to another page to the page's heading (ui.focus).
    """
    resources = app_resources()
    viewer = current_viewer(resources)
    if viewer is None or (roles and not any(viewer.has(role) for role in roles)):
        st.info("This page is not available. Sign in from the start page with an account that may open it.")
        st.stop()
    run_counters(resources, viewer, fresh=True)  # once per run: what this run's cached reads are keyed by
    notice_shown = show_notice()
    focus_heading_if_moved(move=not notice_shown)  # a confirmation takes the focus itself
    return resources, viewer


def remember_sign_in(resources: AppResources, token: str) -> None:
    """This tab is signed in with `token`, and the browser is to keep it in the cookie for reloads and new tabs."""
    st.session_state[TOKEN_KEY] = token
    hand_off(resources, token)


def sign_out(resources: AppResources) -> None:
    """End this tab's session and the cookie's (in the database, so a copy left anywhere opens nothing)."""
    for token in {st.session_state.pop(TOKEN_KEY, None), cookie_token()} - {None}:
        auth.sign_out(resources.store, str(token), now(resources.settings))
    forget()
    _leave_institution_sign_in()


def sign_out_everywhere(resources: AppResources, viewer: Viewer) -> int:
    """End every session of the viewer, in every browser; returns how many were open."""
    ended = auth.sign_out_everywhere(resources.store, viewer, now(resources.settings))
    st.session_state.pop(TOKEN_KEY, None)
    forget()
    _leave_institution_sign_in()
    return ended


def _leave_institution_sign_in() -> None:
    if oidc_configured() and st.user.is_logged_in:
        st.logout()  # queues the browser's redirect to /auth/logout, which ends st.login's cookie
        st.stop()  # a caller's st.rerun() would clear that queue and the cookie would stay
