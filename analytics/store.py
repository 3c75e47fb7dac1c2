"""The DuckDB store: one connection per process, migrations on open, one transaction per write.

Every connection and the catalog it queries are made here. The default is a DuckDB file; a
`postgresql://` (or `postgres://`) URL instead opens an in-memory DuckDB that ATTACHes that PostgreSQL
database through DuckDB's postgres extension (from the pip package duckdb-ext-postgres, loaded
without network) under the catalog name `CATALOG` and USEs it on every cursor, so the analytics SQL
runs unchanged and several app servers can share one database. What the extension cannot do is
made up for here, in one place (analytics/postgres.py holds the details): the migrations run in
PostgreSQL itself (DuckDB cannot create a sequence there), and a write's INSERT/UPDATE/DELETE ...
RETURNING is carried out as a read and a statement without RETURNING.

Faults this module turns into one sentence (a StoreError): the file held by another process, a
full disk, a read-only file or folder. After a write that failed for one of these, the store closes
its DuckDB instance and opens the file again on next use, so the app recovers once space is back:
- a fatal I/O error (a failed checkpoint, say) invalidates the instance for good ("database has
  been invalidated because of a previous fatal error");
- with DuckDB 1.4.4, a commit that fails to append to a non-empty write-ahead log leaves the
  instance so that the next successful commit stores its text values run together with the failed
  one's ('good-3' stored as 'good-3failed-2'); a reopened instance stores them intact
  (tests/robustness/test_faults.py checks every value written around a full disk).
"""

import itertools
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import duckdb

from analytics import postgres
from analytics.changes import EVERYTHING, Touched, Touches, bump, forget
from analytics.errors import DatabaseLockedError, DatabaseWriteError, SchemaTooNewError, StoreError
from analytics.paths import MIGRATIONS_DIR

log = logging.getLogger(__name__)

T = TypeVar("T")
# Bound parameters: by name ({"program": 1} for $program), as every query of analytics/ binds them, or by position.
Params = Mapping[str, object] | Sequence[object]
DEFAULT_MEMORY_LIMIT = "256MB"  # with the Python side, the server stays under 500 MB
WRITE_ATTEMPTS = 5
# On PostgreSQL other servers' SERIALIZABLE writes refuse one another far more often than one process's
# writes conflict on a file (its predicate locks cover whole tables that a query scans): more attempts,
# with a random wait, so two servers' retries do not meet again in step.
POSTGRES_WRITE_ATTEMPTS = 20
_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")
# What DuckDB says when the file cannot be written (its exception class varies: a failed commit is a
# TransactionException, a failed checkpoint a FatalException, an open an IOException).
_IO_FAILURE = re.compile(
    r"could not write|cannot open|no space left|file too large|disk quota|permission denied|read-only file system"
    r"|input/output error|failed to create checkpoint|invalidated",
    re.IGNORECASE,
)
_DISK_FULL = re.compile(r"no space left|file too large|disk quota", re.IGNORECASE)
_READ_ONLY = re.compile(r"permission denied|read-only file system", re.IGNORECASE)
_INVALIDATED = re.compile(r"invalidated", re.IGNORECASE)


def migrations(directory: Path = MIGRATIONS_DIR) -> list[tuple[int, Path]]:
    """The numbered migration files, in order; numbers must run 1, 2, 3 ... without gaps."""
    found = sorted((int(m.group(1)), path) for path in directory.glob("*.sql") if (m := _MIGRATION_NAME.match(path.name)))
    if [number for number, _ in found] != list(range(1, len(found) + 1)):
        raise StoreError(f"migrations in {directory} are not numbered 001, 002, ... without gaps")
    return found


