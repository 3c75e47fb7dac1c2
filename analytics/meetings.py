"""Meetings of a pair: planned with an agenda, noted afterwards, with action items to tick off.

From the guidance: the mentoring process is optimised by "Planning meetings with clear agendas".
A meeting is a joint record of its pair: both members always see it, nobody else does.
Append-only: a note is a new row (the latest counts), an action item's status is a new change.
"""

from datetime import date, datetime, timedelta

import duckdb
import pandas as pd

from analytics.access import require_pair_member
from analytics.changes import personal_reads, touched
from analytics.checks import as_date, clean_text, required_text, whole_number
from analytics.errors import AccessDenied, InputError
from analytics.people import Viewer
from analytics.sql_fragments import current_pair, in_list, latest_action_status, latest_notes, listed_limit, open_pair
from analytics.store import Store
from analytics.submissions import check_key, remember, stored_before, stored_by_race

MAX_AGENDA_ITEMS = 15
AGENDA_ITEM_LIMIT = 300
NOTES_LIMIT = 5000
ACTION_TEXT_LIMIT = 300
MAX_ACTION_ITEMS = 20
PLAN_WINDOW = timedelta(days=365)
ACTION_DUE_WINDOW = timedelta(days=2 * 365)


def _require_current_pair(store: Store, viewer: Viewer, pair_id: object, today: date) -> tuple[int, int]:
    """(mentor_id, mentee_id) of a current pair the viewer belongs to; new records need a current pair."""
    pair = whole_number(pair_id)
    mentor_id, mentee_id = require_pair_member(store, viewer, pair)
    current = store.query_one(
        f"""
        SELECT count(*) FROM pairs pr
        JOIN people m ON m.person_id = pr.mentor_id JOIN people f ON f.person_id = pr.mentee_id
        WHERE pr.pair_id = $pair AND m.active AND f.active AND {current_pair("pr", "$today")}
        """,
        {"pair": pair, "today": today},
    )[0]
    if not current:
        raise InputError("This pair is not current: its records stay, but nothing new can be added.")
    return mentor_id, mentee_id


def clean_agenda(agenda_items) -> list[str]:
    """Agenda lines: blank ones dropped, 1 to 15 left, each at most 300 characters."""
    if isinstance(agenda_items, str) or not isinstance(agenda_items, list | tuple):
        raise InputError("The agenda must be a list of items.")
    items = []
    for number, item in enumerate(agenda_items, start=1):
        text = clean_text(item, f"Agenda item {number}", AGENDA_ITEM_LIMIT)
        if text is not None:
            items.append(text)
    if not items:
        raise InputError("Write at least one agenda item: a meeting is planned with a clear agenda.")
    if len(items) > MAX_AGENDA_ITEMS:
        raise InputError(f"The agenda has {len(items)} items; keep it to {MAX_AGENDA_ITEMS} or fewer.")
    return items


def plan_meeting(
    store: Store,
    viewer: Viewer,
    pair_id: int,
    meeting_on: date,
    agenda_items: list[str],
    today: date,
    now: datetime,
    submission_key: str | None = None,
) -> int:
    """Plan a meeting of a current pair with its agenda; either member may. Returns the meeting id.

    The same `submission_key` twice (a double click) stores one meeting and returns its id both times.
    """
    _require_current_pair(store, viewer, pair_id, today)
    meeting_on = as_date(meeting_on, "The meeting date must be a date.")
    if abs(meeting_on - today) > PLAN_WINDOW:
        raise InputError("Choose a meeting date within a year of today.")
    items = clean_agenda(agenda_items)
    key = check_key(submission_key)

    def store_it(cur) -> int:
        earlier = stored_before(cur, key, "meeting", viewer.person_id)
        if earlier is not None:
            return earlier
        meeting_id = cur.execute(
            """
            INSERT INTO meetings (pair_id, meeting_on, created_by, created_at) VALUES ($pair, $meeting_on, $person, $now)
            RETURNING meeting_id
            """,
            {"pair": pair_id, "meeting_on": meeting_on, "person": viewer.person_id, "now": now},
        ).fetchone()[0]
        cur.executemany(
            "INSERT INTO meeting_agenda_items (meeting_id, position, text) VALUES ($meeting, $position, $text)",
            [{"meeting": meeting_id, "position": position, "text": text} for position, text in enumerate(items, start=1)],
        )
        remember(cur, key, "meeting", meeting_id, viewer.person_id, now)
        return int(meeting_id)

    try:
        return store.write(store_it, touches=touched(viewer.program_id, "meetings", people=[viewer.person_id]))
    except duckdb.ConstraintException:
        earlier = stored_by_race(store, key, "meeting", viewer.person_id)  # the other click stored it
        if earlier is None:
            raise
        return earlier


