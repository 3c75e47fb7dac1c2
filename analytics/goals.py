"""Goals: a fellow's own goals, their append-only check-ins and status changes, and their pace.

A goal is SMART: what (the title, specific), why it matters (relevant), how it will be measured (a
measure of done, a percentage or a count toward a target such as 3 abstracts, and in words), a target
date (time-bound); a fellow may mark it a stretch goal. It has a category (the program's own list, or
the defaults) and optional milestones. Goals set before migration 007 have no why, how or stretch.
Check-ins and status changes are new rows; nothing is updated, so the whole history stays.

A check-in may go above the target (a fellow did better than planned): it is stored, drawn above the
target line, and percent done is not capped (4 of 3 abstracts is 133% done). A value more than
MAX_OVER_TARGET times the target is refused as a typing mistake.

Pace compares the progress made with a straight line from the start (started_on, start value) to
the target (target_date, target value): within PACE_TOLERANCE percentage points of the line is
"on track", above it "ahead", below it "behind". A goal that is completed, paused or dropped has
its status as its pace. The line never passes 100%, so a goal at or above its target is on track or
ahead, never behind, even after its target date (the dashboard's snapshots use the same rule).

Reads take the viewer and check it through analytics.access (record kind 'goals'): the owner sees
everything; a mentor sees a mentee's goals only where the mentee shares them, and after every pair
between them has ended only what was recorded up to the end (by recorded_at and created_at, never
by a date the fellow typed). "today" is always a parameter.
"""

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

import duckdb
import pandas as pd

from analytics.access import EVERYTHING, recorded_before, require_shared, shared_until
from analytics.changes import personal_reads, touched
from analytics.checks import as_date, clean_text, is_number, required_text, shown, whole_number, years_after
from analytics.errors import AccessDenied, InputError
from analytics.people import Viewer
from analytics.sql_fragments import LATEST_CHECKIN_FIRST, LATEST_STATUS_FIRST, in_list, latest_action_status, listed_limit
from analytics.store import Store
from analytics.submissions import check_key, remember, stored_before, stored_by_race

DEFAULT_CATEGORIES = ("career", "research", "clinical", "personal")
MEASURES = ("percent", "count")
STATUSES = ("active", "completed", "paused", "dropped")
PACES = ("ahead", "on track", "behind")
PACE_TOLERANCE = 10.0  # percentage points either side of the straight line
DUE_SOON_DAYS = 30
MAX_TITLE = 200
MAX_WHY = 500  # why the goal matters (relevant)
MAX_HOW = 500  # how it will be measured, in words (measurable)
MAX_OVER_TARGET = 10  # a check-in above 10 times the target is a typing mistake
MAX_UNIT = 40
MAX_NOTE = 500
MAX_COUNT = 10_000
MAX_MILESTONES = 20
MAX_YEARS_AHEAD = 10  # a target date further away than this is a typing mistake
_NOT_A_DATE = "{} is not a date; write it as YYYY-MM-DD."
# Which status may follow which: a completed or dropped goal can only be reopened.
_BEHIND_COLUMNS = (
    "goal_id",
    "title",
    "category",
    "measure",
    "unit",
    "target_value",
    "start_value",
    "started_on",
    "target_date",
    "why_it_matters",
    "how_measured",
    "stretch",
    "status",
    "latest_value",
    "last_checkin",
    "checkins",
    "percent_done",
    "expected_percent_today",
    "pace",
    "days_left",
    "due_soon",
    "overdue",
    "points_behind",
)
_NEXT_STATUSES = {
    "active": ("completed", "paused", "dropped"),
    "paused": ("active", "completed", "dropped"),
    "completed": ("active",),
    "dropped": ("active",),
}


# ---------------------------------------------------------------- categories


