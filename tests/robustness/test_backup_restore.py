"""Backup and restore: a backup holds every row of every table, taken as one snapshot even while people
submit; a restore makes a new file that the current app opens and writes to; nothing is overwritten."""

import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import uuid
import zipfile
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analytics import backup
from analytics.assessments import submit_assessment
from analytics.instruments import load_catalogue
from analytics.people import load_viewer
from analytics.registry import register_catalogue
from analytics.store import Store, migrations
from tests.conftest import NOW, TODAY
from tests.pages import conftest as page_fixtures
from tests.pages.conftest import signed_in
from tests.robustness import test_upgrades as upgrades
from tests.robustness.downloads import download_bytes, kept_downloads

ROOT = Path(__file__).resolve().parents[2]
demo_db, app_store = page_fixtures.demo_db, page_fixtures.app_store  # the AppTest fixtures, shared
old_database = upgrades.old_database  # the first release's database, built from tests/fixtures/schema_v1


def tables(store: Store) -> list[str]:
    return sorted(backup.table_counts(store))


def rows(store: Store, table: str) -> list[tuple]:
    """Every row of a table, in a fixed order, so two tables compare as row multisets."""
    found = store.query_all('SELECT * FROM "' + table + '"')
    return sorted(found, key=repr)


def assert_same_database(original: Store, restored: Store) -> None:
    assert tables(restored) == tables(original)
    for table in tables(original):
        assert rows(restored, table) == rows(original, table), table
    views = "SELECT view_name, sql FROM duckdb_views() WHERE NOT internal ORDER BY view_name"
    assert restored.query_all(views) == original.query_all(views)


def fellow_submits(store: Store, key: str | None = None):
    catalogue = register_catalogue(store, load_catalogue(), NOW)
    fellow = load_viewer(store, store.query_one("SELECT person_id FROM people WHERE email = 'fellow@demo.org'")[0])
    items = [item.id for item in catalogue.get("mentee-self").items]
    return submit_assessment(
        store,
        catalogue,
        fellow,
        "mentee-self",
        {item: index % 5 + 1 for index, item in enumerate(items)},
        today=TODAY,
        now=datetime.now(),
        submission_key=key or uuid.uuid4().hex,
    )


def test_a_demo_database_round_trips_every_table_and_takes_new_rows(demo_store, tmp_path):
    archive = tmp_path / "backup.zip"
    archive.write_bytes(backup.backup_zip(demo_store, NOW))
    assert demo_store.query_one("SELECT count(*) FROM assessments")[0] > 1000  # a real program, not an empty file

    target = tmp_path / "restored" / "restored.duckdb"
    manifest = backup.restore(archive, target)

    assert [path.name for path in target.parent.iterdir()] == ["restored.duckdb"]  # no scratch folder, no .wal
    assert manifest["schema_version"] == len(migrations()) == manifest["restored_schema_version"]
    assert manifest["tables"] == backup.table_counts(demo_store)
    with Store(target) as restored:
        assert restored.schema_version == len(migrations())
        assert_same_database(demo_store, restored)
        before = restored.query_one("SELECT max(assessment_id) FROM assessments")[0]
        submission = fellow_submits(restored)
        assert submission.assessment_id > before  # the sequence continues after the highest id
        stored = restored.query_one("SELECT count(*) FROM responses WHERE assessment_id = ?", [submission.assessment_id])[0]
        assert stored == 9
        # Every other sequence continues past its table's highest id as well.
        for table, column, sequence in restored.query_all(
            "SELECT table_name, column_name, regexp_extract(column_default, 'nextval\\(''(\\w+)''\\)', 1) "
            "FROM duckdb_columns() WHERE column_default LIKE 'nextval(%'"
        ):
            highest = restored.query_one(f'SELECT coalesce(max("{column}"), 0) FROM "{table}"')[0]
            assert restored.query_one("SELECT nextval(?)", [sequence])[0] > highest, table


