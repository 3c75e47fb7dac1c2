"""What a director may learn from the program's aggregates: the disclosure model, in one place.

Every figure the dashboard publishes (on screen, in a CSV, in the Excel) is one of two kinds.

- **Administration**, shown in full: who is active, who has or has not submitted (participation and
  the overdue list, by name), the pairs and their domains. A director manages these; hiding a count
  in one table while another table names the people would only pretend.
- **Protected**: ratings, goal progress, outputs and meetings held. They obey two rules.
  1. *Closed periods only.* A figure is published for a period once it has ended. Nothing can be
     submitted to a closed period any more, and who belongs to which cohort and domain is taken as
     recorded by the period's end (`pair_log`), so a closed period's figures never change: nobody
     can compare a figure before and after one more person submits, or carve a new group out of
     old figures by creating or ending pairs later.
  2. *Unions of atoms, each at least the minimum.* An atom is a set of people that no filter the
     figure offers can tell apart in that period: the same cohort and the same answer to each
     enabled domain cut ("has a mentor in research"). A domain cut is enabled for a period only
     where it splits no publishable atom into a part under the minimum group size; an atom under
     the minimum (a small cohort, say) enters no figure at all, filtered or not. Every published
     figure is a sum over whole atoms, so any sum or difference of published figures still covers
     at least the minimum number of people: no two views can be subtracted to isolate anyone.
  The size of an atom is the smaller of its distinct respondents and distinct subjects, so a
  figure never rests on fewer than the minimum raters nor on fewer than the minimum people rated.

The minimum of a period is the one in force when the period closed (`Minimums`): a director who
changes the minimum changes it for the open period and later ones, never for a period already
published, so the atoms of a closed period, and every figure made of them, stay what they were.
Figures of one period under one minimum beside those of another period under another share no
unit (an assessment, an output, a meeting belongs to one period); goal snapshots, which do span
periods, are compared in order, each against the minimum of the later one.

`plan_atoms` decides the atoms of a family of figures (one instrument in one period, one goal
category, one kind of output in one period); `select` picks the units a view publishes; `suppress`
and `suppress_bins` blank what falls under the minimum; `published_snapshots` decides which goal
snapshots may be compared period to period. analytics/dashboard_aggregates.py computes the figures
and asks this module what it may publish.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd

from analytics.changes import reads
from analytics.pairs import MENTOR_DOMAINS
from analytics.people import Viewer, program_settings
from analytics.periods import last_periods, next_period, period_start
from analytics.sql_fragments import pair_log_joins, pair_recorded_during
from analytics.store import Store

DEFAULT_MIN_GROUP_SIZE = 5
FLOOR_MIN_GROUP_SIZE = 3
DOMAIN_BITS = {domain: 1 << position for position, domain in enumerate(MENTOR_DOMAINS)}  # career 1, research 2, social 4
MENTOR_COHORT = -1  # the cohort key of mentors (fellows without a cohort have 0)
CUTS = ("cohort", "domain")


@reads("settings")
def min_group_size(store: Store, viewer: Viewer) -> int:
    """The viewer's program's minimum group size: its setting, default 5, never below 3."""
    setting = program_settings(store, viewer.program_id).get("min_group_size") or DEFAULT_MIN_GROUP_SIZE
    return max(int(setting), FLOOR_MIN_GROUP_SIZE)


@dataclass(frozen=True)
class Minimums:
    """The minimum group size of each period: the one in force when the period closed.

    `current` is the program's setting now; `changes` its recorded changes (changed_at, old, new),
    oldest first. A period that closed before a change keeps the value from before it.
    """

    current: int
    changes: tuple[tuple[datetime, int, int], ...]
    months: int

    def of(self, period: date) -> int:
        """The minimum of the period that starts on `period`."""
        close = datetime.combine(next_period(period, self.months), datetime.min.time())
        value = self.current
        for changed_at, old, _new in reversed(self.changes):
            if changed_at < close:
                break
            value = old  # made once the period had closed: undo it for this period
        return max(int(value), FLOOR_MIN_GROUP_SIZE)

    def lowest(self) -> int:
        """The lowest minimum any period has (what a test of every period together may assume)."""
        values = [self.current, *(old for _, old, _ in self.changes)]
        return max(min(int(v) for v in values), FLOOR_MIN_GROUP_SIZE)


MinimumRule = int | Minimums


def period_minimums(store: Store, viewer: Viewer) -> Minimums:
    """The viewer's program's minimum group size period by period (see Minimums)."""
    settings = program_settings(store, viewer.program_id)
    rows = store.query_all(
        """
        SELECT changed_at, old_value::INTEGER, new_value::INTEGER FROM program_setting_changes
        WHERE program_id = $program AND setting = 'min_group_size' ORDER BY changed_at, change_id
        """,
        {"program": viewer.program_id},
    )
    return Minimums(min_group_size(store, viewer), tuple((row[0], row[1], row[2]) for row in rows), settings["period_months"])


def minimum_of_rows(minimum: MinimumRule, periods: pd.Series) -> pd.Series:
    """Each row's minimum: one number for every row, or each row's period's (Minimums)."""
    if isinstance(minimum, Minimums):
        current = max(int(minimum.current), FLOOR_MIN_GROUP_SIZE)
        by_period = {p: current if pd.isna(p) else minimum.of(pd.Timestamp(p).date()) for p in pd.unique(periods)}
        return pd.Series([by_period[p] for p in periods], index=periods.index, dtype="int64")
    return pd.Series(max(int(minimum), FLOOR_MIN_GROUP_SIZE), index=periods.index, dtype="int64")


