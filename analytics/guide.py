"""Help for people: the guidance in full, how each instrument traces to it, what each role sees, the
privacy rule in plain words, and the short first-visit welcome per role (dismissed once, remembered).

What each role sees and the privacy rule restate, for people, what `analytics/access.py` and
`analytics/disclosure.py` enforce; the minimum group size is the program's own setting.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from analytics.changes import touched
from analytics.disclosure import FLOOR_MIN_GROUP_SIZE
from analytics.errors import AccessDenied, InputError
from analytics.guidance import guidance_text, source
from analytics.instruments import Catalogue, Instrument
from analytics.people import Viewer
from analytics.store import Store

ROLES = ("fellow", "mentor", "director")
_FOOTNOTE = re.compile(r"(?<=[A-Za-z.,;:)])(\d+)(?=\s|$)")  # "success.1" -> "success. [1]"
_STEP = re.compile(r"^\s*[•\-*]\s*")
_REFERENCE = re.compile(r"^\s*(\d+)\.\s+")


@dataclass(frozen=True)
class Block:
    """One piece of the guidance: a paragraph, a step of the mentoring process, or a reference."""

    kind: str  # "paragraph", "step" or "reference"
    text: str
    number: int = 0  # a reference's number


def guidance_blocks(text: str | None = None) -> list[Block]:
    """The guidance after its title, in order, with footnote markers written as "[1]".

    The copy starts with the web page's navigation ("Jump to Main Content", the section name) and the
    title; SOURCE.toml names the title, and what comes before it is left out.
    """
    lines = [line.strip() for line in (text if text is not None else guidance_text()).splitlines()]
    title = source()["title"]
    start = lines.index(title) + 1 if title in lines else 0
    blocks = []
    for line in lines[start:]:
        if not line:
            continue
        if reference := _REFERENCE.match(line):
            blocks.append(Block("reference", line[reference.end() :], int(reference.group(1))))
        elif line.startswith("•"):
            blocks.append(Block("step", _STEP.sub("", line)))
        else:
            blocks.append(Block("paragraph", _FOOTNOTE.sub(r" [\1]", line)))
    return blocks


ABOUT_WORDS = {
    "self": "about themselves",
    "mentee": "about a mentee",
    "mentor": "about a mentor",
    "pair": "about how their mentoring pair is going",
}
RESPONDENT_WORDS = {"fellow": "fellows", "mentor": "mentors"}
CADENCE_WORDS = {
    "period": "every period",
    "yearly": "once a year",
    "once": "once",
    "pair-start-end": "at the start and at the end of each mentoring pair",
}


def who_answers(instrument: Instrument) -> str:
    """Who answers an instrument, about whom and how often, in words: "Fellows, about themselves, every period"."""
    who = " and ".join(RESPONDENT_WORDS[role] for role in instrument.respondent)
    cohorts = f" (for {', '.join(instrument.cohorts)})" if instrument.cohorts else ""
    return f"{who[0].upper()}{who[1:]}{cohorts}, {ABOUT_WORDS[instrument.about]}, {CADENCE_WORDS[instrument.cadence]}"


def instrument_traces(catalogue: Catalogue) -> list[dict]:
    """Per instrument: its title, who answers it, its source, and each item with where it comes from.

    An item of the shipped instruments quotes the guidance (`quote`); a program's own instrument
    cites its own source, and an item its `reference` there, if it has one.
    """
    traced = []
    for instrument in catalogue.instruments:
        traced.append(
            {
                "id": instrument.id,
                "title": instrument.title,
                "who": who_answers(instrument),
                "source": instrument.source or f"{source()['title']} ({source()['publisher']})",
                "from_guidance": not instrument.source,
                "items": [
                    {
                        "text": item.text,
                        "measures": item.measures,
                        "subscale": item.subscale,
                        "quote": item.quote,
                        "reference": item.reference,
                    }
                    for item in instrument.items
                ],
            }
        )
    return traced


ROLE_TITLES = {"fellow": "A fellow (mentee)", "mentor": "A mentor", "director": "A program director"}


def what_each_role_sees(min_group: int) -> dict[str, list[str]]:
    """For each role, what they see of whom, in sentences (the rules of analytics/access.py and disclosure.py)."""
    return {
        "fellow": [
            "Everything you record yourself: your self-assessments, goals and check-ins, outputs, your list of mentors.",
            "Your mentors' ratings of you, and the ratings you gave.",
            "With each mentor: your meetings, their notes and action items, and your mentoring agreement (both of you "
            "see these), and the process-step ratings of your pair from both sides.",
            "Nothing of other fellows.",
        ],
        "mentor": [
            "Everything you record yourself, and your ratings of your mentees (each mentee sees your rating of them).",
            "Of each mentee: their self-assessments, goals and outputs only where that mentee shares that kind of record "
            "with you, and nothing once they stop sharing. After a pair ends, only what was recorded up to its last day.",
            "Your mentees' ratings of you: signed ones with the mentee's name, others only as an average of 3 or more "
            "mentees, and only for completed periods; during a period, only how many have rated you.",
            "Meetings, agreements and process-step ratings of your own pairs.",
        ],
        "director": [
            "People, cohorts and mentoring pairs of your program, and who has or has not submitted this period, by name "
            "(that is administration).",
            f"Ratings, goal progress, outputs and meetings held only as program figures over groups of at least "
            f"{min_group} people, and only for completed periods. Never one person's ratings, goals or comments.",
        ],
    }


def privacy_in_plain_words(min_group: int) -> list[str]:
    """The privacy rule for people who will never read analytics/disclosure.py."""
    return [
        "Your ratings, goals and notes are yours. Each one is seen by you, by the person it is about where it is about "
        "someone, and by a mentor only where you chose to share it with them.",
        f"Your program director never sees your ratings or goals. They see figures for the whole program, each one "
        f"made from at least {min_group} people (your program's setting; never fewer than {FLOOR_MIN_GROUP_SIZE}), "
        f"and only once a period has ended, so nobody can work out one person's answers by comparing figures before "
        f"and after someone submits. A smaller group is left out and marked hidden, never shown as 0.",
        "The figures are also built so that no two of them can be subtracted to single out anyone: every filter "
        "chooses whole groups of at least that size.",
        "Who has or has not submitted is administration: your program director sees it by name.",
        "A rating of a mentor reaches that mentor only as an average of 3 or more mentees from a completed period, "
        "unless the mentee signs it.",
        "Free-text comments never appear in program figures. Every download is plain data: no cell is a formula.",
        "On My account you can download everything the app holds about you that you may see (My data), and a calendar "
        "of your meetings and what is due. Your director's reminder list holds names, emails and what is still to do, "
        "never a rating.",
    ]


WELCOMES = {
    "fellow": "Welcome. Rate yourself on the qualities of a good mentee each period (Assessments), watch your growth "
    "(My progress), set goals with your mentors, and choose what each mentor may see (What my mentors see). "
    "Nothing is shared until you choose.",
    "mentor": "Welcome. Rate yourself on the qualities of a good mentor, rate your mentees and how each pairing is "
    "going (Assessments), and see where each mentee stands within what they share with you (My mentees).",
    "director": "Welcome. Add people and pairs (People, Mentoring pairs), then follow the program on the Program "
    "dashboard: participation by name, ratings and goals only as figures over groups large enough that no one "
    "person's answers can be seen.",
}


def welcomes_to_show(store: Store, viewer: Viewer) -> list[str]:
    """The viewer's roles whose first-visit welcome they have not dismissed, in ROLES order."""
    dismissed = {
        row[0]
        for row in store.query_all("SELECT role FROM welcome_dismissals WHERE person_id = $person", {"person": viewer.person_id})
    }
    return [role for role in ROLES if viewer.has(role) and role not in dismissed]


def dismiss_welcome(store: Store, viewer: Viewer, role: str, now: datetime) -> None:
    """Remember that the viewer dismissed their welcome as `role`; dismissing twice stores it once."""
    if viewer is None:
        raise AccessDenied("Sign in first.")
    if not isinstance(role, str) or role not in ROLES:
        raise InputError("There is no such welcome.")
    if not viewer.has(role):
        raise AccessDenied("That welcome is for another role.")
    store.write(
        lambda cur: cur.execute(
            "INSERT INTO welcome_dismissals VALUES ($person, $role, $now) ON CONFLICT DO NOTHING",
            {"person": viewer.person_id, "role": role, "now": now},
        ),
        touches=touched(viewer.program_id, people=[viewer.person_id]),
    )
