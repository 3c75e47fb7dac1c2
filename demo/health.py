"""Mentoring pairs whose true course is known: steady, or drifting in one planted way.

Used twice: the demo plants a few drifting pairs (its own random stream, records of new pairs only),
so every signal of analytics/relationship_health.py shows on first start; and the detection test
(tests/unit/test_health_detection.py) generates a whole program of them and measures how many planted
drifts each signal finds and how many steady pairs it flags.

A steady pair, as drawn here (the noise every signal must see through):
- meets every 2, 3 or 4 weeks as its agreement says, each meeting moved by up to 5 days, 10% of them
  not held; 0-2 action items a meeting, due 2-6 weeks later, 90% of them done (a tenth forgotten);
- writes its agreement in its first 3 weeks, both acknowledge it within 10 days, and writes a new
  version by each review date (6-12 months on);
- answers each assessment of the pair (both sides' process steps, their ratings of each other) and
  the fellow's self-assessment in 92% of periods, the open period in half the cases;
- rates each process step around its own level (3.3 to 4.7, a per-step offset of sd 0.3) with a
  period-to-period noise of sd 0.4, rounded to the 5-point scale; the fellow's qualities likewise;
- the fellow has 1-3 goals, checked in every 3-9 weeks at the straight line's value, give or take
  10 points.

A drift changes one thing, over the last months before `today`:
- ratings_slide: 2-3 steps, rated by one side, fall by 1.1 points a period from the last two closed
  periods on (so 2.2 points by the latest closed one, 3.3 in the open one, where answered);
- low_step: one step both sides rate around 1.6 (not in place) throughout;
- views_diverge: likewise from the last two closed periods on, the mentor's ratings move 0.6 a period
  away from the fellow's and the fellow's 0.2 the other way, in the direction the two already differ
  (of the process steps and of the fellow's qualities);
- meetings_stop: no meeting since 100-200 days ago;
- meetings_thin: over the last 150 days, meeting at a third of the agreed rate;
- agreement_lapse: the latest agreement past its review by 30-200 days, or never acknowledged by the
  mentor (written 90-300 days ago), or never written;
- goals_stall: every active goal's last check-in 130-250 days ago, or check-ins that stop moving 200 days ago;
- actions_pile: over the last 250 days, 80% of action items left open;
- assessments_stop: one of the pair's four assessments missing for the last 2-3 closed periods.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from analytics.bulk import insert_frame, reserve_ids
from analytics.instruments import MENTEE_BY_MENTOR, MENTEE_SELF, MENTOR_BY_MENTEE, PROCESS_STEPS, Catalogue
from analytics.periods import DEFAULT_PERIOD_MONTHS, last_periods, next_period, periods_between
from demo.meetings import ACTIONS, CONFIDENTIAL, CONTACT, MENTEE_EXPECTS, MENTOR_EXPECTS, RESPONSE

STEPS = ("shared-interests", "ground-rules", "planned-meetings", "goals-tracked", "bidirectional-feedback")
DRIFTS = {  # course -> the signals it is planted to show (analytics/relationship_health.SIGNALS)
    "ratings_slide": ("steps_falling",),
    "low_step": ("steps_low",),
    "views_diverge": ("views_diverging",),
    "meetings_stop": ("no_meeting", "meetings_below"),
    "meetings_thin": ("meetings_below",),
    "agreement_lapse": ("agreement",),
    "goals_stall": ("goals_stalled",),
    "actions_pile": ("actions_overdue",),
    "assessments_stop": ("assessments_overdue",),
}
STEADY = "steady"
COURSES = (STEADY, *DRIFTS)
_MONTHS = DEFAULT_PERIOD_MONTHS
_MENTEE_ACTIONS = tuple(text for text, owner in ACTIONS if owner == "mentee")


def _wording(texts: tuple[str, ...], key: int) -> str:
    """The demo's own wording, chosen by the pair or row (not by the random stream: a planted course stays the same)."""
    return texts[key % len(texts)]


GOAL_TITLES = ("Submit the registry abstract", "Finish the K-award specific aims", "Present at grand rounds")


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, datetime.min.time()) + timedelta(hours=hour)


class _Rows:
    """Rows per table, collected while drawing and inserted at the end."""

    def __init__(self) -> None:
        self.tables: dict[str, list[dict]] = {}

    def add(self, table: str, **row) -> None:
        self.tables.setdefault(table, []).append(row)


