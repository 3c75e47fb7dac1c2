"""Change counters (analytics/changes.py): which writes bump what, in the write's own transaction.

The demo program is program 1; a second program (a director and a fellow, made here) stands for
"another program" on the same database.
"""

import ast
from datetime import date
from pathlib import Path

import pytest

from analytics import auth, goals, pairs, program_settings, roster
from analytics.changes import GROUPS, Touched, read_counters, touched
from analytics.errors import InputError
from analytics.people import Viewer, load_viewer
from analytics.store import Store
from tests.conftest import NOW, TODAY
from tests.unit.test_assessments import Demo, _submit
from tests.unit.test_assessments import demo as demo  # the fixture

ANALYTICS = Path(__file__).resolve().parents[2] / "analytics"
pytestmark = pytest.mark.both_backends  # the counters are what several servers on one PostgreSQL database share


def _all(store: Store) -> dict[tuple[str, int], int]:
    return {(scope, key): version for scope, key, version in store.query_all("SELECT scope, key, version FROM change_counters")}


def _moved(before: dict, after: dict) -> set[tuple[str, int]]:
    return {key for key, version in after.items() if before.get(key) != version}


def _second_program(store: Store) -> tuple[Viewer, Viewer]:
    """A director and a fellow of a new program 2 (made as a tool would: everything bumps)."""

    def work(cur):
        program = cur.execute("INSERT INTO programs (name, created_at) VALUES ('Other', $now) RETURNING program_id", {"now": NOW})
        program_id = program.fetchone()[0]
        ids = []
        for name, role in (("Other Director", "director"), ("Other Fellow", "fellow")):
            person = cur.execute(
                "INSERT INTO people (program_id, full_name, email, created_at) VALUES ($p, $n, $e, $now) RETURNING person_id",
                {"p": program_id, "n": name, "e": f"{role}@other.org", "now": NOW},
            ).fetchone()[0]
            cur.execute("INSERT INTO person_roles VALUES ($person, $role)", {"person": person, "role": role})
            ids.append(person)
        return ids

    director_id, fellow_id = store.write(work)
    director, fellow = load_viewer(store, director_id), load_viewer(store, fellow_id)
    assert director is not None and fellow is not None
    return director, fellow


def _pair_people(store: Store, person_id: int) -> set[int]:
    rows = store.query_all("SELECT mentor_id, mentee_id FROM pairs WHERE mentor_id = $p OR mentee_id = $p", {"p": person_id})
    return {person for row in rows for person in row} | {person_id}


def test_every_write_of_analytics_says_what_it_touched():
    """One way, in one place: each store.write(...) in analytics/ names touches= or sign_in_only=."""
    silent = []
    for path in sorted(ANALYTICS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "write"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in {"store", "self"}
                and not {keyword.arg for keyword in node.keywords} & {"touches", "sign_in_only"}
            ):
                silent.append(f"{path.name}:{node.lineno}")
    assert silent == []


def test_a_self_assessment_bumps_its_program_group_and_the_people_of_its_pairs_only(demo: Demo):
    store = demo.store
    _second_program(store)
    before = _all(store)
    _submit(demo)
    moved = _moved(before, _all(store))
    fellow = demo.fellow.person_id
    assert moved == {("program:assessments", 1)} | {("person", p) for p in _pair_people(store, fellow)}
    assert ("person", demo.other_fellow_id) not in moved  # another fellow's pages stay warm
    assert ("person", demo.mentor.person_id) in moved  # the fellow's mentor sees it
    assert store.last_bumped and set(store.last_bumped) == moved


def test_a_write_in_another_program_moves_none_of_this_programs_counters(demo: Demo):
    store = demo.store
    director, other_fellow = _second_program(store)
    mine = read_counters(store, demo.fellow.program_id, demo.fellow.person_id)
    program_settings.change_min_group_size(store, director, 7, NOW)
    roster.add_person(store, director, "New Mentor", "new@other.org", ["mentor"], None, NOW)
    goals.create_goal(store, other_fellow, "Read", "research", "count", 3, date(2027, 6, 1), TODAY, NOW)
    assert read_counters(store, demo.fellow.program_id, demo.fellow.person_id) == mine
    theirs = read_counters(store, director.program_id, other_fellow.person_id)
    assert {g: theirs.get(f"program:{g}", director.program_id) for g in ("settings", "people", "goals")} == {
        "settings": 1,
        "people": 1,
        "goals": 1,
    }
    assert theirs.get("person", other_fellow.person_id) == 1


def test_a_failed_write_bumps_nothing(demo: Demo):
    store = demo.store
    before = _all(store)
    with pytest.raises(InputError):
        goals.create_goal(store, demo.fellow, "", "research", "count", 3, date(2027, 6, 1), TODAY, NOW)

    def fails_midway(cur):
        cur.execute("INSERT INTO goal_categories VALUES (1, 'x', NULL)")
        raise RuntimeError("midway")

    with pytest.raises(RuntimeError):
        store.write(fails_midway, touches=touched(1, "goals", "settings", people=[demo.fellow.person_id]))
    assert _all(store) == before


def test_sign_in_bookkeeping_bumps_nothing(demo: Demo):
    store = demo.store
    before = _all(store)
    token = auth.sign_in(store, "fellow@demo.org", "demo", NOW)
    auth.sign_out(store, token, NOW)
    assert _all(store) == before


def test_pairs_and_roster_bump_the_people_group_every_page_of_the_program_reads(demo: Demo):
    store = demo.store
    director = load_viewer(store, store.query_one("SELECT person_id FROM people WHERE email = 'director@demo.org'")[0])
    assert director is not None
    before = _all(store)
    pairs.end_pair(store, director, demo.pair_id, TODAY, "completed", None, TODAY)
    assert _moved(before, _all(store)) == {("program:people", 1)}
    assert read_counters(store, 1, demo.other_fellow_id).personal() != (0, 0, 0)


def test_counters_are_read_in_one_query_for_one_program_and_person(demo: Demo):
    store = demo.store
    _second_program(store)
    _submit(demo)
    counters = read_counters(store, 1, demo.fellow.person_id)
    assert {scope for scope, _ in counters.values} <= {"all", "person", *(f"program:{g}" for g in GROUPS)}
    assert {key for scope, key in counters.values if scope.startswith("program:")} == {1}
    assert {key for scope, key in counters.values if scope == "person"} == {demo.fellow.person_id}
    assert counters.of("assessments")[1] >= 1


def test_a_touched_names_known_groups_of_a_program():
    with pytest.raises(ValueError, match="unknown table groups"):
        Touched(1, ("assessment",))
    with pytest.raises(ValueError, match="belong to a program"):
        Touched(None, ("goals",))


def test_a_read_marks_the_known_groups_it_reads():
    from analytics.changes import reads

    @reads("people", "ratings")
    def counted(store, viewer):
        return 1

    assert counted.reads == ("people", "ratings") and counted(None, None) == 1
    with pytest.raises(ValueError, match="unknown table groups"):
        reads("rating")


def test_a_double_click_stores_nothing_and_bumps_nothing(demo: Demo):
    store = demo.store
    _submit(demo, submission_key="double-click-key")
    goals.create_goal(
        store, demo.fellow, "Read", "research", "count", 3, date(2027, 6, 1), TODAY, NOW, submission_key="goal-key-1"
    )
    before = _all(store)
    assert _submit(demo, submission_key="double-click-key").duplicate
    goals.create_goal(
        store, demo.fellow, "Read", "research", "count", 3, date(2027, 6, 1), TODAY, NOW, submission_key="goal-key-1"
    )
    assert _all(store) == before
    assert store.last_bumped == []