def test_a_backup_is_one_snapshot_while_people_submit(demo_store, tmp_path):
    """Submissions run in a second thread during the export: each is in the backup whole, or not at all."""
    stop = threading.Event()
    acknowledged: list[int] = []
    errors: list[BaseException] = []

    def submit_until_stopped():
        while not stop.is_set():
            try:
                acknowledged.append(fellow_submits(demo_store).assessment_id)
            except BaseException as error:  # noqa: BLE001 (the test reports it)
                errors.append(error)
                return

    before = demo_store.query_one("SELECT max(assessment_id) FROM assessments")[0]
    writer = threading.Thread(target=submit_until_stopped)
    writer.start()
    try:
        while len(acknowledged) < 3:  # the writer is under way
            writer.join(0.01)
        archive = backup.backup_zip(demo_store, NOW)
        acknowledged_before_end = len(acknowledged)
    finally:
        stop.set()
        writer.join()
    assert not errors
    path = tmp_path / "backup.zip"
    path.write_bytes(archive)
    backup.restore(path, tmp_path / "restored.duckdb")
    with Store(tmp_path / "restored.duckdb") as restored:
        new = restored.query_all(
            "SELECT a.assessment_id, count(r.item_id) FROM assessments a LEFT JOIN responses r USING (assessment_id) "
            "WHERE a.assessment_id > ? GROUP BY ALL ORDER BY 1",
            [before],
        )
        orphans = restored.query_one(
            "SELECT count(*) FROM responses WHERE assessment_id NOT IN (SELECT assessment_id FROM assessments)"
        )[0]
    assert new, "no submission made it before the snapshot; the test proves nothing"
    assert all(count == 9 for _, count in new), new  # never an assessment without all its ratings
    assert orphans == 0  # never ratings without their assessment
    ids = [assessment_id for assessment_id, _ in new]
    assert ids == acknowledged[: len(ids)]  # a prefix of what was acknowledged: a snapshot, not a smear
    assert len(ids) <= acknowledged_before_end


def test_restore_never_overwrites_and_refuses_what_is_not_a_backup(demo_store, tmp_path):
    archive = tmp_path / "backup.zip"
    archive.write_bytes(backup.backup_zip(demo_store, NOW))
    existing = tmp_path / "existing.duckdb"
    existing.write_bytes(b"precious")
    with pytest.raises(backup.BackupError, match="already exists"):
        backup.restore(archive, existing)
    assert existing.read_bytes() == b"precious"

    not_a_backup = tmp_path / "photos.zip"
    with zipfile.ZipFile(not_a_backup, "w") as bad:
        bad.writestr("holiday.jpg", b"...")
    with pytest.raises(backup.BackupError, match="not a backup"):
        backup.restore(not_a_backup, tmp_path / "a.duckdb")
    sneaky = tmp_path / "sneaky.zip"
    with zipfile.ZipFile(sneaky, "w") as bad:
        bad.writestr("../outside.sql", b"DROP TABLE people")
    with pytest.raises(backup.BackupError, match="unexpected file"):
        backup.restore(sneaky, tmp_path / "b.duckdb")
    assert not (tmp_path / "a.duckdb").exists() and not (tmp_path / "b.duckdb").exists()
    assert not (tmp_path / "outside.sql").exists()


def run_command(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "analytics.backup", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_the_commands_back_up_a_stopped_app_and_restore_it(demo_template, tmp_path):
    stopped = tmp_path / "stopped.duckdb"
    shutil.copy(demo_template, stopped)
    exported = run_command("export", "--db", str(stopped), "--out", str(tmp_path / "nightly.zip"))
    assert exported.returncode == 0, exported.stderr
    restored = run_command("restore", "--from", str(tmp_path / "nightly.zip"), "--db", str(tmp_path / "new.duckdb"))
    assert restored.returncode == 0, restored.stderr
    assert "Restored" in restored.stdout
    again = run_command("restore", "--from", str(tmp_path / "nightly.zip"), "--db", str(tmp_path / "new.duckdb"))
    assert again.returncode == 1 and "already exists" in again.stderr
    # A folder works as well as a zip.
    assert run_command("export", "--db", str(stopped), "--out", str(tmp_path / "folder")).returncode == 0
    backup.restore(tmp_path / "folder", tmp_path / "from-folder.duckdb")
    with Store(stopped) as original, Store(tmp_path / "new.duckdb") as one, Store(tmp_path / "from-folder.duckdb") as two:
        assert_same_database(original, one)
        assert_same_database(original, two)


def test_the_command_on_a_running_apps_file_says_what_to_do(demo_store, tmp_path):
    """This process holds the file open, as a running app does: the command names the way out."""
    result = run_command("export", "--db", demo_store.path, "--out", str(tmp_path / "x.zip"))
    assert result.returncode == 1
    assert "already open in another process" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "x.zip").exists()


