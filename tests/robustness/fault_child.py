"""Child processes for tests/robustness/test_faults.py: each command does one thing, the parent checks.

    python tests/robustness/fault_child.py writer DB RUN       submit assessments until killed; print each
                                                               acknowledged submission key once Store.write returned
    python tests/robustness/fault_child.py hold DB             keep DB open; print "ready"; exit when stdin closes
    python tests/robustness/fault_child.py migrate-and-die DB  migrate a fresh file, then SIGKILL itself
    python tests/robustness/fault_child.py full-disk DB        fill the "disk" (RLIMIT_FSIZE), go on, recover; print JSON
    python tests/robustness/fault_child.py app MODE DB         an AppTest session meets the fault MODE
                                                               (full-disk, read-only-folder, read-only-file); print JSON

A full disk is a file-size limit on this process (RLIMIT_FSIZE, with SIGXFSZ ignored so that a write
past it fails with EFBIG, as ENOSPC would; DuckDB reports both the same way). A read-only file or
folder is a chmod; when this runs as root, the process first drops CAP_DAC_OVERRIDE, the capability
that lets root write where the permission bits say no.
"""

import ctypes
import json
import os
import random
import re
import resource
import signal
import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from analytics.assessments import submit_assessment  # noqa: E402
from analytics.errors import DatabaseWriteError, StoreError  # noqa: E402
from analytics.instruments import load_catalogue  # noqa: E402
from analytics.people import load_viewer  # noqa: E402
from analytics.registry import register_catalogue  # noqa: E402
from analytics.store import Store  # noqa: E402
from demo import DEMO_INSTRUMENTS_DIR  # noqa: E402
from tests.conftest import TODAY  # noqa: E402

CAP_DAC_OVERRIDE = 1
_CAPABILITY_VERSION_3 = 0x20080522


def shown(markdown: str) -> str:
    """What a person reads: the Markdown escapes (ui.text.as_text) taken out."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


def emit(**fields) -> None:
    print(json.dumps(fields, default=str), flush=True)


def fill_disk(limit: int) -> None:
    """From now on no file of this process may grow past `limit` bytes."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))


def free_disk() -> None:
    hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
    resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))


def wal_size(db: str) -> int:
    wal = Path(db + ".wal")
    return wal.stat().st_size if wal.exists() else 0


