"""Goals: validation (with nothing stored), append-only history, pace by hand, access, figures and demo goals.

The hand-made program:

    fellows  Fiona First, Gus Second; Mel Both is a mentor who is also a fellow
    mentors  Mona Alpha (pair with Fiona; Fiona shares goals with her in tests that say so),
             Max Beta (pair with Fiona, nothing shared)
    director Dana Director

The pace fixture: a count goal of 10, started 2026-01-01, target 2026-12-31 (364 days). On 2026-07-02
(182 days in) the straight line is at 50%: 5 is on track, 2 behind (20%), 8 ahead (80%); 6 (+10) and
4 (-10) are still on track.
"""

import shutil
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from analytics.errors import AccessDenied, InputError
from analytics.goals import (
    DEFAULT_CATEGORIES,
    add_checkin,
    change_status,
    create_goal,
    goal_categories,
    goal_history,
    goals_behind,
    goals_due,
    goals_of,
    goals_summary,
    mentees_goals_behind,
    milestones_of,
    parse_milestone_lines,
)
from analytics.people import Viewer, load_viewer
from analytics.store import Store
from charts.goals import goal_progress, goals_timeline
from charts.style import PACE_COLOURS
from demo import goals as demo_goals
from tests.conftest import NOW, TODAY

pytestmark = pytest.mark.both_backends  # store, access and write tests run on DuckDB and PostgreSQL

START = date(2026, 1, 1)
END = date(2026, 12, 31)
MID = date(2026, 7, 2)  # day 182 of 364
GOAL_TABLES = ("goals", "goal_milestones", "goal_checkins", "goal_status_changes", "action_item_changes")

PEOPLE = {
    "fiona": ("Fiona First", ["fellow"]),
    "gus": ("Gus Second", ["fellow"]),
    "mel": ("Mel Both", ["fellow", "mentor"]),
    "mona": ("Mona Alpha", ["mentor"]),
    "max": ("Max Beta", ["mentor"]),
    "dana": ("Dana Director", ["director"]),
}


class World:
    def __init__(self, store: Store):
        self.store = store
        self.ids: dict[str, int] = {}

        def work(cur):
            self.ids["program"] = cur.execute(
                "INSERT INTO programs (name, created_at) VALUES ('Test program', ?) RETURNING program_id", [NOW]
            ).fetchone()[0]
            for key, (name, roles) in PEOPLE.items():
                self.ids[key] = cur.execute(
                    "INSERT INTO people (program_id, full_name, email, created_at) VALUES (?, ?, ?, ?) RETURNING person_id",
                    [self.ids["program"], name, f"{key}@example.org", NOW],
                ).fetchone()[0]
                cur.executemany("INSERT INTO person_roles VALUES (?, ?)", [[self.ids[key], role] for role in roles])
            for mentor in ("mona", "max"):
                cur.execute(
                    "INSERT INTO pairs (program_id, mentor_id, mentee_id, domain, started_on) VALUES (?, ?, ?, 'research', ?)",
                    [self.ids["program"], self.ids[mentor], self.ids["fiona"], date(2025, 7, 1)],
                )

        store.write(work)

    def viewer(self, who: str) -> Viewer:
        return load_viewer(self.store, self.ids[who])

    def counts(self) -> dict[str, int]:
        return {table: self.store.query_one("SELECT count(*) FROM " + table)[0] for table in GOAL_TABLES}

    def share(self, mentee: str, mentor: str, shared: bool, at: datetime = NOW) -> None:
        self.store.write(
            lambda cur: cur.execute(
                "INSERT INTO sharing_choices VALUES (?, ?, 'goals', ?, ?)", [self.ids[mentee], self.ids[mentor], shared, at]
            )
        )


@pytest.fixture
def world(store) -> World:
    return World(store)


def new_goal(world: World, who="fiona", today=TODAY, **changes) -> int:
    arguments = dict(
        title="Submit first-author abstract to ASH",
        category="research",
        measure="percent",
        target_value=None,
        target_date=today + timedelta(days=200),
        today=today,
        now=NOW,
    )
    arguments.update(changes)
    return create_goal(world.store, world.viewer(who), **arguments)