def first_open_period(store: Store, viewer: Viewer, today: date) -> date:
    """The start of today's period: protected figures cover only the periods before it."""
    return period_start(today, program_settings(store, viewer.program_id)["period_months"])


def latest_closed_period(store: Store, viewer: Viewer, today: date) -> date:
    """The period before today's: the latest one whose figures are final."""
    return last_periods(today, 2, program_settings(store, viewer.program_id)["period_months"])[0]


def domain_bit(domain: str | None) -> int | None:
    if domain is None:
        return None
    if domain not in DOMAIN_BITS:
        raise ValueError(f"Unknown mentor domain: {domain!r}")
    return DOMAIN_BITS[domain]


_DOMAIN_BIT_CASES = " ".join(f"WHEN '{domain}' THEN {bit}" for domain, bit in DOMAIN_BITS.items())


def domain_masks_sql(keys: str) -> str:
    """SQL for a CTE `masks(focus_id, focus_role, period_start, mask)`: each person's mentor domains in
    a period as a bit mask (career 1, research 2, social 4), from the pairs as recorded by its end.

    `keys` names a CTE with focus_id, focus_role ('fellow': pairs as mentee, 'mentor': as mentor) and
    period_start. A pair counts for a period as recorded by its end (sql_fragments.pair_recorded_during).
    Needs the parameters $program and $months.
    """
    return f"""
masks AS (
    SELECT k.focus_id, k.focus_role, k.period_start,
           bit_or(CASE p.domain {_DOMAIN_BIT_CASES} END)::INTEGER AS mask
    FROM (SELECT DISTINCT focus_id, focus_role, period_start FROM {keys}) k
    JOIN (  -- each pair once as its mentee's and once as its mentor's: an equality join, not a range join on every pair
        SELECT pair_id, domain, started_on, ended_on, mentee_id AS focus_id, 'fellow' AS focus_role FROM pairs
        WHERE program_id = $program
        UNION ALL
        SELECT pair_id, domain, started_on, ended_on, mentor_id, 'mentor' FROM pairs WHERE program_id = $program
    ) p ON p.focus_id = k.focus_id AND p.focus_role = k.focus_role
    {pair_log_joins("p")}
    WHERE {pair_recorded_during("p", "k.period_start", "(k.period_start + to_months($months))::DATE")}
    GROUP BY ALL
)"""


