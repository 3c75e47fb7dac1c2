"""Bad input, table-driven, against every write function of analytics/ (each form and import of the app).

For every case: the write is refused with an InputError (a ValueError) or AccessDenied carrying one
clear sentence, and no table changes (every table's row count and checksum are the same after).
Hostile but valid text (HTML, script tags, markdown links, SQL, right-to-left, emoji) is stored
exactly as typed and only where it belongs. A double-clicked submit stores one row.
"""

import math
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from analytics import (
    agreements,
    assessments,
    auth,
    goals,
    guide,
    meetings,
    network,
    outputs,
    pairs,
    program_settings,
    redcap,
    roster,
    sharing,
)
from analytics.errors import AccessDenied, InputError
from analytics.instruments import load_catalogue
from analytics.store import Store
from tests.conftest import NOW
from tests.robustness.bad_input_helpers import (
    CONTROL_TEXTS,
    FAR_FUTURE,
    FAR_PAST,
    HOSTILE_TEXTS,
    HUGE_TEXT,
    World,
    assert_clear_message,
    build_world,
    changed_tables,
    copy_demo,
    snapshot,
)


@pytest.fixture(scope="module")
def world(demo_template, tmp_path_factory):
    """One copy of the demo program for the whole module: a refused write leaves it as it was."""
    with Store(copy_demo(demo_template, tmp_path_factory.mktemp("bad-input"))) as store:
        yield build_world(store)


# ---------------------------------------------------------------- the write calls, with good defaults

SELF = "mentee-self"


def _ratings(w: World, value=4, instrument=SELF) -> dict:
    return {item.id: value for item in w.catalogue.get(instrument).items}


def assess(w: World, **change):
    args = {"instrument_id": SELF, "ratings": _ratings(w), "comment": None, "submission_key": uuid.uuid4().hex}
    args.update(change)
    viewer = args.pop("viewer", w.fellow)
    return assessments.submit_assessment(w.store, w.catalogue, viewer, today=w.today, now=w.now, **args)


def assess_mentor(w: World, **change):
    base = {"instrument_id": "mentor-by-mentee", "ratings": _ratings(w, 4, "mentor-by-mentee"), "pair_id": w.pair_id}
    return assess(w, **(base | change))


def new_goal(w: World, **change):
    args = {
        "title": "Submit an abstract",
        "category": "research",
        "measure": "percent",
        "target_value": None,
        "target_date": w.today + timedelta(days=120),
        "unit": None,
        "milestones": (),
    }
    args.update(change)
    viewer = args.pop("viewer", w.fellow)
    return goals.create_goal(w.store, viewer, today=w.today, now=w.now, **args)


def checkin(w: World, **change):
    args = {"goal_id": w.goal_id, "value": 100, "checked_on": w.today, "note": None}
    args.update(change)
    viewer = args.pop("viewer", w.fellow)
    return goals.add_checkin(w.store, viewer, today=w.today, now=w.now, **args)


def status(w: World, **change):
    args = {"goal_id": w.goal_id, "status": "paused", "note": None}
    args.update(change)
    return goals.change_status(w.store, w.fellow, today=w.today, now=w.now, **args)


def plan(w: World, **change):
    args = {"pair_id": w.pair_id, "meeting_on": w.today + timedelta(days=7), "agenda_items": ["Review the abstract"]}
    args.update(change)
    viewer = args.pop("viewer", w.fellow)
    return meetings.plan_meeting(w.store, viewer, today=w.today, now=w.now, **args)


def notes(w: World, **change):
    args = {"meeting_id": w.meeting_id, "held": True, "notes": "We met.", "action_items": []}
    args.update(change)
    viewer = args.pop("viewer", w.fellow)
    return meetings.record_notes(w.store, viewer, today=w.today, now=w.now, **args)


def action(w: World, **change) -> dict:
    return {"text": "Send the draft", "owner_id": w.fellow.person_id, "due_on": w.today + timedelta(days=30)} | change


def agreement(w: World, **change):
    args = {
        "pair_id": w.pair_id,
        "meet_every_weeks": 4,
        "contact": "Email",
        "response_time": "Two days",
        "mentee_expects": "Honest feedback",
        "mentor_expects": "Drafts a week ahead",
        "confidential": "Personal matters",
        "review_on": w.today + timedelta(days=180),
    }
    args.update(change)
    viewer = args.pop("viewer", w.fellow)
    return agreements.record_agreement(w.store, viewer, today=w.today, now=w.now, **args)


def add_mentor(w: World, **change):
    args = {"domains": ["research"], "mentor_person_id": None, "mentor_name": "Dr Outside"}
    args.update(change)
    viewer = args.pop("viewer", w.fellow)
    return network.add_to_network(w.store, viewer, now=w.now, **args)


def output(w: World, **change):
    args = {"kind": "publication", "title": "A paper", "happened_on": w.today - timedelta(days=30)}
    args.update(change)
    viewer = args.pop("viewer", w.fellow)
    return outputs.log_output(w.store, viewer, today=w.today, now=w.now, **args)


def share(w: World, choices):
    return sharing.set_sharing(w.store, w.fellow, choices, w.now)


def person(w: World, **change):
    args = {"full_name": "Ada New", "email": f"ada.{uuid.uuid4().hex[:8]}@new.org", "roles": ["mentor"], "cohort_id": None}
    args.update(change)
    viewer = args.pop("viewer", w.director)
    return roster.add_person(w.store, viewer, now=w.now, **args)


def cohort(w: World, **change):
    args = {"name": "Class of 2031", "start_year": 2031} | change
    return roster.add_cohort(w.store, w.director, **args)


def import_rows(w: World, rows):
    return roster.import_roster(w.store, w.director, rows, w.now)


def pair(w: World, **change):
    args = {
        "mentor_id": w.mentor.person_id,
        "mentee_id": w.other_fellow.person_id,
        "domain": "social",
        "started_on": w.today,
    }
    args.update(change)
    return pairs.create_pair(w.store, w.director, today=w.today, **args)


def end(w: World, **change):
    args = {"pair_id": w.pair_id, "ended_on": w.today, "status": "stopped", "reason": "Moved away"} | change
    return pairs.end_pair(w.store, w.director, today=w.today, **args)


def reassign(w: World, **change):
    other_mentor = w.store.query_one(
        "SELECT person_id FROM person_roles WHERE role = 'mentor' AND person_id <> ? ORDER BY person_id LIMIT 1",
        [w.mentor.person_id],
    )[0]
    args = {"pair_id": w.pair_id, "new_mentor_id": other_mentor, "on_date": w.today, "reason": "Fit"} | change
    return pairs.reassign_pair(w.store, w.director, today=w.today, **args)


def password(w: World, current="demo", new="a new password"):
    return auth.change_password(w.store, w.fellow, current, new, w.now, keep_token="t" * 43)


def first_password(w: World, person_id=None, new=None):
    if person_id is None:
        person_id = w.other_fellow.person_id
    return roster.set_initial_password(w.store, w.director, person_id, new or "long enough", w.now)


def reset_code(w: World, person_id=None, viewer=None):
    person_id = w.other_fellow.person_id if person_id is None else person_id
    return roster.issue_reset_code(w.store, viewer or w.director, person_id, w.now)


def reset(w: World, email="fellow@demo.org", code="ABCD-EFGH-JKMN-PQRS", new="a new password"):
    return auth.reset_password(w.store, email, code, new, w.now)


@dataclass(frozen=True)
class Case:
    id: str
    call: Callable[[World], object]
    refusal: type[Exception] = InputError