def count_goal(world: World, target=10, started=START, due=END) -> int:
    return new_goal(
        world, title="10 abstracts", measure="count", target_value=target, unit="abstracts", today=started, target_date=due
    )


# ---------------------------------------------------------------- creating a goal


def test_a_fellow_creates_a_goal_with_milestones(world):
    milestones = [("Finish the analysis", TODAY + timedelta(days=30)), {"title": "Draft to mentor", "due_on": None}]
    goal_id = new_goal(world, milestones=milestones)
    row = world.store.query_one(
        "SELECT owner_id, measure, target_value, start_value, started_on, unit FROM goals WHERE goal_id = ?", [goal_id]
    )
    assert row == (world.ids["fiona"], "percent", 100.0, 0.0, TODAY, None)
    steps = milestones_of(world.store, world.viewer("fiona"), goal_id)
    assert list(steps["title"]) == ["Finish the analysis", "Draft to mentor"]
    assert steps["due_on"].iloc[0] == TODAY + timedelta(days=30)
    assert pd.isna(steps["due_on"].iloc[1])


def test_a_smart_goal_keeps_why_it_matters_how_it_is_measured_and_whether_it_is_a_stretch(world):
    goal_id = new_goal(
        world,
        why_it_matters="  An abstract at ASH makes the case for a K award. ",
        how_measured="Done when it is submitted.",
        stretch=True,
    )
    plain = new_goal(world, title="Read 12 books")
    stored = world.store.query_all(
        "SELECT why_it_matters, how_measured, stretch FROM goals WHERE goal_id IN (?, ?) ORDER BY goal_id", [goal_id, plain]
    )
    assert stored == [
        ("An abstract at ASH makes the case for a K award.", "Done when it is submitted.", True),
        (None, None, False),
    ]
    goals = goals_of(world.store, world.viewer("fiona"), world.ids["fiona"], TODAY).set_index("goal_id")
    assert goals.loc[goal_id, "why_it_matters"] == "An abstract at ASH makes the case for a K award."
    assert goals.loc[goal_id, "how_measured"] == "Done when it is submitted."
    assert list(goals.loc[[goal_id, plain], "stretch"]) == [True, False]


def test_a_goal_stored_before_the_smart_fields_reads_as_not_a_stretch(world):
    goal_id = new_goal(world)
    world.store.write(
        lambda cur: cur.execute("UPDATE goals SET stretch = NULL WHERE goal_id = ?", [goal_id])  # as migration 007 left it
    )
    [goal] = goals_of(world.store, world.viewer("fiona"), world.ids["fiona"], TODAY).to_dict("records")
    assert goal["stretch"] is not None and not goal["stretch"]
    assert goal["why_it_matters"] is None and goal["how_measured"] is None


def test_a_count_goal_keeps_its_target_and_unit(world):
    goal_id = new_goal(world, title="3 abstracts", measure="count", target_value=3, unit=" abstracts ")
    assert world.store.query_one("SELECT target_value, unit FROM goals WHERE goal_id = ?", [goal_id]) == (3.0, "abstracts")


@pytest.mark.parametrize(
    "changes, message",
    [
        (dict(title="   "), "Give the goal a title"),
        (dict(title="x" * 201), "keep it to 200"),
        (dict(title="bad\x07title"), "control characters"),
        (dict(category="hobbies"), "'hobbies' is not a goal category"),
        (dict(category="social"), "not a goal category"),  # a mentor domain, not a goal category
        (dict(measure="ratio"), "Choose how done is measured"),
        (dict(target_date=TODAY), "The target date must be in the future"),
        (dict(target_date=TODAY - timedelta(days=1)), "The target date must be in the future"),
        (dict(target_value=50), "done at 100%"),
        (dict(measure="count", target_value=0), "from 1 to 10,000"),
        (dict(measure="count", target_value=10_001), "from 1 to 10,000"),
        (dict(measure="count", target_value=2.5), "whole number"),
        (dict(measure="count", target_value=None), "whole number"),
        (dict(milestones=[("", TODAY + timedelta(days=5))]), "Milestone 1 has no title"),
        (dict(milestones=[("Early", TODAY - timedelta(days=1))]), "between today and the target date"),
        (dict(milestones=[("Late", TODAY + timedelta(days=201))]), "between today and the target date"),
        (dict(milestones=[(f"Step {n}", None) for n in range(21)]), "at most 20 milestones"),
        (dict(why_it_matters="x" * 501), "Why it matters is 501 characters long; keep it to 500"),
        (dict(why_it_matters="bad\x00why"), "Why it matters contains control characters"),
        (dict(how_measured="x" * 501), "How it will be measured is 501 characters long; keep it to 500"),
        (dict(how_measured="esc\x1b"), "How it will be measured contains control characters"),
        (dict(how_measured=["a list"]), "How it will be measured must be text"),
        (dict(stretch="yes"), "stretch goal: yes or no"),
        (dict(stretch=None), "stretch goal: yes or no"),
    ],
)
def test_a_bad_goal_gets_a_clear_message_and_nothing_is_stored(world, changes, message):
    changes = dict(changes)  # a copy: the parameter's dict is shared by this test's run on each backend
    before = world.counts()
    with pytest.raises(InputError, match=message):
        new_goal(world, milestones=changes.pop("milestones", [("Fine", TODAY + timedelta(days=10))]), **changes)
    assert world.counts() == before