def goal_categories(store: Store, program_id: int) -> tuple[str, ...]:
    """The categories offered for new goals: the program's own that are not retired, or the defaults
    when it has none (analytics/program_settings.py changes them; a retired one stays on its goals)."""
    rows = store.query_all(
        "SELECT category, retired_at IS NOT NULL FROM goal_categories WHERE program_id = $program"
        " ORDER BY lower(category), category",
        {"program": program_id},
    )
    if not rows:
        return DEFAULT_CATEGORIES
    return tuple(name for name, retired in rows if not retired)


# ---------------------------------------------------------------- writes


def create_goal(
    store: Store,
    viewer: Viewer,
    title: str,
    category: str,
    measure: str,
    target_value: float | int | None,
    target_date: date,
    today: date,
    now: datetime,
    unit: str | None = None,
    milestones: Iterable = (),
    from_action_id: int | None = None,
    submission_key: str | None = None,
    why_it_matters: str | None = None,
    how_measured: str | None = None,
    stretch: bool = False,
) -> int:
    """Store a new goal of the viewer's own (with its milestones) in one write; returns its id.

    `milestones` holds (title, due_on) pairs (due_on may be None) or dicts with those keys.
    A percentage goal is done at 100; a count goal at a whole number from 1 to 10,000.
    `why_it_matters` and `how_measured` are optional free text (a goal made from an action item has
    neither yet); `stretch` marks an ambitious goal.
    The same `submission_key` twice (a double click) stores one goal and returns its id both times.
    """
    if viewer is None or not viewer.has("fellow"):
        raise AccessDenied("Only a fellow sets goals here.")
    clean_title = required_text(title, "The title", MAX_TITLE, missing="Give the goal a title.")
    categories = goal_categories(store, viewer.program_id)
    if category not in categories:
        raise InputError(f"'{shown(category)}' is not a goal category; choose one of: {', '.join(categories)}.")
    if measure not in MEASURES:
        raise InputError("Choose how done is measured: a percentage, or a count toward a target.")
    target = _target_value(measure, target_value)
    clean_unit = clean_text(unit, "The unit", MAX_UNIT) if measure == "count" else None
    clean_why = clean_text(why_it_matters, "Why it matters", MAX_WHY)
    clean_how = clean_text(how_measured, "How it will be measured", MAX_HOW)
    if not isinstance(stretch, bool):
        raise InputError("Say whether this is a stretch goal: yes or no.")
    target_date = as_date(target_date, _NOT_A_DATE.format("The target date"), iso_text=True)
    if target_date <= today:
        raise InputError("The target date must be in the future.")
    if target_date > years_after(today, MAX_YEARS_AHEAD):
        raise InputError(
            f"The target date {target_date:%Y-%m-%d} is more than {MAX_YEARS_AHEAD} years away; choose a nearer one."
        )
    steps = _milestones(milestones, today, target_date)
    if from_action_id is not None and whole_number(from_action_id) is None:
        raise InputError("The action item is not known.")
    key = check_key(submission_key)

    def work(cur) -> int:
        earlier = stored_before(cur, key, "goal", viewer.person_id)
        if earlier is not None:
            return earlier
        if from_action_id is not None:
            owner = cur.execute(
                "SELECT owner_id FROM action_items WHERE action_id = $action", {"action": from_action_id}
            ).fetchone()
            if owner is None or owner[0] != viewer.person_id:
                raise InputError("Only an action item of your own can become your goal.")
            became = cur.execute(f"SELECT status FROM ({latest_action_status('$action')})", {"action": from_action_id}).fetchone()
            if became is not None:
                raise InputError(
                    "This action item is already a goal; follow it there."
                    if became[0] == "goal"
                    else "This action item is done; only an open one can become a goal."
                )
        goal_id = cur.execute(
            """
            INSERT INTO goals (owner_id, title, category, measure, target_value, unit, start_value, started_on,
                               target_date, created_at, from_action_id, why_it_matters, how_measured, stretch)
            VALUES ($owner, $title, $category, $measure, $target, $unit, 0, $today, $target_date, $now, $action,
                    $why, $how, $stretch)
            RETURNING goal_id
            """,
            {
                "owner": viewer.person_id,
                "title": clean_title,
                "category": category,
                "measure": measure,
                "target": target,
                "unit": clean_unit,
                "today": today,
                "target_date": target_date,
                "now": now,
                "action": from_action_id,
                "why": clean_why,
                "how": clean_how,
                "stretch": stretch,
            },
        ).fetchone()[0]
        if steps:
            cur.executemany(
                "INSERT INTO goal_milestones VALUES ($goal, $position, $title, $due_on)",
                [
                    {"goal": goal_id, "position": position, "title": step_title, "due_on": due_on}
                    for position, (step_title, due_on) in enumerate(steps, start=1)
                ],
            )
        if from_action_id is not None:
            cur.execute(
                "INSERT INTO action_item_changes VALUES ($action, 'goal', $goal, $person, $now)",
                {"action": from_action_id, "goal": goal_id, "person": viewer.person_id, "now": now},
            )
        remember(cur, key, "goal", goal_id, viewer.person_id, now)
        return int(goal_id)

    groups = ("goals",) if from_action_id is None else ("goals", "meetings")
    try:
        return store.write(work, touches=touched(viewer.program_id, *groups, people=[viewer.person_id]))
    except duckdb.ConstraintException:
        earlier = stored_by_race(store, key, "goal", viewer.person_id)  # the other click stored it
        if earlier is None:
            raise
        return earlier


