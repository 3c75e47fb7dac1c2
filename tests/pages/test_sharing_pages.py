"""Sharing as people meet it: the mentor's review, the fellow's sharing choices and the Two views page."""

import re
from datetime import date

import pandas as pd
from streamlit.testing.v1 import AppTest

from analytics.pairs import end_pair
from analytics.people import load_viewer
from tests.conftest import TODAY
from tests.pages.conftest import as_read, open_assessment, signed_in, submit_opened, texts

SELF_TREND_COLUMNS = ["period", "quality", "rating"]
NOT_SHARED = "does not share their self-assessments with you"


def person(store, email: str) -> tuple[int, str]:
    return store.query_one("SELECT person_id, full_name FROM people WHERE email = ?", [email])


def self_rating_rows(store, person_id: int) -> int:
    """How many self-ratings (one per item and period) the person has, counted in the database."""
    return store.query_one(
        """
        SELECT count(*) FROM current_assessments a JOIN responses r USING (assessment_id)
        WHERE a.instrument_id = 'mentee-self' AND a.respondent_id = ? AND a.subject_id = ?
        """,
        [person_id, person_id],
    )[0]


def open_mentee(at: AppTest, mentee_id: int) -> AppTest:
    at.switch_page("app_pages/mentees.py").run()
    assert not at.exception, at.exception
    at.selectbox(key="open-mentee").select(mentee_id).run()
    assert not at.exception, at.exception
    return at


def tables(at: AppTest) -> list[pd.DataFrame]:
    return [frame.value for frame in at.dataframe]


def trend_tables(at: AppTest) -> list[pd.DataFrame]:
    """The tables behind the mentee's self-assessment trend: period, quality and rating only."""
    return [table for table in tables(at) if list(table.columns) == SELF_TREND_COLUMNS]


def shows_self_view(at: AppTest) -> bool:
    for table in tables(at):
        if "Self-view" in table.columns:
            return True
        if "view" in table.columns and (table["view"] == "Self-view").any():
            return True
    return False


def glance_row(at: AppTest, name: str) -> pd.Series:
    glance = next(table for table in tables(at) if "shares" in table.columns and "mentee" in table.columns)
    [row] = [row for _, row in glance.iterrows() if row["mentee"] == name]
    return row


def click(at: AppTest, label: str) -> AppTest:
    next(button for button in at.button if button.label == label).click()
    return at.run()


# ---------------------------------------------------------------- the "Done when" journey


def test_a_fellow_withdraws_sharing_and_the_mentor_no_longer_sees_their_self_assessments(demo_db, app_store):
    fellow_id, fellow_name = person(app_store, "fellow@demo.org")
    mentor_id, _ = person(app_store, "mentor@demo.org")
    own_rows = self_rating_rows(app_store, fellow_id)
    assert own_rows > 0

    mentor = open_mentee(signed_in("mentor@demo.org"), fellow_id)
    assert NOT_SHARED not in texts(mentor)
    [trend] = trend_tables(mentor)
    assert len(trend) == own_rows
    assert trend["rating"].between(1, 5).all()
    assert shows_self_view(mentor)
    assert glance_row(mentor, fellow_name)["shares"] == "yes"

    fellow = signed_in("fellow@demo.org")
    fellow.switch_page("app_pages/sharing.py").run()
    assert not fellow.exception, fellow.exception
    toggle = fellow.toggle(key=f"share-{mentor_id}-self_assessments")
    assert toggle.value is True  # the demo fellow shares everything
    toggle.set_value(False)
    click(fellow, "Save my choices")
    assert not fellow.exception, fellow.exception
    assert [success.value for success in fellow.success] == ["Saved: 1 change."]
    assert fellow.toggle(key=f"share-{mentor_id}-self_assessments").value is False
    latest = app_store.query_one(
        """
        SELECT shared FROM sharing_choices WHERE mentee_id = ? AND mentor_id = ? AND record_kind = 'self_assessments'
        ORDER BY chosen_at DESC LIMIT 1
        """,
        [fellow_id, mentor_id],
    )[0]
    assert latest is False

    again = open_mentee(signed_in("mentor@demo.org"), fellow_id)
    assert f"{fellow_name} {NOT_SHARED}." in texts(again)
    assert trend_tables(again) == []
    assert not shows_self_view(again)
    row = glance_row(again, fellow_name)
    assert row["shares"] == "not shared"
    assert pd.isna(row["self_latest"])

    # The first mentor session, run again, does not keep showing what it showed before (no stale cache).
    mentor.run()
    assert f"{fellow_name} {NOT_SHARED}." in texts(mentor)
    assert trend_tables(mentor) == []
    assert not shows_self_view(mentor)


