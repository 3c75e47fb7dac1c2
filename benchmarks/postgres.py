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
POSTGRES_RATIO = 2.0  # issue 16: every page on PostgreSQL within 2x of the same page on the DuckDB file


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


def measure(folder: Path, repeat: int, cold_repeat: int, page_budget: float, url: str | None = None) -> dict:
    """Every page on the DuckDB file in `folder` (or, with `url`, on PostgreSQL), in a process of its own."""
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
    command += ["--repeat", str(repeat), "--cold-repeat", str(cold_repeat), "--page-budget", str(page_budget)]
    environment = dict(os.environ)
    if url:  # by the environment, not the command line: a command line shows in ps and in errors
        command += ["--postgres"]
        environment["MENTORSHIP_DB"] = url
    if subprocess.run(command, cwd=ROOT, env=environment).returncode:
        raise SystemExit(f"measuring the pages on {'PostgreSQL' if url else 'the DuckDB file'} failed")
    return json.loads(out.read_text())


def compare(
    size: int,
    *,
    repeat: int = 5,
    cold_repeat: int = 2,
    page_budget: float = 20,
    load_seconds: float = 30,
    load_threads: int = 4,
    pages: bool = True,
    log=log,
) -> dict:
    """The pages on the DuckDB file and on PostgreSQL (the same rows), then two servers writing at once: one
    throwaway cluster for the whole run. `benchmarks/run.py` calls this for its PostgreSQL columns."""
    cached = databases.cached_database(size, log=log)
    result: dict = {"size": size, "cached_db": cached.name, "file": None, "postgres": None, "load": None}
    with tempfile.TemporaryDirectory(prefix="bench-pg-") as work, running_cluster() as cluster:
        folder = Path(work)
        url = cluster.create_database("bench")
        began = time.perf_counter()
        copied = copy_into_postgres(cached, url)
        result["responses"] = copied.get("responses", 0)
        log(
            f"copied {sum(copied.values()):,} rows into PostgreSQL in {time.perf_counter() - began:.0f} s "
            f"({result['responses']:,} responses)"
        )
        if pages:
            databases.working_copy(cached, folder, "bench.duckdb")
            log("DuckDB file:")
            result["file"] = measure(folder, repeat, cold_repeat, page_budget)
            log("PostgreSQL:")
            result["postgres"] = measure(folder, repeat, cold_repeat, page_budget, url)
        if load_seconds > 0:
            log(f"Two servers writing at once ({load_threads} writers each, {load_seconds:.0f} s):")
            result["load"] = two_servers(url, load_seconds, load_threads, log=log)
    return result


def table(result: dict) -> tuple[list[str], dict]:
    """The side-by-side table and the two targets (each page within 2x of the file; no acknowledged write lost)."""
    lines: list[str] = []
    targets: dict = {}
    if result["file"] is not None and result["postgres"] is not None:
        lines += [
            f"Pages at {result['responses']:,} responses: DuckDB file vs PostgreSQL, the same rows (AppTest, median ms)",
            f"{'role':8} {'page':16} {'file rerun':>10} {'pg rerun':>10} {'ratio':>6} "
            f"{'file write':>10} {'pg write':>10} {'ratio':>6}  within {POSTGRES_RATIO:g}x",
        ]
        pg_pages = {(r["role"], r["page"]): r for r in result["postgres"]["pages"]}
        worst = ("", 0.0)
        for page in result["file"]["pages"]:
            other = pg_pages[(page["role"], page["page"])]
            rerun = other["rerun_ms"] / page["rerun_ms"]
            write = (other["after_write_ms"] or 0) / (page["after_write_ms"] or 1)
            larger = max(rerun, write)
            if larger > worst[1] or other["exception"]:
                worst = (f"{page['role']}/{page['page']}", float("inf") if other["exception"] else larger)
            lines.append(
                f"{page['role']:8} {page['page']:16} {page['rerun_ms']:10.1f} {other['rerun_ms']:10.1f} {rerun:6.2f} "
                f"{page['after_write_ms'] or 0:10.1f} {other['after_write_ms'] or 0:10.1f} {write:6.2f}"
                f"  {'PASS' if larger <= POSTGRES_RATIO and not other['exception'] else 'FAIL':>9}"
                + (f"  EXCEPTION {other['exception']}" if other["exception"] else "")
            )
        ok = worst[1] <= POSTGRES_RATIO
        targets["postgres_within_2x"] = {"ok": ok, "worst": worst, "limit": POSTGRES_RATIO}
        lines.append(
            f"  {'PASS' if ok else 'FAIL'}  every page on PostgreSQL within {POSTGRES_RATIO:g}x of the DuckDB file, rerun and"
            f" first view after a write (worst: {worst[0]} {worst[1]:.2f}x)"
        )
    load = result["load"]
    if load is not None:
        lines.append(
            f"Two servers on one PostgreSQL database, {load['servers']} x {load['threads_per_server']} writers for "
            f"{load['seconds']:.0f} s: acknowledged {load['acknowledged']:,}, stored {load['stored']:,}, lost {load['lost']}, "
            f"stored twice or incomplete {load['partial']}, stored unacknowledged {load['unacknowledged']}, "
            f"refusals {load['refusals']}, errors {load['errors']}, retried conflicts "
            f"{load['write_retries']:,}, {load['throughput_per_s'] or 0:.1f} submissions/s"
        )
        targets["two_servers_lose_nothing"] = {"ok": bool(load["ok"]), "lost": load["lost"], "errors": load["errors"]}
        lines.append(
            f"  {'PASS' if load['ok'] else 'FAIL'}  two servers lose no acknowledged write and fail none but with a clear refusal"
        )
    return lines, targets


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
    result = compare(
        args.size,
        repeat=args.repeat,
        cold_repeat=args.cold_repeat,
        page_budget=args.page_budget,
        load_seconds=args.load_seconds,
        load_threads=args.load_threads,
        pages=not args.load_only,
    )
    lines, targets = table(result)
    log("\n" + "\n".join(lines))
    return 0 if all(target["ok"] for target in targets.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
