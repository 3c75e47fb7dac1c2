"""Backups: the whole database as Parquet files (DuckDB's EXPORT DATABASE) in one zip, and a restore
into a new file.

DuckDB locks a database file to one process, so a backup of a running app is made through the app's
own connection (a director's action); while the app is stopped, the command line does the same:

    python -m analytics.backup export --db data/mentorship.duckdb --out backups/2026-11-26.zip
    python -m analytics.backup restore --from backups/2026-11-26.zip --db data/restored.duckdb

The export runs in one transaction, so it is one snapshot: a write that commits meanwhile is either
wholly in the backup or not at all. A backup is data, never code: a restore builds the schema from this
app's migrations at the backup's schema version, loads the Parquet file of each of its tables and
nothing else (DuckDB's schema.sql and load.sql stay in the backup for people to read, and are never
run), then upgrades the file like any older database. A restore never overwrites a file, and a backup
it refuses leaves no file behind.
"""

import argparse
import contextlib
import io
import json
import os
import re
import stat
import sys
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from analytics import postgres
from analytics.errors import AccessDenied, StoreError
from analytics.people import Viewer
from analytics.store import Store, migrations, scalar, sealed_connection

MANIFEST = "backup.json"
FORMAT = "mentorship-backup/1"
_IGNORED = ("schema.sql", "load.sql")  # DuckDB's own description of an export: kept for people, never run
_TABLE_FILE = re.compile(r"[a-z][a-z0-9_]*\.parquet")
_MAX_UNPACKED = 4 * 1024**3  # a backup that unpacks to more than this is refused (a zip bomb, or not ours)
_MAX_MANIFEST = 64 * 1024
_MAX_ID = 100_000_000  # no id this app hands out comes near; a forged one would take the restore minutes to count up to
_BATCH_ROWS = 100_000  # rows inserted at a time, so a big table never sits in memory whole


class BackupError(StoreError):
    """A backup cannot be written or restored; the message says why."""


def _literal(path: Path) -> str:
    """A file path as an SQL string literal: EXPORT and IMPORT DATABASE take no bound parameters."""
    return "'" + str(path).replace("'", "''") + "'"


def table_counts(store: Store) -> dict[str, int]:
    """Rows per base table of the main schema, by name."""
    names = [
        row[0]
        for row in store.query_all(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'main' AND NOT temporary ORDER BY table_name"
        )
    ]
    # Table names come from the catalogue itself and are quoted as identifiers.
    return {name: store.query_one('SELECT count(*) FROM "' + name.replace('"', '""') + '"')[0] for name in names}


def export_directory(store: Store, directory: Path, now: datetime) -> dict:
    """Write the database into an empty `directory`: schema.sql, load.sql, a Parquet file per table and
    a manifest. One transaction, so one consistent snapshot however many writes run meanwhile."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty; choose a new folder for the backup.")
    directory.mkdir(parents=True, exist_ok=True)
    with store.cursor() as cur:
        cur.execute("BEGIN TRANSACTION")
        try:
            schema_version = scalar(cur, "SELECT max(version) FROM schema_version")
            cur.execute("EXPORT DATABASE " + _literal(directory) + " (FORMAT parquet)")
        finally:
            cur.execute("ROLLBACK")  # read-only: nothing to commit
    manifest = {"format": FORMAT, "schema_version": schema_version, "written_at": now.isoformat(timespec="seconds")}
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def backup_refusal(store: Store, viewer: Viewer | None) -> str | None:
    """Why this viewer may not take a backup in the app, or None if they may.

    A backup holds every record of the database; a director sees only their own program, so the
    app offers it only where the database holds that one program. A server shared by several
    programs is backed up by its operator, from the command line.
    """
    if viewer is None or not viewer.has("director"):
        return "Backups are for the program's directors."
    others = store.query_one("SELECT count(*) FROM programs WHERE program_id <> $program", {"program": viewer.program_id})[0]
    if others:
        return (
            "This database also holds other programs, whose records a backup would include, so it is made by the "
            "server's operator: `python -m analytics.backup export` while the app is stopped."
        )
    return None


def backup_zip_for(store: Store, viewer: Viewer | None, now: datetime) -> bytes:
    """The in-app backup: the whole database, for a director of its only program."""
    refusal = backup_refusal(store, viewer)
    if refusal:
        raise AccessDenied(refusal)
    return backup_zip(store, now)


def backup_zip(store: Store, now: datetime) -> bytes:
    """The whole database as one zip (the export folder's files at its top level); for the operator."""
    with tempfile.TemporaryDirectory(prefix="mentorship-backup-") as scratch:
        folder = Path(scratch) / "backup"
        export_directory(store, folder, now)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(folder.iterdir()):
                archive.write(path, arcname=path.name)
        return buffer.getvalue()


def backup_file_name(now: datetime) -> str:
    return f"mentorship-backup-{now:%Y-%m-%d-%H%M}.zip"


def restore(source: str | Path, db_path: str | Path) -> dict:
    """Restore a backup (folder or zip) into a NEW database file; refuses to overwrite anything.

    A backup is data, never code: the schema comes from this app's own migrations at the backup's
    schema version, and only the tables that schema has are loaded, from their Parquet files, on a
    connection that can open no file (store.sealed_connection). schema.sql and load.sql, which DuckDB
    writes into every export, are ignored. Anything else gets one sentence (a BackupError) and leaves
    no file behind: the database is built in a scratch folder beside `db_path` and linked into place
    only once it is whole.

    Returns the manifest with the rows per table of the restored database.
    """
    source, db_path = Path(source), Path(db_path)
    _refuse_existing(db_path)
    if not source.exists():
        raise BackupError(f"{source} does not exist.")
    made = [folder for folder in (db_path.parent, *db_path.parent.parents) if not folder.exists()]
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="mentorship-restore-") as scratch:
            folder = _unpack(source, Path(scratch))
            manifest = _read_manifest(folder, source)
            with tempfile.TemporaryDirectory(prefix=".restoring-", dir=db_path.parent) as building:
                draft = Path(building) / db_path.name
                _build(folder, manifest["schema_version"], draft, source)
                with Store(draft) as restored:  # the current migrations: an older backup is upgraded here
                    manifest |= {"restored_schema_version": restored.schema_version, "tables": table_counts(restored)}
                _place(draft, db_path)
    except BackupError:
        _remove_folders(made)
        raise
    except StoreError as error:  # a full disk, a read-only folder: the store's own sentence
        _remove_folders(made)
        raise BackupError(str(error)) from error
    except Exception as error:
        _remove_folders(made)
        raise BackupError(f"{source} could not be restored ({_first_line(error)}); nothing was written.") from error
    except BaseException:
        _remove_folders(made)
        raise
    return manifest


