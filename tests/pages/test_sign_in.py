"""The sign-in page, the brake on guessing, navigation by role, the first start outside demo mode, staying signed
in (the cookie, page addresses while signed out) and password reset codes."""

import pytest
from streamlit.testing.v1 import AppTest

from analytics import auth, roster
from tests.pages.conftest import APP, TIMEOUT, fill_sign_in, new_app, signed_in, texts
from ui.resources import now
from ui.session_cookie import EXCHANGE_PATH, HANDOFF_KEY


def test_sign_in_page_lists_demo_accounts_only_in_demo_mode(demo_db, monkeypatch):
    at = new_app().run()
    assert "fellow@demo.org" in texts(at)
    monkeypatch.setenv("MENTORSHIP_DEMO", "0")
    at = new_app().run()
    assert "fellow@demo.org" not in texts(at)
    assert "You stay signed in on this browser for 12 hours" in texts(at)


def test_wrong_password_gets_one_message_that_names_neither_part(demo_db):
    at = new_app().run()
    fill_sign_in(at, "fellow@demo.org", "wrong")
    unknown = new_app().run()
    fill_sign_in(unknown, "nobody@demo.org", "demo")
    assert at.error[0].value == unknown.error[0].value == "That email and password do not match an account."
    assert "Welcome" not in texts(at)


def test_repeated_failures_are_braked_even_with_the_right_password(demo_db):
    at = new_app().run()
    for _ in range(5):
        fill_sign_in(at, "fellow@demo.org", "wrong")
    fill_sign_in(at, "fellow@demo.org", "demo")
    assert "Too many failed attempts" in at.error[0].value
    assert "Welcome" not in texts(at)


def test_each_demo_account_sees_its_own_home(demo_db):
    for email in ("fellow@demo.org", "mentor@demo.org", "director@demo.org"):
        at = signed_in(email)
        assert at.title[0].value.startswith("Welcome, ")


def test_a_forged_token_in_session_state_gets_nothing(demo_db):
    at = new_app()
    at.session_state["sign_in_token"] = "x" * 43
    at.run()
    assert not at.exception
    assert "Welcome" not in texts(at)
    assert "Sign in" in [button.label for button in at.button]


def create_program(at: AppTest, director_name: str) -> AppTest:
    """Fill in and submit the first-start form that creates the program and its first director."""
    fields = {widget.label.split(" (")[0]: widget for widget in at.text_input}
    fields["Program name"].input("Hematology Fellowship")
    fields["Your name"].input(director_name)
    fields["Your email"].input("dana@example.org")
    fields["Password"].input("correct horse battery")
    fields["Password again"].input("correct horse battery")
    next(b for b in at.button if b.label == "Create program").click()
    return at.run()


def test_first_start_outside_demo_mode_asks_for_the_first_director(tmp_path, monkeypatch):
    import streamlit as st

    monkeypatch.setenv("MENTORSHIP_DB", str(tmp_path / "new.duckdb"))
    monkeypatch.delenv("MENTORSHIP_DEMO", raising=False)
    try:
        at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
        assert at.title[0].value == "Set up your program"
        create_program(at, "Dana Director")
        assert not at.exception
        assert at.title[0].value == "Welcome, Dana Director"
        # No default accounts exist outside demo mode.
        again = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
        fill_sign_in(again, "fellow@demo.org", "demo")
        assert again.error[0].value == "That email and password do not match an account."
    finally:
        st.cache_resource.clear()


def test_failures_from_one_connection_do_not_lock_the_owner_out_from_another(demo_db, monkeypatch):
    """The address is what Streamlit saw (st.context.ip_address), which AppTest cannot set: the helper is replaced."""
    import ui.sign_in

    monkeypatch.setattr(ui.sign_in, "client_address", lambda: "203.0.113.7", raising=False)
    guesser = new_app().run()
    for _ in range(6):
        fill_sign_in(guesser, "fellow@demo.org", "wrong")
    assert "Too many failed attempts" in guesser.error[0].value
    monkeypatch.setattr(ui.sign_in, "client_address", lambda: "198.51.100.20", raising=False)
    fellow = fill_sign_in(new_app().run(), "fellow@demo.org", "demo")
    assert not fellow.exception, fellow.exception
    assert "Welcome" in texts(fellow), [e.value for e in fellow.error]


def test_the_first_start_refuses_a_name_with_a_right_to_left_override(tmp_path, monkeypatch):
    import streamlit as st

    monkeypatch.setenv("MENTORSHIP_DB", str(tmp_path / "new.duckdb"))
    monkeypatch.delenv("MENTORSHIP_DEMO", raising=False)
    try:
        at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
        create_program(at, "Dana \u202eDirector")
        assert not at.exception
        assert "invisible" in at.error[0].value
        assert at.title[0].value == "Set up your program"
    finally:
        st.cache_resource.clear()