def cases() -> list[Case]:
    found: list[Case] = []

    def add(case_id, call, refusal=InputError):
        found.append(Case(case_id, call, refusal))

    def add_far_dates(prefix, call, field):
        """The year 1 and the year 9999 in a date field: every dated form refuses both."""
        add(f"{prefix}-far-past", lambda w: call(w, **{field: FAR_PAST}))
        add(f"{prefix}-far-future", lambda w: call(w, **{field: FAR_FUTURE}))

    # -- assessments: ratings, comments, signed or not
    for value in (0, 6, -1, 10**9, 3.5, math.nan, math.inf, "4", "four", None, True, [4], {"v": 4}):
        add(f"assessment-rating-{value!r}"[:60], lambda w, v=value: assess(w, ratings=_ratings(w) | {"positive-attitude": v}))
    add("assessment-one-item-missing", lambda w: assess(w, ratings={"positive-attitude": 4}))
    add("assessment-ratings-not-a-dict", lambda w: assess(w, ratings=[4] * 9))
    add("assessment-ratings-none", lambda w: assess(w, ratings=None))
    add("assessment-unknown-item-huge", lambda w: assess(w, ratings=_ratings(w) | {HUGE_TEXT: 3}))
    add("assessment-unknown-item-sql", lambda w: assess(w, ratings=_ratings(w) | {"x'); DROP TABLE responses; --": 3}))
    add("assessment-unknown-instrument", lambda w: assess(w, instrument_id="'; DROP TABLE assessments; --"))
    add("assessment-comment-100kB", lambda w: assess(w, comment=HUGE_TEXT))
    for number, text in enumerate(CONTROL_TEXTS):
        add(f"assessment-comment-control-{number}", lambda w, t=text: assess(w, comment=t))
    add("assessment-comment-not-text", lambda w: assess(w, comment=12345))
    add("assessment-key-too-short", lambda w: assess(w, submission_key="abc"))
    add("assessment-key-huge", lambda w: assess(w, submission_key=HUGE_TEXT))
    add("assessment-key-not-text", lambda w: assess(w, submission_key=123456789))
    add("assessment-signed-self", lambda w: assess(w, signed=True))
    add("assessment-signed-bad-rating", lambda w: assess_mentor(w, signed=True, ratings={"x": 1}))
    add("assessment-pair-of-others", lambda w: assess_mentor(w, pair_id=w.other_pair_id), AccessDenied)
    add("assessment-pair-id-text", lambda w: assess_mentor(w, pair_id="1 OR 1=1"), AccessDenied)
    add("assessment-self-about-another", lambda w: assess(w, subject_id=w.mentor.person_id), AccessDenied)

    # -- goals: create, milestones, check-ins, status
    add("goal-title-empty", lambda w: new_goal(w, title="   "))
    add("goal-title-100kB", lambda w: new_goal(w, title=HUGE_TEXT))
    add("goal-title-control", lambda w: new_goal(w, title="line\x00break"))
    add("goal-title-not-text", lambda w: new_goal(w, title=["a list"]))
    add("goal-category-unknown", lambda w: new_goal(w, category="<script>alert(1)</script>"))
    add("goal-category-100kB", lambda w: new_goal(w, category=HUGE_TEXT))
    add("goal-measure-unknown", lambda w: new_goal(w, measure="'; DROP TABLE goals; --"))
    add("goal-percent-target-50", lambda w: new_goal(w, target_value=50))
    for value in (0, -3, 10_001, 2.5, "3", math.nan, math.inf, True, None):
        add(f"goal-count-target-{value!r}", lambda w, v=value: new_goal(w, measure="count", target_value=v, unit="papers"))
    add("goal-unit-100kB", lambda w: new_goal(w, measure="count", target_value=3, unit=HUGE_TEXT))
    for day in (FAR_PAST, FAR_FUTURE, date(2026, 11, 26), "tomorrow", "2027-13-45", None, 20270101):
        add(f"goal-target-date-{day!r}", lambda w, d=day: new_goal(w, target_date=d))
    add("goal-milestone-no-title", lambda w: new_goal(w, milestones=[("", None)]))
    add("goal-milestone-100kB", lambda w: new_goal(w, milestones=[(HUGE_TEXT, None)]))
    add("goal-milestone-after-target", lambda w: new_goal(w, milestones=[("Late", FAR_FUTURE)]))
    add("goal-milestone-in-past", lambda w: new_goal(w, milestones=[("Early", FAR_PAST)]))
    add("goal-milestone-not-a-pair", lambda w: new_goal(w, milestones=["just text"]))
    add("goal-milestones-21", lambda w: new_goal(w, milestones=[(f"Step {n}", None) for n in range(21)]))
    add("goal-milestone-lines-bad-date", lambda w: goals.parse_milestone_lines("Draft; 2027-02-30"))
    add("goal-milestone-lines-huge-date", lambda w: goals.parse_milestone_lines("Draft; " + HUGE_TEXT))
    add("goal-milestone-lines-too-many", lambda w: goals.parse_milestone_lines("\n".join(f"s{n}" for n in range(6)), 5))
    for field in ("why_it_matters", "how_measured"):  # the SMART texts: optional, so empty is no goal-refusal
        add(f"goal-{field}-100kB", lambda w, f=field: new_goal(w, **{f: HUGE_TEXT}))
        add(f"goal-{field}-501", lambda w, f=field: new_goal(w, **{f: "x" * 501}))
        for number, text in enumerate(CONTROL_TEXTS):
            add(f"goal-{field}-control-{number}", lambda w, f=field, t=text: new_goal(w, **{f: t}))
        add(f"goal-{field}-not-text", lambda w, f=field: new_goal(w, **{f: 12345}))
    for value in ("yes", 1, None, [True]):
        add(f"goal-stretch-{value!r}", lambda w, v=value: new_goal(w, stretch=v))
    add("goal-from-someone-elses-action", lambda w: new_goal(w, from_action_id=10**9))
    add("goal-from-action-text", lambda w: new_goal(w, from_action_id="1; DROP TABLE goals"))
    add("goal-by-director", lambda w: new_goal(w, viewer=w.director), AccessDenied)
    for value in (-1, 1001, math.nan, math.inf, "50", None, True):  # up to 10 times the target is stored
        add(f"checkin-value-{value!r}", lambda w, v=value: checkin(w, value=v))
    add("checkin-note-100kB", lambda w: checkin(w, note=HUGE_TEXT))
    add("checkin-note-control", lambda w: checkin(w, note="esc\x1b"))
    add_far_dates("checkin-date", checkin, "checked_on")
    add("checkin-date-text", lambda w: checkin(w, checked_on="last week"))
    add("checkin-goal-of-another", lambda w: checkin(w, viewer=w.other_fellow), AccessDenied)
    add("checkin-goal-unknown", lambda w: checkin(w, goal_id=10**9), AccessDenied)
    add("checkin-goal-id-text", lambda w: checkin(w, goal_id="1 OR 1=1"), AccessDenied)
    add("status-unknown", lambda w: status(w, status="deleted"))
    add("status-drop-without-note", lambda w: status(w, status="dropped"))
    add("status-note-100kB", lambda w: status(w, note=HUGE_TEXT))
    add("status-goal-id-text", lambda w: status(w, goal_id="x"), AccessDenied)

    # -- meetings: agenda, notes, action items
    add("meeting-agenda-empty", lambda w: plan(w, agenda_items=["", "  "]))
    add("meeting-agenda-text-not-list", lambda w: plan(w, agenda_items="one item"))
    add("meeting-agenda-item-100kB", lambda w: plan(w, agenda_items=[HUGE_TEXT]))
    add("meeting-agenda-16-items", lambda w: plan(w, agenda_items=[f"Item {n}" for n in range(16)]))
    add("meeting-agenda-control", lambda w: plan(w, agenda_items=["ok", "bad\x00"]))
    add("meeting-agenda-not-text", lambda w: plan(w, agenda_items=[{"x": 1}]))
    for day in (FAR_PAST, FAR_FUTURE, "2027-01-01", None):
        add(f"meeting-date-{day!r}", lambda w, d=day: plan(w, meeting_on=d))
    add("meeting-pair-of-others", lambda w: plan(w, pair_id=w.other_pair_id), AccessDenied)
    add("meeting-pair-id-text", lambda w: plan(w, pair_id="1; DROP TABLE meetings"), AccessDenied)
    add("notes-100kB", lambda w: notes(w, notes=HUGE_TEXT))
    add("notes-control", lambda w: notes(w, notes="a\x00b"))
    add("notes-held-text", lambda w: notes(w, held="yes"))
    add("notes-actions-when-not-held", lambda w: notes(w, held=False, action_items=[action(w)]))
    add("notes-action-empty", lambda w: notes(w, action_items=[action(w, text=" ")]))
    add("notes-action-100kB", lambda w: notes(w, action_items=[action(w, text=HUGE_TEXT)]))
    add("notes-action-owner-outsider", lambda w: notes(w, action_items=[action(w, owner_id=w.director.person_id)]))
    add("notes-action-owner-text", lambda w: notes(w, action_items=[action(w, owner_id=str(w.fellow.person_id))]))
    add_far_dates("notes-action-due", lambda w, **due: notes(w, action_items=[action(w, **due)]), "due_on")
    add("notes-action-not-a-dict", lambda w: notes(w, action_items=["do it"]))
    add("notes-21-actions", lambda w: notes(w, action_items=[action(w, text=f"Do {n}") for n in range(21)]))
    add("notes-second-item-bad", lambda w: notes(w, action_items=[action(w), action(w, text="\x1b")]))
    add("notes-meeting-of-others", lambda w: notes(w, viewer=w.other_fellow), AccessDenied)
    add("notes-meeting-id-text", lambda w: notes(w, meeting_id="x"), AccessDenied)
    add("tick-action-id-text", lambda w: meetings.tick_action(w.store, w.fellow, "x", w.now), AccessDenied)
    add("tick-action-unknown", lambda w: meetings.tick_action(w.store, w.fellow, 10**9, w.now), AccessDenied)
    to_goal = meetings.action_to_goal
    add("action-to-goal-of-another", lambda w: to_goal(w.store, w.fellow, w.action_id, 10**9, w.now))
    add("action-to-goal-id-text", lambda w: to_goal(w.store, w.fellow, w.action_id, "1 OR 1=1", w.now))

    # -- agreements
    for weeks in (0, 27, -1, 2.5, "4", None, True):
        add(f"agreement-weeks-{weeks!r}", lambda w, v=weeks: agreement(w, meet_every_weeks=v))
    for field in agreements.FIELDS:
        add(f"agreement-{field}-empty", lambda w, f=field: agreement(w, **{f: ""}))
        add(f"agreement-{field}-100kB", lambda w, f=field: agreement(w, **{f: HUGE_TEXT}))
    add("agreement-control", lambda w: agreement(w, contact="phone\x07"))
    for day in (FAR_PAST, FAR_FUTURE, "soon", None):
        add(f"agreement-review-{day!r}", lambda w, d=day: agreement(w, review_on=d))
    add("agreement-pair-of-others", lambda w: agreement(w, pair_id=w.other_pair_id), AccessDenied)
    add("acknowledge-unknown", lambda w: agreements.acknowledge(w.store, w.fellow, 10**9, w.now), AccessDenied)
    add("acknowledge-id-text", lambda w: agreements.acknowledge(w.store, w.fellow, "x", w.now), AccessDenied)

    # -- network entries
    add("network-no-domain", lambda w: add_mentor(w, domains=[]))
    add("network-domain-unknown", lambda w: add_mentor(w, domains=["<b>career</b>"]))
    add("network-domain-100kB", lambda w: add_mentor(w, domains=[HUGE_TEXT]))
    add("network-domain-text-not-list", lambda w: add_mentor(w, domains="research"))
    add("network-name-empty", lambda w: add_mentor(w, mentor_name=" "))
    add("network-name-one-letter", lambda w: add_mentor(w, mentor_name="X"))
    add("network-name-100kB", lambda w: add_mentor(w, mentor_name=HUGE_TEXT))
    add("network-name-control", lambda w: add_mentor(w, mentor_name="Dr\x00Who"))
    add("network-both-name-and-id", lambda w: add_mentor(w, mentor_person_id=w.mentor.person_id))
    add("network-id-text", lambda w: add_mentor(w, mentor_name=None, mentor_person_id="39 OR 1=1"))
    add("network-id-unknown", lambda w: add_mentor(w, mentor_name=None, mentor_person_id=10**9))
    add("network-myself", lambda w: add_mentor(w, mentor_name=None, mentor_person_id=w.fellow.person_id))
    add("network-by-mentor", lambda w: add_mentor(w, viewer=w.mentor), AccessDenied)
    add("network-remove-unknown", lambda w: network.remove_from_network(w.store, w.fellow, 10**9, w.now))
    add("network-remove-text", lambda w: network.remove_from_network(w.store, w.fellow, "1 OR 1=1", w.now))

    # -- outputs (DOI, PMID, grant)
    add("output-kind-unknown", lambda w: output(w, kind="patent"))
    add("output-title-empty", lambda w: output(w, title=""))
    add("output-title-100kB", lambda w: output(w, title=HUGE_TEXT))
    add("output-title-control", lambda w: output(w, title="tab\x0bbed"))
    add_far_dates("output-date", output, "happened_on")
    add("output-date-text", lambda w: output(w, happened_on="2020-01-01"))
    for kind, value in (
        ("doi", "10.12/x"),
        ("doi", "<script>10.1182/x</script>"),
        ("doi", HUGE_TEXT),
        ("pmid", "123456789"),
        ("pmid", "12a"),
        ("pmid", "1; DROP TABLE outputs"),
        ("grant", "K0"),
        ("grant", "K08 <b>HL</b>"),
        ("grant", HUGE_TEXT),
        ("isbn", "978-3-16"),
        (None, "10.1182/blood"),
        ("doi", ""),
        ("doi", 101182),
    ):
        add(f"output-identifier-{kind}-{str(value)[:20]}", lambda w, k=kind, v=value: output(w, identifier_kind=k, identifier=v))

    # -- sharing
    add("sharing-not-my-mentor", lambda w: share(w, {(w.director.person_id, "goals"): True}), AccessDenied)
    add(
        "sharing-unknown-kind",
        lambda w: share(w, {(w.mentor.person_id, "'; DROP TABLE sharing_choices; --"): True}),
        AccessDenied,
    )
    add("sharing-mentor-id-text", lambda w: share(w, {(str(w.mentor.person_id), "goals"): True}), AccessDenied)
    add("sharing-not-a-dict", lambda w: share(w, [(w.mentor.person_id, "goals", True)]))
    add(
        "sharing-one-bad-among-good",
        lambda w: share(w, {(w.mentor.person_id, "goals"): True, (10**9, "goals"): True}),
        AccessDenied,
    )

    # -- people: add person, cohorts, passwords, deactivate
    add("person-name-empty", lambda w: person(w, full_name=""))
    add("person-name-100kB", lambda w: person(w, full_name=HUGE_TEXT))
    add("person-name-line-break", lambda w: person(w, full_name="Ada\nNew"))
    add("person-email-bad", lambda w: person(w, email="not an email"))
    add("person-email-100kB", lambda w: person(w, email=HUGE_TEXT + "@x.org"))
    add("person-email-html", lambda w: person(w, email="<script>@x.org"))
    add("person-email-taken", lambda w: person(w, email="fellow@demo.org"))
    add("person-email-taken-other-case", lambda w: person(w, email=" FELLOW@Demo.org "))
    add("person-roles-none", lambda w: person(w, roles=[]))
    add("person-role-unknown", lambda w: person(w, roles=["admin"]))
    add("person-role-100kB", lambda w: person(w, roles=HUGE_TEXT))
    add("person-fellow-without-cohort", lambda w: person(w, roles=["fellow"]))
    add("person-fellow-cohort-text", lambda w: person(w, roles=["fellow"], cohort_id="1"))
    add("person-fellow-cohort-unknown", lambda w: person(w, roles=["fellow"], cohort_id=10**9))
    add("person-mentor-with-cohort", lambda w: person(w, cohort_id=w.cohort_id))
    add("person-password-short", lambda w: person(w, password="short"))
    add("person-password-100kB", lambda w: person(w, password=HUGE_TEXT))
    add("person-by-fellow", lambda w: person(w, viewer=w.fellow), AccessDenied)
    add("cohort-name-empty", lambda w: cohort(w, name=" "))
    add("cohort-name-100kB", lambda w: cohort(w, name=HUGE_TEXT))
    add("cohort-name-control", lambda w: cohort(w, name="Class\tof 2031"))
    for year in (0, 1949, 2101, 99999, "2031", 2031.5, None, True):
        add(f"cohort-year-{year!r}", lambda w, y=year: cohort(w, start_year=y))
    add("cohort-name-taken", lambda w: cohort(w, name=w.store.query_one("SELECT name FROM cohorts LIMIT 1")[0].upper()))
    add("first-password-short", lambda w: first_password(w, new="short"))
    add("first-password-100kB", lambda w: first_password(w, new=HUGE_TEXT))
    add("first-password-id-text", lambda w: first_password(w, person_id="1"), AccessDenied)
    deactivate = roster.deactivate_person
    add("deactivate-myself", lambda w: deactivate(w.store, w.director, w.director.person_id, w.now, w.today))
    add("deactivate-id-text", lambda w: deactivate(w.store, w.director, "1 OR 1=1", w.now, w.today), AccessDenied)
    add("reactivate-active", lambda w: roster.reactivate_person(w.store, w.director, w.fellow.person_id, w.now))

    # -- the roster import (checked rows), the file is in test_roster_file_*
    good = {"line": 2, "full_name": "Roster Person", "email": "roster.person@new.org", "roles": ["mentor"], "cohort_id": None}
    add("import-nobody", lambda w: import_rows(w, []))
    add("import-bad-email", lambda w: import_rows(w, [good, {**good, "line": 3, "email": "nope"}]))
    add("import-twice", lambda w: import_rows(w, [good, {**good, "line": 3}]))
    add("import-taken-email", lambda w: import_rows(w, [good, {**good, "line": 3, "email": "mentor@demo.org"}]))
    add("import-bad-cohort", lambda w: import_rows(w, [good, {**good, "line": 3, "email": "b@new.org", "roles": ["fellow"]}]))
    add("import-row-not-a-dict", lambda w: import_rows(w, [good, "Ann,ann@x.org,fellow,"]))
    add("import-5001-rows", lambda w: import_rows(w, [{**good, "email": f"p{n}@new.org"} for n in range(5001)]))
    add("import-name-100kB", lambda w: import_rows(w, [{**good, "full_name": HUGE_TEXT}]))
    add("import-by-fellow", lambda w: roster.import_roster(w.store, w.fellow, [good], w.now), AccessDenied)

    # -- pairs
    add("pair-domain-unknown", lambda w: pair(w, domain="'; DROP TABLE pairs; --"))
    add("pair-same-person", lambda w: pair(w, mentee_id=w.mentor.person_id))
    add("pair-mentor-not-mentor", lambda w: pair(w, mentor_id=w.other_fellow.person_id))
    add("pair-mentor-id-text", lambda w: pair(w, mentor_id="39"))
    add("pair-mentee-unknown", lambda w: pair(w, mentee_id=10**9))
    add_far_dates("pair-start", pair, "started_on")
    add("pair-start-text", lambda w: pair(w, started_on="today"))
    existing_domain = "SELECT domain FROM pairs WHERE pair_id = ?"
    add(
        "pair-existing",
        lambda w: pair(w, mentee_id=w.fellow.person_id, domain=w.store.query_one(existing_domain, [w.pair_id])[0]),
    )
    add("end-status-unknown", lambda w: end(w, status="deleted"))
    add("end-stopped-no-reason", lambda w: end(w, reason=" "))
    add("end-reason-100kB", lambda w: end(w, reason=HUGE_TEXT))
    add("end-reason-control", lambda w: end(w, reason="a\x00"))
    add_far_dates("end-date", end, "ended_on")
    add("end-pair-unknown", lambda w: end(w, pair_id=10**9))
    add("end-pair-id-text", lambda w: end(w, pair_id="1"))
    add("reassign-no-reason", lambda w: reassign(w, reason=""))
    add("reassign-reason-100kB", lambda w: reassign(w, reason=HUGE_TEXT))
    add("reassign-same-mentor", lambda w: reassign(w, new_mentor_id=w.mentor.person_id))
    add("reassign-new-mentor-text", lambda w: reassign(w, new_mentor_id="x"))
    add("reassign-date-far-past", lambda w: reassign(w, on_date=FAR_PAST))
    add("pair-by-fellow", lambda w: pairs.create_pair(w.store, w.fellow, 1, 2, "career", w.today, w.today), AccessDenied)

    # -- program settings
    settings = program_settings
    for value in (2, 0, 51, 10**9, "5", 4.5, None, True, HUGE_TEXT):
        add(f"minimum-{str(value)[:12]!r}", lambda w, v=value: settings.change_min_group_size(w.store, w.director, v, w.now))
    add("minimum-unchanged", lambda w: settings.change_min_group_size(w.store, w.director, 5, w.now))
    add("minimum-by-fellow", lambda w: settings.change_min_group_size(w.store, w.fellow, 4, w.now), AccessDenied)
    for value in (5, 0, 24, "6", None, 6):  # 6 is allowed, but the demo program has records
        add(f"period-months-{value!r}", lambda w, v=value: settings.change_period_months(w.store, w.director, v, w.now))
    for name in (" ", HUGE_TEXT, "Re\u200bsearch", "Line\nbreak", "Career", None, 42):
        case = f"category-add-{str(name)[:12]!r}"
        add(case, lambda w, n=name: settings.add_goal_category(w.store, w.director, n, w.now))
    add("category-rename-to-taken", lambda w: settings.rename_goal_category(w.store, w.director, "research", "CAREER", w.now))
    add("category-rename-unknown", lambda w: settings.rename_goal_category(w.store, w.director, "'; DROP", "New", w.now))
    add("category-rename-100kB", lambda w: settings.rename_goal_category(w.store, w.director, "research", HUGE_TEXT, w.now))
    add("category-retire-unknown", lambda w: settings.retire_goal_category(w.store, w.director, HUGE_TEXT, w.now))
    add("category-retire-not-text", lambda w: settings.retire_goal_category(w.store, w.director, ["career"], w.now))
    add("category-by-mentor", lambda w: settings.add_goal_category(w.store, w.mentor, "Teaching", w.now), AccessDenied)
    cadence = settings.change_instrument_cadence
    add("cadence-shipped", lambda w: cadence(w.store, w.catalogue, w.director, "mentee-self", "yearly", w.now))
    add("cadence-unknown-instrument", lambda w: cadence(w.store, w.catalogue, w.director, HUGE_TEXT, "yearly", w.now))
    add("cadence-unknown", lambda w: cadence(w.store, w.catalogue, w.director, "mentee-self", "hourly", w.now))
    threshold = settings.change_health_threshold
    for key, value in (("action_days", 2), ("action_days", 30.5), ("action_days", HUGE_TEXT), ("action_days", None)):
        add(f"health-threshold-{str(value)[:12]!r}", lambda w, k=key, v=value: threshold(w.store, w.director, k, v, w.now))
    for value in (float("nan"), float("inf"), "1.5", True):
        add(f"health-gap-{value!r}", lambda w, v=value: threshold(w.store, w.director, "gap_points", v, w.now))
    add("health-threshold-unknown", lambda w: threshold(w.store, w.director, HUGE_TEXT, 10, w.now))
    add("health-threshold-default-again", lambda w: threshold(w.store, w.director, "action_days", 60, w.now))
    add("health-threshold-by-mentor", lambda w: threshold(w.store, w.mentor, "action_days", 90, w.now), AccessDenied)

    # -- account: password change (the sign-in form is in its own test: a failure is recorded by design)
    add("password-current-wrong", lambda w: password(w, current="wrong"))
    add("password-current-100kB", lambda w: password(w, current=HUGE_TEXT))
    add("password-new-short", lambda w: password(w, new="short"))
    add("password-new-100kB", lambda w: password(w, new=HUGE_TEXT))
    add("password-new-not-text", lambda w: password(w, new=12345678))

    # -- the first-visit welcome on Home (a button: only the role can be wrong)
    dismiss = guide.dismiss_welcome
    add("welcome-role-unknown", lambda w: dismiss(w.store, w.fellow, "'; DROP TABLE welcome_dismissals; --", w.now))
    add("welcome-role-not-text", lambda w: dismiss(w.store, w.fellow, ["fellow"], w.now))
    add("welcome-role-100kB", lambda w: dismiss(w.store, w.fellow, HUGE_TEXT, w.now))
    add("welcome-of-another-role", lambda w: dismiss(w.store, w.fellow, "director", w.now), AccessDenied)
    add("welcome-nobody", lambda w: dismiss(w.store, None, "fellow", w.now), AccessDenied)
    # -- password reset codes: a director issues one; the sign-in page's form (a wrong code is a recorded failure,
    # by design, as a wrong password is: those are in tests/unit/test_auth.py)
    add("reset-code-person-id-text", lambda w: reset_code(w, person_id="1 OR 1=1"), AccessDenied)
    add("reset-code-person-unknown", lambda w: reset_code(w, person_id=10**9), AccessDenied)
    add("reset-code-by-fellow", lambda w: reset_code(w, viewer=w.fellow), AccessDenied)
    add("reset-code-for-oneself", lambda w: reset_code(w, person_id=w.director.person_id))
    add("reset-new-short", lambda w: reset(w, new="short"))
    add("reset-new-100kB", lambda w: reset(w, new=HUGE_TEXT))
    add("reset-new-not-text", lambda w: reset(w, new=12345678))
    add("reset-email-100kB", lambda w: reset(w, email=HUGE_TEXT))
    add("reset-email-invisible", lambda w: reset(w, email="fellow\u200b@demo.org"))
    add("reset-email-not-text", lambda w: reset(w, email=["fellow@demo.org"]))
    return found


