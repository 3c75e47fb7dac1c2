"""Two app servers on one PostgreSQL database under a write load (issue 16: "two servers lose no
acknowledged write under the load test").

    MENTORSHIP_DB=postgresql://... .venv/bin/python -m benchmarks.load [--seconds 30 --threads 4]

Two processes (two servers: each its own Store, its own DuckDB instance and connections) start at the
same moment; in each, several threads submit fellows' self-assessments through the app's write path
(analytics.assessments.submit_assessment, benchmarks/writes.py) for a while. Every other submission of
a thread has a submission key of its own; the others are one filled-in form sent to both servers (the
same fellow, the same key: a double click that two servers received), which must be stored once. A
submission that returned is acknowledged: the person saw "saved". Afterwards one more store reads the
database: every acknowledged submission must be stored exactly once with all its ratings, nothing else
stored, and no submission may have failed except with a clear refusal (an InputError or AccessDenied,
which a page shows as a sentence; anything else would reach the person as a traceback). The database
must hold enough active fellows (one per thread and server); the URL is read from the environment,
never the command line (which `ps` shows). tests/robustness/test_postgres_load.py runs it briefly.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections import Counter
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 26)
SERVERS = 2


def _worker(index: int, threads: int, seconds: float, rounds: int | None, prefix: str, out: Path) -> None:
    """One server: open the store, say so (`out`.ready), wait for the go (`out`.go, both servers start together),
    then `threads` writers until `seconds` are up (or each has submitted `rounds` times)."""
    from analytics.errors import AccessDenied, InputError
    from analytics.instruments import load_catalogue
    from analytics.registry import register_catalogue
    from analytics.store import Store
    from benchmarks.writes import _fellows, submit_self_assessment

    store = Store(os.environ["MENTORSHIP_DB"])
    catalogue = register_catalogue(store, load_catalogue(), datetime.now())
    fellows = _fellows(store, SERVERS * threads)
    if len(fellows) < SERVERS * threads:
        raise SystemExit(f"the database has too few active fellows for {SERVERS} x {threads} writers")
    acknowledged: list[str] = []
    duplicates: list[str] = []  # acknowledged too: the form the other server had stored already
    refusals: Counter[str] = Counter()
    errors: list[str] = []
    lock = threading.Lock()
    out.with_suffix(".ready").touch()
    go = out.with_suffix(".go")
    while not go.exists():
        time.sleep(0.01)
    began = time.perf_counter()

    def writer(number: int) -> None:
        count = 0
        while count < rounds if rounds is not None else time.perf_counter() - began < seconds:
            if count % 2:  # the same form, sent to both servers: thread `number`'s fellow of server 0
                fellow, key = fellows[number], f"{prefix}shared-{number}-{count}"
            else:
                fellow, key = fellows[index * threads + number], f"{prefix}{index}-{number}-{count}"
            count += 1
            try:
                result = submit_self_assessment(store, catalogue, fellow, TODAY, key)
            except (InputError, AccessDenied) as refusal:  # the sentence a page shows; nothing was stored
                with lock:
                    refusals[f"{type(refusal).__name__}: {refusal}"] += 1
            except Exception as error:  # every other failure is a finding: report it, go on
                with lock:
                    errors.append(f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}")
                    if len(errors) == 1:
                        traceback.print_exc()
            else:
                with lock:
                    (duplicates if result.duplicate else acknowledged).append(key)

    workers = [threading.Thread(target=writer, args=(number,)) for number in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - began
    out.write_text(
        json.dumps(
            {
                "server": index,
                "acknowledged": acknowledged,
                "duplicates": duplicates,
                "refusals": dict(refusals),
                "errors": errors,
                "seconds": elapsed,
                "write_retries": store.write_retries,
            }
        )
    )
    store.close()


def stored_submissions(store, prefix: str) -> dict[str, tuple[int, int]]:
    """Submission key -> (assessments, ratings) stored, of every assessment whose key starts with `prefix`."""
    rows = store.query_all(
        """
        SELECT a.submission_key, count(DISTINCT a.assessment_id), count(r.item_id)
        FROM assessments a LEFT JOIN responses r USING (assessment_id)
        WHERE a.submission_key LIKE $prefix GROUP BY a.submission_key
        """,
        {"prefix": prefix + "%"},
    )
    return {key: (int(assessments), int(ratings)) for key, assessments, ratings in rows}


def two_servers(
    url: str, seconds: float = 30, threads: int = 4, log=print, open_timeout: float = 300, rounds: int | None = None
) -> dict:
    """Run the load on the PostgreSQL database at `url` and check it: the result's `ok` says whether every
    acknowledged submission was stored once and whole and nothing failed but with a clear refusal. With
    `rounds`, each writer submits that many times instead of for `seconds` (a test's fixed amount: every
    shared form then reaches both servers)."""
    from analytics.instruments import load_catalogue
    from analytics.store import Store
    from benchmarks.writes import INSTRUMENT

    prefix = f"load-{uuid.uuid4().hex[:8]}-"
    environment = {**os.environ, "MENTORSHIP_DB": url}
    with tempfile.TemporaryDirectory(prefix="mentorship-load-") as scratch:
        outs = [Path(scratch) / f"server-{index}.json" for index in range(SERVERS)]
        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "benchmarks.load", "--worker", str(index), "--threads", str(threads)]
                + ["--seconds", str(seconds), "--prefix", prefix, "--out", str(out)]
                + (["--rounds", str(rounds)] if rounds is not None else []),
                cwd=ROOT,
                env=environment,
            )
            for index, out in enumerate(outs)
        ]
        deadline = time.monotonic() + open_timeout  # both servers open their store first, then start together
        while not all(out.with_suffix(".ready").exists() for out in outs):
            if any(process.poll() is not None for process in processes) or time.monotonic() > deadline:
                for process in processes:
                    process.kill()
                raise RuntimeError("a load server stopped (or never got ready) before the start (see above)")
            time.sleep(0.01)
        for out in outs:
            out.with_suffix(".go").touch()
        for process in processes:
            process.wait(timeout=seconds + 300)
        failed = [index for index, process in enumerate(processes) if process.returncode]
        if failed:
            raise RuntimeError(f"load server(s) {failed} stopped with an error (see above)")
        servers = [json.loads(out.read_text()) for out in outs]
    items = len(load_catalogue().get(INSTRUMENT).items)
    with Store(url) as store:
        stored = stored_submissions(store, prefix)
    acknowledged = {key for server in servers for key in server["acknowledged"] + server["duplicates"]}
    lost = sorted(key for key in acknowledged if key not in stored)
    partial = sorted(key for key in acknowledged if key in stored and stored[key] != (1, items))
    unacknowledged = sorted(set(stored) - acknowledged)
    refusals: Counter[str] = Counter()
    for server in servers:
        refusals.update(server["refusals"])
    errors = [error for server in servers for error in server["errors"]]
    elapsed = max(server["seconds"] for server in servers)
    result = {
        "servers": SERVERS,
        "threads_per_server": threads,
        "seconds": elapsed,
        "acknowledged": len(acknowledged),
        "duplicates": sum(len(server["duplicates"]) for server in servers),
        "stored": len(stored),
        "lost": len(lost),
        "lost_keys": lost[:20],
        "partial": len(partial),
        "partial_keys": partial[:20],
        "unacknowledged": len(unacknowledged),
        "refusals": sum(refusals.values()),
        "refusal_kinds": dict(refusals),
        "errors": len(errors),
        "error_kinds": dict(Counter(errors)),
        "write_retries": sum(server["write_retries"] for server in servers),
        "per_server": [len(server["acknowledged"]) + len(server["duplicates"]) for server in servers],
        "throughput_per_s": len(acknowledged) / elapsed if elapsed else None,
    }
    result["ok"] = not lost and not partial and not unacknowledged and not errors and bool(acknowledged)
    log(
        f"  two servers x {threads} writers, {elapsed:.0f} s: acknowledged {result['acknowledged']} "
        f"({' + '.join(str(n) for n in result['per_server'])}, {result['duplicates']} of them a form the other server "
        f"had stored), stored {result['stored']}, lost {result['lost']}, stored twice or incomplete {result['partial']}, "
        f"stored unacknowledged {result['unacknowledged']}, refusals {result['refusals']}, errors {result['errors']}, "
        f"retried conflicts {result['write_retries']}, {result['throughput_per_s'] or 0:.0f}/s"
    )
    for kind, count in list(result["error_kinds"].items())[:5]:
        log(f"    error x{count}: {kind[:200]}")
    for kind, count in list(result["refusal_kinds"].items())[:5]:
        log(f"    refusal x{count}: {kind[:200]}")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--threads", type=int, default=4, help="writers per server")
    parser.add_argument("--rounds", type=int, help="submissions per writer, instead of --seconds")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--prefix", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if "MENTORSHIP_DB" not in os.environ:
        parser.error("set MENTORSHIP_DB to the postgresql:// URL of a database with the demo program (or a copy of one)")
    if args.worker is not None:
        _worker(args.worker, args.threads, args.seconds, args.rounds, args.prefix, args.out)
        return 0
    return 0 if two_servers(os.environ["MENTORSHIP_DB"], args.seconds, args.threads, rounds=args.rounds)["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