def _meeting(store: Store, viewer: Viewer, meeting_id: int) -> tuple[int, date, int, int]:
    """(pair_id, meeting_on, mentor_id, mentee_id) of a meeting of one of the viewer's pairs."""
    row = store.query_one(
        "SELECT pair_id, meeting_on FROM meetings WHERE meeting_id = $meeting", {"meeting": whole_number(meeting_id)}
    )
    if row is None:
        raise AccessDenied("Only the two people of a pair see its joint records.")
    mentor_id, mentee_id = require_pair_member(store, viewer, row[0])
    return row[0], row[1], mentor_id, mentee_id


def _clean_actions(action_items, members: tuple[int, int], meeting_on: date) -> list[tuple[str, int, date | None]]:
    if action_items is None:
        return []
    if not isinstance(action_items, list | tuple):
        raise InputError("Action items must be a list.")
    cleaned = []
    for number, item in enumerate(action_items, start=1):
        if not isinstance(item, dict):
            raise InputError(f"Action item {number} must have a text, an owner and an optional due date.")
        text = required_text(
            item.get("text"),
            f"Action item {number}",
            ACTION_TEXT_LIMIT,
            missing=f"Action item {number} is empty; write what is to be done, or leave it out.",
        )
        owner_id = item.get("owner_id")
        if whole_number(owner_id) is None or owner_id not in members:
            raise InputError(f"Action item {number}: its owner must be one of the two of you.")
        due_on = item.get("due_on")
        if due_on is not None:
            due_on = as_date(due_on, f"Action item {number}'s due date must be a date.")
            if due_on < meeting_on or due_on > meeting_on + ACTION_DUE_WINDOW:
                raise InputError(f"Action item {number}: choose a due date between the meeting and two years after it.")
        cleaned.append((text, owner_id, due_on))
    if len(cleaned) > MAX_ACTION_ITEMS:
        raise InputError(f"There are {len(cleaned)} action items; keep it to {MAX_ACTION_ITEMS} or fewer.")
    return cleaned


def record_notes(
    store: Store,
    viewer: Viewer,
    meeting_id: int,
    held: bool,
    notes: str | None,
    action_items: list[dict],
    today: date,
    now: datetime,
    submission_key: str | None = None,
) -> bool:
    """Notes after a meeting (or that it did not take place), with its action items.

    A new note is appended; the latest counts and earlier ones stay. Action items are added.
    Returns False when `submission_key` was stored before (a double click: nothing new is stored).
    """
    pair_id, meeting_on, mentor_id, mentee_id = _meeting(store, viewer, meeting_id)
    # Nothing is recorded after a pair ends: a record made then would reach the former partner.
    _require_current_pair(store, viewer, pair_id, today)
    if meeting_on > today:
        raise InputError(f"This meeting is planned for {meeting_on:%d %b %Y}; write its notes on or after that day.")
    if not isinstance(held, bool):
        raise InputError("Say whether the meeting took place.")
    text = clean_text(notes, "The notes", NOTES_LIMIT)
    actions = _clean_actions(action_items, (mentor_id, mentee_id), meeting_on)
    if actions and not held:
        raise InputError("A meeting that did not take place has no action items; leave them out, or mark it as held.")
    key = check_key(submission_key)

    def store_it(cur) -> bool:
        if stored_before(cur, key, "notes", viewer.person_id) is not None:
            return False
        cur.execute(
            """
            INSERT INTO meeting_notes (meeting_id, held, notes, written_by, written_at)
            VALUES ($meeting, $held, $notes, $person, $now)
            """,
            {"meeting": meeting_id, "held": held, "notes": text, "person": viewer.person_id, "now": now},
        )
        for action_text, owner_id, due_on in actions:
            cur.execute(
                """
                INSERT INTO action_items (meeting_id, text, owner_id, due_on, created_at)
                VALUES ($meeting, $text, $owner, $due_on, $now)
                """,
                {"meeting": meeting_id, "text": action_text, "owner": owner_id, "due_on": due_on, "now": now},
            )
        remember(cur, key, "notes", meeting_id, viewer.person_id, now)
        return True

    try:
        return store.write(store_it, touches=touched(viewer.program_id, "meetings", people=[viewer.person_id]))
    except duckdb.ConstraintException:
        if stored_by_race(store, key, "notes", viewer.person_id) is None:
            raise
        return False


