"""One visual language: on every page of every demo role, a name (a view, a person, a cohort, a goal state)
has the same colour, marker and dash in every chart the page draws, and the self-view has the first slot."""

import json
from collections import defaultdict

import pytest

from charts.style import PALETTE
from tests.pages.conftest import open_page
from tests.pages.test_page_guards import DEMO, PAGE_ROLES

PAGES_OF_ROLES = [(role, page) for page, roles in sorted(PAGE_ROLES.items()) for role in sorted(roles)]


def figures(at) -> list[dict]:
    """The plotly figures the page drew, as the JSON the browser gets."""
    return [json.loads(element.proto.spec) for element in at.get("plotly_chart")]


def look(trace: dict) -> tuple:
    """What tells a trace apart on a chart: its colour, marker, dash and bar pattern."""
    line, marker = trace.get("line", {}), trace.get("marker", {})
    colour = line.get("color") if "lines" in trace.get("mode", "") else marker.get("color", line.get("color"))
    pattern = marker.get("pattern", {}).get("shape")
    return json.dumps(colour), marker.get("symbol"), line.get("dash"), pattern


def clash(looks: set[tuple]) -> bool:
    """Two looks of one name differ: another colour, or another marker, dash or pattern where both have one
    (a line has a dash and no bar pattern, a bar the other way round)."""
    return any(
        any(a != b for a, b in zip(first, second, strict=True) if a is not None and b is not None)
        for first in looks
        for second in looks
    )


def looks_by_name(drawn: list[dict]) -> dict[str, set[tuple]]:
    """Every trace name of the page -> the looks it has across the page's charts (hidden cells left out:
    they are drawn grey in the slot of the series they belong to)."""
    looks: dict[str, set[tuple]] = defaultdict(set)
    for figure in drawn:
        for trace in figure["data"]:
            if trace.get("name") and trace.get("legendgroup") != "hidden":
                looks[trace["name"]].add(look(trace))
    return looks


def test_a_name_drawn_two_ways_is_caught():
    """The check itself: the same view in two colours on one page fails it."""
    line = {"name": "Self-view", "mode": "lines+markers", "line": {"color": PALETTE[0]}, "marker": {"symbol": "circle"}}
    bar = {"name": "Self-view", "marker": {"color": PALETTE[1]}}
    assert clash(looks_by_name([{"data": [line]}, {"data": [bar]}])["Self-view"])
    assert not clash(looks_by_name([{"data": [line]}, {"data": [bar | {"marker": {"color": PALETTE[0]}}]}])["Self-view"])


@pytest.mark.parametrize(("role", "page"), PAGES_OF_ROLES)
def test_every_name_keeps_its_look_on_every_chart_of_a_page(demo_db, app_store, role, page):
    at = open_page(app_store, page, DEMO[role])
    drawn = figures(at)
    differing = {name: looks for name, looks in looks_by_name(drawn).items() if clash(looks)}
    assert not differing, f"{role} on {page}: drawn in more than one way: {differing}"
    for figure in drawn:
        for trace in figure["data"]:
            if trace.get("name") == "Self-view":
                assert look(trace)[0] == json.dumps(PALETTE[0]), f"{role} on {page}: the self-view is not first"


def test_the_pages_with_most_views_draw_several_charts(demo_db, app_store):
    """So the test above compares something: Two views and My mentees draw several charts with shared names."""
    for role, page in (("mentor", "feedback.py"), ("mentor", "mentees.py"), ("fellow", "feedback.py")):
        drawn = figures(open_page(app_store, page, DEMO[role]))
        shared = [name for name, charts in _charts_by_name(drawn).items() if charts > 1]
        assert len(drawn) >= 3 and shared, (role, page, len(drawn))


def _charts_by_name(drawn: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for figure in drawn:
        for name in {trace.get("name") for trace in figure["data"] if trace.get("name")}:
            counts[name] += 1
    return counts
