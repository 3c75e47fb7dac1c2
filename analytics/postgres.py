"""PostgreSQL through DuckDB: the one place that knows the backend is not a DuckDB file.

`MENTORSHIP_DB=postgresql://user:password@host:port/database?sslmode=...` (or `postgres://`, or a
unix socket as `?host=/folder`) makes analytics/store.py open an in-memory DuckDB and call
`connect` here: the postgres extension is LOADed from the pip package duckdb-ext-postgres (no
network), the password goes into a DuckDB secret (so it is in no connection string an error could
quote), and the database is ATTACHed as `CATALOG` and USEd, so the analytics SQL runs unchanged.

What the extension (DuckDB 1.4.4) does not do, and what is done instead:
- no CREATE SEQUENCE, no nextval: the migrations run in PostgreSQL itself (`migrate`, through
  postgres_execute), with the two DuckDB-only spellings they use translated (`postgres_dialect`);
  ids come from PostgreSQL's sequences.
- no RETURNING on INSERT/UPDATE/DELETE: `WriteCursor` carries such a statement out as a read and the
  statement without RETURNING, in the same transaction (an INSERT takes its ids from the sequence
  first and stores them explicitly). An UPDATE's RETURNING must name columns it does not SET.
- its transactions are REPEATABLE READ; every write is made SERIALIZABLE (`serializable`), so two
  servers that each check what they read and then append cannot both commit: PostgreSQL refuses one
  ("could not serialize access"), which reaches the store's retry as a TransactionException.
- a broken constraint is a plain duckdb.Error ("Failed to copy data: ... violates unique
  constraint"): it is raised as the duckdb.ConstraintException the analytics code catches.
- ON CONFLICT DO NOTHING, ALTER TABLE ADD COLUMN and reads of views work as they are.
"""

import importlib.util
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import NoReturn
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import duckdb
import pyarrow as pa

from analytics.errors import StoreError

CATALOG = "pg"  # the name every query reaches the attached database under (USE makes it the default)
_SECRET = "mentorship_postgres"
SCHEMES = ("postgresql://", "postgres://")
_CONSTRAINT = re.compile(r"violates (unique|check|not-null|exclusion|foreign key) constraint|duplicate key value", re.I)
_CONFLICT = re.compile(r"could not serialize access|deadlock detected|concurrent update", re.I)


def is_url(text: str) -> bool:
    return text.strip().lower().startswith(SCHEMES)


@dataclass(frozen=True)
class Target:
    """A parsed postgresql:// URL: the libpq connection string without the password, the password, and
    the URL as it may be shown (password replaced by ***)."""

    dsn: str
    password: str | None
    shown: str

    @classmethod
    def parse(cls, url: str) -> "Target":
        try:
            return cls._parse(url)
        except ValueError:  # urlsplit quotes the part it could not read, which may be the password
            raise StoreError(
                "The PostgreSQL URL in MENTORSHIP_DB cannot be read: write it as postgresql://user:password@host:port/"
                "database, with any '/', '#', '?' or '@' in the password percent-encoded (%2F, %23, %3F, %40)."
            ) from None

    @classmethod
    def _parse(cls, url: str) -> "Target":
        parts = urlsplit(url.strip())
        options = dict(parse_qsl(parts.query))
        if parts.hostname:
            options.setdefault("host", unquote(parts.hostname))
        if parts.port:
            options.setdefault("port", str(parts.port))
        if parts.username:
            options.setdefault("user", unquote(parts.username))
        database = unquote(parts.path.lstrip("/"))
        if database:
            options.setdefault("dbname", database)
        in_query = options.pop("password", None)  # libpq also takes ?password=; kept out of the DSN like the other
        dsn = " ".join(f"{key}={_libpq_value(value)}" for key, value in options.items())
        password = unquote(parts.password) if parts.password is not None else in_query
        netloc = parts.netloc.rsplit("@", 1)
        if len(netloc) == 2:
            netloc[0] = quote(unquote(parts.username or ""), safe="") + (":***" if parts.password is not None else "")
        shown = parts._replace(
            netloc="@".join(netloc), query="&".join(f"{k}={v}" for k, v in parse_qsl(parts.query) if k != "password")
        ).geturl()
        return cls(dsn, password, shown)

    def scrub(self, text: str) -> str:
        """`text` with the password taken out, however it was spelled in the URL."""
        if self.password:
            for spelling in {self.password, quote(self.password, safe=""), quote(self.password)}:
                text = text.replace(spelling, "***")
        return text