def test_twenty_milestones_are_allowed(world):
    goal_id = new_goal(world, milestones=[(f"Step {n}", None) for n in range(20)])
    assert len(milestones_of(world.store, world.viewer("fiona"), goal_id)) == 20


def test_only_a_fellow_sets_goals_and_a_mentor_who_is_a_fellow_may(world):
    for who in ("mona", "dana"):
        with pytest.raises(AccessDenied):
            new_goal(world, who=who)
    goal_id = new_goal(world, who="mel")
    assert world.store.query_one("SELECT owner_id FROM goals WHERE goal_id = ?", [goal_id])[0] == world.ids["mel"]


def test_a_program_s_own_categories_replace_the_defaults(world):
    assert goal_categories(world.store, world.ids["program"]) == DEFAULT_CATEGORIES
    world.store.write(
        lambda cur: cur.executemany(
            "INSERT INTO goal_categories (program_id, category) VALUES (?, ?)",
            [[world.ids["program"], c] for c in ("teaching", "quality improvement")],
        )
    )
    assert goal_categories(world.store, world.ids["program"]) == ("quality improvement", "teaching")
    new_goal(world, category="teaching")
    with pytest.raises(InputError, match="not a goal category"):
        new_goal(world, category="research")


def action_item_of(world: World, who: str) -> int:
    """An action item "Write it" (of meeting 1) that `who` owns."""
    return world.store.write(
        lambda cur: cur.execute(
            "INSERT INTO action_items (meeting_id, text, owner_id, created_at) VALUES (1, 'Write it', ?, ?) RETURNING action_id",
            [world.ids[who], NOW],
        ).fetchone()[0]
    )


def test_an_action_item_of_someone_else_cannot_become_my_goal(world):
    action_id = action_item_of(world, "gus")
    before = world.counts()
    with pytest.raises(InputError, match="action item of your own"):
        new_goal(world, from_action_id=action_id)
    assert world.counts() == before


def test_an_action_item_becomes_a_goal_in_the_same_write(world):
    action_id = action_item_of(world, "fiona")
    goal_id = new_goal(world, from_action_id=action_id)
    assert world.store.query_one("SELECT from_action_id FROM goals WHERE goal_id = ?", [goal_id])[0] == action_id
    assert world.store.query_all("SELECT action_id, status, goal_id FROM action_item_changes") == [(action_id, "goal", goal_id)]


def test_milestone_lines_are_parsed():
    assert parse_milestone_lines("Draft; 2027-01-15\n\n  Submit  \n") == [("Draft", date(2027, 1, 15)), ("Submit", None)]
    with pytest.raises(InputError, match="line 1: '15/01/2027' is not a date"):
        parse_milestone_lines("Draft; 15/01/2027")
    with pytest.raises(InputError, match="Up to 5"):
        parse_milestone_lines("\n".join(f"Step {n}" for n in range(6)), limit=5)


# ---------------------------------------------------------------- check-ins


def checkin(world, goal_id, value, on, note=None, who="fiona", today=TODAY):
    add_checkin(world.store, world.viewer(who), goal_id, value, on, note, today, NOW)


