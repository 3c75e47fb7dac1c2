"""The sign-in page, and the first-start form that creates the first director."""

import streamlit as st

from analytics import auth
from demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from ui.notices import refusals
from ui.resources import AppResources, now
from ui.viewer import oidc_configured, remember_sign_in

REFRESH_NOTE = (
    "Signed in with email and password, reloading the browser page signs you out; use the menu on the left to move "
    "around. Institution sign-in stays across reloads."
)


def client_address() -> str | None:
    """The address the server saw for this browser, which the limits on guessing count against.

    Streamlit 1.67 serves through uvicorn, which replaces the connection's address with the last
    untrusted X-Forwarded-For entry only when the connection comes from a proxy it trusts
    (FORWARDED_ALLOW_IPS, by default 127.0.0.1 and ::1). So this is the TCP peer, or the client a
    trusted proxy names. The X-Forwarded-For header itself (st.context.headers) is never read here:
    anyone can write one, and a new made-up address per attempt would escape every per-connection
    limit. None for a local connection (Streamlit reports none for loopback).
    """
    address = st.context.ip_address
    return address if isinstance(address, str) else None


def sign_in_page(resources: AppResources) -> None:
    st.title("Mentorship self-assessment")
    st.write(
        "Fellows and mentors rate themselves on the qualities the American Society of Hematology names for a good "
        "mentee and a good mentor, rate how their mentoring is going, and follow their growth over time."
    )
    if oidc_configured():
        st.button("Sign in with your institution", on_click=st.login, type="primary")
        if st.user.is_logged_in:
            st.error("Your institution's account has no matching person in this program. Ask your program director.")
            st.button("Sign out of that account", on_click=st.logout)
        st.divider()
        st.caption("Or sign in with the email and password your program director gave you:")
    with st.form("sign-in"):
        email = st.text_input("Email", max_chars=254, autocomplete="username")
        password = st.text_input("Password", type="password", max_chars=200, autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        with refusals(shown_as=str):  # the app's own sentences, which never quote what was typed
            remember_sign_in(auth.sign_in(resources.store, email, password, now(resources.settings), client=client_address()))
            st.rerun()
    st.caption(REFRESH_NOTE)
    if resources.settings.demo:
        accounts = ", ".join(f"`{email}`" for email in DEMO_ACCOUNTS.values())
        st.info(f"Demo mode: sign in as {accounts} with the password `{DEMO_PASSWORD}`.")


def first_director_page(resources: AppResources) -> None:
    st.title("Set up your program")
    st.write("This database is new. Create the program and its first director; you add everyone else afterwards.")
    with st.form("first-director"):
        program = st.text_input("Program name", max_chars=200)
        name = st.text_input("Your name", max_chars=200)
        email = st.text_input("Your email", max_chars=254)
        password = st.text_input(f"Password (at least {auth.MIN_PASSWORD} characters)", type="password", max_chars=200)
        again = st.text_input("Password again", type="password", max_chars=200)
        submitted = st.form_submit_button("Create program", type="primary")
    if submitted:
        if password != again:
            st.error("The two passwords differ.")
            return
        with refusals(shown_as=str):
            created_at = now(resources.settings)
            auth.create_first_director(resources.store, name, email, password, program, created_at)
            remember_sign_in(auth.sign_in(resources.store, email, password, created_at, client=client_address()))
            st.rerun()
