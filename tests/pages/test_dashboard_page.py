"""The director's dashboard, opened directly with a sign-in token (as a new server's first request does)."""

import datetime as dt
import io
import re
from datetime import datetime

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from analytics import auth
from analytics.dashboard_aggregates import SCOPES
from analytics.instruments import load_catalogue
from tests.pages.conftest import PAGES, TIMEOUT, texts
from tests.robustness.downloads import download_bytes, kept_downloads

PAGE = str(PAGES / "dashboard.py")
SMALL_COHORT = "Class of 2029"  # the demo's newest cohort: 4 fellows


def open_as(app_store, email: str) -> AppTest:
    token = auth.sign_in(app_store, email, "demo", datetime.now())
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.session_state["sign_in_token"] = token
    return at.run()


TABS = ("Participation", "Ratings", "Self vs mentors", "Process steps", "Goals & outputs")


def in_tab(at: AppTest, tab: str) -> AppTest:
    """The page with `tab` chosen: only the chosen tab runs (AppTest cannot click a tab; its state can be set)."""
    at.session_state["dash_tab"] = tab
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
    assert "Program dashboard" in texts(at)
    assert any(button.label == "Download all tables (Excel)" for button in at.get("download_button"))
    # Participation is administration: the small cohort's counts are shown, like the overdue names.
    participation = table(at, "participation")
    small = participation[participation["cohort"] == SMALL_COHORT]
    assert len(small) and small["submitted"].notna().all() and "suppressed" not in participation
    charts = {"Participation": len(at.get("plotly_chart"))}
    # Its ratings are not: the cohort trend hides it and says why.
    in_tab(at, "Ratings")
    assert not at.exception, at.exception
    trend = table(at, "trend")
    assert trend.loc[trend["cohort"] == SMALL_COHORT, "mean"].isna().all()
    assert "fewer than 5 people" in texts(at)
    for tab in TABS[1:]:
        charts[tab] = len(in_tab(at, tab).get("plotly_chart"))
        assert not at.exception, (tab, at.exception)
    assert sum(charts.values()) >= 11 and all(charts.values()), charts


def test_only_the_chosen_tab_runs(demo_db, app_store, monkeypatch):
    """A rerun builds and sends one tab's charts: the goal figures are not drawn while Participation is shown."""
    from charts import program

    drawn = []
    for name in ("participation_chart", "program_goal_progress_chart", "cohort_trend_chart"):
        original = getattr(program, name)
        monkeypatch.setattr(program, name, lambda *a, _f=original, _n=name, **k: drawn.append(_n) or _f(*a, **k))
    at = open_as(app_store, "director@demo.org")
    assert not at.exception, at.exception
    assert drawn == ["participation_chart"]
    in_tab(at, "Goals & outputs")
    assert not at.exception, at.exception
    assert drawn == ["participation_chart", "program_goal_progress_chart"]
    assert "Goal progress over time" in texts(at) and "Per instrument" not in texts(at)


def test_the_small_cohort_alone_shows_no_ratings(demo_db, app_store):
    at = in_tab(open_as(app_store, "director@demo.org"), "Ratings")
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
    at = in_tab(open_as(app_store, "director@demo.org"), "Ratings")
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
    at = in_tab(open_as(app_store, "director@demo.org"), "Ratings")
    assert [option for option in at.selectbox(key="dash_domain").options] == ["Any domain", "Career", "Research", "Social"]
    before = table(at, "heatmap")
    at.selectbox(key="dash_domain").set_value("research").run()
    assert not at.exception, at.exception
    after = table(at, "heatmap")
    assert not after.equals(before)
    assert len(at.get("plotly_chart")) == 3  # the distribution, the heatmap, the cohort trend


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
    frames = [element.value for element in in_tab(at, "Goals & outputs").dataframe]
    meetings = [f for f in frames if list(f.columns) == ["period", "period_start", "meetings", "pairs", "suppressed"]]
    assert len(meetings) == 1 and meetings[0]["meetings"].tolist() == ["0", "1", "2", "3-4", "5-6", "7+"]


