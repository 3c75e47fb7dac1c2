"""The sign-in page, the brake on guessing, navigation by role, and the first start outside demo mode."""

from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP, TIMEOUT, fill_sign_in, new_app, signed_in, texts


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
