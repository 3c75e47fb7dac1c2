"""Shared by the bad-input tests: a snapshot of every table (so "nothing changed" is a real check),
the demo program's cast, hostile texts, and what a clear message looks like."""

import shutil
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from analytics.instruments import Catalogue, load_catalogue
from analytics.people import Viewer, load_viewer
from analytics.registry import register_catalogue
from analytics.store import Store
from tests.conftest import NOW, TODAY

# ---------------------------------------------------------------- snapshots


def table_names(store: Store) -> list[str]:
    rows = store.query_all(
        "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema = 'main' "
        "ORDER BY table_name"
    )
    return [row[0] for row in rows]


def snapshot(store: Store) -> dict[str, tuple[int, int]]:
    """Every table's row count and a checksum of all its rows (the sum of each whole row's hash).

    A changed value in any column of any row, an added or a removed row changes the table's entry.
    """
    names = table_names(store)
    sql = " UNION ALL ".join(
        f"SELECT '{name}' AS name, count(*) AS n, coalesce(sum(hash(t)::HUGEINT), 0) AS checksum FROM \"{name}\" t"
        for name in names
    )
    return {name: (int(n), int(checksum)) for name, n, checksum in store.query_all(sql)}


_last: dict[int, tuple[int, dict]] = {}


def snapshot_before(store: Store) -> dict[str, tuple[int, int]]:
    """The snapshot as `snapshot` gives it, reused while no write was committed since (Store.commits counts them all).

    For "before" only: a write that bypassed Store.write would not bump the version, but the fresh
    "after" snapshot of that write's own check would already have caught it.
    """
    cached = _last.get(id(store))
    if cached is None or cached[0] != store.commits:
        cached = _last[id(store)] = (store.commits, snapshot(store))
    return cached[1]


def remember_snapshot(store: Store, taken: dict) -> dict:
    _last[id(store)] = (store.commits, taken)
    return taken


def changed_tables(before: dict, after: dict) -> set[str]:
    """The tables whose rows differ. The change counters (analytics/changes.py) move with every stored write, so
    beside a stored record they are left out; counters that moved with nothing else stored are a change."""
    changed = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
    return changed - {"change_counters"} if changed - {"change_counters"} else changed


# ---------------------------------------------------------------- messages

_INTERNALS = ("Traceback", "duckdb", "Exception", "Error:", "Binder", "Conversion", "Constraint", "None", "nan")
MAX_MESSAGE = 400


def assert_clear_message(error: BaseException) -> str:
    """A sentence fit to show a person: one line, not long, ends like a sentence, no internals or control characters."""
    message = str(error)
    assert message.strip(), f"{type(error).__name__} without a message"
    assert len(message) <= MAX_MESSAGE, f"a {len(message):,}-character message: {message[:120]!r}..."
    assert not any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in message), f"control characters in {message!r}"
    assert message[-1] in ".?!)'\u201d", f"not a sentence: {message!r}"
    assert not any(word in message for word in _INTERNALS), f"internals in {message!r}"
    return message


# ---------------------------------------------------------------- hostile but valid text (stored exactly as typed)

HOSTILE_TEXTS = {
    "html-script": "<script>alert('x')</script> <b>bold</b>",
    "html-img": '<img src=x onerror="alert(1)">',
    "markdown-link": "[click me](javascript:alert(1)) and [ok](https://example.org) **bold** `code` # heading",
    "streamlit-markup": ":red[red] :material/home: $x^2$ <!-- comment -->",
    "sql": "Robert'); DROP TABLE goals; -- ' OR '1'='1",
    "rtl": "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 \u202eevil\u202c mixed",
    "emoji": "Goal \U0001f680\U0001f469\u200d\U0001f52c\U0001f3fd done \u2705",
    "combining": "Zal\u0301go\u0336 cafe\u0301 \ufb01",
    "quotes": "\"double\" 'single' \\ backslash ; semicolon , comma",
}

# Text with a control character that no form accepts (tabs and line breaks are fine in notes).
CONTROL_TEXTS = ["nul\x00byte", "escape \x1b[31mred", "delete\x7f", "bell\x07", "form\x0cfeed"]
HUGE_TEXT = "x" * 100_000
FAR_PAST = date(1, 1, 1)
FAR_FUTURE = date(9999, 12, 31)

