"""A person's calendar (.ics, RFC 5545): their pairs' meetings and what is due for them, by when.

Written with the `icalendar` library, which escapes text as RFC 5545 asks (commas, semicolons,
backslashes, newlines) and folds long lines. Every event is a whole day (meetings are kept by day).

- UIDs are stable: a meeting's comes from its id, a due assessment's from a hash of what it is (person,
  instrument, subject, pair, period), so downloading again updates the same events instead of adding copies.
- DTSTAMP is the app's clock (`now`), never read here.
- Only what the person may see goes in: their own pairs' meetings (a joint record) with the agenda, never
  the notes (a calendar is often shared with an assistant); what is due for them; nobody else's records.
- Inert: every SUMMARY and DESCRIPTION starts with the app's own words ("Mentoring meeting with",
  "Due:", "Agenda:"), so no typed text starts a field a spreadsheet could run once a calendar is
  exported to CSV.
"""

import hashlib
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event

from analytics.assessments import DueAssessment, DueLists
from analytics.instruments import Catalogue
from analytics.meetings import meetings_of
from analytics.people import Viewer, program_settings
from analytics.periods import next_period, period_label, period_start
from analytics.store import Store

PRODID = "-//Mentorship self-assessment dashboard//EN"
UID_DOMAIN = "mentorship-dashboard"


def meeting_uid(meeting_id: int) -> str:
    """The same for both members of the pair, and across downloads."""
    return f"meeting-{int(meeting_id)}@{UID_DOMAIN}"


def due_uid(person_id: int, item: DueAssessment) -> str:
    key = f"{person_id}|{item.instrument_id}|{item.subject_id}|{item.pair_id or 0}|{item.period_start.isoformat()}"
    return f"due-{hashlib.sha256(key.encode()).hexdigest()[:32]}@{UID_DOMAIN}"


def _utc(moment: datetime) -> datetime:
    """The app's clock is local time without a zone; DTSTAMP is UTC."""
    return moment.astimezone(UTC)


# Some calendar clients (Google Calendar among them) show a description as HTML: a typed `<a href=...>` in an
# agenda would become a working link there. Angle brackets are written as their look-alikes, so no tag survives.
_NO_TAGS = str.maketrans({"<": "\u2039", ">": "\u203a"})


def _event(uid: str, day: date, summary: str, description: str, stamp: datetime, cancelled: bool = False) -> Event:
    summary, description = summary.translate(_NO_TAGS), description.translate(_NO_TAGS)
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("transp", "TRANSPARENT")  # a due date or a meeting day does not block the whole day
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def _meeting_events(store: Store, viewer: Viewer, today: date, stamp: datetime) -> list[Event]:
    events = []
    for row in meetings_of(store, viewer, today).itertuples():
        agenda = "\n".join(f"{number}. {item}" for number, item in enumerate(row.agenda, start=1))
        description = f"Agenda:\n{agenda}" if agenda else "Agenda: none yet."
        summary = f"Mentoring meeting with {row.with_name} ({row.relation})"
        events.append(_event(meeting_uid(row.meeting_id), row.meeting_on, summary, description, stamp, row.status == "not held"))
    return events


def _due_events(store: Store, catalogue: Catalogue, viewer: Viewer, today: date, stamp: datetime) -> list[Event]:
    """This period's assessments not yet done, and the next period's, each on its period's last day."""
    months = program_settings(store, viewer.program_id)["period_months"]
    upcoming = next_period(period_start(today, months), months)
    due = DueLists(store, catalogue, viewer.program_id, [(viewer.person_id, today), (viewer.person_id, upcoming)])
    events = []
    for day in (today, upcoming):
        for item in due.of(viewer, day):
            if item.done:
                continue
            last_day = next_period(item.period_start, months) - timedelta(days=1)
            label = period_label(item.period_start, months)
            description = (
                f"Due by {last_day:%d %b %Y}, the last day of {label}. Fill it in under Assessments in the mentorship dashboard."
            )
            events.append(_event(due_uid(viewer.person_id, item), last_day, f"Due: {item.in_words}", description, stamp))
    return events


def person_calendar(store: Store, catalogue: Catalogue, viewer: Viewer, today: date, now: datetime) -> bytes:
    """The viewer's calendar as .ics bytes: every meeting of their pairs, and each assessment due for them
    (this period's not yet done and next period's) on the day it is due by."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"Mentoring: {viewer.full_name}")
    stamp = _utc(now)
    for event in _meeting_events(store, viewer, today, stamp) + _due_events(store, catalogue, viewer, today, stamp):
        calendar.add_component(event)
    return calendar.to_ical()


def calendar_file_name(today: date) -> str:
    return f"mentoring-calendar-{today:%Y-%m-%d}.ics"
