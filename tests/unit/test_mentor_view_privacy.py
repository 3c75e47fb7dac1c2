"""An attacker in the mentor's seat: can the mentor isolate one mentee's unsigned rating of them?

On the demo program, the mentor collects everything they are shown about their mentees' ratings
of them (every period and item: the unsigned averages and the signed ratings), over a sequence of
moments: while mentees submit, correct and sign or unsign in the open period, then after it closes.
Two checks:

- No linear combination of the published averages isolates one unsigned rating: the unsigned
  ratings are split into classes by which published averages they are in (ratings in exactly the
  same published sets), and every class in a published set holds at least MIN_MENTOR_RATERS
  distinct mentees. The set behind each published average is derived here from the rule (per
  group of respondent, pair and period, the latest unsigned assessment as it stood at the period's
  end) and the average of that set, recomputed from the raw responses, must equal what is shown.
- Nothing the mentor is shown about ratings changes while the period is open.
"""

import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from analytics.access import MIN_MENTOR_RATERS
from analytics.assessments import submit_assessment
from analytics.feedback import SELF_VIEW, views_of_mentor
from analytics.instruments import load_catalogue
from analytics.people import Viewer, active_pairs, load_viewer, program_settings
from analytics.periods import next_period, period_start
from analytics.registry import register_catalogue
from demo import DEMO_ACCOUNTS
from tests.conftest import NOW, TODAY

AVERAGE = "Mentees (average)"
SIGNED = "Signed: "


def person(store, email: str) -> Viewer:
    return load_viewer(store, store.query_one("SELECT person_id FROM people WHERE email = ?", [email])[0])


def shown_to_mentor(store, catalogue, mentor: Viewer, today: date) -> frozenset:
    """What the mentor is shown about their mentees' ratings of them: (period, item, view, rating) rows."""
    views = views_of_mentor(store, catalogue, mentor, mentor.person_id, today)
    views = views[views["view"] != SELF_VIEW]
    return frozenset(
        (stamp.date(), item, view, round(float(rating), 2))
        for stamp, item, view, rating in zip(views["period_start"], views["item_id"], views["view"], views["rating"], strict=True)
    )


def raw_ratings(store, mentor_id: int) -> pd.DataFrame:
    """Every rating of the mentor ever stored (all versions), with who gave it and whether it was signed."""
    return store.query_df(
        """
        SELECT a.assessment_id, a.respondent_id, p.full_name, coalesce(a.pair_id, 0) AS pair, a.period_start,
               a.submitted_at, s.assessment_id IS NOT NULL AS signed, r.item_id, r.rating
        FROM assessments a JOIN responses r USING (assessment_id) JOIN people p ON p.person_id = a.respondent_id
        LEFT JOIN signed_assessments s USING (assessment_id)
        WHERE a.instrument_id = 'mentor-by-mentee' AND a.subject_id = ?
        """,
        [mentor_id],
    )


def standing_at_period_end(raw: pd.DataFrame, months: int) -> pd.DataFrame:
    """Per respondent, pair and period: the latest assessment submitted before the period's end (the rule)."""
    raw = raw.assign(period=[stamp.date() for stamp in raw["period_start"]])
    ends = pd.to_datetime([next_period(period, months) for period in raw["period"]])
    inside = raw[raw["submitted_at"].to_numpy() < ends.to_numpy()]
    latest = (
        inside[["assessment_id", "respondent_id", "pair", "period", "submitted_at"]]
        .drop_duplicates()
        .sort_values(["submitted_at", "assessment_id"])
        .groupby(["respondent_id", "pair", "period"])
        .tail(1)
    )
    return inside[inside["assessment_id"].isin(latest["assessment_id"])]


