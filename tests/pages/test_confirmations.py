"""Every write form says it worked: submitted through its page, its confirmation shows after the rerun.

Most forms rerun after a write, so the page's tables include it; the confirmation waits for that
run (ui.notices). One form lost its message that way (meeting notes: st.success, then st.rerun()),
and these tests catch any form that does so again. Each entry stores what its form needs, opens the
page as the person who uses it, submits the form, and returns the page and the sentence it must show.
"""

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from analytics import agreements, meetings, network, roster
from analytics.goals import create_goal
from analytics.people import load_viewer
from analytics.store import Store
from tests.conftest import NOW, TODAY
from tests.pages.conftest import click, open_assessment, open_page, submit_opened
from ui.text import as_text

FELLOW, MENTOR, DIRECTOR = "fellow@demo.org", "mentor@demo.org", "director@demo.org"
FORMS: dict[str, Callable[[Store], tuple[AppTest, str]]] = {}


def form(name: str):
    """Register `submit(store) -> (the page after the submit, its confirmation)` as the form `name`."""

    def register(submit):
        FORMS[name] = submit
        return submit

    return register


def successes(at: AppTest) -> str:
    """The success messages as a person reads them (Markdown escapes taken out)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", "\n".join(str(element.value) for element in at.success))


def person(store: Store, email: str) -> int:
    return store.query_one("SELECT person_id FROM people WHERE email = ?", [email])[0]


def viewer(store: Store, email: str):
    return load_viewer(store, person(store, email))


def demo_pair(store: Store) -> int:
    """The demo fellow's pair with the demo mentor."""
    return store.query_one(
        "SELECT min(pair_id) FROM pairs WHERE mentee_id = ? AND mentor_id = ?", [person(store, FELLOW), person(store, MENTOR)]
    )[0]


def type_in(at: AppTest, answers: dict[str, str]) -> None:
    """Type into text inputs found by label (the part before any " (...)")."""
    fields = {widget.label.split(" (")[0]: widget for widget in at.text_input}
    for label, text in answers.items():
        fields[label].input(text)


def in_form(widgets, form_key: str):
    return next(widget for widget in widgets if widget.form_id == form_key)


# ---------------------------------------------------------------- goals

GOAL = "Submit an abstract to ASH"


def _goal_opened(store: Store) -> tuple[AppTest, int]:
    goal_id = create_goal(store, viewer(store, FELLOW), GOAL, "research", "percent", None, TODAY + timedelta(180), TODAY, NOW)
    at = open_page(store, "goals.py", FELLOW)
    at.selectbox(key="open-goal").select(goal_id).run()
    return at, goal_id


@form("new goal")
def _(store):
    at = open_page(store, "goals.py", FELLOW)
    at.text_input(key="goal-title").input(GOAL)
    return click(at, "Create goal"), f"Goal created: {GOAL}"


@form("goal check-in")
def _(store):
    at, goal_id = _goal_opened(store)
    at.number_input(key=f"checkin-value-{goal_id}").set_value(40)
    return click(at, "Add check-in"), f"Check-in saved: 40% on {TODAY:%Y-%m-%d}."


@form("goal status")
def _(store):
    at, _ = _goal_opened(store)
    return click(at, "Pause"), f"{GOAL} is paused. Its history is kept."


# ---------------------------------------------------------------- meetings and the agreement

ACTION = "Send the *revised* draft"


def _past_meeting(store: Store) -> int:
    return meetings.plan_meeting(store, viewer(store, FELLOW), demo_pair(store), TODAY - timedelta(3), ["Abstract"], TODAY, NOW)


def _meetings_page(store: Store) -> AppTest:
    at = open_page(store, "meetings.py", FELLOW)
    at.selectbox(key="meetings-pair").select(demo_pair(store)).run()
    return at


def _open_action(store: Store) -> int:
    """An open action item of the fellow's, from a meeting three days ago."""
    meeting_id, fellow = _past_meeting(store), viewer(store, FELLOW)
    item = {"text": ACTION, "owner_id": fellow.person_id, "due_on": TODAY + timedelta(30)}
    meetings.record_notes(store, fellow, meeting_id, True, "Notes", [item], TODAY, NOW)
    return store.query_one("SELECT action_id FROM action_items WHERE meeting_id = ?", [meeting_id])[0]


@form("plan a meeting")
def _(store):
    at = _meetings_page(store)
    at.date_input(key="plan-date").set_value(TODAY + timedelta(7))
    at.text_area(key="plan-agenda").input("Review the abstract")
    return click(at, "Plan meeting"), f"Planned for {TODAY + timedelta(7):%d %b %Y}."


