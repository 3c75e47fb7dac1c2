"""Demo goals: 1-4 goals per fellow with check-in histories, milestones and status changes.

Some goals finished early and were completed, some are behind, some were dropped with a note and
one is paused. The demo fellow gets three goals: one behind, one ahead and one due within 30 days.
Only `rng` is used for chance, so the same seed gives the same program; no date is after `today`.
"""

from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd

# (category, title, measure, target, unit, milestones as (title, fraction of the way to the target date))
GOAL_TEMPLATES = (
    (
        "research",
        "Submit first-author abstract to ASH",
        "percent",
        100,
        None,
        (("Finish the data analysis", 0.4), ("Draft shared with mentor", 0.7)),
    ),
    ("research", "3 abstracts", "count", 3, "abstracts", ()),
    ("research", "Submit a first-author manuscript", "percent", 100, None, (("Complete first draft", 0.5),)),
    ("research", "2 papers submitted", "count", 2, "papers", ()),
    (
        "career",
        "Apply for a K08 grant",
        "percent",
        100,
        None,
        (("Specific aims page reviewed", 0.3), ("Full draft to mentors", 0.75)),
    ),
    ("career", "Meet 5 potential faculty mentors", "count", 5, "meetings", ()),
    ("career", "Present at journal club", "count", 4, "presentations", ()),
    ("clinical", "Complete coagulation rotation reading list", "percent", 100, None, ()),
    ("clinical", "Perform 20 bone marrow biopsies independently", "count", 20, "biopsies", ()),
    ("clinical", "Pass the hematology in-training exam review", "percent", 100, None, (("Question bank half done", 0.5),)),
    ("personal", "Run a half marathon", "percent", 100, None, (("Run 10 km without stopping", 0.5),)),
    ("personal", "Read 12 books outside medicine", "count", 12, "books", ()),
)
DROP_NOTES = (
    "The project lost its data source; agreed with my mentor to stop.",
    "Switched to a different research question after the lab meeting.",
    "Rotation schedule changed; this no longer fits this year.",
)
PAUSE_NOTE = "On parental leave; picking this up again in the spring."
STEP_BACK_NOTE = "Reviewer comments sent it back to drafting."
SCENARIOS = ("on track", "ahead", "behind", "completed", "dropped", "overdue")
SCENARIO_WEIGHTS = (0.35, 0.15, 0.15, 0.2, 0.1, 0.05)


