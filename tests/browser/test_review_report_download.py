"""The review report in a real browser: one click on My progress downloads the fellow's PDF, made by the server."""

import pytest

from tests.browser.conftest import exception_boxes, sign_in, wait_for_app
from tests.browser.server import running_app
from tests.robustness.downloads import pdf_text

pytestmark = pytest.mark.browser


def test_one_click_on_my_progress_downloads_my_review_report(tmp_path, page):
    with running_app(tmp_path / "demo.duckdb") as app:
        sign_in(page, app.url, "fellow@demo.org")
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="My progress", exact=True).click()
        page.get_by_role("heading", name="My review report", exact=True).wait_for(timeout=30000)
        wait_for_app(page)
        button = page.get_by_role("button", name="Download my review report (PDF)")
        button.scroll_into_view_if_needed()
        page.screenshot(path=str(tmp_path / "progress-report.png"))
        with page.expect_download(timeout=120_000) as download:
            button.click()
        path = tmp_path / "report.pdf"
        download.value.save_as(path)
        assert download.value.suggested_filename.startswith("review-report-2025-01-to-2026-10-a4-")
        assert exception_boxes(page) == 0
    text = pdf_text(path.read_bytes())
    assert "Nadia Evans · Demo Hematology Fellowship · 2025 Q1 to 2026 Q4 · made" in text
    assert "Prepared by Nadia Evans (a fellow's own report)" in text
    assert "Goals against their target lines" in text and "Outputs over time" in text