# -- staying signed in: the cookie, and page addresses while signed out -----------------------------------


def with_cookie(monkeypatch, token: str | None) -> None:
    """The browser's cookie as the websocket's request carried it (st.context.cookies, which AppTest cannot set)."""
    import ui.viewer

    monkeypatch.setattr(ui.viewer, "cookie_token", lambda: token)


def test_a_valid_cookie_signs_a_new_tab_in_and_a_forged_or_ended_one_does_not(demo_db, app_store, monkeypatch):
    token = auth.sign_in(app_store, "mentor@demo.org", "demo", now())
    with_cookie(monkeypatch, token)
    at = new_app().run()
    assert at.title[0].value.startswith("Welcome, "), texts(at)
    assert at.session_state["sign_in_token"] == token  # the tab's own from now on (My account uses it)

    with_cookie(monkeypatch, "x" * 43)
    forged = new_app().run()
    assert "Welcome" not in texts(forged) and "Sign in" in [button.label for button in forged.button]

    auth.sign_out(app_store, token, now())
    with_cookie(monkeypatch, token)
    ended = new_app().run()
    assert "Welcome" not in texts(ended) and "Sign in" in [button.label for button in ended.button]
    at.run()  # the first tab is signed out at its next run: the sign-in form again
    assert "Welcome" not in texts(at) and "Sign in" in [button.label for button in at.button]


def cookie_scripts(at) -> list[str]:
    return [element.proto.body for element in at.get("html") if "fetch(" in element.proto.body]


def test_signing_in_sends_the_browser_the_handoff_once_and_no_token(demo_db, app_store):
    at = signed_in("fellow@demo.org")
    token = at.session_state["sign_in_token"]
    (script,) = cookie_scripts(at)
    assert EXCHANGE_PATH in script and token not in script
    code = at.session_state[HANDOFF_KEY]
    assert code in script
    assert auth.exchange_handoff(app_store, code, now())[0] == token  # what the browser's fetch gets for it
    # (Signed in, AppTest reruns the page file itself rather than app.py, so the next runs are the browser tests'.)


# -- password reset codes --------------------------------------------------------------------------------


def reset_with(at: AppTest, email: str, code: str, new: str, again: str | None = None) -> AppTest:
    at.toggle[0].set_value(True).run()
    fields = {widget.label.split(" (")[0]: widget for widget in at.text_input}
    fields["Your email"].input(email)
    fields["Reset code"].input(code)
    fields["New password"].input(new)
    fields["New password again"].input(new if again is None else again)
    next(button for button in at.button if button.label == "Set my new password").click()
    return at.run()


def issue_code(store, email: str = "fellow@demo.org") -> str:
    director = auth.viewer_for_token(store, auth.sign_in(store, "director@demo.org", "demo", now()), now())
    person = store.query_one("SELECT person_id FROM people WHERE email = $email", {"email": email})[0]
    return roster.issue_reset_code(store, director, person, now())


def test_a_reset_code_sets_a_new_password_from_the_sign_in_page(demo_db, app_store):
    elsewhere = auth.sign_in(app_store, "fellow@demo.org", "demo", now())
    code = issue_code(app_store)
    at = reset_with(new_app().run(), "fellow@demo.org", code, "a new password", "another one")
    assert at.error[0].value == "The two new passwords differ."
    at = reset_with(at, "fellow@demo.org", code, "a new password")
    assert not at.exception and not at.error, [error.value for error in at.error]
    assert "Your new password is set" in texts(at)
    assert not at.toggle[0].value  # the form is closed and empty again
    assert auth.viewer_for_token(app_store, elsewhere, now()) is None  # signed out everywhere
    fill_sign_in(at, "fellow@demo.org", "a new password")
    assert at.title[0].value.startswith("Welcome, ")


@pytest.mark.parametrize("spoil", ["wrong", "used", "other email"])
def test_a_code_that_does_not_work_gets_one_neutral_sentence(demo_db, app_store, spoil):
    code = issue_code(app_store)
    if spoil == "used":
        auth.reset_password(app_store, "fellow@demo.org", code, "first new password", now())
    elif spoil == "wrong":
        code = ("2222" if not code.startswith("2222") else "3333") + code[4:]
    email = "mentor@demo.org" if spoil == "other email" else "fellow@demo.org"
    at = reset_with(new_app().run(), email, code, "a new password")
    assert [error.value for error in at.error] == [auth.RESET_REFUSED]
    assert app_store.query_one("SELECT count(*) FROM sign_in_failures")[0] == 1  # counts against the limits