@pytest.mark.parametrize(
    "value, on, note, message",
    [
        (101, MID, None, "101 is more than 10 times the target of 10 abstracts"),
        (3, MID, None, "explain a step back in a note"),
        (5, TODAY + timedelta(days=1), None, "cannot be dated in the future"),
        (5, START - timedelta(days=1), None, "before the goal started"),
        (5, date(2026, 3, 1), None, "cannot be dated before it"),
        (-1, MID, None, "cannot be below 0"),
        ("five", MID, None, "must be a number"),
        (4.5, MID, None, "whole numbers; 4.5 is not one"),
        (5, MID, "x" * 501, "keep it to 500"),
    ],
)
def test_a_bad_check_in_gets_a_clear_message_and_nothing_is_stored(world, value, on, note, message):
    goal_id = count_goal(world)
    checkin(world, goal_id, 4, date(2026, 4, 1))
    before = world.counts()
    with pytest.raises(InputError, match=message):
        checkin(world, goal_id, value, on, note)
    assert world.counts() == before


def test_a_step_back_with_a_note_is_kept_and_reaching_the_target_does_not_complete(world):
    goal_id = count_goal(world)
    checkin(world, goal_id, 4, date(2026, 4, 1))
    checkin(world, goal_id, 3, date(2026, 5, 1), note="One abstract was withdrawn.")
    checkin(world, goal_id, 10, date(2026, 6, 1))
    goal = goals_of(world.store, world.viewer("fiona"), world.ids["fiona"], MID).iloc[0]
    assert goal["status"] == "active" and goal["latest_value"] == 10 and goal["percent_done"] == 100
    history = goal_history(world.store, world.viewer("fiona"), goal_id)
    assert list(history["kind"]) == ["start", "check-in", "check-in", "check-in"]
    assert list(history["value"]) == [0, 4, 3, 10]
    assert history["note"].iloc[2] == "One abstract was withdrawn."


def test_a_percent_goal_takes_up_to_ten_times_its_target(world):
    goal_id = new_goal(world)
    checkin(world, goal_id, 1000, TODAY)
    before = world.counts()
    with pytest.raises(InputError, match="1001 is more than 10 times the target of 100%"):
        checkin(world, goal_id, 1001, TODAY)
    assert world.counts() == before


@pytest.mark.parametrize(
    "value, on, pace",
    [
        (12, MID, "ahead"),  # 120% done where the line is at 50%
        (10, date(2027, 1, 1), "on track"),  # reached, after the target date: the line stops at 100%
        (11, date(2027, 1, 1), "on track"),  # 110% after the target date
        (13, date(2027, 1, 1), "ahead"),
    ],
)
def test_a_check_in_above_the_target_is_stored_and_never_behind(world, value, on, pace):
    goal_id = count_goal(world)
    checkin(world, goal_id, value, on, today=on)
    assert world.store.query_all("SELECT value FROM goal_checkins WHERE goal_id = ?", [goal_id]) == [(float(value),)]
    [goal] = goals_of(world.store, world.viewer("fiona"), world.ids["fiona"], on).to_dict("records")
    assert goal["percent_done"] == value * 10  # not capped: 12 of 10 is 120% done
    assert goal["pace"] == pace
    assert goals_behind(world.store, world.viewer("fiona"), world.ids["fiona"], on).empty


def test_a_check_in_above_the_target_is_drawn_above_the_target_line(world):
    history, goal, _ = pace_goal(world, 12)
    figure = goal_progress(history, goal)
    assert [trace.name for trace in figure.data] == [
        "On-track line (start to target)",
        "Target: 10 abstracts",
        "Progress",
        "Above the target",
        "Now: ahead",
    ]
    assert list(figure.data[3].y) == [12]
    assert figure.layout.yaxis.range[1] > 12  # the point is inside the chart, above the target line at 10
    assert "ahead: 120% done, 50% expected" in figure.layout.annotations[0].text


def test_only_the_owner_checks_in_or_changes_status(world):
    goal_id = count_goal(world)
    world.share("fiona", "mona", True)
    before = world.counts()
    for who in ("gus", "mona"):
        with pytest.raises(AccessDenied):
            checkin(world, goal_id, 1, MID, who=who)
        with pytest.raises(AccessDenied):
            change_status(world.store, world.viewer(who), goal_id, "paused", None, MID, NOW)
    assert world.counts() == before


