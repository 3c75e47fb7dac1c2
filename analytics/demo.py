"""A realistic synthetic fellowship program, generated deterministically from a seed and a date.

Used to fill a new database in demo mode (so every chart has data on first start), and from
the command line to build databases of any size for benchmarks:

    python -m analytics.demo --db data/demo.duckdb --today 2026-11-26 --fellows 30
"""

import argparse
import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from analytics import demo_goals, demo_meetings, demo_outputs
from analytics.auth import hash_password
from analytics.instruments import Catalogue, load_catalogue
from analytics.periods import DEFAULT_PERIOD_MONTHS, next_period, period_start, periods_between
from analytics.registry import register_catalogue
from analytics.store import Store

DEMO_PASSWORD = "demo"
DEMO_ACCOUNTS = {"fellow": "fellow@demo.org", "mentor": "mentor@demo.org", "director": "director@demo.org"}
DOMAINS = ("career", "research", "social")
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


def _names(rng: np.random.Generator, count: int) -> list[str]:
    combos = [f"{first} {last}" for first in _FIRST for last in _LAST]
    order = rng.permutation(len(combos))
    names = [combos[i] for i in order[: min(count, len(combos))]]
    while len(names) < count:  # large benchmark programs reuse names with a number
        names.append(f"{combos[order[len(names) % len(combos)]]} {len(names) // len(combos) + 1}")
    return names


_BULK_TABLES = ("cohorts", "people", "person_roles", "pairs", "assessments", "responses", "sharing_choices", "signed_assessments")


def _take_ids(cur, sequence: str, count: int) -> np.ndarray:
    """Reserve `count` ids from a sequence, so bulk inserts and the app's later inserts never clash."""
    return cur.execute("SELECT nextval(?) AS id FROM range(?)", [sequence, count]).fetchnumpy()["id"]


def _insert(cur, table: str, frame: pd.DataFrame) -> None:
    """Append a whole DataFrame; columns are matched by name."""
    assert table in _BULK_TABLES, table  # a table name cannot be a bound parameter
    cur.register("incoming", frame)
    cur.execute("INSERT INTO " + table + " BY NAME SELECT * FROM incoming")
    cur.unregister("incoming")


def build_demo_program(store: Store, catalogue: Catalogue, today: date, seed: int = 7, size: DemoSize = DemoSize()) -> dict:
    """Fill an empty database with one program's people, pairs and assessment history.

    Trajectories vary on purpose: some fellows grow steadily, some plateau, some dip and recover.
    The current period is left partly undone, so Home shows what is due.
    """
    if store.query_one("SELECT count(*) FROM people")[0]:
        raise ValueError("the database already has people; the demo program only fills a new database")
    rng = np.random.default_rng(seed)
    created = datetime.combine(today - timedelta(days=365 * size.years + 30), datetime.min.time())
    summary = store.write(lambda cur: _build(cur, catalogue, today, rng, size, created))
    return summary


