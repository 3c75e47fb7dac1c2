"""The pages on PostgreSQL beside the same pages on the DuckDB file (issue 16: within 2x at 1M responses),
and two servers writing at once (issue 16: no acknowledged write lost under load).

    .venv/bin/python -m benchmarks.postgres [--size 1000000] [--repeat 5 --cold-repeat 2] [--load-seconds 30]

Builds (or reuses) the cached benchmark database of that size, copies every table of it into a new
database of a throwaway PostgreSQL cluster (tests/postgres_cluster.py: Debian's PostgreSQL, a temporary
folder, unix socket), then measures every page's rerun and its first run after a write, each backend in
a process of its own (benchmarks/measure.py --pages-only), and prints them side by side. Then two server
processes submit assessments on that database for --load-seconds (benchmarks/load.py) and every
acknowledged one is looked for.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from analytics import postgres
from analytics.store import Store
from benchmarks import databases
from benchmarks.load import two_servers
from tests.postgres_cluster import running_cluster

ROOT = Path(__file__).resolve().parents[1]


def log(message: str) -> None:
    print(message, flush=True)


def copy_into_postgres(source: Path, url: str) -> dict[str, int]:
    """Every table of the DuckDB file `source` into the (new, empty) PostgreSQL database at `url`, same rows,
    sequences moved past the copied ids. Returns the rows copied per table."""
    Store(url).close()  # the schema, made by the same migrations
    con = postgres.connect(postgres.Target.parse(url), "2GB")
    try:
        con.execute(f"ATTACH '{source}' AS source (READ_ONLY)")
        tables = [
            row[0] for row in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'source'").fetchall()
        ]
        copied = {}
        for table in tables:
            if table == "schema_version":
                continue
            con.execute(f"INSERT INTO {postgres.CATALOG}.{table} SELECT * FROM source.{table}")  # our own table names
            copied[table] = con.execute(f"SELECT count(*) FROM source.{table}").fetchone()[0]
        # The sequences past the copied ids (the app's next insert takes nextval); our own names and numbers.
        serials = con.execute(
            f"SELECT * FROM postgres_query('{postgres.CATALOG}', 'SELECT table_name, column_name, column_default "
            "FROM information_schema.columns WHERE column_default LIKE ''nextval(%''')"
        ).fetchall()
        for table, column, default in serials:
            sequence = default.split("'")[1]
            highest = con.execute(f"SELECT coalesce(max({column}), 0) FROM source.{table}").fetchone()[0]
            setval = f"SELECT setval(''{sequence}'', {int(highest) + 1}, false)"
            con.execute(f"CALL postgres_execute('{postgres.CATALOG}', '{setval}')")
        con.execute(f"CALL postgres_execute('{postgres.CATALOG}', 'ANALYZE')")
        return copied
    finally:
        con.close()


def measure(folder: Path, args, url: str | None = None) -> dict:
    out = folder / f"pages-{'postgres' if url else 'duckdb'}.json"
    command = [
        sys.executable,
        "-m",
        "benchmarks.measure",
        "--db",
        str(folder / "bench.duckdb"),
        "--json",
        str(out),
        "--pages-only",
    ]
    command += ["--repeat", str(args.repeat), "--cold-repeat", str(args.cold_repeat), "--page-budget", str(args.page_budget)]
    environment = dict(os.environ)
    if url:  # by the environment, not the command line: a command line shows in ps and in errors
        command += ["--postgres"]
        environment["MENTORSHIP_DB"] = url
    if subprocess.run(command, cwd=ROOT, env=environment).returncode:
        raise SystemExit(f"measuring the pages on {'PostgreSQL' if url else 'the DuckDB file'} failed")
    return json.loads(out.read_text())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cold-repeat", type=int, default=2)
    parser.add_argument("--page-budget", type=float, default=20)
    parser.add_argument("--load-seconds", type=float, default=30, help="the two servers' write load (0: none)")
    parser.add_argument("--load-threads", type=int, default=4, help="writers per server")
    parser.add_argument("--load-only", action="store_true", help="the write load only, no pages")
    args = parser.parse_args(argv)

    cached = databases.cached_database(args.size, log=log)
    with tempfile.TemporaryDirectory(prefix="bench-pg-") as work, running_cluster() as cluster:
        folder = Path(work)
        url = cluster.create_database("bench")
        began = time.perf_counter()
        copied = copy_into_postgres(cached, url)
        log(
            f"copied {sum(copied.values()):,} rows into PostgreSQL in {time.perf_counter() - began:.0f} s "
            f"({copied.get('responses', 0):,} responses)"
        )
        on_file = on_postgres = None
        if not args.load_only:
            databases.working_copy(cached, folder, "bench.duckdb")
            log("DuckDB file:")
            on_file = measure(folder, args)
            log("PostgreSQL:")
            on_postgres = measure(folder, args, url)
        load = None
        if args.load_seconds > 0:
            log(f"Two servers writing at once ({args.load_threads} writers each, {args.load_seconds:.0f} s):")
            load = two_servers(url, args.load_seconds, args.load_threads, log=log)
    if on_file is not None and on_postgres is not None:
        page_table(args, on_file, on_postgres)
    if load is not None:
        log(
            f"\nTwo servers on one PostgreSQL database, {load['servers']} x {load['threads_per_server']} writers for "
            f"{load['seconds']:.0f} s: acknowledged {load['acknowledged']:,}, stored {load['stored']:,}, lost {load['lost']}, "
            f"stored twice or incomplete {load['partial']}, stored unacknowledged {load['unacknowledged']}, "
            f"refusals {load['refusals']}, errors {load['errors']}, retried conflicts "
            f"{load['write_retries']:,}, {load['throughput_per_s'] or 0:.1f} submissions/s"
        )
        verdict = "PASS" if load["ok"] else "FAIL"
        log(f"  {verdict}  two servers lose no acknowledged write and fail none but with a clear refusal")
        return 0 if load["ok"] else 1
    return 0


def page_table(args, on_file: dict, on_postgres: dict) -> None:
    rows = []
    log(f"\nPages at {args.size:,} responses: DuckDB file vs PostgreSQL (AppTest, median ms)")
    log(
        f"{'role':8} {'page':16} {'file rerun':>10} {'pg rerun':>10} {'ratio':>6} "
        f"{'file write':>10} {'pg write':>10} {'ratio':>6}"
    )
    pg_pages = {(r["role"], r["page"]): r for r in on_postgres["pages"]}
    for page in on_file["pages"]:
        other = pg_pages[(page["role"], page["page"])]
        rerun = other["rerun_ms"] / page["rerun_ms"]
        write = (other["after_write_ms"] or 0) / (page["after_write_ms"] or 1)
        rows.append({"role": page["role"], "page": page["page"], "rerun_ratio": rerun, "write_ratio": write})
        log(
            f"{page['role']:8} {page['page']:16} {page['rerun_ms']:10.1f} {other['rerun_ms']:10.1f} {rerun:6.2f} "
            f"{page['after_write_ms'] or 0:10.1f} {other['after_write_ms'] or 0:10.1f} {write:6.2f}"
            + (f"  EXCEPTION {other['exception']}" if other["exception"] else "")
        )
    worst = max(rows, key=lambda row: max(row["rerun_ratio"], row["write_ratio"]))
    log(
        f"largest ratio: {worst['role']}/{worst['page']} rerun {worst['rerun_ratio']:.2f}x, "
        f"after a write {worst['write_ratio']:.2f}x"
    )


if __name__ == "__main__":
    sys.exit(main())