def test_paused_completed_and_dropped_goals_take_no_check_ins(world):
    goal_id = count_goal(world)
    fiona = world.viewer("fiona")
    change_status(world.store, fiona, goal_id, "paused", None, MID, NOW)
    with pytest.raises(InputError, match="resume it first"):
        checkin(world, goal_id, 1, MID)
    change_status(world.store, fiona, goal_id, "completed", None, MID, NOW + timedelta(minutes=1))
    with pytest.raises(InputError, match="completed"):
        checkin(world, goal_id, 1, MID)


# ---------------------------------------------------------------- status changes


def test_status_changes_are_appended_and_the_history_is_kept(world):
    goal_id = count_goal(world)
    fiona = world.viewer("fiona")
    checkin(world, goal_id, 2, date(2026, 3, 1))
    change_status(world.store, fiona, goal_id, "paused", "Away on leave", date(2026, 3, 2), NOW)
    change_status(world.store, fiona, goal_id, "active", None, date(2026, 4, 2), NOW + timedelta(minutes=1))
    checkin(world, goal_id, 6, date(2026, 5, 1))
    change_status(world.store, fiona, goal_id, "completed", None, date(2026, 5, 2), NOW + timedelta(minutes=2))
    assert world.counts()["goal_status_changes"] == 3
    assert world.counts()["goal_checkins"] == 2
    history = goal_history(world.store, fiona, goal_id)
    assert list(history["kind"]) == ["start", "check-in", "status", "status", "check-in", "status"]
    assert list(history["status"]) == ["active", "active", "paused", "active", "active", "completed"]
    assert list(history["value"]) == [0, 2, 2, 2, 6, 6]
    goal = goals_of(world.store, fiona, world.ids["fiona"], MID).iloc[0]
    assert goal["status"] == "completed" and goal["pace"] == "completed"


@pytest.mark.parametrize(
    "steps, status, note, message",
    [
        ([], "dropped", None, "why the goal is dropped"),
        ([], "dropped", "   ", "why the goal is dropped"),
        ([], "active", None, "already active"),
        ([("paused", None)], "paused", None, "already paused"),
        ([("completed", None)], "paused", None, "can only be reopened"),
        ([("dropped", "No data")], "completed", None, "can only be reopened"),
        ([], "finished", None, "Choose completed"),
    ],
)
def test_a_bad_status_change_is_refused_and_nothing_is_stored(world, steps, status, note, message):
    goal_id = count_goal(world)
    for step, step_note in steps:
        change_status(world.store, world.viewer("fiona"), goal_id, step, step_note, MID, NOW)
    before = world.counts()
    with pytest.raises(InputError, match=message):
        change_status(world.store, world.viewer("fiona"), goal_id, status, note, MID, NOW + timedelta(minutes=5))
    assert world.counts() == before


def test_a_dropped_goal_keeps_its_note_and_can_be_reopened(world):
    goal_id = count_goal(world)
    fiona = world.viewer("fiona")
    change_status(world.store, fiona, goal_id, "dropped", "The study closed.", MID, NOW)
    change_status(world.store, fiona, goal_id, "active", None, MID, NOW + timedelta(minutes=1))
    rows = world.store.query_all("SELECT status, note FROM goal_status_changes ORDER BY recorded_at")
    assert rows == [("dropped", "The study closed."), ("active", None)]


# ---------------------------------------------------------------- pace


@pytest.mark.parametrize(
    "value, pace", [(5, "on track"), (2, "behind"), (8, "ahead"), (6, "on track"), (4, "on track"), (3, "behind"), (7, "ahead")]
)
def test_pace_against_the_straight_line(world, value, pace):
    goal_id = count_goal(world)
    checkin(world, goal_id, value, date(2026, 6, 1), today=MID)
    goal = goals_of(world.store, world.viewer("fiona"), world.ids["fiona"], MID).iloc[0]
    assert goal["goal_id"] == goal_id
    assert goal["expected_percent_today"] == 50.0  # 182 of 364 days
    assert goal["percent_done"] == value * 10
    assert goal["pace"] == pace
    assert goal["days_left"] == 182
    assert not goal["due_soon"] and not goal["overdue"]


