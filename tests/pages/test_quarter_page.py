"""A mentor's quarter on one page (Assessments): every rating due this period with its state, each opened in
place, the next one still to do opened after a submit, and the same form stored once."""

from analytics.assessments import due_assessments
from analytics.instruments import load_catalogue
from analytics.people import load_viewer
from demo import DEMO_INSTRUMENTS_DIR
from tests.conftest import TODAY
from tests.pages.conftest import as_read, open_assessment, open_page, submit_opened, texts

MENTOR, FELLOW = "mentor@demo.org", "fellow@demo.org"
MENTOR_SELF = "Good-mentor qualities: my self-assessment"


def person(store, email: str) -> int:
    return store.query_one("SELECT person_id FROM people WHERE email = ?", [email])[0]


def expected_labels(store, email: str) -> list[str]:
    """Each assessment due this period for `email`, as the page should list it: what it is, then its state."""
    viewer = load_viewer(store, person(store, email))
    catalogue = load_catalogue(program_dir=[DEMO_INSTRUMENTS_DIR])  # as the app loads it in demo mode
    labels = []
    for item in due_assessments(store, catalogue, viewer, TODAY):
        about = "" if item.about == "self" else f" {'with' if item.about == 'pair' else 'about'} {item.subject_name}"
        state = "not started" if item.submitted_at is None else f"done {item.submitted_at:%d %b}"
        labels.append(f"{item.title}{about} · {state}")
    return labels


def listed(at) -> dict[str, bool]:
    """Every assessment on the page, as read, and whether it is open."""
    return {as_read(box.label): box.proto.expanded for box in at.expander}


def open_ones(at) -> list[str]:
    return [label for label, is_open in listed(at).items() if is_open]


def rate(at, instrument_id: str, value: int) -> None:
    for radio in at.radio:
        if radio.key.startswith(f"{instrument_id}:"):
            radio.set_value(value)


def stored(store, email: str, instrument_id: str) -> int:
    return store.query_one(
        "SELECT count(*) FROM assessments WHERE respondent_id = ? AND instrument_id = ? AND period_start = DATE '2026-10-01'",
        [person(store, email), instrument_id],
    )[0]


def test_a_mentor_sees_every_rating_due_this_period_with_its_state(demo_db, app_store):
    at = open_page(app_store, "assessments.py", MENTOR)
    expected = expected_labels(app_store, MENTOR)
    assert len(expected) == 13  # the issue's count: themselves, 6 mentees, 6 pairs' process steps
    assert sorted(listed(at)) == sorted(expected)
    assert list(listed(at))[0].startswith(MENTOR_SELF)  # oneself first, then person by person
    done = [label for label in expected if "· done" in label]
    assert len(done) == 3
    assert "**3 of 13 done** for 2026 Q4." in texts(at)
    # The first one still to do is open, and only its form is drawn.
    assert open_ones(at) == [f"{MENTOR_SELF} · not started"]
    assert {radio.key.split(":")[0] for radio in at.radio} == {"mentor-self"}
    assert [button.label for button in at.button if button.label == "Submit"] == ["Submit"]


def test_submitting_one_marks_it_done_confirms_it_and_opens_the_next(demo_db, app_store):
    at = open_page(app_store, "assessments.py", MENTOR)
    rate(at, "mentor-self", 4)
    submit_opened(at, MENTOR_SELF)
    assert not at.exception and not at.error, [error.value for error in at.error]
    assert stored(app_store, MENTOR, "mentor-self") == 1
    # Still on the page: the confirmation first, then the list with the saved one done and closed.
    assert at.title[0].value == "Assessments"
    [confirmation] = [as_read(element.value) for element in at.success]
    assert confirmation == (
        f"Saved: {MENTOR_SELF} for 2026 Q4. 4 of 13 done. Next: How our mentoring is going with Nadia Evans, open below."
    )
    assert listed(at)[f"{MENTOR_SELF} · done 26 Nov"] is False
    assert open_ones(at) == ["How our mentoring is going with Nadia Evans · not started"]
    assert "**4 of 13 done** for 2026 Q4." in texts(at)

    # The next one: stored, and the one after it (skipping those already done) opens.
    rate(at, "process-steps", 3)
    submit_opened(at, "How our mentoring is going with Nadia Evans")
    assert not at.error, [error.value for error in at.error]
    assert open_ones(at) == ["Good-mentee qualities: my mentee about Esther Lindqvist · not started"]
    assert "**5 of 13 done** for 2026 Q4." in texts(at)
    mentor = person(app_store, MENTOR)
    assert at.session_state[f"due-open-mentor-self:{mentor}:0"] is False  # closed, not merely out of sight


