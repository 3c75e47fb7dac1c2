"""Peak memory of a real server: `streamlit run app.py` on a database, every page visited as each demo
role in Debian's Chromium through Playwright (launched as tests/browser/conftest.py does), then the
server's VmHWM (peak resident set) read from /proc/<pid>/status."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import suppress
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parents[1]
TODAY = "2026-11-26"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        return {"skipped": "Debian's chromium is not installed (apt-get install chromium)"}
    from playwright.sync_api import sync_playwright

    port = _free_port()
    environment = {
        **os.environ,
        "MENTORSHIP_DB": str(db_path),
        "MENTORSHIP_DEMO": "1",
        "MENTORSHIP_TODAY": TODAY,
        "MENTORSHIP_PROGRAM_INSTRUMENTS": str(db_path.parent / "program-instruments"),
    }
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    log_path = db_path.parent / f"server-{port}.log"
    visits, errors = [], []
    with open(log_path, "w") as server_log:
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=server_log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not start: {log_path.read_text()}")
                time.sleep(0.2)
            idle = proc_status(process.pid)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
                try:
                    for role, role_pages in pages.items():
                        context = browser.new_context(viewport={"width": 1280, "height": 900})
                        try:
                            _visit(context.new_page(), url, emails[role], role, role_pages, process, visits, errors, log)
                        except Exception as error:  # a finding, not a reason to lose the measurement
                            errors.append(f"{role}: {type(error).__name__}: {(str(error).splitlines() or [''])[0]}")
                            log(f"  browser {role}: {errors[-1]}")
                        finally:
                            context.close()
                finally:
                    browser.close()
            if process.poll() is not None:
                raise RuntimeError(f"the server exited during the visits: see {log_path}")
            final = proc_status(process.pid)
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
    return {
        "peak_rss_mb": final["VmHWM"] / 1024,
        "rss_after_mb": final["VmRSS"] / 1024,
        "rss_idle_mb": idle["VmRSS"] / 1024,
        "visits": visits,
        "errors": errors,
        "server_log": str(log_path),
    }
