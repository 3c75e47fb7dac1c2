"""Home, Assessments and My progress as a fellow and a mentor: due items, one submit, the chart's data."""

import pytest

from tests.pages.conftest import signed_in, texts

CURRENT_PERIOD = "2026 Q4"


def choose(at, title_start: str):
    box = at.selectbox(key="assessment_choice")
    index = next(i for i, label in enumerate(box.options) if label.startswith(title_start))
    box.select_index(index)
    return at.run()


def rate_all(at, value: int, prefix: str):
    for radio in at.radio:
        if radio.key.startswith(prefix):
            radio.set_value(value)


def submit(at):
    next(button for button in at.button if button.label == "Submit").click()
    return at.run()


def count(store, sql, params=()):
    return store.query_one(sql, params)[0]


def test_home_shows_what_is_due_and_the_latest_snapshot(demo_db):
    at = signed_in("fellow@demo.org")
    shown = texts(at)
    assert "Due this period" in shown
    assert "Due** **Good-mentee qualities: my self-assessment" in shown.replace(":orange[Due]", "Due**")
    assert "My latest snapshot" in shown
    assert at.metric[0].label == "Average now"


def test_fellow_submits_a_self_assessment_and_sees_it_in_the_chart_data(demo_db, app_store):
    person = count(app_store, "SELECT person_id FROM people WHERE email = 'fellow@demo.org'")
    before = count(app_store, "SELECT count(*) FROM assessments WHERE respondent_id = ?", [person])
    at = signed_in("fellow@demo.org")
    at.switch_page("pages/assessments.py").run()
    choose(at, "Good-mentee qualities: my self-assessment")
    rate_all(at, 5, "mentee-self:")
    at.text_area[0].input("Feeling <b>good</b> 🙂")
    submit(at)
    assert not at.exception
    assert at.success[0].value.startswith("Saved: Good-mentee qualities: my self-assessment for 2026 Q4")
    assert "Submit" not in [button.label for button in at.button]  # a second click has nothing to press
    assert count(app_store, "SELECT count(*) FROM assessments WHERE respondent_id = ?", [person]) == before + 1
    comment = count(app_store, "SELECT comment FROM assessments WHERE respondent_id = ? ORDER BY assessment_id DESC", [person])
    assert comment == "Feeling <b>good</b> 🙂"

    at.switch_page("pages/progress.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    current = table[table["period"] == CURRENT_PERIOD]
    assert len(current) == 9 and set(current["rating"]) == {5}
    assert len(at.get("plotly_chart")) >= 3


def test_an_incomplete_submission_is_refused_and_stores_nothing(demo_db, app_store):
    before = count(app_store, "SELECT count(*) FROM responses")
    at = signed_in("fellow@demo.org")
    at.switch_page("pages/assessments.py").run()
    choose(at, "Good-mentee qualities: my self-assessment")
    rate_all(at, 3, "mentee-self:")
    at.radio[-1].set_value(None)  # the last item left empty
    submit(at)
    assert "Rate every item before submitting" in at.error[0].value
    assert count(app_store, "SELECT count(*) FROM responses") == before


def test_a_correction_is_a_new_version_and_the_latest_counts(demo_db, app_store):
    at = signed_in("fellow@demo.org")
    at.switch_page("pages/assessments.py").run()
    choose(at, "Good-mentee qualities: my self-assessment")
    rate_all(at, 2, "mentee-self:")
    submit(at)
    next(button for button in at.button if button.label.startswith("Answer this one again")).click()
    at.run()
    choose(at, "Good-mentee qualities: my self-assessment")
    rate_all(at, 4, "mentee-self:")
    submit(at)
    person = count(app_store, "SELECT person_id FROM people WHERE email = 'fellow@demo.org'")
    stored = app_store.query_all(
        "SELECT assessment_id FROM assessments WHERE respondent_id = ? AND period_start = DATE '2026-10-01' "
        "AND instrument_id = 'mentee-self'",
        [person],
    )
    assert len(stored) == 2  # both kept
    at.switch_page("pages/progress.py").run()
    table = at.dataframe[0].value
    assert set(table[table["period"] == CURRENT_PERIOD]["rating"]) == {4}


def test_mentor_fills_in_the_good_mentor_self_assessment(demo_db):
    at = signed_in("mentor@demo.org")
    assert "Good-mentor qualities: my self-assessment" in texts(at)
    at.switch_page("pages/assessments.py").run()
    choose(at, "Good-mentor qualities: my self-assessment")
    rate_all(at, 4, "mentor-self:")
    submit(at)
    assert at.success[0].value.startswith("Saved: Good-mentor qualities: my self-assessment")
    at.switch_page("pages/progress.py").run()
    table = at.dataframe[0].value
    assert set(table[table["period"] == CURRENT_PERIOD]["rating"]) == {4}


@pytest.mark.parametrize("email", ["director@demo.org"])
def test_a_director_has_no_assessment_pages(demo_db, email):
    at = signed_in(email)
    with pytest.raises(Exception):  # noqa: B017 - st.navigation has no such page for this person
        at.switch_page("pages/assessments.py").run()
