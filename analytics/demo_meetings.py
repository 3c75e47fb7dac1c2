"""Demo meetings and mentoring agreements: agendas, notes, action items and versioned agreements.

Called from analytics/demo.py inside its one write transaction. Deterministic for a given
numpy Generator; no meeting is held after `today`.
"""

from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd

AGENDA = (
    "Review abstract draft for ASH",
    "Discuss K-award timeline",
    "Clinic workload and wellbeing",
    "Progress on the retrospective cohort analysis",
    "Feedback on the grand rounds talk",
    "Plan for the next research block",
    "Manuscript revisions: reviewer 2 comments",
    "Career plans after fellowship: academic or clinical track",
    "IRB amendment for the registry study",
    "Preparing for the in-training exam",
    "Networking at the ASH annual meeting",
    "Balancing call schedule and research time",
    "Letter of recommendation for the T32 renewal",
    "Choosing a second mentor for clinical trials",
    "Data from the flow cytometry core",
    "Work-life balance and family leave",
    "Poster for the regional hematology meeting",
    "Statistics help: survival analysis",
)
NOTES = (
    "Good progress since last time. Agreed on the next steps below.",
    "Mostly about the abstract; methods section needs tightening before the deadline.",
    "Talked through workload on the inpatient service; will protect Friday afternoons for research.",
    "Discussed funding options and who to approach; mentor will introduce a collaborator.",
    "Short meeting; reviewed figures and the timeline for submission.",
    "Reflected on feedback from the last clinic block; set a concrete goal for the quarter.",
)
ACTIONS = (
    ("Send revised abstract draft", "mentee"),
    ("Email the biostatistics core about the survival analysis", "mentee"),
    ("Draft specific aims page", "mentee"),
    ("Introduce fellow to the clinical trials group", "mentor"),
    ("Share an example of a funded K08 application", "mentor"),
    ("Read two key papers before next meeting", "mentee"),
    ("Book protected research time with the program coordinator", "mentee"),
    ("Review manuscript discussion section", "mentor"),
    ("Submit poster to the regional meeting", "mentee"),
)
CONTACT = ("Email for anything routine; a text message if urgent.", "Teams chat during the week; email for documents.")
RESPONSE = ("Within two working days.", "Within a day on weekdays; not on call days.", "Within three working days.")
MENTEE_EXPECTS = (
    "Honest feedback on drafts within a week, help finding funding, and advice on career choices.",
    "Regular meetings, introductions to collaborators, and support with the K-award application.",
)
MENTOR_EXPECTS = (
    "Comes with an agenda, sends drafts ahead of time, and says early when help is needed.",
    "Keeps to agreed deadlines, asks questions, and is open to critical feedback.",
)
CONFIDENTIAL = (
    "Personal and wellbeing matters stay between us unless there is a safety concern.",
    "What we discuss about other faculty and career plans stays between us.",
)


def _take_ids(cur, sequence: str, count: int) -> list[int]:
    """Reserve `count` ids from a sequence, so these rows and the app's later inserts never clash."""
    if count == 0:
        return []
    return [int(i) for i in cur.execute("SELECT nextval(?) AS id FROM range(?)", [sequence, count]).fetchnumpy()["id"]]


class _Ids:
    """Local numbers handed out while generating, mapped to sequence ids in one query at the end."""

    def __init__(self):
        self.count = 0

    def take(self, count: int) -> list[int]:
        start = self.count
        self.count += count
        return list(range(start, start + count))


_TABLES = (
    "meetings",
    "meeting_agenda_items",
    "meeting_notes",
    "action_items",
    "action_item_changes",
    "agreements",
    "agreement_acknowledgements",
)


def _insert(cur, table: str, rows: list[dict]) -> None:
    assert table in _TABLES, table  # a table name cannot be a bound parameter
    if not rows:
        return
    cur.register("incoming_rows", pd.DataFrame(rows))
    cur.execute("INSERT INTO " + table + " BY NAME SELECT * FROM incoming_rows")
    cur.unregister("incoming_rows")


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour))


def _as_date(value) -> date:
    return pd.Timestamp(value).date()