@form("meeting notes")
def _(store):
    meeting_id = _past_meeting(store)
    at = _meetings_page(store)
    at.selectbox(key="notes-meeting").select(meeting_id).run()
    at.text_area(key=f"notes-text-{meeting_id}").input("Methods need tightening.")
    at.text_input(key="action-text-1").input("Send the revised draft")
    return click(at, "Save notes"), "Notes saved. 1 action item added."


@form("action item done")
def _(store):
    action_id = _open_action(store)
    at = _meetings_page(store)
    return at.button(key=f"done-{action_id}").click().run(), f"Done: {ACTION}"


@form("goal from an action item")
def _(store):
    action_id = _open_action(store)
    at = _meetings_page(store)
    in_form(at.date_input, f"goal-from-{action_id}").set_value(TODAY + timedelta(60))
    return in_form(at.button, f"goal-from-{action_id}").click().run(), f"Goal created: {ACTION}. It is on My goals."


AGREEMENT = {
    "contact": "Email",
    "response_time": "Two working days",
    "mentee_expects": "Feedback on drafts",
    "mentor_expects": "An agenda",
    "confidential": "Wellbeing",
}


@form("record the agreement")
def _(store):
    pair_id = demo_pair(store)
    version = store.query_one("SELECT coalesce(max(version), 0) FROM agreements WHERE pair_id = ?", [pair_id])[0]
    at = open_page(store, "agreement.py", FELLOW)
    at.selectbox(key="agreement-pair").select(pair_id).run()
    for field, answer in AGREEMENT.items():
        at.text_area(key=f"agreement-{field}-{version}").input(answer)
    return click(at, "Save agreement"), "Saved. The other member of your pair is asked to acknowledge it."


@form("acknowledge the agreement")
def _(store):
    pair_id = demo_pair(store)
    fellow = viewer(store, FELLOW)
    agreements.record_agreement(store, fellow, pair_id, 4, *AGREEMENT.values(), TODAY + timedelta(180), TODAY, NOW)
    at = open_page(store, "agreement.py", MENTOR)
    at.selectbox(key="agreement-pair").select(pair_id).run()
    return at.button(key="acknowledge").click().run(), "You acknowledged version"


# ---------------------------------------------------------------- a fellow's own records


@form("log an output")
def _(store):
    at = open_page(store, "outputs.py", FELLOW)
    at.text_input(key="log-output-0-title").input("CAR T-cell outcomes")
    return click(at, "Log output"), f"Logged: publication 'CAR T-cell outcomes' ({TODAY:%Y-%m-%d})."


@form("add a mentor")
def _(store):
    at = open_page(store, "network.py", FELLOW)
    at.text_input(key="add-mentor-0-name").input("Dr. Rivera")
    at.multiselect(key="add-mentor-0-domains").select("social")
    return click(at, "Add to my network"), "Added Dr. Rivera for Social/interpersonal."


@form("remove a mentor")
def _(store):
    [entry_id] = network.add_to_network(store, viewer(store, FELLOW), ["social"], NOW, mentor_name="Dr. Rivera")
    at = open_page(store, "network.py", FELLOW)
    return at.button(key=f"remove-{entry_id}").click().run(), "Removed Dr. Rivera from Social/interpersonal."


@form("sharing")
def _(store):
    at = open_page(store, "sharing.py", FELLOW)
    at.toggle(key=f"share-{person(store, MENTOR)}-self_assessments").set_value(False)
    return click(at, "Save my choices"), "Saved: 1 change."


@form("assessment")
def _(store):
    at = open_page(store, "assessments.py", FELLOW)
    title = "Good-mentee qualities: my self-assessment"
    open_assessment(at, title)
    for radio in at.radio:
        if radio.key.startswith("mentee-self:"):
            radio.set_value(4)
    return submit_opened(at, title), f"Saved: {title} for 2026 Q4. 1 of 7 done. Next: Good-mentor qualities: my mentor"


@form("change my password")
def _(store):
    at = open_page(store, "account.py", FELLOW)
    type_in(at, {"Current password": "demo", "New password": "a much better one", "New password again": "a much better one"})
    return click(at, "Change password"), "Your password is changed."


# ---------------------------------------------------------------- a director's


def _new_person(store: Store) -> int:
    return roster.add_person(store, viewer(store, DIRECTOR), "Noor Haddad", "noor@new.org", ["mentor"], None, NOW)


@form("add a person")
def _(store):
    at = open_page(store, "people.py", DIRECTOR)
    type_in(at, {"Full name": "Noor Haddad", "Email": "noor@new.org"})
    next(widget for widget in at.multiselect if widget.label == "Roles").set_value(["mentor"])
    return click(at, "Add person"), "Added Noor Haddad (noor@new.org). Give them a first password below."


