"""Cached reads stay correct: a write shows on the writer's next run and on every other session's
next rerun, and a cached result is never served to another person."""

import functools

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
    # The same numbers under another index or column name, or of another type, are other data; the same
    # frame filtered and copied (its Arrow strings' buffers kept: another pickle) is the same.
    renamed = cached_figure(bars, frame.rename(index={0: 5}), "Mine")
    retyped = cached_figure(bars, frame.astype({"rating": "float64"}), "Mine")
    relabelled = cached_figure(bars, frame.rename(columns={"quality": "item"}).rename(columns={"item": "quality"}), "Mine")
    assert renamed is not first and retyped is not first and relabelled is first
    longer = pd.concat([frame, frame.assign(quality=["Plans", "Plans"])], ignore_index=True)
    assert cached_figure(bars, longer[longer["quality"] != "Plans"].reset_index(drop=True), "Mine") is first
    assert built == ["Mine", "Mine", "Theirs", "Mine", "Mine"]


def test_a_cached_figure_makes_its_dict_once_and_it_is_the_figure_built():
    """st.plotly_chart calls to_dict() on every rerun: a cached figure answers with the dict made the first time."""

    def bars(frame: pd.DataFrame) -> Figure:
        return Figure({"type": "bar", "x": frame["quality"], "y": frame["rating"]}, layout=dict(title="Mine", height=300))

    frame = pd.DataFrame({"quality": ["Asks questions", "Listens"], "rating": [3, 4]})
    figure = cached_figure(bars, frame)
    spec = figure.to_dict()
    assert figure.to_dict() is spec
    fresh = bars(frame)
    assert spec["data"][0]["type"] == "bar" and spec["layout"]["height"] == 300
    assert [trace["y"] for trace in spec["data"]] == [trace["y"] for trace in fresh.to_dict()["data"]]


# -- invalidation as narrow as the data (analytics/changes.py) ------------------------------------------


class Calls:
    """Counts the calls of analytics functions the pages read through (the cached wrappers call them)."""

    def __init__(self, monkeypatch, module, *names: str):
        self.counts = dict.fromkeys(names, 0)
        for name in names:
            original = getattr(module, name)

            # wraps: the same name (the cache key) and the same marks (analytics.changes.reads)
            @functools.wraps(original)
            def counted(*args, _name=name, _original=original, **kwargs):
                self.counts[_name] += 1
                return _original(*args, **kwargs)

            monkeypatch.setattr(module, name, counted)

    def reset(self) -> None:
        self.counts = dict.fromkeys(self.counts, 0)


def _viewer(store: Store, email: str):
    from analytics.people import load_viewer

    person = store.query_one("SELECT person_id FROM people WHERE email = $e", {"e": email})[0]
    return load_viewer(store, person)


def _submit_self_assessment(store: Store, viewer) -> None:
    from analytics.assessments import submit_assessment
    from analytics.instruments import load_catalogue
    from analytics.registry import register_catalogue
    from tests.conftest import NOW, TODAY
    from tests.unit.test_assessments import MENTEE_ITEMS

    catalogue = register_catalogue(store, load_catalogue(), NOW)
    ratings = dict.fromkeys(MENTEE_ITEMS, 3)
    submit_assessment(store, catalogue, viewer, "mentee-self", ratings, today=TODAY, now=NOW, submission_key=str(viewer))


def _unpaired_fellow(store: Store, fellow_id: int) -> str:
    """A fellow of the demo program who shares no mentor with `fellow_id`."""
    return store.query_one(
        """
        SELECT p.email FROM people p JOIN person_roles r ON r.person_id = p.person_id AND r.role = 'fellow'
        WHERE p.active AND p.person_id <> $f
          AND p.person_id NOT IN (
              SELECT mentee_id FROM pairs WHERE mentor_id IN (SELECT mentor_id FROM pairs WHERE mentee_id = $f)
          )
          AND p.person_id NOT IN (SELECT mentor_id FROM pairs WHERE mentee_id = $f)
        ORDER BY p.person_id LIMIT 1
        """,
        {"f": fellow_id},
    )[0]


