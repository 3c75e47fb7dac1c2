"""Building a database: the demo program alone, or a society of programs, inserted in one pass per table
inside one transaction."""

from __future__ import annotations

import time
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from analytics.auth import hash_password
from analytics.bulk import checkpoint, insert_accounts, insert_frame, insert_program, reserve_ids
from analytics.changes import EVERYTHING
from analytics.instruments import Catalogue, load_catalogue, load_instrument
from analytics.people import has_no_people
from analytics.periods import DEFAULT_PERIOD_MONTHS
from analytics.registry import register_catalogue
from analytics.store import Store
from demo import goals, health, meetings, outputs
from demo.assessments import assessment_history, assessment_streams, program_streams
from demo.paths import DEMO_INSTRUMENTS_DIR
from demo.program import (
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    DemoSize,
    Member,
    Program,
    draw_names,
    email_addresses,
    none_where,
    plan_program,
    program_created,
    sharing_choices,
)
from demo.society import size_for_responses, society_for_responses

DEMO_PROGRAM = "Demo Hematology Fellowship"


def _child_seed(rng: np.random.Generator) -> np.random.SeedSequence:
    """A seed of its own for another stream, drawn from `rng`'s seed without consuming any of its numbers."""
    seed = rng.bit_generator.seed_seq
    assert isinstance(seed, np.random.SeedSequence)
    return seed.spawn(1)[0]


def with_demo_instruments(store: Store, catalogue: Catalogue, today: date) -> Catalogue:
    """`catalogue` with the demo program's own instruments added and registered (those it lacks)."""
    have = {instrument.id for instrument in catalogue.instruments}
    own = [load_instrument(path, shipped=False) for path in sorted(DEMO_INSTRUMENTS_DIR.glob("*.toml"))]
    extra = Catalogue(tuple(instrument for instrument in own if instrument.id not in have))
    if not extra.instruments:
        return catalogue
    registered = register_catalogue(store, extra, datetime.combine(today, datetime.min.time()))
    return Catalogue(catalogue.instruments + registered.instruments, catalogue.disabled + registered.disabled)


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
    # The demo program's own instrument belongs to the demo as the app shows it; a database built to a size
    # (benchmarks, a society) keeps the shipped instruments, whose responses its size is estimated from.
    own = size == DemoSize()
    if own:
        catalogue = with_demo_instruments(store, catalogue, today)
    summary = store.write(
        lambda cur: _build(cur, catalogue, today, rng, size, program_created(today, size.years), own), touches=EVERYTHING
    )
    return summary


def build_society(store: Store, catalogue: Catalogue, today: date, seed: int, members: list[Member]) -> dict:
    """Fill an empty database with the demo program (exactly as `build_demo_program` builds it) and `members`,
    the society's other programs, all of them in one pass per table. Returns the summed counts."""
    if not has_no_people(store):
        raise ValueError("the database already has people; the demo program only fills a new database")
    demo = DemoSize()
    with_own = with_demo_instruments(store, catalogue, today)  # the demo program's only: the others keep `catalogue`

    def work(cur) -> dict:
        first = _build(cur, with_own, today, np.random.default_rng(seed), demo, program_created(today, demo.years), True)
        rest = _fill(cur, catalogue, today, np.random.default_rng([seed, 0]), members, demo=False)
        return {
            key: value if key == "program_id" or isinstance(value, bool) else value + rest.get(key, 0)
            for key, value in first.items()
        }

    summary = store.write(work, touches=EVERYTHING)
    return summary | {
        "programs": 1 + len(members),
        "fellows": demo.fellows + sum(member.size.fellows for member in members),
        "mentors": demo.mentors + sum(member.size.mentors for member in members),
        "years": members[0].size.years,
    }


def _build(
    cur, catalogue: Catalogue, today: date, rng: np.random.Generator, size: DemoSize, created: datetime, own: bool = False
) -> dict:
    """The demo program alone (the default demo, and the first program of a society)."""
    names = draw_names(rng, size.fellows + size.mentors + 1)
    plan = plan_program(rng, size, today)
    return _fill(cur, catalogue, today, rng, [Member(DEMO_PROGRAM, size, names, plan, created, "demo.org")], demo=True, own=own)


def _fill(
    cur, catalogue: Catalogue, today: date, rng: np.random.Generator, members: list[Member], demo: bool, own: bool = False
) -> dict:
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
        mine = email_addresses(member.names, member.email_domain)
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
    person_cohorts = np.concatenate(cohort_of)
    insert_frame(
        cur,
        "people",
        pd.DataFrame(
            {
                "person_id": person_ids,
                "program_id": np.repeat(program_ids, people_counts),
                "full_name": [name for member in members for name in member.names],
                "email": emails,
                "cohort_id": pd.array(none_where(person_cohorts < 0, person_cohorts), dtype="Int64"),
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
    plan = Program(
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
    streams = assessment_streams(plan, size, fellow_ids, mentor_ids, pairs, today)
    assessments, responses, items = assessment_history(rng, catalogue, today, size, streams, demo_fellow)
    extra_streams = program_streams(catalogue, pairs) if own else []
    if extra_streams:  # drawn from a random stream of their own, so the rest of the program is as it was without them
        extra = assessment_history(np.random.default_rng(_child_seed(rng)), catalogue, today, size, extra_streams, demo_fellow)
        assessments = pd.concat([assessments, extra[0]], ignore_index=True)
        responses = pd.concat([responses, extra[1]], ignore_index=True)
        items = np.concatenate([items, extra[2]])
    assessment_ids = reserve_ids(cur, "assessment_ids", len(assessments))
    assessments.insert(0, "assessment_id", assessment_ids)
    insert_frame(cur, "assessments", assessments)  # its submission key is made from the id and key_random
    responses["assessment_id"] = np.repeat(assessment_ids, items)
    insert_frame(cur, "responses", responses)
    insert_frame(cur, "sharing_choices", sharing_choices(rng, pairs, demo_fellow=demo_fellow, created=created, today=today))
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
    summary |= goals.generate(cur, np.random.default_rng([seed, 1]), program_ids[0], fellows, pairs, today, demo_fellow)
    summary |= meetings.generate(cur, np.random.default_rng([seed, 2]), program_ids[0], fellows, pairs, today, demo_fellow)
    # Another program mentor a fellow lists is one of their own program's mentors.
    mentor_counts = np.array([member.size.mentors for member in members])
    mentor_from = np.repeat(np.concatenate([[0], np.cumsum(mentor_counts)[:-1]]), [m.size.fellows for m in members])
    summary |= outputs.generate(
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
    if demo and own:  # pairs drifting in known ways, so every pair health signal shows (demo/health.py)
        accounts = cur.execute(
            "SELECT list(person_id) FROM people WHERE list_contains($emails, email)", {"emails": list(DEMO_ACCOUNTS.values())}
        ).fetchone()[0]
        planted = health.plant_demo_drifts(
            cur, catalogue, int(program_ids[0]), today, np.random.default_rng([seed, 4]), set(accounts)
        )
        summary |= {key: summary[key] + count for key, count in planted.items() if key in summary}
    return summary