def test_a_goal_without_check_ins_is_at_its_start(world):
    count_goal(world)
    goal = goals_of(world.store, world.viewer("fiona"), world.ids["fiona"], date(2026, 1, 20)).iloc[0]
    assert goal["latest_value"] == 0 and goal["checkins"] == 0
    assert goal["expected_percent_today"] == round(100 * 19 / 364, 1)  # 5.2: within 10 points
    assert goal["pace"] == "on track"


def test_due_soon_overdue_and_the_summary(world):
    fiona = world.viewer("fiona")
    soon = count_goal(world, due=date(2026, 7, 30))  # 28 days after MID
    late = count_goal(world, due=date(2026, 6, 30))  # 2 days before MID
    later = count_goal(world)  # on its way, behind
    done = count_goal(world, due=date(2026, 6, 1))
    checkin(world, soon, 9, date(2026, 7, 1), today=MID)  # 90% where 182/210 = 86.7%: on track
    checkin(world, late, 7, date(2026, 6, 1), today=MID)
    checkin(world, later, 1, date(2026, 6, 1), today=MID)
    change_status(world.store, fiona, done, "completed", None, date(2026, 5, 30), NOW)
    goals = goals_of(world.store, fiona, world.ids["fiona"], MID).set_index("goal_id")
    assert goals.loc[soon, ["due_soon", "overdue", "pace", "days_left"]].tolist() == [True, False, "on track", 28]
    assert goals.loc[late, ["due_soon", "overdue", "pace", "days_left"]].tolist() == [False, True, "behind", -2]
    assert goals.loc[done, ["due_soon", "overdue", "pace"]].tolist() == [False, False, "completed"]
    assert goals_summary(world.store, fiona, world.ids["fiona"], MID) == {
        "active": 3,
        "due_soon": 1,
        "overdue": 1,
        "behind": 2,
        "completed": 1,
    }
    assert list(goals_due(world.store, fiona, world.ids["fiona"], MID)["goal_id"]) == [late, soon]
    behind = goals_behind(world.store, fiona, world.ids["fiona"], MID)
    assert list(behind["goal_id"]) == [later, late]  # 50 - 10 = 40 points behind, then 100 - 70 = 30
    assert list(behind["points_behind"]) == [40.0, 30.0]


# ---------------------------------------------------------------- access


def test_another_fellow_and_a_director_see_none_of_my_goals(world):
    goal_id = count_goal(world)
    for who in ("gus", "dana"):
        with pytest.raises(AccessDenied):
            goals_of(world.store, world.viewer(who), world.ids["fiona"], MID)
        with pytest.raises(AccessDenied):
            goal_history(world.store, world.viewer(who), goal_id)
        with pytest.raises(AccessDenied):
            milestones_of(world.store, world.viewer(who), goal_id)
        with pytest.raises(AccessDenied):
            goals_summary(world.store, world.viewer(who), world.ids["fiona"], MID)


def test_a_mentor_sees_goals_only_where_the_mentee_shares_them(world):
    goal_id = count_goal(world)
    checkin(world, goal_id, 2, date(2026, 6, 1), today=MID)
    with pytest.raises(AccessDenied):
        goals_of(world.store, world.viewer("mona"), world.ids["fiona"], MID)
    world.share("fiona", "mona", True)
    seen = goals_of(world.store, world.viewer("mona"), world.ids["fiona"], MID)
    assert list(seen["goal_id"]) == [goal_id]
    assert len(goal_history(world.store, world.viewer("mona"), goal_id)) == 2
    with pytest.raises(AccessDenied):  # shared with Mona, not with Max
        goals_of(world.store, world.viewer("max"), world.ids["fiona"], MID)
    behind = mentees_goals_behind(world.store, world.viewer("mona"), MID)
    assert list(behind["mentee"]) == ["Fiona First"] and list(behind["goal_id"]) == [goal_id]
    assert mentees_goals_behind(world.store, world.viewer("max"), MID).empty
    world.share("fiona", "mona", False, at=NOW + timedelta(minutes=1))  # withdrawn
    with pytest.raises(AccessDenied):
        goals_of(world.store, world.viewer("mona"), world.ids["fiona"], MID)


def test_an_unknown_goal_is_not_shown(world):
    with pytest.raises(AccessDenied):
        goal_history(world.store, world.viewer("fiona"), 999)


