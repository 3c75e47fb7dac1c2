"""The review report's download on My progress (the fellow's own) and on My mentees (one mentee): a period
range, the paper, one button that makes the PDF when clicked. What a PDF holds is tested in
tests/unit/test_review_report.py; here, that the button makes the report of the right person for the right viewer."""

import shutil
import subprocess
from datetime import date

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest, app_test

from tests.pages.conftest import open_page, texts

FELLOW, MENTOR = "fellow@demo.org", "mentor@demo.org"


class _KeptManager(MediaFileManager):
    kept: list["_KeptManager"] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _KeptManager.kept.append(self)


@pytest.fixture
def clicks(monkeypatch):
    """Run a deferred download button's callable as a click does (AppTest drops its media manager after a run)."""
    _KeptManager.kept = []
    monkeypatch.setattr(app_test, "MediaFileManager", _KeptManager)

    def click(button) -> bytes:
        file_id = button.proto.deferred_file_id
        entry = next(m._deferred_callables[file_id] for m in reversed(_KeptManager.kept) if file_id in m._deferred_callables)
        return entry["callable"]()

    yield click
    _KeptManager.kept = []


def report_buttons(at: AppTest) -> list:
    return [button for button in at.get("download_button") if "review report" in button.proto.label]


def pdf_text(data: bytes, tmp_path) -> str:
    if shutil.which("chromium") is None or shutil.which("pdftotext") is None:
        pytest.skip("chromium and poppler-utils make and read the PDF (apt-get install chromium poppler-utils)")
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout.split())


def test_my_progress_offers_my_review_report_over_a_range_of_periods(app_store):
    at = open_page(app_store, "progress.py", FELLOW)
    [button] = report_buttons(at)
    assert button.proto.label == "Download my review report (PDF)"
    assert button.proto.deferred_file_id  # made when clicked, not on every rerun
    assert "My review report" in texts(at)
    periods = at.select_slider(key="my-report-range")
    first, last = periods.value
    assert last == date(2026, 10, 1) and first < last  # up to this period
    assert at.radio(key="my-report-paper").options == ["A4", "US Letter"]


def test_a_mentor_has_no_fellows_report_on_their_own_progress(app_store):
    at = open_page(app_store, "progress.py", MENTOR)
    assert report_buttons(at) == []


def test_one_click_on_a_mentees_page_makes_that_mentees_report_for_that_mentor(app_store, clicks, tmp_path):
    at = open_page(app_store, "mentees.py", MENTOR)
    mentee_id = app_store.query_one("SELECT person_id FROM people WHERE email = ?", [FELLOW])[0]
    at.selectbox(key="open-mentee").select(mentee_id).run()
    assert "The report holds only what Nadia Evans shares with you, and says what is not shared." in texts(at)
    [button] = report_buttons(at)
    assert button.proto.label == "Download Nadia Evans's review report (PDF)"
    at.select_slider(key=f"mentee-report-{mentee_id}-range").set_value((date(2026, 1, 1), date(2026, 10, 1))).run()
    at.radio(key=f"mentee-report-{mentee_id}-paper").set_value("Letter").run()
    [button] = report_buttons(at)
    text = pdf_text(clicks(button), tmp_path)
    assert "Nadia Evans · Demo Hematology Fellowship · 2026 Q1 to 2026 Q4 · made 26 November 2026" in text
    assert "Prepared by Zoe Xu (a mentor's report about a mentee)" in text
    assert "Quinn Novak" not in text  # her other mentor: not this mentor's to see
