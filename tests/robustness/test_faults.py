"""Faults, each in a real child process (tests/robustness/fault_child.py): a writer killed with SIGKILL
in the middle of a stream of submissions, a full disk, a read-only folder or file, a second process
on the same database file, and a kill right after migrating a fresh file.

A full disk is a file-size limit (RLIMIT_FSIZE) on the child: a write past it fails with EFBIG, which
DuckDB reports exactly as it reports ENOSPC ("Could not write file ...: No space left on device" on a
full tmpfs, tried by hand). As root, the child drops CAP_DAC_OVERRIDE so that chmod binds it.
"""

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import streamlit as st

from analytics.errors import DatabaseLockedError
from analytics.instruments import load_catalogue
from analytics.store import Store, migrations
from demo import DEMO_INSTRUMENTS_DIR
from tests.conftest import TODAY
from tests.pages.conftest import new_app, texts

ROOT = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("fault_child.py")
# Every instrument the demo database holds answers of: the shipped ones and the demo program's own.
ITEMS = {
    (instrument.id, instrument.version): len(instrument.items)
    for instrument in load_catalogue(program_dir=DEMO_INSTRUMENTS_DIR).instruments
}
TIMEOUT = 120


def start(*arguments: str, **options) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(CHILD), *arguments],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **options,
    )


