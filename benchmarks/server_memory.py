"""Peak memory of a real server: `streamlit run serve.py` on a database, every page visited as each demo
role in Debian's Chromium through Playwright (started and launched as the browser tests do), then the
server's VmHWM (peak resident set) read from /proc/<pid>/status."""

import time
from contextlib import suppress
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.server import chromium_path, launched_chromium, running_app


def proc_status(pid: int) -> dict[str, int]:
    """VmHWM and VmRSS of a process, in kB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            found[key] = int(value.split()[0])
    return found


_STATE = "document.querySelector('[data-testid=\"stApp\"]')?.dataset.testScriptState"


def _wait_for_run(page, timeout: int) -> None:
    """Until the script run that the last action started has finished: Streamlit's app root says
    data-test-script-state="notRunning" again (a quick run may be over before the first look)."""
    with suppress(PlaywrightTimeout):
        page.wait_for_function(f"() => {_STATE} !== 'notRunning'", timeout=1500)
    page.wait_for_function(f"() => {_STATE} === 'notRunning'", timeout=timeout)
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=timeout)
    page.wait_for_timeout(200)


def _visit(page, url: str, email: str, role: str, role_pages, process, visits: list, errors: list, log) -> None:
    """Sign in as one role and open each of its pages from the sidebar, noting the server's RSS."""
    timeout_ms = 180_000  # one page's run at most; a sign-in that fails shows no "Welcome" at all
    page.goto(url)
    _wait_for_run(page, timeout_ms)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill("demo")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Welcome").wait_for(timeout=timeout_ms)
    _wait_for_run(page, timeout_ms)
    for file, title in role_pages:
        began = time.perf_counter()
        page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
        if file != "home.py":  # the default page keeps the root URL
            page.wait_for_url(f"**/{Path(file).stem}", timeout=timeout_ms)
        _wait_for_run(page, timeout_ms)
        seconds = time.perf_counter() - began
        boxes = page.locator('[data-testid="stException"]').count()
        if boxes:
            errors.append(f"{role} {file}: {boxes} exception box(es)")
        rss = proc_status(process.pid)
        visits.append({"role": role, "page": file, "seconds": seconds, "rss_kb": rss["VmRSS"]})
        log(f"  browser {role:8} {file:16} {seconds:6.2f} s   server RSS {rss['VmRSS'] / 1024:7.0f} MB")


def measure_server_memory(db_path: Path, emails: dict[str, str], pages: dict[str, list[tuple[str, str]]], log=print) -> dict:
    chromium = chromium_path()
    if chromium is None:
        return {"skipped": "Debian's chromium is not installed (apt-get install chromium)"}
    visits, errors = [], []
    with running_app(db_path, start_seconds=120) as app:
        idle = proc_status(app.process.pid)
        with launched_chromium(chromium) as browser:
            for role, role_pages in pages.items():
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                try:
                    _visit(context.new_page(), app.url, emails[role], role, role_pages, app.process, visits, errors, log)
                except Exception as error:  # a finding, not a reason to lose the measurement
                    errors.append(f"{role}: {type(error).__name__}: {(str(error).splitlines() or [''])[0]}")
                    log(f"  browser {role}: {errors[-1]}")
                finally:
                    context.close()
        if app.process.poll() is not None:
            raise RuntimeError(f"the server exited during the visits: see {app.log}")
        final = proc_status(app.process.pid)
    return {
        "peak_rss_mb": final["VmHWM"] / 1024,
        "rss_after_mb": final["VmRSS"] / 1024,
        "rss_idle_mb": idle["VmRSS"] / 1024,
        "visits": visits,
        "errors": errors,
        "server_log": str(app.log),
    }