def generate(
    cur, rng: np.random.Generator, program_id: int, fellow_ids, pairs: pd.DataFrame, today: date, demo_fellow: int
) -> dict:
    """Insert the demo goals in the caller's transaction; returns counts of what was inserted."""
    first_pair = {}
    if pairs is not None and len(pairs):
        first_pair = {int(k): pd.Timestamp(v).date() for k, v in pairs.groupby("mentee_id")["started_on"].min().items()}
    goals, milestones, checkins, changes = [], [], [], []
    paused_used = False
    for fellow in (int(f) for f in fellow_ids):
        earliest = max(first_pair.get(fellow, today - timedelta(days=540)), today - timedelta(days=540))
        if fellow == demo_fellow:
            plans = _demo_fellow_plans(today)
        else:
            plans = []
            for index in rng.choice(len(GOAL_TEMPLATES), size=int(rng.integers(1, 5)), replace=False):
                scenario = str(rng.choice(SCENARIOS, p=SCENARIO_WEIGHTS))
                if not paused_used and scenario == "on track" and rng.random() < 0.3:
                    scenario, paused_used = "paused", True
                plans.append(_plan(rng, GOAL_TEMPLATES[int(index)], scenario, earliest, today))
        for plan in plans:
            plan["owner_id"] = fellow
            goals.append(plan)
    if not paused_used and goals:
        for plan in goals:
            if plan["scenario"] == "on track" and plan["owner_id"] != demo_fellow:
                plan["scenario"] = "paused"
                break

    goal_ids = cur.execute("SELECT nextval('goal_ids') AS id FROM range(?)", [len(goals)]).fetchnumpy()["id"]
    rows = []
    for goal_id, plan in zip((int(g) for g in goal_ids), goals, strict=True):
        rows.append(
            {
                "goal_id": goal_id,
                "owner_id": plan["owner_id"],
                "title": plan["title"],
                "category": plan["category"],
                "measure": plan["measure"],
                "target_value": float(plan["target"]),
                "unit": plan["unit"],
                "start_value": 0.0,
                "started_on": plan["started_on"],
                "target_date": plan["target_date"],
                "created_at": _at(plan["started_on"], 9),
                "from_action_id": None,
            }
        )
        for position, (title, due_on) in enumerate(plan["milestones"], start=1):
            milestones.append({"goal_id": goal_id, "position": position, "title": title, "due_on": due_on})
        history, status_rows = _history(rng, plan, today)
        checkins += [dict(row, goal_id=goal_id) for row in history]
        changes += [dict(row, goal_id=goal_id) for row in status_rows]

    _insert(cur, "goals", pd.DataFrame(rows))
    _insert(cur, "goal_milestones", pd.DataFrame(milestones, columns=["goal_id", "position", "title", "due_on"]))
    _insert(cur, "goal_checkins", pd.DataFrame(checkins, columns=["goal_id", "checked_on", "value", "note", "recorded_at"]))
    _insert(cur, "goal_status_changes", pd.DataFrame(changes, columns=["goal_id", "status", "note", "changed_on", "recorded_at"]))
    return {"goals": len(rows), "milestones": len(milestones), "checkins": len(checkins), "status_changes": len(changes)}


def _demo_fellow_plans(today: date) -> list[dict]:
    """Three goals with hand-picked dates, so the demo fellow's page shows behind, ahead and due soon."""

    def plan(template_title, scenario, started_days_ago, due_in_days, values):
        category, title, measure, target, unit, steps = next(t for t in GOAL_TEMPLATES if t[1] == template_title)
        started, due = today - timedelta(days=started_days_ago), today + timedelta(days=due_in_days)
        return {
            "owner_id": None,  # set by generate
            "category": category,
            "title": title,
            "measure": measure,
            "target": target,
            "unit": unit,
            "started_on": started,
            "target_date": due,
            "milestones": _steps(steps, started, due, today),
            "scenario": scenario,
            "values": values,  # (days ago, value) fixed rather than drawn
        }

    return [
        # expected 200/360 = 56%; 25% done: behind
        plan("Apply for a K08 grant", "fixed", 200, 160, [(170, 5), (120, 10), (60, 20), (14, 25)]),
        # expected 150/365 = 41%; 2 of 3 = 67%: ahead
        plan("3 abstracts", "fixed", 150, 215, [(100, 1), (30, 2)]),
        # expected 90/111 = 81%; 80% done: on track, due in 21 days
        plan("Complete coagulation rotation reading list", "fixed", 90, 21, [(75, 20), (45, 50), (7, 80)]),
    ]


def _plan(rng, template, scenario: str, earliest: date, today: date) -> dict:
    category, title, measure, target, unit, steps = template
    latest_start = today - timedelta(days=30)
    span = max((latest_start - earliest).days, 0)
    started = earliest + timedelta(days=int(rng.integers(0, span + 1)))
    length = int(rng.integers(90, 541))
    if scenario == "overdue":  # the target date has passed and it is not done
        length = max(30, min(length, (today - started).days - int(rng.integers(5, 40))))
    elif scenario in ("completed", "dropped"):
        length = max(length, 30)
    else:  # still running: the target is in the future
        length = max(length, (today - started).days + int(rng.integers(10, 240)))
    due = started + timedelta(days=length)
    return {
        "owner_id": None,
        "category": category,
        "title": title,
        "measure": measure,
        "target": target,
        "unit": unit,
        "started_on": started,
        "target_date": due,
        "milestones": _steps(steps, started, due, today) if rng.random() < 0.7 else [],
        "scenario": scenario,
        "values": None,
    }


