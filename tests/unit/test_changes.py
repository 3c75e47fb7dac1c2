"""Change counters (analytics/changes.py): which writes bump what, in the write's own transaction.

The demo program is program 1; a second program (a director and a fellow, made here) stands for
"another program" on the same database.
"""

import ast
import importlib
import inspect
import re
from datetime import date
from pathlib import Path

import pytest

from analytics import (
    agreements,
    assessments,
    auth,
    feedback,
    goals,
    meetings,
    mentor_glance,
    outputs,
    pairs,
    program_settings,
    roster,
)
from analytics.changes import (
    GROUPS,
    PERSONAL_GROUPS,
    SHARED_GROUPS,
    TABLES,
    Touched,
    declared_personal_reads,
    personal_reads,
    read_counters,
    touched,
)
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
    after = _all(store)
    moved = _moved(before, after)
    fellow = demo.fellow.person_id
    assert moved == {("program:assessments", 1), ("person:assessments", fellow)} | {
        ("person", p) for p in _pair_people(store, fellow)
    }
    assert {key: after[key] - before.get(key, 0) for key in moved} == dict.fromkeys(moved, 1)  # each once, in one statement
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
    _submit(demo, viewer=demo.mentor, instrument_id="mentee-by-mentor", subject_id=demo.fellow.person_id, pair_id=demo.pair_id)
    cursors = store.cursors
    counters = read_counters(store, 1, demo.fellow.person_id)
    assert store.cursors == cursors + 1
    scopes = {"all", "person", *(f"program:{g}" for g in GROUPS), *(f"person:{g}" for g in PERSONAL_GROUPS)}
    assert {scope for scope, _ in counters.values} <= scopes
    assert {key for scope, key in counters.values if scope.startswith("program:")} == {1}
    assert {key for scope, key in counters.values if scope == "person"} == {demo.fellow.person_id}
    # Per group: the fellow and everyone paired with them (whose writes their pages may show), nobody else.
    assert counters.people == _pair_people(store, demo.fellow.person_id)
    assert {key for scope, key in counters.values if scope.startswith("person:")} == {
        demo.fellow.person_id,
        demo.mentor.person_id,
    }
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


def test_a_write_of_a_personal_group_names_its_people():
    with pytest.raises(ValueError, match="names the people"):
        touched(1, "goals")
    with pytest.raises(ValueError, match="names the people"):
        Touched(1, ("settings", "assessments"))
    assert touched(1, "settings", "people", "ratings").people == ()  # the program's groups alone need no one
    with pytest.raises(ValueError, match="reads"):
        personal_reads("settings")


def test_a_self_assessment_moves_the_writers_assessment_key_only_and_leaves_their_mentors_own_ratings_warm(demo: Demo):
    """The keys personal reads use (Counters.about): the fellow's goals and meetings and the mentor's own
    ratings (about the mentor, by the mentor) stay; the fellow's assessments and the mentor's view of
    their mentees (everyone paired with them) move."""
    store = demo.store
    fellow, mentor = demo.fellow.person_id, demo.mentor.person_id

    def keys() -> dict[str, tuple]:
        mine, theirs = read_counters(store, 1, fellow), read_counters(store, 1, mentor)
        return {
            "fellow goals": mine.about(["goals"]),
            "fellow meetings": mine.about(["meetings"]),
            "fellow outputs": mine.about(["outputs"]),
            "fellow assessments": mine.about(["assessments"], [fellow]),
            "mentor own assessments": theirs.about(["assessments"], [mentor]),
            "mentor's view of the fellow": theirs.about(["assessments"], [fellow]),
            "mentor's mentees": theirs.about(["assessments", "meetings"]),
            "mentor goals": theirs.about(["goals"]),
        }

    before = keys()
    _submit(demo)
    after = keys()
    moved = {name for name in before if before[name] != after[name]}
    assert moved == {"fellow assessments", "mentor's view of the fellow", "mentor's mentees"}

    # The fellow's rating of their mentor is about the mentor: the mentor's own key moves.
    _submit(demo, instrument_id="mentor-by-mentee", subject_id=mentor, pair_id=demo.pair_id, ratings=_mentor_ratings(demo))
    again = keys()
    assert again["mentor own assessments"] != after["mentor own assessments"]
    assert again["fellow goals"] == after["fellow goals"]


