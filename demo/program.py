"""One program's shape before any id is taken: its size, people's names and emails, cohorts, each mentor's
load, the pairs, and the fellows' sharing choices; and the demo accounts every demo program has."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd


def none_where(mask: np.ndarray, values) -> np.ndarray:
    """`values` as objects, None where `mask` holds: a nullable column for pandas' Int64, string and SQL NULL."""
    result = np.empty(len(mask), dtype=object)
    result[:] = np.broadcast_to(np.asarray(values, dtype=object), len(mask))
    result[mask] = None
    return result


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


@dataclass(frozen=True)
class DemoSize:
    fellows: int = 30
    mentors: int = 12
    years: int = 2
    small_cohort: int = 4  # under the minimum group size, so suppression shows
    # (start year, fellows) per cohort, oldest first, for a program of the society; empty: shaped from the above
    cohorts: tuple[tuple[int, int], ...] = ()


def draw_names(rng: np.random.Generator, count: int) -> list[str]:
    """Full names in a drawn order; past the distinct ones, a name comes again with a number."""
    combos = [f"{first} {last}" for first in _FIRST for last in _LAST]
    order = rng.permutation(len(combos))
    names = [combos[i] for i in order[: min(count, len(combos))]]
    while len(names) < count:  # large benchmark programs reuse names with a number
        names.append(f"{combos[order[len(names) % len(combos)]]} {len(names) // len(combos) + 1}")
    return names


def program_created(today: date, years: int) -> datetime:
    """When a program with `years` of history was created: a month before its history begins."""
    return datetime.combine(today - timedelta(days=365 * years + 30), datetime.min.time())


@dataclass
class Program:
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
        counts: dict[int, int] = {}
        for year, _ in size.cohorts:
            counts[year] = counts.get(year, 0) + 1
        names: list[str] = []
        seen: dict[int, int] = {}
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


def plan_program(rng: np.random.Generator, size: DemoSize, today: date) -> Program:
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
    return Program(years, names, fellow_cohort, fellow_since, fellow_until, mentor_load, busiest, pairs)


@dataclass
class Member:
    """One program of a build before any id is taken: its name, shape, people's names and plan."""

    name: str
    size: DemoSize
    names: list[str]  # fellows, then mentors, then the director
    plan: Program
    created: datetime
    email_domain: str


def _email(name: str) -> str:
    return "".join(ch for ch in name.lower().replace(" ", ".") if ch.isalnum() or ch == ".") + "@demo.org"


def email_addresses(names: list[str], domain: str = "demo.org") -> list[str]:
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
    frame["end_status"] = none_where(frame["ended_on"].isna().to_numpy(), "completed")
    return frame


def sharing_choices(rng, pairs: pd.DataFrame, demo_fellow: int, created: datetime, today: date) -> pd.DataFrame:
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
