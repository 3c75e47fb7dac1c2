"""Home, Assessments and My progress as a fellow and a mentor: due items, one submit, the chart's data."""

import pytest

from tests.pages.conftest import as_read, open_assessment, signed_in, submit_opened, texts

CURRENT_PERIOD = "2026 Q4"


def choose(at, title_start: str):
    """Open the assessment whose label starts with `title_start`; submit(at) then submits it."""
    at.chosen_assessment = title_start  # for submit()
    return open_assessment(at, title_start)


def rate_all(at, value: int, prefix: str):
    for radio in at.radio:
        if radio.key.startswith(prefix):
            radio.set_value(value)


def submit(at):
    """Submit the assessment opened last by choose()."""
    return submit_opened(at, at.chosen_assessment)


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
    at.switch_page("app_pages/assessments.py").run()
    choose(at, "Good-mentee qualities: my self-assessment")
    rate_all(at, 5, "mentee-self:")
    at.text_area[0].input("Feeling <b>good</b> 🙂")
    submit(at)
    assert not at.exception
    assert as_read(at.success[0].value).startswith("Saved: Good-mentee qualities: my self-assessment for 2026 Q4")
    [saved] = [box for box in at.expander if box.label.startswith("Good\\-mentee qualities\\: my self")]
    assert not saved.proto.expanded and "· done 26 Nov" in saved.label  # closed: a second click has nothing to press
    assert count(app_store, "SELECT count(*) FROM assessments WHERE respondent_id = ?", [person]) == before + 1
    comment = count(app_store, "SELECT comment FROM assessments WHERE respondent_id = ? ORDER BY assessment_id DESC", [person])
    assert comment == "Feeling <b>good</b> 🙂"

    at.switch_page("app_pages/progress.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    current = table[table["period"] == CURRENT_PERIOD]
    assert len(current) == 9 and set(current["rating"]) == {5}
    assert len(at.get("plotly_chart")) >= 3


def test_an_incomplete_submission_is_refused_and_stores_nothing(demo_db, app_store):
    before = count(app_store, "SELECT count(*) FROM responses")
    at = signed_in("fellow@demo.org")
    at.switch_page("app_pages/assessments.py").run()
    choose(at, "Good-mentee qualities: my self-assessment")
    rate_all(at, 3, "mentee-self:")
    at.radio[-1].set_value(None)  # the last item left empty
    submit(at)
    assert "Rate every item before submitting" in at.error[0].value
    assert count(app_store, "SELECT count(*) FROM responses") == before


def test_a_correction_is_a_new_version_and_the_latest_counts(demo_db, app_store):
    at = signed_in("fellow@demo.org")
    at.switch_page("app_pages/assessments.py").run()
    choose(at, "Good-mentee qualities: my self-assessment")
    rate_all(at, 2, "mentee-self:")
    submit(at)
    choose(at, "Good-mentee qualities: my self-assessment")  # open it again
    assert "You answered this on 26 Nov 2026" in texts(at)
    rate_all(at, 4, "mentee-self:")
    submit(at)
    person = count(app_store, "SELECT person_id FROM people WHERE email = 'fellow@demo.org'")
    stored = app_store.query_all(
        "SELECT assessment_id FROM assessments WHERE respondent_id = ? AND period_start = DATE '2026-10-01' "
        "AND instrument_id = 'mentee-self'",
        [person],
    )
    assert len(stored) == 2  # both kept
    at.switch_page("app_pages/progress.py").run()
    table = at.dataframe[0].value
    assert set(table[table["period"] == CURRENT_PERIOD]["rating"]) == {4}


def test_mentor_fills_in_the_good_mentor_self_assessment(demo_db):
    at = signed_in("mentor@demo.org")
    assert "Good-mentor qualities: my self-assessment" in texts(at)
    at.switch_page("app_pages/assessments.py").run()
    choose(at, "Good-mentor qualities: my self-assessment")
    rate_all(at, 4, "mentor-self:")
    submit(at)
    assert as_read(at.success[0].value).startswith("Saved: Good-mentor qualities: my self-assessment")
    at.switch_page("app_pages/progress.py").run()
    table = at.dataframe[0].value
    assert set(table[table["period"] == CURRENT_PERIOD]["rating"]) == {4}


@pytest.mark.parametrize("email", ["director@demo.org"])
def test_a_director_has_no_assessment_pages(demo_db, email):
    at = signed_in(email)
    with pytest.raises(Exception):  # noqa: B017 - st.navigation has no such page for this person
        at.switch_page("app_pages/assessments.py").run()