def _refuse_existing(db_path: Path) -> None:
    for existing in (db_path, Path(f"{db_path}.wal")):
        if existing.exists() or existing.is_symlink():
            raise BackupError(f"{existing} already exists; restore into a new file name (nothing was changed).")


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0].rstrip(".") if text else type(error).__name__


def _remove_folders(made: list[Path]) -> None:
    """Take away the folders a failed restore made for its file, deepest first (only if still empty)."""
    for folder in made:
        with contextlib.suppress(OSError):
            folder.rmdir()


def _not_ours(source: Path, name: str) -> BackupError:
    return BackupError(f"{source} holds an unexpected file ({name!r}); it is not a backup of this app.")


def _expected_name(source: Path, name: str) -> None:
    """Only flat names a backup holds: the manifest, DuckDB's two SQL files, a Parquet file per table."""
    if name not in (MANIFEST, *_IGNORED) and not _TABLE_FILE.fullmatch(name):
        raise _not_ours(source, name)


def _unpack(source: Path, into: Path) -> Path:
    """The folder that holds the backup's files: `source` itself, or its zip unpacked into `into`.

    Every name is checked before a byte is written: no folders, no paths (zip-slip), no symbolic links,
    nothing a backup does not hold, nothing twice, and no more than _MAX_UNPACKED bytes in all.
    """
    if source.is_dir():
        total = 0
        for path in sorted(source.iterdir()):
            _expected_name(source, path.name)
            if path.is_symlink():
                raise BackupError(f"{source} holds a symbolic link ({path.name!r}); it is not a backup of this app.")
            if not path.is_file():
                raise _not_ours(source, path.name)
            total += path.stat().st_size
        if total > _MAX_UNPACKED:
            raise _too_large(source)
        return source
    if not source.is_file() or not zipfile.is_zipfile(source):
        raise BackupError(f"{source} is neither a backup folder nor a backup zip.")
    with zipfile.ZipFile(source) as archive:
        members = archive.infolist()
        names = [member.filename for member in members]
        for member in members:
            _expected_name(source, member.filename)
            if stat.S_ISLNK(member.external_attr >> 16):
                raise BackupError(f"{source} holds a symbolic link ({member.filename!r}); it is not a backup of this app.")
            if names.count(member.filename) > 1:
                raise BackupError(f"{source} holds {member.filename!r} twice; it is not a backup of this app.")
        if sum(member.file_size for member in members) > _MAX_UNPACKED:
            raise _too_large(source)
        written = 0
        for member in members:
            with archive.open(member) as packed, (into / member.filename).open("xb") as unpacked:
                while chunk := packed.read(1024 * 1024):
                    written += len(chunk)
                    if written > _MAX_UNPACKED:  # the sizes the zip declares are not trusted either
                        raise _too_large(source)
                    unpacked.write(chunk)
    return into


