"""The DuckDB store: migrations on open, refusing newer files, the process lock, one transaction per write."""

import hashlib
import logging
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from analytics import auth
from analytics.auth import SignInRefused
from analytics.config import Settings
from analytics.errors import DatabaseWriteError, InputError, SchemaTooNewError, StoreError
from analytics.paths import MIGRATIONS_DIR, PROJECT_ROOT
from analytics.store import WRITE_ATTEMPTS, Store, migrations

pytestmark = pytest.mark.both_backends  # the tests that use `store` run on DuckDB and PostgreSQL

MIGRATION_FILES = sorted(MIGRATIONS_DIR.glob("*.sql"))
FIRST_OPEN = datetime(2026, 1, 5, 9, 0)
LATER_OPEN = datetime(2026, 6, 1, 9, 0)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _add_person(store: Store, email: str) -> None:
    store.write(
        lambda cur: cur.execute(
            "INSERT INTO people (program_id, full_name, email, created_at) VALUES (1, 'Ada Example', ?, ?)",
            [email, FIRST_OPEN],
        )
    )


def _people(store: Store) -> list[str]:
    return [row[0] for row in store.query_all("SELECT email FROM people ORDER BY email")]


# ---------------------------------------------------------------- migrations


def test_a_new_file_gets_every_migration(tmp_path):
    assert MIGRATION_FILES, "analytics/migrations has no .sql files"
    with Store(tmp_path / "new.duckdb", now=FIRST_OPEN) as store:
        rows = store.query_all("SELECT version, applied_at FROM schema_version ORDER BY version")
        assert [version for version, _ in rows] == list(range(1, len(MIGRATION_FILES) + 1))
        assert {applied for _, applied in rows} == {FIRST_OPEN}
        assert store.schema_version == len(MIGRATION_FILES)


def test_each_migration_and_each_retried_write_is_logged(tmp_path, caplog):
    with caplog.at_level(logging.INFO, logger="analytics.store"), Store(tmp_path / "new.duckdb", now=FIRST_OPEN) as store:
        migrated = [record.getMessage() for record in caplog.records if "migrating" in record.getMessage()]
        assert len(migrated) == len(MIGRATION_FILES) and migrated[-1].endswith(f"({MIGRATION_FILES[-1].name})")
        _add_person(store, "first@example.org")
        other = store._con.cursor()
        other.execute("BEGIN TRANSACTION")
        other.execute("UPDATE people SET full_name = 'Other' WHERE email = 'first@example.org'")

        def rename(cur, calls=[]):  # noqa: B006 (counts this write's attempts)
            calls.append(1)
            if len(calls) == 2:
                other.execute("COMMIT")
            _rename_first_person("Mine")(cur)

        store.write(rename)
        other.close()
    assert any("trying again" in record.getMessage() for record in caplog.records)


def test_reopening_does_not_rerun_migrations(tmp_path):
    path = tmp_path / "db.duckdb"
    with Store(path, now=FIRST_OPEN) as store:
        _add_person(store, "kept@example.org")
    with Store(path, now=LATER_OPEN) as store:
        rows = store.query_all("SELECT version, applied_at FROM schema_version ORDER BY version")
        assert [version for version, _ in rows] == list(range(1, len(MIGRATION_FILES) + 1))
        assert {applied for _, applied in rows} == {FIRST_OPEN}  # none applied again at LATER_OPEN
        assert _people(store) == ["kept@example.org"]


def test_a_newer_database_is_refused_and_left_unchanged(tmp_path):
    path = tmp_path / "newer.duckdb"
    newer = len(MIGRATION_FILES) + 1
    with Store(path, now=FIRST_OPEN) as store:
        store.write(lambda cur: cur.execute("INSERT INTO schema_version VALUES (?, ?)", [newer, FIRST_OPEN]))
    before = _digest(path)

    with pytest.raises(SchemaTooNewError) as raised:
        Store(path, now=LATER_OPEN)

    message = str(raised.value)
    assert "newer version" in message
    assert str(path) in message
    assert f"schema {newer}" in message
    assert str(len(MIGRATION_FILES)) in message
    assert _digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["newer.duckdb"]  # no WAL left behind


def test_a_refused_database_is_closed_so_the_file_can_be_opened_again(tmp_path):
    path = tmp_path / "newer.duckdb"
    with Store(path) as store:
        store.write(lambda cur: cur.execute("INSERT INTO schema_version VALUES (?, ?)", [999, FIRST_OPEN]))
    with pytest.raises(SchemaTooNewError):
        Store(path)
    # the next (refused again) attempt fails on the schema, not on a lock or a dangling connection
    with pytest.raises(SchemaTooNewError):
        Store(path)


