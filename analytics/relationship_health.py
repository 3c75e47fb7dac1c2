"""Relationship health: which mentoring pairs are slipping, why, and what the guidance says to do next.

The guidance's five process steps are what a healthy pair does; the app stores every trace of them
(the process-step ratings, both sides' views, meetings, the agreement, goals, action items, the
period's assessments). Here those traces become signals, each with the evidence behind it and the
guidance sentence it concerns, and a summary per pair: healthy (no signal), watch (one) or at risk
(`at_risk_signals` or more), explained in one sentence.

Thresholds are data (THRESHOLDS, each with its default and why), and a program may change them on
its settings page (analytics/program_settings.py records each change; `health_thresholds` reads them).

Who sees what:
- the two members of a pair see its signals (a mentor: the mentee's self-ratings and goals only
  where the mentee shares them, analytics/access.py); nobody else sees one pair's signals, except
- a director, who sees counts per cohort (`program_health`), suppressed under the program's
  minimum group size, with every signal built from ratings, goals, action items or meetings held
  computed as of the end of the latest closed period (so one more submission changes no figure),
  and, by name, only the administrative signals (`administrative_signals`): no meeting for too
  long, no or lapsed agreement, assessments overdue.

The logic is a pure function of a pair's records (`assess`), so the detection test can measure it
on generated programs whose true course is known (tests/unit/test_health_detection.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import pandas as pd

from analytics.access import EVERYTHING, require_pair_member, shared_until
from analytics.changes import reads
from analytics.disclosure import min_group_size
from analytics.errors import AccessDenied
from analytics.goals import goal_records_of_many
from analytics.instruments import MENTEE_BY_MENTOR, MENTEE_SELF, MENTOR_BY_MENTEE, PROCESS_STEPS
from analytics.meetings import action_ids, meeting_ids
from analytics.people import Viewer, program_settings
from analytics.periods import last_periods, period_label, period_start
from analytics.sql_fragments import (
    current_pair,
    in_list,
    latest_action_status,
    latest_notes,
    listed_limit,
    pair_log_joins,
    pair_recorded_during,
    responses_where,
    standing_where,
)
from analytics.store import Store

HEALTHY, WATCH, AT_RISK = "healthy", "watch", "at risk"
HEALTH_ORDER = {AT_RISK: 0, WATCH: 1, HEALTHY: 2}


# ---------------------------------------------------------------- thresholds, as data


@dataclass(frozen=True)
class Threshold:
    key: str
    label: str
    default: float
    low: float
    high: float
    why: str  # why the default is what it is, shown next to the signal
    whole: bool = True


THRESHOLDS: tuple[Threshold, ...] = (
    Threshold(
        "fall_points",
        "Fall of one step's rating (points)",
        1.5,
        0.5,
        4,
        "One side rates a step this far below its usual (the mean of its earlier ratings) in the latest period, and "
        "below its usual in the period before too: a one-point move is the ordinary wobble of a 5-point answer from "
        "one period to the next; a fall that holds for two periods is a change.",
        whole=False,
    ),
    Threshold(
        "low_rating",
        "Low rating by both sides (at or below)",
        2,
        1,
        3,
        "Both sides rate a step 2 ('Just started') or lower in their latest two ratings of it (one answer of 3 "
        "allowed): the step is not in place, and both of them say so.",
    ),
    Threshold(
        "gap_points",
        "Widening of the gap between the two sides (points)",
        0.8,
        0.3,
        3,
        "The two sides' averages (of the process steps, or of the fellow's qualities: self-view and the mentor's "
        "view) are this much further apart in the latest period than they usually were, and further apart in the "
        "period before too: a steady difference of view is not a drift, and the averages of a pair that agrees "
        "move by a few tenths from period to period.",
        whole=False,
    ),
    Threshold(
        "meeting_share",
        "Meetings held, share of agreed (%)",
        50,
        10,
        100,
        "Fewer than half the meetings the agreement asks for in the last 90 days (or four agreed intervals, where "
        "that is longer): a missed or moved meeting is ordinary, half of them is a pattern.",
    ),
    Threshold(
        "silence_factor",
        "No meeting for (agreed intervals)",
        3,
        2,
        8,
        "No meeting held for three times the interval the agreement sets (120 days without an agreement): two "
        "missed meetings in a row, and the third due.",
    ),
    Threshold(
        "agreement_days",
        "Days to write and acknowledge an agreement",
        60,
        14,
        180,
        "A pair older than 60 days with no agreement, or whose latest agreement is not acknowledged by both 60 days "
        "after it was written, or is past its review date: the ground rules are not set, or not shared.",
    ),
    Threshold(
        "stall_days",
        "Goal without a check-in (days)",
        120,
        30,
        365,
        "An active goal with no check-in for 120 days (more than a period): nobody is tracking it.",
    ),
    Threshold(
        "behind_points",
        "Goal behind its line (points)",
        25,
        5,
        100,
        "An active goal a quarter of the way (25 percentage points) behind the straight line to its target at "
        "its latest check-in, and further behind today.",
    ),
    Threshold(
        "action_days",
        "Action item overdue (days)",
        60,
        7,
        365,
        "Of the action items due in the half year before the last 60 days, half or more (and at least two) are "
        "still open 60 days past their due dates: agreed at meetings and not done two months later. One forgotten "
        "item is ordinary; an item forgotten long ago says nothing about the pair now.",
    ),
    Threshold(
        "overdue_periods",
        "Assessments missed (periods in a row)",
        2,
        1,
        4,
        "An assessment of the pair (the process steps by either side, the ratings of each other) missing from "
        "each of the last two closed periods: overdue for more than a period.",
    ),
    Threshold(
        "at_risk_signals",
        "Signals that make a pair at risk",
        2,
        1,
        5,
        "One signal is worth watching; two at once mean the relationship is slipping on more than one front.",
    ),
)
THRESHOLD_KEYS = {threshold.key: threshold for threshold in THRESHOLDS}
MEETING_WINDOW_DAYS = 90
MEETING_WINDOW_INTERVALS = 4  # ... or four agreed intervals where that is longer: one missed meeting of three is noise
NO_AGREEMENT_SILENCE_DAYS = 120
WINDOW_PERIODS = 3  # ratings compared over the last three periods
ACTION_MIN_ITEMS = 2  # open action items long overdue that make a signal
ACTION_MIN_SHARE = 0.5  # ... and at least this share of the items due in the window
ACTION_LOOKBACK_DAYS = 180  # items due longer ago than the threshold plus this are not the pair's present


def default_thresholds() -> dict[str, float]:
    return {threshold.key: threshold.default for threshold in THRESHOLDS}


def health_thresholds(store: Store, program_id: int, before: datetime | None = None) -> dict[str, float]:
    """The program's thresholds: the defaults, with the latest change the program made to each (made
    before `before`, when given: the thresholds in force when a period closed)."""
    values = default_thresholds()
    rows = store.query_all(
        """
        SELECT subject, new_value FROM program_setting_changes
        WHERE program_id = $program AND setting = 'health_threshold' AND changed_at < $before
        QUALIFY row_number() OVER (PARTITION BY subject ORDER BY changed_at DESC, change_id DESC) = 1
        """,
        {"program": program_id, "before": before or datetime.max},
    )
    for key, value in rows:
        if key in THRESHOLD_KEYS and value is not None:
            values[key] = float(value) if not THRESHOLD_KEYS[key].whole else int(float(value))
    return values


# ---------------------------------------------------------------- the guidance's steps, and what to do next

# Each process step: its short name, the guidance's own sentence (checked against data/guidance by
# tests/unit/test_relationship_health.py through analytics/guidance.py) and where in the app to act on it.
STEPS = {
    "shared-interests": (
        "shared interests",
        "Identifying shared interests, goals, strengths and needs",
        "talk through what each of you wants from the mentoring and write it into your agreement",
    ),
    "ground-rules": (
        "ground rules",
        "Setting ground rules and mutual expectations",
        "write or review your agreement together (Agreement) and both acknowledge it",
    ),
    "planned-meetings": (
        "planned meetings",
        "Planning meetings with clear agendas",
        "plan the next meeting with an agenda (Meetings)",
    ),
    "goals-tracked": (
        "goals tracking",
        "Defining goals and ways to track progress",
        "check in on each goal, or set one with how it is measured (My goals)",
    ),
    "bidirectional-feedback": (
        "feedback both ways",
        "Having ongoing bi-directional feedback",
        "rate each other and the process steps this period (Assessments), then compare the views (Two views)",
    ),
}


# ---------------------------------------------------------------- signals

# key -> (title, kind, the step it concerns). Kinds: "ratings" (built from ratings: never by name to a
# director), "progress" (goals, action items, meetings held: protected too), "admin" (administration a
# director may see by name).
SIGNALS = {
    "steps_falling": ("Process steps falling", "ratings", None),
    "steps_low": ("A step rated low by both", "ratings", None),
    "views_diverging": ("Views drifting apart", "ratings", "bidirectional-feedback"),
    "meetings_below": ("Meetings below the agreed rate", "progress", "planned-meetings"),
    "no_meeting": ("No meeting for too long", "admin", "planned-meetings"),
    "agreement": ("Agreement missing, unacknowledged or past review", "admin", "ground-rules"),
    "goals_stalled": ("Goals stalled or falling behind", "progress", "goals-tracked"),
    "actions_overdue": ("Action items long overdue", "progress", "goals-tracked"),
    "assessments_overdue": ("Assessments overdue", "admin", "bidirectional-feedback"),
}
ADMINISTRATIVE = tuple(key for key, (_, kind, _) in SIGNALS.items() if kind == "admin")
PROTECTED = tuple(key for key in SIGNALS if key not in ADMINISTRATIVE)
# Which threshold decides each signal: its default's explanation is shown next to it.
SIGNAL_THRESHOLD = {
    "steps_falling": "fall_points",
    "steps_low": "low_rating",
    "views_diverging": "gap_points",
    "meetings_below": "meeting_share",
    "no_meeting": "silence_factor",
    "agreement": "agreement_days",
    "goals_stalled": "stall_days",
    "actions_overdue": "action_days",
    "assessments_overdue": "overdue_periods",
}


@dataclass
class Signal:
    key: str
    sentence: str  # short, for the one-sentence summary
    evidence: list[str]
    step: str  # a process step id (STEPS)

    @property
    def title(self) -> str:
        return SIGNALS[self.key][0]

    @property
    def kind(self) -> str:
        return SIGNALS[self.key][1]

    @property
    def quote(self) -> str:
        return STEPS[self.step][1]


@dataclass
class PairFacts:
    """Everything `assess` reads about one pair, as of a day; None where the viewer may not see it."""

    pair_id: int
    started_on: date
    # side ("fellow" or "mentor") -> period start -> item id -> rating
    steps: dict[str, dict[date, dict[str, int]]] = field(default_factory=dict)
    # side ("self" or "mentor") -> period start -> average rating of the fellow's qualities; None: not shared
    qualities: dict[str, dict[date, float]] | None = None
    meetings_held: list[date] = field(default_factory=list)
    agreement: dict | None = None  # meet_every_weeks, review_on, written_on, acknowledged_by_both
    # the fellow's goals, one dict each (analytics.goals.goal_records_of_many: title, status, started_on,
    # target_date, last_checkin, percent_done, ...); None: not shared
    goals: list[dict] | None = None
    actions_due: list[tuple[date, bool]] = field(default_factory=list)  # (due on, still open)
    # assessment stream (a label) -> the periods it was submitted in
    submitted: dict[str, set[date]] = field(default_factory=dict)


@dataclass
class PairHealth:
    pair_id: int
    health: str
    signals: list[Signal]
    sentence: str
    next_step: str | None  # a step id (STEPS), or None when nothing is known
    unseen: list[str] = field(default_factory=list)  # what was not looked at because it is not shared

    @property
    def advice(self) -> str:
        if self.next_step is None:
            return "Rate the process steps this period (Assessments): the guidance's steps are what a healthy pair does."
        name, quote, action = STEPS[self.next_step]
        return f'Weakest step: {name}. The guidance: "{quote}." Next: {action}.'


STREAMS = {  # label -> (instrument, who answers: "fellow" or "mentor")
    "process steps by the fellow": (PROCESS_STEPS, "fellow"),
    "process steps by the mentor": (PROCESS_STEPS, "mentor"),
    "the mentor's rating of the fellow": (MENTEE_BY_MENTOR, "mentor"),
    "the fellow's rating of the mentor": (MENTOR_BY_MENTEE, "fellow"),
}
MENTOR_RATED = "the fellow's rating of the mentor"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


@lru_cache(maxsize=256)
def _last_periods(as_of: date, count: int, months: int) -> tuple[date, ...]:
    """last_periods, once per day: every pair of a program asks the same."""
    return tuple(last_periods(as_of, count, months))


def _last(series: Mapping[date, float], count: int) -> list[tuple[date, float]]:
    return sorted(series.items())[-count:]


def _steps_falling(facts: PairFacts, t: dict, months: int, as_of: date) -> Signal | None:
    """A step one side rated lower in its latest two periods than it usually did: the latest by `fall_points`
    or more below its usual (the mean of its earlier ratings, at least two), the one before below it too."""
    recent = set(_last_periods(as_of, WINDOW_PERIODS, months))
    falls = []
    for side, periods in facts.steps.items():
        for item in STEPS:
            series = sorted((p, ratings[item]) for p, ratings in periods.items() if item in ratings)
            if len(series) < 4 or series[-1][0] not in recent:
                continue
            earlier = [v for _, v in series[:-2]]
            usual = sum(earlier) / len(earlier)
            before, last = series[-2][1], series[-1][1]
            if usual - last >= t["fall_points"] and before < usual:
                falls.append((usual - last, side, item, usual, series))
    if not falls:
        return None
    falls.sort(key=lambda fall: (-fall[0], fall[2]))
    evidence = [
        f"{STEPS[item][0].capitalize()}, rated by the {side}: usually {_number(usual)} "
        f"({period_label(series[0][0], months)} to {period_label(series[-3][0], months)}), "
        f"then {series[-2][1]} and {series[-1][1]} ({period_label(series[-2][0], months)}, {period_label(series[-1][0], months)})"
        for _, side, item, usual, series in falls
    ]
    _, side, item, usual, series = falls[0]
    sentence = f"process steps: {STEPS[item][0]} fell from {_number(usual)} to {series[-1][1]} over 2 periods ({side})"
    return Signal("steps_falling", sentence, evidence, item)


def _steps_low(facts: PairFacts, t: dict) -> Signal | None:
    """A step both sides rate low lately: each side's latest two ratings of it average `low_rating` + 0.5 or
    less (2 and 2, or 2 and 3, at the default), so one answer a point higher does not hide it."""
    low = []
    for item in STEPS:
        latest = {}
        for side in ("fellow", "mentor"):
            series = [r[item] for _, r in sorted(facts.steps.get(side, {}).items()) if item in r][-2:]
            if series and sum(series) / len(series) <= t["low_rating"] + 0.5:
                latest[side] = series
        if len(latest) == 2:
            low.append((item, latest["fellow"], latest["mentor"]))
    if not low:
        return None
    evidence = [
        f"{STEPS[item][0].capitalize()}: the fellow's latest ratings {' and '.join(map(str, f))}, "
        f"the mentor's {' and '.join(map(str, m))}"
        for item, f, m in low
    ]
    item = min(low, key=lambda row: (sum(row[1]) + sum(row[2]), row[0]))[0]
    return Signal("steps_low", f"process steps: {STEPS[item][0]} rated low by both", evidence, item)


def _course(series: Mapping[date, float]) -> tuple[float, float, float, date] | None:
    """(usual, the one before the latest, the latest, the latest's period) of a side's averages: usual is the mean
    of all but its latest two (at least one); None with fewer than three."""
    values = sorted(series.items())
    if len(values) < 3:
        return None
    earlier = [v for _, v in values[:-2]]
    return sum(earlier) / len(earlier), values[-2][1], values[-1][1], values[-1][0]


def _views_diverging(facts: PairFacts, t: dict, months: int, as_of: date) -> Signal | None:
    """The two sides' averages further apart in each side's latest period than usual (each side's mean of its
    earlier periods) by `gap_points` or more, and further apart than usual in the period before too."""
    recent = set(_last_periods(as_of, WINDOW_PERIODS, months))
    means = {side: {p: sum(r.values()) / len(r) for p, r in periods.items() if r} for side, periods in facts.steps.items()}
    candidates = [("the process steps", means.get("fellow", {}), means.get("mentor", {}))]
    if facts.qualities is not None:
        candidates.append(("the fellow's qualities", facts.qualities.get("self", {}), facts.qualities.get("mentor", {})))
    found = []
    for what, first, second in candidates:
        one, other = _course(first), _course(second)
        if one is None or other is None or max(one[3], other[3]) not in recent:
            continue
        usual, before, last = abs(other[0] - one[0]), abs(other[1] - one[1]), abs(other[2] - one[2])
        if last - usual >= t["gap_points"] and before > usual:
            found.append((what, usual, before, last))
    if not found:
        return None
    evidence = [
        f"Views of {what}: the two sides' averages were usually {_number(usual)} points apart, then "
        f"{_number(before)} and, in each side's latest period, {_number(last)}"
        for what, usual, before, last in found
    ]
    what, usual, _before, last = found[0]
    sentence = f"views of {what} drifting apart: {_number(usual)} to {_number(last)} points"
    return Signal("views_diverging", sentence, evidence, "bidirectional-feedback")


def _meetings(facts: PairFacts, t: dict, as_of: date) -> list[Signal]:
    found = []
    held = [day for day in facts.meetings_held if day <= as_of]
    agreement = facts.agreement
    weeks = agreement["meet_every_weeks"] if agreement is not None else 0
    window = max(MEETING_WINDOW_DAYS, MEETING_WINDOW_INTERVALS * 7 * weeks)
    since = as_of - timedelta(days=window)
    if agreement is not None and facts.started_on <= since:
        asked = window / (7 * weeks)
        recent = sum(1 for day in held if day > since)
        if recent < asked * t["meeting_share"] / 100:
            about = max(1, round(asked))
            found.append(
                Signal(
                    "meetings_below",
                    f"meetings: {recent} in the last {window} days, the agreement asks for {about}",
                    [
                        f"{_plural(recent, 'meeting')} held in the last {window} days; the agreement "
                        f"(every {_plural(weeks, 'week')}) asks for about {about}"
                    ],
                    "planned-meetings",
                )
            )
    allowed = int(t["silence_factor"] * 7 * agreement["meet_every_weeks"]) if agreement is not None else NO_AGREEMENT_SILENCE_DAYS
    last = max(held, default=None)
    quiet_since = last or facts.started_on
    days = (as_of - quiet_since).days
    if days > allowed:
        what = f"the last meeting was on {last:%d %b %Y}" if last else "no meeting held since the pair started"
        rule = (
            f"{t['silence_factor']:g} times the agreed interval of {_plural(agreement['meet_every_weeks'], 'week')}"
            if agreement is not None
            else "there is no agreement"
        )
        found.append(
            Signal(
                "no_meeting",
                f"no meeting for {days} days",
                [f"{what.capitalize()}, {days} days ago; allowed: {allowed} days ({rule})"],
                "planned-meetings",
            )
        )
    return found


def _agreement(facts: PairFacts, t: dict, as_of: date) -> Signal | None:
    grace = timedelta(days=int(t["agreement_days"]))
    agreement = facts.agreement
    if agreement is None:
        if as_of - facts.started_on <= grace:
            return None
        return Signal(
            "agreement",
            "no agreement",
            [f"No agreement written since the pair started on {facts.started_on:%d %b %Y}"],
            "ground-rules",
        )
    problems = []
    if agreement["review_on"] < as_of:
        problems.append(f"The agreement was due for review on {agreement['review_on']:%d %b %Y}")
    if not agreement["acknowledged_by_both"] and as_of - agreement["written_on"] > grace:
        problems.append(f"The latest agreement, written on {agreement['written_on']:%d %b %Y}, is not acknowledged by both")
    if not problems:
        return None
    sentence = "agreement past its review date" if agreement["review_on"] < as_of else "agreement not acknowledged by both"
    return Signal("agreement", sentence, problems, "ground-rules")


def _percent_expected(goal, day: date) -> float:
    span = max((goal["target_date"] - goal["started_on"]).days, 1)
    return 100.0 * max(0.0, min(1.0, (day - goal["started_on"]).days / span))


def _goals(facts: PairFacts, t: dict, as_of: date) -> Signal | None:
    if not facts.goals:
        return None
    evidence = []
    for goal in facts.goals:
        if goal["status"] != "active":
            continue
        last = goal["last_checkin"] if not pd.isna(goal["last_checkin"]) else None
        quiet_since = last or goal["started_on"]
        quiet = (as_of - quiet_since).days
        behind_now = _percent_expected(goal, as_of) - goal["percent_done"]
        behind_then = _percent_expected(goal, last) - goal["percent_done"] if last else None
        if quiet > t["stall_days"]:
            evidence.append(f"Goal '{goal['title']}': no check-in for {quiet} days")
        elif behind_then is not None and behind_then >= t["behind_points"] and behind_now > behind_then:
            evidence.append(
                f"Goal '{goal['title']}': {_number(behind_then)} points behind its line at the check-in of "
                f"{last:%d %b %Y}, {_number(behind_now)} today"
            )
    if not evidence:
        return None
    return Signal(
        "goals_stalled", f"goals: {_plural(len(evidence), 'goal')} stalled or falling behind", evidence, "goals-tracked"
    )


def _actions(facts: PairFacts, t: dict, as_of: date) -> Signal | None:
    days = int(t["action_days"])
    due = [(day, is_open) for day, is_open in facts.actions_due if days < (as_of - day).days <= days + ACTION_LOOKBACK_DAYS]
    late = sorted(day for day, is_open in due if is_open)
    if len(late) < ACTION_MIN_ITEMS or len(late) < len(due) * ACTION_MIN_SHARE:
        return None
    return Signal(
        "actions_overdue",
        f"{len(late)} of {_plural(len(due), 'action item')} more than {days} days overdue",
        [f"Open action item due {day:%d %b %Y}, {(as_of - day).days} days ago" for day in late]
        + [f"{len(due) - len(late)} of the {len(due)} due in that half year were done"],
        "goals-tracked",
    )


def _assessments(facts: PairFacts, t: dict, months: int, as_of: date) -> Signal | None:
    count = int(t["overdue_periods"])
    closed = _last_periods(as_of, count + 1, months)[:-1]  # the `count` periods before today's
    if not closed or closed[0] < facts.started_on:  # the pair was not there for all of them
        return None
    missing = [label for label, periods in facts.submitted.items() if not set(closed) & periods]
    if not missing:
        return None
    span = f"{period_label(closed[0], months)}" + (f" to {period_label(closed[-1], months)}" if len(closed) > 1 else "")
    return Signal(
        "assessments_overdue",
        f"{_plural(len(missing), 'assessment')} missing for {_plural(count, 'period')}",
        [f"No {label} in {span}" for label in missing],
        "bidirectional-feedback",
    )


def assess(facts: PairFacts, thresholds: dict, as_of: date, months: int) -> PairHealth:
    """The pair's signals, its health and the one-sentence explanation, from its records alone."""
    t = default_thresholds() | thresholds
    signals = [
        s
        for s in [
            _steps_falling(facts, t, months, as_of),
            _steps_low(facts, t),
            _views_diverging(facts, t, months, as_of),
            *_meetings(facts, t, as_of),
            _agreement(facts, t, as_of),
            _goals(facts, t, as_of),
            _actions(facts, t, as_of),
            _assessments(facts, t, months, as_of),
        ]
        if s is not None
    ]
    health = HEALTHY if not signals else AT_RISK if len(signals) >= t["at_risk_signals"] else WATCH
    if signals:
        sentence = f"{health.capitalize()}: " + "; ".join(s.sentence for s in signals) + "."
    else:
        sentence = "Healthy: meetings, agreement, goals, assessments and ratings show nothing to act on."
    unseen = []
    if facts.qualities is None:
        unseen.append("the fellow's self-ratings (not shared with you)")
    if facts.goals is None:
        unseen.append("the fellow's goals (not shared with you)")
    return PairHealth(facts.pair_id, health, signals, sentence, _weakest_step(facts, signals), unseen)


def _weakest_step(facts: PairFacts, signals: list[Signal]) -> str | None:
    """The step of the first signal; without one, the step both sides rate lowest lately."""
    if signals:
        return signals[0].step
    latest: dict[str, list[int]] = {}
    for periods in facts.steps.values():
        if periods:
            for item, rating in periods[max(periods)].items():
                latest.setdefault(item, []).append(rating)
    rated = {item: sum(r) / len(r) for item, r in latest.items() if item in STEPS}
    return min(rated, key=lambda item: (rated[item], item)) if rated else None


# ---------------------------------------------------------------- reading the records


_ASSESSMENT_COLUMNS = "assessment_id, instrument_id, respondent_id, subject_id, pair_id, period_start"


def _before(as_of: date) -> datetime:
    """Records recorded before this moment are as of the end of `as_of`."""
    return datetime.combine(as_of + timedelta(days=1), time.min)


# Each assessment of the pairs (their process steps, the ratings of each other) and each self-assessment of
# their fellows, as it stood at $before, reduced to one row per pair (none for a self-assessment),
# instrument, respondent and period: the mean rating, and the items with their ratings. The two readings
# are filtered apart, the pairs and the fellows each named one by one (sql_fragments.in_list: a filter that
# DuckDB pushes into its scan, skipping row groups, and that PostgreSQL receives); each keeps or drops whole
# ranking groups, and no ranking group is in both (they differ in instrument).
_PAIRED_INSTRUMENTS = ", ".join(f"'{instrument}'" for instrument in (PROCESS_STEPS, MENTEE_BY_MENTOR, MENTOR_BY_MENTEE))


def _ratings_sql(pairs: str, mentees: str) -> str:
    """SQL ($as_of, $before and the parameters of `pairs` and `mentees`, in_list's): the rows load_facts reads."""
    of_pairs = f"instrument_id IN ({_PAIRED_INSTRUMENTS}) AND pair_id IN ({pairs})"
    of_mentees = f"instrument_id = '{MENTEE_SELF}' AND subject_id IN ({mentees})"
    pairs_rated = standing_where(f"{of_pairs} AND period_start <= $as_of", "$before", _ASSESSMENT_COLUMNS)
    self_rated = standing_where(
        f"{of_mentees} AND respondent_id = subject_id AND period_start <= $as_of", "$before", _ASSESSMENT_COLUMNS
    )
    return f"""
WITH a AS (
    SELECT a.*, r.item_id, r.rating FROM ({pairs_rated}) a JOIN {responses_where(of_pairs)} r USING (assessment_id)
    UNION ALL
    SELECT a.*, r.item_id, r.rating FROM ({self_rated}) a JOIN {responses_where(of_mentees)} r USING (assessment_id)
)
SELECT a.instrument_id, CASE WHEN a.instrument_id = '{MENTEE_SELF}' THEN NULL ELSE a.pair_id END AS pair_id,
       a.respondent_id, a.period_start, avg(a.rating) AS mean,
       list(a.item_id) FILTER (WHERE a.instrument_id = '{PROCESS_STEPS}') AS items,
       list(a.rating) FILTER (WHERE a.instrument_id = '{PROCESS_STEPS}') AS ratings
FROM a
GROUP BY ALL
"""


def _submitted_sql(pairs: str) -> str:
    """SQL: only which of those assessments of the pairs were submitted (with a rating), in the same shape."""
    of_pairs = f"instrument_id IN ({_PAIRED_INSTRUMENTS}) AND pair_id IN ({pairs})"
    pairs_rated = standing_where(f"{of_pairs} AND period_start <= $as_of", "$before", _ASSESSMENT_COLUMNS)
    return f"""
WITH a AS ({pairs_rated})
SELECT DISTINCT a.instrument_id, a.pair_id, a.respondent_id, a.period_start, NULL AS mean, NULL AS items, NULL AS ratings
FROM a WHERE a.assessment_id IN (SELECT assessment_id FROM {responses_where(of_pairs)})
"""


_STREAM_OF = {(instrument, side): label for label, (instrument, side) in STREAMS.items()}


def load_facts(
    store: Store,
    pairs: pd.DataFrame,
    as_of: date,
    months: int,
    self_visible: dict[int, bool] | None = None,
    goals_cut: dict[int, date | None] | None = None,
    ratings: bool = True,
) -> dict[int, PairFacts]:
    """Each pair's records as they stood at the end of `as_of`.

    `pairs` has pair_id, mentor_id, mentee_id, started_on. `self_visible` (pair -> bool) says whether
    the fellow's self-ratings may be read; `goals_cut` (mentee -> last day, or None for none) which
    goals; both default to everything (a pair's fellow, a director's aggregate). Without `ratings`, only
    which assessments were submitted is read (all the administrative signals need): no steps, no qualities.

    Set-based: seven queries for all the pairs (two of them the ids of their meetings and action items, then
    named one by one), each reduced in SQL to what `assess` reads, and plain Python over their rows (a pandas
    group or frame per pair costs milliseconds, minutes for a large program).
    """
    if pairs.empty:
        return {}
    before = _before(as_of)
    members = {
        int(pair): (int(mentor), int(mentee))
        for pair, mentor, mentee in zip(pairs["pair_id"], pairs["mentor_id"], pairs["mentee_id"], strict=True)
    }
    pair_ids = list(members)
    mentee_ids = sorted({mentee for _mentor, mentee in members.values()})
    facts = {
        pair: PairFacts(pair, started_on.date(), submitted={s: set() for s in STREAMS})
        for pair, started_on in zip(members, pd.to_datetime(pairs["started_on"]), strict=True)
    }
    limit = listed_limit(store.backend)  # a program's many: one list each on a DuckDB file
    listed_pairs, pair_params = in_list("pair", pair_ids, limit)
    if ratings:
        mentees, mentee_params = in_list("mentee", mentee_ids, limit)
        rows = store.query_all(
            _ratings_sql(listed_pairs, mentees), {"as_of": as_of, "before": before, **pair_params, **mentee_params}
        )
    else:
        rows = store.query_all(_submitted_sql(listed_pairs), {"as_of": as_of, "before": before, **pair_params})
    self_means: dict[int, dict[date, float]] = {}
    mentor_means: dict[int, dict[date, float]] = {}
    for instrument, pair, respondent, period, mean, items, values in rows:
        if instrument == MENTEE_SELF:
            self_means.setdefault(respondent, {})[period] = float(mean)
            continue
        if pair not in facts:
            continue
        mentor_id, _mentee_id = members[pair]
        side = "mentor" if respondent == mentor_id else "fellow"
        label = _STREAM_OF.get((instrument, side))
        if label is not None:
            facts[pair].submitted[label].add(period)
        if not ratings:
            continue
        if instrument == PROCESS_STEPS:
            facts[pair].steps.setdefault(side, {})[period] = dict(zip(items, map(int, values), strict=True))
        elif instrument == MENTEE_BY_MENTOR and side == "mentor":
            mentor_means.setdefault(pair, {})[period] = float(mean)
    for pair, (_mentor_id, mentee_id) in members.items():
        if ratings and (self_visible is None or self_visible.get(pair, False)):
            facts[pair].qualities = {"self": self_means.get(mentee_id, {}), "mentor": mentor_means.get(pair, {})}

    # The pairs' meetings and their action items first (two small reads), then named one by one.
    found = meeting_ids(store, pair_ids)
    meetings, meeting_params = in_list("meeting", found, limit)
    listed_actions, action_params = in_list("action", action_ids(store, found), limit)
    held = store.query_all(
        f"""
        WITH m AS (
            SELECT meeting_id, pair_id, meeting_on FROM meetings
            WHERE meeting_id IN ({meetings}) AND meeting_on <= $as_of AND created_at < $before
        )
        SELECT m.pair_id, m.meeting_on
        FROM m JOIN ({latest_notes(meetings, "meeting_id, held", "$before")}) n USING (meeting_id)
        WHERE n.held ORDER BY m.meeting_on
        """,
        {"as_of": as_of, "before": before, **meeting_params},
    )
    for pair, day in held:
        facts[pair].meetings_held.append(day)

    written = store.query_all(f"SELECT agreement_id FROM agreements WHERE pair_id IN ({listed_pairs})", pair_params)
    agreement_ids, agreement_params = in_list("agreement", [row[0] for row in written], limit)
    agreements = store.query_all(
        f"""
        SELECT a.pair_id, a.meet_every_weeks, a.review_on, a.written_at,
               (SELECT count(DISTINCT k.person_id) FROM agreement_acknowledgements k
                WHERE k.agreement_id IN ({agreement_ids})
                  AND k.agreement_id = a.agreement_id AND k.acknowledged_at < $before
                  AND k.person_id IN (pr.mentor_id, pr.mentee_id)) = 2 AS both
        FROM agreements a
        JOIN (SELECT pair_id, mentor_id, mentee_id FROM pairs WHERE pair_id IN ({listed_pairs})) pr USING (pair_id)
        WHERE a.pair_id IN ({listed_pairs}) AND a.written_at < $before
        QUALIFY row_number() OVER (PARTITION BY a.pair_id ORDER BY a.version DESC) = 1
        """,
        {"before": before, **pair_params, **agreement_params},
    )
    for pair, weeks, review_on, written_at, both in agreements:
        facts[pair].agreement = {
            "meet_every_weeks": int(weeks),
            "review_on": review_on,
            "written_on": written_at.date(),
            "acknowledged_by_both": bool(both),
        }

    actions = store.query_all(
        f"""
        WITH ai AS (
            SELECT a.action_id, m.pair_id, a.due_on
            FROM action_items a
            JOIN (SELECT meeting_id, pair_id FROM meetings WHERE meeting_id IN ({meetings})) m USING (meeting_id)
            WHERE a.action_id IN ({listed_actions}) AND a.created_at < $before AND a.due_on IS NOT NULL AND a.due_on <= $as_of
        )
        SELECT ai.pair_id, ai.due_on, coalesce(s.status, 'open') = 'open' FROM ai
        LEFT JOIN ({latest_action_status(listed_actions, changed_before="$before")}) s USING (action_id)
        """,
        {"as_of": as_of, "before": before, **meeting_params, **action_params},
    )
    for pair, due_on, is_open in actions:
        facts[pair].actions_due.append((due_on, bool(is_open)))

    cut_offs = dict.fromkeys(mentee_ids, EVERYTHING) if goals_cut is None else goals_cut
    visible = {int(m): c for m, c in cut_offs.items() if c is not None}
    # As of `as_of`: a goal recorded later, or a check-in, does not count yet.
    goals = goal_records_of_many(store, {m: min(c, as_of) for m, c in visible.items()}, as_of) if visible else {}
    for pair, (_mentor_id, mentee_id) in members.items():
        if mentee_id in goals:
            facts[pair].goals = goals[mentee_id]
    return facts


# ---------------------------------------------------------------- who sees what

# A pair with its people's names and the fellow's cohort: what every view of pair health lists.
_PAIRS_WITH_NAMES = """
    SELECT pr.pair_id, pr.mentor_id, pr.mentee_id, pr.domain, pr.started_on,
           pr.mentor_name AS mentor, pr.mentee_name AS fellow, coalesce(c.name, 'No cohort') AS cohort,
           coalesce(pr.mentee_cohort_id, 0) AS cohort_id
    FROM pair_people pr
    LEFT JOIN cohorts c ON c.cohort_id = pr.mentee_cohort_id
"""

_PAIR_SQL = f"""{_PAIRS_WITH_NAMES}
    WHERE pr.mentor_active AND pr.mentee_active AND {current_pair("pr", "$today")}
"""


def _months(store: Store, viewer: Viewer) -> int:
    return program_settings(store, viewer.program_id)["period_months"]


def my_pairs_health(store: Store, viewer: Viewer, today: date) -> list[tuple[dict, PairHealth]]:
    """The viewer's current pairs (as mentor or as fellow), most in need first: (the pair, its health).

    A mentor's view reads the fellow's self-ratings and goals only where the fellow shares them.
    """
    if viewer is None or not (viewer.has("mentor") or viewer.has("fellow")):
        raise AccessDenied("Pair health is for the two people of each pair.")
    pairs = store.query_df(
        # Each side on its own, so that PostgreSQL receives the filter (a pair's two people differ).
        f"{_PAIR_SQL} AND pr.mentor_id = $me UNION ALL {_PAIR_SQL} AND pr.mentee_id = $me ORDER BY pair_id",
        {"today": today, "me": viewer.person_id},
    )
    return _for_members(store, viewer, pairs, today)


def pair_health(store: Store, viewer: Viewer, pair_id: int, today: date) -> tuple[dict, PairHealth]:
    """One current pair of the viewer's, with its health; AccessDenied for anyone outside it."""
    require_pair_member(store, viewer, pair_id)
    pairs = store.query_df(_PAIR_SQL + " AND pr.pair_id = $pair", {"today": today, "pair": pair_id})
    found = _for_members(store, viewer, pairs, today)
    if not found:
        raise AccessDenied("This pair is not current.")
    return found[0]


def _for_members(store: Store, viewer: Viewer, pairs: pd.DataFrame, today: date) -> list[tuple[dict, PairHealth]]:
    if pairs.empty:
        return []
    self_visible, goals_cut = {}, {}
    for row in pairs.itertuples():
        mentee = int(row.mentee_id)
        self_visible[int(row.pair_id)] = shared_until(store, viewer, mentee, "self_assessments") is not None
        goals_cut[mentee] = shared_until(store, viewer, mentee, "goals")
    months = _months(store, viewer)
    facts = load_facts(store, pairs, today, months, self_visible, goals_cut)
    thresholds = health_thresholds(store, viewer.program_id)
    found = []
    for row in pairs.to_dict("records"):
        if viewer.person_id == row["mentor_id"]:  # whether the fellow rated their mentor is the fellow's to tell
            facts[row["pair_id"]].submitted.pop(MENTOR_RATED, None)
        health = assess(facts[row["pair_id"]], thresholds, today, months)
        row["role"] = "mentor" if viewer.person_id == row["mentor_id"] else "fellow"
        row["other"] = row["fellow"] if row["role"] == "mentor" else row["mentor"]
        found.append((row, health))
    found.sort(key=lambda pair: (HEALTH_ORDER[pair[1].health], -len(pair[1].signals), pair[0]["other"], pair[0]["pair_id"]))
    return found


def signal_rows(health: PairHealth, thresholds: dict | None = None) -> pd.DataFrame:
    """A pair's signals as a table: signal, evidence (one line each), the guidance sentence, why the threshold."""
    rows = []
    for signal in health.signals:
        threshold = THRESHOLD_KEYS[SIGNAL_THRESHOLD[signal.key]]
        for line in signal.evidence:
            rows.append(
                {"signal": signal.title, "evidence": line, "guidance": signal.quote, "why this is a signal": threshold.why}
            )
    return pd.DataFrame(rows, columns=["signal", "evidence", "guidance", "why this is a signal"])


# ---------------------------------------------------------------- the director


def _require_director(viewer: Viewer | None) -> None:
    if viewer is None or not viewer.has("director"):
        raise AccessDenied("The program's pair health is for directors.")


def _program_pairs(store: Store, viewer: Viewer, day: date) -> pd.DataFrame:
    return store.query_df(
        _PAIR_SQL + " AND pr.program_id = $program ORDER BY pr.pair_id", {"today": day, "program": viewer.program_id}
    )


# The program's pairs current on a closed period's last day as recorded by the period's end
# (sql_fragments.pair_recorded_during): a pair ended, or created, later with a date back in that period changes
# none of its counts, nor does deactivating one of its people later (a fellow who leaves), so no count can be
# subtracted before and after to learn one pair's signals.
_CLOSED_PERIOD_PAIRS_SQL = f"""{_PAIRS_WITH_NAMES}
    {pair_log_joins("pr")}
    WHERE pr.program_id = $program AND {pair_recorded_during("pr", "$start", "$end")}
    ORDER BY pr.pair_id
"""


# Of the latest CLOSED period: its ratings are 'ratings' (a submission, always to the open period, touches only
# 'assessments' and leaves the counts warm; the day decides what is closed); pairs, cohorts and people are
# 'people', thresholds, minimum group size and period length 'settings' (always in the key). Its goals, meetings,
# notes and action items are cut at the period's close by when they were recorded, but their writes are stamped
# by the clock, which need not be past the app's "today" (a demo's or a test's), so they stay in the key.
@reads("ratings", "goals", "meetings")
def program_health(store: Store, viewer: Viewer, today: date) -> pd.DataFrame:
    """Per cohort: pairs, then counts of pairs by health and by signal. No names.

    Signals built from ratings, goals, action items and meetings held, and so the health, are computed
    as of the last day of the latest closed period from what was recorded by then, so a figure does not
    move when one more person submits. A cohort whose pairs have fewer fellows than the program's
    minimum group size is shown as hidden (its counts are None) and enters no total.
    """
    _require_director(viewer)
    months = _months(store, viewer)
    open_start = period_start(today, months)
    closed_end = open_start - timedelta(days=1)
    pairs = store.query_df(
        _CLOSED_PERIOD_PAIRS_SQL,
        {"program": viewer.program_id, "start": closed_end, "end": open_start},  # current on its last day
    )
    facts = load_facts(store, pairs, closed_end, months)
    # The thresholds in force when the period closed: a change made since moves no count of it.
    thresholds = health_thresholds(store, viewer.program_id, before=datetime.combine(open_start, time()))
    minimum = min_group_size(store, viewer)
    columns = ["cohort", "pairs", HEALTHY, WATCH, AT_RISK, *SIGNALS]
    rows = []
    for cohort, group in pairs.groupby("cohort", sort=True):
        row = {"cohort": cohort, "pairs": len(group)}
        if group["mentee_id"].nunique() < minimum:
            rows.append(row | {key: None for key in columns[2:]})
            continue
        healths = [assess(facts[p], thresholds, closed_end, months) for p in group["pair_id"].tolist()]
        for word in (HEALTHY, WATCH, AT_RISK):
            row[word] = sum(h.health == word for h in healths)
        found = [{s.key for s in h.signals} for h in healths]
        for key in SIGNALS:
            row[key] = sum(key in keys for keys in found)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=columns)
    shown = frame.dropna(subset=[HEALTHY])
    total = {"cohort": "All cohorts shown", "pairs": int(shown["pairs"].sum())}
    total |= {key: int(shown[key].sum()) for key in columns[2:]}
    frame = pd.concat([frame, pd.DataFrame([total])], ignore_index=True) if not shown.empty else frame
    for key in columns[2:]:
        frame[key] = frame[key].astype("Int64")
    return frame.rename(columns={key: SIGNALS[key][0] for key in SIGNALS})


# Meetings held and agreements ('meetings'), and assessments missing in the last closed periods ('ratings': an
# open-period submission changes none of them); no goals.
@reads("ratings", "meetings")
def administrative_signals(store: Store, viewer: Viewer, today: date) -> pd.DataFrame:
    """Pairs by name with their administrative signals only (no meeting, agreement, assessments overdue), as of today."""
    _require_director(viewer)
    months = _months(store, viewer)
    pairs = _program_pairs(store, viewer, today)
    facts = load_facts(store, pairs, today, months, goals_cut={}, ratings=False)  # no signal built from them is shown
    thresholds = health_thresholds(store, viewer.program_id)
    rows = []
    for row in pairs.to_dict("records"):
        health = assess(facts[row["pair_id"]], thresholds, today, months)
        for signal in health.signals:
            if signal.kind == "admin":
                rows.append(
                    {
                        "mentor": row["mentor"],
                        "fellow": row["fellow"],
                        "cohort": row["cohort"],
                        "signal": signal.title,
                        "evidence": "; ".join(signal.evidence),
                    }
                )
    return pd.DataFrame(rows, columns=["mentor", "fellow", "cohort", "signal", "evidence"])