def plan_atoms(units: pd.DataFrame, minimum: MinimumRule, family: Sequence[str], cuts: Sequence[str] = CUTS) -> pd.DataFrame:
    """The atoms of each family of figures, and which units may be published at all.

    `units` has one row per unit of data (an assessment, a goal, an output) with the `family`
    columns, `cohort_key`, `mask` (mentor domains in that period), `respondent_id` and `subject_id`.
    Returns a copy with `enabled` (the domain bits this family may be split by), `atom_mask` (the
    unit's mask on those bits), `publishable` (its atom reaches the minimum) and `minimum` (its
    period's, with Minimums; the family must then hold period_start).

    Domain cuts are tried in a fixed order (career, research, social) and kept where no publishable
    atom of the family splits into a part under the minimum, so the atoms of a closed period are
    the same whatever view asks for them.
    """
    out = units.reset_index(drop=True).copy()
    periods = out["period_start"] if "period_start" in out else pd.Series(None, index=out.index, dtype=object)
    need = minimum_of_rows(minimum, periods)
    out["cohort_key"] = out["cohort_key"].astype("int64")
    out["mask"] = out["mask"].fillna(0).astype("int64")
    families = list(family)
    out["_cohort"] = out["cohort_key"] if "cohort" in cuts else 0
    enabled = pd.Series(0, index=out.index, dtype="int64")

    def atom_sizes(mask: pd.Series) -> pd.Series:
        keys = [out[c] for c in families] + [out["_cohort"], mask]
        groups = out.groupby(keys, sort=False, dropna=False)
        return pd.Series(
            np.minimum(groups["respondent_id"].transform("nunique"), groups["subject_id"].transform("nunique")),
            index=out.index,
        )

    publishable = atom_sizes(pd.Series(0, index=out.index)) >= need if len(out) else pd.Series(dtype=bool)
    if "domain" in cuts and len(out):
        for bit in DOMAIN_BITS.values():
            trial = atom_sizes(out["mask"] & (enabled | bit))
            fine = ~publishable | (trial >= need)
            family_fine = fine.groupby([out[c] for c in families], sort=False, dropna=False).transform("all")
            enabled = enabled.where(~family_fine, enabled | bit)
    out["enabled"] = enabled
    out["atom_mask"] = out["mask"] & enabled
    out["publishable"] = publishable.astype(bool) if len(out) else pd.Series(dtype=bool)
    out["minimum"] = need
    return out.drop(columns=["_cohort"])


def select(planned: pd.DataFrame, cohort_ids: Sequence[int] | None, domain: str | None) -> pd.DataFrame:
    """The units a view (cohorts, domain) asks for, each with `pooled`: whether it enters the view's
    figures. A unit is pooled when its atom is publishable and, with a domain, that domain's cut is
    enabled for its family; otherwise its family's figures for this view are hidden.
    `cohort_ids` None means every cohort, fellows without one and mentors included.
    """
    bit = domain_bit(domain)
    chosen = planned
    if cohort_ids is not None:
        chosen = chosen[chosen["cohort_key"].isin([int(c) for c in cohort_ids])]
    if bit is not None:
        chosen = chosen[(chosen["mask"] & bit) != 0]
    chosen = chosen.copy()
    pooled = chosen["publishable"].astype(bool)
    if bit is not None:
        pooled &= (chosen["enabled"] & bit) != 0
    chosen["pooled"] = pooled
    return chosen


def unit_parameters(chosen: pd.DataFrame, atoms: bool = True) -> dict:
    """The units `select` chose as query parameters: $ids, $pooled and (for ITEM_ANSWERS_SQL) $atoms,
    each atom keyed by side, cohort and enabled mask, and $mins, each unit's period's minimum."""
    table = {"ids": [int(i) for i in chosen["unit_id"]], "pooled": [bool(p) for p in chosen["pooled"]]}
    if atoms:
        keys = chosen["side"].astype(str) + "/" + chosen["cohort_key"].astype(str) + "/" + chosen["atom_mask"].astype(str)
        table["atoms"] = list(keys)
        table["mins"] = [int(m) for m in chosen["minimum"]]
    return table