def run_child(*arguments: str) -> dict:
    """Run a child to its end; its last line of output is a JSON report."""
    done = subprocess.run([sys.executable, str(CHILD), *arguments], cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def db(demo_template, tmp_path) -> str:
    """A copy of the demo program in a folder of its own."""
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "mentorship.duckdb"
    path.write_bytes(demo_template.read_bytes())
    return str(path)


def half_stored(store: Store) -> dict:
    """Assessments whose responses are not exactly their instrument's items, and responses with no assessment."""
    rows = store.query_all(
        "SELECT a.submission_key, a.instrument_id, a.instrument_version, count(r.item_id) FROM assessments a "
        "LEFT JOIN responses r USING (assessment_id) GROUP BY ALL"
    )
    incomplete = [row for row in rows if row[3] != ITEMS.get((row[1], row[2]))]
    orphans = store.query_one("SELECT count(*) FROM responses r ANTI JOIN assessments a USING (assessment_id)")[0]
    return {"incomplete": incomplete, "orphans": orphans}


def written(store: Store, prefix: str) -> dict[str, tuple]:
    """The assessments whose submission key starts with `prefix`: key -> (instrument, comment)."""
    rows = store.query_all(
        "SELECT submission_key, instrument_id, comment FROM assessments WHERE starts_with(submission_key, ?)", [prefix]
    )
    return {key: (instrument, comment) for key, instrument, comment in rows}


# ---------------------------------------------------------------- SIGKILL in a stream of submissions


def test_a_writer_killed_mid_stream_keeps_every_acknowledged_submission_and_half_stores_none(db):
    rng = random.Random(8)
    for run, acknowledgements in enumerate((1, 6, 15, 40)):
        writer = start("writer", db, str(run))
        acknowledged = []
        while len(acknowledged) < acknowledgements:
            line = writer.stdout.readline()
            assert line, writer.stderr.read()[-3000:]
            acknowledged.append(line.strip())
        time.sleep(rng.random() / 50)  # somewhere in the next submission (or the one after)
        writer.send_signal(signal.SIGKILL)
        # Read on through the same buffered reader: communicate() reads the raw pipe and would drop
        # acknowledgements readline() had already buffered (seen once on a busy machine).
        acknowledged += writer.stdout.read().split()
        writer.communicate(timeout=TIMEOUT)
        assert writer.returncode == -signal.SIGKILL

        with Store(db) as store:  # it opens: the write-ahead log replays
            stored = written(store, f"kill-{run}-")
            assert set(acknowledged) <= set(stored), f"run {run}: acknowledged but lost: {set(acknowledged) - set(stored)}"
            unacknowledged = set(stored) - set(acknowledged)
            assert len(unacknowledged) <= 1, unacknowledged  # at most the one in flight, committed before the kill
            assert all(comment == key and instrument == "mentee-self" for key, (instrument, comment) in stored.items())
            assert half_stored(store) == {"incomplete": [], "orphans": 0}, f"run {run}"


def test_a_process_killed_right_after_migrating_a_fresh_file_leaves_a_file_that_opens(tmp_path):
    path = tmp_path / "fresh.duckdb"
    child = start("migrate-and-die", str(path))
    out, err = child.communicate(timeout=TIMEOUT)
    assert child.returncode == -signal.SIGKILL, err[-3000:]
    assert out.strip() == "migrated"
    # Migrations end with a CHECKPOINT: nothing of the schema waits in a write-ahead log to be replayed.
    wal = Path(f"{path}.wal")
    assert not wal.exists() or wal.stat().st_size == 0
    with Store(path) as store:
        assert store.query_one("SELECT max(version) FROM schema_version")[0] == len(migrations())
        assert store.query_one("SELECT count(*) FROM assessments")[0] == 0


# ---------------------------------------------------------------- a full disk, a read-only folder or file


def test_a_full_disk_refuses_with_one_sentence_stores_nothing_half_and_recovers(db):
    report = run_child("full-disk", db)
    with Store(db) as store:
        stored = written(store, "full-")
        # Every text value as written: nothing run together with a refused write's (see analytics/store.py).
        garbled = {key: value for key, value in stored.items() if value != ("mentee-self", key)}
        assert garbled == {}
        assert sorted(stored) == sorted([*report["acknowledged"], "full-recovered"])  # refused ones: nothing at all
        assert half_stored(store) == {"incomplete": [], "orphans": 0}

    full = f"Nothing was saved because the disk that holds {db} is full: free some space on it, then submit again."
    assert len(report["acknowledged"]) >= 3, "the limit left no room at all"
    assert [refusal["message"] for refusal in report["refused"]] == [full] * 3
    assert all(refusal["store_error"] for refusal in report["refused"])  # a StoreError, shown as it is
    assert report["while_full"]["incomplete"] == 0 and report["while_full"]["orphans"] == 0
    # A checkpoint on the full disk is fatal to the DuckDB instance; the store opens the file again ...
    assert report["checkpoint_error"].startswith("FatalException: FATAL Error: Failed to create checkpoint")
    assert report["invalidated_message"] == full  # ... and says the disk is full, not "invalidated"
    assert report["reopened"] == 1  # once space is back, the next submit reopens it and goes through
    assert report["after"]["incomplete"] == 0 and report["after"]["orphans"] == 0


def app_report(mode: str, db: str) -> dict:
    report = run_child("app", mode, db)
    assert report["failed"]["exception"] == [], "the page showed a traceback"
    assert report["failed"]["saved"] == []
    assert report["count_while_failing"] == report["before"]  # nothing of the refused submit
    assert report["retried"] == {
        "errors": [],
        "exception": [],
        "saved": [
            "Saved: Good-mentee qualities: my self-assessment for 2026 Q4. 1 of 7 done. "
            "Next: Good-mentor qualities: my mentor about Zoe Xu, open below."
        ],
    }
    assert report["after"] == report["before"] + 1  # the same form once: one assessment
    assert report["completeness"]["incomplete"] == 0 and report["completeness"]["orphans"] == 0
    return report


def test_the_app_shows_the_full_disk_sentence_instead_of_a_traceback_and_a_later_submit_works(db):
    report = app_report("full-disk", db)
    assert report["failed"]["errors"] == [
        f"Nothing was saved because the disk that holds {db} is full: free some space on it, then submit again."
    ]
    assert report["reopens"] == 1


def test_the_app_shows_the_read_only_sentence_when_the_folder_is_read_only_and_recovers(db):
    report = app_report("read-only-folder", db)
    assert report["failed"]["errors"] == [
        f"Nothing was saved because {db} or its folder is read-only for this app: "
        "make both writable for the user that runs the app, then submit again."
    ]


def test_a_read_only_database_file_stops_the_app_with_one_sentence_until_it_is_writable(db):
    report = run_child("app", "read-only-file", db)
    assert report["while_read_only"] == {
        "errors": [
            f"The database cannot be opened because {db} or its folder is read-only for this app: "
            "make both writable for the user that runs the app, or set MENTORSHIP_DB to another file."
        ],
        "exception": [],
    }
    assert report["after"]["errors"] == []
    assert "Email" in report["after"]["inputs"]  # the sign-in form: the app opened the file


# ---------------------------------------------------------------- a second process on the same file


def test_a_second_app_process_on_the_same_file_gets_one_sentence_naming_what_to_do(db, monkeypatch):
    holder = start("hold", db, stdin=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == "ready", holder.stderr.read()[-3000:]
        sentence = (
            f"The database file {db} is already open in another process (process {holder.pid}): "
            "stop that app process, or set MENTORSHIP_DB to a different file."
        )
        with pytest.raises(DatabaseLockedError) as raised:
            Store(db)
        assert str(raised.value) == sentence

        monkeypatch.setenv("MENTORSHIP_DB", db)
        monkeypatch.setenv("MENTORSHIP_DEMO", "1")
        monkeypatch.setenv("MENTORSHIP_TODAY", TODAY.isoformat())
        at = new_app().run()
        assert not at.exception, at.exception
        assert len(at.error) == 1 and sentence in texts(at)
        assert not at.text_input  # no sign-in form on a database it could not open
    finally:
        holder.stdin.close()
        holder.wait(timeout=TIMEOUT)
    try:
        at = new_app().run()  # the other process has stopped: the same app opens the file
        assert not at.exception and not at.error
        assert "Email" in [widget.label for widget in at.text_input]
    finally:
        st.cache_resource.clear()
        st.cache_data.clear()