def add_checkin(
    store: Store,
    viewer: Viewer,
    goal_id: int,
    value: float | int,
    checked_on: date,
    note: str | None,
    today: date,
    now: datetime,
    submission_key: str | None = None,
) -> bool:
    """Append a progress check-in to one of the viewer's own active goals; False when `submission_key`
        was stored before (a double click: nothing new is stored).

        Reaching the target does not complete the goal; the owner completes it with change_status. A value
    above the target is stored (done better than planned), up to MAX_OVER_TARGET times the target.
    """
    number = _number(value)
    clean_note = clean_text(note, "The note", MAX_NOTE)
    checked_on = as_date(checked_on, _NOT_A_DATE.format("The check-in date"), iso_text=True)
    if checked_on > today:
        raise InputError("A check-in cannot be dated in the future.")
    key = check_key(submission_key)

    def work(cur) -> bool:
        goal = _own_goal(cur, viewer, goal_id)
        if stored_before(cur, key, "checkin", viewer.person_id) is not None:
            return False
        status = _status(cur, goal_id)
        if status == "paused":
            raise InputError("This goal is paused; resume it first.")
        if status != "active":
            raise InputError(f"This goal is {status}; it takes no more check-ins. Reopen it to add one.")
        if checked_on < goal["started_on"]:
            raise InputError(f"A check-in cannot be dated before the goal started ({goal['started_on']:%Y-%m-%d}).")
        target = goal["target_value"]
        if goal["measure"] == "count" and not number.is_integer():
            raise InputError(f"A count goes up in whole numbers; {_show(number)} is not one.")
        if number > MAX_OVER_TARGET * target:
            raise InputError(
                f"{_show(number)} is more than {MAX_OVER_TARGET} times the target of {_show(target)}{_unit(goal)}; "
                "check the value."
            )
        last = cur.execute(
            f"SELECT value, checked_on FROM goal_checkins WHERE goal_id = $goal ORDER BY {LATEST_CHECKIN_FIRST} LIMIT 1",
            {"goal": goal_id},
        ).fetchone()
        last_value, last_on = (goal["start_value"], goal["started_on"]) if last is None else last
        if last is not None and checked_on < last_on:
            raise InputError(f"The last check-in is dated {last_on:%Y-%m-%d}; a new one cannot be dated before it.")
        if number < last_value and clean_note is None:
            raise InputError(f"{_show(number)} is below the last value ({_show(last_value)}); explain a step back in a note.")
        cur.execute(
            "INSERT INTO goal_checkins VALUES ($goal, $checked_on, $value, $note, $now)",
            {"goal": goal_id, "checked_on": checked_on, "value": number, "note": clean_note, "now": now},
        )
        remember(cur, key, "checkin", goal_id, viewer.person_id, now)
        return True

    try:
        return store.write(work, touches=touched(viewer.program_id, "goals", people=[viewer.person_id]))
    except duckdb.ConstraintException:
        if stored_by_race(store, key, "checkin", viewer.person_id) is None:
            raise
        return False


