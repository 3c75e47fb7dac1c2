"""The first visit after a server start finds the work done (ui/warmup.py, run by serve.py's lifespan): the
demo database is built and the caches are warm before anyone connects, and the browser has plotly's script
before the first chart. Not timed (benchmarks/browser_visits.py measures); the mechanism is tested."""

import re
import time

import pytest

from tests.browser.conftest import wait_for_app
from tests.browser.server import running_app

pytestmark = pytest.mark.browser

OPENED = re.compile(r"database open at start: .*demo\.duckdb, (\d+) people, demo mode")
WARMED = re.compile(r"warm-up done in [\d.]+ s: \d+ modules, a sample figure, the first reads of \d+ pages for 3 people")
PLOTLY_FETCHES = """() => performance.getEntriesByType('resource')
    .filter((entry) => /\\/PlotlyChart\\.[^/]*\\.js$/.test(entry.name)).length"""


def wait_for_log(app, pattern: re.Pattern, seconds: float = 120) -> re.Match:
    """Until the server's log holds a line matching `pattern` (the warm-up runs in a thread of its own)."""
    deadline = time.monotonic() + seconds
    while (found := pattern.search(app.log.read_text())) is None:
        assert app.process.poll() is None, app.log.read_text()
        assert time.monotonic() < deadline, f"no {pattern.pattern!r} in the server's log:\n{app.log.read_text()}"
        time.sleep(0.2)
    return found


def test_the_demo_database_is_built_and_the_caches_warmed_before_anyone_connects(tmp_path, page):
    db_path = tmp_path / "demo.duckdb"
    with running_app(db_path, start_seconds=120) as app:
        # Healthy means the lifespan's start-up has finished: the database was opened and filled by then.
        opened = OPENED.search(app.log.read_text())
        assert opened is not None, app.log.read_text()
        assert int(opened.group(1)) > 40  # the demo program: 30 fellows, 12 mentors, a director
        assert db_path.exists() and db_path.stat().st_size > 1_000_000
        wait_for_log(app, WARMED)
        migrated = app.log.read_text().count("migrating")
        assert migrated > 0

        page.goto(app.url)
        page.get_by_label("Email").wait_for(timeout=60000)
        wait_for_app(page)
        log = app.log.read_text()
        assert log.count("migrating") == migrated  # the first request opened nothing anew
        assert len(OPENED.findall(log)) == 1
        assert "Traceback" not in log


def test_the_browser_loads_plotlys_script_on_the_sign_in_page_and_only_once(tmp_path, page):
    with running_app(tmp_path / "demo.duckdb", start_seconds=120) as app:
        page.goto(app.url)
        page.get_by_label("Email").wait_for(timeout=60000)
        wait_for_app(page)
        page.wait_for_function(f"() => ({PLOTLY_FETCHES})() === 1", timeout=30000)  # before any chart was asked for
        assert page.locator(".js-plotly-plot").count() == 0

        page.get_by_label("Email").fill("fellow@demo.org")  # in the same document: its module map stays
        page.get_by_label("Password", exact=True).fill("demo")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", name="Welcome").wait_for(timeout=30000)
        wait_for_app(page)
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="My progress", exact=True).click()
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60000)
        wait_for_app(page)
        assert page.evaluate(PLOTLY_FETCHES) == 1  # the chart used the module loaded before, at the same address