def test_a_mentors_rating_appears_beside_the_mentees_own_in_the_gap_chart(demo_db, app_store):
    fellow_id, fellow_name = person(app_store, "fellow@demo.org")
    _, mentor_name = person(app_store, "mentor@demo.org")

    mentor = signed_in("mentor@demo.org")
    mentor.switch_page("app_pages/assessments.py").run()
    label = f"Good-mentee qualities: my mentee about {fellow_name}"
    open_assessment(mentor, label)
    radios = [radio for radio in mentor.radio if radio.key.startswith("mentee-by-mentor:")]
    assert len(radios) == 9
    for radio in radios:
        radio.set_value(1)
    submit_opened(mentor, label)
    assert not mentor.exception, mentor.exception
    assert as_read(mentor.success[0].value).startswith(f"Saved: {label}")

    fellow = signed_in("fellow@demo.org")
    fellow.switch_page("app_pages/feedback.py").run()
    assert not fellow.exception, fellow.exception
    column = f"Mentor: {mentor_name}"
    [gaps] = [table for table in tables(fellow) if "Self-view" in table.columns and "gap" in table.columns]
    assert column in gaps.columns
    assert len(gaps) == 9
    assert list(gaps[column]) == [1.0] * 9
    assert gaps["Self-view"].between(1, 5).all()
    # The gap is measured from the 1s the mentor just gave: never less than the self-view minus 1.
    assert (gaps["gap"] >= gaps["Self-view"] - 1).all()


def test_the_private_fellow_is_not_shared_and_opening_them_shows_no_self_ratings(demo_db, app_store):
    fellow_id, _ = person(app_store, "fellow@demo.org")
    mentor_id, _ = person(app_store, "mentor@demo.org")
    candidates = [
        row[0]
        for row in app_store.query_all(
            """
            SELECT DISTINCT mentee_id FROM pairs
            WHERE mentor_id = ? AND ended_on IS NULL AND started_on <= ?
              AND mentee_id NOT IN (SELECT mentee_id FROM sharing_choices)
            ORDER BY mentee_id
            """,
            [mentor_id, TODAY],
        )
    ]
    private_id = fellow_id + 2 if fellow_id + 2 in candidates else candidates[0]
    private_name = app_store.query_one("SELECT full_name FROM people WHERE person_id = ?", [private_id])[0]
    assert self_rating_rows(app_store, private_id) > 0  # there is something to keep private

    mentor = signed_in("mentor@demo.org")
    mentor.switch_page("app_pages/mentees.py").run()
    row = glance_row(mentor, private_name)
    assert row["shares"] == "not shared"
    assert pd.isna(row["self_latest"])

    open_mentee(mentor, private_id)
    assert f"{private_name} {NOT_SHARED}." in texts(mentor)
    assert trend_tables(mentor) == []
    assert not shows_self_view(mentor)


