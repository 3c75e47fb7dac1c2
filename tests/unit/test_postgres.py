"""The store on PostgreSQL (analytics/postgres.py): the URL, the password kept out of every message and
log, migrations run in PostgreSQL, what the postgres extension cannot do made up for, and two stores
(two app servers) on one database. The rest of the store, access, write and dashboard tests run on both
backends through the both_backends marker (tests/conftest.py)."""

import logging
import threading
from datetime import datetime

import duckdb
import pytest

from analytics import postgres
from analytics.config import Settings
from analytics.errors import StoreError
from analytics.paths import MIGRATIONS_DIR
from analytics.store import Store, migrations
from tests.postgres_cluster import PASSWORD

NOW = datetime(2026, 11, 26, 10, 30)


# ---------------------------------------------------------------- without a server


def test_a_postgresql_url_is_kept_as_text_and_a_file_as_a_path():
    url = "postgresql://app:pw@db.example.org:5433/mentorship?sslmode=require"
    assert Settings.from_environment({"MENTORSHIP_DB": url}).db_path == url
    assert Settings.from_environment({"MENTORSHIP_DB": "postgres://app@db/m"}).db_path == "postgres://app@db/m"
    assert str(Settings.from_environment({"MENTORSHIP_DB": "data/x.duckdb"}).db_path) == "data/x.duckdb"


def test_the_password_is_in_neither_the_connection_string_nor_the_shown_url():
    target = postgres.Target.parse("postgresql://app:p%40ss%20w0rd@db.example.org:5433/mentorship?sslmode=require")
    assert target.password == "p@ss w0rd"
    assert "p@ss" not in target.dsn and "p%40ss" not in target.dsn
    assert target.dsn == "sslmode='require' host='db.example.org' port='5433' user='app' dbname='mentorship'"
    assert target.shown == "postgresql://app:***@db.example.org:5433/mentorship?sslmode=require"
    assert target.scrub("failed for p@ss w0rd and p%40ss%20w0rd") == "failed for *** and ***"
    in_query = postgres.Target.parse("postgresql:///m?host=/run/pg&password=hunter2")
    assert "hunter2" not in in_query.dsn + in_query.shown
    assert in_query.password == "hunter2"  # taken from the query when the URL has none before the @


def test_a_url_that_cannot_be_read_or_a_file_command_never_quotes_the_password(tmp_path):
    from analytics import backup, redcap_export

    unreadable = "postgresql://app:pa/ss#w0rd@db.example.org:5432/m"  # an unencoded '/' and '#'
    with pytest.raises(StoreError) as refused:
        postgres.Target.parse(unreadable)
    assert "w0rd" not in str(refused.value) and "'pa'" not in str(refused.value)  # urlsplit's own message quoted 'pa'
    assert refused.value.__cause__ is None and refused.value.__suppress_context__
    url = "postgresql://app:S3cretPw@db.example.org:5432/m"
    with pytest.raises(backup.BackupError) as refused_backup:
        backup.export_file(url, tmp_path / "out", datetime(2026, 11, 30))
    assert "S3cretPw" not in str(refused_backup.value) and "pg_dump" in str(refused_backup.value)
    with pytest.raises(StoreError) as refused_export:
        redcap_export.write_export(unreadable, tmp_path / "redcap", "k" * 20)
    assert "w0rd" not in str(refused_export.value)


def test_migrations_translate_to_postgresql_in_one_place():
    core = postgres.postgres_dialect((MIGRATIONS_DIR / "001_core.sql").read_text())
    assert "QUALIFY" not in core and "SELECT DISTINCT ON (respondent_id, subject_id, coalesce(pair_id, 0)" in core
    goals = postgres.postgres_dialect((MIGRATIONS_DIR / "004_goals_meetings_outputs.sql").read_text())
    assert "DOUBLE PRECISION NOT NULL CHECK (target_value > 0)" in goals
    assert postgres.postgres_dialect("x DOUBLE PRECISION") == "x DOUBLE PRECISION"
    reads = postgres.postgres_dialect((MIGRATIONS_DIR / "014_reads_postgresql_can_filter.sql").read_text())
    assert "\nCREATE INDEX responses_by_assessment ON responses (assessment_id);" in reads  # a comment to DuckDB
    assert "CREATE VIEW assessment_responses AS" in reads
    with pytest.raises(StoreError, match="QUALIFY"):
        postgres.postgres_dialect("CREATE VIEW v AS SELECT * FROM t QUALIFY row_number() OVER () = 1;")


