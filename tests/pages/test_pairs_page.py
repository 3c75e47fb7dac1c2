"""The Pairs page, run directly with a signed-in token (as test_page_guards does): a director creates, ends and
reassigns pairs through the forms; the table and the database follow; nobody else sees anything."""

from datetime import datetime

import pytest
from streamlit.testing.v1 import AppTest

from analytics import auth
from tests.conftest import TODAY
from tests.pages.conftest import PAGES, TIMEOUT, texts
from ui.text import as_text


def open_page(app_store, email: str | None = "director@demo.org") -> AppTest:
    at = AppTest.from_file(str(PAGES / "pairs.py"), default_timeout=TIMEOUT)
    if email is not None:
        at.session_state["sign_in_token"] = auth.sign_in(app_store, email, "demo", datetime.now())
    at.run()
    assert not at.exception, at.exception
    return at


def person(store, email: str) -> int:
    return store.query_one("SELECT person_id FROM people WHERE email = ?", [email])[0]


def snapshot(store) -> list[tuple]:
    return store.query_all("SELECT * FROM pairs ORDER BY pair_id")


def pairs_table(at: AppTest):
    [table] = [frame.value for frame in at.dataframe if "pair_id" in frame.value.columns]
    return table.set_index("pair_id")


def press(at: AppTest, label: str) -> AppTest:
    next(button for button in at.button if button.label == label).click()
    at.run()
    assert not at.exception, at.exception
    return at


def a_current_pair(store) -> tuple[int, int, int, str]:
    """The demo fellow's pair with the demo mentor: pair, mentor, mentee, domain."""
    return store.query_one(
        """
        SELECT pair_id, mentor_id, mentee_id, domain FROM pairs
        WHERE mentee_id = (SELECT person_id FROM people WHERE email = 'fellow@demo.org')
          AND mentor_id = (SELECT person_id FROM people WHERE email = 'mentor@demo.org')
        """
    )


def test_the_director_sees_the_current_pairs_the_loads_and_the_missing_domains(demo_db, app_store):
    at = open_page(app_store)
    assert "This page is not available" not in texts(at)
    table = pairs_table(at)
    assert len(table) == app_store.query_one("SELECT count(*) FROM pairs WHERE ended_on IS NULL")[0]
    assert set(table["status"]) == {"current"}
    frames = {tuple(frame.value.columns[:2]): frame.value for frame in at.dataframe}
    loads = frames[("mentor_id", "mentor")]
    assert len(loads) == app_store.query_one("SELECT count(*) FROM person_roles WHERE role = 'mentor'")[0]
    missing = frames[("fellow_id", "fellow")]
    assert set(missing["domain"]) <= {"Career", "Research", "Social/interpersonal"} and len(missing) > 0
    assert "From the guidance:" in texts(at)


def test_the_toggle_shows_ended_pairs(demo_db, app_store):
    pair_id = a_current_pair(app_store)[0]
    app_store.write(
        lambda cur: cur.execute("UPDATE pairs SET ended_on = ?, end_status = 'completed' WHERE pair_id = ?", [TODAY, pair_id])
    )
    at = open_page(app_store)
    assert pair_id not in pairs_table(at).index
    at.toggle(key="include_ended").set_value(True).run()
    assert pairs_table(at).loc[pair_id, "status"] == "completed"


def test_a_director_creates_a_pair_through_the_form(demo_db, app_store):
    mentor_id, mentee_id = person(app_store, "mentor@demo.org"), person(app_store, "fellow@demo.org")
    used = {row[0] for row in app_store.query_all("SELECT domain FROM pairs WHERE mentee_id = ?", [mentee_id])}
    domain = next(d for d in ("career", "research", "social") if d not in used)
    before = len(snapshot(app_store))

    at = open_page(app_store)
    at.selectbox(key="create_mentor").set_value(mentor_id)
    at.selectbox(key="create_mentee").set_value(mentee_id)
    at.selectbox(key="create_domain").set_value(domain)
    press(at, "Create pair")

    assert not at.error
    assert len(snapshot(app_store)) == before + 1
    pair_id, started_on = app_store.query_one(
        "SELECT pair_id, started_on FROM pairs WHERE mentor_id = ? AND mentee_id = ? AND domain = ?",
        [mentor_id, mentee_id, domain],
    )
    assert started_on == TODAY
    assert at.success[0].value.startswith(as_text(f"Created pair {pair_id}: Zoe Xu mentors Nadia Evans"))
    row = pairs_table(at).loc[pair_id]
    assert (row["mentor"], row["mentee"], row["domain_id"], row["status"]) == ("Zoe Xu", "Nadia Evans", domain, "current")


