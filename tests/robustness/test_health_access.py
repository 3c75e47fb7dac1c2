"""Pair health, proven on the page for every kind of visitor and every pair of the demo program: no pair's
signals reach anyone outside it, and no signal built from ratings, goals, action items or meetings held
reaches a director by pair. What the page sends (every element, every table, every download) is scanned
for each pair's own evidence lines and summary (those no other pair shares, so each names its pair)."""

import pytest

from analytics import relationship_health as rh
from analytics.people import load_viewer
from tests.conftest import TODAY
from tests.pages import conftest as page_fixtures
from tests.pages.conftest import open_page
from tests.robustness.downloads import kept_downloads
from tests.robustness.test_access_pages import everything_sent

demo_db = page_fixtures.demo_db  # a copy of the demo database that the app uses, per test
app_store = page_fixtures.app_store
VISITORS = ("fellow@demo.org", "mentor@demo.org", "director@demo.org", "other fellow", "other mentor")


def _all_pairs(store) -> dict[int, tuple[set[int], rh.PairHealth]]:
    """Every current pair of the demo program with its members and its full health (everything visible)."""
    pairs = store.query_df(
        "SELECT pair_id, mentor_id, mentee_id, started_on FROM pairs WHERE program_id = 1 AND ended_on IS NULL ORDER BY pair_id"
    )
    facts = rh.load_facts(store, pairs, TODAY, 3)
    return {
        int(row.pair_id): ({int(row.mentor_id), int(row.mentee_id)}, rh.assess(facts[row.pair_id], {}, TODAY, 3))
        for row in pairs.itertuples()
    }


def _own_lines(found: dict) -> dict[int, dict[str, str]]:
    """Per pair, its evidence lines and summary that no other pair has: line -> the signal's kind ("summary")."""
    counts: dict[str, int] = {}
    lines = {}
    for pair, (_members, health) in found.items():
        mine = {line: signal.kind for signal in health.signals for line in signal.evidence}
        mine[health.sentence] = "summary"
        lines[pair] = mine
        for line in mine:
            counts[line] = counts.get(line, 0) + 1
    return {pair: {line: kind for line, kind in mine.items() if counts[line] == 1} for pair, mine in lines.items()}


def _visitor(store, who: str, found: dict) -> int:
    if "@" in who:
        return store.query_one("SELECT person_id FROM people WHERE email = $e", {"e": who})[0]
    demo = {store.query_one("SELECT person_id FROM people WHERE email = $e", {"e": e})[0] for e in VISITORS[:3]}
    # A pair neither demo account belongs to, with signals (so it has lines to leak).
    pair = next(p for p, (members, health) in found.items() if not members & demo and len(health.signals) >= 2)
    mentor_id, mentee_id = store.query_one("SELECT mentor_id, mentee_id FROM pairs WHERE pair_id = $p", {"p": pair})
    return mentee_id if who == "other fellow" else mentor_id


@pytest.mark.parametrize("who", VISITORS)
def test_no_pairs_signals_reach_anyone_outside_it_nor_a_director_by_pair(demo_db, app_store, monkeypatch, who):
    found = _all_pairs(app_store)
    own = _own_lines(found)
    person = _visitor(app_store, who, found)
    viewer = load_viewer(app_store, person)
    email = app_store.query_one("SELECT email FROM people WHERE person_id = $p", {"p": person})[0]
    sent_pages = []
    with kept_downloads(monkeypatch):
        at = open_page(app_store, "health.py", email)
        sent_pages.append(everything_sent(at))
        mine = [p for p, (members, _) in found.items() if person in members]
        for index in range(1, len(mine)):  # every one of the visitor's pairs opened in turn
            at.selectbox(key="health-pair").set_value(index).run()
            sent_pages.append(everything_sent(at))
    sent = "\n".join(sent_pages)
    # What the visitor's own pairs show them (a mentor's view of a pair leaves out whether the fellow rated
    # them, so its lines may read like another pair's): those are theirs to see.
    theirs, own_views = set(), []
    if viewer.has("mentor") or viewer.has("fellow"):
        own_views = [health for _row, health in rh.my_pairs_health(app_store, viewer, TODAY)]
        for health in own_views:
            theirs |= {line for signal in health.signals for line in signal.evidence} | {health.sentence}
    checked = 0
    for pair, lines in own.items():
        members, _health = found[pair]
        for line, kind in lines.items():
            if person in members or line in theirs:
                continue
            if viewer.has("director") and kind == "admin":
                continue  # administration, by name
            assert line not in sent, f"{who} was sent pair {pair}'s {kind} line: {line}"
            checked += 1
    assert checked > 50  # the scan looked at many lines of other pairs
    # The visitor's own pairs: their summaries and every line of evidence are there, so the scan can fail.
    assert len(own_views) == len(mine)
    for health in own_views:
        assert health.sentence in sent
        assert all(line in sent for signal in health.signals for line in signal.evidence)
    if viewer.has("director"):
        admin = [line for lines in own.values() for line, kind in lines.items() if kind == "admin"]
        assert any(line in sent for line in admin)  # administrative signals do reach the director, by pair
