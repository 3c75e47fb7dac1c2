"""First and later visits of every page in a real browser (issue 15): from a click in the menu to every
chart drawn, in Debian's headless Chromium through Playwright, on a real `streamlit run serve.py`
server started on a new demo database (tests/browser/server.py, as the browser tests start it).

    .venv/bin/python -m benchmarks.browser_visits            # alone, about 3 minutes
    make bench                                               # as part of the whole benchmark

For each demo role a new Chromium (nothing cached) signs in, then opens every page of that role from
the sidebar in the menu's order (the first visit: the first time that browser opens the page after the
server started), then goes round the menu `--repeats` more times (the later visits, their median).
The sign-in (from the click to Home drawn) is a row of its own: the first after the start against
`--repeats` later ones, each in a new browser context; it checks the password (argon2, slow on purpose)
and runs the app twice, so it is compared with itself, not with a click on Home. A visit ends when the run the
click started has finished (Streamlit's script_finished message on the websocket, read in Python),
Streamlit's status widget is gone, no element is still a loading placeholder, and every plotly chart
on the page holds its drawn SVG. Also measured: from starting the server to the sign-in form drawn.
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.pages import pages_by_role

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"
EMAILS = {"fellow": "fellow@demo.org", "mentor": "mentor@demo.org", "director": "director@demo.org"}
RATIO = 2.0  # the target: every first visit within 2x of the later ones
SIGN_IN = "(sign-in)"
PLOTLY_FETCHES = """() => performance.getEntriesByType('resource')
    .filter((entry) => /PlotlyChart\\.[^/]*\\.js$/.test(entry.name)).map((entry) => Math.round(entry.startTime))"""
TIMEOUT_MS = 120_000

# Drawn: no status widget, no loading placeholder (a lazy element such as plotly's chart is a skeleton
# until its script has loaded), and every plotly chart holds the SVG plotly.js draws into.
DRAWN = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    if (!main || document.querySelector('[data-testid="stStatusWidget"]')) return false;
    if (main.querySelector('[data-testid="stSkeleton"]')) return false;
    const charts = [...main.querySelectorAll('[data-testid="stPlotlyChart"]')];
    return charts.every((chart) => chart.querySelector('.js-plotly-plot .main-svg'));
}"""


def log(message: str) -> None:
    print(message, flush=True)


class RunWatcher:
    """Streamlit's script runs of one page, as the server announces them on the websocket: a run starts
    with new_session and ends with script_finished (status 0: finished, not stopped for a rerun)."""

    def __init__(self, page) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self._message = ForwardMsg
        self.events: list[tuple[str, int, float]] = []
        page.on("websocket", lambda socket: socket.on("framereceived", self._received))

    def _received(self, payload) -> None:
        if not isinstance(payload, bytes | bytearray):
            return
        message = self._message()
        message.ParseFromString(bytes(payload))
        kind = message.WhichOneof("type")
        if kind == "new_session":
            self.events.append(("start", 0, time.perf_counter()))
        elif kind == "script_finished":
            self.events.append(("finish", int(message.script_finished), time.perf_counter()))

    def mark(self) -> int:
        return len(self.events)

    def finished_since(self, mark: int) -> bool:
        """A run that started after `mark` has finished successfully."""
        started = False
        for kind, status, _at in self.events[mark:]:
            if kind == "start":
                started = True
            elif started and status == 0:
                return True
        return False

    def first_start_since(self, mark: int) -> float | None:
        """When the browser heard of the first run started after `mark` (perf_counter)."""
        return next((at for kind, _status, at in self.events[mark:] if kind == "start"), None)


