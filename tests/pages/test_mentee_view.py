"""The mentor's view of one mentee over time, within what that mentee shares, and the pair's process steps
over time on both sides' pages (issue 14)."""

import pandas as pd
from streamlit.testing.v1 import AppTest

from analytics.people import load_viewer
from analytics.sharing import set_sharing
from tests.conftest import NOW
from tests.pages.conftest import signed_in, texts
from ui.text import as_text

FELLOW, MENTOR = "fellow@demo.org", "mentor@demo.org"
GOAL_COLUMNS = ["title", "category", "status", "pace"]  # the first columns of the table behind the goals timeline
OUTPUTS_OVER_TIME = ["month", "kind", "added", "cumulative"]
OUTPUT_LIST = ["happened_on", "kind", "title"]


def person(store, email: str) -> tuple[int, str]:
    return store.query_one("SELECT person_id, full_name FROM people WHERE email = ?", [email])


def open_mentee(at: AppTest, mentee_id: int) -> AppTest:
    at.switch_page("app_pages/mentees.py").run()
    at.selectbox(key="open-mentee").select(mentee_id).run()
    assert not at.exception, at.exception
    return at


def table_with(at: AppTest, columns: list[str]) -> list[pd.DataFrame]:
    """The tables shown whose first columns are `columns`."""
    return [frame.value for frame in at.dataframe if list(frame.value.columns[: len(columns)]) == columns]


def process_step_ratings(store, pair_id: int) -> pd.DataFrame:
    """Each side's current rating of each step, per period, counted in the database."""
    return store.query_df(
        """
        SELECT a.respondent_id, a.period_start, r.item_id, r.rating
        FROM current_assessments a JOIN responses r USING (assessment_id)
        WHERE a.instrument_id = 'process-steps' AND a.pair_id = ?
        """,
        [pair_id],
    )


def assert_steps_over_time(at: AppTest, store, pair_id: int, mentor: tuple[int, str], fellow: tuple[int, str]) -> None:
    """The table behind the steps chart holds every rating of both sides of the pair, in every period."""
    mentor_side, fellow_side = f"Mentor: {mentor[1]}", f"Fellow: {fellow[1]}"
    [table] = table_with(at, ["period", "step"])
    assert set(table.columns) == {"period", "step", mentor_side, fellow_side}
    ratings = process_step_ratings(store, pair_id)
    assert len(table) == len(ratings[["period_start", "item_id"]].drop_duplicates())
    assert table["period"].nunique() > 1  # over time, not only the latest period
    for person_id, side in ((mentor[0], mentor_side), (fellow[0], fellow_side)):
        mine = ratings[ratings["respondent_id"] == person_id]
        assert table[side].notna().sum() == len(mine)
        assert sorted(table[side].dropna()) == sorted(mine["rating"].astype(float))
    assert len(at.get("plotly_chart")) >= 1


def test_the_mentor_sees_the_goals_outputs_and_process_steps_the_demo_fellow_shares(demo_db, app_store):
    fellow, mentor = person(app_store, FELLOW), person(app_store, MENTOR)
    shared = app_store.query_df(
        "SELECT record_kind FROM sharing_choices WHERE mentee_id = ? AND mentor_id = ? AND shared", [fellow[0], mentor[0]]
    )
    assert {"goals", "outputs"} <= set(shared["record_kind"])  # the demo fellow shares both with the demo mentor
    goal_titles = [row[0] for row in app_store.query_all("SELECT title FROM goals WHERE owner_id = ?", [fellow[0]])]
    outputs = app_store.query_one("SELECT count(*) FROM outputs WHERE owner_id = ?", [fellow[0]])[0]
    assert goal_titles and outputs

    at = open_mentee(signed_in(MENTOR), fellow[0])
    assert "does not share" not in texts(at)
    [goals] = table_with(at, GOAL_COLUMNS)
    assert sorted(goals["title"]) == sorted(goal_titles)
    assert len(at.selectbox(key=f"mentee-goal-{fellow[0]}").options) == len(goal_titles)
    assert table_with(at, ["kind", "on", "value"])  # the open goal's progress, with its history behind it
    [over_time] = table_with(at, OUTPUTS_OVER_TIME)
    assert over_time.groupby("kind")["cumulative"].max().sum() == outputs
    [listed] = [frame.value for frame in at.dataframe if "identifier_kind" in frame.value.columns]
    assert len(listed) == outputs
    [pair_id] = [
        row[0]
        for row in app_store.query_all(
            "SELECT pair_id FROM pairs WHERE mentor_id = ? AND mentee_id = ? AND ended_on IS NULL", [mentor[0], fellow[0]]
        )
    ]
    assert_steps_over_time(at, app_store, pair_id, mentor, fellow)


