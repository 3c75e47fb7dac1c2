"""Relationship health: each signal from a pair's records, with its evidence and guidance sentence; the
summary and its one sentence; thresholds as data; who may read a pair's signals."""

import re
from datetime import date, timedelta

import pandas as pd
import pytest

from analytics import relationship_health as rh
from analytics.errors import AccessDenied, InputError
from analytics.guidance import quote_in_guidance
from analytics.people import load_viewer
from analytics.program_settings import change_health_threshold, setting_history
from tests.conftest import NOW, TODAY

MONTHS = 3
# Periods of 2026 up to today's (2026 Q4); the last three closed are Q1 to Q3.
Q = [date(2025, 10, 1), date(2026, 1, 1), date(2026, 4, 1), date(2026, 7, 1), date(2026, 10, 1)]
STEADY = dict.fromkeys(rh.STEPS, 4)


def steady_facts(**changes) -> rh.PairFacts:
    """A pair that does everything: meets every 2 weeks, an acknowledged agreement, every assessment, steady ratings."""
    facts = rh.PairFacts(
        pair_id=1,
        started_on=date(2025, 1, 1),
        steps={"fellow": {q: dict(STEADY) for q in Q}, "mentor": {q: dict(STEADY) for q in Q}},
        qualities={"self": dict.fromkeys(Q, 4.0), "mentor": dict.fromkeys(Q, 3.8)},
        meetings_held=[TODAY - timedelta(days=d) for d in range(3, 400, 14)],
        agreement={
            "meet_every_weeks": 2,
            "review_on": TODAY + timedelta(days=100),
            "written_on": date(2025, 1, 20),
            "acknowledged_by_both": True,
        },
        goals=[],
        actions_due=[],
        submitted={label: set(Q) for label in rh.STREAMS},
    )
    for key, value in changes.items():
        setattr(facts, key, value)
    return facts


def keys(health: rh.PairHealth) -> list[str]:
    return [signal.key for signal in health.signals]


def assess(facts, **thresholds) -> rh.PairHealth:
    return rh.assess(facts, thresholds, TODAY, MONTHS)


def test_a_steady_pair_is_healthy_and_says_so_in_one_sentence():
    health = assess(steady_facts())
    assert health.health == rh.HEALTHY and health.signals == []
    assert health.sentence.startswith("Healthy:") and health.sentence.count(".") == 1


def test_a_step_falling_below_its_usual_for_two_periods_is_a_signal_with_its_evidence():
    facts = steady_facts()
    for quarter, rating in zip(Q[3:], (3, 2), strict=True):
        facts.steps["fellow"][quarter]["goals-tracked"] = rating
    health = assess(facts)
    assert keys(health) == ["steps_falling"]
    signal = health.signals[0]
    assert signal.sentence == "process steps: goals tracking fell from 4 to 2 over 2 periods (fellow)"
    assert signal.evidence == [
        "Goals tracking, rated by the fellow: usually 4 (2025 Q4 to 2026 Q2), then 3 and 2 (2026 Q3, 2026 Q4)"
    ]
    assert signal.quote == "Defining goals and ways to track progress"
    assert health.health == rh.WATCH and health.next_step == "goals-tracked"
    # One low period after the usual is the ordinary wobble; so is a fall smaller than the threshold.
    facts.steps["fellow"][Q[3]]["goals-tracked"] = 4
    assert keys(assess(facts)) == []
    facts.steps["fellow"][Q[3]]["goals-tracked"] = 3
    assert keys(assess(facts, fall_points=2.5)) == []
    # Ratings that stopped long ago say nothing about now.
    del facts.steps["fellow"][Q[4]], facts.steps["fellow"][Q[3]]
    assert keys(assess(facts)) == []


def test_a_step_rated_low_by_both_is_a_signal_but_low_by_one_side_is_not():
    facts = steady_facts()
    for quarter in Q:
        facts.steps["fellow"][quarter]["shared-interests"] = 2
    assert keys(assess(facts)) == []
    for quarter in Q:
        facts.steps["mentor"][quarter]["shared-interests"] = 1
    health = assess(facts)
    assert keys(health) == ["steps_low"]
    assert health.signals[0].evidence == ["Shared interests: the fellow's latest ratings 2 and 2, the mentor's 1 and 1"]
    facts.steps["mentor"][Q[-1]]["shared-interests"] = 3  # one answer a point higher does not hide it
    assert keys(assess(facts)) == ["steps_low"]
    facts.steps["mentor"][Q[-2]]["shared-interests"] = 3
    assert keys(assess(facts)) == []


