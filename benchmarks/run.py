"""Speed at scale, measured (issue 7). One command:

    make bench                                   # 10 thousand, 1 million and 10 million responses
    .venv/bin/python -m benchmarks.run --sizes 10000,100000   # a quick run

For each size: every page's median AppTest rerun for each role that may see it, and its first run
after a write, beside a bare one-line page (the floor); the dashboard's aggregates in DuckDB beside
pandas (loading included); storing one assessment and 8 concurrent writers. At the largest size: a
real server's peak memory after every page was visited in Chromium. On a new demo database: every
page's first and later visits in Chromium, from a click in the menu to every chart drawn
(benchmarks/browser_visits.py). Issue 16's columns: at the largest size each page's rerun with a
write in another program between reruns and its first view after a write in its own program; the
same for the director's pages of one large program (databases.LARGE_PROGRAM); every page on
PostgreSQL beside the DuckDB file at --postgres-size responses and two servers writing at once
(benchmarks/postgres.py). Prints a table with the targets and writes JSON (--json, default
benchmarks/results/latest.json).
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from benchmarks import browser_visits, databases, postgres
from benchmarks.pages import pages_by_role
from tests.postgres_cluster import postgres_bin_dir

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_SIZES = "10000,1000000,10000000"
EMAILS = {"fellow": "fellow@demo.org", "mentor": "mentor@demo.org", "director": "director@demo.org"}

PAGE_RERUN_MS = 250
GROWTH = 1.5
SPEEDUP = 20
STORE_ONE_MS = 20
PEAK_RSS_MB = 500
OTHER_WRITE_RATIO = 1.2


def log(message: str) -> None:
    print(message, flush=True)


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    memory_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True)
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(memory_kb / 1024 / 1024, 1),
        "load_average": os.getloadavg(),
        "python": platform.python_version(),
        "duckdb": version("duckdb"),
        "streamlit": version("streamlit"),
        "pandas": version("pandas"),
        "commit": commit + ("+changes" if dirty.stdout.strip() else ""),
    }


def human(size: int) -> str:
    for unit, name in ((1_000_000, "M"), (1_000, "k")):
        if size >= unit and size % unit == 0:
            return f"{size // unit}{name}"
    return str(size)


def measure_size(size: int, args, work: Path) -> dict:
    cached = databases.cached_database(size, args.seed, log=log, root=args.generator_root)
    copy = databases.working_copy(cached, work / human(size), "bench.duckdb")
    out = work / f"measure-{size}.json"
    command = [sys.executable, "-m", "benchmarks.measure", "--db", str(copy), "--json", str(out)]
    command += ["--repeat", str(args.repeat), "--cold-repeat", str(args.cold_repeat)]
    command += ["--pandas-repeat", str(1 if size >= 5_000_000 else 3)]
    log(f"measuring {human(size)} responses ({cached.name})")
    began = time.perf_counter()
    completed = subprocess.run(command, cwd=ROOT)
    if completed.returncode != 0:
        raise RuntimeError(f"measuring {size} failed (exit {completed.returncode})")
    result = json.loads(out.read_text())
    result["cached_db"] = cached.name
    result["seconds"] = time.perf_counter() - began
    copy.unlink()
    return result


def measure_large_program(args, work: Path) -> dict:
    """The director's pages on one large program alone (databases.LARGE_PROGRAM), with a write in it between."""
    cached = databases.cached_database(0, args.seed, log=log, root=args.generator_root, program=databases.LARGE_PROGRAM)
    copy = databases.working_copy(cached, work / "large-program", "bench.duckdb")
    out = work / "measure-large-program.json"
    command = [sys.executable, "-m", "benchmarks.measure", "--db", str(copy), "--json", str(out), "--roles", "director"]
    command += ["--repeat", str(args.repeat), "--cold-repeat", str(args.cold_repeat), "--pages-only"]
    log(f"measuring one large program ({cached.name})")
    began = time.perf_counter()
    completed = subprocess.run(command, cwd=ROOT)
    if completed.returncode != 0:
        raise RuntimeError(f"measuring the large program failed (exit {completed.returncode})")
    result = json.loads(out.read_text())
    result["cached_db"] = cached.name
    result["seconds"] = time.perf_counter() - began
    copy.unlink()
    return result