def test_the_mentor_sees_a_shared_goal_s_why_how_and_stretch(demo_db, app_store):
    fellow = person(app_store, FELLOW)
    why, how, stretch = app_store.query_one(
        "SELECT why_it_matters, how_measured, stretch FROM goals WHERE owner_id = ? AND title = 'Apply for a K08 grant'",
        [fellow[0]],
    )
    assert why and how and stretch  # the demo fellow's stretch goal
    at = open_mentee(signed_in(MENTOR), fellow[0])
    goal_id = app_store.query_one("SELECT goal_id FROM goals WHERE owner_id = ? AND title = 'Apply for a K08 grant'", [fellow[0]])
    at.selectbox(key=f"mentee-goal-{fellow[0]}").select(goal_id[0]).run()
    assert not at.exception, at.exception
    [smart] = [element.value for element in at.markdown if element.value.startswith("**What:**")]
    assert "Apply for a K08 grant · a stretch goal" in smart
    assert f"**Why it matters:** {as_text(why)}" in smart and f"**How it is measured:** {as_text(how)}" in smart
    [goals] = table_with(at, GOAL_COLUMNS)
    assert {"why_it_matters", "how_measured", "stretch"} <= set(goals.columns)


def test_after_the_fellow_withdraws_goals_and_then_outputs_the_mentor_sees_neither(demo_db, app_store):
    fellow, mentor = person(app_store, FELLOW), person(app_store, MENTOR)
    set_sharing(app_store, load_viewer(app_store, fellow[0]), {(mentor[0], "goals"): False}, NOW)
    at = open_mentee(signed_in(MENTOR), fellow[0])
    assert f"{fellow[1]} does not share their goals with you." in texts(at)
    assert table_with(at, GOAL_COLUMNS) == [] and table_with(at, ["kind", "on", "value"]) == []
    assert not [box for box in at.selectbox if box.key.startswith("mentee-goal-")]
    assert table_with(at, OUTPUTS_OVER_TIME)  # outputs are still shared

    # Through the fellow's own page this time, in the app's process: the mentor's next rerun shows it.
    sharing = signed_in(FELLOW)
    sharing.switch_page("app_pages/sharing.py").run()
    sharing.toggle(key=f"share-{mentor[0]}-outputs").set_value(False)
    next(button for button in sharing.button if button.label == "Save my choices").click()
    assert [success.value for success in sharing.run().success] == ["Saved: 1 change."]
    at.run()
    assert not at.exception, at.exception
    assert f"{fellow[1]} does not share their outputs with you." in texts(at)
    assert table_with(at, OUTPUTS_OVER_TIME) == []
    assert not [frame for frame in at.dataframe if "identifier_kind" in frame.value.columns]
    assert table_with(at, ["period", "step"])  # the pair's process steps are a joint record: still shown


def test_a_mentee_who_shares_nothing_shows_only_what_the_pair_records_together(demo_db, app_store):
    mentor = person(app_store, MENTOR)
    private_id, private_name = app_store.query_one(
        """
        SELECT p.person_id, p.full_name FROM pairs pr JOIN people p ON p.person_id = pr.mentee_id
        WHERE pr.mentor_id = ? AND pr.ended_on IS NULL
          AND NOT EXISTS (SELECT 1 FROM sharing_choices s WHERE s.mentee_id = pr.mentee_id AND s.shared)
        ORDER BY p.person_id LIMIT 1
        """,
        [mentor[0]],
    )
    assert app_store.query_one("SELECT count(*) FROM goals WHERE owner_id = ?", [private_id])[0] > 0  # something to keep

    at = open_mentee(signed_in(MENTOR), private_id)
    shown = texts(at)
    for kind in ("self-assessments", "goals", "outputs"):
        assert f"{private_name} does not share their {kind} with you." in shown
    assert table_with(at, GOAL_COLUMNS) == [] and table_with(at, OUTPUTS_OVER_TIME) == []


def test_the_fellows_two_views_page_shows_each_process_step_over_time(demo_db, app_store):
    fellow, mentor = person(app_store, FELLOW), person(app_store, MENTOR)
    at = signed_in(FELLOW)
    at.switch_page("app_pages/feedback.py").run()
    assert not at.exception, at.exception
    pair_id = app_store.query_one(
        "SELECT pair_id FROM pairs WHERE mentor_id = ? AND mentee_id = ? AND ended_on IS NULL", [mentor[0], fellow[0]]
    )[0]
    at.selectbox(key="process-pair").select(pair_id).run()
    assert not at.exception, at.exception
    assert_steps_over_time(at, app_store, pair_id, mentor, fellow)