# CTEs (after a WITH) ending in `counted`: every answer of the chosen units, with whether it enters
# the per-item figures; needs the parameters of `unit_parameters`. Per-item figures take an
# atom's answers to an item only where at least the minimum of its people answered that item (an item
# added by a new instrument version mid-period may have fewer), so every per-item figure is a sum
# over whole (atom, item) groups of at least the minimum too.
ITEM_ANSWERS_SQL = """
s AS (SELECT unnest($ids) AS assessment_id, unnest($pooled) AS pooled, unnest($atoms) AS atom, unnest($mins) AS minimum),
answers AS (
    SELECT a.assessment_id, a.period_start, a.respondent_id, a.subject_id, s.atom, s.pooled, s.minimum, r.item_id, r.rating
    FROM s JOIN assessments a USING (assessment_id) JOIN responses r USING (assessment_id)
),
item_atoms AS (
    SELECT period_start, item_id, atom FROM answers WHERE pooled GROUP BY ALL
    HAVING least(count(DISTINCT respondent_id), count(DISTINCT subject_id)) >= max(minimum)
),
counted AS (
    SELECT x.*, x.pooled AND i.atom IS NOT NULL AS counted
    FROM answers x LEFT JOIN item_atoms i USING (period_start, item_id, atom)
)"""


def suppress(frame: pd.DataFrame, minimum: MinimumRule, values: Sequence[str], trace: bool = False) -> pd.DataFrame:
    """Rows with no pooled people (n under the minimum, with Minimums their period's) keep their key but no values.

    `behind` (the unit ids a row pools, for tests) is emptied on suppressed rows and kept only with `trace`.
    """
    frame = frame.copy()
    frame["n"] = frame["n"].fillna(0).astype(int)
    periods = frame["period_start"] if "period_start" in frame else pd.Series(None, index=frame.index, dtype=object)
    frame["suppressed"] = frame["n"] < minimum_of_rows(minimum, periods)
    for column in values:
        frame[column] = frame[column].astype(object).where(~frame["suppressed"], None)
    if "behind" in frame and not trace:
        frame = frame.drop(columns=["behind"])
    elif "behind" in frame:
        frame["behind"] = [
            sorted(int(i) for i in b) if isinstance(b, list | np.ndarray) and not s else []
            for b, s in zip(frame["behind"], frame["suppressed"], strict=True)
        ]
    return frame.reset_index(drop=True)


def suppress_bins(frame: pd.DataFrame, count_column: str, min_size: int) -> pd.DataFrame:
    """Hiding for bins that add up to a total the viewer knows (the pairs of a period). Returns a copy
    with `suppressed` and the hidden counts None.

    A bin of 1 to min-1 is hidden. Once any is, the empty bins are hidden too (a 0 shown beside a
    hidden bin would say the hidden one holds someone), and the smallest shown bins join them until
    the hidden bins hold at least the minimum together: the total minus what is shown then tells
    only a sum of at least the minimum, spread over bins nobody can tell apart.
    """
    min_size = max(int(min_size), FLOOR_MIN_GROUP_SIZE)
    out = frame.copy().reset_index(drop=True)
    counts = out[count_column].astype(int)
    hidden = (counts > 0) & (counts < min_size)
    if hidden.any():
        hidden |= counts == 0
        while 0 < counts[hidden].sum() < min_size and (~hidden).any():
            hidden[counts[~hidden].idxmin()] = True
    out["suppressed"] = hidden.astype(bool)
    out[count_column] = counts.astype(object).where(~hidden, None)
    return out