def change_status(store: Store, viewer: Viewer, goal_id: int, status: str, note: str | None, today: date, now: datetime) -> None:
    """Complete, pause, drop or resume (status 'active') one of the viewer's own goals; a new row each time."""
    if status not in STATUSES:
        raise InputError("Choose completed, paused, dropped or active.")
    clean_note = clean_text(note, "The note", MAX_NOTE)
    if status == "dropped" and clean_note is None:
        raise InputError("Say in a note why the goal is dropped.")

    def work(cur) -> None:
        _own_goal(cur, viewer, goal_id)
        current = _status(cur, goal_id)
        if current == status:
            raise InputError(f"The goal is already {status}.")
        if status not in _NEXT_STATUSES[current]:
            raise InputError(f"A {current} goal can only be reopened (made active again).")
        # The latest change counts, so it must sort after the one it was checked against, whatever clock `now` came from.
        last = cur.execute(
            "SELECT max(recorded_at) FROM goal_status_changes WHERE goal_id = $goal", {"goal": goal_id}
        ).fetchone()[0]
        recorded = now if last is None or last < now else last + timedelta(microseconds=1)
        cur.execute(
            "INSERT INTO goal_status_changes VALUES ($goal, $status, $note, $today, $recorded)",
            {"goal": goal_id, "status": status, "note": clean_note, "today": today, "recorded": recorded},
        )

    store.write(work, touches=touched(viewer.program_id, "goals", people=[viewer.person_id]))


def parse_milestone_lines(text: str | None, limit: int = MAX_MILESTONES) -> list[tuple[str, date | None]]:
    """Milestones typed one per line as "title; YYYY-MM-DD" (the date may be left out); blank lines are skipped."""
    steps = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        title, _, due = line.partition(";")
        due = due.strip()
        if due:
            try:
                due_on = date.fromisoformat(due)
            except ValueError:
                raise InputError(f"Milestone line {number}: '{shown(due)}' is not a date; write it as YYYY-MM-DD.") from None
        else:
            due_on = None
        steps.append((title.strip(), due_on))
    if len(steps) > limit:
        raise InputError(f"Up to {limit} milestones here; there are {len(steps)}.")
    return steps


# ---------------------------------------------------------------- the pace rule (see the module)


def percent_done_sql(goal: str, value: str) -> str:
    """SQL: how far the goal (alias `goal`) has come at `value`, in percent of the way from its start value to its target."""
    return f"100.0 * ({value} - {goal}.start_value) / greatest({goal}.target_value - {goal}.start_value, 1e-9)"


def expected_percent_sql(goal: str, day: str) -> str:
    """SQL: where the straight line from the goal's start to its target stands on `day`, in percent (0 to 100)."""
    elapsed = f"date_diff('day', {goal}.started_on, {day})"
    span = f"greatest(date_diff('day', {goal}.started_on, {goal}.target_date), 1)::DOUBLE"
    return f"100.0 * greatest(0.0, least(1.0, {elapsed} / {span}))"