def test_views_drifting_apart_period_after_period_is_a_signal():
    facts = steady_facts()
    facts.qualities = {"self": dict.fromkeys(Q, 4.5), "mentor": {Q[2]: 4.2, Q[3]: 3.8, Q[4]: 3.2}}
    health = assess(facts)
    assert keys(health) == ["views_diverging"]
    assert health.signals[0].evidence == [
        "Views of the fellow's qualities: the two sides' averages were usually 0.3 points apart, then 0.7 and, "
        "in each side's latest period, 1.3"
    ]
    # A gap that is wide but steady is a difference of view, not a drift.
    facts.qualities = {"self": dict.fromkeys(Q, 4.5), "mentor": dict.fromkeys(Q, 3.0)}
    assert keys(assess(facts)) == []
    # Not shared: nothing is read, and the pair's view says what was not looked at.
    facts.qualities = None
    assert assess(facts).unseen == ["the fellow's self-ratings (not shared with you)"]


def test_meetings_below_the_agreed_rate_and_a_long_silence():
    facts = steady_facts(meetings_held=[TODAY - timedelta(days=d) for d in (20, 75, 130, 150, 170)])
    health = assess(facts)
    assert keys(health) == ["meetings_below"]
    assert health.signals[0].sentence == "meetings: 2 in the last 90 days, the agreement asks for 6"
    facts.meetings_held = [TODAY - timedelta(days=d) for d in (50, 64, 78)]
    health = assess(facts)
    assert keys(health) == ["meetings_below", "no_meeting"] and health.health == rh.AT_RISK
    assert "allowed: 42 days (3 times the agreed interval of 2 weeks)" in health.signals[1].evidence[0]


def test_no_agreement_one_unacknowledged_or_past_its_review():
    assert keys(assess(steady_facts(agreement=None))) == ["agreement"]
    # A new pair has time to write one.
    assert keys(assess(steady_facts(agreement=None, started_on=TODAY - timedelta(days=30)))) == []
    facts = steady_facts()
    facts.agreement = facts.agreement | {"acknowledged_by_both": False}
    assert assess(facts).signals[0].sentence == "agreement not acknowledged by both"
    facts.agreement = facts.agreement | {"written_on": TODAY - timedelta(days=10)}
    assert keys(assess(facts)) == []
    facts.agreement = facts.agreement | {"review_on": TODAY - timedelta(days=1)}
    assert assess(facts).signals[0].sentence == "agreement past its review date"


def goal(**values) -> dict:
    return {
        "goal_id": 1,
        "title": "Submit the abstract",
        "status": "active",
        "started_on": TODAY - timedelta(days=200),
        "target_date": TODAY + timedelta(days=200),
        "last_checkin": TODAY - timedelta(days=10),
        "percent_done": 50.0,
    } | values


def test_goals_stalled_or_falling_further_behind():
    assert keys(assess(steady_facts(goals=[goal()]))) == []
    stalled = assess(steady_facts(goals=[goal(last_checkin=TODAY - timedelta(days=121))]))
    assert keys(stalled) == ["goals_stalled"] and "no check-in for 121 days" in stalled.signals[0].evidence[0]
    behind = assess(steady_facts(goals=[goal(percent_done=10.0)]))
    assert keys(behind) == ["goals_stalled"] and "points behind its line" in behind.signals[0].evidence[0]
    done = assess(steady_facts(goals=[goal(status="completed", last_checkin=TODAY - timedelta(days=300))]))
    assert keys(done) == []


def test_action_items_long_overdue_count_from_two_half_of_those_due_and_only_recent_ones():
    def due(*days_open):
        return [(TODAY - timedelta(days=days), is_open) for days, is_open in days_open]

    assert keys(assess(steady_facts(actions_due=due((70, True), (90, False))))) == []
    health = assess(steady_facts(actions_due=due((70, True), (100, True), (120, False))))
    assert keys(health) == ["actions_overdue"] and health.signals[0].sentence == "2 of 3 action items more than 60 days overdue"
    assert keys(assess(steady_facts(actions_due=due((70, True), (100, True), *[(80, False)] * 3)))) == []
    assert keys(assess(steady_facts(actions_due=due((400, True), (500, True))))) == []


