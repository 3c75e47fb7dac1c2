"""The real app in a subprocess and Debian's headless Chromium, for the browser tests and for
benchmarks/server_memory.py; plain Python (no pytest), so the benchmark imports it too."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
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


@dataclass(frozen=True)
class RunningApp:
    url: str
    process: subprocess.Popen
    log: Path  # the server's output, kept beside the database


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@contextmanager
def launched_chromium(path: str) -> Iterator:
    """Headless Chromium through Playwright, closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_app(
    db_path: Path,
    demo: bool = True,
    secrets: str | None = None,
    port: int | None = None,
    start_seconds: float = 60,
    database: str | None = None,
) -> Iterator[RunningApp]:
    """A new server process on a free port, healthy before it is yielded, stopped afterwards.

    `database`: a postgresql:// URL for MENTORSHIP_DB instead of the file `db_path` (whose folder still
    holds the log and the program instruments).

    `secrets`: the text of a secrets.toml (e.g. an [auth] section for st.login), written next to the
    database and given to the server with --secrets.files, so the project's own secrets are not read.
    `port`: a port chosen beforehand, for secrets that must name the app's URL (the OIDC redirect_uri).
    """
    port = port or free_port()
    env = {
        **os.environ,
        "MENTORSHIP_DB": database or str(db_path),
        "MENTORSHIP_DEMO": "1" if demo else "0",
        "MENTORSHIP_TODAY": TODAY,
        "MENTORSHIP_PROGRAM_INSTRUMENTS": str(db_path.parent / "program-instruments"),
    }
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "serve.py"),
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
    log_path = db_path.parent / f"server-{port}.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + start_seconds
            while True:
                try:
                    with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the app did not start: {log_path.read_text()}")
                time.sleep(0.2)
            yield RunningApp(url, process, log_path)
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