CASES = cases()


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_is_refused_with_one_sentence_and_changes_no_table(world, case):
    before = snapshot(world.store)
    with pytest.raises(case.refusal) as refused:
        case.call(world)
    assert type(refused.value) in (InputError, AccessDenied, auth.SignInRefused), f"raised {type(refused.value).__name__}"
    assert_clear_message(refused.value)
    assert changed_tables(before, snapshot(world.store)) == set()


def test_every_write_function_of_analytics_is_covered():
    """A new form's write function without a bad-input case here fails this test."""
    import inspect

    covered = {
        assessments.submit_assessment,
        goals.create_goal,
        goals.add_checkin,
        goals.change_status,
        goals.parse_milestone_lines,
        meetings.plan_meeting,
        meetings.record_notes,
        meetings.tick_action,
        meetings.action_to_goal,
        agreements.record_agreement,
        agreements.acknowledge,
        network.add_to_network,
        network.remove_from_network,
        outputs.log_output,
        sharing.set_sharing,
        roster.add_person,
        roster.add_cohort,
        roster.set_initial_password,
        roster.deactivate_person,
        roster.reactivate_person,
        roster.parse_roster,
        roster.import_roster,
        pairs.create_pair,
        pairs.end_pair,
        pairs.reassign_pair,
        program_settings.change_min_group_size,
        program_settings.change_period_months,
        program_settings.add_goal_category,
        program_settings.rename_goal_category,
        program_settings.retire_goal_category,
        program_settings.change_instrument_cadence,
        program_settings.change_health_threshold,
        auth.change_password,
        auth.sign_in,
        auth.create_first_director,
        guide.dismiss_welcome,
        auth.reset_password,
        roster.issue_reset_code,
        redcap.confirm_import,
    }
    import importlib
    import pkgutil

    import analytics

    # Not forms: start-up, the demo program, the store itself, and the backup (a button, no typed input).
    not_forms = {"demo", "registry", "store", "backup"}
    writers = set()
    for info in pkgutil.iter_modules(analytics.__path__):
        if info.name in not_forms:
            continue
        module = importlib.import_module(f"analytics.{info.name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if (
                function.__module__ == module.__name__
                and not name.startswith("_")
                and "store.write(" in inspect.getsource(function)
            ):
                writers.add(function)
    # No input of a person's: a token or code made here (the handoff's route is tested in test_session_cookie_route.py).
    helpers = {auth.open_session, auth.sign_out, auth.sign_out_everywhere, auth.open_handoff, auth.exchange_handoff}
    assert len(writers) >= 25
    assert writers - covered - helpers == set(), f"write functions without bad-input cases: {writers - covered - helpers}"