def plant_courses(
    cur, catalogue: Catalogue, pairs: pd.DataFrame, today: date, rng: np.random.Generator, fellow_records: bool = True
) -> dict[str, int]:
    """Write the records of each pair's course (`pairs`: pair_id, mentor_id, mentee_id, started_on, course).

    With `fellow_records`, each fellow also gets their self-assessments and goals (the fellow has no others).
    Returns how many rows went into each table.
    """
    rows = _Rows()
    versions = {i: catalogue.get(i).version for i in (PROCESS_STEPS, MENTEE_BY_MENTOR, MENTOR_BY_MENTEE, MENTEE_SELF)}
    quality_items = {i: [item.id for item in catalogue.get(i).items] for i in (MENTEE_BY_MENTOR, MENTOR_BY_MENTEE, MENTEE_SELF)}
    for pair in pairs.itertuples():
        _plant_pair(rows, pair, today, rng, versions, quality_items, fellow_records)
    return _insert(cur, rows)


def _plant_pair(rows: _Rows, pair, today: date, rng, versions, quality_items, fellow_records: bool) -> None:
    course = pair.course
    started = pd.Timestamp(pair.started_on).date()
    mentor, mentee, pair_id = int(pair.mentor_id), int(pair.mentee_id), int(pair.pair_id)
    weeks = int(rng.choice([2, 3, 4]))
    # ---- the agreement
    lapse = rng.choice(["review", "unacknowledged", "none"], p=[0.4, 0.4, 0.2]) if course == "agreement_lapse" else None
    drafts = []  # (written, review_on, acknowledged by the mentor)
    if lapse == "review":  # one version, never reviewed
        drafts.append(
            (started + timedelta(days=int(rng.integers(0, 21))), today - timedelta(days=int(rng.integers(30, 201))), True)
        )
    elif lapse == "unacknowledged":  # the latest version, which the mentor never acknowledged
        written = today - timedelta(days=int(rng.integers(90, 301)))
        drafts.append((written, written + timedelta(days=int(rng.integers(366, 500))), False))
    elif lapse is None:  # written in the first 3 weeks, renewed by each review date
        written = started + timedelta(days=int(rng.integers(0, 21)))
        while written <= today:
            review = written + timedelta(days=int(rng.integers(180, 366)))
            drafts.append((written, review, True))
            written = review - timedelta(days=int(rng.integers(1, 15)))
    for version, (written, review, acked_by_mentor) in enumerate(drafts, start=1):
        rows.add(
            "agreements",
            pair_id=pair_id,
            version=version,
            meet_every_weeks=weeks,
            contact=_wording(CONTACT, pair_id),
            response_time=_wording(RESPONSE, pair_id),
            mentee_expects=_wording(MENTEE_EXPECTS, pair_id),
            mentor_expects=_wording(MENTOR_EXPECTS, pair_id),
            confidential=_wording(CONFIDENTIAL, pair_id),
            review_on=review,
            written_by=mentee,
            written_at=_at(written),
        )
        rows.add("agreement_acknowledgements", pair_id=pair_id, version=version, person_id=mentee, acknowledged_at=_at(written))
        if acked_by_mentor:
            acked = min(written + timedelta(days=int(rng.integers(0, 11))), today)
            rows.add(
                "agreement_acknowledgements", pair_id=pair_id, version=version, person_id=mentor, acknowledged_at=_at(acked, 11)
            )
    # ---- meetings, notes and action items
    stop = today - timedelta(days=int(rng.integers(100, 201))) if course == "meetings_stop" else None
    thin_from = today - timedelta(days=150) if course == "meetings_thin" else None
    pile_from = today - timedelta(days=250) if course == "actions_pile" else None
    day = started + timedelta(days=int(rng.integers(3, 10)))
    while day <= today:
        if stop is not None and day > stop:
            break
        held = bool(rng.random() >= 0.1)
        rows.add("meetings", pair_id=pair_id, meeting_on=day, created_by=mentee, created_at=_at(day - timedelta(days=7)))
        rows.add("meeting_notes", pair_id=pair_id, meeting_on=day, held=held, written_by=mentee, written_at=_at(day, 17))
        if held:
            for _ in range(int(rng.integers(0, 3))):
                due = day + timedelta(days=int(rng.integers(14, 43)))
                open_share = 0.8 if pile_from is not None and day >= pile_from else 0.1
                done = bool(rng.random() >= open_share)
                done_on = min(due + timedelta(days=int(rng.integers(-10, 31))), today)
                rows.add(
                    "action_items",
                    pair_id=pair_id,
                    meeting_on=day,
                    owner_id=mentee,
                    due_on=due,
                    created_at=_at(day, 17),
                    done_at=_at(max(done_on, day), 18) if done and done_on >= day else None,
                )
        step = weeks * 7 * (3 if thin_from is not None and day >= thin_from else 1)
        day = day + timedelta(days=step + int(rng.integers(-5, 6)))
    # ---- assessments
    periods = periods_between(started, today, _MONTHS)
    if periods and periods[0] < started:
        periods = periods[1:]  # the pair's first whole period
    closed = periods[:-1]
    n = len(periods)
    stopped_stream = int(rng.integers(0, 4)) if course == "assessments_stop" else None
    stopped_from = n - 1 - int(rng.integers(2, 4))  # the last 2-3 closed periods, and the open one
    level = {"fellow": rng.uniform(3.3, 4.7), "mentor": rng.uniform(3.3, 4.7)}
    offset = {side: rng.normal(0, 0.3, len(STEPS)) for side in level}
    slide_side = rng.choice(["fellow", "mentor"])
    slide_items = set(rng.choice(len(STEPS), int(rng.integers(2, 4)), replace=False))
    low_item = int(rng.integers(0, len(STEPS)))
    self_level, mentor_view = rng.uniform(3.3, 4.7), rng.normal(0, 0.3)
    apart = 1.0 if level["mentor"] <= level["fellow"] else -1.0  # the mentor's view moves away from the fellow's
    apart_qualities = 1.0 if mentor_view <= 0 else -1.0
    streams = [
        (PROCESS_STEPS, mentee, "fellow"),
        (PROCESS_STEPS, mentor, "mentor"),
        (MENTEE_BY_MENTOR, mentor, "mentor"),
        (MENTOR_BY_MENTEE, mentee, "fellow"),
    ]
    for k, period in enumerate(periods):
        is_open = period not in closed
        since_drift = k - (n - 4)  # 1 and 2 in the last two closed periods, 3 in the open one
        for s, (instrument, respondent, side) in enumerate(streams):
            if rng.random() >= (0.5 if is_open else 0.92):
                continue
            if stopped_stream == s and k >= stopped_from:
                continue
            submitted = _at(min(period + timedelta(days=int(rng.integers(20, 80))), today), 9)
            if instrument == PROCESS_STEPS:
                ratings = {}
                for i, item in enumerate(STEPS):
                    value = level[side] + offset[side][i] + rng.normal(0, 0.4)
                    if course == "ratings_slide" and side == slide_side and i in slide_items and since_drift > 0:
                        value -= 1.1 * since_drift
                    if course == "low_step" and i == low_item:
                        value = 1.6 + rng.normal(0, 0.4)
                    if course == "views_diverge" and since_drift > 0:  # apart, the way they already differ
                        value += apart * (-0.6 * since_drift if side == "mentor" else 0.2 * since_drift)
                    ratings[item] = value
            else:
                centre = self_level + mentor_view if instrument == MENTEE_BY_MENTOR else level["fellow"]
                if course == "views_diverge" and instrument == MENTEE_BY_MENTOR and since_drift > 0:
                    centre -= apart_qualities * 0.6 * since_drift
                ratings = {item: centre + rng.normal(0, 0.4) for item in quality_items[instrument]}
            subject = mentee if respondent == mentor else mentor
            _assessment(rows, instrument, versions[instrument], respondent, subject, pair_id, period, submitted, ratings)
        if fellow_records and rng.random() < (0.5 if is_open else 0.92):
            centre = self_level + (apart_qualities * 0.2 * since_drift if course == "views_diverge" and since_drift > 0 else 0)
            ratings = {item: centre + rng.normal(0, 0.4) for item in quality_items[MENTEE_SELF]}
            submitted = _at(min(period + timedelta(days=int(rng.integers(20, 80))), today), 8)
            _assessment(rows, MENTEE_SELF, versions[MENTEE_SELF], mentee, mentee, None, period, submitted, ratings)
    # ---- goals
    if fellow_records or course == "goals_stall":
        stall = rng.choice(["quiet", "flat"]) if course == "goals_stall" else None
        for g in range(int(rng.integers(1, 4))):
            goal_start = max(started, today - timedelta(days=int(rng.integers(240, 400))))
            target = today + timedelta(days=int(rng.integers(60, 400)))
            span = (target - goal_start).days
            rows.add(
                "goals",
                owner_id=mentee,
                key=(pair_id, g),
                title=GOAL_TITLES[g],
                category="research",
                measure="percent",
                target_value=100.0,
                start_value=0.0,
                started_on=goal_start,
                target_date=target,
                created_at=_at(goal_start),
            )
            day, value = goal_start + timedelta(days=int(rng.integers(21, 64))), 0.0
            quiet_from = today - timedelta(days=int(rng.integers(130, 251))) if stall == "quiet" else None
            flat_from = today - timedelta(days=200) if stall == "flat" else None
            while day <= today:
                if quiet_from is not None and day > quiet_from:
                    break
                if flat_from is None or day < flat_from:
                    value = max(value, min(100.0, 100.0 * (day - goal_start).days / span + rng.normal(0, 10)))
                rows.add(
                    "goal_checkins", key=(pair_id, g), checked_on=day, value=round(value, 1), note=None, recorded_at=_at(day, 20)
                )
                day += timedelta(days=int(rng.integers(21, 64)))


