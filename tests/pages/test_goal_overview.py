"""Goal progress of a program with many cohorts (ui/goal_progress.py): every cohort in an overview, a few
drawn in detail, at first the ones most behind; a program of a few cohorts draws them all, as before."""

from datetime import date

import pandas as pd
from streamlit.testing.v1 import AppTest

from tests.unit.test_figures import _many_cohorts
from ui.goal_progress import DRAWN_AT_MOST, most_behind


def test_the_cohorts_most_behind_come_first_by_their_latest_period_shown():
    progress = _many_cohorts(10)  # in the second period cohort n has n% of its goals behind; cohort 00 is hidden then
    # Cohort 00's latest period shown is the first (10% behind): it ranks above cohorts 01-09's 1-9%.
    assert most_behind(progress, 3) == ["Cohort 00", "Cohort 09", "Cohort 08"]
    # A category shown counts by its goals: 2 of 10 goals behind in one and 8 of 30 in another make 10 of 40.
    two = pd.DataFrame(
        {
            "period_start": date(2026, 1, 1),
            "category": ["research", "career", "research"],
            "cohort": ["A", "A", "B"],
            "goals": [10, 30, 10],
            "share_behind": [0.2, 8 / 30, 0.24],
            "suppressed": False,
        }
    )
    assert most_behind(two, 2) == ["A", "B"]  # A: 10 of 40 goals behind (25%), B: 24%


def goal_section(count: int):
    import streamlit as st

    from tests.unit.test_figures import _many_cohorts
    from ui.goal_progress import drawn_cohorts

    progress = _many_cohorts(count)
    drawn = drawn_cohorts(progress, 5, {})
    st.write(f"drawn: {drawn}")


def test_many_cohorts_get_an_overview_and_the_six_most_behind_in_detail_a_few_cohorts_all():
    at = AppTest.from_function(goal_section, args=(61,)).run()
    assert not at.exception, at.exception
    assert len(at.get("plotly_chart")) == 1  # the overview; the page draws the detail
    [overview_table] = at.dataframe
    assert len(overview_table.value) == 2 * 61  # the table behind it holds every cohort
    chosen = at.multiselect(key="dash_goal_cohorts")
    assert list(chosen.value) == [f"Cohort {n}" for n in range(60, 60 - DRAWN_AT_MOST, -1)]
    assert f"drawn: {list(chosen.value)}" in at.markdown[-1].value
    chosen.set_value(["Cohort 00", "Cohort 01"]).run()
    assert "drawn: ['Cohort 00', 'Cohort 01']" in at.markdown[-1].value
    at.radio(key="dash_goal_state").set_value("share_completed").run()
    assert not at.exception, at.exception

    few = AppTest.from_function(goal_section, args=(DRAWN_AT_MOST,)).run()
    assert not few.exception, few.exception
    assert not few.get("plotly_chart") and not few.multiselect and "drawn: None" in few.markdown[-1].value