def _action(store: Store, viewer: Viewer, action_id: object, today: date) -> tuple[str, tuple[int, int]]:
    """The action item's current status ('open', 'done', 'goal') and its pair's members, for a member of the
    pair while it is current (a change made after it ended would reach the former partner)."""
    action = whole_number(action_id)
    row = store.query_one(
        f"""
        SELECT m.pair_id, coalesce(s.status, 'open')
        FROM action_items a JOIN meetings m USING (meeting_id)
        LEFT JOIN ({latest_action_status("$action")}) s USING (action_id)
        WHERE a.action_id = $action
        """,
        {"action": action},
    )
    if row is None:
        raise AccessDenied("Only the two people of a pair see its joint records.")
    return row[1], _require_current_pair(store, viewer, row[0], today)


def _change_status(store: Store, viewer: Viewer, action_id: int, status: str, goal_id: int | None, now: datetime) -> None:
    store.write(
        lambda cur: cur.execute(
            """
            INSERT INTO action_item_changes (action_id, status, goal_id, changed_by, changed_at)
            VALUES ($action, $status, $goal, $person, $now)
            """,
            {"action": action_id, "status": status, "goal": goal_id, "person": viewer.person_id, "now": now},
        ),
        touches=touched(viewer.program_id, "meetings", "goals", people=[viewer.person_id]),
    )


def tick_action(store: Store, viewer: Viewer, action_id: int, now: datetime) -> None:
    """Mark an open action item as done; either member of the pair may."""
    status, _members = _action(store, viewer, action_id, now.date())
    if status == "done":
        raise InputError("This action item is already done.")
    if status == "goal":
        raise InputError("This action item became a goal; follow it there.")
    _change_status(store, viewer, action_id, "done", None, now)


def action_to_goal(store: Store, viewer: Viewer, action_id: int, goal_id: int, now: datetime) -> None:
    """Record that an open action item became a goal (the goal is created by analytics/goals.py)."""
    status, members = _action(store, viewer, action_id, now.date())
    if status != "open":
        raise InputError(
            "Only an open action item can become a goal." if status == "done" else "This action item is already a goal."
        )
    goal = store.query_one("SELECT owner_id, from_action_id FROM goals WHERE goal_id = $goal", {"goal": whole_number(goal_id)})
    if goal is None or goal[0] not in members:
        raise InputError("That goal does not belong to either of you.")
    if goal[1] is not None and goal[1] != action_id:
        raise InputError("That goal grew from another action item.")
    _change_status(store, viewer, action_id, "goal", goal_id, now)


def meeting_ids(store: Store, pair_ids: list[int], condition: str = "true", params: dict | None = None) -> list[int]:
    """The meetings of these pairs where `condition` (on the meetings table) holds: one small read, after which
    a reader names them one by one (sql_fragments.in_list) so that PostgreSQL reads only their agenda items,
    notes and action items, not every meeting's."""
    pairs, listed = in_list("pair", pair_ids, listed_limit(store.backend))
    rows = store.query_all(
        f"SELECT meeting_id FROM meetings WHERE pair_id IN ({pairs}) AND {condition} ORDER BY meeting_id",
        {**listed, **(params or {})},
    )
    return [row[0] for row in rows]


