"""Assessment history: who answers which instrument about whom over which periods (streams), the ratings
drawn for them, and how many item responses a program will have before any is drawn."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from analytics.instruments import Catalogue
from analytics.periods import DEFAULT_PERIOD_MONTHS, period_start
from demo.program import DemoSize, Program

_PERIOD = DEFAULT_PERIOD_MONTHS
# Instruments answered per pair: (instrument, who answers, about whom, share of periods answered).
_PAIR_STREAMS = (
    ("mentor-by-mentee", "mentee", "mentor", 0.7),
    ("mentee-by-mentor", "mentor", "mentee", 0.8),
    ("process-steps", "mentee", "mentor", 0.75),
    ("process-steps", "mentor", "mentee", 0.75),
)


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


def assessment_streams(plan: Program, size: DemoSize, fellow_ids, mentor_ids, pairs: pd.DataFrame, today: date) -> list[_Streams]:
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


def program_streams(catalogue: Catalogue, pairs: pd.DataFrame) -> list[_Streams]:
    """Per pair, the program's own instruments (not shipped with the app) about the other side of a pair."""
    people = {"mentee": pairs["mentee_id"].to_numpy(), "mentor": pairs["mentor_id"].to_numpy()}
    since = pairs["started_on"].to_numpy().astype("datetime64[D]")
    until = pairs["ended_on"].to_numpy().astype("datetime64[D]")
    streams = []
    for instrument in catalogue.instruments:
        if instrument.shipped or instrument.about not in ("mentor", "mentee"):
            continue
        respondent = "mentee" if instrument.about == "mentor" else "mentor"
        streams.append(
            _Streams(instrument.id, 0.65, people[respondent], people[instrument.about], pairs["pair_id"].to_numpy(), since, until)
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


def expected_responses(plan: Program, catalogue: Catalogue, today: date, size: DemoSize) -> float:
    """How many item responses `assessment_history` draws for this program, on average."""
    fellow_ids, mentor_ids = np.arange(size.fellows), np.arange(size.fellows, size.fellows + size.mentors)
    pairs = plan.pairs.assign(
        pair_id=np.arange(len(plan.pairs)),
        mentor_id=mentor_ids[plan.pairs["mentor"].to_numpy()],
        mentee_id=fellow_ids[plan.pairs["mentee"].to_numpy()],
    )
    total = 0.0
    # A program's own instruments count where the catalogue has them (the demo program's, demo/instruments/).
    for stream in assessment_streams(plan, size, fellow_ids, mentor_ids, pairs, today) + program_streams(catalogue, pairs):
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


def assessment_history(
    rng, catalogue, today, size, streams: list[_Streams], demo_fellow
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
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
        # The level is drawn on a 1-5 scale; an instrument of another scale (0-based, 7 points) has it stretched to its own.
        low, high = instrument.min_rating, instrument.max_rating
        ratings = np.clip(np.rint(low + (level - 1) * (high - low) / 4), low, high).astype(np.int16)
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