def pace_sql(status: str, ahead_by: str) -> str:
    """SQL: the goal's pace (one of PACES) from `ahead_by`, its percent done minus its expected percent;
    a goal that is not active has its status as its pace."""
    return (
        f"CASE WHEN {status} <> 'active' THEN {status} WHEN {ahead_by} > {PACE_TOLERANCE} THEN 'ahead' "
        f"WHEN {ahead_by} < -{PACE_TOLERANCE} THEN 'behind' ELSE 'on track' END"
    )


# ---------------------------------------------------------------- reads

# The goals of one or more owners, each with its own cut-off ($befores: records recorded before it are
# visible, see access.recorded_before) and "today" ($as_ofs). {owner_ids} and {goal_ids} name the owners and
# their goals one by one (sql_fragments.in_list), so PostgreSQL reads only theirs.
_GOALS_SQL = f"""
WITH owners AS (SELECT unnest($owners) AS owner_id, unnest($befores) AS before, unnest($as_ofs) AS as_of),
g AS (
    SELECT goals.*, o.before, o.as_of FROM goals JOIN owners o USING (owner_id)
    WHERE goals.owner_id IN ({{owner_ids}}) AND goals.created_at < o.before
),
latest_status AS (
    SELECT goal_id, status FROM (
        SELECT goal_id, status,
               row_number() OVER (PARTITION BY goal_id ORDER BY {LATEST_STATUS_FIRST}) AS n
        FROM goal_status_changes JOIN (SELECT goal_id, before FROM g) USING (goal_id)
        WHERE goal_id IN ({{goal_ids}}) AND recorded_at < before
    ) WHERE n = 1
),
latest_checkin AS (
    SELECT goal_id, value, checked_on, checkins FROM (
        SELECT goal_id, value, checked_on, count(*) OVER (PARTITION BY goal_id) AS checkins,
               row_number() OVER (PARTITION BY goal_id ORDER BY {LATEST_CHECKIN_FIRST}) AS n
        FROM goal_checkins JOIN (SELECT goal_id, before FROM g) USING (goal_id)
        WHERE goal_id IN ({{goal_ids}}) AND recorded_at < before
    ) WHERE n = 1
),
base AS (
    SELECT g.owner_id, g.goal_id, g.title, g.category, g.measure, g.unit, g.target_value, g.start_value,
           g.started_on, g.target_date, g.why_it_matters, g.how_measured, coalesce(g.stretch, false) AS stretch,
           coalesce(s.status, 'active') AS status,
           coalesce(c.value, g.start_value) AS latest_value,
           c.checked_on AS last_checkin,
           coalesce(c.checkins, 0) AS checkins,
           {percent_done_sql("g", "coalesce(c.value, g.start_value)")} AS percent_raw,
           {expected_percent_sql("g", "g.as_of")} AS expected_raw,
           date_diff('day', g.as_of, g.target_date) AS days_left
    FROM g LEFT JOIN latest_status s USING (goal_id) LEFT JOIN latest_checkin c USING (goal_id)
)
SELECT owner_id, goal_id, title, category, measure, unit, target_value, start_value, started_on, target_date,
       why_it_matters, how_measured, stretch, status,
       latest_value, last_checkin, checkins,
       round(percent_raw, 1) AS percent_done,
       round(expected_raw, 1) AS expected_percent_today,
       {pace_sql("status", "percent_raw - expected_raw")} AS pace,
       days_left,
       status = 'active' AND days_left BETWEEN 0 AND $soon AS due_soon,
       status = 'active' AND days_left < 0 AS overdue
FROM base
ORDER BY owner_id, status <> 'active', target_date, goal_id
"""