def test_an_older_database_upgrades_and_keeps_its_rows(tmp_path):
    only_first = tmp_path / "migrations-v1"
    only_first.mkdir()
    shutil.copy(MIGRATION_FILES[0], only_first / MIGRATION_FILES[0].name)
    path = tmp_path / "old.duckdb"
    with Store(path, now=FIRST_OPEN, migrations_dir=only_first) as old:
        assert old.schema_version == 1
        _add_person(old, "old@example.org")

    with Store(path, now=LATER_OPEN) as upgraded:
        rows = upgraded.query_all("SELECT version, applied_at FROM schema_version ORDER BY version")
        assert [version for version, _ in rows] == list(range(1, len(MIGRATION_FILES) + 1))
        assert rows[0][1] == FIRST_OPEN
        assert all(applied == LATER_OPEN for _, applied in rows[1:])
        assert _people(upgraded) == ["old@example.org"]


def test_a_later_migration_runs_on_an_existing_file(tmp_path):
    """Independent of which migrations ship: a made-up 00N+1 changes a table that has rows."""
    extended = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, extended, ignore=shutil.ignore_patterns("__pycache__"))
    path = tmp_path / "db.duckdb"
    with Store(path, now=FIRST_OPEN, migrations_dir=extended) as store:
        _add_person(store, "before@example.org")
    number = len(MIGRATION_FILES) + 1
    (extended / f"{number:03d}_nickname.sql").write_text(
        "ALTER TABLE people ADD COLUMN nickname VARCHAR DEFAULT 'none';", encoding="utf-8"
    )
    with Store(path, now=LATER_OPEN, migrations_dir=extended) as store:
        assert store.schema_version == number
        assert store.query_all("SELECT email, nickname FROM people") == [("before@example.org", "none")]
        assert store.query_one("SELECT applied_at FROM schema_version WHERE version = ?", [number])[0] == LATER_OPEN


def test_a_failing_migration_applies_nothing_of_itself(tmp_path):
    extended = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, extended, ignore=shutil.ignore_patterns("__pycache__"))
    path = tmp_path / "db.duckdb"
    with Store(path, migrations_dir=extended):
        pass
    number = len(MIGRATION_FILES) + 1
    (extended / f"{number:03d}_broken.sql").write_text(
        "CREATE TABLE half_done (x INTEGER); SELECT * FROM no_such_table;", encoding="utf-8"
    )
    with pytest.raises(Exception, match="no_such_table"):
        Store(path, migrations_dir=extended)
    with Store(path) as store:  # the shipped migrations still open it
        assert store.query_one("SELECT max(version) FROM schema_version")[0] == len(MIGRATION_FILES)
        tables = store.query_all("SELECT table_name FROM information_schema.tables WHERE table_name = 'half_done'")
        assert tables == []


def test_migrations_numbered_with_a_gap_are_refused(tmp_path):
    gappy = tmp_path / "migrations"
    gappy.mkdir()
    shutil.copy(MIGRATION_FILES[0], gappy / "001_core.sql")
    (gappy / "003_later.sql").write_text("CREATE TABLE later (x INTEGER);", encoding="utf-8")
    with pytest.raises(StoreError, match="without gaps"):
        migrations(gappy)
    with pytest.raises(StoreError):
        Store(tmp_path / "db.duckdb", migrations_dir=gappy)


def test_the_shipped_migrations_are_numbered_without_gaps():
    found = migrations()
    assert [number for number, _ in found] == list(range(1, len(MIGRATION_FILES) + 1))
    assert [path.name for _, path in found] == [path.name for path in MIGRATION_FILES]


# ---------------------------------------------------------------- the lock


CHILD = textwrap.dedent(
    """
    import sys
    from analytics.errors import DatabaseLockedError
    from analytics.store import Store
    try:
        Store(sys.argv[1])
    except DatabaseLockedError as error:
        print(str(error))
        sys.exit(3)
    print("opened")
    """
)