def action_ids(store: Store, meetings: list[int]) -> list[int]:
    """The action items of these meetings, one small read (for the same reason as `meeting_ids`): their status
    changes are then read by id."""
    listed, params = in_list("meeting", meetings, listed_limit(store.backend))
    rows = store.query_all(f"SELECT action_id FROM action_items WHERE meeting_id IN ({listed}) ORDER BY action_id", params)
    return [row[0] for row in rows]


def _status(held, meeting_on: date, today: date | None) -> str:
    if held is True:
        return "held"
    if held is False:
        return "not held"
    if today is not None and meeting_on < today:
        return "notes due"
    return "planned"


def _meetings_frame(store: Store, viewer: Viewer, pair_ids: list[int], today: date | None) -> pd.DataFrame:
    # The pairs' meetings first, then their action items (two small reads); agenda items, notes, action items
    # and their changes are then read for those meetings only, named one by one (sql_fragments.in_list), never
    # aggregated over every meeting of the program.
    pairs, pair_params = in_list("pair", pair_ids, listed_limit(store.backend))
    found = meeting_ids(store, pair_ids)
    meetings, meeting_params = in_list("meeting", found, listed_limit(store.backend))
    actions, action_params = in_list("action", action_ids(store, found), listed_limit(store.backend))
    frame = store.query_df(
        f"""
        WITH mine AS (
            SELECT meeting_id, pair_id, meeting_on, created_by, created_at FROM meetings WHERE meeting_id IN ({meetings})
        ), agenda AS (
            SELECT meeting_id, list(text ORDER BY position) AS agenda FROM meeting_agenda_items
            WHERE meeting_id IN ({meetings}) GROUP BY meeting_id
        ), notes AS (
            {latest_notes(meetings)}
        ), my_actions AS (
            SELECT action_id, meeting_id FROM action_items WHERE meeting_id IN ({meetings})
        ), actions AS (
            SELECT a.meeting_id, count(*) AS action_items,
                   count(*) FILTER (WHERE coalesce(s.status, 'open') = 'open') AS open_action_items
            FROM my_actions a LEFT JOIN ({latest_action_status(actions)}) s USING (action_id)
            GROUP BY a.meeting_id
        )
        SELECT m.meeting_id, m.pair_id, m.meeting_on,
               CASE WHEN pr.mentor_id = $me THEN pr.mentee_name ELSE pr.mentor_name END AS with_name,
               CASE WHEN pr.mentor_id = $me THEN 'my mentee' ELSE 'my mentor' END AS relation,
               coalesce(ag.agenda, []) AS agenda, n.held, n.notes, n.written_at AS notes_written_at,
               coalesce(ac.action_items, 0) AS action_items, coalesce(ac.open_action_items, 0) AS open_action_items,
               m.created_by, m.created_at
        FROM mine m
        JOIN (SELECT * FROM pair_people WHERE pair_id IN ({pairs})) pr USING (pair_id)
        LEFT JOIN agenda ag USING (meeting_id)
        LEFT JOIN notes n USING (meeting_id)
        LEFT JOIN actions ac USING (meeting_id)
        ORDER BY m.meeting_on DESC, m.meeting_id DESC
        """,
        {"me": viewer.person_id, **pair_params, **meeting_params, **action_params},
    )
    frame["meeting_on"] = pd.to_datetime(frame["meeting_on"]).dt.date
    frame["agenda"] = [list(items) for items in frame["agenda"]]
    held = [None if pd.isna(h) else bool(h) for h in frame["held"]]
    frame["held"] = pd.Series(held, index=frame.index, dtype="object")
    frame.insert(3, "status", [_status(h, on, today) for h, on in zip(held, frame["meeting_on"], strict=True)])
    return frame


def _pair_ids_of(store: Store, viewer: Viewer) -> list[int]:
    # Two sides in a UNION rather than one OR, which is no filter PostgreSQL receives (sql_fragments.in_list).
    rows = store.query_all(
        """
        SELECT pair_id FROM pairs WHERE mentor_id = $me UNION SELECT pair_id FROM pairs WHERE mentee_id = $me
        ORDER BY pair_id
        """,
        {"me": viewer.person_id},
    )
    return [row[0] for row in rows]