def drop_root_write_override() -> None:
    """As root, give up CAP_DAC_OVERRIDE so that permission bits bind this process too.

    Capabilities belong to a thread and new threads inherit them, so this runs first, before DuckDB or
    Streamlit start any thread."""
    if os.geteuid() != 0:
        return

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]

    libc = ctypes.CDLL(None, use_errno=True)
    header, data = Header(_CAPABILITY_VERSION_3, 0), (Data * 2)()
    if libc.capget(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capget failed")
    for part in ("effective", "permitted", "inheritable"):
        setattr(data[0], part, getattr(data[0], part) & ~(1 << CAP_DAC_OVERRIDE))
    if libc.capset(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capset failed")


def fellows(store: Store) -> list:
    rows = store.query_all(
        "SELECT person_id FROM person_roles WHERE role = 'fellow' "
        "AND person_id NOT IN (SELECT person_id FROM person_roles WHERE role <> 'fellow') ORDER BY person_id LIMIT 5"
    )
    return [load_viewer(store, row[0]) for row in rows]


def submit(store: Store, catalogue, viewer, key: str, rng: random.Random):
    instrument = catalogue.get("mentee-self")
    ratings = {item.id: rng.randint(instrument.min_rating, instrument.max_rating) for item in instrument.items}
    return submit_assessment(
        store, catalogue, viewer, "mentee-self", ratings, today=TODAY, now=datetime.now(), submission_key=key, comment=key
    )


def completeness(store: Store, catalogue) -> dict:
    """Assessments whose responses are not exactly their instrument's items, and responses without an assessment."""
    # The demo program's own instrument has answers in the demo database, whatever `catalogue` holds.
    every = [*catalogue.instruments, *load_catalogue(program_dir=DEMO_INSTRUMENTS_DIR).instruments]
    items = {(i.id, i.version): len(i.items) for i in every}
    rows = store.query_all(
        "SELECT a.instrument_id, a.instrument_version, count(r.item_id) FROM assessments a "
        "LEFT JOIN responses r USING (assessment_id) GROUP BY a.assessment_id, a.instrument_id, a.instrument_version"
    )
    orphans = store.query_one("SELECT count(*) FROM responses r ANTI JOIN assessments a USING (assessment_id)")[0]
    return {"incomplete": sum(1 for i, v, n in rows if n != items.get((i, v))), "orphans": orphans, "assessments": len(rows)}


# ---------------------------------------------------------------- commands


def writer(db: str, run: str) -> None:
    store = Store(db)
    catalogue = register_catalogue(store, load_catalogue(), datetime.now())
    people, rng = fellows(store), random.Random(run)
    number = 0
    while True:
        key = f"kill-{run}-{number:05d}"
        submit(store, catalogue, people[number % len(people)], key, rng)
        print(key, flush=True)  # acknowledged: Store.write has returned
        number += 1


def hold(db: str) -> None:
    store = Store(db)
    print("ready", flush=True)
    sys.stdin.read()
    store.close()


def migrate_and_die(db: str) -> None:
    store = Store(db)  # kept open: a closed DuckDB checkpoints on its way out, a killed one cannot
    print("migrated", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
    store.close()  # never reached


def full_disk(db: str) -> None:
    """A stream of submissions meets a full disk; a checkpoint on it invalidates DuckDB; space comes back."""
    store = Store(db)
    catalogue = register_catalogue(store, load_catalogue(), datetime.now())
    people, rng = fellows(store), random.Random(1)
    with store.cursor() as cur:
        cur.execute("CHECKPOINT")
    fill_disk(wal_size(db) + 16 * 1024)  # room for a few submissions
    acknowledged, refused = [], []
    for number in range(2000):
        key = f"full-{number:05d}"
        try:
            submit(store, catalogue, people[number % len(people)], key, rng)
        except DatabaseWriteError as error:
            refused.append({"key": key, "message": str(error), "store_error": isinstance(error, StoreError)})
            if len(refused) == 3:
                break
            continue
        acknowledged.append(key)
    while_full = completeness(store, catalogue)  # reads go on while the disk is full

    checkpoint_error = None
    try:
        with store.cursor() as cur:
            cur.execute("CHECKPOINT")  # writes the database file itself: a fatal I/O error invalidates DuckDB
    except duckdb.Error as error:
        checkpoint_error = f"{type(error).__name__}: {str(error).splitlines()[0]}"
    invalidated_message = None
    try:
        submit(store, catalogue, people[0], "full-after-fatal", rng)
    except StoreError as error:
        invalidated_message = str(error)

    free_disk()
    reopens_before = store.reopens
    recovered = submit(store, catalogue, people[1], "full-recovered", rng)
    emit(
        acknowledged=acknowledged,
        refused=refused,
        while_full=while_full,
        checkpoint_error=checkpoint_error,
        invalidated_message=invalidated_message,
        reopened=store.reopens - reopens_before,
        recovered_id=recovered.assessment_id,
        after=completeness(store, catalogue),
    )
    store.close()


def app(mode: str, db: str) -> None:
    """A signed-in fellow submits the self-assessment form while the database cannot be written, then after."""
    os.environ.update(
        MENTORSHIP_DB=db,
        MENTORSHIP_DEMO="1",
        MENTORSHIP_TODAY=TODAY.isoformat(),
        MENTORSHIP_PROGRAM_INSTRUMENTS=str(Path(db).parent / "program-instruments"),
    )
    from tests.pages.conftest import new_app, open_assessment, signed_in
    from ui.resources import app_resources

    if mode == "read-only-file":
        os.chmod(db, 0o444)
        at = new_app().run()
        refused = {"errors": [shown(e.value) for e in at.error], "exception": [str(e.value) for e in at.exception]}
        os.chmod(db, 0o644)
        at = new_app().run()
        emit(
            while_read_only=refused,
            after={"errors": [shown(e.value) for e in at.error], "inputs": [w.label for w in at.text_input]},
        )
        return

    at = signed_in("fellow@demo.org")
    at.switch_page("app_pages/assessments.py").run()
    open_assessment(at, "Good-mentee qualities: my self")  # open already, as the first one still to do
    for radio in at.radio:
        if radio.key.startswith("mentee-self:"):
            radio.set_value(4)
    store = app_resources().store
    fellow = store.query_one("SELECT person_id FROM people WHERE email = 'fellow@demo.org'")[0]

    def stored() -> int:
        return store.query_one("SELECT count(*) FROM assessments WHERE respondent_id = ?", [fellow])[0]

    def press_submit() -> dict:
        next(button for button in at.button if button.label == "Submit").click()
        at.run()
        return {
            "errors": [shown(e.value) for e in at.error],
            "exception": [str(e.value) for e in at.exception],
            "saved": [shown(e.value) for e in at.success if shown(e.value).startswith("Saved:")],
        }

    before = stored()
    with store.cursor() as cur:
        cur.execute("CHECKPOINT")  # an empty write-ahead log: the submit's commit is the next write
    if mode == "full-disk":
        fill_disk(wal_size(db))
    else:
        os.chmod(Path(db).parent, 0o555)
    failed = press_submit()
    count_while_failing = stored()
    if mode == "full-disk":
        free_disk()
    else:
        os.chmod(Path(db).parent, 0o755)
    at.run()  # the page again once space is back (the store opens the file anew), then the same Submit
    retried = press_submit()
    emit(
        before=before,
        failed=failed,
        count_while_failing=count_while_failing,
        retried=retried,
        after=stored(),
        reopens=store.reopens,
        completeness=completeness(store, app_resources().catalogue),
    )


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    if command == "app" and arguments[0].startswith("read-only"):
        drop_root_write_override()
    {"writer": writer, "hold": hold, "migrate-and-die": migrate_and_die, "full-disk": full_disk, "app": app}[command](*arguments)