def _mentor_ratings(demo: Demo) -> dict[str, int]:
    return {item.id: 4 for item in demo.catalogue.get("mentor-by-mentee").items}


def test_someone_not_paired_with_the_reader_has_no_counter_of_their_own_there_and_the_programs_stands_in(demo: Demo):
    store = demo.store
    counters = read_counters(store, 1, demo.fellow.person_id)
    assert demo.other_fellow_id not in counters.people
    stranger = counters.about(["goals"], [demo.other_fellow_id])
    goals.create_goal(
        store, load_viewer(store, demo.other_fellow_id), "Read", "research", "count", 3, date(2027, 6, 1), TODAY, NOW
    )
    assert read_counters(store, 1, demo.fellow.person_id).about(["goals"], [demo.other_fellow_id]) != stranger


# -- what each personal reader declares it reads (analytics.changes.personal_reads) ----------------------------------

_NAME = r"[A-Za-z_][A-Za-z_0-9]*"


def _tables_of(sql: str) -> set[str]:
    """The tables and views an SQL text reads: names after FROM or JOIN, less its own CTEs and table functions."""
    sql = re.sub(r"--[^\n]*", "", sql)  # a comment's words are no table ("-- each pair once from each side")
    named = set(re.findall(rf"\b(?:FROM|JOIN)\s+({_NAME})\b(?!\s*\()", sql, re.IGNORECASE))
    ctes = set(re.findall(rf"(?:\bWITH|,)\s*({_NAME})\s+AS\s*\(", sql, re.IGNORECASE))
    return {name.lower() for name in named - ctes}


def _declared_readers() -> dict[str, object]:
    found = {}
    for path in sorted(ANALYTICS.glob("*.py")):
        module = importlib.import_module(f"analytics.{path.stem}")
        for name, value in inspect.getmembers(module, inspect.isfunction):
            if value.__module__ == module.__name__ and declared_personal_reads(value) is not None:
                found[f"{path.stem}.{name}"] = value
    return found


def test_every_personal_reader_reads_only_the_table_groups_it_declared(demo: Demo, monkeypatch):
    """A reader keyed on its declared groups would go stale if it read a table of another group: each one,
    run for the demo fellow or mentor, reads only tables of its groups and the shared ones."""
    store, catalogue, fellow, mentor = demo.store, demo.catalogue, demo.fellow, demo.mentor
    me = fellow.person_id
    goal_id = goals.create_goal(store, fellow, "Read", "research", "count", 3, date(2027, 6, 1), TODAY, NOW)
    calls = {
        "assessments.due_assessments": lambda: assessments.due_assessments(store, catalogue, fellow, TODAY),
        "assessments.rating_history": lambda: assessments.rating_history(store, catalogue, mentor, me),
        "feedback.views_of_mentee": lambda: feedback.views_of_mentee(store, catalogue, mentor, me),
        "feedback.views_of_mentor": lambda: feedback.views_of_mentor(store, catalogue, mentor, mentor.person_id, TODAY),
        "feedback.ratings_given": lambda: feedback.ratings_given(store, catalogue, mentor),
        "feedback.mentor_rating_coverage": lambda: feedback.mentor_rating_coverage(store, mentor, TODAY),
        "feedback.process_views": lambda: feedback.process_views(store, catalogue, fellow, demo.pair_id),
        "mentor_glance.mentee_glance": lambda: mentor_glance.mentee_glance(store, mentor, TODAY),
        "goals.goals_of": lambda: goals.goals_of(store, mentor, me, TODAY),
        "goals.goal_history": lambda: goals.goal_history(store, fellow, goal_id),
        "goals.milestones_of": lambda: goals.milestones_of(store, fellow, goal_id),
        "goals.goals_due": lambda: goals.goals_due(store, fellow, me, TODAY),
        "goals.mentees_goals_behind": lambda: goals.mentees_goals_behind(store, mentor, TODAY),
        "meetings.meetings_of_pair": lambda: meetings.meetings_of_pair(store, fellow, demo.pair_id, TODAY),
        "meetings.next_meeting": lambda: meetings.next_meeting(store, fellow, TODAY),
        "meetings.open_action_items": lambda: meetings.open_action_items(store, fellow),
        "meetings.meeting_frequency": lambda: meetings.meeting_frequency(store, fellow, demo.pair_id, TODAY),
        "agreements.agreement_of": lambda: agreements.agreement_of(store, fellow, demo.pair_id),
        "agreements.agreement_versions": lambda: agreements.agreement_versions(store, fellow, demo.pair_id),
        "agreements.agreement_check": lambda: agreements.agreement_check(store, fellow, demo.pair_id, TODAY),
        "outputs.outputs_of": lambda: outputs.outputs_of(store, mentor, me),
        "outputs.cumulative_outputs": lambda: outputs.cumulative_outputs(store, fellow, me),
    }
    readers = _declared_readers()
    assert set(calls) == set(readers)  # a newly declared reader joins this test
    statements: list[str] = []
    for method in ("query_df", "query_all", "query_one"):
        original = getattr(Store, method)
        monkeypatch.setattr(
            Store,
            method,
            lambda self, sql, params=(), _original=original: (statements.append(sql), _original(self, sql, params))[1],
        )
    known = {table for tables in TABLES.values() for table in tables}
    for name, call in calls.items():
        declared = declared_personal_reads(readers[name])
        assert declared is not None
        allowed = {table for group in (*SHARED_GROUPS, *declared.groups) for table in TABLES[group]}
        statements.clear()
        call()
        assert statements, name
        read = set().union(*map(_tables_of, statements))
        assert read <= known, (name, read - known)  # every table it names is in some group (the parser sees them all)
        assert read <= allowed, (name, read - allowed)


