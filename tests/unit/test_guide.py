"""analytics/guide.py: the guidance split for the help page, instruments traced to it, the welcome per role."""

from analytics.guide import ROLES, Block, dismiss_welcome, guidance_blocks, instrument_traces, welcomes_to_show, who_answers
from analytics.instruments import load_catalogue
from analytics.people import Viewer
from tests.conftest import NOW

COPY = """Jump to Main Content

Resources for Hematology Fellows

Optimizing a Mentor-Mentee Relationship

First paragraph ends with a marker.1 Second sentence.2

The process may be optimized by:

  \u2022 Step one
  \u2022 Step two

  1. A reference
  2. Another reference
"""


def test_the_guidance_starts_after_its_title_with_steps_references_and_footnotes_apart():
    assert guidance_blocks(COPY) == [
        Block("paragraph", "First paragraph ends with a marker. [1] Second sentence. [2]"),
        Block("paragraph", "The process may be optimized by:"),
        Block("step", "Step one"),
        Block("step", "Step two"),
        Block("reference", "A reference", 1),
        Block("reference", "Another reference", 2),
    ]


def test_every_shipped_item_traces_to_a_quote_of_the_guidance():
    traces = instrument_traces(load_catalogue())
    assert {trace["id"] for trace in traces} >= {"mentee-self", "mentor-self", "process-steps"}
    for trace in traces:
        assert trace["from_guidance"] and "Optimizing a Mentor-Mentee Relationship" in trace["source"]
        assert trace["items"] and all(item["quote"] for item in trace["items"])
    steps = next(trace for trace in traces if trace["id"] == "process-steps")
    assert [item["quote"] for item in steps["items"]][0] == "Identifying shared interests, goals, strengths and needs"
    assert who_answers(load_catalogue().get("mentor-by-mentee")) == "Fellows, about a mentor, every period"


def test_a_welcome_is_shown_per_role_until_that_person_dismisses_it_and_twice_stores_once(demo_store):
    both = Viewer(1, "Two Roles", 1, frozenset({"mentor", "director"}))
    other = Viewer(2, "Someone Else", 1, frozenset({"mentor"}))
    assert welcomes_to_show(demo_store, both) == ["mentor", "director"]
    dismiss_welcome(demo_store, both, "director", NOW)
    dismiss_welcome(demo_store, both, "director", NOW)  # a double click
    assert welcomes_to_show(demo_store, both) == ["mentor"]
    assert welcomes_to_show(demo_store, other) == ["mentor"]
    assert demo_store.query_one("SELECT count(*) FROM welcome_dismissals")[0] == 1
    assert set(ROLES) == {"fellow", "mentor", "director"}
