"""Cached reads stay correct: a write shows on the writer's next run and on every other session's
next rerun, and a cached result is never served to another person."""

import pandas as pd

from analytics.store import Store
from charts import Figure
from tests.pages.conftest import signed_in, texts
from tests.pages.test_assessment_pages import choose, rate_all, submit
from ui.charts import cached_figure

CURRENT_PERIOD = "2026 Q4"
SELF_ASSESSMENT = "Good-mentee qualities: my self-assessment"


def _due_line(at) -> str:
    return next(line for line in texts(at).splitlines() if SELF_ASSESSMENT in line)


def _mentee_history_periods(mentor, fellow_id: int) -> set[str]:
    mentor.selectbox(key="open-mentee").select(fellow_id).run()
    trend = next(frame.value for frame in mentor.dataframe if list(frame.value.columns) == ["period", "quality", "rating"])
    return set(trend["period"])


def test_a_submission_shows_at_once_for_the_writer_and_on_the_next_rerun_elsewhere(demo_db):
    with Store(demo_db) as store:
        fellow_id = store.query_one("SELECT person_id FROM people WHERE email = 'fellow@demo.org'")[0]
    writer = signed_in("fellow@demo.org")
    other_tab = signed_in("fellow@demo.org")
    mentor = signed_in("mentor@demo.org")
    mentor.switch_page("app_pages/mentees.py").run()
    assert CURRENT_PERIOD not in _mentee_history_periods(mentor, fellow_id)
    assert ":orange[Due]" in _due_line(other_tab.run())  # the read is cached now, and says "due"
    assert ":orange[Due]" in _due_line(other_tab.run())

    writer.switch_page("app_pages/assessments.py").run()
    choose(writer, SELF_ASSESSMENT)
    rate_all(writer, 4, "mentee-self:")
    submit(writer)
    assert writer.success[0].value.startswith("Saved\\:")

    writer.switch_page("app_pages/home.py").run()
    assert ":green[Done" in _due_line(writer)
    assert ":green[Done" in _due_line(other_tab.run())
    assert CURRENT_PERIOD in _mentee_history_periods(mentor.run(), fellow_id)


def test_cached_reads_are_never_served_to_another_person(demo_db):
    """Two mentors render the same page one after the other: each sees only their own mentees."""
    with Store(demo_db) as store:
        mentors = store.query_all(
            """
            SELECT p.email, list(DISTINCT m.full_name ORDER BY m.full_name)
            FROM pairs pr JOIN people p ON p.person_id = pr.mentor_id JOIN people m ON m.person_id = pr.mentee_id
            WHERE pr.ended_on IS NULL AND m.active
            GROUP BY p.email ORDER BY p.email = 'mentor@demo.org' DESC, p.email LIMIT 2
            """
        )
    sessions = {email: signed_in(email) for email, _ in mentors}  # sign-ins write; no write happens below
    seen = {}
    for email, mentees in mentors:
        mentor = sessions[email].switch_page("app_pages/mentees.py").run()
        assert not mentor.exception
        seen[email] = (set(mentor.selectbox(key="open-mentee").options), set(mentees))
    for email, (shown, expected) in seen.items():
        assert shown == expected, email
    (shown_first, _), (shown_second, _) = seen.values()
    assert shown_first != shown_second


def test_a_cached_figure_is_reused_for_the_same_data_and_rebuilt_for_other_data():
    built = []

    def bars(frame: pd.DataFrame, title: str) -> Figure:
        built.append(title)
        return Figure({"type": "bar", "x": frame["quality"], "y": frame["rating"]}, layout=dict(title=title))

    frame = pd.DataFrame({"quality": ["Asks questions", "Listens"], "rating": [3, 4]})
    first = cached_figure(bars, frame, "Mine")
    assert cached_figure(bars, frame.copy(), "Mine") is first  # same content: no second build
    changed = cached_figure(bars, frame.assign(rating=[3, 5]), "Mine")
    assert list(changed.data[0].y) == [3, 5] and list(first.data[0].y) == [3, 4]
    assert cached_figure(bars, frame, "Theirs").layout.title.text == "Theirs"
    assert built == ["Mine", "Mine", "Theirs"]