# ---------------------------------------------------------------- the roster file (CSV import)

HEADER = "full_name,email,roles,cohort\n"
GOOD_ROW = "Ann Lee,ann.lee@new.org,mentor,\n"
ROSTER_FILES = {
    "wrong-header": b"name,mail,role,group\n" + GOOD_ROW.encode(),
    "no-header": GOOD_ROW.encode() * 3,
    "header-twice-a-column": b"full_name,email,email,roles,cohort\n" + GOOD_ROW.encode(),
    "semicolons": b"full_name;email;roles;cohort\nAnn Lee;ann@new.org;mentor;\n",
    "latin-1": (HEADER + "Jos\u00e9 N\u00fa\u00f1ez,jose@new.org,mentor,\n").encode("latin-1"),
    "utf-16": (HEADER + GOOD_ROW).encode("utf-16"),
    "utf-16-be-no-bom": (HEADER + GOOD_ROW).encode("utf-16-be"),
    "binary-junk": bytes(range(256)) * 40,
    "png-file": b"\x89PNG\r\n\x1a\n" + bytes(200),
    "nul-bytes": (HEADER + "Ann\x00Lee,ann@new.org,mentor,\n").encode(),
    "extra-columns": b"full_name,email,roles,cohort,salary\nAnn Lee,ann@new.org,mentor,,100\n",
    "extra-field-in-a-row": (HEADER + "Ann Lee,ann@new.org,mentor,,surplus\n").encode(),
    "html-and-sql-cells": (HEADER + '"<script>alert(1)</script>",x@new.org,"mentor\'; DROP TABLE people; --",\n').encode(),
    "empty": b"",
    "only-blank-lines": b"\n\n \n",
    "header-only": HEADER.encode(),
    "unclosed-quote": (HEADER + '"Ann Lee,ann@new.org,mentor,\n').encode() + b"x" * 200_000,
    "100k-rows": (HEADER + "".join(f"Person {n},p{n}@new.org,mentor,\n" for n in range(100_000))).encode(),
    "100k-short-rows": (HEADER + "a,b,c,\n" * 100_000).encode(),
    "one-bad-row-among-good": (HEADER + GOOD_ROW + "Bob,not-an-email,mentor,\n").encode(),
    "taken-email": (HEADER + "Someone,fellow@demo.org,mentor,\n").encode(),
    "fellow-unknown-cohort": (HEADER + "Fay,fay@new.org,fellow,Class of 1066\n").encode(),
}


