"""The synthetic demo program: deterministic, and shaped so every view has something to show."""

import ast
import subprocess
import sys
from datetime import timedelta

import pytest

from analytics.instruments import load_catalogue
from analytics.paths import PROJECT_ROOT
from analytics.people import active_pairs
from analytics.periods import period_start
from analytics.registry import register_catalogue
from analytics.store import Store
from demo import DEMO_ACCOUNTS, build_database, build_demo_program
from tests.conftest import NOW, TODAY

RATINGS = """
    SELECT a.instrument_id, a.instrument_version, a.respondent_id, a.subject_id, a.pair_id, a.period_start,
           a.submitted_at, r.item_id, r.rating
    FROM assessments a JOIN responses r USING (assessment_id)
    ORDER BY ALL
"""


def _build(path, seed=7):
    with Store(path) as store:
        summary = build_demo_program(store, register_catalogue(store, load_catalogue(), NOW), TODAY, seed=seed)
        counts = (
            store.query_one("SELECT count(*) FROM assessments")[0],
            store.query_one("SELECT count(*) FROM responses")[0],
            store.query_one("SELECT count(*) FROM people")[0],
            store.query_one("SELECT count(*) FROM pairs")[0],
        )
        return summary, counts, store.query_all(RATINGS)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    """The demo program as conftest's `demo_store` builds it, built once for the tests that only read it."""
    with Store(tmp_path_factory.mktemp("demo") / "demo.duckdb") as store:
        build_demo_program(store, register_catalogue(store, load_catalogue(), NOW), TODAY)
        yield store


@pytest.fixture(scope="module")
def demo_catalogue(demo_db):
    return register_catalogue(demo_db, load_catalogue(), NOW)


def _person(store, email):
    return store.query_one("SELECT person_id FROM people WHERE email = ?", [email])[0]


def _ids_with_role(store, role):
    return [row[0] for row in store.query_all("SELECT person_id FROM person_roles WHERE role = ? ORDER BY 1", [role])]


def test_the_demo_is_deterministic(tmp_path):
    one = _build(tmp_path / "one.duckdb")
    two = _build(tmp_path / "two.duckdb")
    assert one[0] == two[0]
    assert one[1] == two[1]
    assert one[2] == two[2]
    assert one[1][0] > 100 and one[1][1] > 500  # a realistic amount of history


def test_another_seed_gives_another_program(tmp_path):
    _, _, ratings = _build(tmp_path / "seven.duckdb", seed=7)
    _, _, other = _build(tmp_path / "eight.duckdb", seed=8)
    assert ratings != other


def test_the_default_size(demo_db):
    program = demo_db.query_one("SELECT count(*) FROM programs")[0]
    assert program == 1
    people = demo_db.query_one("SELECT count(*) FROM people")[0]
    assert people == 30 + 12 + 1  # the default DemoSize: fellows, mentors, one director


def test_three_cohorts_one_of_them_small(demo_db):
    sizes = dict(
        demo_db.query_all(
            """
            SELECT c.name, count(p.person_id)
            FROM cohorts c LEFT JOIN people p USING (cohort_id)
            JOIN person_roles r USING (person_id)
            WHERE r.role = 'fellow'
            GROUP BY ALL
            """
        )
    )
    assert len(sizes) == 3
    assert sum(1 for n in sizes.values() if n < 5) == 1
    assert sum(1 for n in sizes.values() if n >= 5) == 2
    assert sum(sizes.values()) == len(_ids_with_role(demo_db, "fellow"))


@pytest.mark.parametrize("role", ["fellow", "mentor", "director"])
def test_the_demo_accounts_exist_with_their_role(demo_db, role):
    person_id = _person(demo_db, DEMO_ACCOUNTS[role])
    roles = [row[0] for row in demo_db.query_all("SELECT role FROM person_roles WHERE person_id = ?", [person_id])]
    assert roles == [role]


def test_emails_are_unique_and_every_person_has_a_role(demo_db):
    assert demo_db.query_one("SELECT count(*) - count(DISTINCT lower(email)) FROM people")[0] == 0
    without = demo_db.query_one("SELECT count(*) FROM people WHERE person_id NOT IN (SELECT person_id FROM person_roles)")
    assert without == (0,)


def _current_mentees(store, mentor_id):
    pairs = active_pairs(store, mentor_id, TODAY)
    return set(pairs.loc[pairs["mentor_id"] == mentor_id, "mentee_id"])


