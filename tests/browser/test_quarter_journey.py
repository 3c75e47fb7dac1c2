"""A mentor's quarter on one page, in a real browser: two due ratings filled in on Assessments, the states and
the count following each submit, the next one opening, and a half-filled form kept while another is opened.
Leaves a full-page screenshot in test-artifacts/quarter-journey.png for a person to look at."""

import pytest

from tests.browser.conftest import choose, exception_boxes, sign_in, wait_for_app
from tests.browser.server import running_app
from tests.browser.test_growth_journeys import screenshot
from tests.browser.test_journeys import open_page

pytestmark = pytest.mark.browser

MENTOR_SELF = "Good-mentor qualities: my self-assessment"
ESTHER = "Good-mentee qualities: my mentee about Esther Lindqvist"


def listed(page) -> list[str]:
    """The label of every assessment on the page, as shown (the state after the title)."""
    summaries = page.get_by_test_id("stExpander").locator("summary").get_by_test_id("stMarkdownContainer")
    return [text.strip() for text in summaries.all_inner_texts()]  # the icon before it is aria-hidden


def assessment(page, title: str):
    return page.get_by_test_id("stExpander").filter(has=page.locator("summary", has_text=title))


def is_open(page, title: str) -> bool:
    return assessment(page, title).locator("details").get_attribute("open") is not None


def rate(box, choice: int, first: int = 0, last: int | None = None) -> None:
    """Choose the `choice`-th point (from 0) on the rating groups first..last of one form."""
    groups = box.get_by_role("radiogroup")
    for index in range(first, groups.count() if last is None else last):
        choose(groups.nth(index).get_by_role("radio").nth(choice))


def checked(box) -> list[bool]:
    return [group.get_by_role("radio").nth(3).is_checked() for group in box.get_by_role("radiogroup").all()]


def test_a_mentor_fills_two_due_ratings_on_the_one_page(tmp_path, page):
    with running_app(tmp_path / "demo.duckdb") as app:
        sign_in(page, app.url, "mentor@demo.org")
        open_page(page, "Assessments")
        page.get_by_text("3 of 13 done").wait_for(timeout=30000)
        page.get_by_test_id("stExpander").nth(12).wait_for(timeout=30000)
        labels = listed(page)
        assert len(labels) == 13
        assert sum("· done" in label for label in labels) == 3
        assert labels[0] == f"{MENTOR_SELF} · not started"
        assert is_open(page, MENTOR_SELF) and not is_open(page, ESTHER)

        # Half of the first form, then another opened: what was chosen stays (it lives in the browser until Submit).
        mine = assessment(page, MENTOR_SELF)
        mine.get_by_role("radiogroup").nth(7).wait_for(timeout=30000)
        rate(mine, 3, last=4)
        assessment(page, ESTHER).locator("summary").click()
        assessment(page, ESTHER).get_by_role("radiogroup").nth(8).wait_for(timeout=30000)
        wait_for_app(page)
        assert is_open(page, MENTOR_SELF)
        assert checked(mine) == [True] * 4 + [False] * 4

        rate(mine, 3, first=4)
        mine.get_by_role("button", name="Submit").click()
        page.get_by_text(f"Saved: {MENTOR_SELF} for 2026 Q4. 4 of 13 done.").wait_for(timeout=30000)
        page.get_by_text("4 of 13 done for 2026 Q4").wait_for(timeout=30000)
        wait_for_app(page)
        assert listed(page)[0] == f"{MENTOR_SELF} · done 26 Nov"
        assert not is_open(page, MENTOR_SELF)
        assert is_open(page, "How our mentoring is going with Nadia Evans")  # the next one still to do
        assert is_open(page, ESTHER)  # opened by the mentor, still open

        esther = assessment(page, ESTHER)
        rate(esther, 1)
        esther.get_by_role("button", name="Submit").click()
        page.get_by_text(f"Saved: {ESTHER} for 2026 Q4. 5 of 13 done.").wait_for(timeout=30000)
        page.get_by_text("5 of 13 done for 2026 Q4").wait_for(timeout=30000)
        wait_for_app(page)
        assert f"{ESTHER} · done 26 Nov" in listed(page)
        assert not is_open(page, ESTHER)
        assert is_open(page, "How our mentoring is going with Esther Lindqvist")
        assert sum("· done" in label for label in listed(page)) == 5
        assert exception_boxes(page) == 0
        screenshot(page, "quarter-journey")