def test_writes_in_another_program_keep_a_fellows_home_warm_and_their_own_write_does_not(demo_db, app_store, monkeypatch):
    """Writes through the app's write path in program 2, from another Store on the same file (as another
    server would), between reruns: the fellow's Home reads nothing again. Then the fellow's own
    assessment, stored the same way, shows on their next rerun."""
    from analytics import assessments, goals, program_settings, roster
    from tests.conftest import NOW, TODAY
    from tests.unit.test_changes import _second_program

    director, other_fellow = _second_program(app_store)
    calls = Calls(monkeypatch, assessments, "due_assessments")
    fellow = signed_in("fellow@demo.org")
    assert ":orange[Due]" in _due_line(fellow)
    calls.reset()
    for index in range(3):
        goals.create_goal(app_store, other_fellow, f"Read {index}", "research", "count", 3, TODAY.replace(year=2027), TODAY, NOW)
        roster.add_person(app_store, director, f"Mentor {index}", f"m{index}@other.org", ["mentor"], None, NOW)
        program_settings.change_min_group_size(app_store, director, 6 + index, NOW)
        fellow.run()
        assert not fellow.exception
    assert calls.counts == {"due_assessments": 0}
    _submit_self_assessment(app_store, _viewer(app_store, "fellow@demo.org"))
    assert ":green[Done" in _due_line(fellow.run())
    assert calls.counts == {"due_assessments": 1}
    assert assessments  # the module patched above


def test_another_fellows_assessment_keeps_a_fellows_home_warm_and_reaches_the_mentor(demo_db, app_store, monkeypatch):
    from analytics import assessments

    fellow_id = app_store.query_one("SELECT person_id FROM people WHERE email = 'fellow@demo.org'")[0]
    other_email = _unpaired_fellow(app_store, fellow_id)
    calls = Calls(monkeypatch, assessments, "due_assessments")
    fellow = signed_in("fellow@demo.org")
    mentor = signed_in("mentor@demo.org")
    mentor.switch_page("app_pages/mentees.py").run()
    assert CURRENT_PERIOD not in _mentee_history_periods(mentor, fellow_id)
    fellow.run()
    calls.reset()
    _submit_self_assessment(app_store, _viewer(app_store, other_email))
    fellow.run()
    assert calls.counts == {"due_assessments": 0}  # another fellow's write: warm
    _submit_self_assessment(app_store, _viewer(app_store, "fellow@demo.org"))
    assert CURRENT_PERIOD in _mentee_history_periods(mentor.run(), fellow_id)  # the mentor's mentee wrote: shown


def test_a_goal_written_in_the_program_recomputes_the_dashboards_goals_not_its_ratings(demo_db, app_store, monkeypatch):
    from analytics import dashboard_aggregates, goals
    from tests.conftest import NOW, TODAY

    calls = Calls(monkeypatch, dashboard_aggregates, "rating_distribution", "goal_completion", "outputs_over_time")
    director = signed_in("director@demo.org")
    director.switch_page("app_pages/dashboard.py").run()
    assert not director.exception
    assert calls.counts["rating_distribution"] >= 1
    calls.reset()
    director.run()
    assert calls.counts == {"rating_distribution": 0, "goal_completion": 0, "outputs_over_time": 0}
    goals.create_goal(
        app_store, _viewer(app_store, "fellow@demo.org"), "Read", "research", "count", 3, TODAY.replace(year=2027), TODAY, NOW
    )
    director.run()
    assert not director.exception
    assert calls.counts == {"rating_distribution": 0, "goal_completion": 1, "outputs_over_time": 0}


def _participation_table(director) -> pd.DataFrame:
    return next(frame.value for frame in director.dataframe if {"cohort", "active", "submitted"} <= set(frame.value.columns))


