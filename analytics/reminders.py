"""The director's reminder list: who has what still to do this period, for the director's own mail merge.

Administration a director may see by name (DESIGN.md: who has or has not submitted), of their own
program only: name, email, what is due (the assessment in words, as each person's Assessments page
lists it, from analytics.assessments.due_assessments, so the rule of what is due lives in one place),
since when and by when (the last day of this period). Nothing rating-based: no rating, comment, goal
progress or anything a person typed beyond the names.

"Due since" is the first day of the earliest period of the unbroken run, up to this one, in which the
same assessment (instrument, about whom, pair) was asked and not done: due_assessments asked again as of
each earlier period's last day, back to when the person counts as a member (PROGRAM_MEMBERS'
active_from, as participation counts them) and the pair began, and at most MAX_PERIODS_BACK periods.
All of it, for every member and period, is read through one analytics.assessments.DueLists: a fixed
number of queries whatever the size of the program.
"""

from datetime import date, timedelta

import pandas as pd

from analytics.assessments import DueAssessment, DueLists
from analytics.errors import AccessDenied
from analytics.instruments import Catalogue
from analytics.people import Viewer, load_viewers, program_settings
from analytics.periods import next_period, period_label, period_start
from analytics.sql_fragments import PROGRAM_MEMBERS
from analytics.store import Store

COLUMNS = ["name", "email", "role", "what_is_due", "period", "due_since", "due_by"]
MAX_PERIODS_BACK = 8  # two years of quarters: "since" older than that reads as "for a long time"


def reminder_list(store: Store, catalogue: Catalogue, viewer: Viewer, today: date) -> pd.DataFrame:
    """One row per active fellow or mentor of the director's program and assessment they have not done this period."""
    if viewer is None or not viewer.has("director"):
        raise AccessDenied("The reminder list is for directors.")
    months = program_settings(store, viewer.program_id)["period_months"]
    people = store.query_all(
        f"""
        WITH members AS ({PROGRAM_MEMBERS})
        SELECT p.person_id, p.email, string_agg(m.role, ', ' ORDER BY m.role) AS roles, min(m.active_from)::DATE AS active_from
        FROM people p JOIN members m USING (person_id)
        GROUP BY p.person_id, p.email, p.full_name
        ORDER BY p.full_name, p.person_id
        """,
        {"program": viewer.program_id},
    )
    pair_starts = dict(
        store.query_all("SELECT pair_id, started_on FROM pairs WHERE program_id = $program", {"program": viewer.program_id})
    )
    # Every day anyone's list is read as of: today, and the last day of each earlier period that may
    # count for "due since" (none before the person joined), so the whole list takes a fixed number of queries.
    earlier = _earlier_periods(today, months)
    asked = [
        (person_id, day)
        for person_id, _, _, active_from in people
        for day in [today, *(_last_day(start, months) for start in earlier if start >= period_start(active_from, months))]
    ]
    due = DueLists(store, catalogue, viewer.program_id, asked)
    members = load_viewers(store, [person_id for person_id, *_ in people])
    rows = []
    for person_id, email, roles, active_from in people:
        person = members.get(person_id)
        if person is None:
            continue

        def asked_in(period: date, person: Viewer = person) -> list[DueAssessment]:
            return due.of(person, _last_day(period, months))

        for item in due.of(person, today):
            if item.done:
                continue
            floor = period_start(max(active_from, pair_starts.get(item.pair_id, active_from)), months)
            rows.append(
                {
                    "name": person.full_name,
                    "email": email,
                    "role": roles,
                    "what_is_due": item.in_words,
                    "period": period_label(item.period_start, months),
                    "due_since": _due_since(item, asked_in, floor, months),
                    "due_by": _last_day(item.period_start, months),
                }
            )
    return pd.DataFrame(rows, columns=COLUMNS)


def _earlier_periods(today: date, months: int) -> list[date]:
    """The starts of the MAX_PERIODS_BACK periods before today's, latest first: as far back as _due_since looks."""
    starts = [period_start(today, months)]
    for _ in range(MAX_PERIODS_BACK):
        starts.append(period_start(starts[-1] - timedelta(days=1), months))
    return starts[1:]


def _last_day(start: date, months: int) -> date:
    return next_period(start, months) - timedelta(days=1)


def _due_since(item: DueAssessment, asked_in, floor: date, months: int) -> date:
    """The first day of the earliest period of the unbroken run of periods, up to item's, that asked for it undone."""
    since = item.period_start
    for _ in range(MAX_PERIODS_BACK):
        previous = period_start(since - timedelta(days=1), months)
        if previous < floor:
            break
        same = [
            asked
            for asked in asked_in(previous)
            if (asked.instrument_id, asked.subject_id, asked.pair_id) == (item.instrument_id, item.subject_id, item.pair_id)
        ]
        if not same or same[0].done:
            break
        since = previous
    return since


def reminder_file_name(today: date) -> str:
    return f"reminders-{today:%Y-%m-%d}.csv"
