"""How long a review report takes: a fellow with about 3 years of quarterly history, from the click to the PDF's bytes.

    .venv/bin/python -m benchmarks.report_pdf [--runs 3] [--keep DIR]

Builds (once, cached in benchmarks/.cache/) a demo program with `--years 3`, takes the fellow with the most
periods of self-ratings, and times each run of gathering the report (analytics.report), building its figures
and drawing them (charts.report: the browser starts while the first report's figures are built, and stays
open for the next), and laying out the PDF (analytics.report_pdf). The first run is a server's first report
(the browser starts), the later ones a report within minutes of another (it is open).
The goal (issue 18): ready within 10 s on this project's 2-core machine.
"""

import argparse
import functools
import os
import statistics
import time
from datetime import date, datetime
from pathlib import Path

from analytics.people import Viewer
from analytics.registry import register_catalogue
from analytics.report import report_periods, review_report
from analytics.report_pdf import write_report_pdf
from analytics.store import Store
from charts.report import draw, report_figures
from demo.build import build_database
from demo.program import DemoSize

TODAY = date(2026, 11, 26)
CACHE = Path(__file__).resolve().parent / ".cache"
GOAL_SECONDS = 10.0


def database() -> Path:
    path = CACHE / "report-3-years.duckdb"
    if not path.exists():
        CACHE.mkdir(exist_ok=True)
        build_database(path, TODAY, None, 7, DemoSize(years=3))
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="write the last PDF here")
    args = parser.parse_args(argv)
    from analytics.instruments import load_catalogue

    with Store(database()) as store:
        catalogue = register_catalogue(store, load_catalogue(), datetime.combine(TODAY, datetime.min.time()))
        fellow_id, periods = store.query_one(
            """
            SELECT a.subject_id, count(DISTINCT a.period_start)
            FROM current_assessments a
            WHERE a.instrument_id = 'mentee-self' AND a.subject_id = a.respondent_id
            GROUP BY ALL ORDER BY 2 DESC, 1 LIMIT 1
            """
        )
        # The longest record belongs to a fellow who has since finished (load_viewer skips them): the viewer as
        # they were, the reads check only that the viewer is the subject.
        name, program_id = store.query_one("SELECT full_name, program_id FROM people WHERE person_id = $p", {"p": fellow_id})
        viewer = Viewer(fellow_id, name, program_id, frozenset({"fellow"}))
        offered = report_periods(store, catalogue, viewer, fellow_id, TODAY)
        print(
            f"{os.cpu_count()} cores; fellow {fellow_id}: {periods} periods of self-ratings, range {offered[0]} to {offered[-1]}"
        )
        totals = []
        for run in range(1, args.runs + 1):
            started = time.perf_counter()
            report = review_report(store, catalogue, viewer, fellow_id, offered[0], offered[-1], TODAY)
            gathered = time.perf_counter()
            images = draw(functools.partial(report_figures, report, catalogue))
            drawn = time.perf_counter()
            pdf = write_report_pdf(report, catalogue, images, "A4")
            done = time.perf_counter()
            totals.append(done - started)
            print(
                f"run {run} ({'browser starts' if run == 1 else 'browser open'}): gather {gathered - started:.2f} s, "
                f"figures and drawing ({len(images)} images) "
                f"{drawn - gathered:.2f} s, layout {done - drawn:.2f} s; total {done - started:.2f} s, {len(pdf) / 1e6:.2f} MB"
            )
        if args.keep:
            args.keep.write_bytes(pdf)
        for name, seconds in (("first", totals[0]), ("slowest", max(totals)), ("median", statistics.median(totals))):
            print(f"{name} {seconds:.2f} s: {'PASS' if seconds <= GOAL_SECONDS else 'FAIL'} (goal {GOAL_SECONDS:g} s)")


if __name__ == "__main__":
    main()
