"""mentees_goals_behind reads every sharing mentee's goals in one query: the same rows, and the same
column types, as goals_behind asked mentee by mentee."""

from datetime import date

import pandas as pd
import pytest

from analytics.access import shared_until
from analytics.goals import goals_behind, mentees_goals_behind
from analytics.people import load_viewer
from tests.conftest import TODAY


def _one_by_one(store, viewer, today: date) -> pd.DataFrame | None:
    mentees = store.query_all(
        "SELECT DISTINCT p.mentee_id, f.full_name FROM pairs p JOIN people f ON f.person_id = p.mentee_id"
        " WHERE p.mentor_id = ? AND f.active ORDER BY f.full_name, p.mentee_id",
        [viewer.person_id],
    )
    frames = []
    for mentee_id, name in mentees:
        if shared_until(store, viewer, mentee_id, "goals") is None:
            continue
        behind = goals_behind(store, viewer, mentee_id, today)
        if not behind.empty:
            frames.append(behind.assign(mentee_id=mentee_id, mentee=name))
    if not frames:
        return None
    result = pd.concat(frames, ignore_index=True)
    return result[["mentee_id", "mentee", *[c for c in result.columns if c not in ("mentee_id", "mentee")]]]


@pytest.mark.parametrize("today", [TODAY, date(2026, 6, 15)])
def test_one_query_gives_what_mentee_by_mentee_gives(demo_store, today):
    mentors = [row[0] for row in demo_store.query_all("SELECT DISTINCT mentor_id FROM pairs ORDER BY 1")]
    compared = 0
    for mentor_id in mentors:
        viewer = load_viewer(demo_store, mentor_id)
        expected = _one_by_one(demo_store, viewer, today)
        found = mentees_goals_behind(demo_store, viewer, today)
        if expected is None:
            assert found.empty
        else:
            pd.testing.assert_frame_equal(found, expected)
            compared += len(expected)
    assert compared > 0  # some mentor has a mentee with a goal behind, so rows were compared