def _open_in_child(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", CHILD, str(path)], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)


def test_a_second_process_gets_a_clear_message(store):
    if store.backend == "postgres":
        pytest.skip("a DuckDB file's process lock; processes share PostgreSQL (tests/unit/test_postgres.py)")
    child = _open_in_child(Path(store.path))
    assert child.returncode == 3, child.stdout + child.stderr
    assert "already open in another process" in child.stdout
    assert store.path in child.stdout
    assert "MENTORSHIP_DB" in child.stdout
    assert "Traceback" not in child.stderr


def test_a_closed_file_opens_in_another_process(tmp_path):
    path = tmp_path / "db.duckdb"
    with Store(path):
        pass
    child = _open_in_child(path)
    assert child.returncode == 0, child.stdout + child.stderr
    assert child.stdout.strip() == "opened"


# ---------------------------------------------------------------- writes


def test_write_commits_and_returns_the_work_result(store):
    result = store.write(lambda cur: cur.execute("SELECT 41 + 1").fetchone()[0])
    assert result == 42


def test_write_rolls_back_everything_when_the_work_fails(store):
    def insert_then_fail(cur):
        cur.execute(
            "INSERT INTO people (program_id, full_name, email, created_at) VALUES (1, 'A', 'a@example.org', ?)", [FIRST_OPEN]
        )
        cur.execute(
            "INSERT INTO people (program_id, full_name, email, created_at) VALUES (1, 'B', 'b@example.org', ?)", [FIRST_OPEN]
        )
        assert cur.execute("SELECT count(*) FROM people").fetchone()[0] == 2  # visible inside the transaction
        raise RuntimeError("midway")

    version_before = store.data_version
    with pytest.raises(RuntimeError, match="midway"):
        store.write(insert_then_fail)
    assert store.query_one("SELECT count(*) FROM people")[0] == 0
    assert store.data_version == version_before  # nothing changed, so cached reads stay valid
    # the store is still usable afterwards
    _add_person(store, "after@example.org")
    assert _people(store) == ["after@example.org"]


def test_a_failing_statement_rolls_back_the_earlier_ones(store):
    def duplicate_email(cur):
        for _ in range(2):
            cur.execute(
                "INSERT INTO people (program_id, full_name, email, created_at) VALUES (1, 'A', 'same@example.org', ?)",
                [FIRST_OPEN],
            )

    with pytest.raises(Exception, match="(?i)constraint"):
        store.write(duplicate_email)
    assert store.query_one("SELECT count(*) FROM people")[0] == 0


def test_data_version_increases_after_each_write(store):
    seen = [store.data_version]
    for index in range(3):
        _add_person(store, f"p{index}@example.org")
        seen.append(store.data_version)
    assert seen == sorted(seen)
    assert len(set(seen)) == len(seen)


def test_sign_in_bookkeeping_keeps_cached_reads_valid(demo_store):
    """Signing in, failing to, and signing out write, but no cached read depends on it: the version stays."""
    now = datetime(2026, 11, 26, 9, 0)
    before = demo_store.data_version
    demo_store.commits = 0
    token = auth.sign_in(demo_store, "mentor@demo.org", "demo", now)
    with pytest.raises(SignInRefused):
        auth.sign_in(demo_store, "mentor@demo.org", "wrong", now)
    auth.sign_out(demo_store, token, now)
    assert demo_store.query_one("SELECT count(*) FROM sign_in_failures")[0] == 1
    assert demo_store.query_one("SELECT count(*) FROM sign_in_sessions WHERE ended_at IS NOT NULL")[0] == 1
    assert demo_store.data_version == before
    assert demo_store.commits == 3
    _add_person(demo_store, "new@example.org")
    assert demo_store.data_version > before


def test_reads_see_a_write_at_once(store):
    _add_person(store, "now@example.org")
    assert _people(store) == ["now@example.org"]
    assert store.query_df("SELECT email FROM people")["email"].tolist() == ["now@example.org"]


# ---------------------------------------------------------------- concurrency and failed writes


def _rename_first_person(name: str):
    def work(cur):
        cur.execute("UPDATE people SET full_name = ? WHERE email = 'first@example.org'", [name])

    return work


def test_a_write_that_conflicts_with_another_transaction_is_retried_until_it_goes_through(store):
    if store.backend == "postgres":
        pytest.skip("PostgreSQL makes a write wait for a held row, not fail; its conflicts: tests/unit/test_postgres.py")
    _add_person(store, "first@example.org")
    other = store._con.cursor()  # another transaction (as another process's would be) holds the row
    other.execute("BEGIN TRANSACTION")
    other.execute("UPDATE people SET full_name = 'Other' WHERE email = 'first@example.org'")
    calls = []

    def rename(cur):
        calls.append(len(calls) + 1)
        if len(calls) == 2:
            other.execute("COMMIT")  # the other one finishes while this write waits for its next attempt
        _rename_first_person("Mine")(cur)

    store.write(rename)
    assert 2 <= len(calls) <= WRITE_ATTEMPTS
    assert store.write_retries == len(calls) - 1  # each earlier attempt met "Conflict on update"
    assert store.query_one("SELECT full_name FROM people WHERE email = 'first@example.org'")[0] == "Mine"
    other.close()


def test_a_conflict_that_outlasts_every_attempt_raises_and_stores_nothing(store):
    if store.backend == "postgres":
        pytest.skip("PostgreSQL makes a write wait for a held row, not fail; its conflicts: tests/unit/test_postgres.py")
    _add_person(store, "first@example.org")
    other = store._con.cursor()
    other.execute("BEGIN TRANSACTION")
    other.execute("UPDATE people SET full_name = 'Other' WHERE email = 'first@example.org'")
    calls = []

    def rename_and_add(cur):
        calls.append(1)
        cur.execute(
            "INSERT INTO people (program_id, full_name, email, created_at) VALUES (1, 'B', 'b@example.org', ?)", [FIRST_OPEN]
        )
        _rename_first_person("Mine")(cur)

    with pytest.raises(duckdb.TransactionException, match="Conflict"):
        store.write(rename_and_add)
    assert len(calls) == WRITE_ATTEMPTS
    other.execute("ROLLBACK")
    other.close()
    assert _people(store) == ["first@example.org"]
    assert store.query_one("SELECT full_name FROM people")[0] == "Ada Example"


def test_writes_of_one_store_run_one_at_a_time(store):
    """Two writers never interleave, so a check made inside a write still holds when it commits."""
    inside = threading.Event()
    order = []

    def slow(cur):
        order.append("slow starts")
        inside.set()
        time.sleep(0.2)  # the other thread asks to write meanwhile
        order.append("slow ends")

    def quick(cur):
        order.append("quick")

    first = threading.Thread(target=store.write, args=(slow,))
    first.start()
    inside.wait(5)
    second = threading.Thread(target=store.write, args=(quick,))
    second.start()
    first.join(5)
    second.join(5)
    assert order == ["slow starts", "slow ends", "quick"]


@pytest.mark.parametrize(
    ("duckdb_says", "sentence"),
    [
        (
            'TransactionContext Error: Failed to commit: Could not write file "/d/x.duckdb.wal": No space left on device',
            "Nothing was saved because the disk that holds /d/x.duckdb is full: free some space on it, then submit again.",
        ),
        (
            'TransactionContext Error: Failed to commit: Could not write file "/d/x.duckdb.wal": File too large',
            "Nothing was saved because the disk that holds /d/x.duckdb is full: free some space on it, then submit again.",
        ),
        (
            'TransactionContext Error: Failed to commit: Cannot open file "/d/x.duckdb.wal": Permission denied',
            "Nothing was saved because /d/x.duckdb or its folder is read-only for this app: "
            "make both writable for the user that runs the app, then submit again.",
        ),
        (
            'IO Error: Could not write file "/d/x.duckdb.wal": Input/output error',
            "Nothing was saved because /d/x.duckdb could not be written (Input/output error): "
            "check that disk, then submit again.",
        ),
    ],
)
def test_a_write_that_cannot_reach_the_disk_says_so_in_one_sentence_and_stores_nothing(store, duckdb_says, sentence):
    class Failing(duckdb.TransactionException):
        pass

    def fail_like_a_full_disk(cur):
        cur.execute("INSERT INTO people (program_id, full_name, email, created_at) VALUES (1, 'A', 'a@x.org', ?)", [FIRST_OPEN])
        raise Failing(duckdb_says.replace("/d/x.duckdb", store.path))

    reopens = store.reopens
    with pytest.raises(DatabaseWriteError) as raised:
        store.write(fail_like_a_full_disk)
    assert str(raised.value) == sentence.replace("/d/x.duckdb", store.path)
    # Pages show an InputError's sentence with st.error; a failed write reaches the person the same way.
    assert isinstance(raised.value, StoreError) and isinstance(raised.value, InputError)
    assert store.write_retries == 0  # a full disk is not retried like a conflict
    assert _people(store) == []  # the next use runs on a freshly opened instance
    assert store.reopens == reopens + 1
    _add_person(store, "after@example.org")
    assert _people(store) == ["after@example.org"]


def test_duckdb_memory_is_bounded_by_default_and_by_the_setting(tmp_path, monkeypatch):
    """The server's memory stays bounded: DuckDB's buffer cache gets 256 MB unless the operator says otherwise."""
    monkeypatch.delenv("MENTORSHIP_MEMORY_LIMIT", raising=False)
    with Store(tmp_path / "default.duckdb", memory_limit=Settings.from_environment().memory_limit) as store:
        assert store.query_one("SELECT current_setting('memory_limit')")[0] == "244.1 MiB"  # 256 MB in MiB
    monkeypatch.setenv("MENTORSHIP_MEMORY_LIMIT", "128MB")
    with Store(tmp_path / "set.duckdb", memory_limit=Settings.from_environment().memory_limit) as store:
        assert store.query_one("SELECT current_setting('memory_limit')")[0] == "122.0 MiB"