def measure_postgres(args) -> dict | None:
    """Issue 16's PostgreSQL columns (benchmarks/postgres.py): every page on PostgreSQL beside the DuckDB file at
    --postgres-size responses, then two servers writing at once. Skipped, saying why, without PostgreSQL."""
    if not args.postgres_size:
        return None
    if postgres_bin_dir() is None:
        return {"skipped": "PostgreSQL is not installed (apt-get install postgresql)"}
    log(f"PostgreSQL beside the DuckDB file at {human(args.postgres_size)} responses")
    began = time.perf_counter()
    result = postgres.compare(
        args.postgres_size,
        repeat=args.repeat,
        # A first view after a write takes a few tens of ms on the small pages: a median of 3 is at the mercy of one
        # pause, and the ratio of two of them (two processes, minutes apart) more so.
        cold_repeat=max(args.cold_repeat, 5),
        load_seconds=args.load_seconds,
        log=log,
    )
    result["seconds"] = time.perf_counter() - began
    return result


def writes_between(results: dict, sizes: list[int], large: dict | None) -> tuple[list[str], dict]:
    """Issue 16's columns: each page's quiet rerun beside its rerun with a write in another program between
    reruns (ratio, same run), and its first view after a write in its own program that concerns it."""
    top = results[str(sizes[-1])]
    lines = [
        f"Writes between reruns at {human(sizes[-1])} (AppTest, median ms; quiet: every warm rerun; beside: the quiet"
        " reruns taken alternately with those after a write in another program, the ratio's baseline)",
        f"{'role':8} {'page':16} {'quiet':>8} {'beside':>8} {'other prog':>10} {'ratio':>6} {'same prog':>10}"
        f"  ratio<={OTHER_WRITE_RATIO}  same<={PAGE_RERUN_MS}  reads: quiet/other/same",
    ]
    worst_ratio, worst_same = ("", 0.0), ("", 0.0)

    def row(r: dict, label: str = "") -> str:
        nonlocal worst_ratio, worst_same
        other, quiet, same = r.get("other_program_write_ms"), r["rerun_ms"], r["after_write_ms"]
        beside = r.get("interleaved_quiet_ms")  # the quiet reruns taken between those with a write before them
        baseline = beside or quiet
        ratio = other / baseline if other is not None and baseline else None
        name = f"{label}{r['role']}/{r['page']}"
        if ratio is not None and ratio > worst_ratio[1]:
            worst_ratio = (name, ratio)
        if same is not None and same > worst_same[1]:
            worst_same = (name, same)
        other_text = f"{other:10.1f}" if other is not None else f"{'n/a':>10}"
        ratio_text = f"{ratio:6.2f}" if ratio is not None else f"{'n/a':>6}"
        beside_text = f"{beside:8.1f}" if beside is not None else f"{'n/a':>8}"
        return (
            f"{r['role']:8} {r['page']:16} {quiet:8.1f} {beside_text} {other_text} {ratio_text} {same or 0:10.1f}"
            f"  {check(None if ratio is None else ratio <= OTHER_WRITE_RATIO):>11}"
            f"  {check(None if same is None else same <= PAGE_RERUN_MS):>9}"
            f"  {r.get('reads_quiet', '-')}/{r.get('reads_other_program_write', '-')}/{r.get('reads_after_write', '-')}"
        )

    lines += [row(r) for r in top["pages"]]
    if large is not None:
        shape = "{:,} fellows, {:,} mentors, {} years".format(*databases.LARGE_PROGRAM)
        lines += ["", f"One large program ({shape}; {large['counts']['responses']:,} responses), director's pages"]
        lines += [row(r, "large/") for r in large["pages"]]
    targets = {
        "other_program_writes": {
            "ok": None if not worst_ratio[0] else worst_ratio[1] <= OTHER_WRITE_RATIO,
            "worst": worst_ratio,
            "limit": OTHER_WRITE_RATIO,
        },
        "first_view_after_write": {"ok": worst_same[1] <= PAGE_RERUN_MS, "worst": worst_same, "limit_ms": PAGE_RERUN_MS},
    }
    lines += [
        f"  {check(targets['other_program_writes']['ok'])}  a rerun with writes in another program <= {OTHER_WRITE_RATIO}x"
        f" the quiet rerun (worst: {worst_ratio[0]} {worst_ratio[1]:.2f}x)",
        f"  {check(targets['first_view_after_write']['ok'])}  first view after a write that concerns the page"
        f" <= {PAGE_RERUN_MS} ms median (worst: {worst_same[0]} {worst_same[1]:.1f} ms)",
        "",
    ]
    return lines, targets


