"""One "app server" of tests/robustness/test_postgres_load.py: a process of its own with its own store on
the PostgreSQL database in MENTORSHIP_DB, submitting assessments from threads through the app's write path.
Prints, as JSON, every submission key it was told was stored and every error."""

import json
import os
import sys
import threading
from datetime import date, datetime

from analytics.assessments import submit_assessment
from analytics.instruments import load_catalogue
from analytics.people import load_viewer
from analytics.registry import register_catalogue
from analytics.store import Store

TODAY = date(2026, 11, 26)


def main(name: str, fellows: list[int], rounds: int, threads: int) -> None:
    acknowledged: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()
    with Store(os.environ["MENTORSHIP_DB"]) as store:
        catalogue = register_catalogue(store, load_catalogue(), datetime.now())
        items = [item.id for item in catalogue.get("mentee-self").items]

        def work(thread: int) -> None:
            for index in range(rounds):
                fellow = load_viewer(store, fellows[(thread * rounds + index) % len(fellows)])
                # every other submission is the same filled-in form sent to both servers (one key)
                key = f"shared-form-{thread}-{index}" if index % 2 else f"server-{name}-form-{thread}-{index}"
                try:
                    submit_assessment(
                        store,
                        catalogue,
                        fellow,
                        "mentee-self",
                        dict.fromkeys(items, 1 + index % 5),
                        today=TODAY,
                        now=datetime.now(),
                        submission_key=key,
                    )
                    with lock:
                        acknowledged.append(key)
                except Exception as error:  # noqa: BLE001 - every failure is reported
                    with lock:
                        errors.append(f"{type(error).__name__}: {error}")

        workers = [threading.Thread(target=work, args=(thread,)) for thread in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        print(json.dumps({"acknowledged": acknowledged, "errors": errors, "retries": store.write_retries}))


if __name__ == "__main__":
    main(sys.argv[1], [int(x) for x in sys.argv[2].split(",")], int(sys.argv[3]), int(sys.argv[4]))