def test_assessments_missing_for_more_than_a_period():
    facts = steady_facts()
    facts.submitted["process steps by the mentor"] = {Q[0], Q[1], Q[4]}  # none in 2026 Q2 and Q3, the last two closed
    health = assess(facts)
    assert keys(health) == ["assessments_overdue"]
    assert health.signals[0].evidence == ["No process steps by the mentor in 2026 Q2 to 2026 Q3"]
    facts.submitted["process steps by the mentor"] = {Q[2]}  # missed only the last closed period (Q3)
    assert keys(assess(facts)) == []
    # A pair that started after those periods began owes none of them.
    assert keys(assess(steady_facts(started_on=date(2026, 5, 1), submitted={label: set() for label in rh.STREAMS}))) == []


def test_health_summary_counts_signals_and_explains_each_in_one_sentence():
    facts = steady_facts(agreement=None, meetings_held=[])
    health = assess(facts)
    assert health.health == rh.AT_RISK
    assert health.sentence == (f"At risk: no meeting for {(TODAY - facts.started_on).days} days; no agreement.")
    assert assess(facts, at_risk_signals=3).health == rh.WATCH


def test_every_step_and_signal_quotes_the_guidance_word_for_word():
    for name, quote, action in rh.STEPS.values():
        assert quote_in_guidance(quote), quote
        assert name and action
    for title, kind, step in rh.SIGNALS.values():
        assert kind in ("ratings", "progress", "admin") and (step is None or step in rh.STEPS) and title
    assert set(rh.SIGNAL_THRESHOLD) == set(rh.SIGNALS)
    for threshold in rh.THRESHOLDS:
        assert threshold.low <= threshold.default <= threshold.high and threshold.why


def test_the_advice_names_the_weakest_step_and_quotes_the_guidance():
    facts = steady_facts()
    facts.steps["fellow"][Q[-1]]["ground-rules"] = 3
    health = assess(facts)
    assert health.next_step == "ground-rules"
    assert health.advice.startswith('Weakest step: ground rules. The guidance: "Setting ground rules and mutual expectations."')


# ---------------------------------------------------------------- on the demo program


def viewer(store, email):
    person = store.query_one("SELECT person_id FROM people WHERE email = $email", {"email": email})[0]
    return load_viewer(store, person)


def test_a_mentor_sees_their_pairs_by_need_and_nobody_outside_a_pair_sees_its_signals(demo_store):
    mentor = viewer(demo_store, "mentor@demo.org")
    found = rh.my_pairs_health(demo_store, mentor, TODAY)
    assert found and all(row["mentor_id"] == mentor.person_id for row, _ in found)
    order = [rh.HEALTH_ORDER[health.health] for _, health in found]
    assert order == sorted(order)
    pair_id = found[0][0]["pair_id"]
    assert rh.pair_health(demo_store, mentor, pair_id, TODAY)[1].sentence == found[0][1].sentence
    fellow = viewer(demo_store, "fellow@demo.org")
    director = viewer(demo_store, "director@demo.org")
    for outsider in (fellow, director):
        if outsider.person_id in (found[0][0]["mentor_id"], found[0][0]["mentee_id"]):
            continue
        with pytest.raises(AccessDenied):
            rh.pair_health(demo_store, outsider, pair_id, TODAY)
    with pytest.raises(AccessDenied):
        rh.my_pairs_health(demo_store, director, TODAY)
    with pytest.raises(AccessDenied):
        rh.program_health(demo_store, mentor, TODAY)
    with pytest.raises(AccessDenied):
        rh.administrative_signals(demo_store, fellow, TODAY)


def test_a_mentor_reads_goals_and_self_ratings_only_where_shared(demo_store):
    mentor = viewer(demo_store, "mentor@demo.org")
    for row, health in rh.my_pairs_health(demo_store, mentor, TODAY):
        shares = dict(
            demo_store.query_all(
                """
                SELECT record_kind, arg_max(shared, chosen_at) FROM sharing_choices
                WHERE mentor_id = $mentor AND mentee_id = $mentee GROUP BY record_kind
                """,
                {"mentor": mentor.person_id, "mentee": row["mentee_id"]},
            )
        )
        assert ("the fellow's goals (not shared with you)" in health.unseen) == (not shares.get("goals", False))
        assert ("the fellow's self-ratings (not shared with you)" in health.unseen) == (not shares.get("self_assessments", False))
        if not shares.get("goals", False):
            assert "goals_stalled" not in keys(health)