def test_the_same_filled_in_form_arriving_twice_stores_one_and_a_change_is_a_correction(demo_db, app_store):
    at = open_page(app_store, "assessments.py", MENTOR)
    rate(at, "mentor-self", 4)
    submit_opened(at, MENTOR_SELF)
    assert stored(app_store, MENTOR, "mentor-self") == 1
    # The same ratings and comment again (a double click's second run): the same submission key.
    open_assessment(at, MENTOR_SELF)
    assert "You answered this on 26 Nov 2026" in texts(at)
    rate(at, "mentor-self", 4)
    submit_opened(at, MENTOR_SELF)
    assert not at.error, [error.value for error in at.error]
    assert stored(app_store, MENTOR, "mentor-self") == 1
    # Other ratings are a correction: a new version, the first kept.
    open_assessment(at, MENTOR_SELF)
    rate(at, "mentor-self", 2)
    submit_opened(at, MENTOR_SELF)
    assert stored(app_store, MENTOR, "mentor-self") == 2


def test_an_incomplete_form_stores_nothing_and_stays_open_with_what_was_chosen(demo_db, app_store):
    at = open_page(app_store, "assessments.py", MENTOR)
    rate(at, "mentor-self", 5)
    at.radio[-1].set_value(None)
    submit_opened(at, MENTOR_SELF)
    assert "Rate every item before submitting" in as_read(at.error[0].value)
    assert stored(app_store, MENTOR, "mentor-self") == 0
    assert open_ones(at) == [f"{MENTOR_SELF} · not started"]
    assert [radio.value for radio in at.radio][:-1] == [5] * (len(at.radio) - 1)
    assert not at.success


def test_opening_another_keeps_the_open_one_open(demo_db, app_store):
    """(What is chosen in a form lives in the browser until Submit: tests/browser/test_quarter_journey.py.)"""
    at = open_page(app_store, "assessments.py", MENTOR)
    open_assessment(at, "Good-mentee qualities: my mentee about Daniel Petrov")
    assert open_ones(at) == [f"{MENTOR_SELF} · not started", "Good-mentee qualities: my mentee about Daniel Petrov · not started"]
    assert {radio.key.split(":")[0] for radio in at.radio} == {"mentor-self", "mentee-by-mentor"}
    rate(at, "mentee-by-mentor", 4)
    submit_opened(at, "Good-mentee qualities: my mentee about Daniel Petrov")
    assert stored(app_store, MENTOR, "mentee-by-mentor") == 3  # two of the demo's, and this one
    # The one still open stays open, and the next one to do after Daniel Petrov's rating opens.
    assert open_ones(at) == [f"{MENTOR_SELF} · not started", "How our mentoring is going with Daniel Petrov · not started"]


def test_a_fellow_gets_the_same_page_for_their_own_due_list(demo_db, app_store):
    at = open_page(app_store, "assessments.py", FELLOW)
    expected = expected_labels(app_store, FELLOW)
    assert sorted(listed(at)) == sorted(expected)
    assert "Mentoring competencies: my mentor about Zoe Xu · not started" in listed(at)  # the program's own instrument
    assert not any("my mentee" in label or "Good-mentor qualities: my self" in label for label in listed(at))
    assert f"**0 of {len(expected)} done**" in texts(at)
    assert open_ones(at) == ["Good-mentee qualities: my self-assessment · not started"]
    rate(at, "mentee-self", 4)
    submit_opened(at, "Good-mentee qualities: my self-assessment")
    assert open_ones(at) == ["Good-mentor qualities: my mentor about Zoe Xu · not started"]
    assert "Sign this rating" in [box.label for box in at.checkbox]  # a rating of a mentor can be signed


def test_everything_done_says_so_and_opens_nothing(demo_db, app_store):
    at = open_page(app_store, "assessments.py", FELLOW)
    while open_ones(at):
        label = open_ones(at)[0]
        for radio in at.radio:
            radio.set_value(2)  # on every scale the app has
        submit_opened(at, label)
        assert not at.error, [error.value for error in at.error]
    total = len(listed(at))
    assert all("· done 26 Nov" in label for label in listed(at))
    assert f"**{total} of {total} done**" in texts(at)
    assert "All done for this period. Thank you." in texts(at)
    assert as_read(at.success[0].value).endswith("That is all for this period.")