def test_the_director_sees_goal_progress_over_time_and_process_step_trends(demo_db, app_store):
    at = in_tab(open_as(app_store, "director@demo.org"), "Goals & outputs")
    assert not at.exception, at.exception
    assert "Goal progress over time" in texts(at)
    assert not [m for m in at.multiselect if m.key == "dash_goal_cohorts"]  # a few cohorts: every one drawn
    frames = [element.value for element in at.dataframe]
    progress = [f for f in frames if {"share_completed", "share_on_track", "share_behind", "reached"} <= set(f.columns)]
    assert progress, [list(f.columns) for f in frames]
    goals = progress[0]
    assert goals["period"].nunique() >= 3 and goals["share_on_track"].notna().any()
    # The small cohort's goals are hidden in every period, and the frame says so (drawn as "hidden").
    small = goals[goals["cohort"] == SMALL_COHORT]
    assert len(small) and small["suppressed"].all() and small["share_completed"].isna().all()
    in_tab(at, "Process steps")
    assert not at.exception, at.exception
    assert "Process steps over time" in texts(at)
    frames = [element.value for element in at.dataframe]
    steps = [f for f in frames if {"step", "side", "mean", "period"} <= set(f.columns)]
    assert len(steps) == 1
    trend = steps[0]
    assert trend["period"].nunique() >= 2 and set(trend["side"]) == {"mentee", "mentor"} and trend["mean"].notna().any()


def test_every_chart_says_which_filters_it_follows(demo_db, app_store):
    at = open_as(app_store, "director@demo.org")
    captions = [str(caption.value).replace("\\", "") for tab in TABS for caption in in_tab(at, tab).caption]
    for name, (_, scope) in SCOPES.items():
        assert scope in captions, name


def _workbook(at):
    button = next(b for b in at.get("download_button") if b.proto.label == "Download all tables (Excel)")
    return openpyxl.load_workbook(io.BytesIO(download_bytes(button)))


def test_the_excel_opens_on_a_sheet_naming_the_program_filters_periods_and_rule(demo_db, app_store, monkeypatch):
    small_id = app_store.query_one("SELECT cohort_id FROM cohorts WHERE name = ?", [SMALL_COHORT])[0]
    with kept_downloads(monkeypatch):
        at = open_as(app_store, "director@demo.org")
        chosen = [c for c in at.multiselect(key="dash_cohorts").value if c != small_id]
        at.multiselect(key="dash_cohorts").set_value(chosen).run()
        at.selectbox(key="dash_domain").set_value("research").run()
        assert not at.exception, at.exception
        workbook = _workbook(at)
    assert workbook.sheetnames[0] == "About"
    about = {row[0]: row[1] for row in workbook["About"].iter_rows(min_row=2, values_only=True) if row[0]}
    program = app_store.query_one("SELECT name FROM programs WHERE program_id = 1")[0]
    names = [row[0] for row in app_store.query_all("SELECT name FROM cohorts WHERE cohort_id IN (SELECT unnest(?))", [chosen])]
    assert about["Program"] == program
    assert set(about["Cohorts"].split(", ")) == set(names) and SMALL_COHORT not in about["Cohorts"]
    assert about["Fellows who have a mentor in"] == "Research"
    assert about["Instrument (ratings)"] and " to " in about["Periods"] and "Q" in about["Periods"]
    assert "at least 5 people" in about["Suppression rule"]
    assert any(str(key).startswith("Sheet Goal progress") for key in about)


def test_no_sheet_of_the_excel_holds_an_item_id_an_internal_id_or_a_date(demo_db, app_store, monkeypatch):
    item_ids = {item.id for instrument in load_catalogue().instruments for item in instrument.items}
    instrument_ids = {instrument.id for instrument in load_catalogue().instruments}
    with kept_downloads(monkeypatch):
        workbook = _workbook(open_as(app_store, "director@demo.org"))
    assert len(workbook.sheetnames) >= 10
    for sheet in workbook.worksheets[1:]:
        rows = list(sheet.iter_rows(values_only=True))
        header = [str(h) for h in rows[0]]
        assert not [h for h in header if h.endswith("_id") or h in ("behind", "period_start")], (sheet.title, header)
        cells = [cell for row in rows[1:] for cell in row]
        assert not (set(cells) & (item_ids | instrument_ids)), sheet.title
        assert not [c for c in cells if isinstance(c, dt.date | dt.datetime)], sheet.title
        if "period" in header:
            periods = {row[header.index("period")] for row in rows[1:]}
            assert all(re.fullmatch(r"\d{4} Q[1-4]", str(p)) for p in periods), (sheet.title, periods)
    distribution = workbook["Rating distribution"]
    header = [c.value for c in next(distribution.iter_rows(max_row=1))]
    wording = {row[header.index("item")] for row in distribution.iter_rows(min_row=2, values_only=True)}
    assert wording <= {item.text for item in load_catalogue().get("mentee-self").items} and wording
