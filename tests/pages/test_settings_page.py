"""The director's settings page: current values, each change confirmed and recorded with who and when,
each refusal in one sentence with nothing stored, and nobody else let in."""

import pytest

from tests.pages.conftest import open_page, texts

PAGE = "settings.py"
DIRECTOR = "director@demo.org"


def _changes(store) -> int:
    return store.query_one("SELECT count(*) FROM program_setting_changes")[0]


def _form_button(at, label: str):
    return next(button for button in at.button if button.label == label)


def test_the_director_sees_the_current_values_and_an_empty_history(demo_db, app_store):
    at = open_page(app_store, PAGE, DIRECTOR)
    assert "Program settings" in texts(at)
    now = at.dataframe[0].value
    assert list(now["setting"][:3]) == ["Period length", "Minimum group size", "Goal categories offered"]
    assert list(now["value"][:2]) == ["3 months", "5 people"]
    assert "Asked: Mentoring competencies: my mentor" in list(now["setting"])  # the demo's own instrument allows a choice
    assert "No setting has been changed yet." in texts(at)


def test_lowering_the_minimum_is_confirmed_and_recorded_with_who_and_when(demo_db, app_store):
    at = open_page(app_store, PAGE, DIRECTOR)
    at.number_input[0].set_value(3)
    _form_button(at, "Change the minimum").click()
    at.run()
    assert not at.exception
    assert "The minimum group size is now 3, from the current period on." in texts(at)
    row = app_store.query_one(
        """SELECT c.setting, c.old_value, c.new_value, p.email, c.changed_at IS NOT NULL
           FROM program_setting_changes c JOIN people p ON p.person_id = c.changed_by"""
    )
    assert row == ("min_group_size", "5", "3", DIRECTOR, True)
    history = at.dataframe[-1].value
    assert list(history["setting"]) == ["Minimum group size"] and list(history["after"]) == ["3"]
    assert history["who"].iloc[0]


def test_a_period_length_change_is_refused_with_why_and_stores_nothing(demo_db, app_store):
    at = open_page(app_store, PAGE, DIRECTOR)
    assert "The length cannot change any more" in texts(at)
    at.selectbox[0].set_value(6)
    _form_button(at, "Change the period length").click()
    at.run()
    assert not at.exception
    assert len(at.error) == 1 and "cannot change once anything is recorded" in at.error[0].value
    assert app_store.query_one("SELECT period_months FROM programs WHERE program_id = 1")[0] == 3
    assert _changes(app_store) == 0


def test_goal_categories_are_added_renamed_and_retired_on_the_page(demo_db, app_store):
    at = open_page(app_store, PAGE, DIRECTOR)
    at.text_input[0].input("Quality improvement")
    _form_button(at, "Add").click()
    at.run()
    assert "Goals can now have the category 'Quality improvement'." in texts(at)
    at.selectbox[1].set_value("research")
    at.text_input[1].input("Research and scholarship")
    _form_button(at, "Rename").click()
    at.run()
    assert "'research' is now called 'Research and scholarship', on its goals too." in texts(at)
    at.selectbox[2].set_value("personal")
    _form_button(at, "Retire").click()
    at.run()
    assert not at.exception
    categories = at.dataframe[1].value
    state = dict(zip(categories["category"], categories["state"], strict=True))
    assert state == {
        "career": "offered",
        "clinical": "offered",
        "Quality improvement": "offered",
        "Research and scholarship": "offered",
        "personal": "retired",
    }
    assert app_store.query_one("SELECT count(*) FROM goals WHERE category = 'research'")[0] == 0
    assert app_store.query_one("SELECT count(*) FROM goals WHERE category = 'personal'")[0] > 0  # kept on its goals
    assert _changes(app_store) == 3


def test_a_taken_category_name_is_refused_in_one_sentence(demo_db, app_store):
    at = open_page(app_store, PAGE, DIRECTOR)
    at.text_input[0].input("Career")
    _form_button(at, "Add").click()
    at.run()
    assert len(at.error) == 1 and "'career' is already a goal category." in texts(at)
    assert _changes(app_store) == 0


def test_the_cadence_of_the_programs_own_instrument_can_be_chosen(demo_db, app_store):
    at = open_page(app_store, PAGE, DIRECTOR)
    at.selectbox[3].set_value("yearly")
    _form_button(at, "Change how often it is asked").click()
    at.run()
    assert not at.exception
    assert "'Mentoring competencies: my mentor' is now asked once a calendar year." in texts(at)
    assert app_store.query_one("SELECT cadence FROM program_instrument_cadences")[0] == "yearly"


@pytest.mark.parametrize("email", ["fellow@demo.org", "mentor@demo.org"])
def test_a_fellow_or_mentor_is_refused(demo_db, app_store, email):
    at = open_page(app_store, PAGE, email)
    assert "This page is not available" in texts(at)
    assert not at.dataframe and not at.button


def test_a_pair_health_threshold_is_shown_with_why_changed_and_recorded(demo_db, app_store):
    at = open_page(app_store, PAGE, DIRECTOR)
    table = next(frame.value for frame in at.dataframe if "threshold" in frame.value.columns)
    row = table[table["threshold"] == "Action item overdue (days)"].iloc[0]
    assert (row["now"], row["default"]) == ("60", "60") and "two months later" in row["why"]
    form = [box for box in at.selectbox if box.label == "Threshold"][0]
    form.set_value("action_days")
    [box for box in at.number_input if box.label == "New value"][0].set_value(90)
    _form_button(at, "Change the threshold").click()
    at.run()
    assert not at.exception
    assert "'Action item overdue (days)' is now 90." in texts(at)
    assert app_store.query_one("SELECT setting, subject, old_value, new_value FROM program_setting_changes") == (
        "health_threshold",
        "action_days",
        "60",
        "90",
    )
    [box for box in at.selectbox if box.label == "Threshold"][0].set_value("action_days")
    [box for box in at.number_input if box.label == "New value"][0].set_value(1)
    _form_button(at, "Change the threshold").click()
    at.run()
    assert "'Action item overdue (days)' is a whole number from 7 to 365." in texts(at)
    assert _changes(app_store) == 1
