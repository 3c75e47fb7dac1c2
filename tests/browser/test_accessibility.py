"""Accessibility in Chromium: axe-core (WCAG 2.2 AA) on every page of every role and on the sign-in page,
focus after moving to a page and after a submit, and a journey made with the keyboard alone.

axe runs on a page once it is fully drawn (the run finished, the heading of the new page there, every
chart drawn) in a window as tall as the page, so every element is in view for the colour checks.
Violations that come from Streamlit's own markup, which the app cannot change, are left out by rule
AND selector, each with why (STREAMLIT_MARKUP); everything else serious or critical fails the test,
and so does a heading that skips a level (axe's heading-order, "moderate", from its best practices).
"""

import ast
import json
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.conftest import ARTIFACTS, sign_in, wait_for_app
from tests.browser.server import ROOT, running_app

pytestmark = pytest.mark.browser

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILING_IMPACTS = {"serious", "critical"}
ALSO_FAILING_RULES = {"heading-order"}  # a best practice, but the brief's "headings in order" is the app's own
DEMO = {"fellow": "fellow@demo.org", "mentor": "mentor@demo.org", "director": "director@demo.org"}
TALLEST = 12_000  # px: the window grows to the page's height, up to this
AXE = Axe()


@dataclass(frozen=True)
class StreamlitMarkup:
    """A violation in Streamlit's own markup: left out only for `rule` on nodes matching `selector`."""

    rule: str
    selector: str
    why: str


# Searched: streamlit/streamlit issues for each (the `search` tool, corpus "issues", 2026-11-30); none
# filed was found, so each names the change that brought the markup.
STREAMLIT_MARKUP = [
    StreamlitMarkup(
        "list",
        '[data-testid="stSidebarNavItems"]',
        "st.navigation with sections draws each section (its header and its links) as a <div> straight inside the "
        "menu's <ul>, since sections came to the sidebar (streamlit/streamlit#8681); no issue filed yet",
    ),
    StreamlitMarkup(
        "listitem",
        '[data-testid="stSidebarNavItems"] li',
        "the same <div> between the menu's <ul> and the <li> of each page in a section (streamlit/streamlit#8681)",
    ),
    StreamlitMarkup(
        "target-size",
        '[data-testid="stDateInput"] [role="spinbutton"]',
        "st.date_input's month and day segments are about 15 px wide: React Aria's date field that Streamlit "
        "adopted for accessibility (streamlit/streamlit#16460); typing the date works, and so does the calendar",
    ),
]


def pages_of(role: str) -> list[str]:
    """The titles app.py's PAGES gives `role` (read from the file: importing app.py would run the app)."""
    names: dict = {}
    for node in ast.parse((ROOT / "app.py").read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, (ast.Name, ast.Tuple)) and "PAGES" in ast.unparse(target) or "EVERYONE" in ast.unparse(target)
            for target in node.targets
        ):
            exec(compile(ast.Module([node], []), "app.py", "exec"), names)
    return [title for _section, _file, title, _icon, roles in names["PAGES"] if role in roles]


def heading_of(title: str) -> str:
    return {"Home": "Welcome"}.get(title, title)