def published_sets(store, mentor: Viewer, shown: frozenset) -> list[tuple[date, str, frozenset]]:
    """The unsigned assessments behind each published average, checked against the shown value.

    Signed rows are checked too: each must be a signed rating of the named mentee, never an unsigned one.
    """
    months = program_settings(store, mentor.program_id)["period_months"]
    current = standing_at_period_end(raw_ratings(store, mentor.person_id), months)
    sets = []
    for period, item, view, rating in shown:
        rows = current[(current["period"] == period) & (current["item_id"] == item)]
        if view == AVERAGE:
            unsigned = rows[~rows["signed"]]
            assert round(unsigned["rating"].mean(), 2) == pytest.approx(rating, abs=0.006), (period, item)
            sets.append((period, item, frozenset(unsigned["assessment_id"])))
        else:
            assert view.startswith(SIGNED), view
            name = view.removeprefix(SIGNED)
            signed = rows[rows["signed"] & (rows["full_name"] == name)]
            assert rating in set(signed["rating"].astype(float)), (period, item, view)
    return sets


def assert_no_rating_is_isolated(store, sets: list[tuple[date, str, frozenset]], mentor_id: int) -> None:
    """Classes of unsigned ratings by membership in every published set; each class >= MIN_MENTOR_RATERS mentees."""
    respondent = dict(store.query_all("SELECT assessment_id, respondent_id FROM assessments WHERE subject_id = ?", [mentor_id]))
    by_item = defaultdict(set)
    for _, item, ids in sets:
        by_item[item].add(ids)
    for item, item_sets in by_item.items():
        ordered = sorted(item_sets, key=sorted)
        membership = defaultdict(set)
        for index, ids in enumerate(ordered):
            for assessment_id in ids:
                membership[assessment_id].add(index)
        classes = defaultdict(set)
        for assessment_id, indexes in membership.items():
            classes[frozenset(indexes)].add(assessment_id)
        for indexes, ids in classes.items():
            raters = {respondent[assessment_id] for assessment_id in ids}
            assert len(raters) >= MIN_MENTOR_RATERS, (
                f"item {item}: assessments {sorted(ids)} (mentees {sorted(raters)}) are told apart from the rest "
                f"by the published averages {sorted(indexes)}"
            )


@pytest.fixture
def demo(demo_store):
    catalogue = register_catalogue(demo_store, load_catalogue(), NOW)
    return demo_store, catalogue, person(demo_store, DEMO_ACCOUNTS["mentor"])


def rate_mentor(store, catalogue, fellow_id: int, mentor: Viewer, pair_id: int, value: int, when: datetime, signed=False):
    items = [item.id for item in catalogue.get("mentor-by-mentee").items]
    return submit_assessment(
        store,
        catalogue,
        load_viewer(store, fellow_id),
        "mentor-by-mentee",
        dict.fromkeys(items, value),
        today=when.date(),
        now=when,
        submission_key=uuid.uuid4().hex,
        subject_id=mentor.person_id,
        pair_id=pair_id,
        signed=signed,
    ).assessment_id


