"""The sign-in page, and the first-start form that creates the first director."""

import streamlit as st

from analytics import auth
from demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from ui.notices import confirm, refusals, show_notice
from ui.resources import AppResources, now
from ui.submissions import empty_form, form_key
from ui.viewer import oidc_configured, remember_sign_in


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
    """The sign-in form. Signed out, every page's address shows it, so after signing in that page opens."""
    show_notice()
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
            token = auth.sign_in(resources.store, email, password, now(resources.settings), client=client_address())
            remember_sign_in(resources, token)
            st.rerun()
    st.caption(f"You stay signed in on this browser for {auth.SESSION_LIFETIME.seconds // 3600} hours, or until you sign out.")
    if resources.settings.demo:
        accounts = ", ".join(f"`{email}`" for email in DEMO_ACCOUNTS.values())
        st.info(f"Demo mode: sign in as {accounts} with the password `{DEMO_PASSWORD}`.")
    password_reset_form(resources)


def password_reset_form(resources: AppResources) -> None:
    """A new password with the one-time code a program director issued (auth.reset_password)."""
    # A toggle rather than an expander: an expander's fields are in the page while closed, beside the sign-in form's.
    # Keyed by the form's round, so the toggle closes (and the form empties) once a new password is set.
    if not st.toggle("Forgot password? Use a reset code from your program director", key=form_key("password-reset-open")):
        return
    with st.form(form_key("password-reset")):
        email = st.text_input("Your email", max_chars=254, autocomplete="username")
        code = st.text_input("Reset code", max_chars=40, autocomplete="one-time-code", placeholder="XXXX-XXXX-XXXX-XXXX")
        new = st.text_input(
            f"New password (at least {auth.MIN_PASSWORD} characters)",
            type="password",
            max_chars=auth.MAX_PASSWORD,
            autocomplete="new-password",
        )
        again = st.text_input("New password again", type="password", max_chars=auth.MAX_PASSWORD, autocomplete="new-password")
        submitted = st.form_submit_button("Set my new password")
    if submitted:
        if new != again:
            st.error("The two new passwords differ.")
            return
        with refusals(shown_as=str):  # the app's own sentences, which never quote what was typed
            auth.reset_password(resources.store, email, code, new, now(resources.settings), client=client_address())
            empty_form("password-reset")
            empty_form("password-reset-open")
            confirm("Your new password is set, and you are signed out everywhere. Sign in with it.")


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
            remember_sign_in(resources, auth.sign_in(resources.store, email, password, created_at, client=client_address()))
            st.rerun()