def _assessment(rows: _Rows, instrument, version, respondent, subject, pair_id, period, submitted, ratings) -> None:
    rows.add(
        "assessments",
        instrument_id=instrument,
        instrument_version=version,
        respondent_id=respondent,
        subject_id=subject,
        pair_id=pair_id,
        period_start=period,
        submitted_at=submitted,
        ratings={item: int(min(5, max(1, round(value)))) for item, value in ratings.items()},
    )


def _insert(cur, rows: _Rows) -> dict[str, int]:
    counts = {}
    t = rows.tables
    agreements = pd.DataFrame(t.get("agreements", []))
    if not agreements.empty:
        agreements.insert(0, "agreement_id", reserve_ids(cur, "agreement_ids", len(agreements)))
        insert_frame(cur, "agreements", agreements)
        ids = {(r.pair_id, r.version): r.agreement_id for r in agreements.itertuples()}
        acks = pd.DataFrame(t["agreement_acknowledgements"])
        acks["agreement_id"] = [ids[(p, v)] for p, v in zip(acks["pair_id"], acks["version"], strict=True)]
        insert_frame(cur, "agreement_acknowledgements", acks[["agreement_id", "person_id", "acknowledged_at"]])
    meetings = pd.DataFrame(t.get("meetings", []))
    if not meetings.empty:
        meetings.insert(0, "meeting_id", reserve_ids(cur, "meeting_ids", len(meetings)))
        insert_frame(cur, "meetings", meetings)
        ids = {(r.pair_id, r.meeting_on): r.meeting_id for r in meetings.itertuples()}
        notes = pd.DataFrame(t["meeting_notes"])
        notes["meeting_id"] = [ids[(p, d)] for p, d in zip(notes["pair_id"], notes["meeting_on"], strict=True)]
        notes["notes"] = None
        insert_frame(cur, "meeting_notes", notes[["meeting_id", "held", "notes", "written_by", "written_at"]])
        actions = pd.DataFrame(t.get("action_items", []))
        if not actions.empty:
            actions.insert(0, "action_id", reserve_ids(cur, "action_ids", len(actions)))
            actions["meeting_id"] = [ids[(p, d)] for p, d in zip(actions["pair_id"], actions["meeting_on"], strict=True)]
            actions["text"] = [_wording(_MENTEE_ACTIONS, int(i)) for i in actions["action_id"]]  # the mentee owns them
            insert_frame(cur, "action_items", actions[["action_id", "meeting_id", "text", "owner_id", "due_on", "created_at"]])
            done = actions[actions["done_at"].notna()]
            changes = pd.DataFrame(
                {
                    "action_id": done["action_id"],
                    "status": "done",
                    "goal_id": None,
                    "changed_by": done["owner_id"],
                    "changed_at": done["done_at"],
                }
            )
            insert_frame(cur, "action_item_changes", changes)
    assessments = pd.DataFrame(t.get("assessments", []))
    if not assessments.empty:
        assessments.insert(0, "assessment_id", reserve_ids(cur, "assessment_ids", len(assessments)))
        assessments["key_random"] = np.arange(len(assessments), dtype=np.int64) + 7_000_000
        responses = pd.DataFrame(
            [
                {"assessment_id": a, "item_id": item, "rating": rating}
                for a, ratings in zip(assessments["assessment_id"], assessments["ratings"], strict=True)
                for item, rating in ratings.items()
            ]
        )
        insert_frame(cur, "assessments", assessments.drop(columns=["ratings"]))
        insert_frame(cur, "responses", responses)
        counts["responses"] = len(responses)
    goals = pd.DataFrame(t.get("goals", []))
    if not goals.empty:
        goals.insert(0, "goal_id", reserve_ids(cur, "goal_ids", len(goals)))
        ids = dict(zip(goals["key"], goals["goal_id"], strict=True))
        insert_frame(cur, "goals", goals.drop(columns=["key"]))
        checkins = pd.DataFrame(t.get("goal_checkins", []))
        if not checkins.empty:
            checkins["goal_id"] = [ids[key] for key in checkins["key"]]
            insert_frame(cur, "goal_checkins", checkins.drop(columns=["key"]))
    for table, found in t.items():
        counts[table] = len(found)
    return counts