def test_a_refused_pair_shows_why_and_stores_nothing(demo_db, app_store):
    pair_id, mentor_id, mentee_id, domain = a_current_pair(app_store)
    before = snapshot(app_store)
    at = open_page(app_store)
    at.selectbox(key="create_mentor").set_value(mentor_id)
    at.selectbox(key="create_mentee").set_value(mentee_id)
    at.selectbox(key="create_domain").set_value(domain)
    press(at, "Create pair")
    assert as_text(f"already have a pair in {domain.capitalize()} (pair {pair_id}") in at.error[0].value
    assert not at.success
    assert snapshot(app_store) == before


def test_stopping_a_pair_needs_a_reason_then_ends_it(demo_db, app_store):
    pair_id = a_current_pair(app_store)[0]
    assessments = app_store.query_one("SELECT count(*) FROM assessments WHERE pair_id = ?", [pair_id])[0]
    before = snapshot(app_store)

    at = open_page(app_store)
    at.selectbox(key="end_pair").set_value(pair_id)
    at.radio(key="end_status").set_value("stopped")
    press(at, "End pair")
    assert at.error[0].value == as_text("Give a reason when a pair is stopped.")
    assert snapshot(app_store) == before
    assert pair_id in pairs_table(at).index

    at.text_area(key="end_reason").input("Mentor on sabbatical")
    press(at, "End pair")
    assert not at.error
    assert at.success[0].value.endswith(as_text(f"(pair {pair_id}): stopped on {TODAY:%Y-%m-%d}. Its assessments are kept."))
    assert app_store.query_one("SELECT ended_on, end_status, end_reason FROM pairs WHERE pair_id = ?", [pair_id]) == (
        TODAY,
        "stopped",
        "Mentor on sabbatical",
    )
    assert app_store.query_one("SELECT count(*) FROM assessments WHERE pair_id = ?", [pair_id])[0] == assessments
    assert pair_id not in pairs_table(at).index  # the table shows current pairs unless asked for ended ones
    assert not any(f"(pair {pair_id})" in option for option in at.selectbox(key="end_pair").options)


def test_a_director_reassigns_a_pair(demo_db, app_store):
    pair_id, old_mentor_id, mentee_id, domain = a_current_pair(app_store)
    new_mentor_id = app_store.query_one(
        """
        SELECT person_id FROM person_roles WHERE role = 'mentor' AND person_id <> ?
          AND person_id NOT IN (SELECT mentor_id FROM pairs WHERE mentee_id = ?)
        ORDER BY person_id LIMIT 1
        """,
        [old_mentor_id, mentee_id],
    )[0]

    at = open_page(app_store)
    at.selectbox(key="reassign_pair").set_value(pair_id)
    at.selectbox(key="reassign_mentor").set_value(new_mentor_id)
    at.text_area(key="reassign_reason").input("Mentor moved institution")
    press(at, "Reassign")

    assert not at.error
    assert app_store.query_one("SELECT ended_on, end_status, end_reason FROM pairs WHERE pair_id = ?", [pair_id]) == (
        TODAY,
        "stopped",
        "Reassigned: Mentor moved institution",
    )
    new_pair_id, started_on, ended_on = app_store.query_one(
        "SELECT pair_id, started_on, ended_on FROM pairs WHERE mentor_id = ? AND mentee_id = ? AND domain = ?",
        [new_mentor_id, mentee_id, domain],
    )
    assert (started_on, ended_on) == (TODAY, None)
    assert as_text(f"new pair {new_pair_id}") in at.success[0].value
    table = pairs_table(at)
    assert pair_id not in table.index
    assert table.loc[new_pair_id, "status"] == "current"


def test_a_reassignment_without_a_reason_changes_nothing(demo_db, app_store):
    pair_id, old_mentor_id, mentee_id, _ = a_current_pair(app_store)
    other_mentor = app_store.query_one(
        "SELECT person_id FROM person_roles WHERE role = 'mentor' AND person_id <> ? ORDER BY person_id LIMIT 1", [old_mentor_id]
    )[0]
    before = snapshot(app_store)
    at = open_page(app_store)
    at.selectbox(key="reassign_pair").set_value(pair_id)
    at.selectbox(key="reassign_mentor").set_value(other_mentor)
    press(at, "Reassign")
    assert at.error[0].value == as_text("Give a reason for the reassignment.")
    assert snapshot(app_store) == before


@pytest.mark.parametrize("email", ["fellow@demo.org", "mentor@demo.org", None])
def test_nobody_but_a_director_sees_the_page(demo_db, app_store, email):
    at = open_page(app_store, email)
    assert "This page is not available" in texts(at)
    assert not at.dataframe
    assert not at.selectbox and not at.button
    assert "Mentoring pairs" not in [title.value for title in at.title]