def check(ok: bool | None) -> str:
    return "n/a " if ok is None else ("PASS" if ok else "FAIL")


def summarise(results: dict, memory: dict | None, sizes: list[int], visits: dict | None = None) -> tuple[list[str], dict]:
    """The printed table and the targets, from the per-size results."""
    small, large = str(sizes[0]), str(sizes[-1])
    lines, targets = [], {}
    by_page: dict[tuple[str, str], dict[str, dict]] = {}
    for size in sizes:
        for row in results[str(size)]["pages"]:
            by_page.setdefault((row["role"], row["page"]), {})[str(size)] = row
    header = f"{'role':8} {'page':16}" + "".join(f" {human(s) + ' rerun':>11} {human(s) + ' write':>11}" for s in sizes)
    header += f" {'growth':>7}  rerun<={PAGE_RERUN_MS}  growth<={GROWTH}"
    lines += ["Page reruns (AppTest, median ms) and first run after a write (caches cold)", header, "-" * len(header)]
    worst_rerun, worst_growth, growths = ("", 0.0), ("", 0.0), {}
    for (role, page), per_size in by_page.items():
        cells = "".join(
            f" {per_size[str(s)]['rerun_ms']:11.1f} {per_size[str(s)]['after_write_ms'] or 0:11.1f}"
            if str(s) in per_size
            else " " * 24
            for s in sizes
        )
        big = per_size.get(large, {}).get("rerun_ms")
        growth = big / per_size[small]["rerun_ms"] if len(sizes) > 1 and big is not None and small in per_size else None
        growths[f"{role}/{page}"] = growth
        broken = any(r.get("exception") or r.get("unavailable") for r in per_size.values())
        if big is not None and big > worst_rerun[1]:
            worst_rerun = (f"{role}/{page}", big)
        if growth is not None and growth > worst_growth[1]:
            worst_growth = (f"{role}/{page}", growth)
        growth_text = f"{growth:7.2f}" if growth is not None else "    n/a"
        lines.append(
            f"{role:8} {page:16}{cells} {growth_text}  {check(big is not None and big <= PAGE_RERUN_MS):>11}"
            f"  {check(None if growth is None else growth <= GROWTH):>11}" + ("  PAGE ERROR" if broken else "")
        )
    floor = "".join(f" {results[str(s)]['floor']['median_ms']:11.1f} {'':11}" for s in sizes)
    lines += [f"{'(floor)':8} {'bare page':16}{floor}", ""]

    lines.append("Dashboard aggregates over responses: DuckDB vs pandas (loading included), median ms")
    lines.append(f"{'size':>6} {'duckdb':>9} {'pandas':>9} {'(load)':>9} {'speed-up':>9} {'dashboard total':>16}  equal")
    for size in sizes:
        a = results[str(size)]["aggregates"]
        equal = ",".join(c["aggregate"] for c in a["equality_checks"])
        lines.append(
            f"{human(size):>6} {a['duckdb_compared_ms']:9.1f} {a['pandas_total_ms']:9.1f} {a['pandas_load_ms']:9.1f}"
            f" {a['speedup']:8.1f}x {a['duckdb_dashboard_total_ms']:16.1f}  {equal}"
        )
    lines.append("")
    lines.append("Writes: one submitted assessment (median ms); 8 threads at once")
    for size in sizes:
        w = results[str(size)]["writes"]
        lines.append(
            f"{human(size):>6} store one {w['store_one_median_ms']:7.1f} ms   8 writers {w['throughput_per_s']:7.1f}/s"
            f"   stored {w['stored_assessments']}/{w['submissions']}, ratings {w['stored_ratings']}/{w['expected_ratings']},"
            f" errors {w['error_count']}"
        )
    lines.append("")

    top = results[large]
    speedup = top["aggregates"]["speedup"]
    store_one = top["writes"]["store_one_median_ms"]
    writers_ok = all(results[str(s)]["writes"]["ok"] for s in sizes)
    peak = memory.get("peak_rss_mb") if memory else None
    targets = {
        "page_rerun": {"ok": worst_rerun[1] <= PAGE_RERUN_MS, "worst": worst_rerun, "limit_ms": PAGE_RERUN_MS},
        "growth": {"ok": None if len(sizes) < 2 else worst_growth[1] <= GROWTH, "worst": worst_growth, "limit": GROWTH},
        "duckdb_speedup": {"ok": speedup >= SPEEDUP, "value": speedup, "limit": SPEEDUP},
        "store_one": {"ok": store_one <= STORE_ONE_MS, "value_ms": store_one, "limit_ms": STORE_ONE_MS},
        "writers": {"ok": writers_ok},
        "peak_rss": {"ok": None if peak is None else peak <= PEAK_RSS_MB, "value_mb": peak, "limit_mb": PEAK_RSS_MB},
        "first_visits": {
            "ok": visits.get("ok") if visits else None,
            "worst": visits.get("worst_ratio") if visits else None,
            "limit": browser_visits.RATIO,
        },
    }
    if visits:
        lines += browser_visits.summarise(visits) + [""]
    at = f"at {human(sizes[-1])} responses"
    lines += [
        f"Targets ({at})",
        f"  {check(targets['page_rerun']['ok'])}  every page reruns in <= {PAGE_RERUN_MS} ms median"
        f" (slowest: {worst_rerun[0]} {worst_rerun[1]:.1f} ms)",
        f"  {check(targets['growth']['ok'])}  growth {human(sizes[0])} -> {human(sizes[-1])} <= {GROWTH}"
        + (f" (largest: {worst_growth[0]} {worst_growth[1]:.2f})" if len(sizes) > 1 else " (one size only)"),
        f"  {check(targets['duckdb_speedup']['ok'])}  DuckDB >= {SPEEDUP}x faster than pandas ({speedup:.1f}x)",
        f"  {check(targets['store_one']['ok'])}  storing one assessment <= {STORE_ONE_MS} ms median ({store_one:.1f} ms)",
        f"  {check(writers_ok)}  8 concurrent writers lose nothing and raise nothing (every size)",
        f"  {check(targets['peak_rss']['ok'])}  peak server memory <= {PEAK_RSS_MB} MB"
        + (f" ({peak:.0f} MB)" if peak is not None else f" ({(memory or {}).get('skipped', 'not measured')})"),
        f"  {check(targets['first_visits']['ok'])}  every first visit in Chromium within {browser_visits.RATIO:g}x of the"
        " later ones"
        + (
            f" (worst: {visits['worst_ratio'][0]} {visits['worst_ratio'][1]:.1f}x)"
            if visits and "worst_ratio" in visits
            else f" ({(visits or {}).get('skipped', 'not measured')})"
        ),
    ]
    return lines, targets | {"growth_ratios": growths}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help=f"item responses per database, comma-separated ({DEFAULT_SIZES})")
    parser.add_argument("--json", type=Path, default=RESULTS / "latest.json", help="where to write the results")
    parser.add_argument("--repeat", type=int, default=7, help="timed reruns per page (after two warm-up runs)")
    parser.add_argument("--cold-repeat", type=int, default=3, help="timed first runs after a write, per page")
    parser.add_argument("--seed", type=int, default=databases.SEED)
    parser.add_argument("--no-memory", action="store_true", help="skip the real server's peak memory")
    parser.add_argument("--no-large-program", action="store_true", help="skip the one large program's director pages")
    parser.add_argument(
        "--postgres-size",
        type=int,
        default=1_000_000,
        help="the pages on PostgreSQL beside the DuckDB file at this many responses, then two servers writing (0: skip)",
    )
    parser.add_argument("--load-seconds", type=float, default=30, help="how long the two PostgreSQL servers write")
    parser.add_argument("--no-browser-visits", action="store_true", help="skip the first and later visits in Chromium")
    parser.add_argument("--visit-repeats", type=int, default=3, help="later visits per page in Chromium (their median)")
    parser.add_argument(
        "--generator-root",
        type=Path,
        default=databases.ROOT,
        help="build databases with the demo generator of this checkout (e.g. a `git archive` of a known commit)",
    )
    args = parser.parse_args(argv)
    sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    about = machine()
    log(
        f"Mentorship dashboard benchmark, {about['date']}, commit {about['commit']}\n"
        f"machine: {about['cpu']}, {about['cores']} cores, {about['ram_gb']} GB RAM, load {about['load_average'][0]:.2f}\n"
        f"python {about['python']}, duckdb {about['duckdb']}, streamlit {about['streamlit']}, pandas {about['pandas']}\n"
        f"sizes: {', '.join(human(s) for s in sizes)} responses; generator in {args.generator_root}: "
        + " ".join(databases.generator_arguments(sizes[0], root=args.generator_root))
    )
    began = time.perf_counter()
    results, memory, visits = {}, None, None
    with tempfile.TemporaryDirectory(prefix="mentorship-bench-") as scratch:
        work = Path(scratch)
        for size in sizes:
            results[str(size)] = measure_size(size, args, work)
        large = None if args.no_large_program else measure_large_program(args, work)
        on_postgres = measure_postgres(args)
        if not args.no_memory:
            # The very file measured above (a newer generator may have changed the cache key since).
            largest = databases.CACHE / results[str(sizes[-1])]["cached_db"]
            if not largest.exists():
                largest = databases.cached_database(sizes[-1], args.seed, log=log, root=args.generator_root)
            copy = databases.working_copy(largest, work / "server", "bench.duckdb")
            log(f"server memory on {human(sizes[-1])} responses")
            from benchmarks.server_memory import measure_server_memory

            try:
                memory = measure_server_memory(copy, EMAILS, pages_by_role(), log=log)
            except Exception as error:  # keep every other measurement
                memory = {"skipped": f"failed: {type(error).__name__}: {error}"}
                log(f"server memory: {memory['skipped']}")
            if "server_log" in memory:
                args.json.parent.mkdir(parents=True, exist_ok=True)
                kept = args.json.parent / "server.log"
                shutil.copyfile(memory["server_log"], kept)
                memory["server_log"] = str(kept)
        if not args.no_browser_visits:
            log("first and later visits in Chromium, on a new demo database")
            try:
                visits = browser_visits.measure_browser_visits(args.visit_repeats, log=log, work=work / "visits")
            except Exception as error:  # keep every other measurement
                visits = {"skipped": f"failed: {type(error).__name__}: {error}"}
                log(f"browser visits: {visits['skipped']}")
    lines, targets = summarise(results, memory, sizes, visits)
    between, between_targets = writes_between(results, sizes, large)
    lines, targets = between + lines, targets | between_targets
    if on_postgres is not None and "skipped" in on_postgres:
        lines += ["", f"PostgreSQL: skipped ({on_postgres['skipped']})"]
    elif on_postgres is not None:
        postgres_lines, postgres_targets = postgres.table(on_postgres)
        lines, targets = lines + [""] + postgres_lines, targets | postgres_targets
    versions = sorted({results[str(s)]["cached_db"].rsplit("-", 1)[-1].removesuffix(".duckdb") for s in sizes})
    if len(versions) > 1:  # the generator (demo/, analytics/bulk.py) or a migration changed while this ran
        lines.insert(0, f"WARNING: the sizes were built by different generator versions {versions}; run again for one.")
    log("")
    log(
        f"Mentorship dashboard benchmark, {about['date']}; {about['cpu']}, {about['cores']} cores, {about['ram_gb']} GB; "
        f"python {about['python']}, duckdb {about['duckdb']}, streamlit {about['streamlit']}"
    )
    log(
        "sizes: "
        + ", ".join(
            f"{human(s)} ({results[str(s)]['counts']['responses']:,} responses, {results[str(s)]['db_bytes'] / 1e6:.0f} MB)"
            for s in sizes
        )
    )
    log("\n".join(lines))
    total = time.perf_counter() - began
    log(f"\n({total / 60:.1f} minutes)")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    report = {"machine": about, "sizes": sizes, "results": results, "server_memory": memory, "targets": targets}
    report["browser_visits"] = visits
    report["large_program"] = large
    report["postgres"] = on_postgres
    report["table"] = lines
    report["seconds"] = total
    args.json.write_text(json.dumps(report, indent=1, default=str))
    log(f"results: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
