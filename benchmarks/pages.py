"""Page reruns in AppTest: every page of app.py's PAGES table for each demo role that may see it.

AppTest normally runs a file of a `pages/` folder directly after `switch_page` (Streamlit's old
multipage mode), without app.py. A real server, once any session has run app.py, runs app.py and
then the page through `st.navigation` on every rerun. `pin_navigation_mode` makes AppTest do the
same, so a timed rerun is what a server does for a person.
"""

import ast
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import streamlit.testing.v1.app_test as app_test_module
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
FLOOR_PAGE = 'import streamlit as st\nst.write("floor")\n'
ROLES = ("fellow", "mentor", "director")


class _NavigationPagesManager(PagesManager):
    """A PagesManager that never falls back to running a pages/ file directly."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


def pin_navigation_mode() -> None:
    app_test_module.PagesManager = _NavigationPagesManager


def pages_by_role(app_file: Path = APP) -> dict[str, list[tuple[str, str]]]:
    """(file, title) of every page each role may open, read from app.py's PAGES table (not imported:
    importing app.py would run it)."""
    tree = ast.parse(app_file.read_text(encoding="utf-8"))
    namespace: dict = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            names = {t.id for target in node.targets for t in ast.walk(target) if isinstance(t, ast.Name)}
            if names & {"EVERYONE", "ANSWERS", "PAGES"}:
                exec(compile(ast.Module([node], []), str(app_file), "exec"), namespace)  # noqa: S102 - our own app.py
    return {
        role: [(file, title) for _section, file, title, _icon, roles in namespace["PAGES"] if role in roles] for role in ROLES
    }


def timed(run: Callable[[], object]) -> float:
    began = time.perf_counter()
    run()
    return (time.perf_counter() - began) * 1000


def signed_in(email: str, timeout: float, password: str = "demo") -> AppTest:
    """A fresh app session signed in through the sign-in form, as tests/pages/conftest.py does."""
    at = AppTest.from_file(str(APP), default_timeout=timeout).run()
    inputs = {widget.label: widget for widget in at.text_input}
    inputs["Email"].input(email)
    inputs["Password"].input(password)
    next(button for button in at.button if button.label == "Sign in").click()
    at.run()
    if at.exception or not any(str(title.value).startswith("Welcome") for title in at.title):
        raise RuntimeError(f"signing in as {email} failed: {at.exception or [t.value for t in at.title]}")
    return at


def floor(repeat: int, timeout: float) -> dict:
    """The median rerun of a bare one-line page: what AppTest and Streamlit cost with no work at all."""
    at = AppTest.from_string(FLOOR_PAGE, default_timeout=timeout).run()
    for _ in range(3):
        at.run()
    times = [timed(at.run) for _ in range(max(repeat * 3, 15))]
    return {"median_ms": statistics.median(times), "runs": len(times)}


def measure_pages(
    emails: dict[str, str],
    write: Callable[[], None],
    repeat: int,
    cold_repeat: int,
    timeout: float,
    budget_s: float = 60.0,
    log=print,
    other_write: Callable[[], None] | None = None,
    roles: tuple[str, ...] = ROLES,
    reads: Callable[[], int] | None = None,
) -> list[dict]:
    """For each role and page: the median warm rerun, the median rerun with a write in another program
    between reruns (`other_write`, if given) and the median first run after a write that concerns the page.

    `write` stores something through the app's write path in the page's program (a fellow's
    self-assessment: their pages, their mentor's and the director's read it); `other_write` the same
    in another program. A page whose runs take long gets fewer of them (at least 3 warm and 1 after a
    write), so one slow page cannot take the whole run: about `budget_s` per page.
    """
    count = reads or (lambda: 0)

    def counted(run: Callable[[], object], into: list[int]) -> float:
        before = count()
        elapsed = timed(run)
        into.append(count() - before)
        return elapsed

    results = []
    for role, pages in pages_by_role().items():
        if role not in roles:
            continue
        at = signed_in(emails[role], timeout)
        for file, title in pages:
            at.switch_page(f"app_pages/{file}")
            first = timed(at.run)  # first view of the page in this session
            second = timed(at.run)  # warm-up
            runs = max(3, min(repeat, int(budget_s * 1000 * 0.6 / max(second, 1))))
            quiet_reads: list[int] = []
            warm = [counted(at.run, quiet_reads) for _ in range(runs)]
            elsewhere: list[float] = []
            elsewhere_reads: list[int] = []
            beside: list[float] = []
            if other_write is not None:
                # Interleaved with quiet reruns, so a machine's load drifting during the page hits both alike:
                # those quiet reruns are the baseline the ratio is taken against (they join the warm ones too).
                for _ in range(runs):
                    other_write()
                    elsewhere.append(counted(at.run, elsewhere_reads))
                    beside.append(counted(at.run, quiet_reads))
                warm += beside
            cold_runs = max(1, min(cold_repeat, int(budget_s * 1000 * 0.4 / max(first, 1))))
            cold: list[float] = []
            cold_reads: list[int] = []
            for _ in range(cold_runs):
                write()
                cold.append(counted(at.run, cold_reads))
            error = str(at.exception[0].message) if at.exception else None
            shown = [str(t.value) for t in at.title]
            unavailable = any("This page is not available" in str(box.value) for box in at.info)
            result = {
                "role": role,
                "page": file,
                "title": title,
                "first_view_ms": first,
                "rerun_ms": statistics.median(warm),
                "rerun_runs_ms": warm,
                # Read cursors the store opened during a rerun (machine-independent: a warm page opens few).
                "reads_quiet": statistics.median(quiet_reads),
                "reads_other_program_write": statistics.median(elsewhere_reads) if elsewhere_reads else None,
                "reads_after_write": statistics.median(cold_reads) if cold_reads else None,
                "other_program_write_ms": statistics.median(elsewhere) if elsewhere else None,
                "other_program_write_runs_ms": elsewhere,
                # The quiet reruns taken between those (each right after one with a write before it).
                "interleaved_quiet_ms": statistics.median(beside) if beside else None,
                "after_write_ms": statistics.median(cold) if cold else None,
                "after_write_runs_ms": cold,
                "exception": error,
                "unavailable": unavailable,
                "titles": shown,
            }
            log(
                f"  {role:8} {file:16} rerun {result['rerun_ms']:8.1f} ms   other program's write "
                f"{result['other_program_write_ms'] or 0:8.1f} ms   after write "
                f"{result['after_write_ms'] or 0:8.1f} ms   first {first:8.1f} ms" + (f"   EXCEPTION {error}" if error else "")
            )
            results.append(result)
    return results