# ---------------------------------------------------------------- the demo program's cast


@dataclass
class World:
    """The demo program with the people and records the bad inputs aim at."""

    store: Store
    catalogue: Catalogue
    fellow: Viewer  # fellow@demo.org
    mentor: Viewer  # mentor@demo.org, the fellow's mentor in `pair_id`
    director: Viewer
    other_fellow: Viewer
    pair_id: int
    other_pair_id: int  # a pair neither of them belongs to
    goal_id: int  # an active percentage goal of the fellow
    count_goal_id: int | None
    meeting_id: int  # a past meeting of `pair_id`
    action_id: int | None  # an open action item of `pair_id`
    agreement_id: int | None  # the latest agreement of `pair_id`
    cohort_id: int
    today: date = TODAY
    now: datetime = NOW + timedelta(days=1)  # after everything the demo stored


def _viewer(store: Store, email: str) -> Viewer:
    person_id = store.query_one("SELECT person_id FROM people WHERE email = ?", [email])[0]
    viewer = load_viewer(store, person_id)
    assert viewer is not None
    return viewer


def build_world(store: Store) -> World:
    catalogue = register_catalogue(store, load_catalogue(), NOW)
    fellow = _viewer(store, "fellow@demo.org")
    mentor = _viewer(store, "mentor@demo.org")
    director = _viewer(store, "director@demo.org")
    pair_id = store.query_one(
        "SELECT pair_id FROM pairs WHERE mentor_id = ? AND mentee_id = ? AND ended_on IS NULL",
        [mentor.person_id, fellow.person_id],
    )[0]
    other_pair_id, other_fellow_id = store.query_one(
        "SELECT pair_id, mentee_id FROM pairs WHERE mentor_id <> ? AND mentee_id <> ? AND ended_on IS NULL "
        "ORDER BY pair_id LIMIT 1",
        [mentor.person_id, fellow.person_id],
    )
    active_goals = """
        SELECT g.goal_id FROM goals g
        WHERE g.owner_id = ? AND g.measure = ? AND coalesce((
            SELECT status FROM goal_status_changes s WHERE s.goal_id = g.goal_id ORDER BY recorded_at DESC LIMIT 1
        ), 'active') = 'active'
        ORDER BY g.goal_id LIMIT 1
    """
    goal = store.query_one(active_goals, [fellow.person_id, "percent"])
    count_goal = store.query_one(active_goals, [fellow.person_id, "count"])
    meeting_id = store.query_one(
        "SELECT max(meeting_id) FROM meetings WHERE pair_id = ? AND meeting_on <= ?", [pair_id, TODAY - timedelta(days=1)]
    )[0]
    action = store.query_one(
        """
        SELECT a.action_id FROM action_items a JOIN meetings m USING (meeting_id)
        WHERE m.pair_id = ? AND a.action_id NOT IN (SELECT action_id FROM action_item_changes)
        ORDER BY a.action_id LIMIT 1
        """,
        [pair_id],
    )
    agreement = store.query_one("SELECT agreement_id FROM agreements WHERE pair_id = ? ORDER BY version DESC LIMIT 1", [pair_id])
    cohort_id = store.query_one("SELECT min(cohort_id) FROM cohorts WHERE program_id = ?", [director.program_id])[0]
    if goal is None:  # the demo gives the fellow goals; keep the tests independent of which
        from analytics.goals import create_goal

        goal = (
            create_goal(store, fellow, "A goal to aim at", "career", "percent", None, TODAY + timedelta(days=90), TODAY, NOW),
        )
    return World(
        store=store,
        catalogue=catalogue,
        fellow=fellow,
        mentor=mentor,
        director=director,
        other_fellow=load_viewer(store, other_fellow_id),
        pair_id=pair_id,
        other_pair_id=other_pair_id,
        goal_id=goal[0],
        count_goal_id=count_goal[0] if count_goal else None,
        meeting_id=meeting_id,
        action_id=action[0] if action else None,
        agreement_id=agreement[0] if agreement else None,
        cohort_id=cohort_id,
    )


def copy_demo(template: Path, directory: Path) -> Path:
    path = directory / "bad-input-demo.duckdb"
    shutil.copy(template, path)
    return path