@pytest.mark.parametrize("name", list(ROSTER_FILES))
def test_a_bad_roster_file_is_refused_line_by_line_and_nothing_is_imported(world, name):
    before = snapshot(world.store)
    check = roster.parse_roster(ROSTER_FILES[name], world.store, world.director)
    assert not check.ready, f"{name} would be imported as it is"
    assert check.errors
    for _line, message in check.errors:
        assert_clear_message(InputError(message))
    if check.refused:  # the file as a whole: nothing can be imported
        assert check.valid_rows == []
    assert changed_tables(before, snapshot(world.store)) == set()


def test_the_100k_row_roster_is_refused_quickly(world):
    import time

    began = time.perf_counter()
    check = roster.parse_roster(ROSTER_FILES["100k-short-rows"], world.store, world.director)
    assert check.refused and "more than 5,000 people" in check.errors[0][1]
    assert time.perf_counter() - began < 5


# ---------------------------------------------------------------- sign-in and the first director


@pytest.mark.parametrize(
    ("email", "secret"),
    [
        ("fellow@demo.org", "wrong password"),
        ("fellow@demo.org", HUGE_TEXT),
        ("fellow@demo.org", ""),
        ("' OR '1'='1", "' OR '1'='1"),
        ("<script>alert(1)</script>@x.org", "demo"),
        ("fellow@demo.org\x00", "demo"),
        (HUGE_TEXT, "demo"),
        ("", ""),
        (None, None),
    ],
    ids=["wrong", "password-100kB", "password-empty", "sql", "html", "nul", "email-100kB", "empty", "none"],
)
def test_a_bad_sign_in_is_refused_with_one_sentence_and_stores_at_most_a_short_failure(world, email, secret):
    before = snapshot(world.store)
    with pytest.raises(auth.SignInRefused) as refused:
        auth.sign_in(world.store, email, secret, world.now)
    assert str(refused.value) == auth.WRONG
    assert changed_tables(before, snapshot(world.store)) <= {"sign_in_failures"}
    # A failure is recorded for the brake, but never a 100 kB or control-character email.
    longest = world.store.query_one("SELECT coalesce(max(length(email)), 0) FROM sign_in_failures")[0]
    assert longest <= 254
    assert world.store.query_one("SELECT count(*) FROM sign_in_failures WHERE regexp_matches(email, '[\\x00-\\x1f]')")[0] == 0


