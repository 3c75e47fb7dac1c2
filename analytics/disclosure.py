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

`plan_atoms` decides the atoms of a family of figures (one instrument in one period, one goal
category, one kind of output in one period); `select` picks the units a view publishes.
"""

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd

from analytics.people import program_settings
from analytics.periods import period_start
from analytics.store import Store

DEFAULT_MIN_GROUP_SIZE = 5
FLOOR_MIN_GROUP_SIZE = 3
DOMAIN_BITS = {"career": 1, "research": 2, "social": 4}
MENTOR_COHORT = -1  # the cohort key of mentors (fellows without a cohort have 0)
CUTS = ("cohort", "domain")


def min_group_size(store: Store, program_id: int) -> int:
    """The program's minimum group size: its setting, default 5, never below 3."""
    setting = program_settings(store, program_id).get("min_group_size") or DEFAULT_MIN_GROUP_SIZE
    return max(int(setting), FLOOR_MIN_GROUP_SIZE)


def first_open_period(store: Store, program_id: int, today: date) -> date:
    """The start of today's period: protected figures cover only the periods before it."""
    return period_start(today, program_settings(store, program_id)["period_months"])


def domain_bit(domain: str | None) -> int | None:
    if domain is None:
        return None
    if domain not in DOMAIN_BITS:
        raise ValueError(f"Unknown mentor domain: {domain!r}")
    return DOMAIN_BITS[domain]


def domain_masks_sql(keys: str) -> str:
    """SQL for a CTE `masks(focus_id, focus_role, period_start, mask)`: each person's mentor domains in
    a period as a bit mask (career 1, research 2, social 4), from the pairs as recorded by its end.

    `keys` names a CTE with focus_id, focus_role ('fellow': pairs as mentee, 'mentor': as mentor) and
    period_start. A pair counts when its creation was recorded before the period's end, it started
    before that end, and it had not ended before the period began, unless that end was recorded
    only after the period closed. Pairs from before `pair_log` use their typed dates. Needs the
    parameters $program and $months.
    """
    return f"""
masks AS (
    SELECT k.focus_id, k.focus_role, k.period_start,
           bit_or(CASE p.domain WHEN 'career' THEN 1 WHEN 'research' THEN 2 ELSE 4 END)::INTEGER AS mask
    FROM (SELECT DISTINCT focus_id, focus_role, period_start FROM {keys}) k
    JOIN pairs p ON p.program_id = $program
         AND ((k.focus_role = 'fellow' AND p.mentee_id = k.focus_id) OR (k.focus_role = 'mentor' AND p.mentor_id = k.focus_id))
    LEFT JOIN pair_log created ON created.pair_id = p.pair_id AND created.event = 'created'
    LEFT JOIN pair_log ended ON ended.pair_id = p.pair_id AND ended.event = 'ended'
    WHERE p.started_on < (k.period_start + to_months($months))::DATE
      AND coalesce(created.recorded_on, p.started_on) < (k.period_start + to_months($months))::DATE
      AND NOT coalesce(p.ended_on < k.period_start
                       AND coalesce(ended.recorded_on, p.ended_on) < (k.period_start + to_months($months))::DATE, false)
    GROUP BY ALL
)"""


def plan_atoms(units: pd.DataFrame, minimum: int, family: Sequence[str], cuts: Sequence[str] = CUTS) -> pd.DataFrame:
    """The atoms of each family of figures, and which units may be published at all.

    `units` has one row per unit of data (an assessment, a goal, an output) with the `family`
    columns, `cohort_key`, `mask` (mentor domains in that period), `respondent_id` and `subject_id`.
    Returns a copy with `enabled` (the domain bits this family may be split by), `atom_mask` (the
    unit's mask on those bits) and `publishable` (its atom reaches the minimum).

    Domain cuts are tried in a fixed order (career, research, social) and kept where no publishable
    atom of the family splits into a part under the minimum, so the atoms of a closed period are
    the same whatever view asks for them.
    """
    minimum = max(int(minimum), FLOOR_MIN_GROUP_SIZE)
    out = units.reset_index(drop=True).copy()
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

    publishable = atom_sizes(pd.Series(0, index=out.index)) >= minimum if len(out) else pd.Series(dtype=bool)
    if "domain" in cuts and len(out):
        for bit in DOMAIN_BITS.values():
            trial = atom_sizes(out["mask"] & (enabled | bit))
            fine = ~publishable | (trial >= minimum)
            family_fine = fine.groupby([out[c] for c in families], sort=False, dropna=False).transform("all")
            enabled = enabled.where(~family_fine, enabled | bit)
    out["enabled"] = enabled
    out["atom_mask"] = out["mask"] & enabled
    out["publishable"] = publishable.astype(bool) if len(out) else pd.Series(dtype=bool)
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


def hidden_note(minimum: int) -> str:
    return f"Hidden: fewer than {minimum} people, or a group that this filter would separate from the rest is under that size."


__all__ = [
    "DEFAULT_MIN_GROUP_SIZE",
    "DOMAIN_BITS",
    "FLOOR_MIN_GROUP_SIZE",
    "MENTOR_COHORT",
    "domain_bit",
    "domain_masks_sql",
    "first_open_period",
    "min_group_size",
    "plan_atoms",
    "select",
]