# ---------------------------------------------------------------- on a throwaway cluster


@pytest.fixture
def url(postgres_cluster, request):
    return postgres_cluster.create_database(f"t_{abs(hash(request.node.name)) % 10**9}")


def test_migrations_run_in_postgresql_and_a_reopen_runs_none(url, postgres_cluster, caplog):
    with caplog.at_level(logging.INFO, logger="analytics.store"), Store(url, now=NOW) as store:
        assert store.backend == "postgres"
        assert store.schema_version == len(migrations())
    database = url.split("?")[0].rsplit("/", 1)[1]
    rows = postgres_cluster.psql(database, "SELECT version FROM schema_version ORDER BY version").split()
    assert [int(row) for row in rows] == list(range(1, len(migrations()) + 1))
    assert postgres_cluster.psql(database, "SELECT count(*) FROM pg_sequences").strip() == "12"
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="analytics.store"), Store(url) as again:
        assert again.schema_version == len(migrations())
    assert not [r for r in caplog.records if "migrating" in r.getMessage()]


def test_the_password_never_reaches_a_log_or_an_error(url, postgres_cluster, caplog):
    with caplog.at_level(logging.DEBUG), Store(url, now=NOW) as store:
        assert PASSWORD not in store.path
        with pytest.raises(duckdb.Error) as raised:
            store.write(lambda cur: cur.execute("INSERT INTO nowhere VALUES (1)"))
        assert PASSWORD not in str(raised.value)
    wrong = url.replace(PASSWORD, "not-the-password-either")
    with pytest.raises(StoreError) as refused:
        Store(wrong)
    assert "password authentication failed" in str(refused.value)
    assert "not-the-password-either" not in str(refused.value) and refused.value.__cause__ is None
    unreachable = url.replace(f"port={postgres_cluster.port}", "port=1")
    with pytest.raises(StoreError) as down:
        Store(unreachable)
    assert PASSWORD not in str(down.value)
    assert caplog.records and all(PASSWORD not in record.getMessage() for record in caplog.records)


def _person(cur, email: str) -> int:
    return cur.execute(
        "INSERT INTO people (program_id, full_name, email, created_at) VALUES (1, 'Ada', $email, $now) RETURNING person_id",
        {"email": email, "now": NOW},
    ).fetchone()[0]


def test_returning_is_made_up_for_in_the_same_transaction(url):
    with Store(url, now=NOW) as store:
        first, second = store.write(lambda cur: (_person(cur, "a@x.org"), _person(cur, "b@x.org")))
        assert second == first + 1

        def many(cur):
            return cur.execute(
                """
                INSERT INTO people (program_id, full_name, email, created_at)
                SELECT 1, unnest($names::VARCHAR[]), unnest($emails::VARCHAR[]), $now
                RETURNING email, person_id
                """,
                {"names": ["C", "D"], "emails": ["c@x.org", "d@x.org"], "now": NOW},
            ).fetchall()

        added = dict(store.write(many))
        assert added == {"c@x.org": second + 1, "d@x.org": second + 2}
        assert store.query_all("SELECT email FROM people WHERE person_id = $id", {"id": second + 2}) == [("d@x.org",)]
        ended = store.write(
            lambda cur: cur.execute(
                "UPDATE people SET active = false WHERE email LIKE $pattern RETURNING person_id", {"pattern": "%@x.org"}
            ).fetchall()
        )
        assert sorted(row[0] for row in ended) == [first, second, second + 1, second + 2]
        gone = store.write(
            lambda cur: cur.execute("DELETE FROM people WHERE email = ? RETURNING full_name, email", ["a@x.org"]).fetchone()
        )
        assert gone == ("Ada", "a@x.org")

        def half(cur):
            _person(cur, "e@x.org")
            raise RuntimeError("stop")

        with pytest.raises(RuntimeError):
            store.write(half)
        assert store.query_one("SELECT count(*) FROM people WHERE email = 'e@x.org'") == (0,)


