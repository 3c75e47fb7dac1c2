"""Rows each page copies from PostgreSQL on its first view after a write: a count that does not depend on the
machine's load (the page timings of benchmarks/postgres.py do, by 2-3x on a shared machine).

    .venv/bin/python -m benchmarks.postgres_rows [--size 1000000] [--queries 3]

Copies the cached benchmark database into a throwaway PostgreSQL cluster (as benchmarks/postgres.py does),
then, for each role's pages in AppTest, stores a fellow's self-assessment and runs the page once: every read
of that run is profiled by DuckDB, and the rows of its PostgreSQL scans (POSTGRES_SCAN) are summed per page.
With --queries N, each page's N reads that copied the most are listed with the tables they copied from.
"""

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

from benchmarks import databases
from benchmarks.measure import TODAY, quiet
from benchmarks.postgres import copy_into_postgres, log
from tests.postgres_cluster import running_cluster


def _scanned(profile: Path) -> dict[str, int]:
    """Rows per PostgreSQL table in DuckDB's JSON profile of the last query."""
    try:
        tree = json.loads(profile.read_text())
    except (OSError, ValueError):
        return {}
    found: dict[str, int] = {}

    def walk(node: dict) -> None:
        if (node.get("operator_name") or "").strip() == "POSTGRES_SCAN":
            table = (node.get("extra_info") or {}).get("Table", "?")
            found[table] = found.get(table, 0) + int(node.get("operator_cardinality") or 0)
        for child in node.get("children", []):
            walk(child)

    walk(tree)
    return found


def count_rows(url: str, scratch: Path, queries: int) -> dict:
    """Per role and page: the reads of its first run after a write, each with the rows it copied."""
    os.environ.update(
        MENTORSHIP_DB=url,
        MENTORSHIP_DEMO="1",
        MENTORSHIP_TODAY=TODAY.isoformat(),
        MENTORSHIP_PROGRAM_INSTRUMENTS=str(scratch / "program-instruments"),
    )
    from analytics import auth
    from analytics.store import Store
    from benchmarks import pages, writes
    from demo import DEMO_ACCOUNTS
    from ui.resources import app_resources

    profile = scratch / "profile.json"
    reads: list[tuple[str, dict[str, int]]] = []
    new_cursor, query_methods = Store._new_cursor, {name: getattr(Store, name) for name in ("query_df", "query_all", "query_one")}

    def profiled_cursor(store):
        cur = new_cursor(store)
        cur.execute("SET enable_profiling = 'json'")
        cur.execute(f"SET profiling_output = '{profile}'")  # our own temporary path
        return cur

    def counted(method):
        def read(store, sql, params=()):
            profile.unlink(missing_ok=True)
            try:
                return method(store, sql, params)
            finally:
                reads.append((" ".join(sql.split())[:120], _scanned(profile)))

        return read

    Store._new_cursor = profiled_cursor  # type: ignore[method-assign]
    for name, method in query_methods.items():
        setattr(Store, name, counted(method))
    try:
        pages.pin_navigation_mode()
        quiet()
        resources = app_resources()
        fellow = auth.viewer_for_email(resources.store, DEMO_ACCOUNTS["fellow"])
        found = {}
        for role, files in pages.pages_by_role().items():
            at = pages.signed_in(DEMO_ACCOUNTS[role], timeout=600)
            for file, _title in files:
                at.switch_page(f"app_pages/{file}").run()
                at.run()
                quiet()
                writes.submit_self_assessment(resources.store, resources.catalogue, fellow, TODAY, f"rows-{uuid.uuid4().hex}")
                reads.clear()
                at.run()
                rows = sum(sum(tables.values()) for _sql, tables in reads)
                heaviest = sorted(reads, key=lambda read: -sum(read[1].values()))[:queries]
                found[f"{role}/{file}"] = {"rows": rows, "reads": len(reads), "heaviest": heaviest}
                log(f"  {role:8} {file:18} rows copied {rows:9,}  reads {len(reads):3}")
                for sql, tables in heaviest:
                    log(f"      {sum(tables.values()):9,}  {tables}  {sql[:90]}")
        return found
    finally:
        Store._new_cursor = new_cursor  # type: ignore[method-assign]
        for name, method in query_methods.items():
            setattr(Store, name, method)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=0, help="list each page's heaviest reads")
    parser.add_argument("--json", type=Path, help="write the counts here too")
    args = parser.parse_args(argv)
    cached = databases.cached_database(args.size, log=log)
    with tempfile.TemporaryDirectory(prefix="bench-pg-rows-") as work, running_cluster() as cluster:
        url = cluster.create_database("bench")
        began = time.perf_counter()
        copy_into_postgres(cached, url)
        log(f"copied into PostgreSQL in {time.perf_counter() - began:.0f} s")
        log("rows each page copies back from PostgreSQL on its first view after a write:")
        found = count_rows(url, Path(work), args.queries)
    if args.json:
        args.json.write_text(json.dumps(found, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