def plant_demo_drifts(cur, catalogue: Catalogue, program_id: int, today: date, rng: np.random.Generator, avoid: set[int]) -> dict:
    """The demo program's drifting pairs: one new pair per drift, so every signal shows on first start.

    Each is a new pair between a mentor and a fellow of the program's larger cohorts (so the director's counts
    show it) in a domain the fellow has no mentor for, never one of `avoid` (the demo accounts, whose pages
    other tests count) nor a mentee of theirs. Only the new pairs get records, and the fellow's own records stay as they are (the
    stalled goals of one fellow excepted: a goal is the fellow's). Drawn from its own random stream.
    """
    fellows = cur.execute(
        """
        SELECT p.person_id, list(pr.domain) FILTER (WHERE pr.pair_id IS NOT NULL AND pr.ended_on IS NULL) AS domains
        FROM people p JOIN person_roles r USING (person_id)
        LEFT JOIN pairs pr ON pr.mentee_id = p.person_id
        WHERE p.program_id = $program AND p.active AND r.role = 'fellow'
          AND p.cohort_id IN (SELECT cohort_id FROM people WHERE program_id = $program GROUP BY cohort_id HAVING count(*) >= 8)
        GROUP BY p.person_id ORDER BY p.person_id
        """,
        {"program": program_id},
    ).fetchall()
    mentors = [
        row[0]
        for row in cur.execute(
            """
            SELECT person_id FROM people JOIN person_roles USING (person_id)
            WHERE program_id = $program AND active AND role = 'mentor' ORDER BY person_id
            """,
            {"program": program_id},
        ).fetchall()
        if row[0] not in avoid
    ]
    open_slots = [
        (f, d) for f, domains in fellows if f not in avoid for d in ("career", "research", "social") if d not in (domains or [])
    ]
    chosen = rng.choice(len(open_slots), len(DRIFTS), replace=False)
    used_fellows: set[int] = set()
    rows = []
    for course, slot in zip(DRIFTS, chosen, strict=True):
        fellow, domain = open_slots[int(slot)]
        if fellow in used_fellows:  # one drift per fellow: a second would mix two courses in one person's records
            fellow, domain = next((f, d) for f, d in open_slots if f not in used_fellows and f != fellow)
        used_fellows.add(fellow)
        rows.append({"mentee_id": fellow, "domain": domain, "course": course, "mentor_id": int(rng.choice(mentors))})
    pairs = pd.DataFrame(rows)
    pairs.insert(0, "pair_id", reserve_ids(cur, "pair_ids", len(pairs)))
    pairs["program_id"] = program_id
    pairs["started_on"] = pair_starts(len(pairs), today, rng)
    insert_frame(cur, "pairs", pairs[["pair_id", "program_id", "mentor_id", "mentee_id", "domain", "started_on"]])
    counts = plant_courses(cur, catalogue, pairs, today, rng, fellow_records=False)
    names = {"goal_checkins": "checkins"}  # the build summary's names
    return {"pairs": len(pairs)} | {names.get(table, table): count for table, count in counts.items()}


def course_plan(per_drift: int, steady: int, rng: np.random.Generator) -> list[str]:
    """The courses of a generated program's pairs, in a random order: `per_drift` of each drift, `steady` steady."""
    courses = [STEADY] * steady + [course for course in DRIFTS for _ in range(per_drift)]
    return list(rng.permutation(courses))


def pair_starts(count: int, today: date, rng: np.random.Generator) -> list[date]:
    """When each pair started: 14 to 30 months before today, so every course has room to show."""
    return [today - timedelta(days=int(days)) for days in rng.integers(425, 915, count)]


__all__ = ["COURSES", "DRIFTS", "STEADY", "course_plan", "last_periods", "next_period", "pair_starts", "plant_courses"]
