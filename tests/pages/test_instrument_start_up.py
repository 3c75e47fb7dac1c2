"""A bad instrument at start-up: a shipped one stops the app with the file and field named; one a
program added is turned off on its own, and the director sees why."""

import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP, TIMEOUT, signed_in, texts


def test_a_shipped_instrument_changed_without_a_new_version_stops_the_app(demo_db, app_store):
    # The database remembers other wording for mentee-self version 1: as if the file was edited in place.
    app_store.write(
        lambda cur: cur.execute("UPDATE instrument_versions SET content_hash = 'edited' WHERE instrument_id = 'mentee-self'")
    )
    before = app_store.query_one("SELECT count(*) FROM instrument_versions")[0]
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    message = at.error[0].value
    assert "mentee-self.toml" in message and "'version'" in message
    assert not at.text_input  # no sign-in form: the app stopped
    assert app_store.query_one("SELECT count(*) FROM instrument_versions")[0] == before


def test_a_bad_program_instrument_is_turned_off_and_the_director_sees_why(demo_db, tmp_path, monkeypatch):
    folder = tmp_path / "program-instruments"
    folder.mkdir()
    (folder / "our-extra.toml").write_text('id = "our-extra"\nversion = 1\ntitle = "Extra"\n', encoding="utf-8")
    monkeypatch.setenv("MENTORSHIP_PROGRAM_INSTRUMENTS", str(folder))
    st.cache_resource.clear()
    fellow = signed_in("fellow@demo.org")  # the app runs for everyone else
    assert "our-extra" not in texts(fellow)
    director = signed_in("director@demo.org")
    shown = texts(director)
    assert "turned off until they are fixed" in shown
    assert "our-extra.toml" in shown