@pytest.mark.parametrize(
    "change",
    [
        {"full_name": ""},
        {"full_name": HUGE_TEXT},
        {"full_name": "Dana\x00"},
        {"program_name": " "},
        {"program_name": HUGE_TEXT},
        {"email": "no-at-sign"},
        {"email": HUGE_TEXT + "@x.org"},
        {"email": "a b@x.org"},
        {"password": "short"},
        {"password": HUGE_TEXT},
        {"full_name": "Dana\u202e Director"},
        {"full_name": "Dana\nDirector"},
        {"program_name": "Hema\u200btology"},
        {"email": "dana\ufeff@x.org"},
    ],
    ids=["name-empty", "name-100kB", "name-control", "program-empty", "program-100kB", "email-bad", "email-100kB",
         "email-space", "password-short", "password-100kB", "name-rtl-override", "name-line-break", "program-zero-width",
         "email-bom"],
)  # fmt: skip
def test_the_first_director_form_refuses_bad_input_and_stores_nothing(store, change):
    args = {"full_name": "Dana Director", "email": "dana@x.org", "password": "long enough", "program_name": "Hematology"}
    before = snapshot(store)
    with pytest.raises(InputError) as refused:
        auth.create_first_director(store, **(args | change), now=NOW)
    assert_clear_message(refused.value)
    assert changed_tables(before, snapshot(store)) == set()


# ---------------------------------------------------------------- hostile but valid text: stored exactly as typed


def _fresh_goal(w: World) -> int:
    return new_goal(w, title=f"Goal {uuid.uuid4().hex[:6]}")


def _fresh_pair(w: World) -> int:
    """A pair of the mentor and another fellow that starts today (so it can be ended today with a reason)."""
    _end_open_social_pair(w)
    return pair(w, domain="social")


# form -> (write the text, (table, column) where it must land, tables that may change)
TEXT_FIELDS: dict[str, tuple[Callable[[World, str], object], tuple[str, str], set[str]]] = {
    "assessment-comment": (lambda w, t: assess(w, comment=t), ("assessments", "comment"), {"assessments", "responses"}),
    "goal-title": (lambda w, t: new_goal(w, title=t), ("goals", "title"), {"goals"}),
    "goal-unit": (lambda w, t: new_goal(w, measure="count", target_value=3, unit=t[:40]), ("goals", "unit"), {"goals"}),
    "goal-why": (lambda w, t: new_goal(w, why_it_matters=t), ("goals", "why_it_matters"), {"goals"}),
    "goal-how": (lambda w, t: new_goal(w, how_measured=t), ("goals", "how_measured"), {"goals"}),
    "milestone-title": (
        lambda w, t: new_goal(w, milestones=[(t, None)]),
        ("goal_milestones", "title"),
        {"goals", "goal_milestones"},
    ),
    "checkin-note": (
        lambda w, t: goals.add_checkin(w.store, w.fellow, _fresh_goal(w), 10, w.today, t, w.today, w.now),
        ("goal_checkins", "note"),
        {"goals", "goal_checkins"},
    ),
    "status-note": (
        lambda w, t: status(w, goal_id=_fresh_goal(w), status="dropped", note=t),
        ("goal_status_changes", "note"),
        {"goals", "goal_status_changes"},
    ),
    "agenda-item": (
        lambda w, t: plan(w, agenda_items=[t]),
        ("meeting_agenda_items", "text"),
        {"meetings", "meeting_agenda_items"},
    ),
    "meeting-notes": (lambda w, t: notes(w, notes=t), ("meeting_notes", "notes"), {"meeting_notes"}),
    "action-item": (
        lambda w, t: notes(w, action_items=[action(w, text=t)]),
        ("action_items", "text"),
        {"meeting_notes", "action_items"},
    ),
    "agreement-contact": (
        lambda w, t: agreement(w, contact=t),
        ("agreements", "contact"),
        {"agreements", "agreement_acknowledgements"},
    ),
    "network-name": (lambda w, t: add_mentor(w, mentor_name=t), ("network_entries", "mentor_name"), {"network_entries"}),
    "output-title": (lambda w, t: output(w, title=t), ("outputs", "title"), {"outputs"}),
    "person-name": (lambda w, t: person(w, full_name=t), ("people", "full_name"), {"people", "person_roles"}),
    "cohort-name": (lambda w, t: cohort(w, name=t), ("cohorts", "name"), {"cohorts"}),
    "pair-end-reason": (
        lambda w, t: end(w, pair_id=_fresh_pair(w), reason=t),
        ("pairs", "end_reason"),
        {"pairs", "pair_log"},
    ),
}


