"""Who is looking. Every page starts with `require_viewer`, so a page run without app.py shows nothing.

The session keeps only an opaque sign-in token; the person and their roles are looked up in the
database on every run.
"""

import streamlit as st

from analytics import auth
from analytics.people import Viewer
from ui.focus import focus_heading_if_moved
from ui.notices import show_notice
from ui.resources import AppResources, app_resources, now

TOKEN_KEY = "sign_in_token"


def oidc_configured() -> bool:
    """True when .streamlit/secrets.toml has an [auth] section for st.login."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def current_viewer(resources: AppResources) -> Viewer | None:
    token = st.session_state.get(TOKEN_KEY)
    if token is not None:
        viewer = auth.viewer_for_token(resources.store, token, now(resources.settings))
        if viewer is None:  # ended, expired or forged: forget it
            del st.session_state[TOKEN_KEY]
        return viewer
    # An email the provider has not verified is no proof of who this is.
    if oidc_configured() and st.user.is_logged_in and st.user.get("email") and st.user.get("email_verified") is not False:
        return auth.viewer_for_email(resources.store, str(st.user.get("email")))
    return None


def require_viewer(*roles: str) -> tuple[AppResources, Viewer]:
    """The resources and viewer, or stop the page with "not available" for anyone else.

    Shows the confirmation of what the viewer just did (ui.notices), so every page shows it, and moves
    the keyboard focus to it, or after a move to another page to the page's heading (ui.focus).
    """
    resources = app_resources()
    viewer = current_viewer(resources)
    if viewer is None or (roles and not any(viewer.has(role) for role in roles)):
        st.info("This page is not available. Sign in from the start page with an account that may open it.")
        st.stop()
    notice_shown = show_notice()
    focus_heading_if_moved(move=not notice_shown)  # a confirmation takes the focus itself
    return resources, viewer


def remember_sign_in(token: str) -> None:
    st.session_state[TOKEN_KEY] = token


def sign_out(resources: AppResources) -> None:
    token = st.session_state.pop(TOKEN_KEY, None)
    if token:
        auth.sign_out(resources.store, token, now(resources.settings))
    if oidc_configured() and st.user.is_logged_in:
        st.logout()  # queues the browser's redirect to /auth/logout, which ends st.login's cookie
        st.stop()  # a caller's st.rerun() would clear that queue and the cookie would stay
