"""The director's dashboard, opened directly with a sign-in token (as a new server's first request does)."""

from datetime import datetime

import pytest
from streamlit.testing.v1 import AppTest

from analytics import auth
from tests.pages.conftest import PAGES, TIMEOUT, texts

PAGE = str(PAGES / "dashboard.py")
SMALL_COHORT = "Class of 2029"  # the demo's newest cohort: 4 fellows


def open_as(app_store, email: str) -> AppTest:
    token = auth.sign_in(app_store, email, "demo", datetime.now())
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.session_state["sign_in_token"] = token
    return at.run()


# Each table behind a chart, told apart by its columns (AppTest does not expose dataframe keys).
TABLES = {
    "participation": {"completion_rate", "is_total"},
    "heatmap": {"period", "period_start", "item_id", "n", "mean", "suppressed"},
    "trend": {"cohort", "cohort_id", "n", "mean", "sd"},
}


def table(at: AppTest, name: str):
    wanted = TABLES[name]
    found = [element.value for element in at.dataframe if wanted <= set(element.value.columns)]
    if name == "heatmap":
        found = [frame for frame in found if set(frame.columns) == wanted]
    assert len(found) == 1, [list(element.value.columns) for element in at.dataframe]
    return found[0]


def test_the_director_sees_every_chart(demo_db, app_store):
    at = open_as(app_store, "director@demo.org")
    assert not at.exception, at.exception
    assert len(at.get("plotly_chart")) >= 7
    assert "Program dashboard" in texts(at)
    assert any(button.label == "Download all tables (Excel)" for button in at.get("download_button"))
    # Participation is administration: the small cohort's counts are shown, like the overdue names.
    participation = table(at, "participation")
    small = participation[participation["cohort"] == SMALL_COHORT]
    assert len(small) and small["submitted"].notna().all() and "suppressed" not in participation
    # Its ratings are not: the cohort trend hides it and says why.
    trend = table(at, "trend")
    assert trend.loc[trend["cohort"] == SMALL_COHORT, "mean"].isna().all()
    assert "fewer than 5 people" in texts(at)


def test_the_small_cohort_alone_shows_no_ratings(demo_db, app_store):
    at = open_as(app_store, "director@demo.org")
    small_id = app_store.query_one("SELECT cohort_id FROM cohorts WHERE name = ?", [SMALL_COHORT])[0]
    before = table(at, "heatmap")
    assert not before["mean"].isna().all()
    at.multiselect(key="dash_cohorts").set_value([small_id]).run()
    assert not at.exception, at.exception
    after = table(at, "heatmap")
    assert after["suppressed"].all() and after["mean"].isna().all()
    trend = table(at, "trend")
    assert trend["mean"].isna().all()


def test_changing_the_cohort_filter_changes_the_tables(demo_db, app_store):
    at = open_as(app_store, "director@demo.org")
    before = table(at, "trend")
    selected = list(at.multiselect(key="dash_cohorts").value)
    at.multiselect(key="dash_cohorts").set_value(selected[:1]).run()
    assert not at.exception, at.exception
    after = table(at, "trend")
    assert set(after["cohort"]) < set(before["cohort"])
    assert not after.equals(before)


@pytest.mark.parametrize("email", ["fellow@demo.org", "mentor@demo.org"])
def test_fellows_and_mentors_are_turned_away(demo_db, app_store, email):
    at = open_as(app_store, email)
    assert not at.exception
    assert "This page is not available" in texts(at)
    assert not at.get("plotly_chart") and not at.dataframe


def test_the_mentor_domain_filter_changes_the_tables(demo_db, app_store):
    at = open_as(app_store, "director@demo.org")
    assert [option for option in at.selectbox(key="dash_domain").options] == ["Any domain", "Career", "Research", "Social"]
    before = table(at, "heatmap")
    at.selectbox(key="dash_domain").set_value("research").run()
    assert not at.exception, at.exception
    after = table(at, "heatmap")
    assert not after.equals(before)
    assert len(at.get("plotly_chart")) >= 9


def test_participation_per_instrument_and_meeting_frequency_are_shown(demo_db, app_store):
    at = open_as(app_store, "director@demo.org")
    assert not at.exception, at.exception
    frames = [element.value for element in at.dataframe]
    per_instrument = [f for f in frames if {"instrument_id", "respondent", "unit", "completion_rate"} <= set(f.columns)]
    assert len(per_instrument) == 1
    assert set(per_instrument[0]["instrument_id"]) == {
        "mentee-self",
        "mentor-self",
        "mentee-by-mentor",
        "mentor-by-mentee",
        "process-steps",
        "mentoring-competencies",  # the demo program's own instrument (demo/instruments/)
    }
    meetings = [f for f in frames if list(f.columns) == ["period", "period_start", "meetings", "pairs", "suppressed"]]
    assert len(meetings) == 1 and meetings[0]["meetings"].tolist() == ["0", "1", "2", "3-4", "5-6", "7+"]
