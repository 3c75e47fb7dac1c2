"""Browser tests: the real server in a subprocess, driven by Playwright in Debian's headless Chromium.

Without Chromium they skip with the reason locally, and fail when CI=true: CI must run them.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TODAY = "2026-11-26"
ARTIFACTS = ROOT / "test-artifacts"  # screenshots of failed browser tests (git-ignored)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        message = "Debian's chromium is not installed (apt-get install chromium); browser tests need it"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message + " and CI must run them")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    yield opened
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        ARTIFACTS.mkdir(exist_ok=True)
        opened.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_app(db_path: Path, demo: bool = True, secrets: str | None = None, port: int | None = None):
    """A new server process on a free port; yields its base URL and stops it afterwards.

    `secrets`: the text of a secrets.toml (e.g. an [auth] section for st.login), written next to the
    database and given to the server with --secrets.files, so the project's own secrets are not read.
    `port`: a port chosen beforehand, for secrets that must name the app's URL (the OIDC redirect_uri).
    """
    port = port or free_port()
    env = {
        **os.environ,
        "MENTORSHIP_DB": str(db_path),
        "MENTORSHIP_DEMO": "1" if demo else "0",
        "MENTORSHIP_TODAY": TODAY,
        "MENTORSHIP_PROGRAM_INSTRUMENTS": str(db_path.parent / "program-instruments"),
    }
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "app.py"),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    if secrets is not None:
        secrets_file = db_path.parent / f"secrets-{port}.toml"
        secrets_file.write_text(secrets)
        command += ["--secrets.files", str(secrets_file)]
    log = open(db_path.parent / f"server-{port}.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the app did not start: {(db_path.parent / f'server-{port}.log').read_text()}")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def wait_for_app(page, timeout: int = 30000) -> None:
    """Streamlit has finished a run when its status widget is gone and the main block is there."""
    page.wait_for_selector('[data-testid="stMain"]', timeout=timeout)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout)
    page.wait_for_timeout(300)


def sign_in(page, url: str, email: str, password: str = "demo") -> None:
    page.goto(url)
    wait_for_app(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Welcome").wait_for(timeout=30000)
    wait_for_app(page)


def exception_boxes(page) -> int:
    return page.locator('[data-testid="stException"]').count()