def _too_large(source: Path) -> BackupError:
    return BackupError(
        f"{source} unpacks to more than {_MAX_UNPACKED // 1024**2:,} MB, far more than a backup of this app; "
        "nothing was restored."
    )


def _read_manifest(folder: Path, source: Path) -> dict:
    """The manifest, checked: this app's format, a schema version it knows, when the backup was written."""
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(f"{source} is not a backup of this app: {MANIFEST} missing.")
    try:
        if path.stat().st_size > _MAX_MANIFEST:
            raise ValueError("too large")
        manifest = json.loads(path.read_bytes().decode("utf-8"))
    except ValueError as error:  # JSON and UTF-8 errors are ValueErrors
        raise BackupError(f"{source} is not a backup of this app: its {MANIFEST} cannot be read.") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise BackupError(f"{source} is a backup in an unknown format ({found!r}).")
    version, written_at = manifest.get("schema_version"), manifest.get("written_at")
    known = len(migrations())
    if type(version) is not int or version < 1:
        raise BackupError(f"{source} is not a backup of this app: its manifest names no schema version ({version!r}).")
    if version > known:
        raise BackupError(
            f"{source} was written by a newer version of this app (schema {version}; this app knows up to {known}): "
            "upgrade the app, then restore it."
        )
    try:
        datetime.fromisoformat(str(written_at))  # None or a number is not a time either
    except (TypeError, ValueError) as error:
        raise BackupError(f"{source} is not a backup of this app: its time of writing ({written_at!r}) is not a time.") from error
    return {"format": FORMAT, "schema_version": version, "written_at": written_at}


def _build(folder: Path, version: int, draft: Path, source: Path) -> None:
    """Make `draft`: the app's migrations up to `version`, then the backup's rows, table by table.

    One transaction on a sealed connection: no SQL this runs can open a file, and the rows reach
    DuckDB as Arrow tables read here by pyarrow.
    """
    con = sealed_connection(draft)
    try:
        con.execute("BEGIN TRANSACTION")
        for _, path in migrations()[:version]:
            con.execute(path.read_text(encoding="utf-8"))
        expected = {
            name: con.execute('SELECT * FROM "' + name + '" LIMIT 0').fetch_arrow_table().schema
            for (name,) in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
                "AND schema_name = 'main' AND NOT temporary ORDER BY table_name"
            ).fetchall()
        }
        present = {path.name.removesuffix(".parquet") for path in folder.glob("*.parquet")}
        if unknown := sorted(present - set(expected)):
            raise BackupError(
                f"{source} holds a table this app's schema {version} does not have ({unknown[0]!r}); "
                "it is not a backup of this app."
            )
        if missing := sorted(set(expected) - present):
            raise BackupError(f"{source} is not a whole backup: the table {missing[0]!r} is missing.")
        for table, columns in expected.items():
            _load_table(con, folder / f"{table}.parquet", table, columns, source)
        versions = [row[0] for row in con.execute("SELECT version FROM schema_version ORDER BY version").fetchall()]
        if versions != list(range(1, version + 1)):
            raise BackupError(f"{source} is not a backup of this app: its schema history does not match its manifest.")
        _advance_sequences(con, source)
        con.execute("COMMIT")
        con.execute("CHECKPOINT")  # the new file holds everything; no log of schema changes to replay
    finally:
        con.close()


def _kind(column_type: pa.DataType) -> str:
    """An Arrow type as this check compares it: the string types are one kind, the rest as written."""
    if pa.types.is_string(column_type) or pa.types.is_large_string(column_type) or pa.types.is_string_view(column_type):
        return "string"
    return str(column_type)