class Store:
    """An open database file. Thread-safe: every read and write uses its own cursor.

    Writes are serialised within the process (the file is locked to one process anyway). DuckDB's
    optimistic concurrency only notices two transactions changing the same row; two that read the
    same state and then both append (two status changes of one goal, each checked against the
    status it read) would both commit. Reads stay concurrent, each on its own snapshot.

    On PostgreSQL several processes write at once, and the in-process lock cannot order them: each write
    runs SERIALIZABLE there, so of two such check-then-append writes PostgreSQL refuses one, and it is
    retried here like any conflict (analytics/postgres.py).
    """

    def __init__(
        self,
        path: str | Path,
        memory_limit: str = DEFAULT_MEMORY_LIMIT,
        now: datetime | None = None,
        migrations_dir: Path = MIGRATIONS_DIR,
    ):
        self._postgres = postgres.Target.parse(str(path)) if postgres.is_url(str(path)) else None
        # What messages, logs and cache keys name: a PostgreSQL URL without its password.
        self.path = self._postgres.shown if self._postgres else str(path)
        self._memory_limit = memory_limit
        self._versions = itertools.count(1)
        # Writes of this process that changed data (not sign-in bookkeeping): a page that read the change
        # counters earlier in its run reads them again after one (ui/data.py). Cached reads key on the
        # counters in the database (analytics/changes.py), which every server sees.
        self.data_version = 0
        self.commits = 0  # every committed write, sign-in bookkeeping included (data_version skips that)
        self.last_bumped: list[tuple[str, int]] = []  # the counters the last write moved, for tests
        self.write_retries = 0  # conflicts retried, for tests and load measurements
        self.reopens = 0  # times the file was opened again after a failed write or a fatal error
        self.cursors = 0  # read cursors opened: how many reads ran (a warm page runs few), for tests and benchmarks
        self._lock = threading.Lock()
        self._write_lock = threading.RLock()
        self._stale = False  # the DuckDB instance must be replaced before it is used again
        self._serials: dict[str, tuple[str, str]] | None = None  # PostgreSQL's sequence-numbered tables, read once
        if self.path != ":memory:" and self._postgres is None:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._con = self._open()
        self._counted = False  # the change counters' table exists (not during migrations, nor in a partial schema)
        try:
            self.schema_version = self._migrate(migrations_dir, now or datetime.now())
            self._counted = bool(
                self.query_one("SELECT count(*) FROM information_schema.tables WHERE table_name = 'change_counters'")[0]
            )
        except duckdb.Error as error:
            with suppress(duckdb.Error):
                self._con.close()
            if _is_io_failure(error):
                raise StoreError(_open_problem(self.path, error)) from error
            raise
        except BaseException:
            with suppress(duckdb.Error):
                self._con.close()
            raise

    @property
    def backend(self) -> str:
        """'postgres' when the data lives in an attached PostgreSQL database, else 'duckdb'."""
        return "postgres" if self._postgres else "duckdb"

    def close(self) -> None:
        self._con.close()

    def _open(self) -> duckdb.DuckDBPyConnection:
        if self._postgres is not None:
            return postgres.connect(self._postgres, self._memory_limit)
        return _connect(self.path, self._memory_limit)

    def _new_cursor(self) -> duckdb.DuckDBPyConnection:
        cur = self._connection().cursor()
        if self._postgres is not None:
            postgres.use(cur)  # a cursor does not inherit its connection's USE
        return cur

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def ensure_open(self) -> None:
        """Open the file again if a failed write left the instance unusable; a StoreError says why that failed."""
        if self._stale:
            self._reopen()

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor for reads; a thread must not share one with another."""
        cur = self._new_cursor()
        self.cursors += 1
        try:
            yield cur
        except duckdb.Error as error:
            self._notice(error)
            raise
        finally:
            cur.close()

    def query_df(self, sql: str, params: Params = ()):
        return self._read(lambda cur: cur.execute(sql, params).df())

    def query_all(self, sql: str, params: Params = ()) -> list[tuple]:
        return self._read(lambda cur: cur.execute(sql, params).fetchall())

    def query_one(self, sql: str, params: Params = ()):
        return self._read(lambda cur: cur.execute(sql, params).fetchone())

    def read(self, run: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        """`run(cursor)` for a read of several statements on one cursor, retried like query_all's."""
        return self._read(run)

    def write(
        self,
        work: Callable[[duckdb.DuckDBPyConnection], T],
        *,
        touches: Touches = EVERYTHING,
        sign_in_only: bool = False,
    ) -> T:
        """Run `work(cursor)` in one transaction: all of it is stored, or none of it.

        `touches` says what the write changed (analytics/changes.py: a Touched, or a function of the
        cursor and work's result that gives one); its change counters move in the same transaction,
        so cached reads of that and only that go cold, on every server. Every write of analytics/
        names it (tests/unit/test_changes.py checks); the default, everything, is for tests and tools.
        Writes of sign-in bookkeeping only (`sign_in_only`: sessions, failed attempts, a password's
        hash) move no counter: no cached read depends on them.

        A conflict with another transaction (two writers updating one row) is retried a few
        times. A file that cannot be written (full disk, read-only) raises DatabaseWriteError, a
        sentence fit to show, and nothing of `work` is stored.
        """
        attempts = POSTGRES_WRITE_ATTEMPTS if self._postgres is not None else WRITE_ATTEMPTS
        for attempt in range(1, attempts + 1):
            with self._write_lock:
                try:
                    cur = self._new_cursor()
                    if self._postgres is not None:
                        cur = postgres.WriteCursor(cur, self._serials)  # type: ignore[assignment]
                except StoreError as error:  # the file could not be opened again
                    cause = error.__cause__
                    sentence = _write_problem(self.path, cause) if cause and _is_io_failure(cause) else str(error)
                    raise DatabaseWriteError(sentence) from error
                try:
                    cur.execute("BEGIN TRANSACTION")
                    if self._postgres is not None:
                        postgres.serializable(cur)
                    result = work(cur)
                    bumped = (
                        []
                        if sign_in_only or not self._counted
                        else bump(cur, touches if isinstance(touches, Touched) else touches(cur, result))
                    )
                    cur.execute("COMMIT")
                except duckdb.Error as error:
                    _rollback(cur)
                    self._notice(error)
                    if _is_io_failure(error):
                        self._stale = True  # see the module's docstring: never commit on this instance again
                        log.error("a write to %s failed on the file itself: %s", self.path, error)
                        raise DatabaseWriteError(_write_problem(self.path, error)) from error
                    if not isinstance(error, duckdb.TransactionException) or attempt == attempts:
                        if isinstance(error, duckdb.TransactionException):
                            log.warning("a write conflicted with another transaction %d times and was given up", attempt)
                        raise
                    self.write_retries += 1
                    log.info("a write conflicted with another transaction; trying again (attempt %d)", attempt + 1)
                except BaseException:
                    _rollback(cur)
                    raise
                else:
                    self.commits += 1
                    self.last_bumped = bumped
                    if isinstance(cur, postgres.WriteCursor) and self._serials is None:
                        self._serials = cur.serials_read
                    if not sign_in_only:
                        with self._lock:
                            self.data_version = next(self._versions)
                    return result
                finally:
                    forget(cur)
                    cur.close()
            # outside the lock, so the other writer can finish
            time.sleep(0.01 * attempt + (random.uniform(0, 0.02 * attempt) if self._postgres is not None else 0))
        raise AssertionError("unreachable")

    def _read(self, run: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        """A read; once more on a reopened file if the first try found the instance invalidated."""
        reopens = self.reopens
        try:
            with self.cursor() as cur:
                return run(cur)
        except duckdb.Error:
            if not self._stale and self.reopens == reopens:
                raise
        with self.cursor() as cur:
            return run(cur)

    def _connection(self) -> duckdb.DuckDBPyConnection:
        if self._stale:
            self._reopen()
        return self._con

    def _notice(self, error: duckdb.Error) -> None:
        if isinstance(error, duckdb.FatalException) or _INVALIDATED.search(str(error)):
            self._stale = True

    def _reopen(self) -> None:
        # Under the write lock, so no write of this store runs on the instance being replaced.
        with self._write_lock:
            if not self._stale:
                return
            log.warning("opening %s again after a fatal error or a failed write", self.path)
            with suppress(duckdb.Error):
                self._con.close()
            con = self._open()
            try:
                con.execute("SELECT count(*) FROM schema_version").fetchone()
            except duckdb.Error as error:
                # DuckDB hands out the cached, invalidated instance while any other connection of
                # this process still holds it.
                with suppress(duckdb.Error):
                    con.close()
                raise StoreError(
                    f"The database file {self.path} had a fatal error and another connection of this app still holds "
                    "it: restart the app."
                ) from error
            log.info("opened %s again", self.path)
            self._con = con
            self._stale = False
            self.reopens += 1
            with self._lock:
                self.data_version = next(self._versions)

    def _migrate(self, directory: Path, now: datetime) -> int:
        known = migrations(directory)
        if self._postgres is not None:
            return self._migrate_postgres(known, now)
        with self.cursor() as cur:
            has_table = scalar(cur, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'")
            current = scalar(cur, "SELECT coalesce(max(version), 0) FROM schema_version") if has_table else 0
        self._refuse_newer(current, len(known))
        for number, path in known[current:]:
            log.info("migrating %s to schema %d (%s)", self.path, number, path.name)
            sql = path.read_text(encoding="utf-8")

            def apply(cur, sql=sql, number=number):
                cur.execute(sql)
                cur.execute("INSERT INTO schema_version VALUES ($version, $now)", {"version": number, "now": now})

            try:
                # Touches no counter: the counters' own table comes with one of these, and no cached read is older.
                self.write(apply, touches=Touched())
            except DatabaseWriteError as error:
                raise error.__cause__ or error from None
        if current < len(known):
            # Replaying a write-ahead log that holds schema changes can fail; start from a clean file.
            with self.cursor() as cur:
                cur.execute("CHECKPOINT")
        return len(known)

    def _migrate_postgres(self, known: list[tuple[int, Path]], now: datetime) -> int:
        """The missing migrations in one PostgreSQL transaction that first takes the migrations' lock
        (postgres.lock_for_migrations): of several servers starting at once on a new database, one migrates
        it and the others wait, then find nothing left to do. All of them or none are applied."""

        def apply(cur) -> int:
            current = postgres.lock_for_migrations(cur)
            for number, path in known[current:]:
                log.info("migrating %s to schema %d (%s)", self.path, number, path.name)
                postgres.migrate(cur, path.read_text(encoding="utf-8"), number, now)
            return current

        try:
            # Touches no counter: the counters' own table comes with these, and no cached read is older.
            current = self.write(apply, touches=Touched())
        except DatabaseWriteError as error:
            raise error.__cause__ or error from None
        with self.cursor() as cur:
            cur.execute("CALL pg_clear_cache()")  # another server's migrations made tables this instance has not seen
        self._serials = None
        self._refuse_newer(current, len(known))
        return len(known)

    def _refuse_newer(self, current: int, known: int) -> None:
        if current > known:
            raise SchemaTooNewError(
                f"The database {self.path} was written by a newer version of this app (schema {current}; "
                f"this app knows up to {known}). Upgrade the app, or set MENTORSHIP_DB to another file."
            )


def scalar(cur: duckdb.DuckDBPyConnection, sql: str, params: Params = ()):
    """The first value of the one row an aggregate or a RETURNING gives; no row at all is a bug, not bad input."""
    row = cur.execute(sql, params).fetchone()
    if row is None:
        raise RuntimeError(f"no row from a statement that always returns one: {sql.strip()[:60]}")
    return row[0]


def _is_io_failure(error: BaseException) -> bool:
    return isinstance(error, duckdb.IOException | duckdb.FatalException) or bool(_IO_FAILURE.search(str(error)))


def _reason(path: str, error: BaseException) -> tuple[str, str]:
    """(what is wrong, what to do) for a file that cannot be written, in plain words."""
    text = str(error)
    if _DISK_FULL.search(text):
        return f"the disk that holds {path} is full", "free some space on it"
    if _READ_ONLY.search(text):
        return f"{path} or its folder is read-only for this app", "make both writable for the user that runs the app"
    detail = text.splitlines()[0].rsplit(": ", 1)[-1].strip(' ."') if text else type(error).__name__
    return f"{path} could not be written ({detail})", "check that disk"


def _write_problem(path: str, error: BaseException) -> str:
    problem, remedy = _reason(path, error)
    return f"Nothing was saved because {problem}: {remedy}, then submit again."


def _open_problem(path: str, error: BaseException) -> str:
    problem, remedy = _reason(path, error)
    return f"The database cannot be opened because {problem}: {remedy}, or set MENTORSHIP_DB to another file."


def _rollback(cur: duckdb.DuckDBPyConnection) -> None:
    with suppress(duckdb.Error):
        cur.execute("ROLLBACK")


def sealed_connection(path: str | Path, memory_limit: str = DEFAULT_MEMORY_LIMIT) -> duckdb.DuckDBPyConnection:
    """A connection to the database file `path` that can touch no other file: SQL run on it cannot read,
    write or attach a file, nor load an extension, and its settings are locked so it cannot undo that.

    For loading data that must stay data (a backup being restored): rows come in from Python (Arrow
    tables registered on the connection), never from a path DuckDB opens itself.
    """
    return _connect(str(path), memory_limit, enable_external_access=False, lock_configuration=True)


def _connect(path: str, memory_limit: str, **settings: bool) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(path, config={"memory_limit": memory_limit, **settings})
    except duckdb.Error as error:
        if "lock" in str(error).lower():
            holder = re.search(r"PID (\d+)", str(error))
            who = f" (process {holder.group(1)})" if holder else ""
            raise DatabaseLockedError(
                f"The database file {path} is already open in another process{who}: stop that app "
                f"process, or set MENTORSHIP_DB to a different file."
            ) from error
        if _is_io_failure(error):
            raise StoreError(_open_problem(path, error)) from error
        raise StoreError(f"The database file {path} cannot be opened: {error}") from error