@pytest.mark.parametrize("text_id", list(HOSTILE_TEXTS))
@pytest.mark.parametrize("field", list(TEXT_FIELDS))
def test_hostile_text_is_stored_exactly_as_typed_and_nowhere_else(world, field, text_id):
    write, (table, column), may_change = TEXT_FIELDS[field]
    text = HOSTILE_TEXTS[text_id]
    if field in NAME_FIELDS and has_hidden(text):
        pytest.skip("a name refuses invisible formatting characters: test_a_name_refuses_invisible_characters")
    if field == "goal-unit":
        text = text[:40].strip()
    if field == "cohort-name":
        text = f"{text} {uuid.uuid4().hex[:4]}"  # a cohort name is unique in a program, apart from capitals
    count = f'SELECT count(*) FROM "{table}" WHERE "{column}" = ?'
    already = world.store.query_one(count, [text])[0]
    before = snapshot(world.store)
    write(world, text)
    assert world.store.query_one(count, [text])[0] == already + 1
    assert changed_tables(before, snapshot(world.store)) <= may_change


NAME_FIELDS = ("network-name", "person-name", "cohort-name")


@pytest.mark.parametrize("field", ["why_it_matters", "how_measured"])
@pytest.mark.parametrize(
    "typed, stored",
    [
        ('=HYPERLINK("http://evil","x")', '=HYPERLINK("http://evil","x")'),  # a formula is text here; exports make it inert
        ("<b>bold</b> <img src=x onerror=alert(1)>", "<b>bold</b> <img src=x onerror=alert(1)>"),
        ("Zero\u200bwidth \u202eright-to-left\u202c", "Zero\u200bwidth \u202eright-to-left\u202c"),  # free text
        ("   ", None),  # empty: not written
        ("", None),
        (None, None),
    ],
)
def test_a_goals_smart_text_is_stored_as_typed_or_left_empty(world, field, typed, stored):
    before = snapshot(world.store)
    goal_id = new_goal(world, title=f"SMART {uuid.uuid4().hex[:6]}", **{field: typed})
    assert world.store.query_one(f"SELECT {field} FROM goals WHERE goal_id = $goal", {"goal": goal_id})[0] == stored
    assert changed_tables(before, snapshot(world.store)) == {"goals"}


def has_hidden(text: str) -> bool:
    """A format character (Unicode Cf): zero-width space or joiner, right-to-left override, BOM, soft hyphen."""
    return any(unicodedata.category(ch) == "Cf" for ch in text)


@pytest.mark.parametrize("text_id", [text_id for text_id, text in HOSTILE_TEXTS.items() if has_hidden(text)])
@pytest.mark.parametrize("field", NAME_FIELDS)
def test_a_name_refuses_invisible_characters(world, field, text_id):
    """A right-to-left override or a zero-width joiner in a name could make it show as another name."""
    write, _, _ = TEXT_FIELDS[field]
    before = snapshot(world.store)
    with pytest.raises(InputError) as refused:
        write(world, f"{HOSTILE_TEXTS[text_id]} {uuid.uuid4().hex[:4]}")
    assert_clear_message(refused.value)
    assert "invisible" in str(refused.value)
    assert changed_tables(before, snapshot(world.store)) == set()


# ---------------------------------------------------------------- double-clicked submits


def test_a_double_clicked_assessment_stores_one(world):
    key = uuid.uuid4().hex
    before = snapshot(world.store)
    first = assess(world, submission_key=key)
    after_first = snapshot(world.store)
    second = assess(world, submission_key=key, ratings=_ratings(world, 2))
    assert second.duplicate and second.assessment_id == first.assessment_id
    assert snapshot(world.store) == after_first
    assert changed_tables(before, after_first) == {"assessments", "responses"}


DOUBLE_SUBMITS = {
    "goal": (lambda w, key: new_goal(w, title="Twice clicked", submission_key=key), {"goals", "form_submissions"}),
    "checkin": (
        lambda w, key: goals.add_checkin(w.store, w.fellow, w.goal_id, 100, w.today, "done", w.today, w.now, submission_key=key),
        {"goal_checkins", "form_submissions"},
    ),
    "meeting": (
        lambda w, key: plan(w, agenda_items=["Twice clicked"], submission_key=key),
        {"meetings", "meeting_agenda_items", "form_submissions"},
    ),
}


@pytest.mark.parametrize("form", list(DOUBLE_SUBMITS))
def test_a_double_clicked_goal_checkin_or_meeting_stores_one(world, form):
    submit, may_change = DOUBLE_SUBMITS[form]
    key = uuid.uuid4().hex
    before = snapshot(world.store)
    first = submit(world, key)
    after_first = snapshot(world.store)
    assert changed_tables(before, after_first) == may_change
    second = submit(world, key)
    assert snapshot(world.store) == after_first  # the second click stored nothing
    assert second == (False if form == "checkin" else first)
    other = uuid.uuid4().hex  # a new form: a new key
    if form != "checkin":  # (a check-in cannot repeat a full goal)
        assert submit(world, other) != first


@pytest.mark.parametrize("key", ["short", HUGE_TEXT, 12345678, b"bytes-key-123"])
@pytest.mark.parametrize("form", list(DOUBLE_SUBMITS))
def test_a_bad_submission_key_is_refused_and_stores_nothing(world, form, key):
    before = snapshot(world.store)
    with pytest.raises(InputError) as refused:
        DOUBLE_SUBMITS[form][0](world, key)
    assert_clear_message(refused.value)
    assert changed_tables(before, snapshot(world.store)) == set()


def test_a_key_of_another_form_or_person_is_refused(world):
    key = uuid.uuid4().hex
    DOUBLE_SUBMITS["meeting"][0](world, key)
    before = snapshot(world.store)
    with pytest.raises(InputError, match="out of date"):
        DOUBLE_SUBMITS["goal"][0](world, key)
    with pytest.raises(InputError, match="out of date"):
        plan(world, viewer=world.mentor, agenda_items=["Mine"], submission_key=key)
    assert changed_tables(before, snapshot(world.store)) == set()


def test_an_action_item_becomes_a_goal_once(world):
    action_id = world.store.query_one(
        """
        SELECT a.action_id FROM action_items a JOIN meetings m USING (meeting_id)
        WHERE m.pair_id = ? AND a.owner_id = ? AND a.action_id NOT IN (SELECT action_id FROM action_item_changes)
        ORDER BY a.action_id LIMIT 1
        """,
        [world.pair_id, world.fellow.person_id],
    )
    if action_id is None:
        notes(world, action_items=[action(world)])
        action_id = world.store.query_one("SELECT max(action_id) FROM action_items")
    goal_id = new_goal(world, title="From an action item", from_action_id=action_id[0])
    before = snapshot(world.store)
    with pytest.raises(InputError) as refused:  # a second click from a form made anew (another key)
        new_goal(world, title="From an action item", from_action_id=action_id[0], submission_key=uuid.uuid4().hex)
    assert "already a goal" in assert_clear_message(refused.value)
    assert changed_tables(before, snapshot(world.store)) == set()
    assert world.store.query_one("SELECT count(*) FROM goals WHERE from_action_id = ?", [action_id[0]])[0] == 1
    assert goal_id


# ---------------------------------------------------------------- every form submitted twice stores once