def published_snapshots(states: pd.DataFrame, periods: list[date], minimum: MinimumRule) -> pd.DataFrame:
    """The snapshots a director may see: per (category, cohort) and closed period, whether its figures
    are published, walking the periods in order.

    `states` has one row per goal and period with a nonzero `state` code (goal_id, owner_id, category,
    cohort_key, period_start). A goal stays in the figures from period to period, so two periods'
    figures can be subtracted: the difference is the goals that changed (new, completed, on or off
    track). A snapshot is therefore published only when its owners reach the minimum and, against
    every snapshot of that group published before it (not only the last: a director may subtract any
    two), the owners whose goals differ are none or at least the minimum. Groups are cohorts (fixed for
    a person), not mentor domains, which a director could change to move one person between groups.
    With Minimums, each snapshot is judged by its own period's minimum (earlier ones keep theirs).
    Columns: category, cohort_key, period_start, published.
    """
    columns = ["category", "cohort_key", "period_start", "published"]
    if states.empty:
        return pd.DataFrame([], columns=columns)
    needs = np.array([int(minimum_of_rows(minimum, pd.Series([start])).iloc[0]) for start in periods], dtype=np.int64)
    # All groups at once, as arrays: snapshot 0 is "before any goal" (every code 0), snapshot t >= 1 is
    # periods[t - 1]; a row per (group, goal) of the codes in each snapshot (0: not there).
    grouped = states.groupby(["category", "cohort_key"], sort=True)
    keys = grouped.size().index  # the groups, sorted
    frame = states.assign(_group=grouped.ngroup().to_numpy())
    column = {start: index + 1 for index, start in enumerate(periods)}
    frame = frame[frame["period_start"].isin(list(column)) & (frame["_group"] >= 0)]
    goal, goals = pd.factorize(pd.MultiIndex.from_arrays([frame["_group"], frame["goal_id"]]))
    first = ~pd.DataFrame({"goal": goal, "period": frame["period_start"].to_numpy()}).duplicated().to_numpy()  # pivot's "first"
    codes = np.zeros((len(goals), len(periods) + 1), dtype=np.int64)
    snapshot = frame["period_start"].map(column).to_numpy(dtype=np.int64)
    codes[goal[first], snapshot[first]] = frame["state"].to_numpy()[first]
    # Each goal's group and owner (its first row's), and each (group, owner) as one person of that group.
    first_row = ~pd.Series(goal).duplicated().to_numpy()
    group_of_goal = np.empty(len(goals), dtype=np.int64)
    group_of_goal[goal[first_row]] = frame["_group"].to_numpy()[first_row]
    owner_of_goal = np.empty(len(goals), dtype=np.int64)
    owner_of_goal[goal[first_row]] = frame["owner_id"].to_numpy()[first_row]
    person, people = pd.factorize(pd.MultiIndex.from_arrays([group_of_goal, owner_of_goal]))
    group_of_person = np.asarray([g for g, _ in people], dtype=np.int64)
    n_groups, n_snapshots = len(keys), len(periods) + 1
    # Walk the periods in order; a snapshot is compared with every one published before it in its group.
    shown = np.zeros((n_groups, n_snapshots), dtype=bool)
    shown[:, 0] = True
    for t in range(1, n_snapshots):
        rows, earlier = np.nonzero(codes[:, :t] != codes[:, [t]])  # goals that differ from an earlier snapshot
        marked = np.zeros((len(people), t), dtype=bool)
        marked[person[rows], earlier] = True  # an owner counts once however many of their goals differ
        who, earlier = np.nonzero(marked)
        differing = np.zeros((n_groups, t), dtype=np.int64)  # per group and earlier snapshot: owners who differ
        np.add.at(differing, (group_of_person[who], earlier), 1)
        need = needs[t - 1]
        fine = ~shown[:, :t] | (differing == 0) | (differing >= need)
        shown[:, t] = (differing[:, 0] >= need) & fine.all(axis=1)  # against snapshot 0: the owners present
    published = [
        {"category": category, "cohort_key": int(cohort_key), "period_start": start, "published": bool(shown[g, t + 1])}
        for g, (category, cohort_key) in enumerate(keys)
        for t, start in enumerate(periods)
    ]
    return pd.DataFrame(published, columns=columns)


__all__ = [
    "DEFAULT_MIN_GROUP_SIZE",
    "DOMAIN_BITS",
    "FLOOR_MIN_GROUP_SIZE",
    "ITEM_ANSWERS_SQL",
    "MENTOR_COHORT",
    "MinimumRule",
    "Minimums",
    "domain_bit",
    "domain_masks_sql",
    "first_open_period",
    "latest_closed_period",
    "min_group_size",
    "minimum_of_rows",
    "period_minimums",
    "plan_atoms",
    "published_snapshots",
    "select",
    "suppress",
    "suppress_bins",
    "unit_parameters",
]