def _goals_frame(store: Store, cut_offs: dict[int, date], today: date) -> pd.DataFrame:
    """The goals of several owners in one query (owner_id first), given each owner's cut-off."""
    owners = list(cut_offs)
    as_ofs = [today if cut_offs[owner] == EVERYTHING else min(today, cut_offs[owner]) for owner in owners]
    limit = listed_limit(store.backend)  # many owners (a program's fellows): one list each on a DuckDB file
    owner_ids, owner_params = in_list("owner", owners, limit)
    goal_ids, goal_params = in_list(
        "goal",
        [row[0] for row in store.query_all(f"SELECT goal_id FROM goals WHERE owner_id IN ({owner_ids})", owner_params)],
        limit,
    )
    frame = store.query_df(
        _GOALS_SQL.format(owner_ids=owner_ids, goal_ids=goal_ids),
        {
            "owners": owners,
            "befores": [recorded_before(cut_offs[owner]) for owner in owners],
            "as_ofs": as_ofs,
            "soon": DUE_SOON_DAYS,
            **owner_params,
            **goal_params,
        },
    )
    for column in ("started_on", "target_date", "last_checkin"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


def _goals_of_many(store: Store, cut_offs: dict[int, date], today: date) -> dict[int, pd.DataFrame]:
    """goals_of for several owners in one query: {owner_id: its frame}, given each owner's cut-off."""
    frame = _goals_frame(store, cut_offs, today)
    owner_ids = frame.pop("owner_id")
    return {owner: _as_own_query(frame[owner_ids == owner].reset_index(drop=True)) for owner in cut_offs}


def goal_records_of_many(store: Store, cut_offs: dict[int, date], today: date) -> dict[int, list[dict]]:
    """The same goals as `_goals_of_many`, as one dict per goal in the same order: for a reader that loops over
    the goals of many owners in Python (pair health), which a frame per owner makes slow (about 3 ms each)."""
    found: dict[int, list[dict]] = {owner: [] for owner in cut_offs}
    for record in _goals_frame(store, cut_offs, today).to_dict("records"):
        found[record.pop("owner_id")].append(record)
    return found


def _as_own_query(part: pd.DataFrame) -> pd.DataFrame:
    """One owner's rows typed as a query of that owner alone would type them: a text column with no
    value at all (a unit nobody set) comes back from DuckDB as objects (None), not as strings."""
    for column in part.columns:
        if len(part) and pd.api.types.is_string_dtype(part[column]) and part[column].isna().all():
            part[column] = pd.Series([None] * len(part), index=part.index, dtype="object")
    return part


@personal_reads("goals")
def goals_of(store: Store, viewer: Viewer, owner_id: int, today: date) -> pd.DataFrame:
    """Every goal of the owner the viewer may see, with its status, latest value and pace as of today.

    A mentor whose pairs with the owner have all ended sees what was recorded up to the end, as of then.
    """
    until = require_shared(store, viewer, owner_id, "goals")
    return _goals_of_many(store, {owner_id: until}, today)[owner_id]


@personal_reads("goals")
def goal_history(store: Store, viewer: Viewer, goal_id: int) -> pd.DataFrame:
    """The goal's history, oldest first: the start point, every check-in, every status change.

    Columns: kind ('start', 'check-in', 'status'), on (date), value (the check-in's value, or the
    value at that moment for a status change), status (the goal's status from then on), note, recorded_at.
    """
    goal, until = _visible_goal(store, viewer, goal_id)
    frame = store.query_df(
        """
        WITH events AS (
            SELECT 0 AS sort, 'start' AS kind, g.started_on AS "on", g.start_value AS value, NULL::VARCHAR AS status,
                   NULL::VARCHAR AS note, g.created_at AS recorded_at, 0 AS seq
            FROM goals g WHERE g.goal_id = $goal
            UNION ALL
            SELECT 1, 'check-in', checked_on, value, NULL, note, recorded_at, rowid
            FROM goal_checkins WHERE goal_id = $goal AND recorded_at < $before
            UNION ALL
            SELECT 1, 'status', changed_on, NULL, status, note, recorded_at, rowid
            FROM goal_status_changes WHERE goal_id = $goal AND recorded_at < $before
        ),
        ordered AS (
            SELECT *, row_number() OVER (ORDER BY "on", sort, recorded_at, kind, seq) AS position FROM events
        )
        SELECT kind, "on",
               coalesce(value, last_value(value IGNORE NULLS) OVER (ORDER BY position)) AS value,
               coalesce(status, last_value(status IGNORE NULLS) OVER (ORDER BY position), 'active') AS status,
               note, recorded_at
        FROM ordered ORDER BY position
        """,
        {"goal": goal_id, "before": recorded_before(until)},
    )
    frame["on"] = pd.to_datetime(frame["on"]).dt.date
    return frame


@personal_reads("goals")
def milestones_of(store: Store, viewer: Viewer, goal_id: int) -> pd.DataFrame:
    """The goal's milestones in order: position, title, due_on."""
    _visible_goal(store, viewer, goal_id)
    frame = store.query_df(
        "SELECT position, title, due_on FROM goal_milestones WHERE goal_id = $goal ORDER BY position", {"goal": goal_id}
    )
    frame["due_on"] = pd.to_datetime(frame["due_on"]).dt.date
    return frame


def goals_summary(store: Store, viewer: Viewer, owner_id: int, today: date) -> dict[str, int]:
    """Counts for Home and the mentor's review: active, due_soon, overdue, behind, completed."""
    goals = goals_of(store, viewer, owner_id, today)
    return {
        "active": int((goals["status"] == "active").sum()),
        "due_soon": int(goals["due_soon"].sum()),
        "overdue": int(goals["overdue"].sum()),
        "behind": int((goals["pace"] == "behind").sum()),
        "completed": int((goals["status"] == "completed").sum()),
    }


@personal_reads("goals")
def goals_due(store: Store, viewer: Viewer, owner_id: int, today: date) -> pd.DataFrame:
    """Active goals that are overdue or due within 30 days, overdue first: for Home."""
    goals = goals_of(store, viewer, owner_id, today)
    due = goals[goals["due_soon"] | goals["overdue"]]
    return due.sort_values(["overdue", "target_date"], ascending=[False, True]).reset_index(drop=True)


def goals_behind(store: Store, viewer: Viewer, owner_id: int, today: date) -> pd.DataFrame:
    """Active goals behind the straight line to their target, furthest behind first: for the mentor's review."""
    return _behind(goals_of(store, viewer, owner_id, today))


def _behind(goals: pd.DataFrame) -> pd.DataFrame:
    behind = goals[goals["pace"] == "behind"].copy()
    behind["points_behind"] = (behind["expected_percent_today"] - behind["percent_done"]).round(1)
    return behind.sort_values("points_behind", ascending=False).reset_index(drop=True)


@personal_reads("goals")
def mentees_goals_behind(store: Store, viewer: Viewer, today: date) -> pd.DataFrame:
    """For a mentor: every goal behind target of each mentee who shares goals with them (mentee_id, mentee, ...).

    Mentees who share nothing are left out, not shown as empty.
    """
    mentees = store.query_all(
        """
        SELECT DISTINCT p.mentee_id, f.full_name FROM pairs p JOIN people f ON f.person_id = p.mentee_id
        WHERE p.mentor_id = $mentor AND f.active ORDER BY f.full_name, p.mentee_id
        """,
        {"mentor": viewer.person_id},
    )
    names, cut_offs = {}, {}
    for mentee_id, name in mentees:
        until = shared_until(store, viewer, mentee_id, "goals")
        if until is not None:
            names[mentee_id], cut_offs[mentee_id] = name, until
    goals = _goals_of_many(store, cut_offs, today) if cut_offs else {}  # one query for every sharing mentee
    frames = []
    for mentee_id, name in names.items():
        behind = _behind(goals[mentee_id])
        if not behind.empty:
            frames.append(behind.assign(mentee_id=mentee_id, mentee=name))
    if not frames:
        return pd.DataFrame(columns=["mentee_id", "mentee", *_BEHIND_COLUMNS])
    result = pd.concat(frames, ignore_index=True)
    return result[["mentee_id", "mentee", *[c for c in result.columns if c not in ("mentee_id", "mentee")]]]


# ---------------------------------------------------------------- helpers


def _own_goal(cur, viewer: Viewer, goal_id: int) -> dict:
    row = cur.execute(
        "SELECT owner_id, target_value, start_value, started_on, target_date, measure, unit FROM goals WHERE goal_id = $goal",
        {"goal": whole_number(goal_id)},
    ).fetchone()
    if viewer is None or row is None or row[0] != viewer.person_id:
        raise AccessDenied("Only the owner of a goal changes it.")
    keys = ("owner_id", "target_value", "start_value", "started_on", "target_date", "measure", "unit")
    return dict(zip(keys, row, strict=True))


def _status(cur, goal_id: int) -> str:
    row = cur.execute(
        f"SELECT status FROM goal_status_changes WHERE goal_id = $goal ORDER BY {LATEST_STATUS_FIRST} LIMIT 1", {"goal": goal_id}
    ).fetchone()
    return "active" if row is None else row[0]


def _visible_goal(store: Store, viewer: Viewer, goal_id: int) -> tuple[tuple, date]:
    row = store.query_one("SELECT owner_id, created_at FROM goals WHERE goal_id = $goal", {"goal": goal_id})
    if row is None:
        raise AccessDenied("This goal is not shared with you.")
    until = require_shared(store, viewer, row[0], "goals")
    if row[1] >= recorded_before(until):  # created after the pair ended
        raise AccessDenied("This goal is not shared with you.")
    return row, until


def _target_value(measure: str, value) -> float:
    if measure == "percent":
        if value is None or (is_number(value) and float(value) == 100):
            return 100.0
        raise InputError("A percentage goal is done at 100%; leave the target at 100.")
    if not is_number(value) or not float(value).is_integer():
        raise InputError("The target of a count is a whole number, such as 3 (abstracts).")
    if not 1 <= float(value) <= MAX_COUNT:
        raise InputError(f"The target of a count is a whole number from 1 to {MAX_COUNT:,}.")
    return float(value)


def _milestones(milestones: Iterable, today: date, target_date: date) -> list[tuple[str, date | None]]:
    steps = []
    for position, step in enumerate(milestones or (), start=1):
        if isinstance(step, dict):
            raw_title, due_on = step.get("title"), step.get("due_on")
        elif isinstance(step, Sequence) and not isinstance(step, str) and len(step) == 2:
            raw_title, due_on = step
        else:
            raise InputError(f"Milestone {position}: give a title and, optionally, a due date.")
        step_title = required_text(
            raw_title,
            f"Milestone {position}'s title",
            MAX_TITLE,
            missing=f"Milestone {position} has no title; give it one or remove it.",
        )
        if due_on is not None and not pd.isna(due_on):
            due_on = as_date(due_on, _NOT_A_DATE.format(f"Milestone {position}'s due date"), iso_text=True)
            if not today <= due_on <= target_date:
                raise InputError(
                    f"Milestone {position} ('{step_title}') is due {due_on:%Y-%m-%d}; a milestone is due between today "
                    f"and the target date ({target_date:%Y-%m-%d})."
                )
        else:
            due_on = None
        steps.append((step_title, due_on))
    if len(steps) > MAX_MILESTONES:
        raise InputError(f"A goal has at most {MAX_MILESTONES} milestones; this one has {len(steps)}.")
    return steps


def _number(value) -> float:
    if not is_number(value):
        raise InputError("The value must be a number.")
    if value < 0:
        raise InputError("The value cannot be below 0.")
    return float(value)


def _show(value: float) -> str:
    return f"{value:g}"


def _unit(goal: dict) -> str:
    if goal["measure"] == "percent":
        return "%"
    return f" {goal['unit']}" if goal["unit"] else ""
