"""Program settings (analytics/program_settings.py): each setting changes with its checks and is recorded
with who and when; each refusal says why in one sentence and stores nothing."""

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from analytics import assessments, dashboard_aggregates, disclosure, goals, program_settings
from analytics.auth import create_first_director
from analytics.errors import AccessDenied, InputError
from analytics.instruments import InstrumentError, load_catalogue, parse_instrument
from analytics.people import Viewer, load_viewer
from analytics.registry import register_catalogue
from tests.conftest import NOW, TODAY

DEMO_INSTRUMENTS = Path(__file__).resolve().parents[2] / "demo" / "instruments"


def _viewer_with(store, role: str) -> Viewer:
    person_id = store.query_one(
        "SELECT person_id FROM people JOIN person_roles USING (person_id) WHERE role = ? AND program_id = 1 ORDER BY 1",
        [role],
    )[0]
    return load_viewer(store, person_id)


@pytest.fixture
def director(demo_store) -> Viewer:
    return _viewer_with(demo_store, "director")


@pytest.fixture
def new_program(store):
    """A program just set up: its first director, nothing recorded."""
    create_first_director(store, "Dana Reyes", "dana@new.org", "a long enough password", "New Fellowship", NOW)
    return store, _viewer_with(store, "director")


def _changes(store) -> list[tuple]:
    return store.query_all(
        "SELECT setting, subject, old_value, new_value, changed_by, changed_at FROM program_setting_changes ORDER BY change_id"
    )


def _refused(call, store, sentence: str) -> None:
    before = (
        _changes(store),
        store.query_all("SELECT * FROM programs ORDER BY 1"),
        store.query_all("SELECT * FROM goal_categories"),
    )
    with pytest.raises(InputError, match=sentence) as refusal:
        call()
    message = str(refusal.value)
    assert message.endswith(".") and message.count(". ") == 0 and "\n" not in message, "one sentence"
    after = (
        _changes(store),
        store.query_all("SELECT * FROM programs ORDER BY 1"),
        store.query_all("SELECT * FROM goal_categories"),
    )
    assert after == before, "a refusal stores nothing"


# ---------------------------------------------------------------- the minimum group size


def test_the_minimum_changes_and_the_change_is_recorded_with_who_and_when(demo_store, director):
    program_settings.change_min_group_size(demo_store, director, 4, NOW)
    assert disclosure.min_group_size(demo_store, director) == 4
    assert _changes(demo_store) == [("min_group_size", None, "5", "4", director.person_id, NOW)]
    history = program_settings.setting_history(demo_store, director)
    assert list(history.iloc[0][["who", "setting", "before", "after"]]) == [director.full_name, "Minimum group size", "5", "4"]


@pytest.mark.parametrize("value", [2, 0, -5, 51, 3.5, "4", None, True])
def test_a_minimum_below_three_or_not_a_whole_number_is_refused(demo_store, director, value):
    _refused(lambda: program_settings.change_min_group_size(demo_store, director, value, NOW), demo_store, "from 3 to 50")


def test_the_same_minimum_again_is_refused(demo_store, director):
    _refused(lambda: program_settings.change_min_group_size(demo_store, director, 5, NOW), demo_store, "already 5")


def test_a_closed_period_keeps_the_minimum_it_closed_with(demo_store, director):
    """Lowered in the open period: the closed periods' figures stay exactly as published; the open period,
    once it closes, is published under the new minimum."""
    before = dashboard_aggregates.rating_distribution(demo_store, director, "mentee-self", today=TODAY)
    program_settings.change_min_group_size(demo_store, director, 3, NOW)
    after = dashboard_aggregates.rating_distribution(demo_store, director, "mentee-self", today=TODAY)
    assert before.equals(after)
    minimums = disclosure.period_minimums(demo_store, director)
    assert minimums.of(date(2026, 7, 1)) == 5 and minimums.of(date(2026, 10, 1)) == 3
    # The next quarter: 2026 Q4 closed under 3; the small cohort of 4 is shown there, never before.
    later = date(2027, 1, 15)
    small = demo_store.query_one("SELECT cohort_id FROM cohorts WHERE program_id = 1 ORDER BY start_year DESC LIMIT 1")[0]
    trend = dashboard_aggregates.cohort_trend(demo_store, director, "mentee-self", [small], today=later)
    shown = trend[~trend["suppressed"]]
    assert set(shown["period_start"]) == {date(2026, 10, 1)}
    assert before.equals(
        dashboard_aggregates.rating_distribution(demo_store, director, "mentee-self", last_period=date(2026, 7, 1), today=later)
    )


