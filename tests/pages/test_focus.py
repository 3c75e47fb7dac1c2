"""Where the keyboard focus is sent (ui/focus.py): the page's heading after moving to a page, the
result after a submit, and nowhere on a rerun of the same page. The browser test
(tests/browser/test_accessibility.py) proves the script really moves it; these prove when it is asked."""

import re

from analytics.guide import WELCOMES
from tests.pages.conftest import click, signed_in, texts
from ui.focus import HEADING

FELLOW = "fellow@demo.org"
# The whole body, with nothing but the request's number and the target's selector varying.
BODY = re.compile(
    r'<style>[^<]*</style><span class="st-focus-mover"></span><script>\(\(\) => \{\n  const request = (\d+), selector = (".*?"), '
    r"started = .*</script>",
    re.S,
)


def focus_bodies(at) -> list[str]:
    """The bodies of this run's focus scripts (the page's other constant scripts are not focus moves;
    tests/robustness/test_bad_input_pages.py holds every st.html of the app to the three it allows)."""
    return [html.proto.body for html in at.get("html") if "st-focus-mover" in html.proto.body]


def focus_requests(at) -> list[str]:
    """The selector of each focus move this run asks for, checking each script is the fixed one."""
    selectors = []
    for element in (html for html in at.get("html") if "st-focus-mover" in html.proto.body):
        match = BODY.fullmatch(element.proto.body)
        assert match and element.proto.unsafe_allow_javascript, element.proto.body
        selectors.append(match.group(2))
    return selectors


def test_focus_goes_to_the_heading_after_moving_to_a_page_and_stays_put_on_a_rerun(demo_db):
    at = signed_in(FELLOW)  # signing in is a move to Home
    assert focus_requests(at) == ['"[data-testid=\\"stMain\\"] h1"']
    first_body = focus_bodies(at)[0]
    assert HEADING == '[data-testid="stMain"] h1'

    at.run()  # a rerun of the same page (a widget changed): focus stays where the person is
    assert focus_requests(at) == []

    at.switch_page("app_pages/progress.py").run()
    assert focus_requests(at) == ['"[data-testid=\\"stMain\\"] h1"']
    # A new body each time, even after sanitising: the browser runs a script again only for a new body.
    assert focus_bodies(at)[0] != first_body
    at.run()
    assert focus_requests(at) == []


def test_focus_goes_to_the_confirmation_after_a_submit(demo_db):
    at = signed_in(FELLOW)
    assert WELCOMES["fellow"] in texts(at)
    at = click(at, "Dismiss this welcome")  # a write that confirms (ui.notices.confirm), then reruns
    (request,) = focus_requests(at)  # the confirmation only: not the heading as well
    (number,) = re.fullmatch(r'"\.st-key-focus-(\d+)"', request).groups()
    (block,) = [block for block in at.get("flex_container") if block.proto.id.endswith(f"-focus-{number}")]
    assert [success.value for success in block.success] == [success.value for success in at.success]
    assert "The welcome is dismissed" in texts(block)


def test_focus_goes_to_the_refusal_after_a_submit_that_is_refused(demo_db):
    at = signed_in(FELLOW)
    at.switch_page("app_pages/account.py").run()
    at.text_input[0].input("not my password")
    at.text_input[1].input("a new password")
    at.text_input[2].input("a new password")
    at = click(at, "Change password")
    assert at.error, "the wrong current password is refused"
    (request,) = focus_requests(at)
    (number,) = re.fullmatch(r'"\.st-key-focus-(\d+)"', request).groups()
    (block,) = [block for block in at.get("flex_container") if block.proto.id.endswith(f"-focus-{number}")]
    assert [error.value for error in block.error] == [error.value for error in at.error]
