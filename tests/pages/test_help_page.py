"""The help page (the guidance in full, where each question comes from, who sees what, the privacy rule)
and the first-visit welcome on Home, dismissed once per person and role."""

import re

import pytest

from analytics.guidance import guidance_text, source
from analytics.guide import WELCOMES, guidance_blocks
from analytics.instruments import load_catalogue
from tests.pages.conftest import click, open_page, signed_in, texts
from ui.text import as_text

FELLOW, MENTOR, DIRECTOR = "fellow@demo.org", "mentor@demo.org", "director@demo.org"
DEMO = {"fellow": FELLOW, "mentor": MENTOR, "director": DIRECTOR}


def expander_labels(at) -> list[str]:
    return [expander.label for expander in at.expander]


def test_the_help_page_holds_the_guidance_in_full(demo_db, app_store):
    at = open_page(app_store, "help.py", FELLOW)
    shown = texts(at)
    assert at.title[0].value == "Help"
    # Every sentence of the guidance after its title: each block, as typed, with no word lost.
    blocks = guidance_blocks()
    assert len(blocks) >= 12
    for block in blocks:
        assert block.text in shown, block.text
    # Nothing left out: the words after the title, footnote markers aside, are the blocks' words in order.
    after_title = guidance_text().split(source()["title"], 1)[1]
    original = re.sub(r"(?<=[a-z.])\d+(?=\s)", "", after_title).replace("•", " ").split()
    kept = " ".join((f"{b.number}. " if b.kind == "reference" else "") + re.sub(r" \[\d+\]", "", b.text) for b in blocks)
    assert kept.split() == original
    assert source()["url"] in shown


def test_every_item_of_every_instrument_is_shown_with_where_it_comes_from(demo_db, app_store):
    at = open_page(app_store, "help.py", MENTOR)
    catalogue = load_catalogue(program_dir=demo_db.parent / "program-instruments")
    labels = expander_labels(at)
    shown = texts(at)
    assert len(catalogue.instruments) >= 5
    for instrument in catalogue.instruments:
        assert as_text(instrument.title) in labels
        for item in instrument.items:
            assert item.text in shown
            if item.quote:
                assert f"From the guidance: \u201c{item.quote}\u201d" in shown
    process_steps = next(expander for expander in at.expander if expander.label == as_text("How our mentoring is going"))
    assert "Fellows and mentors, about how their mentoring pair is going, every period" in texts(process_steps)


def test_the_help_page_says_who_sees_what_and_the_programs_minimum_group(demo_db, app_store):
    app_store.write(lambda cur: cur.execute("UPDATE programs SET min_group_size = 7"))
    at = open_page(app_store, "help.py", DIRECTOR)
    shown = texts(at)
    headers = [header.value for header in at.header]
    assert headers == ["Who sees what", "Privacy in plain words", "The guidance", "Where each question comes from"]
    subheaders = [subheader.value for subheader in at.subheader]
    assert subheaders[0] == "A program director sees (you)"  # the viewer's own role first
    assert set(subheaders) == {"A program director sees (you)", "A fellow (mentee) sees", "A mentor sees"}
    assert "made from at least 7 people" in shown
    assert "over groups of at least 7 people" in shown
    assert "never fewer than 3" in shown


@pytest.mark.parametrize("role", sorted(DEMO))
def test_a_first_visit_shows_the_roles_welcome_until_it_is_dismissed(demo_db, role):
    at = signed_in(DEMO[role])
    assert WELCOMES[role] in texts(at)
    others = [WELCOMES[other] for other in DEMO if other != role]
    assert not any(welcome in texts(at) for welcome in others)  # the demo accounts have one role each

    at = click(at, "Dismiss this welcome")
    assert WELCOMES[role] not in texts(at)
    assert [success.value for success in at.success] == [as_text("The welcome is dismissed. Help is always in the menu.")]
    assert not [button for button in at.button if button.label == "Dismiss this welcome"]

    again = signed_in(DEMO[role])  # another session, another day: remembered in the database
    assert WELCOMES[role] not in texts(again)


def test_dismissing_one_persons_welcome_leaves_everyone_elses(demo_db):
    click(signed_in(FELLOW), "Dismiss this welcome")
    assert WELCOMES["mentor"] in texts(signed_in(MENTOR))
    assert WELCOMES["director"] in texts(signed_in(DIRECTOR))