def generate(
    cur, rng: np.random.Generator, program_id: int, fellow_ids, pairs: pd.DataFrame, today: date, demo_fellow: int
) -> dict:
    """Agreements, meetings, notes and action items for the demo program's current pairs.

    Most pairs have an agreement (some with a second version; most acknowledged by both, a few
    awaiting the mentor, a few due for review) and meet roughly as agreed, some less often. The
    demo fellow has a planned meeting after today with an agenda and a few open action items.
    """
    fellows = {int(f) for f in fellow_ids}
    rows = {table: [] for table in _TABLES}
    ended = pairs["ended_on"] if "ended_on" in pairs.columns else pd.Series([None] * len(pairs), index=pairs.index)
    current = [
        (int(pair.pair_id), int(pair.mentor_id), int(pair.mentee_id), _as_date(pair.started_on))
        for pair, end in zip(pairs.itertuples(index=False), ended, strict=True)
        if _as_date(pair.started_on) <= today
        and (end is None or pd.isna(end) or _as_date(end) > today)
        and int(pair.mentee_id) in fellows
    ]
    current.sort()
    # The second fellow's first pair (with the demo mentor) awaits the mentor's acknowledgement.
    awaiting_fellow = int(fellow_ids[1]) if len(fellow_ids) > 1 else None
    seen_mentees: set[int] = set()
    meetings = agreements = actions = 0
    demo_pair_done = False
    agreement_ids, meeting_ids, action_numbers = _Ids(), _Ids(), _Ids()
    for pair_id, mentor_id, mentee_id, started_on in current:
        primary = mentee_id not in seen_mentees
        seen_mentees.add(mentee_id)
        is_demo = mentee_id == demo_fellow and primary
        weeks = int(rng.choice([2, 3, 4, 4, 4, 6, 8]))
        # Agreements: most pairs write one soon after they start.
        has_agreement = is_demo or mentee_id == awaiting_fellow or rng.random() < 0.85
        if has_agreement:
            written = min(started_on + timedelta(days=int(rng.integers(7, 30))), today - timedelta(days=1))
            versions = [written]
            if (today - written).days > 240 and (is_demo or rng.random() < 0.3):
                versions.append(written + timedelta(days=int(rng.integers(150, min(365, (today - written).days - 30)))))
            review_due = not is_demo and rng.random() < 0.15
            ids = agreement_ids.take(len(versions))
            for number, (agreement_id, written_on) in enumerate(zip(ids, versions, strict=True), start=1):
                latest = number == len(versions)
                if latest:
                    review_on = (
                        written_on + timedelta(days=180)
                        if review_due
                        else max(written_on + timedelta(days=365), today + timedelta(days=14))
                    )
                    if review_due and review_on > today:
                        review_on = today - timedelta(days=int(rng.integers(1, 20)))
                        review_on = max(review_on, written_on + timedelta(days=1))
                else:
                    review_on = written_on + timedelta(days=365)
                if number == 2:
                    weeks = max(1, min(26, weeks + int(rng.choice([-1, 1, 2]))))
                by_fellow = is_demo or mentee_id == awaiting_fellow or rng.random() < 0.6
                writer, other = (mentee_id, mentor_id) if by_fellow else (mentor_id, mentee_id)
                rows["agreements"].append(
                    {
                        "agreement_id": agreement_id,
                        "pair_id": pair_id,
                        "version": number,
                        "meet_every_weeks": weeks,
                        "contact": str(rng.choice(CONTACT)),
                        "response_time": str(rng.choice(RESPONSE)),
                        "mentee_expects": str(rng.choice(MENTEE_EXPECTS)),
                        "mentor_expects": str(rng.choice(MENTOR_EXPECTS)),
                        "confidential": str(rng.choice(CONFIDENTIAL)),
                        "review_on": review_on,
                        "written_by": writer,
                        "written_at": _at(written_on, 18),
                    }
                )
                rows["agreement_acknowledgements"].append(
                    {"agreement_id": agreement_id, "person_id": writer, "acknowledged_at": _at(written_on, 18)}
                )
                awaiting = latest and (mentee_id == awaiting_fellow and primary or (not is_demo and rng.random() < 0.1))
                if not awaiting:
                    seen = min(written_on + timedelta(days=int(rng.integers(1, 10))), today - timedelta(days=1))
                    rows["agreement_acknowledgements"].append(
                        {"agreement_id": agreement_id, "person_id": other, "acknowledged_at": _at(max(seen, written_on), 20)}
                    )
            agreements += len(versions)
        # Meetings: roughly as agreed; some pairs meet less often than they agreed.
        slack = 1.0 if is_demo or rng.random() < 0.7 else float(rng.uniform(1.6, 2.6))
        gap_days = max(10, int(round(7 * weeks * slack)))
        day = started_on + timedelta(days=int(rng.integers(5, 20)))
        held_days = []
        while day < today:
            held_days.append(day)
            day += timedelta(days=max(7, gap_days + int(rng.integers(-5, 6))))
        planned_after = is_demo or rng.random() < 0.6
        meeting_days = held_days + ([today + timedelta(days=int(rng.integers(3, 21)))] if planned_after else [])
        ids = meeting_ids.take(len(meeting_days))
        for index, (meeting_id, meeting_on) in enumerate(zip(ids, meeting_days, strict=True)):
            future = meeting_on >= today
            creator = mentee_id if rng.random() < 0.75 else mentor_id
            rows["meetings"].append(
                {
                    "meeting_id": meeting_id,
                    "pair_id": pair_id,
                    "meeting_on": meeting_on,
                    "created_by": creator,
                    "created_at": _at(max(started_on, meeting_on - timedelta(days=int(rng.integers(3, 14)))), 9),
                }
            )
            agenda = rng.choice(len(AGENDA), size=int(rng.integers(2, 5)), replace=False)
            if is_demo and future:
                agenda = [0, 1, 2]
            for position, item in enumerate(agenda, start=1):
                rows["meeting_agenda_items"].append({"meeting_id": meeting_id, "position": position, "text": AGENDA[int(item)]})
            if future:
                continue
            recent = (today - meeting_on).days < 10
            if recent and not is_demo and rng.random() < 0.5:
                continue  # notes due
            held = is_demo or rng.random() > 0.06
            written_on = min(meeting_on + timedelta(days=int(rng.integers(0, 3))), today - timedelta(days=1))
            written_on = max(written_on, meeting_on)
            rows["meeting_notes"].append(
                {
                    "meeting_id": meeting_id,
                    "held": held,
                    "notes": str(rng.choice(NOTES)) if held else "Cancelled: clinical service ran over.",
                    "written_by": creator,
                    "written_at": _at(written_on, 19),
                }
            )
            if not held:
                continue
            count = int(rng.integers(0, 4))
            if is_demo and index >= len(held_days) - 1:
                count = 3
            action_ids = action_numbers.take(count)
            for action_id, choice in zip(action_ids, rng.choice(len(ACTIONS), size=count, replace=False), strict=True):
                text, owner = ACTIONS[int(choice)]
                due_on = meeting_on + timedelta(days=int(rng.integers(14, 60)))
                rows["action_items"].append(
                    {
                        "action_id": action_id,
                        "meeting_id": meeting_id,
                        "text": text,
                        "owner_id": mentee_id if owner == "mentee" else mentor_id,
                        "due_on": due_on,
                        "created_at": _at(written_on, 19),
                    }
                )
                age = (today - meeting_on).days
                newest_for_demo = is_demo and index >= len(held_days) - 1
                # The demo fellow ticked off everything but the newest meeting's items.
                done = not newest_for_demo and (is_demo or rng.random() < (0.9 if age > 60 else 0.4))
                if done:
                    done_on = min(meeting_on + timedelta(days=int(rng.integers(3, 45))), today - timedelta(days=1))
                    rows["action_item_changes"].append(
                        {
                            "action_id": action_id,
                            "status": "done",
                            "goal_id": None,
                            "changed_by": mentee_id if owner == "mentee" else mentor_id,
                            "changed_at": _at(max(done_on, written_on), 21),
                        }
                    )
            actions += count
        meetings += len(meeting_days)
        demo_pair_done = demo_pair_done or is_demo
    agreement_map = _take_ids(cur, "agreement_ids", agreement_ids.count)
    meeting_map = _take_ids(cur, "meeting_ids", meeting_ids.count)
    action_map = _take_ids(cur, "action_ids", action_numbers.count)
    for table, column, mapping in (
        ("agreements", "agreement_id", agreement_map),
        ("agreement_acknowledgements", "agreement_id", agreement_map),
        ("meetings", "meeting_id", meeting_map),
        ("meeting_agenda_items", "meeting_id", meeting_map),
        ("meeting_notes", "meeting_id", meeting_map),
        ("action_items", "meeting_id", meeting_map),
        ("action_items", "action_id", action_map),
        ("action_item_changes", "action_id", action_map),
    ):
        for row in rows[table]:
            row[column] = mapping[row[column]]
    for table in _TABLES:
        _insert(cur, table, rows[table])
    return {"meetings": meetings, "agreements": agreements, "action_items": actions, "demo_fellow_planned": demo_pair_done}