def test_a_minimum_raised_and_lowered_again_counts_as_it_stood_at_each_close():
    changes = (
        (datetime(2026, 2, 10), 5, 8),  # during Q1: Q1 closes under 8
        (datetime(2026, 4, 1, 0, 0), 8, 4),  # the moment Q1 closed: Q1 keeps 8
        (datetime(2026, 11, 1), 4, 6),
    )
    minimums = disclosure.Minimums(6, changes, 3)
    assert [minimums.of(date(2025, 10, 1)), minimums.of(date(2026, 1, 1)), minimums.of(date(2026, 4, 1))] == [5, 8, 4]
    assert [minimums.of(date(2026, 7, 1)), minimums.of(date(2026, 10, 1))] == [4, 6]
    assert minimums.lowest() == 4


# ---------------------------------------------------------------- the period length


def test_the_period_length_changes_while_nothing_is_recorded(new_program):
    store, director = new_program
    program_settings.change_period_months(store, director, 6, NOW)
    assert store.query_one("SELECT period_months FROM programs")[0] == 6
    assert _changes(store) == [("period_months", None, "3", "6", director.person_id, NOW)]


@pytest.mark.parametrize("value", [5, 7, 0, 24, "3", 3.0, None])
def test_a_period_length_that_does_not_divide_the_year_is_refused(new_program, value):
    store, director = new_program
    _refused(lambda: program_settings.change_period_months(store, director, value, NOW), store, "1, 2, 3, 4, 6 or 12 months")


def test_the_period_length_is_refused_once_anything_is_recorded(demo_store, director):
    assert program_settings.has_period_records(demo_store, 1)
    _refused(
        lambda: program_settings.change_period_months(demo_store, director, 6, NOW),
        demo_store,
        "cannot change once anything is recorded",
    )


@pytest.mark.parametrize("table", ["assessments", "goals", "outputs", "meetings"])
def test_one_record_of_any_kind_is_enough_to_keep_the_length(demo_store, director, table):
    """A program whose only records are of one kind: the length is refused all the same."""
    keep = {"assessments": "assessment_id", "goals": "goal_id", "outputs": "output_id", "meetings": "meeting_id"}
    demo_store.write(lambda cur: [cur.execute(f"DELETE FROM {t}") for t in keep if t != table])
    demo_store.write(
        lambda cur: cur.execute(f"DELETE FROM {table} WHERE {keep[table]} > (SELECT min({keep[table]}) FROM {table})")
    )
    assert program_settings.has_period_records(demo_store, 1)
    with pytest.raises(InputError):
        program_settings.change_period_months(demo_store, director, 6, NOW)
    demo_store.write(lambda cur: cur.execute(f"DELETE FROM {table}"))
    assert not program_settings.has_period_records(demo_store, 1)
    program_settings.change_period_months(demo_store, director, 6, NOW)


# ---------------------------------------------------------------- goal categories