def test_a_director_downloads_a_backup_in_the_app_that_restores_whole(demo_db, app_store, tmp_path, monkeypatch):
    with kept_downloads(monkeypatch):
        at = signed_in("director@demo.org")
        at.switch_page("app_pages/backup.py").run()
        assert not at.exception
        assert not at.get("download_button")  # nothing is written until asked for
        next(button for button in at.button if button.label == "Make a backup now").click()
        at.run()
        assert not at.exception
        button = next(b for b in at.get("download_button") if b.proto.label == "Download the backup")
        data = download_bytes(button)
    assert zipfile.is_zipfile(io.BytesIO(data))
    archive = tmp_path / "from-the-app.zip"
    archive.write_bytes(data)
    backup.restore(archive, tmp_path / "restored.duckdb")
    with Store(tmp_path / "restored.duckdb") as restored:
        assert_same_database(app_store, restored)
        fellow_submits(restored)


def test_a_director_of_one_program_among_several_gets_no_backup_in_the_app(demo_db, app_store):
    """A backup holds every program's records; a director sees only their own, so the operator backs it up."""
    app_store.write(
        lambda cur: cur.execute(
            "INSERT INTO programs (name, period_months, min_group_size, created_at) VALUES ('Other Fellowship', 3, 5, ?)",
            [NOW],
        )
    )
    director = load_viewer(app_store, app_store.query_one("SELECT person_id FROM people WHERE email = 'director@demo.org'")[0])
    assert "other programs" in backup.backup_refusal(app_store, director)
    with pytest.raises(backup.AccessDenied, match="other programs"):
        backup.backup_zip_for(app_store, director, NOW)
    at = signed_in("director@demo.org")
    at.switch_page("app_pages/backup.py").run()
    assert not at.exception
    assert "python -m analytics.backup export" in at.info[0].value
    assert "Make a backup now" not in [button.label for button in at.button]


def test_only_directors_may_take_a_backup_in_the_app(demo_store):
    fellow = load_viewer(demo_store, demo_store.query_one("SELECT person_id FROM people WHERE email = 'fellow@demo.org'")[0])
    with pytest.raises(backup.AccessDenied):
        backup.backup_zip_for(demo_store, fellow, NOW)
    with pytest.raises(backup.AccessDenied):
        backup.backup_zip_for(demo_store, None, NOW)


# A backup is data, never code: restore builds the schema from the app's own migrations and loads only the
# expected tables from the Parquet files; nothing in the backup is run, and a backup that is not one of this
# app's gets one sentence and leaves no file behind.


def small_backup(store: Store, folder: Path) -> Path:
    """A backup folder of a small database: a program, people, an assessment with its responses."""
    fellow_store_rows(store)
    backup.export_directory(store, folder, NOW)
    return folder


def fellow_store_rows(store: Store) -> None:
    def work(cur):
        cur.execute("INSERT INTO programs (name, created_at) VALUES ('Heme Fellowship', ?)", [NOW])
        for name in ("Ada", "Ben", "Cy"):
            cur.execute(
                "INSERT INTO people (program_id, full_name, email, created_at) VALUES (1, ?, ?, ?)",
                [name, name.lower() + "@example.org", NOW],
            )
        cur.execute(
            "INSERT INTO assessments (instrument_id, instrument_version, respondent_id, subject_id, period_start, "
            "submitted_at, submission_key) VALUES ('mentee-self', 1, 1, 1, ?, ?, 'k1')",
            [TODAY, NOW],
        )
        cur.execute("INSERT INTO responses VALUES (1, 'item-a', 4), (1, 'item-b', 5)")

    store.write(work)


def zip_folder(folder: Path, archive: Path) -> Path:
    with zipfile.ZipFile(archive, "w") as out:
        for path in sorted(folder.iterdir()):
            out.write(path, arcname=path.name)
    return archive