def _program_wide_readers() -> dict[str, object]:
    found = {}
    for path in sorted(ANALYTICS.glob("*.py")):
        module = importlib.import_module(f"analytics.{path.stem}")
        for name, value in inspect.getmembers(module, inspect.isfunction):
            if value.__module__ == module.__name__ and getattr(value, "reads", None):
                found[f"{path.stem}.{name}"] = value
    return found


def test_every_program_wide_reader_reads_only_the_table_groups_it_declared(demo: Demo, monkeypatch):
    """The director's reads marked with `reads` key on those groups of the program alone: each one, run for the
    demo director, reads only tables of its groups and the shared ones ('ratings' are assessments of closed periods)."""
    from analytics import disclosure, relationship_health

    store = demo.store
    director = auth.viewer_for_email(store, "director@demo.org")
    calls = {
        "roster.reset_codes_issued": lambda: roster.reset_codes_issued(store, director),
        "roster.people_list": lambda: roster.people_list(store, director),
        "roster.cohorts": lambda: roster.cohorts(store, director),
        "pairs.pairs_overview": lambda: pairs.pairs_overview(store, director, TODAY),
        "pairs.mentor_loads": lambda: pairs.mentor_loads(store, director, TODAY),
        "pairs.fellows_without_mentor_in_domain": lambda: pairs.fellows_without_mentor_in_domain(store, director, TODAY),
        "pairs.program_members": lambda: pairs.program_members(store, director, "fellow"),
        "disclosure.min_group_size": lambda: disclosure.min_group_size(store, director),
        "program_settings.setting_history": lambda: program_settings.setting_history(store, director),
        "relationship_health.program_health": lambda: relationship_health.program_health(store, director, TODAY),
        "relationship_health.administrative_signals": lambda: relationship_health.administrative_signals(store, director, TODAY),
    }
    readers = _program_wide_readers()
    assert set(calls) == set(readers)  # a newly marked reader joins this test
    statements: list[str] = []
    for method in ("query_df", "query_all", "query_one"):
        original = getattr(Store, method)
        monkeypatch.setattr(
            Store,
            method,
            lambda self, sql, params=(), _original=original: (statements.append(sql), _original(self, sql, params))[1],
        )
    as_tables = {group: TABLES["assessments" if group == "ratings" else group] for group in GROUPS}
    known = {table for tables in TABLES.values() for table in tables}
    for name, call in calls.items():
        allowed = {table for group in (*SHARED_GROUPS, *readers[name].reads) for table in as_tables[group]}
        statements.clear()
        call()
        assert statements, name
        read = set().union(*map(_tables_of, statements))
        assert read <= known, (name, read - known)
        assert read <= allowed, (name, read - allowed)