def _load_table(con, path: Path, table: str, expected: pa.Schema, source: Path) -> None:
    """Insert one Parquet file's rows into `table`: exactly the table's columns, each of its type."""
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as error:
        raise BackupError(f"{source} is damaged: {path.name} is not a readable Parquet file.") from error
    with parquet:
        found = parquet.schema_arrow
        if unknown := [name for name in found.names if name not in expected.names]:
            raise BackupError(f"{source} does not fit this app: its table {table} has a column {unknown[0]!r} it must not have.")
        if missing := [name for name in expected.names if name not in found.names]:
            raise BackupError(f"{source} does not fit this app: its table {table} lacks the column {missing[0]!r}.")
        if len(set(found.names)) != len(found.names):
            raise BackupError(f"{source} does not fit this app: its table {table} has a column twice.")
        for column in expected:
            held = found.field(column.name).type
            if _kind(held) != _kind(column.type):
                raise BackupError(
                    f"{source} does not fit this app: the column {table}.{column.name} holds {held}, not {column.type}."
                )
        metadata = parquet.metadata
        if sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups)) > _MAX_UNPACKED:
            raise _too_large(source)
        columns = ", ".join('"' + name.replace('"', '""') + '"' for name in expected.names)
        insert = 'INSERT INTO "' + table + '" (' + columns + ") SELECT " + columns + " FROM backup_rows"
        try:
            for batch in parquet.iter_batches(batch_size=_BATCH_ROWS, columns=expected.names):
                con.register("backup_rows", pa.Table.from_batches([batch]))
                try:
                    con.execute(insert)
                finally:
                    con.unregister("backup_rows")
        except pa.ArrowException as error:
            raise BackupError(f"{source} is damaged: {path.name} cannot be read to its end.") from error
        except duckdb.ConstraintException as error:
            rule = _first_line(error).removeprefix("Constraint Error: ")
            raise BackupError(
                f"{source} does not fit this app: a row of its table {table} breaks a rule of the schema ({rule})."
            ) from error


def _advance_sequences(cur, source: Path) -> None:
    """Each sequence behind a column default ends past the column's highest value, so new rows never clash.

    The sequences come from the migrations, starting at 1; ids past _MAX_ID are refused rather than
    counted up to (a sequence moves one step at a time, and a forged id could be 2**63).
    """
    defaults = cur.execute(
        """
        SELECT table_name, column_name, regexp_extract(column_default, 'nextval\\(''([A-Za-z0-9_]+)''\\)', 1) AS sequence
        FROM duckdb_columns() WHERE database_name = current_database() AND column_default LIKE 'nextval(%'
        """
    ).fetchall()
    for table, column, sequence in defaults:
        if not sequence:
            continue
        highest = cur.execute(
            'SELECT coalesce(max("' + column.replace('"', '""') + '"), 0) FROM "' + table.replace('"', '""') + '"'
        ).fetchone()[0]
        if highest > _MAX_ID:
            raise BackupError(
                f"{source} does not fit this app: its table {table} holds the id {highest}, far beyond what this app hands out."
            )
        last = cur.execute(
            "SELECT coalesce(last_value, start_value - 1) FROM duckdb_sequences() WHERE sequence_name = $sequence",
            {"sequence": sequence},
        ).fetchone()[0]
        if highest > last:
            cur.execute("SELECT max(nextval($sequence)) FROM range($steps)", {"sequence": sequence, "steps": int(highest - last)})


def _place(draft: Path, db_path: Path) -> None:
    """Put the finished file at `db_path` in one step, never over an existing file."""
    if Path(f"{draft}.wal").exists():
        raise BackupError(f"The restored database could not be finished cleanly; nothing was written to {db_path}.")
    _refuse_existing(db_path)
    try:
        os.link(draft, db_path)  # fails if db_path appeared meanwhile: nothing is overwritten
    except FileExistsError as error:
        raise BackupError(f"{db_path} already exists; restore into a new file name (nothing was changed).") from error
    except OSError:  # a file system without hard links
        _refuse_existing(db_path)
        os.rename(draft, db_path)


def export_file(db_path: str | Path, out: str | Path, now: datetime) -> Path:
    """While the app is stopped: back up the database file into a folder, or a zip if `out` ends in .zip."""
    if postgres.is_url(str(db_path)):
        shown = postgres.Target.parse(str(db_path)).shown
        raise BackupError(f"{shown} is a PostgreSQL database: back it up with pg_dump (this command is for the DuckDB file).")
    db_path, out = Path(db_path), Path(out)
    if not db_path.is_file():
        raise BackupError(f"{db_path} does not exist.")
    if out.suffix.lower() == ".zip" and out.exists():
        raise BackupError(f"{out} already exists; choose a new file name.")
    with Store(db_path) as store:
        if out.suffix.lower() == ".zip":
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(backup_zip(store, now))
        else:
            export_directory(store, out, now)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analytics.backup", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="back up a database file while the app is stopped")
    export.add_argument("--db", required=True, help="the database file")
    export.add_argument("--out", required=True, help="a new folder, or a file name ending in .zip")
    back = commands.add_parser("restore", help="restore a backup into a new database file")
    back.add_argument("--from", dest="source", required=True, help="a backup folder or zip")
    back.add_argument("--db", required=True, help="the new database file (must not exist)")
    args = parser.parse_args(argv)
    try:
        if args.command == "export":
            print(f"Backup written to {export_file(args.db, args.out, datetime.now())}")
        else:
            manifest = restore(args.source, args.db)
            rows = sum(manifest["tables"].values())
            print(
                f"Restored {rows} rows in {len(manifest['tables'])} tables into {args.db} (backup of {manifest['written_at']})."
            )
    except StoreError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