def _libpq_value(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


def extension_directory() -> Path:
    """Where the pip package duckdb-ext-postgres put the extension (duckdb_ext/extensions/v1.4.4/<platform>/)."""
    spec = importlib.util.find_spec("duckdb_ext")
    if spec is None or not spec.submodule_search_locations:
        raise StoreError("PostgreSQL needs the package duckdb-ext-postgres (see requirements.txt): it is not installed.")
    return Path(next(iter(spec.submodule_search_locations))) / "extensions"


def connect(target: Target, memory_limit: str) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with `target` attached as CATALOG and in use; a StoreError without the password."""
    con = duckdb.connect(
        ":memory:",
        config={
            "memory_limit": memory_limit,
            "extension_directory": str(extension_directory()),
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
        },
    )
    try:
        con.execute("LOAD postgres")
        if target.password is not None:
            con.execute(f"CREATE SECRET {_SECRET} (TYPE postgres, PASSWORD $password)", {"password": target.password})
        secret = f", SECRET {_SECRET}" if target.password is not None else ""
        literal = target.dsn.replace("'", "''")
        con.execute(f"ATTACH '{literal}' AS {CATALOG} (TYPE postgres{secret})")
        # One COPY per table a query scans, with its filters, rather than the extension's default of splitting a
        # scan of a big table into ranges of physical row positions (ctid) read in parallel over several
        # connections under an exported snapshot: with a range in the WHERE, PostgreSQL reads the table's pages
        # instead of its indexes (migration 014), a list `column IN (...)` reaches it only as its lowest and highest
        # value, and each range costs round trips. Measured on 1M responses: a fellow's rating history read 500 ms
        # with ranges, 8-15 ms with one COPY. (`rowid` reads NULL through the extension either way.)
        con.execute("SET GLOBAL pg_use_ctid_scan = false")
        use(con)
    except duckdb.Error as error:
        con.close()
        detail = target.scrub(str(error).splitlines()[0] if str(error) else type(error).__name__)
        raise StoreError(f"The PostgreSQL database {target.shown} cannot be opened: {detail}") from None
    return con


def use(cur: duckdb.DuckDBPyConnection) -> None:
    cur.execute(f"USE {CATALOG}")


def serializable(cur) -> None:
    """Make the write transaction just begun SERIALIZABLE (its first statement in PostgreSQL)."""
    cur.execute(f"CALL postgres_execute('{CATALOG}', 'SET TRANSACTION ISOLATION LEVEL SERIALIZABLE')")


# -- migrations ------------------------------------------------------------------------------------

# The statements of analytics/migrations/ PostgreSQL spells differently: DuckDB's QUALIFY view of the
# current answers (001) becomes DISTINCT ON, same columns, same rows.
_CURRENT_ASSESSMENTS = re.compile(r"CREATE VIEW current_assessments AS\s+SELECT \*\s+FROM assessments\s+QUALIFY .*?= 1;", re.S)
_CURRENT_ASSESSMENTS_PG = """CREATE VIEW current_assessments AS
SELECT DISTINCT ON (respondent_id, subject_id, coalesce(pair_id, 0), instrument_id, period_start) *
FROM assessments
ORDER BY respondent_id, subject_id, coalesce(pair_id, 0), instrument_id, period_start, submitted_at DESC, assessment_id DESC;"""


# A migration's line that starts with this is a statement for PostgreSQL only (a comment to DuckDB): the
# indexes of migration 014, which a DuckDB file does without (it reads a column at a time, and an ART index
# would hold every key in memory).
POSTGRES_ONLY = "--postgresql:"


def postgres_dialect(sql: str) -> str:
    """A migration's text as PostgreSQL runs it: its POSTGRES_ONLY lines as statements, DOUBLE as DOUBLE PRECISION,
    the one QUALIFY view as DISTINCT ON."""
    sql = re.sub(rf"^{re.escape(POSTGRES_ONLY)}[ \t]*", "", sql, flags=re.M)
    translated, views = _CURRENT_ASSESSMENTS.subn(_CURRENT_ASSESSMENTS_PG, sql)
    if "QUALIFY" in _without_comments(translated).upper():
        raise StoreError("a migration uses QUALIFY, which PostgreSQL does not know: add its spelling to analytics/postgres.py")
    return re.sub(r"\bDOUBLE\b(?!\s+PRECISION)", "DOUBLE PRECISION", translated)


def _without_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql)


# The key of the transaction-level advisory lock every server takes before it migrates (any 64-bit number no
# other application on the database uses; this one is "mentor" in ASCII).
MIGRATION_LOCK = 0x6D656E746F72


def lock_for_migrations(cur) -> int:
    """The first statements of the migrations' write transaction: wait until no other server is migrating
    this database (an advisory lock, held to this transaction's end), then return the schema version now
    stored (0 for a new database). The transaction reads at READ COMMITTED, so what a server that held the
    lock before committed is seen here (a snapshot taken before the wait would not see it)."""
    cur.execute(f"CALL postgres_execute('{CATALOG}', 'SET TRANSACTION ISOLATION LEVEL READ COMMITTED')")
    cur.execute(f"CALL postgres_execute('{CATALOG}', 'SELECT pg_advisory_xact_lock({MIGRATION_LOCK})')")
    # Through postgres_query, not the attached catalog: DuckDB's cached picture of it predates the wait.
    exists = f"SELECT * FROM postgres_query('{CATALOG}', 'SELECT to_regclass(''schema_version'') IS NOT NULL')"
    if not cur.execute(exists).fetchone()[0]:
        return 0
    version = f"SELECT * FROM postgres_query('{CATALOG}', 'SELECT coalesce(max(version), 0) FROM schema_version')"
    return int(cur.execute(version).fetchone()[0])


def migrate(cur, sql: str, number: int, now: datetime) -> None:
    """Run one migration in PostgreSQL, inside the write transaction, and record it in schema_version."""
    statement = _without_comments(postgres_dialect(sql))
    cur.execute(f"CALL postgres_execute('{CATALOG}', $sql)", {"sql": statement})
    cur.execute(
        f"CALL postgres_execute('{CATALOG}', $sql)",
        {"sql": f"INSERT INTO schema_version VALUES ({int(number)}, '{now.isoformat(sep=' ')}')"},
    )
    cur.execute("CALL pg_clear_cache()")  # DuckDB caches the attached schema


# -- writes ----------------------------------------------------------------------------------------

_RETURNING = re.compile(r"\s+RETURNING\s+(?P<returning>.+?)\s*;?\s*$", re.I | re.S)
_INSERT = re.compile(
    r"^\s*INSERT\s+INTO\s+(?P<table>\w+)\s*\((?P<columns>[^)]*)\)\s*(?:VALUES\s*\((?P<values>.*)\)|(?P<select>SELECT\s+.*))$",
    re.I | re.S,
)
_UPDATE_OR_DELETE = re.compile(
    r"^\s*(?:UPDATE\s+(?P<updated>\w+)\s+SET\s+.*?|DELETE\s+FROM\s+(?P<deleted>\w+))\s+WHERE\s+(?P<where>.*)$", re.I | re.S
)


class Rows:
    """What a statement with RETURNING gives back: the rows, read like a DuckDB result."""

    def __init__(self, table: pa.Table):
        self._rows = list(zip(*(column.to_pylist() for column in table.columns), strict=True)) if table.num_columns else []
        self._table = table
        self._next = 0

    def fetchone(self):
        if self._next >= len(self._rows):
            return None
        self._next += 1
        return self._rows[self._next - 1]

    def fetchall(self) -> list[tuple]:
        rest, self._next = self._rows[self._next :], len(self._rows)
        return rest

    def df(self):
        return self._table.to_pandas()


class WriteCursor:
    """A write transaction's cursor on PostgreSQL: statements pass through, except RETURNING (done here) and
    PostgreSQL's errors, raised as the DuckDB exceptions the store and analytics/ handle."""

    def __init__(self, cur: duckdb.DuckDBPyConnection, serials: dict[str, tuple[str, str]] | None = None):
        self._cur = cur
        # table -> (id column, sequence), read once per store (Store keeps it; a migration empties it)
        self._serial_columns = serials

    def __getattr__(self, name: str):
        return getattr(self._cur, name)

    def execute(self, sql: str, params=()):
        try:
            returning = _RETURNING.search(sql)
            if returning is None:
                return self._cur.execute(sql, params)
            return self._returning(sql[: returning.start()], returning.group("returning"), params)
        except duckdb.Error as error:
            _raise_translated(error)

    def executemany(self, sql: str, params):
        try:
            return self._cur.executemany(sql, params)
        except duckdb.Error as error:
            _raise_translated(error)

    def _returning(self, statement: str, returning: str, params) -> Rows:
        insert = _INSERT.match(statement)
        if insert:
            return self._insert_returning(insert, returning, params)
        change = _UPDATE_OR_DELETE.match(statement)
        if change is None:
            raise NotImplementedError(f"RETURNING on PostgreSQL is done for INSERT, UPDATE and DELETE only: {statement[:60]}")
        table = change.group("updated") or change.group("deleted")
        read = f"SELECT {returning} FROM {table} WHERE {change.group('where')}"
        # by position: the WHERE's own parameters are the ones after the SET's
        where_params = (
            _used(params, read) if isinstance(params, dict) else params[statement[: change.start("where")].count("?") :]
        )
        rows = Rows(self._cur.execute(read, where_params).fetch_arrow_table())
        self._cur.execute(statement, params)
        return rows

    def _insert_returning(self, insert: re.Match, returning: str, params) -> Rows:
        table, columns = insert.group("table"), insert.group("columns").strip()
        serial = self.serials().get(table)
        if serial is None:
            raise NotImplementedError(f"RETURNING on PostgreSQL needs a sequence-numbered table, not {table}")
        id_column, sequence = serial
        source = f"SELECT {insert.group('values')}" if insert.group("values") is not None else insert.group("select")
        read = f"SELECT * FROM ({source}) AS incoming({columns})"
        incoming = self._cur.execute(read, _used(params, read)).fetch_arrow_table()
        ids = self._next_ids(sequence, incoming.num_rows)
        incoming = incoming.append_column(id_column, pa.array(ids, pa.int64()))
        name = f"__incoming_{id(self)}"
        self._cur.register(name, incoming)
        try:
            self._cur.execute(f"INSERT INTO {table} ({id_column}, {columns}) SELECT {id_column}, {columns} FROM {name}")
            return Rows(self._cur.execute(f"SELECT {returning} FROM {name}").fetch_arrow_table())
        finally:
            self._cur.unregister(name)

    def _next_ids(self, sequence: str, count: int) -> list[int]:
        return next_ids(self._cur, sequence, count)

    @property
    def serials_read(self) -> dict[str, tuple[str, str]] | None:
        """The serial columns, if this write needed them (for the store to keep)."""
        return self._serial_columns

    def serials(self) -> dict[str, tuple[str, str]]:
        """Each sequence-numbered table's id column and sequence (information_schema, read once: it is slow)."""
        if self._serial_columns is None:
            rows = self._cur.execute(
                f"SELECT * FROM postgres_query('{CATALOG}', 'SELECT table_name, column_name, column_default "
                "FROM information_schema.columns WHERE table_schema = current_schema() AND column_default LIKE ''nextval(%''')"
            ).fetchall()
            found = {}
            for table, column, default in rows:
                sequence = re.match(r"nextval\('(\w+)'", default)
                if sequence:
                    found[table] = (column, sequence.group(1))
            self._serial_columns = found
        return self._serial_columns


def bump_counters(cur, rows: list[tuple[str, int]]) -> None:
    """Move these change counters (analytics/changes.py) by one in the write's transaction, in one statement
    PostgreSQL runs itself. Through the attached catalog, each INSERT ... ON CONFLICT DO UPDATE was a copy of
    the whole counters table, a temporary table and an UPDATE; and a SERIALIZABLE transaction that read the
    whole table conflicted with every other writer's (measured: two servers with four writers each stored 2
    submissions a second, with a retried conflict for each). Scopes and keys are the store's own (checked
    here), so they are written into the statement; rows in one order, so two writers cannot deadlock."""
    if not rows:
        return
    values = []
    for scope, key in sorted(set(rows)):
        if not re.fullmatch(r"[a-z_]+(:[a-z_]+)?", scope):
            raise ValueError(f"not a change counter's scope: {scope!r}")
        values.append(f"(''{scope}'', {int(key)}, 1)")
    statement = (
        f"INSERT INTO change_counters (scope, key, version) VALUES {', '.join(values)} "
        "ON CONFLICT (scope, key) DO UPDATE SET version = change_counters.version + 1"
    )
    cur.execute(f"CALL postgres_execute('{CATALOG}', '{statement}')")


def next_ids(cur, sequence: str, count: int) -> list[int]:
    """`count` new ids from PostgreSQL's sequence `sequence` (DuckDB's nextval cannot reach it)."""
    if not re.fullmatch(r"\w+", sequence):
        raise ValueError(f"not a sequence name: {sequence!r}")
    if count <= 0:
        return []
    statement = f"SELECT nextval(''{sequence}'') FROM generate_series(1, {int(count)})"
    return [row[0] for row in cur.execute(f"SELECT * FROM postgres_query('{CATALOG}', '{statement}')").fetchall()]


def _used(params, sql: str):
    """The named parameters `sql` refers to (DuckDB refuses ones it does not use); positional ones as they are."""
    if not isinstance(params, dict):
        return params
    return {name: value for name, value in params.items() if re.search(rf"\${re.escape(name)}\b", sql)}


def _raise_translated(error: duckdb.Error) -> NoReturn:
    text = str(error)
    if not isinstance(error, duckdb.ConstraintException | duckdb.TransactionException):
        if _CONFLICT.search(text):
            raise duckdb.TransactionException(text) from error
        if _CONSTRAINT.search(text):
            raise duckdb.ConstraintException(text) from error
    raise error
