"""Where one page's rerun spends its time: pyinstrument over warm AppTest reruns (and, with
--after-write, over first runs after a write). Needs `.venv/bin/pip install pyinstrument` (not a
requirement of the app).

    .venv/bin/python -m benchmarks.profile_page --size 1000000 --role director --page dashboard.py
    .venv/bin/python -m benchmarks.profile_page --large-program --page people.py
"""

import argparse
import logging
import os
import tempfile
import uuid
from pathlib import Path

from benchmarks import databases
from benchmarks.measure import TODAY, quiet
from benchmarks.run import EMAILS


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=10_000, help="item responses (a cached benchmark database)")
    parser.add_argument(
        "--large-program", action="store_true", help="the one large program's cached database instead (--size ignored)"
    )
    parser.add_argument("--role", default="director", choices=sorted(EMAILS))
    parser.add_argument("--page", default="dashboard.py", help="a file in pages/")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--after-write", action="store_true", help="profile first runs after a write instead")
    parser.add_argument("--html", type=Path, help="also write pyinstrument's HTML here")
    parser.add_argument("--show-all", action="store_true", help="show library frames too (where plotly or Streamlit spend it)")
    args = parser.parse_args(argv)
    try:
        from pyinstrument import Profiler
    except ImportError:
        parser.error("pyinstrument is not installed: .venv/bin/pip install pyinstrument")

    with tempfile.TemporaryDirectory(prefix="mentorship-profile-") as scratch:
        program = databases.LARGE_PROGRAM if args.large_program else None
        copy = databases.working_copy(databases.cached_database(args.size, program=program), Path(scratch), "profile.duckdb")
        os.environ.update(
            MENTORSHIP_DB=str(copy),
            MENTORSHIP_DEMO="1",
            MENTORSHIP_TODAY=TODAY.isoformat(),
            MENTORSHIP_PROGRAM_INSTRUMENTS=str(Path(scratch) / "program-instruments"),
        )
        logging.getLogger("streamlit").setLevel(logging.ERROR)
        from analytics import auth
        from benchmarks import pages
        from benchmarks.writes import submit_self_assessment
        from ui.resources import app_resources

        pages.pin_navigation_mode()
        resources = app_resources()
        fellow = auth.viewer_for_email(resources.store, EMAILS["fellow"])
        at = pages.signed_in(EMAILS[args.role], timeout=600)
        at.switch_page(f"app_pages/{args.page}").run()
        at.run()
        # AppTest runs the script in a thread of its own: profile inside that thread.
        from streamlit.testing.v1.local_script_runner import LocalScriptRunner

        profiler = Profiler(interval=0.001)
        profiling = {"on": False}
        original = LocalScriptRunner._run_script_thread

        def profiled(runner) -> None:
            if not profiling["on"]:
                return original(runner)
            profiler.start()
            try:
                return original(runner)
            finally:
                profiler.stop()

        LocalScriptRunner._run_script_thread = profiled
        for _ in range(args.runs):
            if args.after_write:
                quiet()
                submit_self_assessment(resources.store, resources.catalogue, fellow, TODAY, f"profile-{uuid.uuid4().hex}")
            profiling["on"] = True
            at.run()
            profiling["on"] = False
        if at.exception:
            print("the page raised:", at.exception[0].message)
        print(profiler.output_text(unicode=True, color=False, show_all=args.show_all))
        if args.html:
            args.html.write_text(profiler.output_html())


if __name__ == "__main__":
    main()