def test_a_category_is_added_renamed_and_retired_and_the_goals_keep_theirs(demo_store, director):
    fellow = _viewer_with(demo_store, "fellow")
    assert goals.goal_categories(demo_store, 1) == goals.DEFAULT_CATEGORIES
    research_goals = demo_store.query_one("SELECT count(*) FROM goals WHERE category = 'research'")[0]
    program_settings.add_goal_category(demo_store, director, "  Teaching ", NOW)
    program_settings.rename_goal_category(demo_store, director, "research", "Research and scholarship", NOW)
    program_settings.retire_goal_category(demo_store, director, "personal", NOW)
    assert goals.goal_categories(demo_store, 1) == ("career", "clinical", "Research and scholarship", "Teaching")
    assert demo_store.query_one("SELECT count(*) FROM goals WHERE category = 'Research and scholarship'")[0] == research_goals
    assert demo_store.query_one("SELECT count(*) FROM goals WHERE category = 'personal'")[0] > 0, "retired, kept on its goals"
    with pytest.raises(InputError, match="not a goal category"):
        goals.create_goal(
            demo_store, fellow, "A personal goal", "personal", "percent", None, TODAY + timedelta(days=90), TODAY, NOW
        )
    goals.create_goal(demo_store, fellow, "Teach a session", "Teaching", "percent", None, TODAY + timedelta(days=90), TODAY, NOW)
    listed = program_settings.category_list(demo_store, 1)
    assert dict(zip(listed["category"], listed["retired"], strict=True))["personal"]
    assert [c[:4] for c in _changes(demo_store)] == [
        ("goal_category", "Teaching", None, "in use"),
        ("goal_category", "Research and scholarship", "research", "Research and scholarship"),
        ("goal_category", "personal", "in use", "retired"),
    ]
    program_settings.add_goal_category(demo_store, director, "PERSONAL", NOW)  # brought back under its own name
    assert "personal" in goals.goal_categories(demo_store, 1)


def test_renaming_a_category_keeps_every_goal_figure_the_same_but_its_name(demo_store, director):
    before = dashboard_aggregates.goal_progress(demo_store, director, TODAY)
    program_settings.rename_goal_category(demo_store, director, "research", "Research and scholarship", NOW)
    after = dashboard_aggregates.goal_progress(demo_store, director, TODAY)
    renamed = before.assign(category=before["category"].replace("research", "Research and scholarship"))
    key = ["period_start", "category", "cohort"]
    assert renamed.sort_values(key).reset_index(drop=True).equals(after.sort_values(key).reset_index(drop=True))


@pytest.mark.parametrize(
    ("call", "sentence"),
    [
        (lambda s, d: program_settings.add_goal_category(s, d, "Career", NOW), "already a goal category"),
        (lambda s, d: program_settings.add_goal_category(s, d, " ", NOW), "Give the category a name"),
        (lambda s, d: program_settings.add_goal_category(s, d, "x" * 41, NOW), "keep it to 40"),
        (lambda s, d: program_settings.add_goal_category(s, d, "Res\u200bearch", NOW), "invisible characters"),
        (lambda s, d: program_settings.rename_goal_category(s, d, "research", "CAREER", NOW), "cannot become one"),
        (lambda s, d: program_settings.rename_goal_category(s, d, "nonexistent", "New", NOW), "Choose one of the program"),
        (lambda s, d: program_settings.rename_goal_category(s, d, "research", "research", NOW), "already called"),
        (lambda s, d: program_settings.retire_goal_category(s, d, "nonexistent", NOW), "Choose one of the program"),
    ],
)
def test_a_bad_category_change_is_refused(demo_store, director, call, sentence):
    _refused(lambda: call(demo_store, director), demo_store, sentence)


def test_at_most_thirty_categories_and_never_none(demo_store, director):
    for n in range(program_settings.MAX_CATEGORIES - len(goals.DEFAULT_CATEGORIES)):
        program_settings.add_goal_category(demo_store, director, f"Category {n}", NOW)
    _refused(lambda: program_settings.add_goal_category(demo_store, director, "One more", NOW), demo_store, "at most 30")
    for name in goals.goal_categories(demo_store, 1)[:-1]:
        program_settings.retire_goal_category(demo_store, director, name, NOW)
    last = goals.goal_categories(demo_store, 1)[0]
    _refused(lambda: program_settings.retire_goal_category(demo_store, director, last, NOW), demo_store, "at least one")
    _refused(lambda: program_settings.retire_goal_category(demo_store, director, "career", NOW), demo_store, "already retired")


# ---------------------------------------------------------------- instrument cadence


@pytest.fixture
def program_catalogue(demo_store):
    return register_catalogue(demo_store, load_catalogue(program_dir=DEMO_INSTRUMENTS), NOW)


def test_only_instruments_whose_file_allows_it_offer_a_cadence(demo_store, program_catalogue):
    offered = program_settings.cadence_choices(demo_store, program_catalogue, 1)
    assert list(offered["instrument_id"]) == ["mentoring-competencies"]
    assert list(offered["choices"].iloc[0]) == ["period", "yearly"] and offered["cadence"].iloc[0] == "period"


