"""Every file a page offers for download is inert: no spreadsheet formula survives in a CSV or Excel cell.

A name, cohort or agenda typed as `=HYPERLINK(...)` is someone else's text in the reader's spreadsheet.
"""

import csv
import io
from datetime import datetime, timedelta

import openpyxl
import pandas as pd
import streamlit as st

from analytics import roster
from analytics.meetings import plan_meeting
from analytics.people import load_viewer
from tests.conftest import NOW, TODAY
from tests.pages.conftest import open_page
from tests.pages.test_meetings_pages import demo_pair
from tests.robustness.downloads import download_bytes, download_name, kept_downloads
from ui.tables import as_shown

FORMULA = '=HYPERLINK("http://evil","x")'
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _person(store, email: str) -> int:
    return store.query_one("SELECT person_id FROM people WHERE email = ?", [email])[0]


def _downloads(at) -> dict[str, bytes]:
    """Each download by its place, label and file name (a table's CSV is made on click: no URL until then)."""
    return {
        f"{place}: {button.proto.label} {download_name(button)}": download_bytes(button)
        for place, button in enumerate(at.get("download_button"))
    }


def _csv_cells(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8"))) for cell in row]


def _assert_inert_csv(name: str, data: bytes) -> None:
    for cell in _csv_cells(data):
        assert not cell.startswith(("=", "+", "@", "\t", "\r")), (name, cell)


def test_the_directors_excel_has_no_formula_cell_when_a_name_is_a_formula(demo_db, app_store, monkeypatch):
    director = load_viewer(app_store, _person(app_store, "director@demo.org"))
    cohort = roster.add_cohort(app_store, director, FORMULA, TODAY.year)
    roster.add_person(app_store, director, FORMULA, "formula@demo.org", ["fellow"], cohort, NOW)  # overdue: named
    with kept_downloads(monkeypatch):
        at = open_page(app_store, "dashboard.py", "director@demo.org")
        button = next(b for b in at.get("download_button") if b.proto.label == "Download all tables (Excel)")
        workbook = openpyxl.load_workbook(io.BytesIO(download_bytes(button)))
        downloads = _downloads(at)
    formulas = [
        (sheet.title, cell.coordinate, cell.value)
        for sheet in workbook
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert formulas == []
    texts = [cell.value for sheet in workbook for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert "'" + FORMULA in texts  # the name is kept, as text
    csvs = {name: data for name, data in downloads.items() if name.endswith(".csv")}
    assert csvs
    for name, data in csvs.items():
        _assert_inert_csv(name, data)
    assert any("'" + FORMULA in _csv_cells(data) for data in csvs.values())  # the participation table names the cohort


def test_a_fellows_agenda_reaches_the_mentors_csv_as_text(demo_db, app_store, monkeypatch):
    fellow = load_viewer(app_store, _person(app_store, "fellow@demo.org"))
    pair_id = demo_pair(app_store)
    plan_meeting(app_store, fellow, pair_id, TODAY - timedelta(days=2), [FORMULA, "-1+1", "@SUM(1)"], TODAY, datetime.now())
    with kept_downloads(monkeypatch):
        at = open_page(app_store, "meetings.py", "mentor@demo.org")
        at.selectbox(key="meetings-pair").select(pair_id).run()
        assert not at.exception, at.exception
        downloads = _downloads(at)
    meetings = [data for name, data in downloads.items() if name.endswith(".csv") and any(FORMULA in c for c in _csv_cells(data))]
    assert len(meetings) == 1, list(downloads)
    _assert_inert_csv("meetings", meetings[0])
    assert "'" + FORMULA + "; -1+1; @SUM(1)" in _csv_cells(meetings[0])


def test_the_csv_beside_a_table_holds_the_columns_shown_under_their_labels():
    """A column the page leaves out (column_order) or hides (None) is not in the download either."""
    frame = pd.DataFrame({"pair_id": [1], "mentee": ["Ann"], "secret": ["x"], "hidden": ["y"], "rating": [3]})
    config = {"pair_id": st.column_config.NumberColumn("Pair"), "mentee": "Mentee", "hidden": None}
    shown = as_shown(frame, ["mentee", "pair_id", "hidden", "rating"], config)
    assert list(shown.columns) == ["Mentee", "Pair", "rating"]
    assert shown.iloc[0].tolist() == ["Ann", 1, 3]


def test_the_reminder_list_and_my_data_are_inert_when_names_and_entries_are_formulas(demo_db, app_store, monkeypatch):
    """A fellow named as a formula, with a goal and an output titled as one: the director's reminder list names
    them as text, and every CSV of their my-data zip (and of their mentor's) holds no formula cell."""
    import zipfile

    from analytics import goals, outputs

    director = load_viewer(app_store, _person(app_store, "director@demo.org"))
    cohort = app_store.query_one("SELECT min(cohort_id) FROM cohorts")[0]
    person = roster.add_person(app_store, director, FORMULA, "formula@demo.org", ["fellow"], cohort, NOW, password="formula pw 1")
    fellow = load_viewer(app_store, person)
    goals.create_goal(app_store, fellow, FORMULA, "research", "percent", 100, TODAY + timedelta(days=30), TODAY, NOW)
    outputs.log_output(app_store, fellow, "abstract", "+" + FORMULA, TODAY - timedelta(days=2), TODAY, NOW)
    with kept_downloads(monkeypatch):
        at = open_page(app_store, "dashboard.py", "director@demo.org")
        next(button for button in at.button if button.label == "Prepare the reminder list (CSV)").click()
        at.run()
        reminders = _downloads(at)
        mine = _account_page_as(app_store, "formula@demo.org", "formula pw 1")
        next(button for button in mine.button if button.label == "Prepare my data (.zip)").click()
        mine.run()
        zipped = next(data for name, data in _downloads(mine).items() if name.endswith(".zip"))
    reminder_csv = next(data for name, data in reminders.items() if "reminder" in name)
    _assert_inert_csv("reminders", reminder_csv)
    assert "'" + FORMULA in _csv_cells(reminder_csv)  # named, as text
    archive = zipfile.ZipFile(io.BytesIO(zipped))
    cells = []
    for name in archive.namelist():
        if name.endswith(".csv"):
            _assert_inert_csv(name, archive.read(name))
            cells += _csv_cells(archive.read(name))
    assert {"'" + FORMULA, "'+" + FORMULA} <= set(cells)  # the name, the goal and the output, kept as text


def _account_page_as(store, email: str, password: str):
    """My account, signed in with a password other than the demo's."""
    from streamlit.testing.v1 import AppTest

    from analytics import auth
    from tests.pages.conftest import PAGES, TIMEOUT

    at = AppTest.from_file(str(PAGES / "account.py"), default_timeout=TIMEOUT)
    at.session_state["sign_in_token"] = auth.sign_in(store, email, password, datetime.now())
    return at.run()