# ---------------------------------------------------------------- figures


def pace_goal(world, value) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
    goal_id = count_goal(world)
    checkin(world, goal_id, value, date(2026, 6, 1), today=MID)
    goals = goals_of(world.store, world.viewer("fiona"), world.ids["fiona"], MID)
    return goal_history(world.store, world.viewer("fiona"), goal_id), goals.iloc[0], goals


def test_goal_progress_draws_progress_the_on_track_line_and_the_target(world):
    history, goal, _ = pace_goal(world, 8)
    figure = goal_progress(history, goal)
    assert [trace.name for trace in figure.data] == [
        "On-track line (start to target)",
        "Target: 10 abstracts",
        "Progress",
        "Now: ahead",
    ]
    line, target, progress, now = figure.data
    assert [pd.Timestamp(x).date() for x in line.x] == [START, END] and list(line.y) == [0, 10]
    assert list(target.y) == [10, 10] and target.line.dash == "dot"
    assert list(progress.y) == [0, 8]
    assert list(now.text) == ["ahead"] and now.marker.color == PACE_COLOURS["ahead"]
    assert "ahead: 80% done, 50% expected" in figure.layout.annotations[0].text


def test_goal_progress_escapes_a_title_typed_with_tags(world):
    goal_id = new_goal(world, title="<b>Big</b> goal")
    goal = goals_of(world.store, world.viewer("fiona"), world.ids["fiona"], TODAY).iloc[0]
    figure = goal_progress(goal_history(world.store, world.viewer("fiona"), goal_id), goal)
    assert figure.layout.title.text == "&lt;b&gt;Big&lt;/b&gt; goal"


def test_goals_timeline_has_a_bar_per_goal_coloured_and_labelled_by_pace_and_a_line_at_today(world):
    pace_goal(world, 2)
    other = count_goal(world, due=date(2026, 9, 30))
    checkin(world, other, 8, date(2026, 6, 1), today=MID)
    goals = goals_of(world.store, world.viewer("fiona"), world.ids["fiona"], MID)
    figure = goals_timeline(goals, MID)
    bars = [trace for trace in figure.data if trace.type == "bar"]
    assert sorted(trace.name for trace in bars) == ["ahead", "behind"]
    for trace in bars:
        assert trace.marker.color == PACE_COLOURS[trace.name]
        assert all(text.startswith(trace.name) for text in trace.text)
    behind = next(trace for trace in bars if trace.name == "behind")
    assert pd.Timestamp(behind.base[0]).date() == START
    assert behind.x[0] == pytest.approx((END - START).days * 86_400_000)
    assert len(figure.data) == 3  # two pace groups and the progress diamonds
    [today_line] = figure.layout.shapes
    assert pd.Timestamp(today_line.x0).date() == MID
    assert figure.layout.annotations[0].text == "today"


def test_goals_timeline_of_no_goals_is_empty_but_drawn():
    empty = pd.DataFrame(columns=["goal_id", "title", "started_on", "target_date", "pace", "percent_done"])
    figure = goals_timeline(empty, TODAY)
    assert len(figure.data) == 0 and len(figure.layout.shapes) == 1


# ---------------------------------------------------------------- demo goals


def demo_goals_in(path) -> tuple[dict, list, list, list, list, Store]:
    store = Store(path)
    program_id = store.query_one("SELECT program_id FROM programs")[0]
    fellows = [row[0] for row in store.query_all("SELECT person_id FROM person_roles WHERE role = 'fellow' ORDER BY person_id")]
    pairs = store.query_df("SELECT * FROM pairs ORDER BY pair_id")
    demo_fellow = store.query_one("SELECT person_id FROM people WHERE email = 'fellow@demo.org'")[0]
    rng = np.random.default_rng(11)

    def work(cur):
        # The demo program already has its own goals: start from none.
        cur.execute("DELETE FROM goals; DELETE FROM goal_checkins; DELETE FROM goal_status_changes; DELETE FROM goal_milestones")
        return demo_goals.generate(cur, rng, program_id, fellows, pairs, TODAY, demo_fellow)

    summary = store.write(work)
    tables = [
        store.query_all("SELECT * FROM goals ORDER BY goal_id"),
        store.query_all("SELECT * FROM goal_checkins ORDER BY ALL"),
        store.query_all("SELECT * FROM goal_status_changes ORDER BY ALL"),
        store.query_all("SELECT * FROM goal_milestones ORDER BY ALL"),
    ]
    return summary, *tables, store