def _twice_forms() -> dict[str, Callable[[World], Callable[[], object]]]:
    """Per form: a fresh, valid submission, as a call that a double click would make twice."""

    def key() -> str:
        return uuid.uuid4().hex

    def paused_goal(w):
        goal_id = new_goal(w, title=f"Pause me {key()[:6]}")
        return lambda: status(w, goal_id=goal_id, status="paused")

    def open_action(w):
        notes(w, action_items=[action(w, text=f"Tick me {key()[:6]}")])
        action_id = w.store.query_one("SELECT max(action_id) FROM action_items")[0]
        return lambda: meetings.tick_action(w.store, w.fellow, action_id, w.now)

    def acknowledgement(w):
        agreement_id = agreement(w, viewer=w.mentor, contact=f"Phone {key()[:6]}")
        return lambda: agreements.acknowledge(w.store, w.fellow, agreement_id, w.now)

    def ended_pair(w):
        pair_id = _fresh_pair(w)
        return lambda: end(w, pair_id=pair_id, status="completed", reason=None)

    def reassigned_pair(w):
        pair_id = _fresh_pair(w)
        return lambda: reassign(w, pair_id=pair_id)

    def roster_rows(w):
        rows = [{"line": 2, "full_name": "Twice Imported", "email": f"twice.{key()[:8]}@new.org", "roles": ["mentor"]}]
        return lambda: import_rows(w, rows)

    def shared(w):
        current = sharing.sharing_overview(w.store, w.fellow)
        row = current[current["current"]].iloc[0]
        choice = {(int(row.mentor_id), row.record_kind): not bool(row.shared)}
        return lambda: share(w, choice)

    def password_change(w):  # the second click's current password ("demo") is no longer right
        return lambda: password(w, current="demo", new=f"new password {key()[:6]}")

    return {
        "assessment": lambda w: (lambda k=key(): lambda: assess(w, submission_key=k))(),
        "goal": lambda w: (lambda k=key(): lambda: new_goal(w, title="Twice", submission_key=k))(),
        "checkin": lambda w: (
            lambda g=new_goal(w, title=f"Check twice {key()[:6]}"), k=key(): (
                lambda: checkin(w, goal_id=g, value=40, submission_key=k)
            )
        )(),
        "status": paused_goal,
        "meeting": lambda w: (lambda k=key(): lambda: plan(w, agenda_items=["Twice"], submission_key=k))(),
        "notes": lambda w: (lambda k=key(): lambda: notes(w, action_items=[action(w)], submission_key=k))(),
        "tick-action": open_action,
        "agreement": lambda w: (lambda k=key(): lambda: agreement(w, submission_key=k))(),
        "acknowledge": acknowledgement,
        "network": lambda w: (lambda n=f"Dr Twice {key()[:6]}": lambda: add_mentor(w, mentor_name=n))(),
        "output": lambda w: (lambda t=f"Twice logged {key()[:6]}": lambda: output(w, title=t))(),
        "sharing": shared,
        "person": lambda w: (lambda e=f"twice.{key()[:8]}@new.org": lambda: person(w, email=e))(),
        "cohort": lambda w: (lambda n=f"Twice {key()[:6]}": lambda: cohort(w, name=n))(),
        "roster-import": roster_rows,
        "pair": lambda w: (_end_open_social_pair(w), lambda: pair(w, domain="social"))[1],
        "end-pair": ended_pair,
        "reassign": reassigned_pair,
        "password": password_change,
    }


def _end_open_social_pair(w: World) -> None:
    """End the mentor's open social pair with the other fellow, if any, so a new one can be created."""
    row = w.store.query_one(
        "SELECT pair_id FROM pairs WHERE mentor_id = ? AND mentee_id = ? AND domain = 'social' AND ended_on IS NULL",
        [w.mentor.person_id, w.other_fellow.person_id],
    )
    if row is not None:
        end(w, pair_id=row[0], status="completed", reason=None)


TWICE = _twice_forms()


@pytest.mark.parametrize("form", list(TWICE))
def test_every_form_submitted_twice_stores_once(world, form):
    submit = TWICE[form](world)
    before = snapshot(world.store)
    submit()
    after_first = snapshot(world.store)
    assert changed_tables(before, after_first), f"the first {form} stored nothing"
    try:
        submit()  # the double click
    except (InputError, AccessDenied) as refused:
        assert_clear_message(refused)
    assert changed_tables(after_first, snapshot(world.store)) == set(), f"the second {form} stored something"


def test_a_name_with_plotly_tags_in_a_chart_title_is_shown_as_typed(world):
    """Plotly applies <a href>, <b> and <br> in titles: a person's name in one (the mentor's view of a mentee) is escaped."""
    from charts.ratings import ratings_over_time

    history = assessments.rating_history(world.store, world.catalogue, world.fellow, world.fellow.person_id)
    name = "<a href='https://example.org'>Eve</a> <b>Bold</b>"
    figure = ratings_over_time(history, world.catalogue.get(SELF), title=f"{name}'s self-assessment over time")
    assert "<a" not in figure.layout.title.text and "<b>" not in figure.layout.title.text
    assert "&lt;a href='https://example.org'&gt;Eve&lt;/a&gt;" in figure.layout.title.text  # plotly shows the entities as typed


# ---------------------------------------------------------------- a REDCap data dictionary (Import from REDCap)

REDCAP_GOOD = "\r\n".join(
    [
        ",".join(f'"{header}"' for header in redcap.HEADERS),
        "record_id,a_form,,text,ID" + "," * 13,
        'rated,a_form,,radio,Rated,"1, Low | 2, High"' + "," * 12,
    ]
)
REDCAP_FILES = {
    "roster-not-dictionary": HEADER.encode() + GOOD_ROW.encode(),
    "bad-choices": REDCAP_GOOD.replace("1, Low | 2, High", "Low | High").encode(),
    "duplicate-variable": (REDCAP_GOOD + "\r\n" + REDCAP_GOOD.splitlines()[2]).encode(),
    "10-mb-junk": bytes(range(256)) * (10 * 4096),
    "latin-1": REDCAP_GOOD.replace("High", "H\u00f6her").encode("latin-1"),
    "utf-16": REDCAP_GOOD.encode("utf-16"),
    "control-in-name": REDCAP_GOOD.replace("rated,", "ra\x07ted,").encode(),
    "only-header": REDCAP_GOOD.splitlines()[0].encode(),
    "empty": b"",
}


@pytest.mark.parametrize("name", list(REDCAP_FILES))
def test_a_bad_redcap_dictionary_gets_one_sentence_per_problem_and_stores_nothing(world, name):
    before = snapshot(world.store)
    with pytest.raises(redcap.DictionaryError) as refused:
        redcap.confirm_import(
            world.store, load_catalogue(), world.director, REDCAP_FILES[name], f"{name}.csv", "a_form", "fellow-self", NOW
        )
    for problem in refused.value.problems:
        assert_clear_message(InputError(problem))
    assert changed_tables(before, snapshot(world.store)) == set()


def test_hostile_redcap_labels_are_stored_exactly_as_typed(world):
    rows = [",".join(f'"{header}"' for header in redcap.HEADERS), "record_id,a_form,,text,ID" + "," * 13]
    texts = [text for text in HOSTILE_TEXTS.values() if text.strip() == text and len(text) <= 500]
    for index, text in enumerate(texts):
        quoted = text.replace('"', '""')
        rows.append(f'item_{index},a_form,,radio,"{quoted}","1, Low | 2, High"' + "," * 12)
    stored = redcap.confirm_import(
        world.store, load_catalogue(), world.director, "\r\n".join(rows).encode(), "hostile.csv", "a_form", "fellow-self", NOW
    )
    assert [item.text for item in stored.items] == texts