def test_the_demo_mentor_has_three_or_more_mentees_and_some_mentor_fewer(demo_db):
    demo_mentor = _person(demo_db, DEMO_ACCOUNTS["mentor"])
    assert len(_current_mentees(demo_db, demo_mentor)) >= 3
    loads = [len(_current_mentees(demo_db, mentor)) for mentor in _ids_with_role(demo_db, "mentor")]
    assert min(loads) < 3
    assert max(loads) >= 3


def test_every_fellow_has_a_current_mentor(demo_db):
    for fellow in _ids_with_role(demo_db, "fellow"):
        pairs = active_pairs(demo_db, fellow, TODAY)
        assert (pairs["mentee_id"] == fellow).any(), fellow


def test_every_fellow_has_mentee_self_history_in_more_than_one_period(demo_db):
    periods = dict(
        demo_db.query_all(
            """
            SELECT r.person_id, count(DISTINCT a.period_start)
            FROM person_roles r
            LEFT JOIN assessments a ON a.respondent_id = r.person_id AND a.instrument_id = 'mentee-self'
            WHERE r.role = 'fellow'
            GROUP BY ALL
            """
        )
    )
    assert len(periods) == 30
    assert {fellow: n for fellow, n in periods.items() if n < 2} == {}


def test_the_demo_fellow_has_history_and_this_period_still_to_do(demo_db):
    fellow = _person(demo_db, DEMO_ACCOUNTS["fellow"])
    starts = [
        row[0]
        for row in demo_db.query_all(
            "SELECT DISTINCT period_start FROM assessments WHERE respondent_id = ? AND instrument_id = 'mentee-self'", [fellow]
        )
    ]
    assert len(starts) >= 3
    assert period_start(TODAY) not in starts


def test_no_assessment_is_dated_after_today_or_outside_its_period(demo_db):
    latest = demo_db.query_one("SELECT max(submitted_at) FROM assessments")[0]
    assert latest.date() <= TODAY
    misplaced = demo_db.query_one(
        """
        SELECT count(*) FROM assessments
        WHERE submitted_at::DATE < period_start OR submitted_at::DATE >= period_start + INTERVAL 3 MONTH
        """
    )[0]
    assert misplaced == 0
    earliest = demo_db.query_one("SELECT min(period_start) FROM assessments")[0]
    assert earliest >= TODAY - timedelta(days=3 * 366)


def test_every_rating_is_on_its_instrument_scale_and_complete(demo_db, demo_catalogue):
    for instrument in demo_catalogue.instruments:
        rows = demo_db.query_all(
            """
            SELECT a.assessment_id, count(*), min(r.rating), max(r.rating)
            FROM assessments a JOIN responses r USING (assessment_id)
            WHERE a.instrument_id = ?
            GROUP BY ALL
            """,
            [instrument.id],
        )
        assert rows, instrument.id
        for _, items, low, high in rows:
            assert items == len(instrument.items)
            assert instrument.min_rating <= low <= high <= instrument.max_rating


def test_building_into_a_database_with_people_is_refused(demo_store, catalogue):
    before = demo_store.query_one("SELECT count(*) FROM people")[0], demo_store.query_one("SELECT count(*) FROM assessments")[0]
    with pytest.raises(ValueError, match="already has people"):
        build_demo_program(demo_store, catalogue, TODAY)
    after = demo_store.query_one("SELECT count(*) FROM people")[0], demo_store.query_one("SELECT count(*) FROM assessments")[0]
    assert after == before


# The command, and the old one kept for scripts.
COMMANDS = ("demo", "analytics.demo")