def _visit(page, watcher: RunWatcher, action) -> dict:
    """Seconds from `action()` (a click) to its run finished on the server and to the page drawn."""
    mark = watcher.mark()
    began = time.perf_counter()
    action()
    deadline = began + TIMEOUT_MS / 1000
    while not watcher.finished_since(mark):  # Playwright delivers websocket frames while it waits
        if time.perf_counter() > deadline:
            raise TimeoutError("the page's run did not finish")
        page.wait_for_timeout(5)
    ran = time.perf_counter() - began
    started = (watcher.first_start_since(mark) or began) - began
    page.wait_for_function(DRAWN, timeout=TIMEOUT_MS)
    drawn = time.perf_counter() - began
    charts = page.locator('[data-testid="stMain"] [data-testid="stPlotlyChart"]').count()
    errors = page.locator('[data-testid="stException"]').count()
    return {"seconds": drawn, "run_seconds": ran, "start_seconds": started, "charts": charts, "exceptions": errors}


def _sidebar_click(page, title: str):
    return lambda: page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()


def _sign_in(context, url: str, role: str) -> dict:
    """A new tab of `context` opens the app, and signs in as the role: timed from the click to Home drawn."""
    page = context.new_page()
    watcher = RunWatcher(page)
    page.goto(url)
    page.get_by_label("Email").wait_for(timeout=TIMEOUT_MS)
    page.wait_for_function(DRAWN, timeout=TIMEOUT_MS)
    page.get_by_label("Email").fill(EMAILS[role])
    page.get_by_label("Password", exact=True).fill("demo")
    visit = _visit(page, watcher, lambda: page.get_by_role("button", name="Sign in").click())
    page.get_by_role("heading", name="Welcome").wait_for(timeout=TIMEOUT_MS)
    return visit | {"page": page, "watcher": watcher}


def _row(title: str, first: dict, later: list[dict]) -> dict:
    median = statistics.median(v["seconds"] for v in later)
    return {
        "title": title,
        "first_s": first["seconds"],
        "first_run_s": first["run_seconds"],
        "first_start_s": first["start_seconds"],
        "later_s": median,
        "later_run_s": statistics.median(v["run_seconds"] for v in later),
        "later_runs_s": [v["seconds"] for v in later],
        "ratio": first["seconds"] / median,
        "charts": first["charts"],
        "exceptions": max(v["exceptions"] for v in [first, *later]),
    }


