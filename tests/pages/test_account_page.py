"""My account: changing one's password (the current one is needed; other sessions end) and signing out."""

from datetime import datetime

from analytics import auth
from tests.pages.conftest import fill_sign_in, new_app, signed_in, texts
from ui.text import as_text


def change_password(at, current: str, new: str, again: str):
    fields = {widget.label.split(" (")[0]: widget for widget in at.text_input}
    fields["Current password"].input(current)
    fields["New password"].input(new)
    fields["New password again"].input(again)
    next(button for button in at.button if button.label == "Change password").click()
    return at.run()


def test_changing_the_password_needs_the_current_one_and_ends_other_sessions(demo_db, app_store):
    elsewhere = auth.sign_in(app_store, "fellow@demo.org", "demo", datetime.now())
    at = signed_in("fellow@demo.org")
    at.switch_page("app_pages/account.py").run()

    change_password(at, "wrong", "a much better one", "a much better one")
    assert at.error[0].value == as_text("The current password is not right.")  # shown as text
    change_password(at, "demo", "short", "short")
    assert "at least 8 characters" in at.error[0].value
    change_password(at, "demo", "a much better one", "a different one")
    assert at.error[0].value == "The two new passwords differ."
    assert auth.viewer_for_token(app_store, elsewhere, datetime.now()) is not None  # nothing changed yet

    change_password(at, "demo", "a much better one", "a much better one")
    assert "Your password is changed" in at.success[0].value
    assert auth.viewer_for_token(app_store, elsewhere, datetime.now()) is None  # the other session ended
    at.switch_page("app_pages/home.py").run()
    assert at.title[0].value.startswith("Welcome, ")

    old = new_app().run()
    fill_sign_in(old, "fellow@demo.org", "demo")
    assert old.error[0].value == "That email and password do not match an account."
    new = new_app().run()
    fill_sign_in(new, "fellow@demo.org", "a much better one")
    assert new.title[0].value.startswith("Welcome, ")
    stored = app_store.query_one(
        "SELECT a.password_hash FROM accounts a JOIN people p USING (person_id) WHERE p.email = 'fellow@demo.org'"
    )[0]
    assert stored.startswith("$argon2") and "a much better one" not in stored


def test_signing_out_ends_the_session(demo_db, app_store):
    at = signed_in("mentor@demo.org")
    token = at.session_state["sign_in_token"]
    at.switch_page("app_pages/account.py").run()
    next(button for button in at.button if button.label == "Sign out").click()
    at.run()
    assert auth.viewer_for_token(app_store, token, datetime.now()) is None
    # The next run goes through app.py again: the sign-in form, at the address of the page that was open.
    assert "Welcome" not in texts(at) and "Sign in" in [button.label for button in at.button]
    assert not at.metric and not at.dataframe


def test_signing_out_everywhere_ends_every_session_of_the_person_only(demo_db, app_store):
    elsewhere = [auth.sign_in(app_store, "mentor@demo.org", "demo", datetime.now()) for _ in range(2)]
    someone_else = auth.sign_in(app_store, "fellow@demo.org", "demo", datetime.now())
    at = signed_in("mentor@demo.org")
    here = at.session_state["sign_in_token"]
    at.switch_page("app_pages/account.py").run()
    next(button for button in at.button if button.label == "Sign out everywhere").click()
    at.run()
    assert not at.exception, at.exception
    assert [auth.viewer_for_token(app_store, token, datetime.now()) for token in [here, *elsewhere]] == [None] * 3
    assert auth.viewer_for_token(app_store, someone_else, datetime.now()) is not None
    assert "Welcome" not in texts(at) and "Sign in" in [button.label for button in at.button]
