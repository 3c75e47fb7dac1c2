"""My account's calendar and data downloads, and the dashboard's reminder list: prepared on request, then downloaded."""

import csv
import io
import zipfile

import pytest
from icalendar import Calendar

from analytics.my_data import FILES
from analytics.reminders import COLUMNS
from tests.pages.conftest import click, open_page
from tests.robustness.downloads import download_bytes, kept_downloads


def _download(at, label: str) -> bytes:
    return download_bytes(next(button for button in at.get("download_button") if button.proto.label == label))


def _labels(at) -> list[str]:
    return [button.proto.label for button in at.get("download_button")]


@pytest.mark.parametrize("email", ["fellow@demo.org", "mentor@demo.org", "director@demo.org"])
def test_my_account_prepares_my_calendar_and_my_data(demo_db, app_store, monkeypatch, email):
    with kept_downloads(monkeypatch):
        at = open_page(app_store, "account.py", email)
        assert not at.exception, at.exception
        assert _labels(at) == []  # nothing is built until asked for
        click(at, "Prepare my calendar (.ics)")
        assert _labels(at) == ["Download my calendar (.ics)"]
        calendar = Calendar.from_ical(_download(at, "Download my calendar (.ics)"))
        click(at, "Prepare my data (.zip)")
        assert _labels(at) == ["Download my data (.zip)"]
        archive = zipfile.ZipFile(io.BytesIO(_download(at, "Download my data (.zip)")))
    events = calendar.walk("VEVENT")
    if email != "director@demo.org":
        assert any(str(event["summary"]).startswith("Mentoring meeting with") for event in events)
        assert any(str(event["summary"]).startswith("Due: ") for event in events)
    assert sorted(archive.namelist()) == sorted(["README.txt", *FILES])
    about = list(csv.DictReader(io.StringIO(archive.read("about_me.csv").decode("utf-8"))))
    assert [row["email"] for row in about] == [email]
    readme = archive.read("README.txt").decode("utf-8")
    for name in FILES:
        header = next(csv.reader(io.StringIO(archive.read(name).decode("utf-8"))), [])
        for column in header:
            assert f"  - {column}: " in readme, (name, column)  # every column is described


def test_the_dashboard_prepares_the_reminder_list(demo_db, app_store, monkeypatch):
    with kept_downloads(monkeypatch):
        at = open_page(app_store, "dashboard.py", "director@demo.org")
        assert "Download the reminder list (CSV)" not in _labels(at)
        click(at, "Prepare the reminder list (CSV)")
        rows = list(csv.DictReader(io.StringIO(_download(at, "Download the reminder list (CSV)").decode("utf-8"))))
    assert rows and list(rows[0]) == COLUMNS
    assert {row["due_by"] for row in rows} == {"2026-12-31"}  # this quarter's last day
    assert all("2024-10-01" <= row["due_since"] <= "2026-10-01" for row in rows)