def attack(store, catalogue, mentor: Viewer) -> list[tuple[str, frozenset, list]]:
    """Mentees rate, correct, sign and unsign in the open period; then it closes.

    At each moment: a label, what the mentor was shown, and the sets of assessments behind its averages.
    """
    months = program_settings(store, mentor.program_id)["period_months"]
    open_period = period_start(TODAY, months)
    pairs = active_pairs(store, mentor.person_id, TODAY)
    pairs = pairs[pairs["mentor_id"] == mentor.person_id]
    pair_of = {int(row.mentee_id): int(row.pair_id) for row in pairs.itertuples()}
    rated = {
        int(respondent): bool(signed)
        for respondent, signed in store.query_all(
            """
            SELECT a.respondent_id, s.assessment_id IS NOT NULL
            FROM current_assessments a LEFT JOIN signed_assessments s USING (assessment_id)
            WHERE a.instrument_id = 'mentor-by-mentee' AND a.subject_id = ? AND a.period_start = ?
            """,
            [mentor.person_id, open_period],
        )
    }
    signer = next(fellow for fellow, signed in rated.items() if signed and fellow in pair_of)
    unsigned = sum(not signed for signed in rated.values())
    newcomers = [fellow for fellow in sorted(pair_of) if fellow not in rated]
    needed = MIN_MENTOR_RATERS - unsigned  # unsigned raters to add so the open period reaches the threshold
    assert needed >= 1 and len(newcomers) >= needed + 1, "the demo mentor needs more unrated mentees for this attack"

    moments = []
    clock = NOW
    ticks = iter(range(1, 1000))

    def at() -> datetime:
        return clock + timedelta(minutes=next(ticks))

    def observe(label: str, today: date) -> None:
        # The sets behind the averages are derived from the database as it is at this moment.
        shown = shown_to_mentor(store, catalogue, mentor, today)
        moments.append((label, shown, published_sets(store, mentor, shown)))

    observe("before", TODAY)
    for value, fellow in zip((5, 4, 2), newcomers[:needed], strict=False):
        rate_mentor(store, catalogue, fellow, mentor, pair_of[fellow], value, at())
    observe("open period reaches three unsigned", TODAY)
    fourth = newcomers[needed]
    rate_mentor(store, catalogue, fourth, mentor, pair_of[fourth], 1, at())
    observe("a fourth unsigned rating", TODAY)
    rate_mentor(store, catalogue, signer, mentor, pair_of[signer], 3, at(), signed=False)
    observe("signed corrected to unsigned", TODAY)
    rate_mentor(store, catalogue, fourth, mentor, pair_of[fourth], 2, at(), signed=True)
    observe("unsigned corrected to signed", TODAY)

    closed_day = next_period(open_period, months) + timedelta(days=4)
    observe("the period closed", closed_day)
    later = datetime.combine(closed_day, NOW.time())
    stored = rate_mentor(store, catalogue, newcomers[0], mentor, pair_of[newcomers[0]], 1, later)
    landed = store.query_one("SELECT period_start FROM assessments WHERE assessment_id = ?", [stored])[0]
    assert landed == next_period(open_period, months)  # a correction after the close goes to the new period
    rate_mentor(store, catalogue, signer, mentor, pair_of[signer], 5, later + timedelta(minutes=1), signed=True)
    observe("ratings after the close", closed_day)
    return moments


def test_no_combination_of_what_the_mentor_is_shown_isolates_one_unsigned_rating(demo):
    store, catalogue, mentor = demo
    moments = attack(store, catalogue, mentor)
    sets = [found for _, _, published in moments for found in published]
    assert sets, "the demo mentor should be shown some averages, or this test checks nothing"
    assert_no_rating_is_isolated(store, sets, mentor.person_id)


def test_nothing_the_mentor_is_shown_changes_while_the_period_is_open(demo):
    store, catalogue, mentor = demo
    moments = attack(store, catalogue, mentor)
    first = moments[0][1]
    for label, shown, _ in moments[1:5]:
        assert shown == first, f"{label}: {sorted(shown ^ first)[:6]}"
    # Once it closes, the open period's figures appear, and the older periods' figures are as they were.
    open_period = period_start(TODAY, program_settings(store, mentor.program_id)["period_months"])
    closed = moments[5][1]
    assert {row for row in closed if row[0] != open_period} == first
    assert any(row[0] == open_period and row[2] == AVERAGE for row in closed)
    assert moments[6][1] == closed  # ratings in the next period change nothing already shown


def test_every_demo_mentor_is_shown_only_averages_of_three_or_more(demo):
    store, catalogue, _ = demo
    mentors = [row[0] for row in store.query_all("SELECT person_id FROM person_roles WHERE role = 'mentor' ORDER BY 1")]
    checked = 0
    for mentor_id in mentors:
        mentor = load_viewer(store, mentor_id)
        sets = published_sets(store, mentor, shown_to_mentor(store, catalogue, mentor, TODAY))
        assert_no_rating_is_isolated(store, sets, mentor_id)
        checked += bool(sets)
    assert checked >= 3
