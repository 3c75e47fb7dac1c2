"""One size, in a process of its own (a fresh DuckDB instance and fresh Streamlit caches):
page reruns in AppTest, the dashboard's aggregates, and writes. Called by benchmarks/run.py:

    python -m benchmarks.measure --db WORKING_COPY --json OUT [--repeat 7 --cold-repeat 3]

`--postgres` measures the PostgreSQL database MENTORSHIP_DB names instead (--db then only names the folder
for the program instruments); `--pages-only` skips the aggregates and writes (benchmarks/postgres.py).
"""

import argparse
import json
import logging
import os
import sys
import time
import uuid
from datetime import date
from pathlib import Path

TODAY = date(2026, 11, 26)


def log(message: str) -> None:
    print(message, flush=True)


def database_facts(store) -> dict:
    counts = {}
    for table in ("responses", "assessments", "people", "pairs", "goals", "meetings", "outputs"):
        counts[table] = int(store.query_one(f"SELECT count(*) FROM {table}")[0])  # our own fixed names
    return counts


def quiet() -> None:
    """Calls outside a script run (the writes) make Streamlit warn "missing ScriptRunContext"."""
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("streamlit"):
            logging.getLogger(name).setLevel(logging.ERROR)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--json", required=True, type=Path)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--cold-repeat", type=int, default=3)
    parser.add_argument("--pandas-repeat", type=int, default=3)
    parser.add_argument("--postgres", action="store_true", help="measure the postgresql:// URL in MENTORSHIP_DB, not --db")
    parser.add_argument("--pages-only", action="store_true", help="page reruns only")
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--page-budget", type=float, default=60, help="seconds per page, about: slow pages get fewer runs")
    parser.add_argument("--roles", default="fellow,mentor,director", help="whose pages to measure")
    args = parser.parse_args(argv)

    # The app reads its settings from the environment: the working copy, demo accounts, a fixed today.
    if not args.postgres:
        os.environ["MENTORSHIP_DB"] = str(args.db)
    os.environ["MENTORSHIP_DEMO"] = "1"
    os.environ["MENTORSHIP_TODAY"] = TODAY.isoformat()
    os.environ["MENTORSHIP_PROGRAM_INSTRUMENTS"] = str(args.db.parent / "program-instruments")
    from analytics import auth
    from benchmarks import aggregates, pages, writes
    from demo import DEMO_ACCOUNTS
    from ui.resources import app_resources

    pages.pin_navigation_mode()
    quiet()
    result: dict = {"db": str(args.db), "db_bytes": None if args.postgres else args.db.stat().st_size}
    began = time.perf_counter()
    resources = app_resources()  # the very store the app's pages use (st.cache_resource, keyed by path)
    result["open_seconds"] = time.perf_counter() - began
    quiet()
    store, catalogue = resources.store, resources.catalogue
    result["counts"] = database_facts(store)
    log(f"  database: {result['counts']}")

    fellow = auth.viewer_for_email(store, DEMO_ACCOUNTS["fellow"])
    director = auth.viewer_for_email(store, DEMO_ACCOUNTS["director"])

    def write() -> None:
        """A fellow's self-assessment through the app's write path, in the pages' program: it concerns
        the fellow's pages, their mentor's and the director's (their change counters move)."""
        quiet()
        writes.submit_self_assessment(store, catalogue, fellow, TODAY, f"bench-cold-{uuid.uuid4().hex}")

    elsewhere = writes.fellow_of_another_program(store, catalogue, fellow, TODAY)
    log(f"  writes in another program: {'by person ' + str(elsewhere.person_id) if elsewhere else 'none (one program)'}")

    def other_write() -> None:
        """The same write by a fellow of another program of the database (as on another app server)."""
        quiet()
        writes.submit_self_assessment(store, catalogue, elsewhere, TODAY, f"bench-other-{uuid.uuid4().hex}")

    result["floor"] = pages.floor(args.repeat, args.timeout)
    log(f"  floor (bare one-line page): {result['floor']['median_ms']:.1f} ms")
    roles = tuple(args.roles.split(","))
    result["pages"] = pages.measure_pages(
        DEMO_ACCOUNTS,
        write,
        args.repeat,
        args.cold_repeat,
        args.timeout,
        budget_s=args.page_budget,
        log=log,
        other_write=other_write if elsewhere is not None else None,
        roles=roles,
        reads=lambda: store.cursors,
    )
    result["floor_after"] = pages.floor(args.repeat, args.timeout)  # the floor again, for drift
    if args.pages_only:
        args.json.write_text(json.dumps(result, indent=1, default=str))
        return
    result["aggregates"] = aggregates.measure_aggregates(
        store, catalogue, director, TODAY, max(args.repeat // 2, 3), args.pandas_repeat, log=log
    )
    result["writes"] = writes.measure_writes(store, catalogue, TODAY, args.repeat)
    w = result["writes"]
    log(
        f"  store one: {w['store_one_median_ms']:.1f} ms; {w['writers']} writers: {w['throughput_per_s']:.0f}/s, "
        f"lost {w['lost']}, errors {w['error_count']}"
    )
    args.json.write_text(json.dumps(result, indent=1, default=str))


if __name__ == "__main__":
    sys.exit(main())