@personal_reads("meetings")
def meetings_of_pair(store: Store, viewer: Viewer, pair_id: int, today: date | None = None) -> pd.DataFrame:
    """Every meeting of one pair, newest first, with agenda, latest notes and status (needs `today` for 'notes due')."""
    require_pair_member(store, viewer, pair_id)
    return _meetings_frame(store, viewer, [pair_id], today)


def meetings_of(store: Store, viewer: Viewer, today: date) -> pd.DataFrame:
    """Every meeting of all the viewer's pairs (status planned / held / not held / notes due), newest first."""
    return _meetings_frame(store, viewer, _pair_ids_of(store, viewer), today)


@personal_reads("meetings")
def next_meeting(store: Store, viewer: Viewer, today: date) -> dict | None:
    """The viewer's next planned meeting (today or later, no notes yet) in a current pair, or None."""
    pair_ids = _pair_ids_of(store, viewer)
    pairs, pair_params = in_list("pair", pair_ids, listed_limit(store.backend))
    upcoming, params = in_list(
        "meeting", meeting_ids(store, pair_ids, "meeting_on >= $today", {"today": today}), listed_limit(store.backend)
    )
    row = store.query_one(
        f"""
        WITH candidates AS (
            SELECT m.meeting_id, m.pair_id, m.meeting_on,
                   CASE WHEN pr.mentor_id = $me THEN pr.mentee_name ELSE pr.mentor_name END AS with_name,
                   CASE WHEN pr.mentor_id = $me THEN 'my mentee' ELSE 'my mentor' END AS relation
            FROM meetings m
            JOIN (SELECT * FROM pair_people WHERE pair_id IN ({pairs})) pr USING (pair_id)
            WHERE m.meeting_id IN ({upcoming}) AND (pr.mentor_id = $me OR pr.mentee_id = $me)
              AND pr.mentor_active AND pr.mentee_active
              AND {open_pair("pr")} AND m.meeting_on >= $today
        ), unnoted AS (
            SELECT * FROM candidates
            WHERE meeting_id NOT IN (SELECT meeting_id FROM meeting_notes WHERE meeting_id IN ({upcoming}))
            ORDER BY meeting_on, meeting_id
            LIMIT 1
        )
        SELECT u.meeting_id, u.pair_id, u.meeting_on, u.with_name, u.relation,
               coalesce((SELECT list(text ORDER BY position) FROM meeting_agenda_items a
                         WHERE a.meeting_id IN ({upcoming}) AND a.meeting_id IN (SELECT meeting_id FROM unnoted)), [])
        FROM unnoted u
        """,
        {"me": viewer.person_id, "today": today, **pair_params, **params},
    )
    if row is None:
        return None
    keys = ("meeting_id", "pair_id", "meeting_on", "with_name", "relation", "agenda")
    return dict(zip(keys, row, strict=True))


@personal_reads("meetings")
def open_action_items(store: Store, viewer: Viewer, pair_id: int | None = None) -> pd.DataFrame:
    """Open action items of the viewer's pairs (or of one pair), earliest due first; `mine` marks the viewer's own."""
    pair_ids = _pair_ids_of(store, viewer) if pair_id is None else [pair_id]
    if pair_id is not None:
        require_pair_member(store, viewer, pair_id)
    pairs, pair_params = in_list("pair", pair_ids, listed_limit(store.backend))
    found = meeting_ids(store, pair_ids)
    meetings, meeting_params = in_list("meeting", found, listed_limit(store.backend))
    actions, action_params = in_list("action", action_ids(store, found), listed_limit(store.backend))
    frame = store.query_df(
        f"""
        WITH my_pairs AS (
            SELECT pair_id, CASE WHEN mentor_id = $me THEN mentee_name ELSE mentor_name END AS with_name
            FROM pair_people WHERE pair_id IN ({pairs})
        ), my_meetings AS (
            SELECT meeting_id, pair_id, meeting_on FROM meetings WHERE meeting_id IN ({meetings})
        ), mine AS (
            SELECT action_id, meeting_id, text, owner_id, due_on FROM action_items WHERE meeting_id IN ({meetings})
        )
        SELECT a.action_id, a.meeting_id, m.pair_id, m.meeting_on, a.text, a.owner_id, o.full_name AS owner_name,
               a.due_on, a.owner_id = $me AS mine, pr.with_name
        FROM mine a
        JOIN my_meetings m USING (meeting_id)
        JOIN my_pairs pr ON pr.pair_id = m.pair_id
        JOIN people o ON o.person_id = a.owner_id
        LEFT JOIN ({latest_action_status(actions)}) s USING (action_id)
        WHERE coalesce(s.status, 'open') = 'open'
        ORDER BY a.due_on NULLS LAST, m.meeting_on, a.action_id
        """,
        {"me": viewer.person_id, **pair_params, **meeting_params, **action_params},
    )
    for column in ("meeting_on", "due_on"):
        frame[column] = [None if pd.isna(v) else pd.Timestamp(v).date() for v in frame[column]]
    return frame


