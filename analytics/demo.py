"""A realistic synthetic fellowship program, generated deterministically from a seed and a date.

Used to fill a new database in demo mode (so every chart has data on first start), and from
the command line to build databases of any size for benchmarks:

    python -m analytics.demo --db data/demo.duckdb --today 2026-11-26 --fellows 30
    python -m analytics.demo --db big.duckdb --today 2026-11-26 --responses 10000000

A large database is a society of programs served from one server: the demo program first (exactly the
default demo, with the demo accounts), then as many programs of realistic size as the request needs, each
with its own director, cohorts, mentors, pairs and history (ten million responses: about 210 programs).

Everything is drawn in whole arrays (one numpy call per quantity per instrument, not per person), and
inserted with one statement per table for all programs at once, so ten million item responses take
seconds, not hours.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from analytics import demo_goals, demo_meetings, demo_outputs
from analytics.auth import hash_password
from analytics.bulk import checkpoint, insert_accounts, insert_frame, insert_program, reserve_ids
from analytics.instruments import Catalogue, load_catalogue
from analytics.people import has_no_people
from analytics.periods import DEFAULT_PERIOD_MONTHS, period_start
from analytics.registry import register_catalogue
from analytics.store import Store

DEMO_PASSWORD = "demo"
DEMO_ACCOUNTS = {"fellow": "fellow@demo.org", "mentor": "mentor@demo.org", "director": "director@demo.org"}
DOMAINS = ("career", "research", "social")
FELLOWSHIP_YEARS = 3  # a fellow whose fellowship ended is inactive and their pairs have ended
COHORT_SIZE = 25  # fellows per cohort once a start year has more than MAX_COHORT
MAX_COHORT = 40
MENTORS_PER_FELLOW = 0.4  # as in the default program: 12 mentors for 30 fellows
_FIRST = """Amara Ben Chloe Dev Elena Farid Grace Hiro Imani Jonas Kavya Liam Mei Nadia Omar Priya Quinn Rosa
    Samir Tara Umar Vera Wen Ximena Yusuf Zoe Aisha Bruno Carmen Daniel Esther Felix Gita Hannah Ivan
    Julia Kenji Leila Marco Noor""".split()
_LAST = """Adeyemi Bauer Castillo Dubois Eriksen Fontaine Garcia Haddad Ito Jensen Kowalski Lindqvist Moreau
    Nakamura Okafor Petrov Quintero Rossi Sato Tanaka Ueda Varga Walsh Xu Yilmaz Zimmermann Abbasi
    Brennan Chen Dlamini Evans Fischer Gupta Hoang Iqbal Jovanovic Kim Lopez Mensah Novak""".split()
_PERIOD = DEFAULT_PERIOD_MONTHS
# (instrument, who answers, about whom, share of periods answered); pair instruments run per pair.
_PERSON_STREAMS = (("mentee-self", 0.92), ("mentor-self", 0.85))
_PAIR_STREAMS = (
    ("mentor-by-mentee", "mentee", "mentor", 0.7),
    ("mentee-by-mentor", "mentor", "mentee", 0.8),
    ("process-steps", "mentee", "mentor", 0.75),
    ("process-steps", "mentor", "mentee", 0.75),
)


@dataclass(frozen=True)
class DemoSize:
    fellows: int = 30
    mentors: int = 12
    years: int = 2
    small_cohort: int = 4  # under the minimum group size, so suppression shows
    # (start year, fellows) per cohort, oldest first, for a program of the society; empty: shaped from the above
    cohorts: tuple[tuple[int, int], ...] = ()


def size_for_responses(responses: int, today: date, seed: int = 7) -> DemoSize:
    """A program that holds about `responses` item responses: more years of history and more fellows as it grows.

    The count is estimated from the program's structure (cohorts, pairs, periods) without drawing any
    rating, and the number of fellows is rescaled until the estimate is within 1% of the request.
    """
    years = 2 if responses < 50_000 else 3 if responses < 500_000 else 4 if responses < 2_000_000 else 5
    fellows = max(10, round(responses / (150 * years)))
    catalogue = load_catalogue()
    for _ in range(4):
        size = DemoSize(fellows, max(4, round(fellows * MENTORS_PER_FELLOW)), years)
        expected = _expected_responses(_plan(np.random.default_rng(seed), size, today), catalogue, today, size)
        if abs(expected - responses) <= 0.01 * responses or fellows == 10 and expected > responses:
            break
        fellows = max(10, round(fellows * responses / expected))
    return size


def _names(rng: np.random.Generator, count: int) -> list[str]:
    combos = [f"{first} {last}" for first in _FIRST for last in _LAST]
    order = rng.permutation(len(combos))
    names = [combos[i] for i in order[: min(count, len(combos))]]
    while len(names) < count:  # large benchmark programs reuse names with a number
        names.append(f"{combos[order[len(names) % len(combos)]]} {len(names) // len(combos) + 1}")
    return names


def build_database(
    path: str | Path, today: date, responses: int | None = None, seed: int = 7, size: DemoSize | None = None
) -> dict:
    """Create a new DuckDB file holding the demo program, or a society of programs of about `responses` item
    responses in all (the demo program first), or one program of `size`.

    Returns the summary: counts of what was inserted per table (all programs together), the number of
    programs, fellows, mentors and years of history, and the seconds taken.
    """
    if Path(path).exists():
        raise FileExistsError(f"{path} exists; the demo program only fills a new database file")
    began = time.perf_counter()
    members = None
    if size is None and responses is not None:
        members = society_for_responses(responses, today, seed)
        if members is None:  # fewer responses than a society needs: one program of that size
            size = size_for_responses(responses, today, seed)
    size = size or DemoSize()
    # The whole build is one transaction: room for a large one (the app's default limit is 256MB).
    with Store(path, memory_limit="4GB") as store:
        catalogue = register_catalogue(store, load_catalogue(), datetime.combine(today, datetime.min.time()))
        if members is None:
            summary = build_demo_program(store, catalogue, today, seed, size)
            summary |= {"programs": 1, "fellows": size.fellows, "mentors": size.mentors, "years": size.years}
        else:
            summary = build_society(store, catalogue, today, seed, members)
        checkpoint(store)
    summary["seconds"] = round(time.perf_counter() - began, 2)
    return summary


def build_demo_program(store: Store, catalogue: Catalogue, today: date, seed: int = 7, size: DemoSize = DemoSize()) -> dict:
    """Fill an empty database with one program's people, pairs and assessment history.

    Trajectories vary on purpose: some fellows grow steadily, some plateau, some dip and recover.
    The current period is left partly undone, so Home shows what is due.
    """
    if not has_no_people(store):
        raise ValueError("the database already has people; the demo program only fills a new database")
    rng = np.random.default_rng(seed)
    summary = store.write(lambda cur: _build(cur, catalogue, today, rng, size, _created(today, size.years)))
    return summary


def _created(today: date, years: int) -> datetime:
    return datetime.combine(today - timedelta(days=365 * years + 30), datetime.min.time())


# A society's programs: the demo program, then programs named after a city and a kind of fellowship.
_CITIES = """Aberdeen Auckland Barcelona Bergen Bologna Boston Brisbane Calgary Cape_Town Chicago Copenhagen Denver
    Dublin Edinburgh Geneva Glasgow Halifax Helsinki Houston Kyoto Leeds Leiden Lisbon Lyon Madison Melbourne
    Montreal Munich Nashville Oslo Ottawa Porto Rotterdam Seattle Seoul Singapore Stockholm Toronto Utrecht Vienna""".split()
_KINDS = ("Hematology", "Hematology-Oncology", "Benign Hematology", "Hemostasis and Thrombosis", "Transfusion Medicine")


def _program_name(number: int) -> str:
    """The name of the society's program `number` (1 for the first after the demo program)."""
    city = _CITIES[(number - 1) % len(_CITIES)].replace("_", " ")
    kind = _KINDS[(number - 1) // len(_CITIES) % len(_KINDS)]
    repeat = (number - 1) // (len(_CITIES) * len(_KINDS))
    return f"{city} {kind} Fellowship" + (f" {repeat + 1}" if repeat else "")


def _society_years(responses: int) -> int:
    return 2 if responses < 50_000 else 3 if responses < 500_000 else 4 if responses < 2_000_000 else 5


def _society_member(seed: int, number: int, per_year: np.ndarray, years: int, today: date) -> _Member:
    """Program `number` of the society: `per_year` fellows per start year (oldest first), in one to three cohorts
    of at least five each (none in a year before the program began); mentors in the demo program's proportion;
    one director."""
    rng = np.random.default_rng([seed, number])
    newest = today.year if today.month >= 7 else today.year - 1
    cohorts = []
    for offset, count in enumerate(per_year):
        if not count:  # a program founded after the start of the history has no cohort that year
            continue
        parts = min(int(rng.integers(1, 4)), max(int(count) // 8, 1))
        cohorts += [(newest - years + offset, len(part)) for part in np.array_split(np.arange(count), parts)]
    fellows = int(sum(per_year))
    size = DemoSize(fellows, max(4, round(fellows * MENTORS_PER_FELLOW)), years, 0, tuple(cohorts))
    names = _names(rng, size.fellows + size.mentors + 1)
    plan = _plan(rng, size, today)
    return _Member(_program_name(number), size, names, plan, _created(today, years), f"program{number}.demo.org")


def society_for_responses(responses: int, today: date, seed: int = 7) -> list[_Member] | None:
    """The programs besides the demo program that bring a database to about `responses` item responses.

    Each program has 8 to 33 fellows per start year (a typical size per program, varied per year) over
    the years of history, which grow with the request; the last program is scaled to what remains. None
    when the demo program alone is about as large as asked, or larger: then one program is sized instead.
    """
    catalogue = load_catalogue()
    demo = DemoSize()
    rng = np.random.default_rng(seed)
    _names(rng, demo.fellows + demo.mentors + 1)  # as _build draws them, so the plan is the demo's own
    remaining = responses - _expected_responses(_plan(rng, demo, today), catalogue, today, demo)
    if remaining < 0.1 * responses:
        return None
    years = _society_years(responses)
    members: list[_Member] = []
    while remaining > 0.03 * responses:
        number = len(members) + 1
        shape = np.random.default_rng([seed, number, 1])
        typical = int(shape.integers(10, 27))
        per_year = np.clip(np.rint(typical * shape.uniform(0.75, 1.25, years + 1)), 8, 40).astype(int)
        member = _society_member(seed, number, per_year, years, today)
        expected = _expected_responses(member.plan, catalogue, today, member.size)
        if expected > remaining:  # the last program: as large as what remains
            per_year = np.maximum(np.rint(per_year * remaining / expected), 5).astype(int)
            member = _society_member(seed, number, per_year, years, today)
            expected = _expected_responses(member.plan, catalogue, today, member.size)
            if expected > 1.05 * remaining:  # still too large: a young program, whose oldest years go
                while expected > 1.05 * remaining and np.count_nonzero(per_year) > 1:
                    per_year[np.flatnonzero(per_year)[0]] = 0
                    member = _society_member(seed, number, per_year, years, today)
                    expected = _expected_responses(member.plan, catalogue, today, member.size)
                # then as large in its remaining years as what remains
                per_year = np.where(per_year > 0, np.clip(np.rint(per_year * remaining / expected), 5, 40), 0).astype(int)
                member = _society_member(seed, number, per_year, years, today)
                expected = _expected_responses(member.plan, catalogue, today, member.size)
        members.append(member)
        remaining -= expected
    return members


def build_society(store: Store, catalogue: Catalogue, today: date, seed: int, members: list[_Member]) -> dict:
    """Fill an empty database with the demo program (exactly as `build_demo_program` builds it) and `members`,
    the society's other programs, all of them in one pass per table. Returns the summed counts."""
    if not has_no_people(store):
        raise ValueError("the database already has people; the demo program only fills a new database")
    demo = DemoSize()

    def work(cur) -> dict:
        first = _build(cur, catalogue, today, np.random.default_rng(seed), demo, _created(today, demo.years))
        rest = _fill(cur, catalogue, today, np.random.default_rng([seed, 0]), members, demo=False)
        return {
            key: value if key == "program_id" or isinstance(value, bool) else value + rest[key] for key, value in first.items()
        }

    summary = store.write(work)
    return summary | {
        "programs": 1 + len(members),
        "fellows": demo.fellows + sum(member.size.fellows for member in members),
        "mentors": demo.mentors + sum(member.size.mentors for member in members),
        "years": members[0].size.years,
    }


@dataclass
class _Program:
    """The program's shape before any id is taken: people are positions, fellows first."""

    cohort_years: list[int]
    cohort_names: list[str]
    fellow_cohort: np.ndarray  # cohort position per fellow
    fellow_since: np.ndarray  # datetime64[D]: the fellowship's start
    fellow_until: np.ndarray  # datetime64[D]: the fellowship's end, NaT while it runs
    mentor_load: np.ndarray
    busiest: int
    pairs: pd.DataFrame  # mentor and mentee as positions among mentors and fellows


def _cohorts(size: DemoSize, today: date) -> tuple[list[int], list[int], list[str]]:
    """Start year, size and name per cohort. The cohorts still in fellowship come first (the demo accounts
    are in the first one), then earlier ones; the newest start year has a cohort under the minimum size."""
    if size.cohorts:  # a program of the society: its cohorts are given
        counts = {}
        for year, _ in size.cohorts:
            counts[year] = counts.get(year, 0) + 1
        names, seen = [], {}
        for year, _ in size.cohorts:
            seen[year] = seen.get(year, 0) + 1
            group = f" (group {seen[year]})" if counts[year] > 1 else ""
            names.append(f"Class of {year + FELLOWSHIP_YEARS}{group}")
        return [year for year, _ in size.cohorts], [count for _, count in size.cohorts], names
    newest = today.year if today.month >= 7 else today.year - 1  # fellowships start in July
    years = [newest - 2, newest - 1, newest] + list(range(newest - 3, newest - size.years - 1, -1))
    small = min(size.small_cohort, max(size.fellows - 2, 0))
    rest = size.fellows - small
    older = len(years) - 1
    if rest <= MAX_COHORT * older:  # a small program: one cohort per start year
        shares = [len(part) for part in np.array_split(np.arange(rest), older)]
        shares.insert(2, small)
        return years, shares, [f"Class of {year + FELLOWSHIP_YEARS}" for year in years]
    cohort_years, sizes, names = [], [], []
    for year, share in zip(years, np.array_split(np.arange(rest), len(years)), strict=True):
        groups = [len(part) for part in np.array_split(share, -(-len(share) // COHORT_SIZE))]
        if year == newest:
            groups.append(small)
        for number, count in enumerate(groups, start=1):
            cohort_years.append(year)
            sizes.append(count)
            names.append(f"Class of {year + FELLOWSHIP_YEARS} (group {number})")
    return cohort_years, sizes, names


def _plan(rng: np.random.Generator, size: DemoSize, today: date) -> _Program:
    years, sizes, names = _cohorts(size, today)
    fellow_cohort = np.repeat(np.arange(len(sizes)), sizes)
    starts = np.array([f"{year}-07-01" for year in years], dtype="datetime64[D]")
    fellow_since = starts[fellow_cohort]
    ended = (starts.astype("datetime64[M]") + 12 * FELLOWSHIP_YEARS).astype("datetime64[D]") - 1  # 30 June, three years on
    fellow_until = np.where(ended < np.datetime64(today), ended, np.datetime64("NaT"))[fellow_cohort]
    # The demo mentor is the busiest one, so mentor-facing views have three or more mentees.
    mentor_load = _mentor_load(rng, size)
    busiest = int(np.argmax(mentor_load))
    pairs = _make_pairs(rng, size, fellow_since, fellow_until, mentor_load, today, busiest)
    return _Program(years, names, fellow_cohort, fellow_since, fellow_until, mentor_load, busiest, pairs)


DEMO_PROGRAM = "Demo Hematology Fellowship"


@dataclass
class _Member:
    """One program of a build before any id is taken: its name, shape, people's names and plan."""

    name: str
    size: DemoSize
    names: list[str]  # fellows, then mentors, then the director
    plan: _Program
    created: datetime
    email_domain: str


def _build(cur, catalogue: Catalogue, today: date, rng: np.random.Generator, size: DemoSize, created: datetime) -> dict:
    """The demo program alone (the default demo, and the first program of a society)."""
    names = _names(rng, size.fellows + size.mentors + 1)
    plan = _plan(rng, size, today)
    return _fill(cur, catalogue, today, rng, [_Member(DEMO_PROGRAM, size, names, plan, created, "demo.org")], demo=True)


def _fill(cur, catalogue: Catalogue, today: date, rng: np.random.Generator, members: list[_Member], demo: bool) -> dict:
    """Insert the programs of `members` with their people, pairs and history, all programs in one pass per table.

    With `demo`, the first member is the demo program: the demo accounts are its people.
    """
    program_ids = np.array([insert_program(cur, member.name, DEFAULT_PERIOD_MONTHS, member.created) for member in members])
    cohort_counts = np.array([len(member.plan.cohort_years) for member in members])
    cohort_ids = reserve_ids(cur, "cohort_ids", int(cohort_counts.sum()))
    insert_frame(
        cur,
        "cohorts",
        pd.DataFrame(
            {
                "cohort_id": cohort_ids,
                "program_id": np.repeat(program_ids, cohort_counts),
                "name": [name for member in members for name in member.plan.cohort_names],
                "start_year": [year for member in members for year in member.plan.cohort_years],
            }
        ),
    )
    people_counts = np.array([len(member.names) for member in members])
    person_ids = reserve_ids(cur, "person_ids", int(people_counts.sum()))
    person_at = np.concatenate([[0], np.cumsum(people_counts)])
    cohort_at = np.concatenate([[0], np.cumsum(cohort_counts)])
    fellow_parts, mentor_parts, pair_parts, roles, cohort_of, active, emails = [], [], [], [], [], [], []
    for number, member in enumerate(members):
        size, plan = member.size, member.plan
        ids = person_ids[person_at[number] : person_at[number + 1]]
        fellow_ids, mentor_ids = ids[: size.fellows], ids[size.fellows : -1]
        fellow_parts.append(fellow_ids)
        mentor_parts.append(mentor_ids)
        mine = _emails(member.names, member.email_domain)
        if demo and number == 0:
            mine[0] = DEMO_ACCOUNTS["fellow"]
            mine[-1] = DEMO_ACCOUNTS["director"]
            mine[size.fellows + plan.busiest] = DEMO_ACCOUNTS["mentor"]
        emails += mine
        cohorts = np.full(len(ids), -1)
        cohorts[: size.fellows] = cohort_ids[cohort_at[number] : cohort_at[number + 1]][plan.fellow_cohort]
        cohort_of.append(cohorts)
        alive = np.ones(len(ids), dtype=bool)
        alive[: size.fellows] = np.isnat(plan.fellow_until)  # a fellow whose fellowship ended is inactive
        active.append(alive)
        roles.append(np.repeat([0, 1, 2], [size.fellows, size.mentors, 1]))
        pair_parts.append(
            plan.pairs.drop(columns=["mentor", "mentee"]).assign(
                program_id=program_ids[number],
                mentor_id=mentor_ids[plan.pairs["mentor"].to_numpy()],
                mentee_id=fellow_ids[plan.pairs["mentee"].to_numpy()],
            )
        )
    fellow_ids, mentor_ids = np.concatenate(fellow_parts), np.concatenate(mentor_parts)
    cohort_of = np.concatenate(cohort_of)
    insert_frame(
        cur,
        "people",
        pd.DataFrame(
            {
                "person_id": person_ids,
                "program_id": np.repeat(program_ids, people_counts),
                "full_name": [name for member in members for name in member.names],
                "email": emails,
                "cohort_id": pd.array(np.where(cohort_of < 0, None, cohort_of), dtype="Int64"),
                "active": np.concatenate(active),
                "created_at": np.repeat(np.array([member.created for member in members], dtype="datetime64[us]"), people_counts),
            }
        ),
    )
    roles = pd.DataFrame(
        {
            "person_id": person_ids,
            "role": pd.Categorical.from_codes(np.concatenate(roles), categories=["fellow", "mentor", "director"]),
        }
    )
    insert_frame(cur, "person_roles", roles)
    # Every demo person signs in with the demo password; demo accounts never enter the real database.
    insert_accounts(cur, hash_password(DEMO_PASSWORD), int(person_ids.min()), int(person_ids.max()))

    pairs = pd.concat(pair_parts, ignore_index=True)
    pairs.insert(0, "pair_id", reserve_ids(cur, "pair_ids", len(pairs)))
    pairs = pairs[["pair_id", "program_id", "mentor_id", "mentee_id", "domain", "started_on", "ended_on", "end_status"]]
    insert_frame(cur, "pairs", pairs)

    years = {member.size.years for member in members}
    assert len(years) == 1, years  # one history window for the whole pass
    size = DemoSize(len(fellow_ids), len(mentor_ids), years.pop())
    plan = _Program(
        [],
        [],
        np.zeros(0, dtype=int),
        np.concatenate([member.plan.fellow_since for member in members]),
        np.concatenate([member.plan.fellow_until for member in members]),
        np.zeros(0),
        0,
        pairs,
    )
    created = members[0].created
    demo_fellow = int(fellow_ids[0]) if demo else -1
    streams = _streams(plan, size, fellow_ids, mentor_ids, pairs, today)
    assessments, responses, items = _history(rng, catalogue, today, size, streams, demo_fellow)
    assessment_ids = reserve_ids(cur, "assessment_ids", len(assessments))
    assessments.insert(0, "assessment_id", assessment_ids)
    insert_frame(cur, "assessments", assessments)  # its submission key is made from the id and key_random
    responses["assessment_id"] = np.repeat(assessment_ids, items)
    insert_frame(cur, "responses", responses)
    insert_frame(cur, "sharing_choices", _sharing(rng, pairs, demo_fellow=demo_fellow, created=created, today=today))
    by_mentee = (assessments["instrument_id"] == "mentor-by-mentee").to_numpy()
    signed = by_mentee & (rng.random(len(assessments)) < 0.3)
    insert_frame(
        cur,
        "signed_assessments",
        pd.DataFrame({"assessment_id": assessment_ids[signed], "signed_at": assessments["submitted_at"].to_numpy()[signed]}),
    )
    summary = {
        "program_id": int(program_ids[0]),
        "people": len(person_ids),
        "pairs": len(pairs),
        "assessments": len(assessments),
        "responses": len(responses),
    }
    # Each area has its own random stream, so adding one never changes another's data.
    fellows, mentors = fellow_ids.astype(int).tolist(), mentor_ids.astype(int).tolist()
    seed = int(rng.integers(0, 2**31))
    summary |= demo_goals.generate(cur, np.random.default_rng([seed, 1]), program_ids[0], fellows, pairs, today, demo_fellow)
    summary |= demo_meetings.generate(cur, np.random.default_rng([seed, 2]), program_ids[0], fellows, pairs, today, demo_fellow)
    # Another program mentor a fellow lists is one of their own program's mentors.
    mentor_counts = np.array([member.size.mentors for member in members])
    mentor_from = np.repeat(np.concatenate([[0], np.cumsum(mentor_counts)[:-1]]), [m.size.fellows for m in members])
    summary |= demo_outputs.generate(
        cur,
        np.random.default_rng([seed, 3]),
        program_ids[0],
        fellows,
        mentors,
        pairs,
        today,
        demo_fellow,
        mentor_range=None if len(members) == 1 else (mentor_from, np.repeat(mentor_counts, [m.size.fellows for m in members])),
    )
    return summary


def _email(name: str) -> str:
    return "".join(ch for ch in name.lower().replace(" ", ".") if ch.isalnum() or ch == ".") + "@demo.org"


def _emails(names: list[str], domain: str = "demo.org") -> list[str]:
    """first.last@demo.org, first.last.2@demo.org for a reused name (each distinct base name cleaned once)."""
    cleaned: dict[str, str] = {}
    emails = []
    for name in names:
        first, last, *rest = name.split(" ")
        base = f"{first} {last}"
        if base not in cleaned:
            cleaned[base] = _email(base).removesuffix("@demo.org")
        emails.append(cleaned[base] + "".join(f".{part}" for part in rest) + "@" + domain)
    return emails


def _mentor_load(rng: np.random.Generator, size: DemoSize) -> np.ndarray:
    """How many primary mentees each mentor takes: a few busy mentors, several with one or two."""
    weights = rng.permutation(np.linspace(3.0, 0.5, size.mentors))
    return weights / weights.sum()


def _make_pairs(rng, size, fellow_since, fellow_until, mentor_load, today, busiest) -> pd.DataFrame:
    """Each fellow's primary mentor, and for about half a second mentor for another domain.

    Mentor and mentee are positions among the mentors and the fellows. The first three fellows have the
    demo mentor; the first (the demo fellow) has a second mentor too. A pair ends (completed) when the
    fellowship ends.
    """
    fellows, mentors = size.fellows, size.mentors
    start = np.maximum(fellow_since, np.datetime64(today - timedelta(days=365 * size.years)))
    mentor = rng.choice(mentors, size=fellows, p=mentor_load)
    mentor[:3] = busiest
    domain = np.where(rng.random(fellows) < 0.6, 1, 0)  # research, else career
    second = rng.random(fellows) < 0.55
    second_mentor = rng.integers(0, max(mentors - 1, 1), fellows)
    second_mentor += (second_mentor >= mentor) & (mentors > 1)
    # the other domain: one of the two the first pair does not cover
    other_domain = np.array([[1, 2], [0, 2]])[domain, rng.integers(0, 2, fellows)]
    second_start = start + rng.integers(0, 200, fellows).astype("timedelta64[D]")
    # The demo fellow has a research and a career mentor (social/interpersonal is their network's gap).
    domain[0], second[0], other_domain[0] = 1, True, 0
    index = np.arange(fellows)
    frame = pd.DataFrame(
        {
            "mentor": np.concatenate([mentor, second_mentor[second]]),
            "mentee": np.concatenate([index, index[second]]),
            "domain": np.array(DOMAINS)[np.concatenate([domain, other_domain[second]])],
            "started_on": np.concatenate([start, second_start[second]]),
            "ended_on": np.concatenate([fellow_until, fellow_until[second]]),
            "order": np.concatenate([np.zeros(fellows, dtype=int), np.ones(int(second.sum()), dtype=int)]),
        }
    )
    ended = frame["ended_on"].notna()
    keep = (frame["started_on"] <= pd.Timestamp(today)) & ~(ended & (frame["started_on"] >= frame["ended_on"]))
    frame = frame[keep].sort_values(["mentee", "order"], kind="stable").drop(columns="order").reset_index(drop=True)
    frame["end_status"] = np.where(frame["ended_on"].notna(), "completed", None)
    return frame


def _sharing(rng, pairs: pd.DataFrame, demo_fellow: int, created: datetime, today: date) -> pd.DataFrame:
    """Most fellows share their self-assessments with their mentors; some keep them private.

    The demo fellow shares everything with every mentor, so the mentor's review shows their data;
    the third person id after them shares nothing, so the demo mentor also meets a private mentee.
    """
    unique = pairs.drop_duplicates(["mentor_id", "mentee_id"])
    mentee, mentor = unique["mentee_id"].to_numpy(), unique["mentor_id"].to_numpy()
    started = unique["started_on"].to_numpy().astype("datetime64[D]")
    parts = []
    for kind, likelihood in (("self_assessments", 0.75), ("goals", 0.6), ("outputs", 0.7)):
        chosen = (mentee == demo_fellow) | (rng.random(len(unique)) < likelihood)
        if demo_fellow >= 0:
            chosen &= mentee != demo_fellow + 2
        moment = started + rng.integers(1, 30, len(unique)).astype("timedelta64[D]")
        parts.append(pd.DataFrame({"mentee_id": mentee, "mentor_id": mentor, "record_kind": kind, "chosen_at": moment})[chosen])
    rows = pd.concat(parts, ignore_index=True)
    latest = np.datetime64(today, "us")  # no choice is dated after the demo's "today"
    moments = rows["chosen_at"].to_numpy().astype("datetime64[us]")
    rows["chosen_at"] = np.clip(moments, np.datetime64(created, "us"), latest)
    rows["shared"] = True
    return rows


def _period(days: np.ndarray) -> np.ndarray:
    """The period number (counted from January 1970) of each day."""
    return days.astype("datetime64[M]").astype(np.int64) // _PERIOD


def _period_first_day(periods: np.ndarray) -> np.ndarray:
    return (periods * _PERIOD).astype("datetime64[M]").astype("datetime64[D]")


@dataclass
class _Streams:
    """Who answers an instrument about whom, from when to when: one row per stream of assessments."""

    instrument_id: str
    participation: float
    respondent: np.ndarray
    subject: np.ndarray
    pair: np.ndarray  # -1 for a self-assessment
    since: np.ndarray  # datetime64[D]
    until: np.ndarray  # datetime64[D], NaT while it runs


def _streams(plan: _Program, size: DemoSize, fellow_ids, mentor_ids, pairs: pd.DataFrame, today: date) -> list[_Streams]:
    first = np.datetime64(period_start(today - timedelta(days=365 * size.years)))
    no_pair = np.full(size.fellows, -1)
    streams = [
        _Streams("mentee-self", 0.92, fellow_ids, fellow_ids, no_pair, plan.fellow_since, plan.fellow_until),
        _Streams(
            "mentor-self",
            0.85,
            mentor_ids,
            mentor_ids,
            np.full(size.mentors, -1),
            np.full(size.mentors, first),
            np.full(size.mentors, np.datetime64("NaT"), dtype="datetime64[D]"),
        ),
    ]
    people = {"mentee": pairs["mentee_id"].to_numpy(), "mentor": pairs["mentor_id"].to_numpy()}
    since = pairs["started_on"].to_numpy().astype("datetime64[D]")
    until = pairs["ended_on"].to_numpy().astype("datetime64[D]")
    for instrument_id, respondent, subject, participation in _PAIR_STREAMS:
        streams.append(
            _Streams(
                instrument_id,
                participation,
                people[respondent],
                people[subject],
                pairs["pair_id"].to_numpy(),
                since,
                until,
            )
        )
    return streams


def _stream_periods(stream: _Streams, today: date, years: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per stream: its first period, how many past periods it covers, and whether it is still running."""
    first = _period(np.array([period_start(today - timedelta(days=365 * years))], dtype="datetime64[D]"))[0]
    current = _period(np.array([today], dtype="datetime64[D]"))[0]
    running = np.isnat(stream.until)
    last = np.where(running, current - 1, np.minimum(current - 1, _period(np.where(running, np.datetime64(today), stream.until))))
    lowest = np.maximum(first, _period(stream.since))
    return lowest, np.maximum(last - lowest + 1, 0), running


def _expected_responses(plan: _Program, catalogue: Catalogue, today: date, size: DemoSize) -> float:
    """How many item responses `_history` draws for this program, on average."""
    fellow_ids, mentor_ids = np.arange(size.fellows), np.arange(size.fellows, size.fellows + size.mentors)
    pairs = plan.pairs.assign(
        pair_id=np.arange(len(plan.pairs)),
        mentor_id=mentor_ids[plan.pairs["mentor"].to_numpy()],
        mentee_id=fellow_ids[plan.pairs["mentee"].to_numpy()],
    )
    total = 0.0
    for stream in _streams(plan, size, fellow_ids, mentor_ids, pairs, today):
        _, past, running = _stream_periods(stream, today, size.years)
        current = running * np.where(past < 2, 1.0, 0.35)
        total += len(catalogue.get(stream.instrument_id).items) * stream.participation * float((past + current).sum())
    return total


def _trajectory_lift(kind: np.ndarray, t: np.ndarray, periods: np.ndarray, slope: np.ndarray) -> np.ndarray:
    """How far above its start a stream's level is at period t: steady growth, plateau, or a dip and recovery."""
    growth = t * slope
    plateau = np.minimum(t, 2) * 0.3
    dip = 0.2 * t - 1.0 * np.exp(-((t - periods // 2) ** 2) / 2.0)
    return np.select([kind == 0, kind == 1], [growth, plateau], dip)


def _history(rng, catalogue, today, size, streams: list[_Streams], demo_fellow) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """Assessments (one row each), their responses (item and rating), and how many items each assessment has.

    Per stream of assessments: a level per item that grows, plateaus or dips over its periods, plus noise;
    a third of the current period is done already (all of it for a newcomer with one past period), the
    demo fellow has it still to do, and some periods were skipped.
    """
    item_ids = sorted({item.id for instrument in catalogue.instruments for item in instrument.items})
    item_code = {item_id: code for code, item_id in enumerate(item_ids)}
    instrument_names = sorted({stream.instrument_id for stream in streams})
    today_day = np.datetime64(today)
    assessment_parts, response_parts = [], []
    for stream in streams:
        instrument = catalogue.get(stream.instrument_id)
        items = len(instrument.items)
        count = len(stream.respondent)
        lowest, past, running = _stream_periods(stream, today, size.years)
        now = running & ((rng.random(count) < 0.35) | (past < 2)) & (stream.respondent != demo_fellow)
        periods = past + now
        base = rng.uniform(2.0, 3.6, count)[:, None] + rng.normal(0, 0.4, (count, items))
        kind = rng.choice(3, size=count, p=[0.5, 0.3, 0.2])
        slope = rng.uniform(0.15, 0.3, count)
        row_stream = np.repeat(np.arange(count), periods)
        t = np.arange(len(row_stream)) - np.repeat(np.cumsum(periods) - periods, periods)
        answered = rng.random(len(row_stream)) <= stream.participation
        row_stream, t = row_stream[answered], t[answered]
        rows = len(row_stream)
        lift = _trajectory_lift(kind[row_stream], t, periods[row_stream], slope[row_stream])
        level = base[row_stream] + lift[:, None] + rng.normal(0, 0.35, (rows, items))
        ratings = np.clip(np.rint(level), 1, 5).astype(np.int16)
        number = lowest[row_stream] + t
        first_day = _period_first_day(number)
        last_day = np.minimum(_period_first_day(number + 1) - 1, today_day)
        ends = stream.until[row_stream]
        last_day = np.where(np.isnat(ends), last_day, np.minimum(last_day, ends))
        span = (last_day - first_day).astype(np.int64) + 1
        day = first_day + (rng.random(rows) * span).astype(np.int64).astype("timedelta64[D]")
        minute = rng.integers(8 * 60, 19 * 60, rows).astype("timedelta64[m]")
        pair = stream.pair[row_stream]
        assessment_parts.append(
            pd.DataFrame(
                {
                    "instrument_id": pd.Categorical.from_codes(
                        np.full(rows, instrument_names.index(instrument.id)), categories=instrument_names
                    ),
                    "instrument_version": instrument.version,
                    "respondent_id": stream.respondent[row_stream],
                    "subject_id": stream.subject[row_stream],
                    "pair_id": pd.array(np.where(pair < 0, None, pair), dtype="Int64"),
                    "period_start": first_day,
                    "submitted_at": (day + minute).astype("datetime64[us]"),
                    "key_random": rng.integers(0, 2**63, rows),
                }
            )
        )
        codes = np.array([item_code[item.id] for item in instrument.items])
        response_parts.append((np.full(rows, items), np.tile(codes, rows), ratings.ravel()))
    assessments = pd.concat(assessment_parts, ignore_index=True)
    responses = pd.DataFrame(
        {
            "item_id": pd.Categorical.from_codes(np.concatenate([part[1] for part in response_parts]), categories=item_ids),
            "rating": np.concatenate([part[2] for part in response_parts]),
        }
    )
    return assessments, responses, np.concatenate([part[0] for part in response_parts])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Build a synthetic fellowship program, or a society of them, in a new DuckDB file."
    )
    parser.add_argument("--db", required=True, type=Path, help="the DuckDB file to create (must not exist)")
    parser.add_argument("--today", type=date.fromisoformat, default=date.today(), help="reference date, YYYY-MM-DD")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--responses",
        type=int,
        help="about how many item responses to generate: the demo program and as many further programs as that needs "
        "(one smaller program when it is below the demo program's size); ignores the three below",
    )
    parser.add_argument("--fellows", type=int, default=DemoSize.fellows)
    parser.add_argument("--mentors", type=int, default=DemoSize.mentors)
    parser.add_argument("--years", type=int, default=DemoSize.years)
    args = parser.parse_args(argv)
    if args.db.exists():
        parser.error(f"{args.db} exists; choose a new file")
    if args.responses is not None and args.responses < 1:
        parser.error("--responses must be a positive number")
    size = None if args.responses is not None else DemoSize(args.fellows, args.mentors, args.years)
    print(build_database(args.db, args.today, args.responses, args.seed, size))


if __name__ == "__main__":
    main()