def _run_cli(*arguments, module="demo"):
    return subprocess.run(
        [sys.executable, "-m", module, *arguments], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize("module", COMMANDS)
def test_the_command_line_builds_a_database_and_prints_a_summary(tmp_path, module):
    path = tmp_path / "cli.duckdb"
    done = _run_cli("--db", str(path), "--today", "2026-11-26", "--fellows", "10", "--mentors", "4", module=module)
    assert done.returncode == 0, done.stderr
    summary = ast.literal_eval(done.stdout.strip().splitlines()[-1])
    assert summary["people"] == 10 + 4 + 1
    assert summary["assessments"] > 0
    assert summary["responses"] > summary["assessments"]
    with Store(path) as store:
        assert store.query_one("SELECT count(*) FROM people")[0] == 15
        assert store.query_one("SELECT count(*) FROM assessments")[0] == summary["assessments"]
        assert store.query_one("SELECT count(*) FROM responses")[0] == summary["responses"]
        assert len(_ids_with_role(store, "fellow")) == 10
        assert len(_ids_with_role(store, "mentor")) == 4


@pytest.mark.parametrize("module", COMMANDS)
def test_the_command_line_refuses_an_existing_file(tmp_path, module):
    path = tmp_path / "exists.duckdb"
    path.write_bytes(b"")
    done = _run_cli("--db", str(path), "--today", "2026-11-26", module=module)
    assert done.returncode != 0
    assert "exists" in done.stderr
    assert "Traceback" not in done.stderr
    assert path.read_bytes() == b""


# ---------------------------------------------------------------- programs of a given size


def _contents(path) -> dict:
    """Every table's rows, in a fixed order."""
    with Store(path) as store:
        tables = [row[0] for row in store.query_all("SELECT table_name FROM duckdb_tables() ORDER BY 1")]
        skip = {"schema_version", "instrument_versions"}  # when the file was made, not what it holds
        # A password hash has a random salt by design: every column but that one.
        columns = {"accounts": "* EXCLUDE (password_hash)"}
        return {
            table: store.query_all("SELECT " + columns.get(table, "*") + " FROM " + table + " ORDER BY ALL")
            for table in tables
            if table not in skip
        }


def test_a_program_of_a_given_size_is_deterministic(tmp_path):
    one = build_database(tmp_path / "one.duckdb", TODAY, responses=20_000)
    two = build_database(tmp_path / "two.duckdb", TODAY, responses=20_000)
    assert {k: v for k, v in one.items() if k != "seconds"} == {k: v for k, v in two.items() if k != "seconds"}
    first, second = _contents(tmp_path / "one.duckdb"), _contents(tmp_path / "two.duckdb")
    assert first["responses"] and first["meetings"] and first["outputs"] and first["goal_checkins"]
    assert first == second
    other = build_database(tmp_path / "other.duckdb", TODAY, responses=20_000, seed=8)
    assert _contents(tmp_path / "other.duckdb")["responses"] != first["responses"]
    assert other["responses"] != one["responses"] or other["assessments"] != one["assessments"]


@pytest.mark.parametrize("asked", [5_000, 20_000, 60_000])
def test_the_response_count_lands_within_ten_percent_of_the_request(tmp_path, asked):
    summary = build_database(tmp_path / "sized.duckdb", TODAY, responses=asked)
    with Store(tmp_path / "sized.duckdb") as store:
        stored = store.query_one("SELECT count(*) FROM responses")[0]
    assert stored == summary["responses"]
    assert abs(stored - asked) <= 0.1 * asked, (stored, asked, summary)


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    """A society of about 60 thousand responses: the demo program, then programs with three years of history."""
    path = tmp_path_factory.mktemp("large") / "large.duckdb"
    summary = build_database(path, TODAY, responses=60_000)
    with Store(path) as store:
        yield store, summary


def test_a_large_database_is_a_society_of_programs_each_with_its_own_director(large):
    store, summary = large
    assert summary["programs"] >= 3 and summary["years"] == 3
    programs = store.query_all(
        """
        SELECT g.program_id, g.name,
               count(*) FILTER (WHERE r.role = 'director'), count(*) FILTER (WHERE r.role = 'fellow'),
               count(*) FILTER (WHERE r.role = 'mentor'), count(*)
        FROM programs g JOIN people p USING (program_id) JOIN person_roles r USING (person_id)
        GROUP BY ALL ORDER BY g.program_id
        """
    )
    assert len(programs) == summary["programs"] == store.query_one("SELECT count(*) FROM programs")[0]
    assert programs[0][1] == "Demo Hematology Fellowship"
    assert len({name for _, name, *_ in programs}) == len(programs)
    assert all(directors == 1 for _, _, directors, *_ in programs)
    assert sum(fellows for *_, fellows, _, _ in programs) == summary["fellows"]
    assert sum(mentors for *_, mentors, _ in programs) == summary["mentors"]
    assert store.query_one("SELECT count(*) FROM people")[0] == summary["fellows"] + summary["mentors"] + summary["programs"]
    # Every program but the last (scaled to what remains of the request) is of a realistic size.
    assert all(40 <= people <= 260 and mentors >= 4 for *_, mentors, people in programs[1:-1])


def test_every_cohort_of_the_other_programs_respects_the_minimum_group_size(large):
    store, _ = large
    cohorts = store.query_all(
        """
        SELECT c.program_id, c.start_year, c.cohort_id, count(p.person_id), any_value(g.min_group_size)
        FROM cohorts c JOIN programs g USING (program_id) LEFT JOIN people p USING (cohort_id)
        WHERE c.program_id > (SELECT min(program_id) FROM programs)
        GROUP BY ALL
        """
    )
    assert cohorts and all(fellows >= minimum for *_, fellows, minimum in cohorts)
    per_year = {}
    for program, year, _, fellows, _ in cohorts:
        per_year.setdefault((program, year), []).append(fellows)
    assert all(1 <= len(sizes) <= 3 and sum(sizes) <= 40 for sizes in per_year.values())
    assert any(len(sizes) > 1 for sizes in per_year.values())
    assert {year for _, year in per_year} == {2023, 2024, 2025, 2026}  # three years of history


def test_emails_are_unique_across_the_society_and_the_demo_accounts_are_in_the_first_program(large):
    store, _ = large
    assert store.query_one("SELECT count(*) - count(DISTINCT lower(email)) FROM people")[0] == 0
    first = store.query_one("SELECT min(program_id) FROM programs")[0]
    for role, email in DEMO_ACCOUNTS.items():
        assert store.query_one(
            "SELECT p.program_id, r.role FROM people p JOIN person_roles r USING (person_id) WHERE p.email = ?", [email]
        ) == (first, role)
    assert store.query_one("SELECT count(*) FROM people WHERE program_id <> ? AND email LIKE '%@demo.org'", [first])[0] == 0


def test_nothing_crosses_from_one_program_to_another(large):
    store, _ = large
    crossing = {
        "fellow in another program's cohort": """
            SELECT count(*) FROM people p JOIN cohorts c USING (cohort_id) WHERE c.program_id <> p.program_id""",
        "pair across programs": """
            SELECT count(*) FROM pairs x JOIN people m ON m.person_id = x.mentor_id JOIN people f ON f.person_id = x.mentee_id
            WHERE m.program_id <> x.program_id OR f.program_id <> x.program_id""",
        "assessment across programs": """
            SELECT count(*) FROM assessments a JOIN people r ON r.person_id = a.respondent_id
            JOIN people s ON s.person_id = a.subject_id LEFT JOIN pairs x USING (pair_id)
            WHERE r.program_id <> s.program_id OR x.program_id <> r.program_id""",
        "sharing across programs": """
            SELECT count(*) FROM sharing_choices c JOIN people m ON m.person_id = c.mentor_id
            JOIN people f ON f.person_id = c.mentee_id WHERE m.program_id <> f.program_id""",
        "network across programs": """
            SELECT count(*) FROM network_entries n JOIN people f ON f.person_id = n.fellow_id
            JOIN people m ON m.person_id = n.mentor_person_id WHERE m.program_id <> f.program_id""",
        "action item owned outside the meeting's program": """
            SELECT count(*) FROM action_items a JOIN meetings USING (meeting_id) JOIN pairs x USING (pair_id)
            JOIN people o ON o.person_id = a.owner_id WHERE o.program_id <> x.program_id""",
        "agreement acknowledged outside its program": """
            SELECT count(*) FROM agreement_acknowledgements k JOIN agreements USING (agreement_id) JOIN pairs x USING (pair_id)
            JOIN people p ON p.person_id = k.person_id WHERE p.program_id <> x.program_id""",
        "goal of someone who is not a fellow": """
            SELECT count(*) FROM goals g LEFT JOIN person_roles r ON r.person_id = g.owner_id AND r.role = 'fellow'
            WHERE r.person_id IS NULL""",
    }
    for what, query in crossing.items():
        assert store.query_one(query)[0] == 0, what
    # and there is something to cross: every program meets, and other tables have rows in several programs
    spread = store.query_one("SELECT count(DISTINCT x.program_id) FROM meetings JOIN pairs x USING (pair_id)")[0]
    assert spread == store.query_one("SELECT count(*) FROM programs")[0]
    for table, owner in (("network_entries", "fellow_id"), ("goals", "owner_id"), ("assessments", "respondent_id")):
        programs = "SELECT count(DISTINCT p.program_id) FROM " + table + " t JOIN people p ON p.person_id = t." + owner
        assert store.query_one(programs)[0] > 1, table


def test_the_first_program_of_a_society_is_the_default_demo_program(large, demo_db):
    store, _ = large
    first = "(SELECT person_id FROM people WHERE program_id = (SELECT min(program_id) FROM programs))"
    queries = (
        "SELECT * FROM people WHERE person_id IN {first} ORDER BY ALL",
        "SELECT * FROM person_roles WHERE person_id IN {first} ORDER BY ALL",
        "SELECT * FROM cohorts WHERE program_id = (SELECT min(program_id) FROM programs) ORDER BY ALL",
        "SELECT * FROM pairs WHERE mentee_id IN {first} ORDER BY ALL",
        "SELECT a.* EXCLUDE (submission_key), r.item_id, r.rating FROM assessments a JOIN responses r USING (assessment_id)"
        " WHERE a.respondent_id IN {first} ORDER BY ALL",
        "SELECT * FROM goals WHERE owner_id IN {first} ORDER BY ALL",
        "SELECT m.* FROM meetings m JOIN pairs USING (pair_id) WHERE mentee_id IN {first} ORDER BY ALL",
        "SELECT * FROM network_entries WHERE fellow_id IN {first} ORDER BY ALL",
        "SELECT * FROM outputs WHERE owner_id IN {first} ORDER BY ALL",
        "SELECT * FROM sharing_choices WHERE mentee_id IN {first} ORDER BY ALL",
    )
    for query in queries:
        society, alone = store.query_all(query.format(first=first)), demo_db.query_all(query.format(first=first))
        assert society and society == alone, query


def test_in_a_large_program_a_finished_fellowship_ended_its_pairs_and_its_records(large):
    store, _ = large
    finished = store.query_all(
        """
        SELECT p.person_id, p.active, c.start_year FROM people p JOIN cohorts c USING (cohort_id)
        WHERE c.start_year = 2023
        """
    )
    assert finished and all(not active for _, active, _ in finished)
    assert store.query_one("SELECT count(*) FROM people WHERE NOT active AND cohort_id IS NULL")[0] == 0
    ended = store.query_one(
        """
        SELECT count(*), count(*) FILTER (WHERE p.ended_on = DATE '2026-06-30' AND p.end_status = 'completed')
        FROM pairs p JOIN people f ON f.person_id = p.mentee_id WHERE NOT f.active
        """
    )
    assert ended[0] > 0 and ended[0] == ended[1]
    assert (
        store.query_one(
            "SELECT count(*) FROM pairs WHERE ended_on IS NOT NULL AND mentee_id IN (SELECT person_id FROM people WHERE active)"
        )[0]
        == 0
    )
    # Nothing of a finished fellow after the fellowship's end; nothing of anyone after today.
    after_end = """
        SELECT count(*) FROM {table} t JOIN people f ON f.person_id = t.{owner}
        WHERE NOT f.active AND t.{day}::DATE > DATE '2026-06-30'
    """
    for table, owner, day in (
        ("assessments", "respondent_id", "submitted_at"),
        ("(SELECT * FROM goal_checkins JOIN goals USING (goal_id))", "owner_id", "checked_on"),
        ("outputs", "owner_id", "happened_on"),
        ("network_entries", "fellow_id", "added_at"),
        ("(SELECT * FROM meetings JOIN pairs USING (pair_id))", "mentee_id", "meeting_on"),
    ):
        assert store.query_one(after_end.format(table=table, owner=owner, day=day))[0] == 0, table
    assert store.query_one("SELECT max(submitted_at)::DATE FROM assessments")[0] <= TODAY
    assert store.query_one("SELECT max(meeting_on) FROM meetings JOIN meeting_notes USING (meeting_id)")[0] <= TODAY


def test_the_command_line_builds_a_program_of_a_given_size(tmp_path):
    path = tmp_path / "sized.duckdb"
    done = _run_cli("--db", str(path), "--today", "2026-11-26", "--responses", "8000")
    assert done.returncode == 0, done.stderr
    summary = ast.literal_eval(done.stdout.strip().splitlines()[-1])
    assert abs(summary["responses"] - 8000) <= 800 and summary["seconds"] > 0
    with Store(path) as store:
        assert store.query_one("SELECT count(*) FROM responses")[0] == summary["responses"]
        people = store.query_one("SELECT count(*) FROM people")[0]
        assert people == summary["fellows"] + summary["mentors"] + summary["programs"]
