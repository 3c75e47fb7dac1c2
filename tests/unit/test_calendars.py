"""A person's .ics calendar, read back with the icalendar library: events, dates, stable UIDs, escaping."""

from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar

from analytics.assessments import due_assessments
from analytics.calendars import meeting_uid, person_calendar
from analytics.meetings import meetings_of, plan_meeting
from analytics.people import load_viewer
from tests.conftest import NOW, TODAY

TRICKY = 'Grant, aims; budget\\draft\nthen =HYPERLINK("http://evil","x")'


def _events(data: bytes) -> dict[str, dict]:
    calendar = Calendar.from_ical(data)
    return {
        str(event["uid"]): {
            "start": event.decoded("dtstart"),
            "summary": str(event["summary"]),
            "description": str(event["description"]),
            "status": str(event["status"]),
            "stamp": event.decoded("dtstamp"),
        }
        for event in calendar.walk("VEVENT")
    }


def _pair(store):
    pair_id, mentor_id, mentee_id = store.query_one(
        "SELECT pair_id, mentor_id, mentee_id FROM pairs WHERE ended_on IS NULL ORDER BY pair_id LIMIT 1"
    )
    return pair_id, load_viewer(store, mentor_id), load_viewer(store, mentee_id)


def test_meetings_and_due_dates_parse_with_their_days_and_text_escaped(demo_store, catalogue):
    pair_id, mentor, fellow = _pair(demo_store)
    meeting = plan_meeting(demo_store, fellow, pair_id, TODAY + timedelta(days=5), [TRICKY, "second"], TODAY, NOW)
    data = person_calendar(demo_store, catalogue, fellow, TODAY, NOW)
    raw = data.decode("utf-8")
    assert "Grant\\, aims\\; budget\\\\draft\\nthen" in raw.replace("\r\n ", "")  # RFC 5545 escaping, unfolded
    events = _events(data)
    mine = events[meeting_uid(meeting)]
    assert mine["start"] == TODAY + timedelta(days=5)
    assert mine["summary"] == f"Mentoring meeting with {mentor.full_name} (my mentor)"
    assert mine["description"] == f"Agenda:\n1. {TRICKY}\n2. second"  # read back exactly as typed
    assert mine["stamp"] == NOW.astimezone(UTC)
    # Every meeting of the fellow's pairs is there, each on its day.
    meetings = meetings_of(demo_store, fellow, TODAY)
    assert {meeting_uid(m) for m in meetings["meeting_id"]} <= set(events)
    # Each assessment due and not done this period is there on the period's last day (2026 Q4: 31 Dec).
    undone = [item for item in due_assessments(demo_store, catalogue, fellow, TODAY) if not item.done]
    assert undone
    due = {(e["summary"], e["start"]) for e in events.values() if e["summary"].startswith("Due: ")}
    assert {(f"Due: {item.in_words}", date(2026, 12, 31)) for item in undone} == {d for d in due if d[1].year == 2026}
    # Next period's are there too, on its last day.
    assert {day for _summary, day in due} == {date(2026, 12, 31), date(2027, 3, 31)}


def test_uids_are_stable_across_downloads_and_distinct(demo_store, catalogue):
    _pair_id, _mentor, fellow = _pair(demo_store)
    first = person_calendar(demo_store, catalogue, fellow, TODAY, NOW)
    later = person_calendar(demo_store, catalogue, fellow, TODAY, NOW + timedelta(hours=3))
    uids = [str(e["uid"]) for e in Calendar.from_ical(first).walk("VEVENT")]
    assert len(uids) == len(set(uids)) > 3
    assert uids == [str(e["uid"]) for e in Calendar.from_ical(later).walk("VEVENT")]
    assert first != later  # only DTSTAMP moved
    assert _events(later)[uids[0]]["stamp"] == (NOW + timedelta(hours=3)).astimezone(UTC)


def test_both_members_get_the_same_meeting_uid_and_nobody_else_gets_it(demo_store, catalogue):
    pair_id, mentor, fellow = _pair(demo_store)
    meeting = plan_meeting(demo_store, mentor, pair_id, TODAY + timedelta(days=2), ["plan the abstract"], TODAY, NOW)
    uid = meeting_uid(meeting)
    assert uid in _events(person_calendar(demo_store, catalogue, fellow, TODAY, NOW))
    assert uid in _events(person_calendar(demo_store, catalogue, mentor, TODAY, NOW))
    outsider = demo_store.query_one(
        "SELECT person_id FROM person_roles WHERE role = 'fellow' AND person_id NOT IN (?, ?) ORDER BY person_id LIMIT 1",
        [mentor.person_id, fellow.person_id],
    )[0]
    other = person_calendar(demo_store, catalogue, load_viewer(demo_store, outsider), TODAY, NOW)
    assert uid not in _events(other) and b"plan the abstract" not in other


def test_notes_never_reach_a_calendar(demo_store, catalogue):
    from analytics.meetings import record_notes

    pair_id, mentor, fellow = _pair(demo_store)
    meeting = plan_meeting(
        demo_store, fellow, pair_id, TODAY - timedelta(days=1), ["agenda line"], TODAY - timedelta(days=2), NOW
    )
    record_notes(demo_store, mentor, meeting, False, "PrivateNoteText", [], TODAY, NOW)
    data = person_calendar(demo_store, catalogue, fellow, TODAY, datetime(2026, 11, 26, 12, 0))
    assert b"PrivateNoteText" not in data
    assert _events(data)[meeting_uid(meeting)]["status"] == "CANCELLED"  # recorded as not held


def test_no_tag_survives_into_a_calendar(demo_store, catalogue):
    """Some clients show a description as HTML: a typed link must not become one there."""
    pair_id, _mentor, fellow = _pair(demo_store)
    link = '<a href="https://attacker.example/reschedule">Rescheduled: click</a><img src=x onerror=alert(1)>'
    meeting = plan_meeting(demo_store, fellow, pair_id, TODAY + timedelta(days=6), [link], TODAY, NOW)
    data = person_calendar(demo_store, catalogue, fellow, TODAY, NOW)
    description = _events(data)[meeting_uid(meeting)]["description"]
    assert "<" not in data.decode("utf-8") and ">" not in data.decode("utf-8")
    assert "\u2039a href=" in description and "https://attacker.example/reschedule" in description  # the words stay
