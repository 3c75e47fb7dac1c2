"""My goals, as a fellow meets it: a new goal through the form, check-ins, the pace on the timeline's
table, a refused check-in, and the page closed to mentors and directors.

app_pages/goals.py is not in app.py's navigation yet, so the page runs directly with a sign-in token in
the session, as a new server's first request would run it.
"""

import base64
import csv
import io
import json
from datetime import datetime, timedelta

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from analytics import auth
from analytics.goals import create_goal
from analytics.people import load_viewer
from tests.conftest import NOW, TODAY
from tests.pages.conftest import PAGES, TIMEOUT, texts
from tests.robustness.downloads import download_bytes, download_name, kept_downloads
from ui.text import as_text

PAGE = str(PAGES / "goals.py")
TITLE = "Three posters at the regional meeting"


def open_page(store, email: str) -> AppTest:
    token = auth.sign_in(store, email, "demo", datetime.now())
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.session_state["sign_in_token"] = token
    at.run()
    assert not at.exception, at.exception
    return at


def person_id(store, email: str) -> int:
    return store.query_one("SELECT person_id FROM people WHERE email = ?", [email])[0]


def click(at: AppTest, label: str) -> AppTest:
    next(button for button in at.button if button.label == label).click()
    at.run()
    assert not at.exception, at.exception
    return at


def goal_row(at: AppTest, title: str) -> dict:
    """The goal's row in the table behind the timeline (the demo fellow may have other goals too)."""
    table = next(frame.value for frame in at.dataframe if {"title", "pace", "percent_done"} <= set(frame.value.columns))
    [row] = table[table["title"] == title].to_dict("records")
    return row


def open_goal(at: AppTest, goal_id: int) -> AppTest:
    at.selectbox(key="open-goal").select(goal_id).run()
    assert not at.exception, at.exception
    return at


def check_in(at: AppTest, goal_id: int, value: float, note: str = "") -> AppTest:
    open_goal(at, goal_id)
    at.number_input(key=f"checkin-value-{goal_id}").set_value(value)
    at.text_area(key=f"checkin-note-{goal_id}").input(note)
    return click(at, "Add check-in")


def counts(store) -> tuple[int, int]:
    return store.query_one("SELECT (SELECT count(*) FROM goals), (SELECT count(*) FROM goal_checkins)")


def test_a_fellow_creates_a_count_goal_checks_in_twice_and_is_ahead(demo_db, app_store):
    before = counts(app_store)
    at = open_page(app_store, "fellow@demo.org")
    at.text_input(key="goal-title").input(TITLE)
    at.selectbox(key="goal-category").select("research")
    at.radio(key="goal-measure").set_value("count")
    at.number_input(key="goal-target").set_value(3)
    at.text_input(key="goal-unit").input("posters")
    at.date_input(key="goal-date").set_value(TODAY + timedelta(days=365))
    at.text_area(key="goal-milestones").input(f"First abstract drafted; {TODAY + timedelta(days=60):%Y-%m-%d}")
    click(at, "Create goal")
    assert f"Goal created: {TITLE}" in texts(at)
    assert counts(app_store) == (before[0] + 1, before[1])
    [(goal_id, target, unit)] = app_store.query_all("SELECT goal_id, target_value, unit FROM goals WHERE title = ?", [TITLE])
    assert (target, unit) == (3.0, "posters")
    assert app_store.query_one("SELECT count(*) FROM goal_milestones WHERE goal_id = ?", [goal_id])[0] == 1

    check_in(at, goal_id, 1)
    assert "Check-in saved: 1 posters" in texts(at)
    check_in(at, goal_id, 2)  # 67% done on the first day
    assert app_store.query_one("SELECT count(*) FROM goal_checkins WHERE goal_id = ?", [goal_id])[0] == 2
    row = goal_row(at, TITLE)
    assert row["latest_value"] == 2 and row["pace"] == "ahead"
    assert "The target is reached" not in texts(at)
    assert len(at.get("plotly_chart")) == 2  # the timeline and the goal's progress


def test_check_ins_on_an_older_goal_show_it_behind_and_a_mistyped_value_is_refused(demo_db, app_store):
    fellow = load_viewer(app_store, person_id(app_store, "fellow@demo.org"))
    started = TODAY - timedelta(days=100)
    goal_id = create_goal(
        app_store, fellow, "Apply for a K08 grant by June", "career", "percent", None, TODAY + timedelta(days=100), started, NOW
    )
    at = open_page(app_store, "fellow@demo.org")
    check_in(at, goal_id, 10)
    check_in(at, goal_id, 20)
    row = goal_row(at, "Apply for a K08 grant by June")
    assert (row["percent_done"], row["expected_percent_today"], row["pace"]) == (20.0, 50.0, "behind")
    assert "Behind: Apply for a K08 grant by June" in texts(at)

    before = counts(app_store)
    check_in(at, goal_id, 1500)
    assert "1500 is more than 10 times the target of 100%" in texts(at)
    assert counts(app_store) == before
    check_in(at, goal_id, 15)
    assert "explain a step back in a note" in texts(at)
    assert counts(app_store) == before