def test_a_broken_constraint_is_the_constraint_error_analytics_catches(url):
    with Store(url, now=NOW) as store:
        store.write(lambda cur: _person(cur, "a@x.org"))
        with pytest.raises(duckdb.ConstraintException):
            store.write(lambda cur: _person(cur, "a@x.org"))
        with pytest.raises(duckdb.ConstraintException):
            store.write(
                lambda cur: cur.execute("INSERT INTO person_roles VALUES (1, 'janitor')"),
            )
        store.write(lambda cur: cur.execute("INSERT INTO welcome_dismissals VALUES (1, 'fellow', $now)", {"now": NOW}))
        store.write(
            lambda cur: cur.execute(
                "INSERT INTO welcome_dismissals VALUES (1, 'fellow', $now) ON CONFLICT DO NOTHING", {"now": NOW}
            )
        )
        assert store.query_one("SELECT count(*) FROM welcome_dismissals") == (1,)


def test_what_one_server_writes_the_other_reads_at_once(url):
    with Store(url, now=NOW) as one, Store(url) as other:
        assert other.query_one("SELECT count(*) FROM people") == (0,)
        one.write(lambda cur: _person(cur, "a@x.org"))
        assert other.query_all("SELECT email FROM people") == [("a@x.org",)]
        other.write(lambda cur: _person(cur, "b@x.org"))
        assert one.query_one("SELECT count(*) FROM people") == (2,)


def test_two_servers_that_check_then_append_cannot_both_commit_on_what_they_read(url):
    """Both servers check that a goal has no status change yet, then append one (the in-process write lock
    cannot serialise two processes; under REPEATABLE READ both would commit). SERIALIZABLE makes PostgreSQL
    refuse the later commit; the store retries it, and the retry sees the other's row and appends nothing."""
    with Store(url, now=NOW) as one, Store(url) as other:
        read_done, other_committed = threading.Event(), threading.Event()
        seen: list[int] = []

        def check_then_append(cur):
            changes = cur.execute("SELECT count(*) FROM goal_status_changes WHERE goal_id = 7").fetchone()[0]
            seen.append(changes)
            if not read_done.is_set():
                read_done.set()
                other_committed.wait(30)
            if changes == 0:
                cur.execute(
                    "INSERT INTO goal_status_changes VALUES (7, 'completed', NULL, DATE '2026-11-26', $now)", {"now": NOW}
                )

        worker = threading.Thread(target=lambda: one.write(check_then_append))
        worker.start()
        assert read_done.wait(30)

        def other_checks_then_appends(cur):
            if cur.execute("SELECT count(*) FROM goal_status_changes WHERE goal_id = 7").fetchone()[0] == 0:
                cur.execute("INSERT INTO goal_status_changes VALUES (7, 'paused', NULL, DATE '2026-11-26', $now)", {"now": NOW})

        other.write(other_checks_then_appends)
        other_committed.set()
        worker.join(60)
        assert one.write_retries == 1 and seen == [0, 1]
        assert one.query_all("SELECT status FROM goal_status_changes") == [("paused",)]


def test_two_servers_starting_at_once_on_a_new_database_migrate_it_once(url, postgres_cluster, caplog):
    """Both wait on the migrations' advisory lock: the first migrates, the second then finds nothing to do
    (without the lock both ran migration 1 and the second failed on a table that already existed)."""
    start = threading.Barrier(2)
    opened: list[Store] = []
    failed: list[BaseException] = []

    def server() -> None:
        start.wait()
        try:
            opened.append(Store(url, now=NOW))
        except BaseException as error:  # the finding is any failure at all
            failed.append(error)

    with caplog.at_level(logging.INFO, logger="analytics.store"):
        servers = [threading.Thread(target=server) for _ in range(2)]
        for thread in servers:
            thread.start()
        for thread in servers:
            thread.join(120)
    try:
        assert not failed, failed
        assert [store.schema_version for store in opened] == [len(migrations())] * 2
        migrated = [record for record in caplog.records if "migrating" in record.getMessage()]
        assert len(migrated) == len(migrations())  # each migration ran once, by one of the two
        database = url.split("?")[0].rsplit("/", 1)[1]
        rows = postgres_cluster.psql(database, "SELECT version FROM schema_version ORDER BY version").split()
        assert [int(row) for row in rows] == list(range(1, len(migrations()) + 1))
        for store in opened:  # each sees the tables, whichever made them
            assert store.query_one("SELECT count(*) FROM change_counters") == (0,)
    finally:
        for store in opened:
            store.close()