def _steps(steps, started: date, due: date, today: date) -> list[tuple[str, date]]:
    return [(title, started + timedelta(days=int((due - started).days * fraction))) for title, fraction in steps]


def _history(rng, plan: dict, today: date) -> tuple[list[dict], list[dict]]:
    """Check-ins (never after today) and status changes for one goal."""
    started, due, target = plan["started_on"], plan["target_date"], float(plan["target"])
    scenario = plan["scenario"]
    whole = plan["measure"] == "count"
    if plan["values"] is not None:
        checkins = [_checkin(today - timedelta(days=ago), value, None) for ago, value in plan["values"]]
        return checkins, []

    def line(day: date) -> float:  # the straight line's share of the target on a day
        return min(1.0, max(0.0, (day - started).days / max((due - started).days, 1)))

    # how far along the straight line this goal runs
    factor = {"on track": 1.0, "ahead": 1.5, "behind": 0.45, "completed": 1.3, "dropped": 0.5, "overdue": 0.6, "paused": 0.9}
    end = min(today, due)
    if scenario == "completed":  # finished early
        end = min(today, started + timedelta(days=max(7, int((due - started).days * float(rng.uniform(0.6, 0.95))))))
    elif scenario == "dropped":
        end = min(today, started + timedelta(days=max(7, int((due - started).days * float(rng.uniform(0.2, 0.7))))))
    elif scenario == "paused":
        end = min(today, started + timedelta(days=max(7, int((today - started).days * 0.7))))
    days = max((end - started).days, 1)
    count = int(rng.integers(2, 7))
    # the last check-in is recent, so the value says where the goal stands now
    recent = max(1, days - int(rng.integers(0, 15)))
    offsets = sorted({int(d) for d in rng.integers(1, days + 1, size=count - 1)} | {recent})
    checkins, last = [], 0.0
    for offset in offsets:
        day = started + timedelta(days=offset)
        share = line(day) * factor[scenario] * float(rng.uniform(0.95, 1.1))
        value = min(target, share * target)
        value = float(np.round(value)) if whole else round(value / 5) * 5.0
        value = max(value, last)
        checkins.append(_checkin(day, value, None))
        last = value
    if scenario == "completed":
        checkins.append(_checkin(end, target, "Done."))
    elif len(checkins) >= 3 and scenario == "behind" and not whole and rng.random() < 0.5:
        step_back = max(0.0, last - 10)
        checkins.append(_checkin(checkins[-1]["checked_on"], step_back, STEP_BACK_NOTE))
    changes = []
    if scenario == "completed":
        changes.append(_change("completed", "Reached the target early.", end))
    elif scenario == "dropped":
        changes.append(_change("dropped", str(rng.choice(DROP_NOTES)), end))
    elif scenario == "paused":
        changes.append(_change("paused", PAUSE_NOTE, end))
    return checkins, changes


def _checkin(day: date, value: float, note: str | None) -> dict:
    return {"checked_on": day, "value": float(value), "note": note, "recorded_at": _at(day, 18)}


def _change(status: str, note: str, day: date) -> dict:
    return {"status": status, "note": note, "changed_on": day, "recorded_at": _at(day, 19)}


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour))


_TABLES = ("goals", "goal_milestones", "goal_checkins", "goal_status_changes")


def _insert(cur, table: str, frame: pd.DataFrame) -> None:
    assert table in _TABLES, table  # a table name cannot be a bound parameter
    if frame.empty:
        return
    cur.register("incoming_goals", frame)
    try:
        cur.execute("INSERT INTO " + table + " BY NAME SELECT * FROM incoming_goals")
    finally:
        cur.unregister("incoming_goals")
