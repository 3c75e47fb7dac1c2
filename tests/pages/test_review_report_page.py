"""The review report's download on My progress (the fellow's own) and on My mentees (one mentee): a period
range, the paper, one button that makes the PDF when clicked. What a PDF holds is tested in
tests/unit/test_review_report.py; here, that the button makes the report of the right person for the right viewer."""

from datetime import date

from streamlit.testing.v1 import AppTest

from tests.pages.conftest import open_page, texts
from tests.robustness.downloads import download_bytes, kept_downloads, pdf_text

FELLOW, MENTOR = "fellow@demo.org", "mentor@demo.org"


def report_buttons(at: AppTest) -> list:
    return [button for button in at.get("download_button") if "review report" in button.proto.label]


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


def test_one_click_on_a_mentees_page_makes_that_mentees_report_for_that_mentor(app_store, monkeypatch):
    with kept_downloads(monkeypatch):
        at = open_page(app_store, "mentees.py", MENTOR)
        text = _click_mentees_report(at, app_store)
    assert "Nadia Evans · Demo Hematology Fellowship · 2026 Q1 to 2026 Q4 · made 26 November 2026" in text
    assert "Prepared by Zoe Xu (a mentor's report about a mentee)" in text
    assert "Quinn Novak" not in text  # her other mentor: not this mentor's to see


def _click_mentees_report(at: AppTest, app_store) -> str:
    mentee_id = app_store.query_one("SELECT person_id FROM people WHERE email = ?", [FELLOW])[0]
    at.selectbox(key="open-mentee").select(mentee_id).run()
    assert "The report holds only what Nadia Evans shares with you, and says what is not shared." in texts(at)
    [button] = report_buttons(at)
    assert button.proto.label == "Download Nadia Evans's review report (PDF)"
    at.select_slider(key=f"mentee-report-{mentee_id}-range").set_value((date(2026, 1, 1), date(2026, 10, 1))).run()
    at.radio(key=f"mentee-report-{mentee_id}-paper").set_value("Letter").run()
    [button] = report_buttons(at)
    return pdf_text(download_bytes(button))


def test_a_click_after_the_session_ended_makes_no_report(app_store, monkeypatch):
    """The click comes long after the page was drawn: a tab left open after "sign out everywhere" makes nothing."""
    import pytest

    from analytics import auth
    from analytics.errors import AccessDenied
    from analytics.people import load_viewer
    from tests.conftest import NOW

    with kept_downloads(monkeypatch):
        at = open_page(app_store, "progress.py", FELLOW)
        [button] = report_buttons(at)
        person_id = app_store.query_one("SELECT person_id FROM people WHERE email = ?", [FELLOW])[0]
        auth.sign_out_everywhere(app_store, load_viewer(app_store, person_id), NOW)
        with pytest.raises(AccessDenied, match="signed out"):
            download_bytes(button)
