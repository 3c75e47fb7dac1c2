"""Programs for a requested number of item responses: one program sized to it, or a society of programs
of realistic size after the demo program."""

from __future__ import annotations

from datetime import date

import numpy as np

from analytics.instruments import load_catalogue
from demo.assessments import expected_responses
from demo.paths import DEMO_INSTRUMENTS_DIR
from demo.program import MENTORS_PER_FELLOW, DemoSize, Member, draw_names, plan_program, program_created


def size_for_responses(responses: int, today: date, seed: int = 7) -> DemoSize:
    """A program that holds about `responses` item responses: more years of history and more fellows as it grows.

    The count is estimated from the program's structure (cohorts, pairs, periods) without drawing any
    rating, and the number of fellows is rescaled until the estimate is within 1% of the request.
    """
    years = _history_years(responses)
    fellows = max(10, round(responses / (150 * years)))
    catalogue = load_catalogue()
    for _ in range(4):
        size = DemoSize(fellows, max(4, round(fellows * MENTORS_PER_FELLOW)), years)
        expected = expected_responses(plan_program(np.random.default_rng(seed), size, today), catalogue, today, size)
        if abs(expected - responses) <= 0.01 * responses or fellows == 10 and expected > responses:
            break
        fellows = max(10, round(fellows * responses / expected))
    return size


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


def _history_years(responses: int) -> int:
    """Years of history: more as the database grows."""
    return 2 if responses < 50_000 else 3 if responses < 500_000 else 4 if responses < 2_000_000 else 5


def _society_member(seed: int, number: int, per_year: np.ndarray, years: int, today: date) -> Member:
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
    names = draw_names(rng, size.fellows + size.mentors + 1)
    plan = plan_program(rng, size, today)
    return Member(_program_name(number), size, names, plan, program_created(today, years), f"program{number}.demo.org")


def society_for_responses(responses: int, today: date, seed: int = 7) -> list[Member] | None:
    """The programs besides the demo program that bring a database to about `responses` item responses.

    Each program has 8 to 33 fellows per start year (a typical size per program, varied per year) over
    the years of history, which grow with the request; the last program is scaled to what remains. None
    when the demo program alone is about as large as asked, or larger: then one program is sized instead.
    """
    catalogue = load_catalogue()
    demo = DemoSize()
    rng = np.random.default_rng(seed)
    draw_names(rng, demo.fellows + demo.mentors + 1)  # as the build draws them, so the plan is the demo's own
    # The demo program has its own instrument too (demo/instruments/), drawn as a program's own.
    with_own = load_catalogue(program_dir=DEMO_INSTRUMENTS_DIR)
    remaining = responses - expected_responses(plan_program(rng, demo, today), with_own, today, demo)
    if remaining < 0.1 * responses:
        return None
    years = _history_years(responses)
    members: list[Member] = []
    while remaining > 0.03 * responses:
        number = len(members) + 1
        shape = np.random.default_rng([seed, number, 1])
        typical = int(shape.integers(10, 27))
        per_year = np.clip(np.rint(typical * shape.uniform(0.75, 1.25, years + 1)), 8, 40).astype(int)
        member = _society_member(seed, number, per_year, years, today)
        expected = expected_responses(member.plan, catalogue, today, member.size)
        if expected > remaining:  # the last program: as large as what remains
            per_year = np.maximum(np.rint(per_year * remaining / expected), 5).astype(int)
            member = _society_member(seed, number, per_year, years, today)
            expected = expected_responses(member.plan, catalogue, today, member.size)
            if expected > 1.05 * remaining:  # still too large: a young program, whose oldest years go
                while expected > 1.05 * remaining and np.count_nonzero(per_year) > 1:
                    per_year[np.flatnonzero(per_year)[0]] = 0
                    member = _society_member(seed, number, per_year, years, today)
                    expected = expected_responses(member.plan, catalogue, today, member.size)
                # then as large in its remaining years as what remains
                per_year = np.where(per_year > 0, np.clip(np.rint(per_year * remaining / expected), 5, 40), 0).astype(int)
                member = _society_member(seed, number, per_year, years, today)
                expected = expected_responses(member.plan, catalogue, today, member.size)
        members.append(member)
        remaining -= expected
    return members
