"""Backups: the whole database as Parquet files (DuckDB's EXPORT DATABASE) in one zip, and a restore
into a new file.

DuckDB locks a database file to one process, so a backup of a running app is made through the app's
own connection (a director's action); while the app is stopped, the command line does the same:

    python -m analytics.backup export --db data/mentorship.duckdb --out backups/2026-11-26.zip
    python -m analytics.backup restore --from backups/2026-11-26.zip --db data/restored.duckdb

The export runs in one transaction, so it is one snapshot: a write that commits meanwhile is either
wholly in the backup or not at all. A restore never overwrites a file; the restored database opens
with the current migrations (an older backup is upgraded like any older database).
"""

import argparse
import io
import json
import sys
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path

from analytics.errors import AccessDenied, StoreError
from analytics.people import Viewer
from analytics.store import Store

MANIFEST = "backup.json"
FORMAT = "mentorship-backup/1"
_REQUIRED = ("schema.sql", "load.sql")
_MAX_MEMBER = 2 * 1024**3  # refuse a zip member that claims more than 2 GB uncompressed


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
            schema_version = cur.execute("SELECT max(version) FROM schema_version").fetchone()[0]
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
    others = store.query_one("SELECT count(*) FROM programs WHERE program_id <> ?", [viewer.program_id])[0]
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


def _unpack(source: Path, into: Path) -> Path:
    """The folder that holds the export: `source` itself, or its zip unpacked (flat names only)."""
    if source.is_dir():
        return source
    if not zipfile.is_zipfile(source):
        raise BackupError(f"{source} is neither a backup folder nor a backup zip.")
    with zipfile.ZipFile(source) as archive:
        for member in archive.infolist():
            name = member.filename
            if "/" in name or "\\" in name or name.startswith(".") or member.file_size > _MAX_MEMBER:
                raise BackupError(f"{source} holds an unexpected file ({name!r}); it is not a backup of this app.")
            (into / name).write_bytes(archive.read(member))
    return into


def _check(folder: Path) -> dict:
    missing = [name for name in (*_REQUIRED, MANIFEST) if not (folder / name).is_file()]
    if missing:
        raise BackupError(f"{folder} is not a backup of this app: {', '.join(missing)} missing.")
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{folder} is a backup in an unknown format ({manifest.get('format')!r}).")
    return manifest


def restore(source: str | Path, db_path: str | Path) -> dict:
    """Restore a backup (folder or zip) into a NEW database file; refuses to overwrite anything.

    Returns the manifest with the rows per table of the restored database.
    """
    source, db_path = Path(source), Path(db_path)
    for existing in (db_path, Path(f"{db_path}.wal")):
        if existing.exists():
            raise BackupError(f"{existing} already exists; restore into a new file name (nothing was changed).")
    if not source.exists():
        raise BackupError(f"{source} does not exist.")
    with tempfile.TemporaryDirectory(prefix="mentorship-restore-") as scratch:
        folder = _unpack(source, Path(scratch))
        manifest = _check(folder)
        try:
            # No migrations: the backup's schema.sql makes every table, view and sequence as they were.
            empty = Path(scratch) / "no-migrations"
            empty.mkdir()
            with Store(db_path, migrations_dir=empty) as raw, raw.cursor() as cur:
                cur.execute("IMPORT DATABASE " + _literal(folder))
                _advance_sequences(cur)
                cur.execute("CHECKPOINT")  # the new file holds everything; no log of schema changes to replay
        except BaseException:
            for leftover in (db_path, Path(f"{db_path}.wal")):
                leftover.unlink(missing_ok=True)
            raise
    with Store(db_path) as restored:  # the current migrations: an older backup is upgraded here
        manifest = manifest | {"restored_schema_version": restored.schema_version, "tables": table_counts(restored)}
    return manifest


def _advance_sequences(cur) -> None:
    """Each sequence behind a column default ends past the column's highest value, so new rows never clash.

    EXPORT DATABASE writes each sequence with its next value as START; this holds even if it did not.
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
        last = cur.execute(
            "SELECT coalesce(last_value, start_value - 1) FROM duckdb_sequences() WHERE sequence_name = ?", [sequence]
        ).fetchone()[0]
        if highest > last:
            cur.execute("SELECT max(nextval(?)) FROM range(?)", [sequence, int(highest - last)])


def export_file(db_path: str | Path, out: str | Path, now: datetime) -> Path:
    """While the app is stopped: back up the database file into a folder, or a zip if `out` ends in .zip."""
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