def _role_visits(browser, url: str, role: str, role_pages: list[tuple[str, str]], repeats: int, log) -> tuple[dict, list[int]]:
    """The role's first sign-in and every page's first visit, then `repeats` more rounds of the menu, then
    `repeats` more sign-ins (each in a new tab of a new browser context, so nothing of the first carries over)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        signed_in = _sign_in(context, url, role)
        page, watcher = signed_in.pop("page"), signed_in.pop("watcher")
        visits: dict[str, dict] = {file: {"title": title, "later": []} for file, title in role_pages}
        for round_ in range(repeats + 1):
            for file, title in role_pages:
                visit = _visit(page, watcher, _sidebar_click(page, title))
                if round_ == 0:
                    visits[file]["first"] = visit
                else:
                    visits[file]["later"].append(visit)
        # When and how often this browser fetched plotly's script (the preload should have done it once, early).
        fetches = page.evaluate(PLOTLY_FETCHES)
    finally:
        context.close()
    later_sign_ins = []
    for _ in range(repeats):
        fresh = browser.new_context(viewport={"width": 1280, "height": 900})
        try:
            visit = _sign_in(fresh, url, role)
            later_sign_ins.append({k: v for k, v in visit.items() if k not in ("page", "watcher")})
        finally:
            fresh.close()
    rows = {SIGN_IN: _row("sign-in, to Home drawn", signed_in, later_sign_ins)}
    rows |= {file: _row(visit["title"], visit["first"], visit["later"]) for file, visit in visits.items()}
    log(f"  {role:8} plotly's script fetched {len(fetches)} time(s), at {fetches} ms after the first page load")
    for file, row in rows.items():
        log(
            f"  {role:8} {file:16} first {row['first_s']:6.2f} s (run {row['first_run_s']:5.2f})"
            f"   later {row['later_s']:6.2f} s (run {row['later_run_s']:5.2f})   x{row['ratio']:.1f}   {row['charts']} charts"
        )
    return rows, fetches


def measure_browser_visits(repeats: int = 3, log=log, work: Path | None = None) -> dict:
    """Start a server on a new demo database and visit every page of every demo role in a new Chromium."""
    from tests.browser.server import chromium_path, launched_chromium, running_app

    chromium = chromium_path()
    if chromium is None:
        return {"skipped": "Debian's chromium is not installed (apt-get install chromium)"}
    pages = pages_by_role()
    with tempfile.TemporaryDirectory(prefix="mentorship-visits-") as scratch:
        folder = work or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        db_path = folder / "demo.duckdb"
        began = time.perf_counter()
        with running_app(db_path, start_seconds=300) as app:
            healthy = time.perf_counter() - began
            roles = {}
            with launched_chromium(chromium) as browser:
                page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
                page.goto(app.url)
                page.get_by_label("Email").wait_for(timeout=TIMEOUT_MS)
                page.wait_for_function(DRAWN, timeout=TIMEOUT_MS)
                sign_in_page = time.perf_counter() - began
                page.context.close()
            log(f"  server healthy after {healthy:.2f} s, sign-in page drawn {sign_in_page:.2f} s after start")
            fetches = {}
            for role, role_pages in pages.items():
                with launched_chromium(chromium) as browser:  # a new browser per role: nothing cached
                    roles[role], fetches[role] = _role_visits(browser, app.url, role, role_pages, repeats, log)
            server_log = app.log.read_text(errors="replace")
    worst = max(((f"{r}/{f}", row["ratio"]) for r, rows in roles.items() for f, row in rows.items()), key=lambda x: x[1])
    return {
        "server_healthy_s": healthy,
        "sign_in_page_s": sign_in_page,
        "repeats": repeats,
        "roles": roles,
        "plotly_fetches_ms": fetches,
        "worst_ratio": worst,
        "ok": worst[1] <= RATIO,
        "server_log_tail": server_log.splitlines()[-40:],
    }


def summarise(result: dict) -> list[str]:
    """The printed table: per role and page, the first and later visits and their ratio."""
    if "skipped" in result:
        return [f"Browser visits: skipped ({result['skipped']})"]
    lines = [
        "Browser visits (Chromium, new demo database): from a click in the menu to every chart drawn, seconds",
        f"server start to sign-in page drawn {result['sign_in_page_s']:.2f} s (healthy after {result['server_healthy_s']:.2f} s);"
        f" later = median of {result['repeats']}",
    ]
    header = f"{'role':8} {'page':16} {'first':>7} {'later':>7} {'ratio':>6}  first<={RATIO:g}x later"
    lines += [header, "-" * len(header)]
    for role, rows in result["roles"].items():
        for file, row in rows.items():
            ok = "PASS" if row["ratio"] <= RATIO else "FAIL"
            broken = "  PAGE ERROR" if row["exceptions"] else ""
            lines.append(f"{role:8} {file:16} {row['first_s']:7.2f} {row['later_s']:7.2f} {row['ratio']:6.1f}  {ok:>17}{broken}")
    name, ratio = result["worst_ratio"]
    lines.append(
        f"  {'PASS' if result['ok'] else 'FAIL'}  every first visit within {RATIO:g}x of the later ones"
        f" (worst: {name} {ratio:.1f}x)"
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3, help="later visits per page (their median)")
    parser.add_argument("--json", type=Path, default=RESULTS / "browser-visits.json", help="where to write the results")
    args = parser.parse_args(argv)
    from benchmarks.run import machine

    about = machine()
    log(
        f"Browser visits, {about['date']}, commit {about['commit']}; {about['cpu']}, {about['cores']} cores,"
        f" load {about['load_average'][0]:.2f}; streamlit {about['streamlit']}"
    )
    result = measure_browser_visits(args.repeats) | {"machine": about}
    lines = summarise(result)
    log("\n".join(lines))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result | {"table": lines}, indent=1, default=str))
    log(f"results: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