def test_a_chosen_cadence_is_what_the_due_list_and_participation_ask_by(demo_store, director, program_catalogue):
    fellow = _viewer_with(demo_store, "fellow")
    competencies = "mentoring-competencies"

    def due_now(day):
        return [
            d for d in assessments.due_assessments(demo_store, program_catalogue, fellow, day) if d.instrument_id == competencies
        ]

    answered_in_q3 = demo_store.query_one(
        "SELECT count(*) FROM assessments WHERE respondent_id = ? AND instrument_id = ? AND period_start = '2026-07-01'",
        [fellow.person_id, competencies],
    )[0]
    assert answered_in_q3 and due_now(TODAY) and not any(d.done for d in due_now(TODAY))
    program_settings.change_instrument_cadence(demo_store, program_catalogue, director, competencies, "yearly", NOW)
    assert all(d.done for d in due_now(TODAY)), "answered this year: done for the rest of it"
    assert not any(d.done for d in due_now(date(2027, 1, 10)))
    participation = dashboard_aggregates.participation_by_instrument(demo_store, director, TODAY, catalogue=program_catalogue)
    q4 = participation[(participation["instrument_id"] == competencies) & (participation["period_start"] == date(2026, 10, 1))]
    assert int(q4["submitted"].iloc[0]) > 0
    assert _changes(demo_store)[-1][:4] == ("instrument_cadence", competencies, "period", "yearly")


@pytest.mark.parametrize(
    ("instrument_id", "cadence", "sentence"),
    [
        ("mentee-self", "yearly", "allows no other choice"),
        ("mentoring-competencies", "once", "can be asked every period, once a calendar year"),
        ("mentoring-competencies", "period", "already asked every period"),
        ("no-such-instrument", "yearly", "Choose one of the program's instruments"),
    ],
)
def test_a_cadence_the_file_does_not_allow_is_refused(demo_store, director, program_catalogue, instrument_id, cadence, sentence):
    _refused(
        lambda: program_settings.change_instrument_cadence(demo_store, program_catalogue, director, instrument_id, cadence, NOW),
        demo_store,
        sentence,
    )
    assert not demo_store.query_all("SELECT * FROM program_instrument_cadences")


@pytest.mark.parametrize(
    ("choices", "problem"),
    [(["period"], "two or more"), (["period", "weekly"], "two or more"), (["yearly", "once"], "own cadence")],
)
def test_a_bad_cadence_choices_field_names_the_file_and_field(choices, problem):
    data = {
        "id": "own", "version": 1, "title": "Own", "respondent": ["fellow"], "about": "self", "measures": "m",
        "source": "Our own", "cadence": "period", "cadence_choices": choices,
        "scale": {"points": [{"value": 1, "label": "Low"}, {"value": 2, "label": "High"}]},
        "items": [{"id": "one", "text": "One", "measures": "one"}],
    }  # fmt: skip
    with pytest.raises(InstrumentError, match=f"own.toml: field 'cadence_choices': .*{problem}"):
        parse_instrument(data, "own.toml", shipped=False)


# ---------------------------------------------------------------- who may


@pytest.mark.parametrize("role", ["fellow", "mentor"])
def test_only_a_director_changes_settings_or_reads_their_history(demo_store, program_catalogue, role):
    someone = _viewer_with(demo_store, role)
    for call in (
        lambda: program_settings.change_min_group_size(demo_store, someone, 4, NOW),
        lambda: program_settings.change_period_months(demo_store, someone, 6, NOW),
        lambda: program_settings.add_goal_category(demo_store, someone, "Teaching", NOW),
        lambda: program_settings.rename_goal_category(demo_store, someone, "research", "Science", NOW),
        lambda: program_settings.retire_goal_category(demo_store, someone, "personal", NOW),
        lambda: program_settings.change_instrument_cadence(
            demo_store, program_catalogue, someone, "mentoring-competencies", "yearly", NOW
        ),
        lambda: program_settings.setting_history(demo_store, someone),
    ):
        with pytest.raises(AccessDenied):
            call()
    assert not _changes(demo_store)
