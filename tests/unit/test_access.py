"""Who sees whose records: sharing choices, two-way ratings and the mentor's review.

Most tests run on a small hand-made program (below), where every expected answer is computed by hand;
a few run on the demo program, built once per run (conftest's `demo_store`) and copied per test.

The hand-made program (periods are quarters; TODAY is 2026-11-26, in the quarter starting 2026-10-01):

    fellows  Fiona First, Gus Second, Hana Third, Ivo Fourth, Jo Fifth (Jo has no pairs)
    mentors  Mona Alpha (current pairs with Fiona, Gus, Hana, Ivo), Max Beta (current pair with Fiona),
             Carl Gamma (current pair with Gus only), Eve Ended (a pair with Fiona that ended 2026-05-15)
    director Dana Director

    Fiona's self-assessments (mentee-self, 9 items): 2026 Q1 all 2, Q2 all 3, Q3 all 3,
    Q4 first all 1 and then corrected to 4 4 4 4 3 3 3 5 5 (the correction counts).
    Ratings of Fiona (mentee-by-mentor) in 2026 Q3: by Mona all 4, by Max all 2.
    No sharing choices: each test makes its own.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pandas as pd
import pytest

from analytics.access import require_shared, shared_until
from analytics.assessments import rating_history, submit_assessment
from analytics.errors import AccessDenied, InputError
from analytics.feedback import latest_gaps, mentor_rating_coverage, process_views, views_of_mentee, views_of_mentor
from analytics.goals import add_checkin, create_goal, goal_history, goals_of
from analytics.instruments import Catalogue, load_catalogue
from analytics.mentor_glance import mentee_glance
from analytics.outputs import log_output, outputs_of
from analytics.pairs import end_pair
from analytics.people import Viewer, load_viewer
from analytics.registry import register_catalogue
from analytics.sharing import set_sharing, sharing_overview
from analytics.store import Store
from demo import DEMO_ACCOUNTS, build_demo_program
from tests.conftest import NOW, TODAY

pytestmark = pytest.mark.both_backends  # store, access and write tests run on DuckDB and PostgreSQL

KINDS = ("self_assessments", "goals", "outputs")
Q1, Q2, Q3, Q4 = date(2026, 1, 1), date(2026, 4, 1), date(2026, 7, 1), date(2026, 10, 1)
STARTED = date(2025, 7, 1)
EVE_ENDED = date(2026, 5, 15)
FIONA_Q4 = [4, 4, 4, 4, 3, 3, 3, 5, 5]  # average 35/9 = 3.89; Q3 average 3.0, so the change is 0.89
MENTOR_ITEMS = 8
PROCESS_ITEMS = 5


# ---------------------------------------------------------------- the hand-made program


@dataclass
class World:
    store: Store
    catalogue: Catalogue
    ids: dict[str, int]
    pairs: dict[str, int]

    def viewer(self, who: str) -> Viewer:
        return load_viewer(self.store, self.ids[who])

    def count(self, table: str) -> int:
        assert table in ("assessments", "responses", "sharing_choices", "signed_assessments")
        return self.store.query_one("SELECT count(*) FROM " + table)[0]


PEOPLE = {
    "fiona": ("Fiona First", ["fellow"]),
    "gus": ("Gus Second", ["fellow"]),
    "hana": ("Hana Third", ["fellow"]),
    "ivo": ("Ivo Fourth", ["fellow"]),
    "jo": ("Jo Fifth", ["fellow"]),
    "mona": ("Mona Alpha", ["mentor"]),
    "max": ("Max Beta", ["mentor"]),
    "carl": ("Carl Gamma", ["mentor"]),
    "eve": ("Eve Ended", ["mentor"]),
    "dana": ("Dana Director", ["director"]),
}


def add_pair(store: Store, ids, mentor: str, mentee: str, domain: str, started=STARTED, ended=None) -> int:
    return store.write(
        lambda cur: cur.execute(
            "INSERT INTO pairs (program_id, mentor_id, mentee_id, domain, started_on, ended_on, end_status) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING pair_id",
            [ids["program"], ids[mentor], ids[mentee], domain, started, ended, None if ended is None else "completed"],
        ).fetchone()[0]
    )


def rate(
    world: World,
    instrument_id: str,
    respondent: str,
    subject: str,
    period: date,
    ratings,
    pair: str | None = None,
    submitted_at: datetime | None = None,
    signed: bool = False,
) -> int:
    """Store one assessment directly (any period, any time); `ratings` is one value for all items, or a list."""
    items = [item.id for item in world.catalogue.get(instrument_id).items]
    values = ratings if isinstance(ratings, list) else [ratings] * len(items)
    assert len(values) == len(items)
    submitted_at = submitted_at or datetime.combine(period + timedelta(days=20), time(12))

    def work(cur):
        assessment_id = cur.execute(
            """
            INSERT INTO assessments (instrument_id, instrument_version, respondent_id, subject_id, pair_id,
                                     period_start, submitted_at, submission_key)
            VALUES (?, 1, ?, ?, ?, ?, ?, ?) RETURNING assessment_id
            """,
            [
                instrument_id,
                world.ids[respondent],
                world.ids[subject],
                None if pair is None else world.pairs[pair],
                period,
                submitted_at,
                uuid.uuid4().hex,
            ],
        ).fetchone()[0]
        cur.executemany(
            "INSERT INTO responses VALUES (?, ?, ?)", [[assessment_id, i, v] for i, v in zip(items, values, strict=True)]
        )
        if signed:
            cur.execute("INSERT INTO signed_assessments VALUES (?, ?)", [assessment_id, submitted_at])
        return assessment_id

    return world.store.write(work)


def choose(world: World, mentee: str, mentor: str, kind: str, shared: bool, at: datetime) -> None:
    """A sharing choice stored directly, at a chosen moment."""
    world.store.write(
        lambda cur: cur.execute(
            "INSERT INTO sharing_choices VALUES (?, ?, ?, ?, ?)", [world.ids[mentee], world.ids[mentor], kind, shared, at]
        )
    )


@pytest.fixture(scope="module")
def base_file(tmp_path_factory, backend):
    path = backend.new(tmp_path_factory.mktemp("access"), "access_base")
    with Store(path) as store:
        catalogue = register_catalogue(store, load_catalogue(), NOW)
        ids = {
            "program": store.write(
                lambda cur: cur.execute(
                    "INSERT INTO programs (name, period_months, min_group_size, created_at) VALUES ('Test', 3, 5, ?) "
                    "RETURNING program_id",
                    [NOW],
                ).fetchone()[0]
            )
        }
        for key, (name, roles) in PEOPLE.items():

            def add(cur, name=name, roles=roles, key=key):
                person_id = cur.execute(
                    "INSERT INTO people (program_id, full_name, email, created_at) VALUES (?, ?, ?, ?) RETURNING person_id",
                    [ids["program"], name, f"{key}@test.org", NOW],
                ).fetchone()[0]
                cur.executemany("INSERT INTO person_roles VALUES (?, ?)", [[person_id, role] for role in roles])
                return person_id

            ids[key] = store.write(add)
        pairs = {
            "mona-fiona": add_pair(store, ids, "mona", "fiona", "career"),
            "max-fiona": add_pair(store, ids, "max", "fiona", "research"),
            "eve-fiona": add_pair(store, ids, "eve", "fiona", "social", ended=EVE_ENDED),
            "carl-gus": add_pair(store, ids, "carl", "gus", "career"),
            "mona-gus": add_pair(store, ids, "mona", "gus", "research"),
            "mona-hana": add_pair(store, ids, "mona", "hana", "career"),
            "mona-ivo": add_pair(store, ids, "mona", "ivo", "career"),
        }
        world = World(store, catalogue, ids, pairs)
        rate(world, "mentee-self", "fiona", "fiona", Q1, 2)
        rate(world, "mentee-self", "fiona", "fiona", Q2, 3)
        rate(world, "mentee-self", "fiona", "fiona", Q3, 3)
        rate(world, "mentee-self", "fiona", "fiona", Q4, 1, submitted_at=datetime(2026, 10, 5, 9))
        rate(world, "mentee-self", "fiona", "fiona", Q4, FIONA_Q4, submitted_at=datetime(2026, 11, 2, 9))
        rate(world, "mentee-by-mentor", "mona", "fiona", Q3, 4, pair="mona-fiona")
        rate(world, "mentee-by-mentor", "max", "fiona", Q3, 2, pair="max-fiona")
    return path, ids, pairs


@pytest.fixture
def world(base_file, tmp_path, backend) -> World:
    source, ids, pairs = base_file
    path = backend.copy(source, tmp_path, "access")
    with Store(path) as store:
        yield World(store, register_catalogue(store, load_catalogue(), NOW), dict(ids), dict(pairs))


def periods(frame: pd.DataFrame) -> set[date]:
    return {stamp.date() for stamp in frame["period_start"]}


# ---------------------------------------------------------------- shared_until / require_shared


def test_a_person_sees_all_of_their_own_records(world):
    fiona = world.viewer("fiona")
    for kind in KINDS:
        assert shared_until(world.store, fiona, world.ids["fiona"], kind) == date.max
        assert require_shared(world.store, fiona, world.ids["fiona"], kind) == date.max
    assert periods(rating_history(world.store, world.catalogue, fiona, world.ids["fiona"])) == {Q1, Q2, Q3, Q4}


def test_a_current_mentor_with_a_shared_choice_sees_everything(world):
    choose(world, "fiona", "mona", "self_assessments", True, datetime(2025, 8, 1))
    mona = world.viewer("mona")
    assert shared_until(world.store, mona, world.ids["fiona"], "self_assessments") == date.max
    assert require_shared(world.store, mona, world.ids["fiona"], "self_assessments") == date.max
    history = rating_history(world.store, world.catalogue, mona, world.ids["fiona"])
    assert periods(history) == {Q1, Q2, Q3, Q4}
    q4 = history[history["period_start"] == pd.Timestamp(Q4)]
    assert sorted(q4["rating"]) == sorted(FIONA_Q4)  # the correction, not the first answer


def test_a_later_withdrawal_closes_it_again_and_the_latest_choice_counts(world):
    # Stored out of order on purpose: the choice made last counts, not the row written last.
    choose(world, "fiona", "mona", "self_assessments", False, datetime(2026, 3, 1))
    choose(world, "fiona", "mona", "self_assessments", True, datetime(2025, 8, 1))
    mona = world.viewer("mona")
    assert shared_until(world.store, mona, world.ids["fiona"], "self_assessments") is None
    with pytest.raises(AccessDenied):
        require_shared(world.store, mona, world.ids["fiona"], "self_assessments")
    with pytest.raises(AccessDenied):
        rating_history(world.store, world.catalogue, mona, world.ids["fiona"])
    # Sharing again after the withdrawal opens it again.
    choose(world, "fiona", "mona", "self_assessments", True, datetime(2026, 6, 1))
    assert shared_until(world.store, mona, world.ids["fiona"], "self_assessments") == date.max


def test_nothing_is_shared_until_the_fellow_chooses(world):
    mona = world.viewer("mona")
    for kind in KINDS:
        assert shared_until(world.store, mona, world.ids["fiona"], kind) is None
        with pytest.raises(AccessDenied):
            require_shared(world.store, mona, world.ids["fiona"], kind)


def test_sharing_with_one_mentor_does_not_open_it_to_another(world):
    choose(world, "fiona", "mona", "self_assessments", True, datetime(2025, 8, 1))
    assert shared_until(world.store, world.viewer("max"), world.ids["fiona"], "self_assessments") is None
    with pytest.raises(AccessDenied):
        rating_history(world.store, world.catalogue, world.viewer("max"), world.ids["fiona"])


def test_a_mentor_of_another_fellow_sees_nothing_even_with_a_stray_sharing_row(world):
    # Carl mentors Gus, never Fiona; a sharing row without a pair must not open anything.
    choose(world, "fiona", "carl", "self_assessments", True, datetime(2025, 8, 1))
    carl = world.viewer("carl")
    assert shared_until(world.store, carl, world.ids["fiona"], "self_assessments") is None
    with pytest.raises(AccessDenied):
        require_shared(world.store, carl, world.ids["fiona"], "self_assessments")


def test_a_director_who_is_not_a_mentor_sees_nothing(world):
    choose(world, "fiona", "dana", "self_assessments", True, datetime(2025, 8, 1))
    dana = world.viewer("dana")
    for kind in KINDS:
        assert shared_until(world.store, dana, world.ids["fiona"], kind) is None
    with pytest.raises(AccessDenied):
        rating_history(world.store, world.catalogue, dana, world.ids["fiona"])


def test_another_fellow_sees_nothing(world):
    assert shared_until(world.store, world.viewer("gus"), world.ids["fiona"], "self_assessments") is None
    with pytest.raises(AccessDenied):
        rating_history(world.store, world.catalogue, world.viewer("gus"), world.ids["fiona"])


def test_no_viewer_is_denied(world):
    assert shared_until(world.store, None, world.ids["fiona"], "self_assessments") is None
    with pytest.raises(AccessDenied):
        require_shared(world.store, None, world.ids["fiona"], "self_assessments")
    with pytest.raises(AccessDenied):
        rating_history(world.store, world.catalogue, None, world.ids["fiona"])


def test_an_unknown_record_kind_opens_nothing(world):
    choose(world, "fiona", "mona", "self_assessments", True, datetime(2025, 8, 1))
    assert shared_until(world.store, world.viewer("mona"), world.ids["fiona"], "comments") is None


def test_after_the_pair_ended_the_mentor_keeps_only_what_was_recorded_up_to_the_end(world):
    choose(world, "fiona", "eve", "self_assessments", True, datetime(2025, 8, 1))  # while the pair was current
    eve = world.viewer("eve")
    assert shared_until(world.store, eve, world.ids["fiona"], "self_assessments") == EVE_ENDED
    assert require_shared(world.store, eve, world.ids["fiona"], "self_assessments") == EVE_ENDED
    history = rating_history(world.store, world.catalogue, eve, world.ids["fiona"])
    assert periods(history) == {Q1, Q2}  # Q3 and Q4 were submitted after 2026-05-15
    assert max(periods(history)) <= EVE_ENDED
    views = views_of_mentee(world.store, world.catalogue, eve, world.ids["fiona"])
    assert periods(views[views["view"] == "Self-view"]) == {Q1, Q2}


def test_the_cut_off_is_the_last_end_of_all_their_pairs_and_a_current_pair_lifts_it(world):
    choose(world, "fiona", "eve", "self_assessments", True, datetime(2025, 8, 1))
    eve = world.viewer("eve")
    add_pair(world.store, world.ids, "eve", "fiona", "career", ended=date(2026, 8, 20))
    assert shared_until(world.store, eve, world.ids["fiona"], "self_assessments") == date(2026, 8, 20)
    assert periods(rating_history(world.store, world.catalogue, eve, world.ids["fiona"])) == {Q1, Q2, Q3}
    add_pair(world.store, world.ids, "eve", "fiona", "research", started=date(2026, 9, 1))
    assert shared_until(world.store, eve, world.ids["fiona"], "self_assessments") == date.max


def test_sharing_goals_does_not_open_self_assessments(world):
    choose(world, "fiona", "mona", "goals", True, datetime(2025, 8, 1))
    mona = world.viewer("mona")
    assert shared_until(world.store, mona, world.ids["fiona"], "goals") == date.max
    assert shared_until(world.store, mona, world.ids["fiona"], "self_assessments") is None
    assert shared_until(world.store, mona, world.ids["fiona"], "outputs") is None
    with pytest.raises(AccessDenied):
        rating_history(world.store, world.catalogue, mona, world.ids["fiona"])
    views = views_of_mentee(world.store, world.catalogue, mona, world.ids["fiona"])
    assert "Self-view" not in set(views["view"])


# ---------------------------------------------------------------- set_sharing / sharing_overview


def overview_choices(world: World, who: str = "fiona") -> dict[tuple[str, str], bool]:
    names = {world.ids[key]: key for key in PEOPLE}
    frame = sharing_overview(world.store, world.viewer(who))
    return {(names[int(row.mentor_id)], row.record_kind): bool(row.shared) for row in frame.itertuples()}


def test_the_overview_shows_every_mentor_and_kind_not_shared_before_any_choice(world):
    frame = sharing_overview(world.store, world.viewer("fiona"))
    assert len(frame) == 9  # Mona, Max and Eve (ended), three kinds each; not Carl
    assert overview_choices(world) == {(mentor, kind): False for mentor in ("mona", "max", "eve") for kind in KINDS}
    assert frame["chosen_at"].isna().all()
    current = dict(zip(frame["mentor"], frame["current"], strict=False))
    assert current == {"Mona Alpha": True, "Max Beta": True, "Eve Ended": False}


def test_set_sharing_stores_the_changes_and_the_overview_and_access_follow(world):
    fiona, mona = world.viewer("fiona"), world.ids["mona"]
    changed = set_sharing(world.store, fiona, {(mona, "self_assessments"): True, (mona, "goals"): False}, NOW)
    assert changed == 1  # goals was not shared already
    assert world.count("sharing_choices") == 1
    assert overview_choices(world)[("mona", "self_assessments")] is True
    assert shared_until(world.store, world.viewer("mona"), world.ids["fiona"], "self_assessments") == date.max
    assert set_sharing(world.store, fiona, {(mona, "self_assessments"): False}, NOW + timedelta(minutes=5)) == 1
    assert overview_choices(world)[("mona", "self_assessments")] is False
    assert shared_until(world.store, world.viewer("mona"), world.ids["fiona"], "self_assessments") is None


@pytest.mark.parametrize("who", ["mona", "dana"])
def test_only_a_fellow_has_sharing_choices(world, who):
    with pytest.raises(AccessDenied):
        set_sharing(world.store, world.viewer(who), {(world.ids["mona"], "self_assessments"): True}, NOW)
    with pytest.raises(AccessDenied):
        sharing_overview(world.store, world.viewer(who))
    with pytest.raises(AccessDenied):
        set_sharing(world.store, None, {(world.ids["mona"], "self_assessments"): True}, NOW)
    assert world.count("sharing_choices") == 0


@pytest.mark.parametrize("stranger", ["carl", "dana", "gus"])
def test_sharing_with_someone_who_is_not_my_mentor_is_refused_and_stores_nothing(world, stranger):
    choices = {(world.ids["mona"], "goals"): True, (world.ids[stranger], "self_assessments"): True}
    with pytest.raises(AccessDenied):
        set_sharing(world.store, world.viewer("fiona"), choices, NOW)
    assert world.count("sharing_choices") == 0  # not even the allowed change
    assert shared_until(world.store, world.viewer("mona"), world.ids["fiona"], "goals") is None


def test_sharing_anew_after_the_pair_ended_is_refused_and_stores_nothing(world):
    choices = {(world.ids["mona"], "goals"): True, (world.ids["eve"], "self_assessments"): True}
    with pytest.raises(InputError):
        set_sharing(world.store, world.viewer("fiona"), choices, NOW)
    assert world.count("sharing_choices") == 0
    assert shared_until(world.store, world.viewer("eve"), world.ids["fiona"], "self_assessments") is None


def test_withdrawing_after_the_end_works_but_sharing_again_does_not(world):
    choose(world, "fiona", "eve", "self_assessments", True, datetime(2025, 8, 1))
    fiona, eve = world.viewer("fiona"), world.ids["eve"]
    assert set_sharing(world.store, fiona, {(eve, "self_assessments"): False}, NOW) == 1
    assert world.count("sharing_choices") == 2
    assert shared_until(world.store, world.viewer("eve"), world.ids["fiona"], "self_assessments") is None
    with pytest.raises(AccessDenied):
        rating_history(world.store, world.catalogue, world.viewer("eve"), world.ids["fiona"])
    with pytest.raises(InputError):
        set_sharing(world.store, fiona, {(eve, "self_assessments"): True}, NOW + timedelta(minutes=1))
    assert world.count("sharing_choices") == 2


def test_unchanged_choices_store_nothing(world):
    choose(world, "fiona", "mona", "goals", True, datetime(2025, 8, 1))
    unchanged = {(world.ids[mentor], kind): False for mentor in ("mona", "max", "eve") for kind in KINDS}
    unchanged[(world.ids["mona"], "goals")] = True
    assert set_sharing(world.store, world.viewer("fiona"), unchanged, NOW) == 0
    assert world.count("sharing_choices") == 1


# ---------------------------------------------------------------- views_of_mentee


def mentee_views(world: World, who: str, mentee: str = "fiona") -> pd.DataFrame:
    return views_of_mentee(world.store, world.catalogue, world.viewer(who) if who else None, world.ids[mentee])


def test_the_fellow_sees_their_self_view_and_every_mentors_rating_of_them(world):
    views = mentee_views(world, "fiona")
    assert set(views["view"]) == {"Self-view", "Mentor: Mona Alpha", "Mentor: Max Beta"}
    by_mona = views[views["view"] == "Mentor: Mona Alpha"]
    by_max = views[views["view"] == "Mentor: Max Beta"]
    assert len(by_mona) == 9 and set(by_mona["rating"]) == {4} and periods(by_mona) == {Q3}
    assert len(by_max) == 9 and set(by_max["rating"]) == {2} and periods(by_max) == {Q3}
    self_view = views[views["view"] == "Self-view"]
    assert periods(self_view) == {Q1, Q2, Q3, Q4}
    assert sorted(self_view[self_view["period_start"] == pd.Timestamp(Q4)]["rating"]) == sorted(FIONA_Q4)


def test_a_mentor_sees_only_their_own_ratings_without_sharing(world):
    views = mentee_views(world, "mona")
    assert set(views["view"]) == {"Mentor: Mona Alpha"}
    assert set(views["rating"]) == {4}


def test_a_mentor_sees_the_self_view_only_while_it_is_shared(world):
    choose(world, "fiona", "mona", "self_assessments", True, datetime(2025, 8, 1))
    views = mentee_views(world, "mona")
    assert set(views["view"]) == {"Self-view", "Mentor: Mona Alpha"}
    assert periods(views[views["view"] == "Self-view"]) == {Q1, Q2, Q3, Q4}
    assert "Mentor: Max Beta" not in set(views["view"])
    # Max sees his own rating only: Fiona shares with Mona, not with him.
    assert set(mentee_views(world, "max")["view"]) == {"Mentor: Max Beta"}
    choose(world, "fiona", "mona", "self_assessments", False, datetime(2026, 11, 1))
    assert set(mentee_views(world, "mona")["view"]) == {"Mentor: Mona Alpha"}


@pytest.mark.parametrize("who", ["carl", "gus", "jo", "dana", None])
def test_views_of_a_mentee_are_denied_to_everyone_else(world, who):
    with pytest.raises(AccessDenied):
        mentee_views(world, who)


# ---------------------------------------------------------------- views_of_mentor

# Ratings of Mona (mentor-by-mentee, 8 items). The Q3 average of the three, by hand:
#   (1+2+5)/3, (2+2+5)/3, (3+2+4)/3, (4+2+4)/3, (5+2+3)/3, (1+2+3)/3, (2+2+1)/3, (3+2+1)/3
BY_FIONA = [1, 2, 3, 4, 5, 1, 2, 3]
BY_GUS = [2, 2, 2, 2, 2, 2, 2, 2]
BY_HANA = [5, 5, 4, 4, 3, 3, 1, 1]
Q3_AVERAGE = [2.67, 3.0, 3.0, 3.33, 3.33, 2.0, 1.67, 2.0]
MENTOR_ITEM_IDS = [
    "patient",
    "interested-in-teaching",
    "invested-in-goals",
    "field-expertise",
    "open-communication",
    "structured-learning",
    "career-development",
    "personal-development",
]


def mentor_views(world: World, who, mentor: str = "mona") -> pd.DataFrame:
    return views_of_mentor(world.store, world.catalogue, world.viewer(who) if who else None, world.ids[mentor], TODAY)


def rate_mona(world: World, respondent: str, period: date, ratings, **extra) -> int:
    return rate(world, "mentor-by-mentee", respondent, "mona", period, ratings, pair=f"mona-{respondent}", **extra)


def by_item(frame: pd.DataFrame) -> list[float]:
    return [float(frame.set_index("item_id").loc[item, "rating"]) for item in MENTOR_ITEM_IDS]


def test_mentees_ratings_reach_the_mentor_only_as_an_average_of_three(world):
    rate(world, "mentor-self", "mona", "mona", Q3, 3)
    rate_mona(world, "fiona", Q2, 5)  # Q2: two mentees only
    rate_mona(world, "gus", Q2, 1)
    rate_mona(world, "fiona", Q3, BY_FIONA)
    rate_mona(world, "gus", Q3, BY_GUS)
    rate_mona(world, "hana", Q3, 5, submitted_at=datetime(2026, 7, 10, 9))  # corrected below: the correction counts
    rate_mona(world, "hana", Q3, BY_HANA, submitted_at=datetime(2026, 8, 10, 9))
    views = mentor_views(world, "mona")
    assert set(views["view"]) == {"Self-view", "Mentees (average)"}
    average = views[views["view"] == "Mentees (average)"]
    assert periods(average) == {Q3}
    assert by_item(average) == pytest.approx(Q3_AVERAGE, abs=0.006)
    self_view = views[views["view"] == "Self-view"]
    assert periods(self_view) == {Q3} and set(self_view["rating"]) == {3}


def test_one_mentee_with_two_pairs_counts_once(world):
    world.pairs["mona-fiona-2"] = add_pair(world.store, world.ids, "mona", "fiona", "research")
    rate_mona(world, "fiona", Q3, 5)  # Q3: a closed period, so only the count of raters suppresses it
    rate(world, "mentor-by-mentee", "fiona", "mona", Q3, 4, pair="mona-fiona-2")
    rate_mona(world, "gus", Q3, 3)
    views = mentor_views(world, "mona")
    assert views.empty or "Mentees (average)" not in set(views["view"])


def test_a_signed_rating_reaches_the_mentor_with_the_name_even_below_three(world):
    signed = submit_assessment(
        world.store,
        world.catalogue,
        world.viewer("fiona"),
        "mentor-by-mentee",
        dict(zip(MENTOR_ITEM_IDS, BY_FIONA, strict=True)),
        today=date(2026, 4, 20),
        now=datetime(2026, 4, 20, 10),
        submission_key=uuid.uuid4().hex,
        subject_id=world.ids["mona"],
        pair_id=world.pairs["mona-fiona"],
        signed=True,
    )
    assert world.store.query_one("SELECT count(*) FROM signed_assessments WHERE assessment_id = ?", [signed.assessment_id])[0]
    rate_mona(world, "gus", Q2, BY_GUS)  # unsigned
    views = mentor_views(world, "mona")
    assert set(views["view"]) == {"Signed: Fiona First"}
    signed_rows = views[views["view"] == "Signed: Fiona First"]
    assert periods(signed_rows) == {Q2}
    assert by_item(signed_rows) == BY_FIONA


def test_unsigned_ratings_never_appear_with_a_name(world):
    rate_mona(world, "fiona", Q2, BY_FIONA, signed=True)
    rate_mona(world, "fiona", Q3, BY_HANA)  # Fiona signs in Q2 only
    for period in (Q2, Q3):
        rate_mona(world, "gus", period, BY_GUS)
        rate_mona(world, "hana", period, BY_HANA)
    rate_mona(world, "ivo", Q4, 5)  # alone in Q4
    views = mentor_views(world, "mona")
    assert set(views["view"]) == {"Signed: Fiona First", "Mentees (average)"}
    for name in ("Gus Second", "Hana Third", "Ivo Fourth", "Gus", "Hana", "Ivo"):
        assert not views["view"].str.contains(name).any()
    assert periods(views[views["view"] == "Signed: Fiona First"]) == {Q2}
    # Q3 shows only the average; Ivo's lone Q4 rating shows not at all.
    assert set(views[views["period_start"] == pd.Timestamp(Q3)]["view"]) == {"Mentees (average)"}
    assert Q4 not in periods(views)


def test_an_unsigned_rating_cannot_be_recovered_from_the_average_and_the_signed_ones(world):
    rate_mona(world, "fiona", Q3, BY_FIONA, signed=True)
    rate_mona(world, "gus", Q3, BY_GUS, signed=True)
    rate_mona(world, "hana", Q3, BY_HANA)  # unsigned
    mona = world.viewer("mona")
    views = views_of_mentor(world.store, world.catalogue, mona, world.ids["mona"], TODAY)
    coverage = mentor_rating_coverage(world.store, mona, TODAY)
    raters = int(coverage.set_index("period_start").loc[pd.Timestamp(Q3), "mentees_who_rated"])
    average = views[(views["view"] == "Mentees (average)") & (views["period_start"] == pd.Timestamp(Q3))]
    signed = views[views["view"].str.startswith("Signed: ") & (views["period_start"] == pd.Timestamp(Q3))]
    recovered = None
    if not average.empty:
        signed_sum = signed.groupby("item_id")["rating"].sum()
        recovered = [round(avg * raters - signed_sum[item]) for item, avg in zip(MENTOR_ITEM_IDS, by_item(average), strict=True)]
    assert recovered != BY_HANA


AFTER_Q4 = date(2027, 1, 4)  # the first days of 2027 Q1: 2026 Q4 has closed


def others_view(views: pd.DataFrame) -> pd.DataFrame:
    return views[views["view"] != "Self-view"]


def test_the_open_periods_ratings_reach_the_mentor_only_once_it_closes(world):
    rate_mona(world, "fiona", Q4, BY_FIONA)
    rate_mona(world, "gus", Q4, BY_GUS)
    rate_mona(world, "hana", Q4, BY_HANA)
    rate_mona(world, "ivo", Q4, 5, signed=True)
    mona = world.viewer("mona")
    assert others_view(mentor_views(world, "mona")).empty  # TODAY is in Q4: nothing of Q4, not even the signed one
    coverage = mentor_rating_coverage(world.store, mona, TODAY).set_index("period_start")
    assert coverage.loc[pd.Timestamp(Q4), "mentees_who_rated"] == 4  # participation is shown while the period is open
    assert not coverage.loc[pd.Timestamp(Q4), "closed"] and coverage.loc[pd.Timestamp(Q4), "period"] == "2026 Q4"

    closed = views_of_mentor(world.store, world.catalogue, mona, world.ids["mona"], AFTER_Q4)
    assert set(closed["view"]) == {"Mentees (average)", "Signed: Ivo Fourth"}
    assert by_item(closed[closed["view"] == "Mentees (average)"]) == pytest.approx(Q3_AVERAGE, abs=0.006)
    assert set(closed[closed["view"] == "Signed: Ivo Fourth"]["rating"]) == {5}
    assert bool(mentor_rating_coverage(world.store, mona, AFTER_Q4).set_index("period_start").loc[pd.Timestamp(Q4), "closed"])


def test_the_open_period_shows_a_count_of_zero_before_anyone_rates(world):
    coverage = mentor_rating_coverage(world.store, world.viewer("mona"), TODAY)
    assert coverage.to_dict("records") == [
        {"period_start": pd.Timestamp(Q4), "period": "2026 Q4", "mentees_who_rated": 0, "closed": False}
    ]


def test_a_mentee_switching_between_signed_and_unsigned_cannot_be_subtracted(world):
    # Fiona rates unsigned and then corrects as signed; Ivo signs and then corrects as unsigned. Both in the open Q4.
    early, late = datetime(2026, 10, 10, 9), datetime(2026, 11, 20, 9)
    rate_mona(world, "fiona", Q4, BY_FIONA, submitted_at=early)
    rate_mona(world, "gus", Q4, BY_GUS, submitted_at=early)
    rate_mona(world, "hana", Q4, BY_HANA, submitted_at=early)
    rate_mona(world, "ivo", Q4, 5, submitted_at=early, signed=True)
    before = others_view(mentor_views(world, "mona"))
    rate_mona(world, "fiona", Q4, 4, submitted_at=late, signed=True)
    rate_mona(world, "ivo", Q4, 1, submitted_at=late)
    assert before.empty and others_view(mentor_views(world, "mona")).empty
    # Once Q4 closes: the average of the latest unsigned ratings (Gus, Hana, Ivo's correction), Fiona's signed one by name,
    # and neither Fiona's unsigned first answer nor Ivo's signed first answer anywhere.
    closed = views_of_mentor(world.store, world.catalogue, world.viewer("mona"), world.ids["mona"], AFTER_Q4)
    assert set(closed["view"]) == {"Mentees (average)", "Signed: Fiona First"}
    expected = [round((g + h + 1) / 3, 2) for g, h in zip(BY_GUS, BY_HANA, strict=True)]
    assert by_item(closed[closed["view"] == "Mentees (average)"]) == pytest.approx(expected, abs=0.006)
    assert set(closed[closed["view"] == "Signed: Fiona First"]["rating"]) == {4}


def test_a_row_written_late_into_a_closed_period_changes_nothing(world):
    rate_mona(world, "fiona", Q3, BY_FIONA)
    rate_mona(world, "gus", Q3, BY_GUS)
    rate_mona(world, "hana", Q3, BY_HANA)
    shown = others_view(mentor_views(world, "mona"))
    assert by_item(shown) == pytest.approx(Q3_AVERAGE, abs=0.006)
    # Not possible through submit_assessment (it files by today's period); written directly, after Q3 ended.
    rate_mona(world, "ivo", Q3, 5, submitted_at=datetime(2026, 10, 3, 9))
    rate_mona(world, "hana", Q3, 1, submitted_at=datetime(2026, 10, 3, 9), signed=True)
    pd.testing.assert_frame_equal(others_view(mentor_views(world, "mona")), shown)


def test_a_correction_after_the_period_closed_goes_to_the_new_period(world):
    fiona = world.viewer("fiona")
    items = dict(zip(MENTOR_ITEM_IDS, BY_FIONA, strict=True))
    for day in (date(2026, 12, 30), date(2027, 1, 2)):
        submit_assessment(
            world.store, world.catalogue, fiona, "mentor-by-mentee", items, today=day, now=datetime.combine(day, time(9)),
            submission_key=uuid.uuid4().hex, subject_id=world.ids["mona"], pair_id=world.pairs["mona-fiona"],
        )  # fmt: skip
    filed = world.store.query_all(
        "SELECT period_start FROM assessments WHERE respondent_id = ? AND instrument_id = 'mentor-by-mentee' ORDER BY 1",
        [world.ids["fiona"]],
    )
    assert [row[0] for row in filed] == [Q4, date(2027, 1, 1)]


def test_a_fellow_sees_only_their_own_rating_of_their_mentor(world):
    rate_mona(world, "fiona", Q3, BY_FIONA)
    rate_mona(world, "gus", Q3, BY_GUS, signed=True)
    rate_mona(world, "hana", Q3, BY_HANA)
    rate(world, "mentor-self", "mona", "mona", Q3, 3)
    views = mentor_views(world, "fiona")
    assert set(views["view"]) == {"My rating"}
    assert periods(views) == {Q3}
    assert by_item(views) == BY_FIONA


@pytest.mark.parametrize("who", ["jo", "max", "carl", "dana", None])
def test_ratings_about_a_mentor_are_denied_to_everyone_else(world, who):
    rate_mona(world, "fiona", Q3, BY_FIONA, signed=True)
    with pytest.raises(AccessDenied):
        mentor_views(world, who)


@pytest.mark.parametrize(
    ("who", "instrument_id", "subject", "pair"),
    [
        ("fiona", "mentee-self", "fiona", None),
        ("mona", "mentee-by-mentor", "fiona", "mona-fiona"),
        ("mona", "mentor-self", "mona", None),
    ],
)
def test_only_a_rating_of_ones_mentor_can_be_signed(world, who, instrument_id, subject, pair):
    instrument = world.catalogue.get(instrument_id)
    before = (world.count("assessments"), world.count("responses"), world.count("signed_assessments"))
    with pytest.raises(InputError):
        submit_assessment(
            world.store,
            world.catalogue,
            world.viewer(who),
            instrument_id,
            {item.id: 3 for item in instrument.items},
            today=TODAY,
            now=NOW,
            submission_key=uuid.uuid4().hex,
            subject_id=world.ids[subject],
            pair_id=None if pair is None else world.pairs[pair],
            signed=True,
        )
    assert (world.count("assessments"), world.count("responses"), world.count("signed_assessments")) == before


# ---------------------------------------------------------------- process_views and latest_gaps

BY_MONA_PROCESS = [5, 4, 3, 2, 1]
BY_FIONA_PROCESS = [1, 1, 2, 2, 5]
PROCESS_ITEM_IDS = ["shared-interests", "ground-rules", "planned-meetings", "goals-tracked", "bidirectional-feedback"]


def test_both_members_of_a_pair_see_both_sides_of_the_process_steps(world):
    rate(world, "process-steps", "mona", "fiona", Q3, BY_MONA_PROCESS, pair="mona-fiona")
    rate(world, "process-steps", "fiona", "mona", Q3, BY_FIONA_PROCESS, pair="mona-fiona")
    rate(world, "process-steps", "gus", "mona", Q3, 3, pair="mona-gus")  # another pair of Mona's
    rate(world, "process-steps", "fiona", "max", Q3, 4, pair="max-fiona")  # another pair of Fiona's
    for who in ("mona", "fiona"):
        views = process_views(world.store, world.catalogue, world.viewer(who), world.pairs["mona-fiona"])
        assert set(views["view"]) == {"Mentor: Mona Alpha", "Fellow: Fiona First"}
        for view, expected in (("Mentor: Mona Alpha", BY_MONA_PROCESS), ("Fellow: Fiona First", BY_FIONA_PROCESS)):
            rows = views[views["view"] == view].set_index("item_id")
            assert [int(rows.loc[item, "rating"]) for item in PROCESS_ITEM_IDS] == expected


@pytest.mark.parametrize("who", ["max", "gus", "hana", "dana", None])
def test_the_process_steps_of_a_pair_are_denied_to_a_third_person(world, who):
    rate(world, "process-steps", "mona", "fiona", Q3, BY_MONA_PROCESS, pair="mona-fiona")
    with pytest.raises(AccessDenied):
        process_views(world.store, world.catalogue, world.viewer(who) if who else None, world.pairs["mona-fiona"])


def test_process_views_of_an_unknown_pair_are_denied(world):
    with pytest.raises(AccessDenied):
        process_views(world.store, world.catalogue, world.viewer("fiona"), 999_999)


def gap_frame(rows) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"period_start": pd.Timestamp(period), "item_id": item, "quality": quality, "view": view, "rating": rating}
            for period, item, quality, view, rating in rows
        ]
    )


def test_latest_gaps_compares_the_latest_ratings_largest_gap_first():
    old, new = date(2024, 1, 1), date(2024, 4, 1)
    frame = gap_frame(
        [
            # newest rows first, so the function must order by period itself
            (new, "e", "Epsilon", "Self-view", 4.0),
            (new, "e", "Epsilon", "Mentor: M", 1.0),  # gap 3
            (new, "a", "Alpha", "Self-view", 5.0),
            (old, "a", "Alpha", "Self-view", 1.0),
            (new, "a", "Alpha", "Mentor: M", 2.0),  # latest 5 vs 2: gap 3
            (new, "b", "Beta", "Self-view", 3.0),
            (new, "b", "Beta", "Mentor: M", 4.0),
            (old, "b", "Beta", "Mentor: M", 1.0),  # latest 3 vs 4: gap 1
            (new, "c", "Gamma", "Mentor: M", 5.0),
            (new, "c", "Gamma", "Self-view", 1.0),  # gap 4
            (new, "d", "Delta", "Self-view", 2.0),
            (new, "d", "Delta", "Mentor: M", 2.0),
            (old, "d", "Delta", "Mentor: M", 5.0),  # latest 2 vs 2: gap 0
        ]
    )
    gaps = latest_gaps(frame, "Self-view")
    assert list(gaps.columns) == ["item_id", "quality", "Self-view", "Mentor: M", "gap"]
    assert list(gaps["quality"]) == ["Gamma", "Alpha", "Epsilon", "Beta", "Delta"]
    assert list(gaps["gap"]) == [4.0, 3.0, 3.0, 1.0, 0.0]
    assert list(gaps["Self-view"]) == [1.0, 5.0, 4.0, 3.0, 2.0]
    assert list(gaps["Mentor: M"]) == [5.0, 2.0, 1.0, 4.0, 2.0]


def test_latest_gaps_with_three_views_is_highest_minus_lowest():
    day = date(2024, 4, 1)
    frame = gap_frame(
        [
            (day, "a", "Alpha", "Mentor: M", 3.0),
            (day, "a", "Alpha", "Mentor: N", 4.0),
            (day, "a", "Alpha", "Self-view", 1.0),
            (day, "b", "Beta", "Mentor: M", 2.0),
            (day, "b", "Beta", "Mentor: N", 2.5),
            (day, "b", "Beta", "Self-view", 2.0),
        ]
    )
    gaps = latest_gaps(frame, "Self-view")
    assert list(gaps.columns)[2] == "Self-view"
    assert list(gaps["quality"]) == ["Alpha", "Beta"]
    assert list(gaps["gap"]) == [3.0, 0.5]


def test_latest_gaps_of_nothing_is_empty():
    assert latest_gaps(pd.DataFrame(columns=["period_start", "item_id", "quality", "view", "rating"])).empty


# ---------------------------------------------------------------- mentee_glance


def glance_rows(world: World, who: str) -> dict[str, dict]:
    frame = mentee_glance(world.store, world.viewer(who), TODAY)
    return {row["mentee"]: row for row in frame.to_dict("records")}


def missing(value) -> bool:
    return value is None or pd.isna(value)


def test_the_glance_lists_current_mentees_within_what_each_shares(world):
    # Fiona shares with Mona; Gus shares with nobody; Hana shared and withdrew; Ivo shares, one period only.
    choose(world, "fiona", "mona", "self_assessments", True, datetime(2025, 8, 1))
    choose(world, "hana", "mona", "self_assessments", True, datetime(2025, 8, 1))
    choose(world, "hana", "mona", "self_assessments", False, datetime(2026, 2, 1))
    choose(world, "ivo", "mona", "self_assessments", True, datetime(2025, 8, 1))
    rate(world, "mentee-self", "gus", "gus", Q3, 5)
    rate(world, "mentee-self", "hana", "hana", Q3, 4)
    rate(world, "mentee-self", "ivo", "ivo", Q3, [1, 2, 3, 4, 5, 1, 2, 3, 4])  # 25/9 = 2.78
    rate(world, "mentee-by-mentor", "mona", "gus", Q4, 3, pair="mona-gus")
    add_pair(world.store, world.ids, "mona", "jo", "career", ended=date(2026, 6, 30))  # ended: not listed
    add_pair(world.store, world.ids, "mona", "jo", "research", started=date(2027, 1, 4))  # upcoming: not listed
    rows = glance_rows(world, "mona")
    assert sorted(rows) == ["Fiona First", "Gus Second", "Hana Third", "Ivo Fourth"]

    fiona = rows["Fiona First"]
    assert fiona["shares_self_assessments"]
    assert fiona["self_latest"] == pytest.approx(3.89, abs=0.006)
    assert fiona["self_change"] == pytest.approx(0.89, abs=0.006)
    assert pd.Timestamp(fiona["self_latest_period"]) == pd.Timestamp(Q4)
    assert fiona["my_latest_rating"] == pytest.approx(4.0)  # Mona's rating, not Max's 2
    assert fiona["my_rating_due"]

    for name in ("Gus Second", "Hana Third"):
        assert not rows[name]["shares_self_assessments"]
        assert missing(rows[name]["self_latest"]) and missing(rows[name]["self_change"])
    assert not rows["Gus Second"]["my_rating_due"]
    assert rows["Gus Second"]["my_latest_rating"] == pytest.approx(3.0)

    ivo = rows["Ivo Fourth"]
    assert ivo["shares_self_assessments"]
    assert ivo["self_latest"] == pytest.approx(2.78, abs=0.006)
    assert missing(ivo["self_change"])
    assert missing(ivo["my_latest_rating"]) and ivo["my_rating_due"]


def test_sharing_with_another_mentor_does_not_reach_the_glance(world):
    choose(world, "fiona", "max", "self_assessments", True, datetime(2025, 8, 1))
    choose(world, "fiona", "mona", "goals", True, datetime(2025, 8, 1))
    fiona = glance_rows(world, "mona")["Fiona First"]
    assert not fiona["shares_self_assessments"]
    assert missing(fiona["self_latest"])
    assert glance_rows(world, "max")["Fiona First"]["self_latest"] == pytest.approx(3.89, abs=0.006)


def test_a_mentor_whose_pairs_all_ended_has_nobody_at_a_glance(world):
    choose(world, "fiona", "eve", "self_assessments", True, datetime(2025, 8, 1))
    assert mentee_glance(world.store, world.viewer("eve"), TODAY).empty


@pytest.mark.parametrize("who", ["fiona", "dana", None])
def test_the_glance_is_for_mentors_only(world, who):
    with pytest.raises(AccessDenied):
        mentee_glance(world.store, world.viewer(who) if who else None, TODAY)


# ---------------------------------------------------------------- on the demo program


@pytest.fixture
def demo(demo_store):
    catalogue = register_catalogue(demo_store, load_catalogue(), NOW)

    def person(email: str) -> Viewer:
        return load_viewer(demo_store, demo_store.query_one("SELECT person_id FROM people WHERE email = ?", [email])[0])

    return (
        demo_store,
        catalogue,
        person(DEMO_ACCOUNTS["fellow"]),
        person(DEMO_ACCOUNTS["mentor"]),
        person(DEMO_ACCOUNTS["director"]),
    )


def test_demo_the_demo_fellow_shares_with_the_demo_mentor_and_the_private_fellow_does_not(demo):
    store, catalogue, fellow, mentor, _ = demo
    private = fellow.person_id + 2
    assert store.query_one(
        "SELECT count(*) FROM pairs WHERE mentor_id = ? AND mentee_id = ? AND ended_on IS NULL", [mentor.person_id, private]
    )[0]
    assert shared_until(store, mentor, fellow.person_id, "self_assessments") == date.max
    assert shared_until(store, mentor, private, "self_assessments") is None
    glance = mentee_glance(store, mentor, TODAY).set_index("mentee_id")
    assert not glance.loc[private, "shares_self_assessments"] and missing(glance.loc[private, "self_latest"])
    # The demo fellow's latest average, computed from their own history as they see it.
    own = rating_history(store, catalogue, fellow, fellow.person_id)
    own = own[own["instrument_id"] == "mentee-self"]
    by_period = own.groupby("period_start")["rating"].mean().sort_index()
    assert glance.loc[fellow.person_id, "shares_self_assessments"]
    assert glance.loc[fellow.person_id, "self_latest"] == pytest.approx(by_period.iloc[-1], abs=0.006)
    assert glance.loc[fellow.person_id, "self_change"] == pytest.approx(by_period.iloc[-1] - by_period.iloc[-2], abs=0.011)


def test_demo_ending_the_pair_cuts_the_mentor_off_at_the_end_date(demo):
    store, catalogue, fellow, mentor, director = demo
    [pair_id] = [
        row[0]
        for row in store.query_all(
            "SELECT pair_id FROM pairs WHERE mentor_id = ? AND mentee_id = ?", [mentor.person_id, fellow.person_id]
        )
    ]
    own = periods(rating_history(store, catalogue, fellow, fellow.person_id))
    ended_on = date(2026, 2, 10)
    assert any(period > ended_on for period in own)  # so the cut-off has something to cut
    end_pair(store, director, pair_id, ended_on, "completed", None, TODAY)
    assert shared_until(store, mentor, fellow.person_id, "self_assessments") == ended_on
    seen = periods(rating_history(store, catalogue, mentor, fellow.person_id))
    # Cut by when each self-assessment was submitted, not by the start of its period.
    recorded_by_the_end = {
        row[0]
        for row in store.query_all(
            "SELECT period_start FROM assessments WHERE respondent_id = ? AND subject_id = ? AND submitted_at::DATE <= ?",
            [fellow.person_id, fellow.person_id, ended_on],
        )
    }
    assert date(2026, 1, 1) in own and date(2026, 1, 1) not in recorded_by_the_end  # its period started before the end
    assert seen == recorded_by_the_end
    assert fellow.person_id not in set(mentee_glance(store, mentor, TODAY)["mentee_id"])
    # The fellow may still withdraw, and then the mentor sees nothing at all.
    assert set_sharing(store, fellow, {(mentor.person_id, "self_assessments"): False}, NOW) == 1
    with pytest.raises(AccessDenied):
        rating_history(store, catalogue, mentor, fellow.person_id)


def test_demo_a_withdrawal_made_on_the_demo_day_counts(tmp_path):
    today = date(2026, 7, 10)  # nine days after the newest cohort's pairs started
    now = datetime(2026, 7, 10, 17)
    with Store(tmp_path / "july.duckdb") as store:
        build_demo_program(store, register_catalogue(store, load_catalogue(), datetime(2026, 7, 10, 8)), today)
        shared = store.query_df(
            """
            SELECT mentee_id, mentor_id, record_kind FROM sharing_choices
            QUALIFY row_number() OVER (PARTITION BY mentee_id, mentor_id, record_kind ORDER BY chosen_at DESC) = 1
              AND shared
            """
        )
        for mentee_id, rows in shared.groupby("mentee_id"):  # every fellow withdraws everything at the end of the day
            choices = {(int(row.mentor_id), row.record_kind): False for row in rows.itertuples()}
            assert set_sharing(store, load_viewer(store, int(mentee_id)), choices, now) == len(choices)
        still_open = [
            (int(row.mentee_id), int(row.mentor_id), row.record_kind)
            for row in shared.itertuples()
            if shared_until(store, load_viewer(store, int(row.mentor_id)), int(row.mentee_id), row.record_kind) is not None
        ]
        assert still_open == []


def test_demo_a_former_mentor_sees_nothing_recorded_after_the_pair_ended(demo):
    """The pair ends; 40 days later, in the same quarter, the fellow corrects this quarter's self-assessment,
    logs a goal check-in dated (typed) before the end, and logs an output that happened before the end.
    The cut-off is when each was recorded, so the former mentor sees none of them."""
    store, catalogue, fellow, mentor, director = demo
    [pair_id] = [
        row[0]
        for row in store.query_all(
            "SELECT pair_id FROM pairs WHERE mentor_id = ? AND mentee_id = ?", [mentor.person_id, fellow.person_id]
        )
    ]
    ended_on = date(2026, 10, 5)
    before_end = datetime(2026, 10, 2, 9)
    after_end = datetime.combine(ended_on + timedelta(days=40), time(9))  # 2026-11-14, still 2026 Q4
    assert (after_end.date().month - 1) // 3 == (ended_on.month - 1) // 3
    items = [item.id for item in catalogue.get("mentee-self").items]

    def self_assess(value: int, when: datetime) -> None:
        submit_assessment(
            store, catalogue, fellow, "mentee-self", dict.fromkeys(items, value),
            today=when.date(), now=when, submission_key=uuid.uuid4().hex,
        )  # fmt: skip

    self_assess(2, before_end)
    goal_id = create_goal(
        store, fellow, "Submit the registry abstract", "research", "percent", 100, date(2027, 3, 1),
        before_end.date(), before_end,
    )  # fmt: skip
    end_pair(store, director, pair_id, ended_on, "completed", None, ended_on)

    self_assess(5, after_end)  # the correction: same period, recorded 40 days after the end
    add_checkin(store, fellow, goal_id, 60, ended_on - timedelta(days=2), "typed as before the end", after_end.date(), after_end)
    log_output(store, fellow, "abstract", "Late-logged abstract", ended_on - timedelta(days=20), after_end.date(), after_end)

    assert shared_until(store, mentor, fellow.person_id, "self_assessments") == ended_on
    history = rating_history(store, catalogue, mentor, fellow.person_id)
    q4 = history[history["period_start"] == pd.Timestamp(Q4)]
    assert set(q4["rating"]) == {2}  # the version recorded before the end, not the correction
    views = views_of_mentee(store, catalogue, mentor, fellow.person_id)
    assert set(views[(views["view"] == "Self-view") & (views["period_start"] == pd.Timestamp(Q4))]["rating"]) == {2}
    goal = goals_of(store, mentor, fellow.person_id, after_end.date()).set_index("goal_id").loc[goal_id]
    assert goal["checkins"] == 0 and goal["latest_value"] == 0
    assert list(goal_history(store, mentor, goal_id)["kind"]) == ["start"]
    assert "Late-logged abstract" not in set(outputs_of(store, mentor, fellow.person_id)["title"])
    # The fellow sees all of it.
    assert set(rating_history(store, catalogue, fellow, fellow.person_id).query("period_start == @Q4")["rating"]) == {5}
    assert goals_of(store, fellow, fellow.person_id, after_end.date()).set_index("goal_id").loc[goal_id, "checkins"] == 1
    assert "Late-logged abstract" in set(outputs_of(store, fellow, fellow.person_id)["title"])


def test_a_former_partner_sees_no_process_step_rating_submitted_after_the_pair_ended(store, catalogue):
    """The fellow rates the process steps on 20 September while the pair still runs; on the 22nd the
    director records that it ended on 1 September. The joint record stops at the end day for the
    former mentor, as every record of a former partner does; the fellow still sees their own."""
    from analytics import auth, pairs, roster

    start = datetime(2026, 7, 6, 9)
    director = load_viewer(
        store, auth.create_first_director(store, "Dana Director", "dana@example.org", "correct horse battery 9", "Heme", start)
    )
    cohort = roster.add_cohort(store, director, "Class of 2028", 2026)
    fellow_id = roster.add_person(store, director, "Fran Fellow", "fran@example.org", "fellow", cohort, start)
    mentor_id = roster.add_person(store, director, "Max Mentor", "max@example.org", "mentor", None, start)
    pair_id = pairs.create_pair(store, director, mentor_id, fellow_id, "career", date(2026, 7, 6), date(2026, 7, 6))
    fellow, mentor = load_viewer(store, fellow_id), load_viewer(store, mentor_id)
    steps = [item.id for item in catalogue.get("process-steps").items]
    for who, value, key in ((mentor, 4, "mentor-steps"), (fellow, 1, "fellow-steps")):
        submit_assessment(
            store, catalogue, who, "process-steps", dict.fromkeys(steps, value), today=date(2026, 9, 20),
            now=datetime(2026, 9, 20, 12), submission_key=key, subject_id=fellow_id if who is mentor else mentor_id,
            pair_id=pair_id,
        )  # fmt: skip
    assert set(process_views(store, catalogue, mentor, pair_id)["view"]) == {"Mentor: Max Mentor", "Fellow: Fran Fellow"}
    end_pair(store, director, pair_id, date(2026, 9, 1), "stopped", "Moved away", date(2026, 9, 22))

    seen = process_views(store, catalogue, mentor, pair_id)
    assert set(seen["view"]) == {"Mentor: Max Mentor"}  # their own rating, not the fellow's of after the end
    assert set(process_views(store, catalogue, fellow, pair_id)["view"]) == {"Fellow: Fran Fellow"}  # nor the mentor's