def test_a_new_assessment_recomputes_the_dashboards_participation_not_its_closed_period_figures(demo_db, app_store, monkeypatch):
    """A submission goes to the open period; the rating figures are of closed periods only (disclosure.py),
    so a new 2026 Q4 assessment leaves them warm and recomputes who has submitted: of that, only the open
    period's rows (one call of each participation table), the closed periods' rows staying cached."""
    from analytics import dashboard_aggregates

    names = ("participation", "participation_by_instrument", "rating_distribution", "cohort_trend", "self_vs_mentor")
    calls = Calls(monkeypatch, dashboard_aggregates, *names, "process_gaps")
    director = signed_in("director@demo.org")
    director.switch_page("app_pages/dashboard.py").run()
    before = _participation_table(director)
    calls.reset()
    _submit_self_assessment(app_store, _viewer(app_store, "fellow@demo.org"))
    director.run()
    assert not director.exception
    assert calls.counts == dict.fromkeys((*names, "process_gaps"), 0) | {"participation": 1, "participation_by_instrument": 1}
    after = _participation_table(director)
    closed = before["period"] != CURRENT_PERIOD
    pd.testing.assert_frame_equal(after[closed.to_numpy()], before[closed])  # the cached closed periods' rows
    total = (after["period"] == CURRENT_PERIOD) & after["is_total"]
    assert after.loc[total, "submitted"].item() == before.loc[total, "submitted"].item() + 1


def test_a_self_assessment_leaves_the_writers_goal_and_meeting_reads_warm_and_shows_at_once(demo_db, app_store, monkeypatch):
    """Personal reads key on the table groups they read (analytics.changes.personal_reads): after the fellow's
    self-assessment their Home reads its assessments again on the very next run, its goals and meetings not."""
    from analytics import assessments, goals, meetings

    assessment_calls = Calls(monkeypatch, assessments, "due_assessments", "rating_history")
    other_calls = Calls(monkeypatch, goals, "goals_due")
    meeting_calls = Calls(monkeypatch, meetings, "next_meeting", "open_action_items")
    fellow = signed_in("fellow@demo.org")
    assert ":orange[Due]" in _due_line(fellow)
    assert other_calls.counts["goals_due"] == 1 and meeting_calls.counts["next_meeting"] == 1
    for calls in (assessment_calls, other_calls, meeting_calls):
        calls.reset()
    _submit_self_assessment(app_store, _viewer(app_store, "fellow@demo.org"))
    assert ":green[Done" in _due_line(fellow.run())
    assert assessment_calls.counts == {"due_assessments": 1, "rating_history": 1}
    assert other_calls.counts == {"goals_due": 0}
    assert meeting_calls.counts == {"next_meeting": 0, "open_action_items": 0}


def _rated_by_mentees(at) -> str:
    return next(line for line in texts(at).splitlines() if "of your mentees have rated you" in line)


def test_a_mentees_self_assessment_leaves_the_mentors_two_views_warm_and_a_rating_of_the_mentor_reaches_it(
    demo_db, app_store, monkeypatch
):
    """A mentor's Two views shows ratings about and by the mentor: a mentee's self-assessment changes none
    of it, so nothing is read again; the mentee's rating of the mentor shows on the next run."""
    from analytics import feedback
    from analytics.assessments import submit_assessment
    from analytics.instruments import load_catalogue
    from analytics.people import active_pairs
    from analytics.registry import register_catalogue
    from tests.conftest import NOW, TODAY

    names = ("views_of_mentor", "ratings_given", "mentor_rating_coverage", "process_views")
    calls = Calls(monkeypatch, feedback, *names)
    fellow, mentor_viewer = _viewer(app_store, "fellow@demo.org"), _viewer(app_store, "mentor@demo.org")
    pairs = active_pairs(app_store, fellow.person_id, TODAY)
    [pair_id] = pairs.loc[pairs["mentor_id"] == mentor_viewer.person_id, "pair_id"]
    mentor = signed_in("mentor@demo.org").switch_page("app_pages/feedback.py").run()
    assert not mentor.exception
    rated = _rated_by_mentees(mentor)
    calls.reset()
    _submit_self_assessment(app_store, fellow)
    mentor.run()
    assert not mentor.exception
    assert calls.counts == dict.fromkeys(names, 0)
    catalogue = register_catalogue(app_store, load_catalogue(), NOW)
    ratings = {item.id: 4 for item in catalogue.get("mentor-by-mentee").items}
    submit_assessment(
        app_store,
        catalogue,
        fellow,
        "mentor-by-mentee",
        ratings,
        today=TODAY,
        now=NOW,
        submission_key="rates-the-mentor",
        subject_id=mentor_viewer.person_id,
        pair_id=int(pair_id),
    )
    mentor.run()
    assert calls.counts["mentor_rating_coverage"] == 1
    assert _rated_by_mentees(mentor) != rated  # one more mentee rated them this period