def _status_change(store: Store, action: str) -> AppTest:
    """Deactivate or reactivate a person, the box that confirms it ticked first."""
    person_id = _new_person(store)
    if action == "reactivate":
        roster.deactivate_person(store, viewer(store, DIRECTOR), person_id, NOW, TODAY)
    at = open_page(store, "people.py", DIRECTOR)
    at.selectbox(key="status_person").set_value(person_id).run()
    at.checkbox(key=f"confirm_{action}_{person_id}").check().run()
    return click(at, action.capitalize())


@form("deactivate a person")
def _(store):
    return _status_change(store, "deactivate"), "Noor Haddad is deactivated."


@form("reactivate a person")
def _(store):
    return _status_change(store, "reactivate"), "Noor Haddad is active again"


@form("first password")
def _(store):
    person_id = _new_person(store)
    at = open_page(store, "people.py", DIRECTOR)
    in_form(at.selectbox, "first-password").set_value(person_id)
    for widget in at.text_input:
        if widget.form_id == "first-password":
            widget.input("a good first password")
    return click(at, "Set first password"), "Noor Haddad can sign in with the password you set."


@form("issue a password reset code")
def _(store):
    at = open_page(store, "people.py", DIRECTOR)
    in_form(at.selectbox, "reset-code").set_value(person(store, FELLOW))
    return click(at, "Issue a reset code"), "Reset code for Nadia Evans: "


@form("add a cohort")
def _(store):
    at = open_page(store, "people.py", DIRECTOR)
    type_in(at, {"Cohort name": "Class of 2031"})
    return click(at, "Add cohort"), "Added the cohort Class of 2031."


@form("import a roster")
def _(store):
    at = open_page(store, "people.py", DIRECTOR)
    at.file_uploader[0].set_value(("roster.csv", b"full_name,email,roles,cohort\nCyril Osei,cyril@new.org,mentor,\n", "text/csv"))
    at.run()
    return click(at, "Import 1 person"), "Imported 1 person."


@form("create a pair")
def _(store):
    fellow = person(store, FELLOW)
    used = {row[0] for row in store.query_all("SELECT domain FROM pairs WHERE mentee_id = ?", [fellow])}
    at = open_page(store, "pairs.py", DIRECTOR)
    at.selectbox(key="create_mentor").set_value(person(store, MENTOR))
    at.selectbox(key="create_mentee").set_value(fellow)
    at.selectbox(key="create_domain").set_value(next(d for d in ("career", "research", "social") if d not in used))
    return click(at, "Create pair"), "Created pair"


@form("end a pair")
def _(store):
    pair_id = demo_pair(store)
    at = open_page(store, "pairs.py", DIRECTOR)
    at.selectbox(key="end_pair").set_value(pair_id)
    at.radio(key="end_status").set_value("completed")
    return click(at, "End pair"), f"(pair {pair_id}): completed on {TODAY:%Y-%m-%d}. Its assessments are kept."


@form("reassign a pair")
def _(store):
    pair_id, fellow = demo_pair(store), person(store, FELLOW)
    new_mentor = store.query_one(
        """
        SELECT min(person_id) FROM person_roles
        WHERE role = 'mentor' AND person_id NOT IN (SELECT mentor_id FROM pairs WHERE mentee_id = ?)
        """,
        [fellow],
    )[0]
    at = open_page(store, "pairs.py", DIRECTOR)
    at.selectbox(key="reassign_pair").set_value(pair_id)
    at.selectbox(key="reassign_mentor").set_value(new_mentor)
    at.text_area(key="reassign_reason").input("Mentor moved institution")
    return click(at, "Reassign"), "starts that day."


@form("make a backup")
def _(store):
    return click(open_page(store, "backup.py", DIRECTOR), "Make a backup now"), "Ready: "


@pytest.mark.parametrize("name", list(FORMS))
def test_the_form_confirms_after_its_rerun(demo_db, app_store, name):
    at, confirmation = FORMS[name](app_store)
    assert not at.exception, at.exception
    assert not at.error, [error.value for error in at.error]
    assert confirmation in successes(at), (confirmation, successes(at))


def test_a_confirmation_quotes_what_was_typed_as_text(demo_db, app_store):
    """A name that is a Markdown link or HTML is shown as typed in a confirmation, never applied."""
    name = "[Noor](https://evil.example) <b>Haddad</b> *x*"
    mentor = roster.add_person(app_store, viewer(app_store, DIRECTOR), name, "noor@new.org", ["mentor"], None, NOW)
    at = open_page(app_store, "pairs.py", DIRECTOR)
    at.selectbox(key="create_mentor").set_value(mentor)
    at.selectbox(key="create_mentee").set_value(person(app_store, FELLOW))
    at.selectbox(key="create_domain").set_value("career")
    at = click(at, "Create pair")
    assert not at.error, [error.value for error in at.error]
    (shown,) = [element.value for element in at.success]
    assert as_text("Created pair ") in shown and as_text(f"{name} mentors") in shown
    assert "](" not in shown.replace("\\]\\(", ""), shown