def _build(cur, catalogue: Catalogue, today: date, rng: np.random.Generator, size: DemoSize, created: datetime) -> dict:
    program_id = cur.execute(
        "INSERT INTO programs (name, period_months, min_group_size, created_at) VALUES (?, ?, 5, ?) RETURNING program_id",
        ["Demo Hematology Fellowship", DEFAULT_PERIOD_MONTHS, created],
    ).fetchone()[0]

    # Cohorts by start year: the newest one is small, so a director sees suppression at work.
    newest = today.year if today.month >= 7 else today.year - 1  # fellowships start in July
    start_years = [newest - 2, newest - 1, newest]
    small = min(size.small_cohort, max(size.fellows - 2, 0))
    rest = size.fellows - small
    cohort_sizes = [rest - rest // 2, rest // 2, small]
    cohort_ids = _take_ids(cur, "cohort_ids", 3)
    _insert(
        cur,
        "cohorts",
        pd.DataFrame(
            {
                "cohort_id": cohort_ids,
                "program_id": program_id,
                "name": [f"Class of {year + 3}" for year in start_years],
                "start_year": start_years,
            }
        ),
    )

    names = _names(rng, size.fellows + size.mentors + 1)
    _fellow_names, _mentor_names, _director_name = names[: size.fellows], names[size.fellows : -1], names[-1]
    person_ids = _take_ids(cur, "person_ids", len(names))
    fellow_ids, mentor_ids, director_id = person_ids[: size.fellows], person_ids[size.fellows : -1], int(person_ids[-1])
    fellow_cohort = np.repeat(np.arange(3), cohort_sizes)
    emails = [_email(name) for name in names]
    emails[0] = DEMO_ACCOUNTS["fellow"]
    emails[-1] = DEMO_ACCOUNTS["director"]
    # The demo mentor is the busiest one, so mentor-facing views have three or more mentees.
    mentor_load = _mentor_load(rng, size)
    busiest = int(np.argmax(mentor_load))
    emails[size.fellows + busiest] = DEMO_ACCOUNTS["mentor"]
    _insert(
        cur,
        "people",
        pd.DataFrame(
            {
                "person_id": person_ids,
                "program_id": program_id,
                "full_name": names,
                "email": emails,
                "cohort_id": [int(cohort_ids[c]) for c in fellow_cohort] + [None] * (size.mentors + 1),
                "active": True,
                "created_at": created,
            }
        ),
    )
    roles = [(int(p), "fellow") for p in fellow_ids] + [(int(p), "mentor") for p in mentor_ids] + [(director_id, "director")]
    _insert(cur, "person_roles", pd.DataFrame(roles, columns=["person_id", "role"]))
    # Every demo person signs in with the demo password; demo accounts never enter the real database.
    cur.execute("INSERT INTO accounts SELECT person_id, ?, ? FROM people", [hash_password(DEMO_PASSWORD), created])

    pairs = _make_pairs(rng, size, fellow_ids, mentor_ids, mentor_load, fellow_cohort, start_years, today, busiest)
    pair_ids = _take_ids(cur, "pair_ids", len(pairs))
    pairs.insert(0, "pair_id", pair_ids)
    pairs.insert(1, "program_id", program_id)
    _insert(cur, "pairs", pairs)

    assessments, responses = _history(
        rng, catalogue, today, size, fellow_ids, mentor_ids, fellow_cohort, start_years, pairs, demo_fellow=int(fellow_ids[0])
    )
    assessment_ids = _take_ids(cur, "assessment_ids", len(assessments))
    responses["assessment_id"] = assessment_ids[responses.pop("row").to_numpy()]
    assessments.insert(0, "assessment_id", assessment_ids)
    _insert(cur, "assessments", assessments)
    _insert(cur, "responses", responses[["assessment_id", "item_id", "rating"]])
    _insert(cur, "sharing_choices", _sharing(rng, pairs, demo_fellow=int(fellow_ids[0]), created=created, today=today))
    by_mentee = assessments[assessments["instrument_id"] == "mentor-by-mentee"]
    signed = by_mentee[rng.random(len(by_mentee)) < 0.3]
    _insert(
        cur, "signed_assessments", pd.DataFrame({"assessment_id": signed["assessment_id"], "signed_at": signed["submitted_at"]})
    )
    summary = {
        "program_id": int(program_id),
        "people": len(names),
        "pairs": len(pairs),
        "assessments": len(assessments),
        "responses": len(responses),
    }
    # Each area has its own random stream, so adding one never changes another's data.
    fellows, mentors, demo_fellow = [int(f) for f in fellow_ids], [int(m) for m in mentor_ids], int(fellow_ids[0])
    seed = int(rng.integers(0, 2**31))
    summary |= demo_goals.generate(cur, np.random.default_rng([seed, 1]), program_id, fellows, pairs, today, demo_fellow)
    summary |= demo_meetings.generate(cur, np.random.default_rng([seed, 2]), program_id, fellows, pairs, today, demo_fellow)
    summary |= demo_outputs.generate(
        cur, np.random.default_rng([seed, 3]), program_id, fellows, mentors, pairs, today, demo_fellow
    )
    return summary


def _email(name: str) -> str:
    return "".join(ch for ch in name.lower().replace(" ", ".") if ch.isalnum() or ch == ".") + "@demo.org"


def _mentor_load(rng: np.random.Generator, size: DemoSize) -> np.ndarray:
    """How many primary mentees each mentor takes: a few busy mentors, several with one or two."""
    weights = rng.permutation(np.linspace(3.0, 0.5, size.mentors))
    return weights / weights.sum()


def _make_pairs(rng, size, fellow_ids, mentor_ids, mentor_load, fellow_cohort, start_years, today, busiest) -> pd.DataFrame:
    rows = []
    for index, fellow in enumerate(fellow_ids):
        start = max(date(start_years[fellow_cohort[index]], 7, 1), today - timedelta(days=365 * size.years))
        mentor = busiest if index < 3 else int(rng.choice(size.mentors, p=mentor_load))
        domain = "research" if rng.random() < 0.6 else "career"
        rows.append((int(mentor_ids[mentor]), int(fellow), domain, start))
        if rng.random() < 0.55:  # a second mentor for another domain
            second = int(rng.choice([m for m in range(size.mentors) if m != mentor]))
            other = str(rng.choice([d for d in DOMAINS if d != domain]))
            rows.append((int(mentor_ids[second]), int(fellow), other, start + timedelta(days=int(rng.integers(0, 200)))))
    frame = pd.DataFrame(rows, columns=["mentor_id", "mentee_id", "domain", "started_on"])
    return frame[frame["started_on"] <= today].reset_index(drop=True)


def _sharing(rng, pairs: pd.DataFrame, demo_fellow: int, created: datetime, today: date) -> pd.DataFrame:
    """Most fellows share their self-assessments with their mentors; some keep them private.

    The demo fellow shares everything with every mentor, so the mentor's review shows their data;
    the third person id after them shares nothing, so the demo mentor also meets a private mentee.
    """
    rows = []
    latest = datetime.combine(today, datetime.min.time())  # no choice is dated after the demo's "today"
    private_fellow = demo_fellow + 2
    for pair in pairs.drop_duplicates(["mentor_id", "mentee_id"]).itertuples():
        for kind, likelihood in (("self_assessments", 0.75), ("goals", 0.6), ("outputs", 0.7)):
            if pair.mentee_id == private_fellow:
                continue
            if pair.mentee_id == demo_fellow or rng.random() < likelihood:
                moment = datetime.combine(pair.started_on, datetime.min.time()) + timedelta(days=int(rng.integers(1, 30)))
                rows.append((pair.mentee_id, pair.mentor_id, kind, True, min(max(moment, created), latest)))
    return pd.DataFrame(rows, columns=["mentee_id", "mentor_id", "record_kind", "shared", "chosen_at"])


def _trajectory(rng, periods: int, items: int) -> np.ndarray:
    """Ratings on a 1-5 scale over periods: steady growth, plateau, or a dip and recovery."""
    base = rng.uniform(2.0, 3.6) + rng.normal(0, 0.4, items)
    t = np.arange(periods)[:, None]
    kind = rng.choice(["growth", "plateau", "dip"], p=[0.5, 0.3, 0.2])
    if kind == "growth":
        level = base + t * rng.uniform(0.15, 0.3)
    elif kind == "plateau":
        level = base + np.minimum(t, 2) * 0.3
    else:
        low = periods // 2
        level = base + 0.2 * t - 1.0 * np.exp(-((t - low) ** 2) / 2.0)
    noise = rng.normal(0, 0.35, (periods, items))
    return np.clip(np.rint(level + noise), 1, 5).astype(np.int16)


def _history(rng, catalogue, today, size, fellow_ids, mentor_ids, fellow_cohort, start_years, pairs, demo_fellow):
    current = period_start(today)
    first = period_start(today - timedelta(days=365 * size.years))
    assessment_rows: list[tuple] = []
    response_parts: list[pd.DataFrame] = []

    def stream(instrument_id, respondent, subject, pair_id, since, participation):
        instrument = catalogue.get(instrument_id)
        past = [p for p in periods_between(max(first, since), today) if p < current]
        # A third of the current period is done already; a newcomer with one past period has done it too.
        periods = past + [current] if rng.random() < 0.35 or len(past) < 2 else past
        if respondent == demo_fellow:  # the demo fellow has this period still to do
            periods = [p for p in periods if p < current]
        if not periods:
            return
        ratings = _trajectory(rng, len(periods), len(instrument.items))
        for index, start in enumerate(periods):
            if rng.random() > participation:
                continue
            end = min(next_period(start) - timedelta(days=1), today)
            day = start + timedelta(days=int(rng.integers(0, max((end - start).days, 0) + 1)))
            moment = datetime.combine(day, datetime.min.time()) + timedelta(minutes=int(rng.integers(8 * 60, 19 * 60)))
            row = len(assessment_rows)
            assessment_rows.append(
                (
                    instrument.id,
                    instrument.version,
                    respondent,
                    subject,
                    pair_id,
                    start,
                    moment,
                    None,
                    uuid.UUID(int=int(rng.integers(0, 2**63)) << 64 | row).hex,
                )
            )
            response_parts.append(
                pd.DataFrame(
                    {
                        "row": row,
                        "item_id": [item.id for item in instrument.items],
                        "rating": ratings[index],
                    }
                )
            )

    for index, fellow in enumerate(fellow_ids):
        since = date(start_years[fellow_cohort[index]], 7, 1)
        stream("mentee-self", int(fellow), int(fellow), None, since, 0.92)
    for mentor in mentor_ids:
        stream("mentor-self", int(mentor), int(mentor), None, first, 0.85)
    for pair in pairs.itertuples():
        stream("mentor-by-mentee", pair.mentee_id, pair.mentor_id, pair.pair_id, pair.started_on, 0.7)
        stream("mentee-by-mentor", pair.mentor_id, pair.mentee_id, pair.pair_id, pair.started_on, 0.8)
        stream("process-steps", pair.mentee_id, pair.mentor_id, pair.pair_id, pair.started_on, 0.75)
        stream("process-steps", pair.mentor_id, pair.mentee_id, pair.pair_id, pair.started_on, 0.75)

    assessments = pd.DataFrame(
        assessment_rows,
        columns=[
            "instrument_id",
            "instrument_version",
            "respondent_id",
            "subject_id",
            "pair_id",
            "period_start",
            "submitted_at",
            "comment",
            "submission_key",
        ],
    )
    assessments["pair_id"] = assessments["pair_id"].astype("Int64")
    responses = (
        pd.concat(response_parts, ignore_index=True)
        if response_parts
        else pd.DataFrame({"row": pd.Series(dtype=int), "item_id": pd.Series(dtype=str), "rating": pd.Series(dtype=np.int16)})
    )
    return assessments, responses


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Build a synthetic fellowship program in a new DuckDB file.")
    parser.add_argument("--db", required=True, type=Path, help="the DuckDB file to create (must not exist)")
    parser.add_argument("--today", type=date.fromisoformat, default=date.today(), help="reference date, YYYY-MM-DD")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--fellows", type=int, default=DemoSize.fellows)
    parser.add_argument("--mentors", type=int, default=DemoSize.mentors)
    parser.add_argument("--years", type=int, default=DemoSize.years)
    args = parser.parse_args(argv)
    if args.db.exists():
        parser.error(f"{args.db} exists; choose a new file")
    began = time.perf_counter()
    with Store(args.db) as store:
        catalogue = register_catalogue(store, load_catalogue(), datetime.now())
        summary = build_demo_program(store, catalogue, args.today, args.seed, DemoSize(args.fellows, args.mentors, args.years))
    summary["seconds"] = round(time.perf_counter() - began, 2)
    print(summary)


if __name__ == "__main__":
    main()