def test_a_new_assessment_leaves_the_directors_pair_health_warm_and_a_goal_recomputes_only_the_counts(
    demo_db, app_store, monkeypatch
):
    """The director's pair health counts are of the latest closed period and the administrative signals read
    only closed periods' assessments, so a submission (to the open period) recomputes neither; a goal written
    recomputes the counts (goals stalled), not the administrative signals, which read no goals."""
    from analytics import goals
    from analytics import relationship_health as rh
    from tests.conftest import NOW, TODAY

    calls = Calls(monkeypatch, rh, "program_health", "administrative_signals")
    director = signed_in("director@demo.org")
    director.switch_page("app_pages/health.py").run()
    assert not director.exception
    assert calls.counts == {"program_health": 1, "administrative_signals": 1}
    shown = [frame.value for frame in director.dataframe]
    calls.reset()
    _submit_self_assessment(app_store, _viewer(app_store, "fellow@demo.org"))
    director.run()
    assert calls.counts == {"program_health": 0, "administrative_signals": 0}
    for before, frame in zip(shown, director.dataframe, strict=True):
        pd.testing.assert_frame_equal(frame.value, before)
    goals.create_goal(
        app_store, _viewer(app_store, "fellow@demo.org"), "Read", "research", "count", 3, TODAY.replace(year=2027), TODAY, NOW
    )
    director.run()
    assert not director.exception
    assert calls.counts == {"program_health": 1, "administrative_signals": 0}


def test_a_new_assessment_leaves_the_directors_people_pairs_and_pair_health_warm_and_a_new_pair_does_not(
    demo_db, app_store, monkeypatch
):
    """People, pairs and pair health's counts read the program's people, its settings and what closed
    periods recorded (analytics.changes.reads): a fellow's submission, to the open period, changes none of them."""
    from analytics import pairs, relationship_health, roster
    from tests.conftest import TODAY

    people = Calls(monkeypatch, roster, "people_list", "cohorts")
    paired = Calls(monkeypatch, pairs, "pairs_overview", "mentor_loads", "fellows_without_mentor_in_domain")
    health = Calls(monkeypatch, relationship_health, "program_health", "administrative_signals")
    director = signed_in("director@demo.org")
    for page in ("people.py", "pairs.py", "health.py"):
        director.switch_page(f"app_pages/{page}").run()
        assert not director.exception, (page, director.exception)
    everything = (people, paired, health)
    for calls in everything:
        assert all(calls.counts.values()), calls.counts
        calls.reset()
    _submit_self_assessment(app_store, _viewer(app_store, "fellow@demo.org"))
    for page in ("people.py", "pairs.py", "health.py"):
        director.switch_page(f"app_pages/{page}").run()
        assert not director.exception, (page, director.exception)
    assert [calls.counts for calls in everything] == [dict.fromkeys(calls.counts, 0) for calls in everything]

    director_viewer = _viewer(app_store, "director@demo.org")
    pair = app_store.query_one(
        "SELECT pair_id FROM pairs WHERE program_id = $p AND ended_on IS NULL AND started_on <= $t ORDER BY pair_id LIMIT 1",
        {"p": director_viewer.program_id, "t": TODAY},
    )[0]
    pairs.end_pair(app_store, director_viewer, pair, TODAY, "completed", "", TODAY)  # a write about people
    for page in ("people.py", "pairs.py", "health.py"):
        director.switch_page(f"app_pages/{page}").run()
        assert not director.exception, (page, director.exception)
    for calls in everything:
        assert all(calls.counts.values()), calls.counts