def test_the_director_gets_counts_per_cohort_suppressed_and_names_only_for_administration(demo_store):
    director = viewer(demo_store, "director@demo.org")
    counts = rh.program_health(demo_store, director, TODAY)
    small = counts[counts["cohort"] == "Class of 2029"].iloc[0]
    assert pd.isna(small[rh.HEALTHY]) and pd.isna(small["Views drifting apart"])  # fellows under the minimum: hidden
    total = counts[counts["cohort"] == "All cohorts shown"].iloc[0]
    shown = counts[counts["cohort"].str.startswith("Class") & counts[rh.HEALTHY].notna()]
    assert total["pairs"] == shown["pairs"].sum()  # the hidden cohort enters no total
    assert total[rh.HEALTHY] + total[rh.WATCH] + total[rh.AT_RISK] == total["pairs"]
    named = rh.administrative_signals(demo_store, director, TODAY)
    assert not named.empty
    admin_titles = {rh.SIGNALS[key][0] for key in rh.ADMINISTRATIVE}
    assert set(named["signal"]) <= admin_titles


def test_a_program_changes_its_thresholds(demo_store):
    director = viewer(demo_store, "director@demo.org")
    assert rh.health_thresholds(demo_store, director.program_id) == rh.default_thresholds()
    before = rh.my_pairs_health(demo_store, viewer(demo_store, "mentor@demo.org"), TODAY)
    assert any(h.health == rh.AT_RISK for _, h in before)
    change_health_threshold(demo_store, director, "at_risk_signals", 5, NOW)
    change_health_threshold(demo_store, director, "action_days", 365, NOW)
    assert rh.health_thresholds(demo_store, director.program_id)["action_days"] == 365
    after = rh.my_pairs_health(demo_store, viewer(demo_store, "mentor@demo.org"), TODAY)
    assert not any(h.health == rh.AT_RISK for _, h in after)
    history = setting_history(demo_store, director)
    assert history.iloc[0][["setting", "of", "before", "after"]].tolist() == ["Pair health threshold", "action_days", "60", "365"]
    for key, value, problem in [
        ("nonsense", 3, "Choose one of the pair health thresholds."),
        ("action_days", 2, "'Action item overdue (days)' is a whole number from 7 to 365."),
        ("action_days", 30.5, "'Action item overdue (days)' is a whole number from 7 to 365."),
        ("action_days", 365, "'Action item overdue (days)' is already 365."),
        ("gap_points", float("nan"), "'Widening of the gap between the two sides (points)' is a number from 0.3 to 3."),
    ]:
        with pytest.raises(InputError, match=re.escape(problem)):
            change_health_threshold(demo_store, director, key, value, NOW)
    assert len(setting_history(demo_store, director)) == 2
    change_health_threshold(demo_store, director, "gap_points", 1.5, NOW)
    assert rh.health_thresholds(demo_store, director.program_id)["gap_points"] == 1.5
    with pytest.raises(AccessDenied):
        change_health_threshold(demo_store, viewer(demo_store, "mentor@demo.org"), "gap_points", 2, NOW)


def test_every_signal_shows_in_the_demo_on_first_start(demo_store):
    director = viewer(demo_store, "director@demo.org")
    pairs = demo_store.query_df(
        "SELECT pair_id, mentor_id, mentee_id, started_on FROM pairs WHERE program_id = $program AND ended_on IS NULL",
        {"program": director.program_id},
    )
    facts = rh.load_facts(demo_store, pairs, TODAY, MONTHS)
    shown = {signal.key for p in pairs["pair_id"] for signal in rh.assess(facts[p], {}, TODAY, MONTHS).signals}
    assert shown == set(rh.SIGNALS)
    # The planted pairs leave the demo accounts' own pairs as they were.
    accounts = [viewer(demo_store, f"{role}@demo.org").person_id for role in ("fellow", "mentor")]
    planted = demo_store.query_one(
        "SELECT count(*) FROM pairs WHERE pair_id > 47 AND (mentor_id IN $ids OR mentee_id IN $ids)", {"ids": accounts}
    )[0]
    assert planted == 0