def files_under(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its content (symlinks by their target), to prove nothing was written."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            found[str(path.relative_to(folder))] = b"-> " + str(path.readlink()).encode()
        elif path.is_file():
            found[str(path.relative_to(folder))] = path.read_bytes()
    return found


def test_a_tampered_backup_runs_none_of_its_sql(store, tmp_path):
    """SQL in schema.sql or load.sql is never run: no file is written or overwritten, no foreign data gets in."""
    work = tmp_path / "work"
    work.mkdir()
    victim = work / "victim.txt"
    victim.write_text("precious\n")
    secret = work / "secret.csv"
    secret.write_text("canary\nsecret-canary-7\n")
    other = work / "other.duckdb"
    with Store(other) as foreign:
        foreign.write(lambda cur: cur.execute("INSERT INTO programs (name, created_at) VALUES ('attached-canary', ?)", [NOW]))
    folder = small_backup(store, tmp_path / "genuine")
    planted = work / "planted.txt"
    with (folder / "schema.sql").open("a", encoding="utf-8") as schema:
        schema.write(
            f"\nCOPY (SELECT 'overwritten') TO '{victim}' (FORMAT csv, HEADER false);\n"
            f"COPY (SELECT 'planted') TO '{planted}' (FORMAT csv);\n"
            f"CREATE TABLE stolen AS SELECT * FROM read_csv('{secret}');\n"
            f"ATTACH '{other}' AS foreign_db (READ_ONLY);\n"
            "CREATE TABLE copied AS SELECT * FROM foreign_db.programs;\n"
        )
    archive = zip_folder(folder, tmp_path / "tampered.zip")
    before = files_under(work)
    target = work / "restored.duckdb"

    backup.restore(archive, target)  # the SQL files are ignored: the backup's data restores as it is

    after = files_under(work)
    assert victim.read_text() == "precious\n", "the backup's SQL overwrote a file"
    assert not planted.exists(), "the backup's SQL wrote a file"
    assert {name for name in after if name != "restored.duckdb"} == set(before)
    assert all(after[name] == content for name, content in before.items() if name != "other.duckdb")
    with Store(target) as restored:
        assert tables(restored) == tables(store)  # no stolen or copied table
        assert_same_database(store, restored)  # and no foreign row in any table


def rewrite_table(folder: Path, table: str, change) -> None:
    """Replace a table's Parquet file with `change(arrow table)`, written by pyarrow."""
    path = folder / f"{table}.parquet"
    pq.write_table(change(pq.read_table(path)), path)


def with_member(name: str, data: bytes, external_attr: int | None = None):
    def add(folder: Path, archive: zipfile.ZipFile) -> None:
        member = zipfile.ZipInfo(name)
        if external_attr is not None:
            member.external_attr = external_attr
        archive.writestr(member, data)

    return add


def make_zip(folder: Path, archive: Path, *, leave_out: tuple[str, ...] = (), add=None) -> Path:
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for path in sorted(folder.iterdir()):
            if path.name not in leave_out:
                out.write(path, arcname=path.name)
        if add:
            add(folder, out)
    return archive


def set_manifest(folder: Path, **changes) -> None:
    manifest = json.loads((folder / backup.MANIFEST).read_text())
    (folder / backup.MANIFEST).write_text(json.dumps(manifest | changes))


def symlink_in_folder(folder: Path, inputs: Path) -> Path:
    (folder / "people.parquet").unlink()
    (folder / "people.parquet").symlink_to(inputs / "elsewhere.parquet")
    return folder


def newer_backup(folder: Path) -> Path:
    """A backup as the next version of the app would write it: one more schema version, one more table."""
    newer = len(migrations()) + 1
    rewrite_table(
        folder,
        "schema_version",
        lambda t: pa.concat_tables([t, pa.table({"version": pa.array([newer], pa.int32()), "applied_at": [NOW]}).cast(t.schema)]),
    )
    pq.write_table(pa.table({"id": pa.array([1], pa.int32())}), folder / "future_things.parquet")
    set_manifest(folder, schema_version=newer)
    return folder


# (name, how the backup is spoiled, a phrase of the one sentence). Each spoiler gets the genuine backup
# folder and the folder for inputs, and returns what is given to restore.
MALFORMED = [
    ("an extra file", lambda f, i: make_zip(f, i / "b.zip", add=with_member("notes.txt", b"hello")), "unexpected file"),
    ("a subfolder", lambda f, i: make_zip(f, i / "b.zip", add=with_member("more/people.parquet", b"x")), "unexpected file"),
    ("a path with ..", lambda f, i: make_zip(f, i / "b.zip", add=with_member("../escaped.parquet", b"x")), "unexpected file"),
    ("an absolute path", lambda f, i: make_zip(f, i / "b.zip", add=with_member(str(i / "abs.parquet"), b"x")), "unexpected file"),
    (
        "a symlink in the zip",
        lambda f, i: make_zip(
            f, i / "b.zip", leave_out=("people.parquet",), add=with_member("people.parquet", b"/etc/passwd", 0o120777 << 16)
        ),
        "symbolic link",
    ),
    ("a symlink in the folder", symlink_in_folder, "symbolic link"),
    ("the same name twice", lambda f, i: make_zip(f, i / "b.zip", add=with_member("people.parquet", b"x")), "twice"),
    (
        "an unknown table",
        lambda f, i: (pq.write_table(pa.table({"x": [1]}), f / "stolen.parquet"), make_zip(f, i / "b.zip"))[1],
        "does not have ('stolen')",
    ),
    ("a missing table", lambda f, i: make_zip(f, i / "b.zip", leave_out=("people.parquet",)), "'people' is missing"),
    (
        "an extra column",
        lambda f, i: (rewrite_table(f, "people", lambda t: t.append_column("ssn", pa.array(["1"] * t.num_rows))), f)[1],
        "column 'ssn'",
    ),
    (
        "a missing column",
        lambda f, i: (rewrite_table(f, "people", lambda t: t.drop_columns(["email"])), f)[1],
        "lacks the column 'email'",
    ),
    (
        "a column of the wrong type",
        lambda f, i: (rewrite_table(f, "people", lambda t: t.set_column(3, "email", pa.array(range(t.num_rows)))), f)[1],
        "people.email holds int64",
    ),
    (
        "a row that breaks a rule",
        lambda f, i: (rewrite_table(f, "people", lambda t: pa.concat_tables([t, t])), f)[1],
        "breaks a rule",
    ),
    (
        "a forged huge id",
        lambda f, i: (
            rewrite_table(f, "people", lambda t: t.set_column(0, "person_id", pa.array([1, 2, 2**31 - 1], pa.int32()))),
            f,
        )[1],
        "far beyond",
    ),
    (
        "a schema history that does not match",
        lambda f, i: (rewrite_table(f, "schema_version", lambda t: t.slice(1)), f)[1],
        "schema history",
    ),
    ("a newer schema version", lambda f, i: newer_backup(f), "newer version"),
    ("no schema version", lambda f, i: (set_manifest(f, schema_version="5"), f)[1], "names no schema version ('5')"),
    ("an unknown format", lambda f, i: (set_manifest(f, format="other-app/9"), f)[1], "unknown format"),
    ("a manifest that is not JSON", lambda f, i: ((f / "backup.json").write_bytes(b"\xff{not json"), f)[1], "cannot be read"),
    ("no manifest", lambda f, i: make_zip(f, i / "b.zip", leave_out=("backup.json",)), "backup.json missing"),
    ("garbage in a Parquet file", lambda f, i: ((f / "people.parquet").write_bytes(os.urandom(3000)), f)[1], "Parquet"),
    ("garbage bytes", lambda f, i: ((i / "b.zip").write_bytes(random.Random(5).randbytes(5000)), i / "b.zip")[1], "neither"),
    ("an empty file", lambda f, i: ((i / "b.zip").write_bytes(b""), i / "b.zip")[1], "neither"),
    ("an empty zip", lambda f, i: (zipfile.ZipFile(i / "b.zip", "w").close(), i / "b.zip")[1], "backup.json missing"),
    (
        "a folder of photos",
        lambda f, i: ((i / "photos").mkdir(), (i / "photos" / "holiday.jpg").write_bytes(b"..."), i / "photos")[2],
        "unexpected file",
    ),
    ("an empty folder", lambda f, i: ((i / "empty").mkdir(), i / "empty")[1], "backup.json missing"),
    (
        "a zip bomb",
        lambda f, i: make_zip(f, i / "b.zip", leave_out=("load.sql",), add=with_member("load.sql", bytes(3 * 1024 * 1024))),
        "unpacks to more than",
    ),
]


@pytest.mark.filterwarnings("ignore:Duplicate name")
@pytest.mark.parametrize(("spoiler", "phrase"), [case[1:] for case in MALFORMED], ids=[case[0] for case in MALFORMED])
def test_a_malformed_backup_gets_one_sentence_and_leaves_no_file(store, tmp_path, monkeypatch, capsys, spoiler, phrase):
    monkeypatch.setattr(backup, "_MAX_UNPACKED", 2 * 1024 * 1024)  # a small limit, so the zip bomb test stays small
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    pq.write_table(pa.table({"x": [1]}), inputs / "elsewhere.parquet")
    source = spoiler(small_backup(store, inputs / "genuine"), inputs)
    scratch = tmp_path / "system-temp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # the unpacked zip goes here, and must be gone afterwards
    target = tmp_path / "out" / "new" / "restored.duckdb"
    before = files_under(tmp_path)

    code = backup.main(["restore", "--from", str(source), "--db", str(target)])

    printed = capsys.readouterr()
    assert code == 1
    assert printed.out == ""
    sentence = printed.err.strip()
    assert "\n" not in sentence and "Traceback" not in sentence, printed.err
    assert phrase in sentence
    assert sentence.startswith(str(source)), sentence
    assert files_under(tmp_path) == before  # nothing written anywhere: no file, no .wal, no folder for the target
    assert not (tmp_path / "out").exists()
    assert not list(scratch.iterdir())
    with pytest.raises(backup.BackupError, match=re.escape(phrase)):  # the same sentence to a caller in Python
        backup.restore(source, target)


def test_the_restore_command_prints_one_sentence_for_a_damaged_backup(store, tmp_path):
    folder = small_backup(store, tmp_path / "genuine")
    (folder / "responses.parquet").write_bytes(b"PAR1 not really")
    result = run_command("restore", "--from", str(make_zip(folder, tmp_path / "b.zip")), "--db", str(tmp_path / "r.duckdb"))
    assert result.returncode == 1
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and "responses.parquet is not a readable Parquet file" in result.stderr
    assert sorted(path.name for path in tmp_path.iterdir() if not path.name.startswith("test.duckdb")) == ["b.zip", "genuine"]


def test_a_backup_of_the_first_release_restores_and_is_upgraded(old_database, tmp_path):
    """A backup as every release has written it (schema.sql and load.sql beside the Parquet files), of a
    database at schema 1: restored at schema 1 from the app's own first migration, then upgraded."""
    path, before = old_database
    with Store(path, migrations_dir=upgrades.FIXTURE) as old:
        archive = tmp_path / "first-release.zip"
        archive.write_bytes(backup.backup_zip(old, NOW))
    with zipfile.ZipFile(archive) as packed:
        assert {"schema.sql", "load.sql", "backup.json"} <= set(packed.namelist())
        assert json.loads(packed.read("backup.json"))["schema_version"] == 1

    manifest = backup.restore(archive, tmp_path / "restored.duckdb")

    assert (manifest["schema_version"], manifest["restored_schema_version"]) == (1, len(migrations()))
    with Store(tmp_path / "restored.duckdb", now=upgrades.UPGRADED) as restored:
        for table, old_rows in before.items():
            if table != "schema_version":
                assert upgrades.rows(restored, table) == old_rows, table
        versions = upgrades.rows(restored, "schema_version")
        assert versions[0] == before["schema_version"][0]  # the old history stays
        assert sorted(version for version, _ in versions) == list(range(1, len(migrations()) + 1))
        assert restored.query_one("SELECT nextval('assessment_ids')")[0] == 10  # after the old rows, as in the old file
        assert restored.query_one("SELECT nextval('person_ids')")[0] == 1 + max(row[0] for row in before["people"])


def test_a_backup_without_duckdbs_sql_files_restores_whole(store, tmp_path):
    """schema.sql and load.sql are never read, so a backup without them restores the same."""
    folder = small_backup(store, tmp_path / "genuine")
    (folder / "schema.sql").unlink()
    (folder / "load.sql").unlink()
    backup.restore(make_zip(folder, tmp_path / "b.zip"), tmp_path / "restored.duckdb")
    with Store(tmp_path / "restored.duckdb") as restored:
        assert_same_database(store, restored)
        assert restored.query_one("SELECT nextval('person_ids')")[0] == 4