def wait_for_drawn(page, heading: str) -> None:
    """The run is over, the page's own h1 is there (not the last page's), and every chart is drawn."""
    wait_for_app(page)
    page.wait_for_function(
        """(heading) => [...document.querySelectorAll('[data-testid="stMain"] h1')]
            .some((h) => !h.closest('[data-stale="true"]') && h.textContent.startsWith(heading))""",
        arg=heading,
        timeout=30000,
    )
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
            .every((chart) => chart.querySelector('.main-svg'))
            && !document.querySelector('[data-testid="stSkeleton"]')""",
        timeout=30000,
    )


def focused_heading(page) -> str | None:
    return page.evaluate("() => document.activeElement.tagName === 'H1' ? document.activeElement.textContent : null")


def wait_for_focus_on_heading(page, heading: str) -> None:
    try:
        page.wait_for_function(
            "(heading) => document.activeElement.tagName === 'H1' && document.activeElement.textContent.startsWith(heading)",
            arg=heading,
            timeout=15000,
        )
    except PlaywrightTimeout:
        focused = page.evaluate("() => document.activeElement.outerHTML.slice(0, 200)")
        raise AssertionError(f"the focus is not on the heading {heading!r} but on {focused}") from None


def next_frame(page) -> None:
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")


def axe_problems(page) -> list[dict]:
    """What axe finds on the whole page, drawn in a window as tall as the page, less Streamlit's own markup."""
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": 1280, "height": min(max(height, 900), TALLEST)})
    next_frame(page)
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].every((c) => c.querySelector('.main-svg'))"""
    )
    options = {
        "runOnly": {"type": "tag", "values": WCAG_22_AA},
        "rules": {rule: {"enabled": True} for rule in ALSO_FAILING_RULES},
        "resultTypes": ["violations"],
    }
    violations = AXE.run(page, options=options).response["violations"]
    page.set_viewport_size({"width": 1280, "height": 900})
    problems = []
    for violation in violations:
        if violation["impact"] not in FAILING_IMPACTS and violation["id"] not in ALSO_FAILING_RULES:
            continue
        for node in violation["nodes"]:
            if streamlits_own(page, violation["id"], node["target"]):
                continue
            problems.append(
                {
                    "rule": violation["id"],
                    "impact": violation["impact"],
                    "target": node["target"],
                    "html": node["html"][:200],
                    "why": node.get("failureSummary", "")[:300],
                }
            )
    return problems


def streamlits_own(page, rule: str, target: list) -> bool:
    """True when the node is one of STREAMLIT_MARKUP's for this rule (`target` is axe's selector path)."""
    selectors = [known.selector for known in STREAMLIT_MARKUP if known.rule == rule]
    if not selectors or len(target) != 1:  # a node inside a shadow root or an iframe is never Streamlit's known markup
        return False
    return page.evaluate(
        "([target, selectors]) => { const node = document.querySelector(target);"
        " return !!node && selectors.some((selector) => node.matches(selector)); }",
        [target[0], selectors],
    )


def report(found: dict[str, list[dict]], name: str) -> str:
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"axe-{name}.json").write_text(json.dumps(found, indent=1))
    lines = [f"{where}: {p['rule']} ({p['impact']}) {p['html'][:120]}" for where, problems in found.items() for p in problems]
    return f"{len(lines)} violations in the app's own content (test-artifacts/axe-{name}.json):\n" + "\n".join(lines)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with running_app(tmp_path_factory.mktemp("a11y") / "demo.duckdb") as running:
        yield running


def test_the_sign_in_page_has_no_serious_axe_violations_and_a_refusal_takes_the_focus(app, page):
    page.goto(app.url)
    page.get_by_label("Email").wait_for(timeout=60000)  # a new database builds the demo program first
    wait_for_drawn(page, "Mentorship self-assessment")
    found = {"sign-in": axe_problems(page)}

    page.get_by_label("Email").fill("fellow@demo.org")
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_function(
        "() => document.activeElement.closest('.stVerticalBlock')?.textContent.includes('do not match')", timeout=15000
    )
    found["sign-in, refused"] = axe_problems(page)
    assert not any(found.values()), report(found, "signed-out")


@pytest.mark.parametrize("role", sorted(DEMO))
def test_every_page_has_no_serious_axe_violations_and_takes_the_focus_to_its_heading(app, page, role):
    sign_in(page, app.url, DEMO[role])
    menu = page.get_by_test_id("stSidebarNav").get_by_role("link")
    titles = [menu.nth(i).inner_text().strip().split("\n")[-1] for i in range(menu.count())]  # after the icon
    assert sorted(titles) == sorted(pages_of(role))
    assert titles[0] == "Home"
    wait_for_focus_on_heading(page, "Welcome")  # signing in is a move to Home
    found = {}
    for title in titles:
        if title != "Home":  # Home is open already; its link would only rerun it, leaving focus on the link
            page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
        wait_for_drawn(page, heading_of(title))
        wait_for_focus_on_heading(page, heading_of(title))  # not left on the menu link
        found[f"{role}: {title}"] = axe_problems(page)
    assert not any(found.values()), report(found, role)


def test_focus_goes_to_the_confirmation_after_a_submit(app, page):
    sign_in(page, app.url, DEMO["mentor"])
    page.get_by_role("button", name="Dismiss this welcome").click()
    page.wait_for_function(
        "() => document.activeElement.matches('[class*=\"st-key-focus-\"]')"
        " && document.activeElement.textContent.includes('The welcome is dismissed')",
        timeout=15000,
    )
    assert page.evaluate("() => !!document.activeElement.querySelector('[data-testid=\"stAlert\"]')")


def press_until(page, key: str, condition: str, most: int = 80) -> None:
    """Press `key` until the JavaScript `condition` (about document.activeElement `a`) holds."""
    for _ in range(most):
        page.keyboard.press(key)
        if page.evaluate(f"() => {{ const a = document.activeElement; return !!({condition}); }}"):
            return
    raise AssertionError(f"{most} presses of {key} never reached: {condition}")


def test_a_fellow_signs_in_fills_an_assessment_and_reads_its_chart_with_the_keyboard_alone(tmp_path, page):
    with running_app(tmp_path / "demo.duckdb") as app:  # its own database: this journey stores an assessment
        page.goto(app.url)
        page.get_by_label("Email").wait_for(timeout=60000)
        wait_for_app(page)
        press_until(page, "Tab", "a.getAttribute('aria-label') === 'Email'")
        page.keyboard.type(DEMO["fellow"])
        press_until(page, "Tab", "a.getAttribute('aria-label') === 'Password'")
        page.keyboard.type("demo")
        page.keyboard.press("Enter")
        wait_for_focus_on_heading(page, "Welcome")

        press_until(page, "Tab", "a.matches('[data-testid=\"stSidebarNavLink\"]') && a.textContent.endsWith('Assessments')")
        page.keyboard.press("Enter")
        wait_for_focus_on_heading(page, "Assessments")
        wait_for_drawn(page, "Assessments")  # the radio buttons' code loads on first use
        groups = 0
        while True:  # each rating is one Tab stop: Space picks the first answer, the right arrow the second
            press_until(page, "Tab", "(a.type === 'radio' && !a.checked) || a.matches('button[kind*=\"Form\"]')")
            if page.evaluate("() => document.activeElement.type !== 'radio'"):
                break
            page.keyboard.press("Space")
            page.keyboard.press("ArrowRight")
            groups += 1
        assert groups == 9, page.evaluate("() => document.activeElement.outerHTML.slice(0, 300)")
        assert page.evaluate("() => document.activeElement.textContent") == "Submit"
        page.keyboard.press("Enter")
        page.wait_for_function(  # the focus is on the confirmation: Shift+Tab starts from there
            "() => document.activeElement !== document.body"
            " && document.activeElement.textContent.includes('Saved: Good-mentee qualities: my self-assessment')",
            timeout=30000,
        )

        press_until(page, "Shift+Tab", "a.matches('[data-testid=\"stSidebarNavLink\"]') && a.textContent.endsWith('My progress')")
        page.keyboard.press("Enter")
        wait_for_focus_on_heading(page, "My progress")
        wait_for_drawn(page, "My progress")
        averages = page.evaluate(
            """() => [...document.querySelectorAll('.js-plotly-plot')]
                .filter((plot) => (plot.layout.title.text || '').includes('over time'))
                .flatMap((plot) => plot._fullData.filter((trace) => trace.name === 'Average'))
                .flatMap((trace) => [...trace.x].map((x, i) => [String(x), Number(trace.y[i])]))
                .filter(([x]) => x === '2026 Q4')"""
        )
        assert averages == [["2026 Q4", 2.0]], page.evaluate(
            """() => [...document.querySelectorAll('.js-plotly-plot')].map((plot) => [plot.layout.title.text,
                plot._fullData.map((trace) => [trace.name, [...trace.x].slice(-2), [...trace.y].slice(-2)])])"""
        )