def test_the_directors_counts_cannot_be_subtracted_to_learn_one_pairs_signals(demo_store):
    """A closed period's counts stay put when the director changes a threshold, or ends a pair (or makes one)
    with a date back in that period: before and after would otherwise differ by exactly that pair's signals."""
    from analytics import pairs as pair_records

    director = viewer(demo_store, "director@demo.org")
    before = rh.program_health(demo_store, director, TODAY)
    for key, value in (("at_risk_signals", 5), ("action_days", 365), ("gap_points", 3)):
        change_health_threshold(demo_store, director, key, value, NOW)
    assert rh.health_thresholds(demo_store, director.program_id)["at_risk_signals"] == 5  # the members see it now
    pd.testing.assert_frame_equal(rh.program_health(demo_store, director, TODAY), before)

    flagged = rh.my_pairs_health(demo_store, viewer(demo_store, "mentor@demo.org"), TODAY)
    pair_id = next(row["pair_id"] for row, health in flagged if health.signals)
    pair_records.end_pair(demo_store, director, pair_id, date(2026, 8, 15), "stopped", "moved away", TODAY)
    pd.testing.assert_frame_equal(rh.program_health(demo_store, director, TODAY), before)

    from analytics import roster

    other_row, _other = next((row, health) for row, health in flagged if row["pair_id"] != pair_id and health.signals)
    roster.deactivate_person(demo_store, director, other_row["mentee_id"], NOW, TODAY)  # a fellow who left
    pd.testing.assert_frame_equal(rh.program_health(demo_store, director, TODAY), before)


def test_a_submission_in_the_open_period_moves_none_of_the_directors_figures(demo_store):
    """Why the page keeps the director's counts and administrative signals cached through one (ui/health.py keys
    them on 'ratings', not 'assessments'): every assessment a pair's members can submit goes to the open period,
    and the counts are of the latest closed one, the administrative signals of closed periods' assessments."""
    from analytics.assessments import submit_assessment
    from analytics.instruments import MENTEE_BY_MENTOR, MENTEE_SELF, MENTOR_BY_MENTEE, PROCESS_STEPS, load_catalogue
    from analytics.registry import register_catalogue

    director = viewer(demo_store, "director@demo.org")
    counts, named = rh.program_health(demo_store, director, TODAY), rh.administrative_signals(demo_store, director, TODAY)
    catalogue = register_catalogue(demo_store, load_catalogue(), NOW)
    mentor = viewer(demo_store, "mentor@demo.org")
    for row, _health in rh.my_pairs_health(demo_store, mentor, TODAY):
        fellow = load_viewer(demo_store, row["mentee_id"])
        for who, instrument, subject in (
            (fellow, MENTEE_SELF, None),
            (fellow, PROCESS_STEPS, mentor.person_id),
            (fellow, MENTOR_BY_MENTEE, mentor.person_id),
            (mentor, PROCESS_STEPS, fellow.person_id),
            (mentor, MENTEE_BY_MENTOR, fellow.person_id),
        ):
            ratings = {item.id: 1 for item in catalogue.get(instrument).items}
            key = f"{who.person_id}-{instrument}-{row['pair_id']}"
            pair = None if subject is None else row["pair_id"]
            submit_assessment(
                demo_store,
                catalogue,
                who,
                instrument,
                ratings,
                today=TODAY,
                now=NOW,
                submission_key=key,
                subject_id=subject,
                pair_id=pair,
            )
    pd.testing.assert_frame_equal(rh.program_health(demo_store, director, TODAY), counts)
    pd.testing.assert_frame_equal(rh.administrative_signals(demo_store, director, TODAY), named)


def test_the_administrative_signals_read_without_the_ratings_are_those_read_with_them(demo_store):
    """administrative_signals skips the ratings (load_facts(ratings=False)): no signal it shows is built from them."""
    director = viewer(demo_store, "director@demo.org")
    pairs = rh._program_pairs(demo_store, director, TODAY)
    full = rh.load_facts(demo_store, pairs, TODAY, MONTHS, goals_cut={})
    light = rh.load_facts(demo_store, pairs, TODAY, MONTHS, goals_cut={}, ratings=False)
    assert full.keys() == light.keys()
    for pair in full:
        assert light[pair].submitted == full[pair].submitted and not light[pair].steps
        admin = [
            [(s.key, s.evidence) for s in rh.assess(facts[pair], {}, TODAY, MONTHS).signals if s.kind == "admin"]
            for facts in (full, light)
        ]
        assert admin[0] == admin[1]
    assert any(light[pair].submitted[label] for pair in light for label in rh.STREAMS)