def action_items_of(store: Store, viewer: Viewer) -> pd.DataFrame:
    """Every action item of the viewer's pairs, open or not, with its latest status: a joint record of the pair."""
    found = meeting_ids(store, _pair_ids_of(store, viewer))
    meetings, meeting_params = in_list("meeting", found, listed_limit(store.backend))
    actions, action_params = in_list("action", action_ids(store, found), listed_limit(store.backend))
    frame = store.query_df(
        f"""
        WITH my_meetings AS (
            SELECT meeting_id, meeting_on FROM meetings WHERE meeting_id IN ({meetings})
        ), mine AS (
            SELECT action_id, meeting_id, text, owner_id, due_on, created_at FROM action_items
            WHERE meeting_id IN ({meetings})
        )
        SELECT a.action_id, a.meeting_id, m.meeting_on, a.text, o.full_name AS owner_name, a.due_on,
               coalesce(s.status, 'open') AS status, s.changed_at AS status_changed_at, a.created_at
        FROM mine a JOIN my_meetings m USING (meeting_id) JOIN people o ON o.person_id = a.owner_id
        LEFT JOIN ({latest_action_status(actions)}) s USING (action_id)
        ORDER BY m.meeting_on, a.action_id
        """,
        {**meeting_params, **action_params},
    )
    return frame


def _month(day: date) -> date:
    return day.replace(day=1)


@personal_reads("meetings")
def meeting_frequency(store: Store, viewer: Viewer, pair_id: int | None = None, today: date | None = None) -> pd.DataFrame:
    """Held meetings per month (columns month, period, held), months without one included as 0.

    One pair (checked), or all the viewer's pairs with None. The months run from the first meeting
    to the last one, or to `today`'s month when given.
    """
    if pair_id is not None:
        require_pair_member(store, viewer, pair_id)
    pair_ids = _pair_ids_of(store, viewer) if pair_id is None else [pair_id]
    meetings, params = in_list("meeting", meeting_ids(store, pair_ids), listed_limit(store.backend))
    rows = store.query_all(
        f"""
        WITH mine AS (SELECT meeting_id, meeting_on FROM meetings WHERE meeting_id IN ({meetings}))
        SELECT m.meeting_on, coalesce(n.held, false)
        FROM mine m LEFT JOIN ({latest_notes(meetings, "meeting_id, held")}) n USING (meeting_id)
        """,
        params,
    )
    if not rows:
        return pd.DataFrame(
            {"month": pd.Series(dtype="object"), "period": pd.Series(dtype="str"), "held": pd.Series(dtype="int")}
        )
    first = _month(min(day for day, _ in rows))
    last = _month(max([first] + [day for day, held in rows if held] + ([today] if today else [])))
    months = []
    month = first
    while month <= last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    counts = dict.fromkeys(months, 0)
    for day, held in rows:
        if held and _month(day) in counts:
            counts[_month(day)] += 1
    return pd.DataFrame(
        {"month": months, "period": [f"{m:%b %Y}" for m in months], "held": [counts[m] for m in months]},
    )