@pytest.fixture(scope="module")
def demo_with_goals(tmp_path_factory, request):
    template = request.getfixturevalue("demo_template")
    path = tmp_path_factory.mktemp("demo-goals") / "demo.duckdb"
    shutil.copy(template, path)
    result = demo_goals_in(path)
    yield result
    result[-1].close()


def test_demo_goals_are_the_same_with_the_same_seed(demo_with_goals, demo_template, tmp_path):
    path = tmp_path / "again.duckdb"
    shutil.copy(demo_template, path)
    *again, store = demo_goals_in(path)
    store.close()
    assert again == list(demo_with_goals[:-1])


def test_demo_goals_cover_every_kind_of_story_and_no_date_is_after_today(demo_with_goals):
    summary, *_, store = demo_with_goals
    assert summary["goals"] > 0 and summary["checkins"] > 0 and summary["milestones"] > 0
    per_fellow = store.query_all(
        "SELECT count(g.goal_id) FROM person_roles r LEFT JOIN goals g ON g.owner_id = r.person_id "
        "WHERE r.role = 'fellow' GROUP BY r.person_id"
    )
    assert all(1 <= n <= 4 for (n,) in per_fellow)
    assert store.query_one("SELECT max(checked_on) FROM goal_checkins")[0] <= TODAY
    assert store.query_one("SELECT max(changed_on) FROM goal_status_changes")[0] <= TODAY
    assert store.query_one("SELECT max(started_on) FROM goals")[0] <= TODAY
    assert store.query_one("SELECT max(recorded_at) FROM goal_checkins")[0].date() <= TODAY
    assert (
        store.query_one("SELECT count(*) FROM goal_checkins c JOIN goals g USING (goal_id) WHERE c.checked_on < g.started_on")[0]
        == 0
    )
    above = store.query_all(
        "SELECT g.measure, c.note, g.stretch FROM goal_checkins c JOIN goals g USING (goal_id) WHERE c.value > g.target_value"
    )
    assert above and {measure for measure, *_ in above} == {"count"}  # more abstracts than planned, never 120% of a paper
    assert {note for _, note, _ in above} == {demo_goals.ABOVE_TARGET_NOTE, None}  # None: the demo fellow's 4 of 3
    assert store.query_one("SELECT count(*) FROM goals WHERE why_it_matters IS NULL OR how_measured IS NULL")[0] == 0
    stretch, goals = store.query_one("SELECT count(*) FILTER (WHERE stretch), count(*) FROM goals")
    assert 0 < stretch < goals / 2
    statuses = dict(store.query_all("SELECT status, count(*) FROM goal_status_changes GROUP BY ALL"))
    assert statuses["completed"] > 0 and statuses["dropped"] > 0 and statuses["paused"] == 1
    assert store.query_one("SELECT count(*) FROM goal_status_changes WHERE status = 'dropped' AND note IS NULL")[0] == 0
    paces = []
    for (fellow,) in store.query_all("SELECT person_id FROM person_roles WHERE role = 'fellow'"):
        paces += list(goals_of(store, load_viewer(store, fellow), fellow, TODAY)["pace"])
    assert {"ahead", "on track", "behind", "completed", "dropped", "paused"} <= set(paces)


def test_the_demo_fellow_has_a_goal_behind_one_ahead_and_one_due_soon(demo_with_goals):
    store = demo_with_goals[-1]
    fellow = store.query_one("SELECT person_id FROM people WHERE email = 'fellow@demo.org'")[0]
    goals = goals_of(store, load_viewer(store, fellow), fellow, TODAY)
    assert len(goals) == 3
    assert {"behind", "ahead"} <= set(goals["pace"])
    assert goals["due_soon"].sum() == 1
    by_title = goals.set_index("title")
    assert by_title.loc["3 abstracts", "percent_done"] > 100 and by_title.loc["3 abstracts", "pace"] == "ahead"
    assert list(goals.loc[goals["stretch"], "title"]) == ["Apply for a K08 grant"]