def test_a_fellows_two_views_page_never_shows_another_fellows_name(demo_db, app_store):
    fellow_id, fellow_name = person(app_store, "fellow@demo.org")
    others = [
        row[0]
        for row in app_store.query_all(
            "SELECT p.full_name FROM people p JOIN person_roles r USING (person_id) WHERE r.role = 'fellow' AND p.person_id <> ?",
            [fellow_id],
        )
    ]
    mentors = [
        row[0]
        for row in app_store.query_all(
            "SELECT DISTINCT p.full_name FROM pairs pr JOIN people p ON p.person_id = pr.mentor_id WHERE pr.mentee_id = ?",
            [fellow_id],
        )
    ]
    assert len(others) >= 20 and len(mentors) >= 1

    at = signed_in("fellow@demo.org")
    at.switch_page("app_pages/feedback.py").run()
    assert not at.exception, at.exception
    pair_ids = [
        row[0]
        for row in app_store.query_all(
            "SELECT pair_id FROM pairs WHERE mentee_id = ? AND ended_on IS NULL AND started_on <= ?",
            [fellow_id, TODAY],
        )
    ]
    assert len(at.selectbox(key="process-pair").options) == len(pair_ids)
    shown = []
    for pair_id in pair_ids:
        at.selectbox(key="process-pair").select(pair_id)
        at.run()
        assert not at.exception, at.exception
        shown.append(texts(at))
        shown += [" | ".join(map(str, table.columns)) + "\n" + table.to_csv(index=False) for table in tables(at)]
        shown += [str(chart.proto.spec) for chart in at.get("plotly_chart")]
        shown += [" | ".join(map(str, widget.options)) for widget in at.selectbox]
    everything = "\n".join(shown)
    # The page does show names: the fellow's mentors, on their ratings and pairs.
    assert all(f"Mentor: {name}" in everything for name in mentors)
    for name in others:
        assert not re.search(rf"\b{re.escape(name)}\b", everything), f"{name} appears on {fellow_name}'s Two views page"


def test_after_a_pair_ended_the_fellow_can_withdraw_but_not_share_anew(demo_db, app_store):
    fellow_id, _ = person(app_store, "fellow@demo.org")
    director = load_viewer(app_store, person(app_store, "director@demo.org")[0])
    pair_id, mentor_id, mentor_name = app_store.query_one(
        """
        SELECT pr.pair_id, pr.mentor_id, p.full_name FROM pairs pr JOIN people p ON p.person_id = pr.mentor_id
        WHERE pr.mentee_id = ? AND p.email <> 'mentor@demo.org' ORDER BY pr.pair_id LIMIT 1
        """,
        [fellow_id],
    )
    end_pair(app_store, director, pair_id, date(2026, 9, 30), "completed", None, TODAY)

    fellow = signed_in("fellow@demo.org")
    fellow.switch_page("app_pages/sharing.py").run()
    assert not fellow.exception, fellow.exception
    assert f"**{mentor_name}** (" in texts(fellow) and "pair ended: you can withdraw, not share anew" in texts(fellow)
    key = f"share-{mentor_id}-self_assessments"
    assert fellow.toggle(key=key).value is True and not fellow.toggle(key=key).disabled
    fellow.toggle(key=key).set_value(False)
    click(fellow, "Save my choices")
    assert [success.value for success in fellow.success] == ["Saved: 1 change."]
    fellow.run()
    assert fellow.toggle(key=key).value is False
    assert fellow.toggle(key=key).disabled  # an ended pair cannot be shared anew


def test_a_mentors_two_views_page_shows_no_rating_of_the_open_period_and_says_when_it_appears(demo_db, app_store):
    mentor_id, _ = person(app_store, "mentor@demo.org")
    raters = app_store.query_one(
        """
        SELECT count(DISTINCT respondent_id) FROM assessments
        WHERE instrument_id = 'mentor-by-mentee' AND subject_id = ? AND period_start = DATE '2026-10-01'
        """,
        [mentor_id],
    )[0]
    assert raters >= 1  # the demo mentor has ratings in the open period (2026 Q4), so hiding them is tested

    at = signed_in("mentor@demo.org")
    at.switch_page("app_pages/feedback.py").run()
    assert not at.exception, at.exception
    shown = texts(at)
    assert f"So far {raters} of your mentees have rated you in 2026 Q4" in shown
    assert "the current period's average appears once the period closes" in shown
    views = [table for table in tables(at) if {"period", "view", "rating"} <= set(table.columns)]
    assert views
    others = pd.concat(views)
    others = others[others["view"] != "Self-view"]
    assert not others.empty  # closed periods do show the mentees' view
    assert "2026 Q4" not in set(others["period"])
