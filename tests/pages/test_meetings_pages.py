"""The Meetings and Agreement pages, run directly with a signed-in token (they are not in app.py's menu yet)."""

from datetime import timedelta

import pytest

from tests.conftest import TODAY
from tests.pages.conftest import click, open_page, texts


def demo_pair(store) -> int:
    """The demo fellow's pair with the demo mentor."""
    return store.query_one(
        """
        SELECT pair_id FROM pairs
        WHERE mentee_id = (SELECT person_id FROM people WHERE email = 'fellow@demo.org')
          AND mentor_id = (SELECT person_id FROM people WHERE email = 'mentor@demo.org')
        ORDER BY pair_id LIMIT 1
        """
    )[0]


def count(store, sql: str, params=()) -> int:
    return store.query_one(sql, params)[0]


def test_plan_a_meeting_record_notes_and_tick_off_an_action(demo_db, app_store):
    pair_id = demo_pair(app_store)
    at = open_page(app_store, "meetings.py", "fellow@demo.org")
    assert at.title[0].value == "Meetings"
    at.selectbox(key="meetings-pair").select(pair_id).run()

    meetings_before = count(app_store, "SELECT count(*) FROM meetings WHERE pair_id = ?", [pair_id])
    at.date_input(key="plan-date").set_value(TODAY - timedelta(days=3))
    at.text_area(key="plan-agenda").input("Review abstract draft for ASH\n\nDiscuss K-award timeline")
    click(at, "Plan meeting")
    assert "Planned for" in texts(at)
    assert count(app_store, "SELECT count(*) FROM meetings WHERE pair_id = ?", [pair_id]) == meetings_before + 1
    meeting_id = count(app_store, "SELECT max(meeting_id) FROM meetings WHERE pair_id = ?", [pair_id])
    agenda = app_store.query_all("SELECT text FROM meeting_agenda_items WHERE meeting_id = ? ORDER BY position", [meeting_id])
    assert agenda == [("Review abstract draft for ASH",), ("Discuss K-award timeline",)]

    at.selectbox(key="notes-meeting").select(meeting_id).run()
    assert "Review abstract draft for ASH; Discuss K-award timeline" in texts(at)
    at.text_area(key=f"notes-text-{meeting_id}").input("Methods need tightening.")
    at.text_input(key="action-text-1").input("Send revised abstract draft")
    click(at, "Save notes")
    assert app_store.query_one("SELECT held, notes FROM meeting_notes WHERE meeting_id = ?", [meeting_id]) == (
        True,
        "Methods need tightening.",
    )
    action_id = count(app_store, "SELECT action_id FROM action_items WHERE meeting_id = ?", [meeting_id])
    assert "Send revised abstract draft" in texts(at)

    at.button(key=f"done-{action_id}").click().run()
    assert not at.exception, at.exception
    assert app_store.query_one("SELECT status FROM action_item_changes WHERE action_id = ?", [action_id]) == ("done",)
    assert not [b for b in at.button if b.key == f"done-{action_id}"]
    assert at.get("plotly_chart"), "the meeting frequency chart"


def test_a_bad_agenda_shows_the_reason_and_stores_nothing(demo_db, app_store):
    at = open_page(app_store, "meetings.py", "fellow@demo.org")
    before = count(app_store, "SELECT count(*) FROM meetings")
    at.text_area(key="plan-agenda").input("   ")
    click(at, "Plan meeting")
    assert "at least one agenda item" in texts(at)
    assert count(app_store, "SELECT count(*) FROM meetings") == before


def test_the_fellow_records_an_agreement_and_the_mentor_acknowledges_it(demo_db, app_store):
    pair_id = demo_pair(app_store)
    version = count(app_store, "SELECT coalesce(max(version), 0) FROM agreements WHERE pair_id = ?", [pair_id])
    at = open_page(app_store, "agreement.py", "fellow@demo.org")
    assert at.title[0].value == "Agreement"
    at.selectbox(key="agreement-pair").select(pair_id).run()
    at.number_input(key=f"agreement-weeks-{version}").set_value(3)
    answers = {
        "contact": "Email; text if urgent.",
        "response_time": "Within two working days.",
        "mentee_expects": "Feedback on drafts within a week.",
        "mentor_expects": "An agenda before each meeting.",
        "confidential": "Wellbeing stays between us.",
    }
    for field, answer in answers.items():
        at.text_area(key=f"agreement-{field}-{version}").input(answer)
    at.date_input(key=f"agreement-review-{version}").set_value(TODAY + timedelta(days=200))
    click(at, "Save agreement")
    row = app_store.query_one(
        "SELECT agreement_id, version, meet_every_weeks, contact FROM agreements WHERE pair_id = ? ORDER BY version DESC LIMIT 1",
        [pair_id],
    )
    assert row[1:] == (version + 1, 3, "Email; text if urgent.")
    assert "Saved." in texts(at) and "waiting for" in texts(at)
    assert "the agreement asks for about 4" in texts(at)  # 90 / 21 = 4.3
    if version:
        assert any(b.label.startswith("Older versions") for b in at.expander) or at.get("expander")

    mentor = open_page(app_store, "agreement.py", "mentor@demo.org")
    mentor.selectbox(key="agreement-pair").select(pair_id).run()
    assert "Email; text if urgent." in texts(mentor)
    mentor.button(key="acknowledge").click().run()
    assert not mentor.exception, mentor.exception
    assert f"You acknowledged version {version + 1}" in texts(mentor)
    assert "Acknowledged by both of you" in texts(mentor)
    assert count(app_store, "SELECT count(*) FROM agreement_acknowledgements WHERE agreement_id = ?", [row[0]]) == 2
    assert not [b for b in mentor.button if b.key == "acknowledge"]


@pytest.mark.parametrize("page", ["meetings.py", "agreement.py"])
def test_a_director_gets_not_available(demo_db, app_store, page):
    at = open_page(app_store, page, "director@demo.org")
    assert "This page is not available" in texts(at)
    assert not at.get("dataframe") and not at.get("plotly_chart")


def test_an_action_item_becomes_a_goal(demo_db, app_store):
    at = open_page(app_store, "meetings.py", "fellow@demo.org")
    forms = [f.key for f in at.get("form") if str(getattr(f, "key", "")).startswith("goal-from-")]
    assert forms, "the demo fellow has open action items of their own"
    action_id = int(forms[0].rsplit("-", 1)[1])
    text = app_store.query_one("SELECT text FROM action_items WHERE action_id = ?", [action_id])[0]
    goals_before = count(app_store, "SELECT count(*) FROM goals")
    form_widgets = [w for w in at.date_input if w.form_id == forms[0]]
    form_widgets[0].set_value(TODAY + timedelta(days=60))
    next(b for b in at.button if b.label == "Create the goal" and b.form_id == forms[0]).click()
    at.run()
    assert not at.exception, at.exception
    assert count(app_store, "SELECT count(*) FROM goals") == goals_before + 1
    goal = app_store.query_one("SELECT goal_id, title, from_action_id FROM goals ORDER BY goal_id DESC LIMIT 1")
    assert goal[1] == text[:200] and goal[2] == action_id
    change = app_store.query_all("SELECT status, goal_id FROM action_item_changes WHERE action_id = ?", [action_id])
    assert change == [("goal", goal[0])]  # recorded once, and the item is no longer open
    assert action_id not in set(open_action_ids(app_store))


def open_action_ids(store) -> list[int]:
    return [
        row[0]
        for row in store.query_all(
            "SELECT action_id FROM action_items WHERE action_id NOT IN (SELECT action_id FROM action_item_changes)"
        )
    ]
