"""A director as an insider: every change the settings page offers, tried on the demo program, and
then the dashboard compared before and after, as a director who differences figures would.

- Right after the changes (in the open period), every figure published for a closed period is the
  same, unit for unit: the minimum applies from the open period on, renaming a category keeps its
  goals' groups, a cadence changes who is asked, and the period length is refused.
- Once the open period has closed under the new minimum, no linear combination of everything
  published before and after singles out fewer people than the lowest minimum any period has, and
  none at all of the units published before the change beyond what the old minimum allowed.
"""

from datetime import date
from pathlib import Path

import pytest

from analytics import program_settings
from analytics.errors import InputError
from analytics.instruments import load_catalogue
from analytics.registry import register_catalogue
from tests.conftest import NOW
from tests.robustness.test_disclosure_attack import _collect, _director, _isolated

DEMO_INSTRUMENTS = Path(__file__).resolve().parents[2] / "demo" / "instruments"
NEXT_QUARTER = date(2027, 1, 15)  # 2026 Q4, open when the settings change, has closed


def _people(store, raw) -> dict:
    return {
        "assessment": raw.n,
        "goal": lambda codes: store.query_one(
            "SELECT count(DISTINCT owner_id) FROM goals WHERE list_contains(?, goal_id)", [sorted({c // 10 for c in codes})]
        )[0],
        "output": lambda ids: store.query_one(
            "SELECT count(DISTINCT owner_id) FROM outputs WHERE list_contains(?, output_id)", [sorted(ids)]
        )[0],
    }


def _every_change_the_page_offers(store, director, minimum: int) -> None:
    catalogue = register_catalogue(store, load_catalogue(program_dir=DEMO_INSTRUMENTS), NOW)
    for months in program_settings.PERIOD_LENGTHS:
        if months != 3:
            with pytest.raises(InputError, match="cannot change once anything is recorded"):
                program_settings.change_period_months(store, director, months, NOW)
    program_settings.add_goal_category(store, director, "Teaching", NOW)
    program_settings.rename_goal_category(store, director, "research", "Research and scholarship", NOW)
    program_settings.retire_goal_category(store, director, "personal", NOW)
    program_settings.change_instrument_cadence(store, catalogue, director, "mentoring-competencies", "yearly", NOW)
    program_settings.change_min_group_size(store, director, minimum, NOW)


@pytest.mark.parametrize("minimum", [3])  # the lowest a director may choose: the most a closed period could lose
def test_no_setting_the_page_offers_makes_a_hidden_cell_of_a_published_period_recoverable(demo_store, minimum):
    store = demo_store
    director = _director(store)
    before, old_minimum, raw = _collect(store)
    assert old_minimum == 5 and len(before["assessment"]) > 500 and before["goal"] and before["output"], "the attack saw data"

    _every_change_the_page_offers(store, director, minimum)
    same_day, _, _ = _collect(store)
    for universe, sets in before.items():
        # Goal units are codes (goal_id * 10 + state): a renamed category keeps them, and so its groups.
        assert sorted(map(sorted, same_day[universe])) == sorted(map(sorted, sets)), f"{universe}: a published figure moved"

    later, _, raw = _collect(store, NEXT_QUARTER)
    people = _people(store, raw)
    lowest = min(minimum, old_minimum)
    for universe in before:
        together = before[universe] + later[universe]
        assert later[universe] != before[universe] or universe != "assessment", "the new quarter was published"
        isolated = _isolated(together, people[universe], lowest)
        assert not isolated, f"{universe}: groups of fewer than {lowest} singled out, e.g. {isolated[:3]}"
        if universe == "goal":
            continue  # a goal is in every snapshot (a stock): its later snapshots answer to the later minimum
        published_before = set().union(*before[universe])
        under_old = [g for g in _isolated(together, people[universe], old_minimum) if set(g) & published_before]
        assert not under_old, f"{universe}: fewer than {old_minimum} people of an already published period singled out"