def test_the_form_asks_what_why_how_and_whether_it_is_a_stretch_and_the_goal_shows_them(demo_db, app_store, monkeypatch):
    formula = '=HYPERLINK("http://evil","x")'
    how = "**Done** when I have led one; <b>my mentor</b> attends."
    with kept_downloads(monkeypatch):
        at = open_page(app_store, "fellow@demo.org")
        labels = [widget.label for widget in (*at.text_input, *at.text_area, *at.checkbox)]
        assert "Title (what, specifically)" in labels
        assert "Why it matters (to you, your training, your career)" in labels
        assert "How it will be measured, in words" in labels
        assert any(label.startswith("A stretch goal") for label in labels)
        at.text_input(key="goal-title").input("Lead a tumour board")
        at.text_area(key="goal-why").input(formula)
        at.text_area(key="goal-how").input(how)
        at.checkbox(key="goal-stretch").check()
        at.date_input(key="goal-date").set_value(TODAY + timedelta(days=200))
        click(at, "Create goal")
        assert "Goal created: Lead a tumour board" in texts(at)
        stored = app_store.query_one(
            "SELECT why_it_matters, how_measured, stretch FROM goals WHERE title = 'Lead a tumour board'"
        )
        assert stored == (formula, how, True)
        # The new goal opens with its SMART description, shown as typed (every mark escaped: no bold, no tag).
        [smart] = [element.value for element in at.markdown if element.value.startswith("**What:**")]
        assert smart.split("  \n") == [
            "**What:** Lead a tumour board · a stretch goal",
            f"**Why it matters:** {as_text(formula)}",
            f"**How it is measured:** {as_text(how)} (done at 100{as_text('%')})",
            f"**By when:** {TODAY + timedelta(days=200):%Y-%m-%d}",
        ]
        row = goal_row(at, "Lead a tumour board")
        assert row["stretch"] and (row["why_it_matters"], row["how_measured"]) == (formula, how)
        csvs = [download_bytes(b).decode("utf-8") for b in at.get("download_button") if download_name(b).endswith(".csv")]
    [table] = [data for data in csvs if "Lead a tumour board" in data and "Why it matters" in data]  # the goals table
    [row] = [row for row in csv.DictReader(io.StringIO(table)) if row["Goal"] == "Lead a tumour board"]
    # headed as on screen, and inert
    assert (row["Why it matters"], row["How it is measured"], row["Stretch goal"]) == ("'" + formula, how, "True")


def test_a_check_in_above_the_target_is_confirmed_and_drawn_above_the_target_line(demo_db, app_store):
    fellow = load_viewer(app_store, person_id(app_store, "fellow@demo.org"))
    goal_id = create_goal(
        app_store, fellow, "Four case reports", "research", "count", 4, TODAY + timedelta(days=90), TODAY, NOW, unit="reports"
    )
    at = open_page(app_store, "fellow@demo.org")
    check_in(at, goal_id, 5)
    assert "Check-in saved: 5 reports" in texts(at)
    assert "That is above the target of 4 reports" in texts(at)
    assert app_store.query_all("SELECT value FROM goal_checkins WHERE goal_id = ?", [goal_id]) == [(5.0,)]
    row = goal_row(at, "Four case reports")
    assert (row["latest_value"], row["percent_done"], row["pace"]) == (5, 125.0, "ahead")
    assert "**Above target:** 5 of 4 reports" in texts(at)
    [progress] = [chart for chart in at.get("plotly_chart") if "Above the target" in chart.proto.spec]
    figure = json.loads(progress.proto.spec)
    [above] = [trace for trace in figure["data"] if trace["name"] == "Above the target"]
    assert list(np.frombuffer(base64.b64decode(above["y"]["bdata"]), dtype=above["y"]["dtype"])) == [5]  # plotly's binary array
    assert figure["layout"]["yaxis"]["range"][1] > 5


def test_a_goal_is_paused_then_dropped_with_a_note(demo_db, app_store):
    fellow = load_viewer(app_store, person_id(app_store, "fellow@demo.org"))
    goal_id = create_goal(
        app_store, fellow, "Run a half marathon", "personal", "percent", None, TODAY + timedelta(days=90), TODAY, NOW
    )
    at = open_goal(open_page(app_store, "fellow@demo.org"), goal_id)
    click(at, "Pause")
    assert "is paused" in texts(at)
    click(at, "Drop")
    assert "why the goal is dropped" in texts(at)
    at.text_input(key=f"status-note-{goal_id}").input("Knee injury.")
    click(at, "Drop")
    assert "is dropped" in texts(at)
    rows = app_store.query_all("SELECT status, note FROM goal_status_changes WHERE goal_id = ? ORDER BY recorded_at", [goal_id])
    assert rows == [("paused", None), ("dropped", "Knee injury.")]


def test_a_past_target_date_is_refused_with_a_message(demo_db, app_store):
    before = counts(app_store)
    at = open_page(app_store, "fellow@demo.org")
    at.text_input(key="goal-title").input("Present at journal club")
    at.date_input(key="goal-date").set_value(TODAY - timedelta(days=1))
    click(at, "Create goal")
    assert "The target date must be in the future" in texts(at)
    assert counts(app_store) == before


@pytest.mark.parametrize("email", ["mentor@demo.org", "director@demo.org"])
def test_mentors_and_directors_do_not_get_the_page(demo_db, app_store, email):
    at = open_page(app_store, email)
    assert "This page is not available" in texts(at)
    assert not at.get("plotly_chart") and not at.get("dataframe") and not at.get("metric")
