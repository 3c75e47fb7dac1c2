"""Import from REDCap in a real browser: a director uploads a data dictionary, reads the preview, imports one
form, and a fellow finds it among their assessments."""

from pathlib import Path

from tests.browser.conftest import ARTIFACTS, exception_boxes, sign_in, wait_for_app
from tests.browser.server import running_app

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "redcap" / "every_field_type.csv"


def test_a_director_imports_a_form_and_a_fellow_is_asked_it(tmp_path, page, browser):
    with running_app(tmp_path / "demo.duckdb") as app:
        sign_in(page, app.url, "director@demo.org")
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Import from REDCap", exact=True).click()
        page.get_by_role("heading", name="Import from REDCap", exact=True).wait_for()
        wait_for_app(page)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(FIXTURE))
        page.get_by_role("heading", name="Form mentor_review").wait_for(timeout=30000)
        page.get_by_text("14 fields left out").wait_for(timeout=30000)
        wait_for_app(page)
        assert exception_boxes(page) == 0
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "redcap-import-preview.png"), full_page=True)

        page.get_by_role("button", name="Import mentor_review into the program").click()
        page.get_by_text("Imported Mentor review (version 1, 5 items)").wait_for(timeout=30000)
        wait_for_app(page)

        fellow = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        sign_in(fellow, app.url, "fellow@demo.org")
        fellow.get_by_test_id("stSidebarNav").get_by_role("link", name="Assessments", exact=True).click()
        fellow.get_by_text("Mentor review", exact=False).first.wait_for(timeout=30000)
        assert exception_boxes(fellow) == 0
        fellow.context.close()
