"""AppTest fixtures: a copy of one demo database per test, and helpers to sign in through the form."""

import re
import shutil
from datetime import datetime
from pathlib import Path

import pytest
import streamlit as st
from streamlit.elements.lib.utils import user_key_from_element_id
from streamlit.testing.v1 import AppTest

from analytics import auth
from analytics.store import Store
from tests.conftest import TODAY

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PAGES = ROOT / "app_pages"
TIMEOUT = 30


@pytest.fixture
def demo_db(tmp_path, demo_template, monkeypatch) -> Path:
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_template, path)
    monkeypatch.setenv("MENTORSHIP_DB", str(path))
    monkeypatch.setenv("MENTORSHIP_DEMO", "1")
    monkeypatch.setenv("MENTORSHIP_TODAY", TODAY.isoformat())
    monkeypatch.setenv("MENTORSHIP_PROGRAM_INSTRUMENTS", str(tmp_path / "program-instruments"))
    yield path
    # The app's cached store holds the file open; release it (on_release closes it).
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def app_store(demo_db):
    """The same database the app uses, opened in this process (DuckDB shares the instance)."""
    with Store(demo_db) as store:
        yield store


def new_app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=TIMEOUT)


def signed_in(email: str, password: str = "demo") -> AppTest:
    """A fresh app session signed in through the sign-in form, as a person would."""
    at = new_app().run()
    fill_sign_in(at, email, password)
    assert not at.exception, at.exception
    return at


def fill_sign_in(at: AppTest, email: str, password: str) -> AppTest:
    inputs = {widget.label: widget for widget in at.text_input}
    inputs["Email"].input(email)
    inputs["Password"].input(password)
    next(button for button in at.button if button.label == "Sign in").click()
    return at.run()


def texts(at: AppTest) -> str:
    """Everything the page wrote, as one string, for 'is it shown' checks."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "success", "warning", "error", "text"):
        parts += [str(element.value) for element in at.get(kind)]
    # What a person sees: Markdown escapes (ui.text.as_text) are not shown.
    return as_read("\n".join(parts))


def as_read(markdown: str) -> str:
    """Markdown as a person reads it: the escapes of ui.text.as_text taken out."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


def open_assessment(at: AppTest, starts: str) -> AppTest:
    """On Assessments, open the one whose label starts with `starts` (as read), as a click on it does.

    Each is an expander that tracks whether it is open; AppTest cannot click one, so its key is set.
    """
    box = next(box for box in at.expander if as_read(box.label).startswith(starts))
    at.session_state[user_key_from_element_id(box.proto.id)] = True
    at.run()
    assert not at.exception, at.exception
    return at


def submit_opened(at: AppTest, starts: str) -> AppTest:
    """On Assessments, press Submit in the one whose label starts with `starts` (others may be open too)."""
    box = next(box for box in at.expander if as_read(box.label).startswith(starts))
    next(button for button in box.button if button.label == "Submit").click()
    return at.run()


def open_page(store, page: str, email: str) -> AppTest:
    """`page` of pages/ run on its own, as a person signed in by a token written into the session."""
    at = AppTest.from_file(str(PAGES / page), default_timeout=TIMEOUT)
    at.session_state["sign_in_token"] = auth.sign_in(store, email, "demo", datetime.now())
    at.run()
    assert not at.exception, at.exception
    return at


def click(at: AppTest, label: str) -> AppTest:
    next(button for button in at.button if button.label == label).click()
    at.run()
    assert not at.exception, at.exception
    return at
