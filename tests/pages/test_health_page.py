"""Pair health on the demo, for each role: a mentor's and a fellow's pairs by need with what to do next and
one pair's evidence; a director's counts per cohort (the small cohort hidden) and names only beside
administrative signals."""

import pandas as pd

from analytics import relationship_health as rh
from analytics.people import load_viewer
from tests.conftest import TODAY
from tests.pages.conftest import open_page, texts

PAGE = "health.py"
RATING_TITLES = {title for title, kind, _ in rh.SIGNALS.values() if kind != "admin"}


def person(store, email):
    return load_viewer(store, store.query_one("SELECT person_id FROM people WHERE email = $e", {"e": email})[0])


def test_a_mentor_sees_every_pair_by_need_with_what_to_do_next_and_one_pairs_evidence(demo_db, app_store):
    at = open_page(app_store, PAGE, "mentor@demo.org")
    table = at.dataframe[0].value
    expected = rh.my_pairs_health(app_store, person(app_store, "mentor@demo.org"), TODAY)
    assert list(table["with"]) == [row["fellow"] for row, _ in expected]  # most in need first
    assert len(table) == 6 and set(table["as"]) == {"their mentor"}
    order = [rh.HEALTH_ORDER[h] for h in table["health"]]
    assert order == sorted(order) and table["health"].iloc[0] == rh.AT_RISK
    assert all(advice.startswith(("Weakest step:", "Rate the process steps")) for advice in table["next"])
    assert any('The guidance: "' in advice for advice in table["next"])
    # The first pair's evidence: its sentence, the advice, and a row per piece of evidence.
    row, health = expected[0]
    shown = texts(at)
    assert health.sentence in shown and health.advice in shown
    evidence = at.dataframe[1].value
    assert list(evidence["evidence"]) == [line for s in health.signals for line in s.evidence]
    assert set(evidence["guidance"]) <= {quote for _, quote, _ in rh.STEPS.values()}
    # Another pair, chosen.
    at.selectbox(key="health-pair").set_value(len(expected) - 1).run()
    assert not at.exception
    assert expected[-1][1].sentence in texts(at)


def test_a_fellow_sees_their_own_pairs_the_same_way(demo_db, app_store):
    at = open_page(app_store, PAGE, "fellow@demo.org")
    table = at.dataframe[0].value
    fellow = person(app_store, "fellow@demo.org")
    expected = rh.my_pairs_health(app_store, fellow, TODAY)
    assert list(table["with"]) == [row["mentor"] for row, _ in expected] and set(table["as"]) == {"their fellow"}
    assert all(row["mentee_id"] == fellow.person_id for row, _ in expected)
    assert "One pair's evidence" in texts(at)
    assert "The program's pairs by health and signal" not in texts(at)


def test_a_director_sees_counts_per_cohort_and_names_only_beside_administrative_signals(demo_db, app_store):
    at = open_page(app_store, PAGE, "director@demo.org")
    assert "My pairs" not in texts(at)
    counts, named = at.dataframe[0].value, at.dataframe[1].value
    assert list(counts["cohort"]) == ["Class of 2027", "Class of 2028", "Class of 2029", "All cohorts shown"]
    small = counts[counts["cohort"] == "Class of 2029"].iloc[0]
    assert all(pd.isna(small[title]) for title in RATING_TITLES)  # under the minimum: hidden, never 0
    shown = counts[counts["cohort"].isin(["Class of 2027", "Class of 2028"])]
    total = counts[counts["cohort"] == "All cohorts shown"].iloc[0]
    for title in RATING_TITLES:
        assert total[title] == shown[title].sum()
    for key in ("steps_falling", "steps_low", "views_diverging"):
        assert total[rh.SIGNALS[key][0]] > 0, key  # the demo's planted drifts show every signal built from ratings
    people = set(app_store.query_df("SELECT full_name FROM people")["full_name"])
    assert not people & set(counts.astype(str).to_numpy().ravel())  # counts only
    assert set(named.columns) == {"mentor", "fellow", "cohort", "signal", "evidence"}
    assert set(named["signal"]) == {rh.SIGNALS[key][0] for key in rh.ADMINISTRATIVE}
    assert not RATING_TITLES & set(named["signal"])
