"""My account in a real browser: prepare and download my calendar and my data as files."""

import io
import zipfile

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, exception_boxes, sign_in, wait_for_app
from tests.browser.server import running_app

pytestmark = pytest.mark.browser


def _download(page, prepare: str, download: str) -> bytes:
    page.get_by_role("button", name=prepare).click()
    button = page.get_by_role("button", name=download)
    expect(button).to_be_visible(timeout=30000)
    with page.expect_download(timeout=30000) as started:
        button.click()
    return open(started.value.path(), "rb").read()


def test_a_fellow_downloads_their_calendar_and_their_data(tmp_path, page):
    with running_app(tmp_path / "demo.duckdb") as app:
        sign_in(page, app.url, "fellow@demo.org")
        page.goto(app.url + "/account")
        wait_for_app(page)
        calendar = Calendar.from_ical(_download(page, "Prepare my calendar (.ics)", "Download my calendar (.ics)"))
        data = _download(page, "Prepare my data (.zip)", "Download my data (.zip)")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "my-account-files.png"), full_page=True)
        assert exception_boxes(page) == 0
    summaries = [str(event["summary"]) for event in calendar.walk("VEVENT")]
    assert any(s.startswith("Mentoring meeting with") for s in summaries) and any(s.startswith("Due: ") for s in summaries)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "README.txt" in archive.namelist() and "my_assessments.csv" in archive.namelist()
        assert b"fellow@demo.org" in archive.read("about_me.csv")


def test_a_director_downloads_the_reminder_list(tmp_path, page):
    import csv

    with running_app(tmp_path / "demo.duckdb") as app:
        sign_in(page, app.url, "director@demo.org")
        page.goto(app.url + "/dashboard")
        wait_for_app(page)
        data = _download(page, "Prepare the reminder list (CSV)", "Download the reminder list (CSV)")
        page.get_by_role("heading", name="Reminder list").scroll_into_view_if_needed()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "dashboard-reminders.png"))
        assert exception_boxes(page) == 0
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert rows and {row["due_by"] for row in rows} == {"2026-12-31"} and all("@" in row["email"] for row in rows)
