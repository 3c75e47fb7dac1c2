"""The DuckDB store: one connection per process, migrations on open, one transaction per write.

Every connection and the catalog it queries are made here, so moving to a shared PostgreSQL
(attached through DuckDB's postgres extension) changes this module only.
"""

import itertools
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import duckdb

from analytics.errors import DatabaseLockedError, SchemaTooNewError, StoreError
from analytics.paths import MIGRATIONS_DIR

T = TypeVar("T")
DEFAULT_MEMORY_LIMIT = "1GB"
WRITE_ATTEMPTS = 5
_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


def migrations(directory: Path = MIGRATIONS_DIR) -> list[tuple[int, Path]]:
    """The numbered migration files, in order; numbers must run 1, 2, 3 ... without gaps."""
    found = sorted((int(m.group(1)), path) for path in directory.glob("*.sql") if (m := _MIGRATION_NAME.match(path.name)))
    if [number for number, _ in found] != list(range(1, len(found) + 1)):
        raise StoreError(f"migrations in {directory} are not numbered 001, 002, ... without gaps")
    return found


class Store:
    """An open database file. Thread-safe: every read and write uses its own cursor."""

    def __init__(
        self,
        path: str | Path,
        memory_limit: str = DEFAULT_MEMORY_LIMIT,
        now: datetime | None = None,
        migrations_dir: Path = MIGRATIONS_DIR,
    ):
        self.path = str(path)
        self._versions = itertools.count(1)
        self.data_version = 0
        self._lock = threading.Lock()
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._con = _connect(self.path, memory_limit)
        try:
            self.schema_version = self._migrate(migrations_dir, now or datetime.now())
        except BaseException:
            self._con.close()
            raise

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor for reads; a thread must not share one with another."""
        cur = self._con.cursor()
        try:
            yield cur
        finally:
            cur.close()

    def query_df(self, sql: str, params: list | tuple | dict = ()):
        with self.cursor() as cur:
            return cur.execute(sql, params).df()

    def query_all(self, sql: str, params: list | tuple | dict = ()) -> list[tuple]:
        with self.cursor() as cur:
            return cur.execute(sql, params).fetchall()

    def query_one(self, sql: str, params: list | tuple | dict = ()):
        with self.cursor() as cur:
            return cur.execute(sql, params).fetchone()

    def write(self, work: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        """Run `work(cursor)` in one transaction: all of it is stored, or none of it.

        A conflict with another transaction (two writers updating one row) is retried a few
        times; appends never conflict.
        """
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            cur = self._con.cursor()
            try:
                cur.execute("BEGIN TRANSACTION")
                result = work(cur)
                cur.execute("COMMIT")
            except duckdb.TransactionException:
                _rollback(cur)
                if attempt == WRITE_ATTEMPTS:
                    raise
                time.sleep(0.01 * attempt)
                continue
            except BaseException:
                _rollback(cur)
                raise
            finally:
                cur.close()
            with self._lock:
                self.data_version = next(self._versions)
            return result
        raise AssertionError("unreachable")

    def _migrate(self, directory: Path, now: datetime) -> int:
        known = migrations(directory)
        with self.cursor() as cur:
            has_table = cur.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
            ).fetchone()[0]
            current = cur.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0] if has_table else 0
        if current > len(known):
            raise SchemaTooNewError(
                f"The database {self.path} was written by a newer version of this app (schema {current}; "
                f"this app knows up to {len(known)}). Upgrade the app, or set MENTORSHIP_DB to another file."
            )
        for number, path in known[current:]:
            sql = path.read_text(encoding="utf-8")

            def apply(cur, sql=sql, number=number):
                cur.execute(sql)
                cur.execute("INSERT INTO schema_version VALUES (?, ?)", [number, now])

            self.write(apply)
        if current < len(known):
            # Replaying a write-ahead log that holds schema changes can fail; start from a clean file.
            with self.cursor() as cur:
                cur.execute("CHECKPOINT")
        return len(known)


def _rollback(cur: duckdb.DuckDBPyConnection) -> None:
    with suppress(duckdb.Error):
        cur.execute("ROLLBACK")


def _connect(path: str, memory_limit: str) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(path, config={"memory_limit": memory_limit})
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            holder = re.search(r"PID (\d+)", str(error))
            who = f" (process {holder.group(1)})" if holder else ""
            raise DatabaseLockedError(
                f"The database file {path} is already open in another process{who}: stop that app "
                f"process, or set MENTORSHIP_DB to a different file."
            ) from error
        raise StoreError(f"The database file {path} cannot be opened: {error}") from error
