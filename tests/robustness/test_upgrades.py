"""A database written by the first released schema opens in the current version with every row intact.

The old database is built from text kept in tests/fixtures/schema_v1/: the first release's migration,
frozen as it shipped (001_core.sql), and a few rows of every table of it (data.sql, made by make_data.py
and inserted the way that release did, with ids from the sequences). Neither changes when the current
migrations do, so this keeps testing the upgrade from the first release.
"""

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from analytics import auth, goals
from analytics.access import require_shared
from analytics.assessments import rating_history, submit_assessment
from analytics.errors import AccessDenied
from analytics.instruments import load_catalogue
from analytics.people import load_viewer
from analytics.registry import register_catalogue
from analytics.store import Store, migrations
from tests.pages.conftest import APP, TIMEOUT, fill_sign_in, texts

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "schema_v1"
WRITTEN = datetime(2025, 6, 30, 8, 0)
UPGRADED = datetime(2026, 11, 26, 9, 0)
TODAY = date(2026, 11, 26)
FIONA, MONA, DANA = 4, 2, 1


def table_names(store: Store) -> list[str]:
    return [
        row[0] for row in store.query_all("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY table_name")
    ]


def rows(store: Store, table: str) -> list[tuple]:
    return sorted(store.query_all('SELECT * FROM "' + table + '"'), key=repr)


@pytest.fixture
def old_database(tmp_path) -> tuple[Path, dict[str, list[tuple]]]:
    """The first release's database file, and every row of it."""
    path = tmp_path / "first-release.duckdb"
    assert [number for number, _ in migrations(FIXTURE)] == [1]
    with Store(path, migrations_dir=FIXTURE, now=WRITTEN) as old:
        assert old.schema_version == 1
        old.write(lambda cur: cur.execute((FIXTURE / "data.sql").read_text(encoding="utf-8")))
        before = {table: rows(old, table) for table in table_names(old)}
    return path, before


def test_every_table_of_the_first_schema_has_rows_in_the_fixture(old_database):
    _, before = old_database
    assert set(before) == {
        "schema_version",
        "programs",
        "cohorts",
        "people",
        "person_roles",
        "pairs",
        "instrument_versions",
        "assessments",
        "responses",
    }
    assert all(before[table] for table in before), {table: len(found) for table, found in before.items()}


def test_opening_it_upgrades_it_with_every_old_row_intact(old_database):
    path, before = old_database
    with Store(path, now=UPGRADED) as upgraded:
        assert upgraded.schema_version == len(migrations()) > 1
        for table, old_rows in before.items():
            if table == "schema_version":
                continue
            assert rows(upgraded, table) == old_rows, table
        versions = rows(upgraded, "schema_version")
        assert versions[0] == before["schema_version"][0] == (1, WRITTEN)  # the old history stays
        assert sorted(v for v, _ in versions) == list(range(1, len(migrations()) + 1))
        assert {t for t in table_names(upgraded) if t not in before} >= {"accounts", "sharing_choices", "goals", "meetings"}
    with Store(path) as again:  # a second opening changes nothing
        assert again.schema_version == len(migrations())
        assert rows(again, "schema_version") == versions


def test_the_upgraded_database_reads_and_takes_new_records(old_database):
    path, _ = old_database
    with Store(path, now=UPGRADED) as store:
        catalogue = register_catalogue(store, load_catalogue(), UPGRADED)  # the first release's wording, unchanged
        fiona, mona = load_viewer(store, FIONA), load_viewer(store, MONA)
        history = rating_history(store, catalogue, fiona, FIONA)
        mine = history[history["instrument_id"] == "mentee-self"]
        # Two periods; in the second, the correction of 2025-11-03 counts, not the first try.
        assert sorted(mine["period_start"].dt.date.unique()) == [date(2025, 7, 1), date(2025, 10, 1)]
        assert len(mine) == 2 * 9
        october = mine[mine["period_start"].dt.date == date(2025, 10, 1)]
        items = [item.id for item in catalogue.get("mentee-self").items]
        corrected = {item: (3 + position) % 5 + 1 for position, item in enumerate(items)}  # data.sql, assessment 3
        assert dict(zip(october["item_id"], october["rating"].astype(int), strict=True)) == corrected
        # Nothing was shared before sharing existed: the upgrade shows a mentor nothing new.
        with pytest.raises(AccessDenied):
            require_shared(store, mona, FIONA, "self_assessments")
        submission = submit_assessment(
            store,
            catalogue,
            fiona,
            "mentee-self",
            dict.fromkeys(items, 4),
            today=TODAY,
            now=UPGRADED,
            submission_key="after-upgrade",
        )
        assert submission.assessment_id == 10  # the sequence continues after the old rows
        goal_id = goals.create_goal(
            store, fiona, "First abstract", "research", "count", 1, TODAY + timedelta(days=90), TODAY, UPGRADED, unit="abstracts"
        )
        assert goal_id == 1
        smart = goals.create_goal(  # migration 007's fields: why it matters, how it is measured, a stretch goal
            store,
            fiona,
            "Second abstract",
            "research",
            "count",
            2,
            TODAY + timedelta(days=90),
            TODAY,
            UPGRADED,
            unit="abstracts",
            why_it_matters="For the K award.",
            how_measured="Each abstract submitted counts one.",
            stretch=True,
        )
        shown = goals.goals_of(store, fiona, FIONA, TODAY).set_index("goal_id")
        assert list(shown.loc[[goal_id, smart], "stretch"]) == [False, True]
        assert shown.loc[smart, "how_measured"] == "Each abstract submitted counts one."


def test_the_app_opens_the_upgraded_file_and_a_director_signs_in(old_database, monkeypatch, tmp_path):
    path, _ = old_database
    with Store(path, now=UPGRADED) as store:
        # The first release had no passwords; the director is given one (here, as on the People page).
        store.write(lambda cur: auth.set_password_hash(cur, DANA, auth.hash_password("a new password"), UPGRADED))
    monkeypatch.setenv("MENTORSHIP_DB", str(path))
    monkeypatch.delenv("MENTORSHIP_DEMO", raising=False)
    monkeypatch.setenv("MENTORSHIP_TODAY", TODAY.isoformat())
    monkeypatch.setenv("MENTORSHIP_PROGRAM_INSTRUMENTS", str(tmp_path / "none"))
    try:
        at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
        assert not at.exception
        assert any(button.label == "Sign in" for button in at.button)  # not the first-start form: people exist
        fill_sign_in(at, "dana@old.org", "a new password")
        assert not at.exception
        assert "Welcome, Dana Director" in texts(at)
        at.switch_page("app_pages/dashboard.py").run()
        assert not at.exception, at.exception
        assert "Program dashboard" in texts(at)
    finally:
        st.cache_resource.clear()
        st.cache_data.clear()
