"""Storing submitted assessments through the real write path (analytics.assessments.submit_assessment):
one at a time, then 8 threads at once, checking that every submission and every rating was stored."""

import statistics
import threading
import time
import uuid
from datetime import date, datetime

from analytics.assessments import submit_assessment
from analytics.instruments import Catalogue
from analytics.people import load_viewer
from analytics.store import Store

INSTRUMENT = "mentee-self"


def _ratings(catalogue: Catalogue, offset: int) -> dict[str, int]:
    items = catalogue.get(INSTRUMENT).items
    return {item.id: 1 + (offset + index) % 5 for index, item in enumerate(items)}


def submit_self_assessment(store: Store, catalogue: Catalogue, fellow, today: date, submission_key: str):
    """A fellow's self-assessment, every item 4: the write after which pages run cold (a new data version)."""
    ratings = dict.fromkeys((item.id for item in catalogue.get(INSTRUMENT).items), 4)
    return submit_assessment(
        store, catalogue, fellow, INSTRUMENT, ratings, today=today, now=datetime.now(), submission_key=submission_key
    )


def fellow_of_another_program(store: Store, catalogue: Catalogue, fellow, today: date):
    """A fellow of another program than `fellow`'s who can submit the self-assessment, or None (one program only)."""
    rows = store.query_all(
        """
        SELECT p.person_id FROM people p JOIN person_roles r USING (person_id)
        WHERE r.role = 'fellow' AND p.active AND p.program_id <> $program ORDER BY p.program_id DESC, p.person_id LIMIT 20
        """,
        {"program": fellow.program_id},
    )
    for (person_id,) in rows:
        viewer = load_viewer(store, person_id)
        try:
            submit_self_assessment(store, catalogue, viewer, today, f"bench-other-probe-{uuid.uuid4().hex}")
        except Exception:  # this one's program does not ask it of them: the next
            continue
        return viewer
    return None


def _fellows(store: Store, count: int) -> list:
    rows = store.query_all(
        """
        SELECT p.person_id FROM people p JOIN person_roles r USING (person_id)
        WHERE r.role = 'fellow' AND p.active ORDER BY p.person_id LIMIT ?
        """,
        [count],
    )
    return [load_viewer(store, row[0]) for row in rows]


def _stored(store: Store, prefix: str) -> tuple[int, int]:
    """Assessments with this submission key prefix, and their ratings."""
    row = store.query_one(
        """
        SELECT count(DISTINCT a.assessment_id), count(r.item_id)
        FROM assessments a LEFT JOIN responses r USING (assessment_id) WHERE a.submission_key LIKE ?
        """,
        [prefix + "%"],
    )
    return int(row[0]), int(row[1])


def measure_writes(store: Store, catalogue: Catalogue, today: date, repeat: int, threads: int = 8, per_thread: int = 25) -> dict:
    run = uuid.uuid4().hex[:8]
    viewers = _fellows(store, threads)
    items = len(catalogue.get(INSTRUMENT).items)

    def submit(viewer, key: str, offset: int):
        return submit_assessment(
            store, catalogue, viewer, INSTRUMENT, _ratings(catalogue, offset), today=today, now=datetime.now(), submission_key=key
        )

    # One at a time.
    for index in range(3):
        submit(viewers[0], f"bench-{run}-warm-{index}", index)
    times = []
    for index in range(max(repeat * 4, 20)):
        began = time.perf_counter()
        submit(viewers[0], f"bench-{run}-one-{index}", index)
        times.append((time.perf_counter() - began) * 1000)

    # Eight writers at once, each a different fellow, all released together.
    prefix = f"bench-{run}-many-"
    errors: list[str] = []
    barrier = threading.Barrier(threads + 1)

    def writer(number: int) -> None:
        viewer = viewers[number % len(viewers)]
        barrier.wait()
        for index in range(per_thread):
            try:
                result = submit(viewer, f"{prefix}{number}-{index}", number + index)
                if result.duplicate:
                    errors.append(f"writer {number}: submission {index} was taken for a duplicate")
            except Exception as error:  # every failure is a finding: report it, do not stop the others
                errors.append(f"writer {number}: {type(error).__name__}: {error}")

    workers = [threading.Thread(target=writer, args=(number,)) for number in range(threads)]
    for worker in workers:
        worker.start()
    barrier.wait()
    began = time.perf_counter()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - began
    expected = threads * per_thread
    assessments, ratings = _stored(store, prefix)
    return {
        "store_one_median_ms": statistics.median(times),
        "store_one_runs_ms": times,
        "writers": threads,
        "submissions": expected,
        "stored_assessments": assessments,
        "stored_ratings": ratings,
        "expected_ratings": expected * items,
        "errors": errors[:20],
        "error_count": len(errors),
        "lost": expected - assessments,
        "seconds": elapsed,
        "throughput_per_s": expected / elapsed if elapsed else None,
        "ok": not errors and assessments == expected and ratings == expected * items,
    }
