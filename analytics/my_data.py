"""My data: everything the app holds about a person that they may see, as one zip of CSV files and a README.

Built from the readers the pages use, each of which checks the viewer (analytics/access.py,
sharing.py, feedback.py, ...), so no rule of who sees what is written a second time here. What is
theirs: their own entries (every assessment they submitted, every version, with their comments), the
ratings about them as they may see them (a fellow: each mentor's rating of them; a mentor: their
mentees' view as the feedback page shows it, from closed periods, averaged over 3 or more or signed),
their pairs and the pairs' joint records (meetings with agenda, notes and action items, agreements, the
process steps as both sides rate them), their goals with check-ins and milestones, outputs, their
mentoring network and their sharing choices. What others share with them (a mentee's goals seen by the
mentor) is the other person's data and is not in it.

Every CSV goes through analytics.exports.to_csv (inert: no cell a spreadsheet would run).
"""

import io
import zipfile
from collections.abc import Callable
from datetime import date, datetime

import numpy as np
import pandas as pd

from analytics import agreements, feedback, goals, meetings, network, outputs, sharing
from analytics.errors import AccessDenied
from analytics.exports import to_csv
from analytics.instruments import Catalogue
from analytics.people import Viewer, program_settings
from analytics.periods import period_label
from analytics.store import Store

# file -> (what it holds, {column: meaning}); the README is written from this, and a test checks that
# every column of every file is described here.
FILES: dict[str, tuple[str, dict[str, str]]] = {
    "about_me.csv": (
        "Who you are in the app.",
        {
            "person_id": "your number in the app",
            "name": "your name",
            "email": "your email, which you sign in with",
            "program": "your program",
            "cohort": "your cohort (fellows)",
            "roles": "your roles: fellow, mentor, director",
            "active": "whether your account is active",
            "added_at": "when you were added",
        },
    ),
    "my_assessments.csv": (
        "Every assessment you submitted, every version (a correction is a new row; the latest per period counts).",
        {
            "assessment_id": "the submission's number",
            "instrument_id": "the instrument's id",
            "instrument": "the instrument's title",
            "instrument_version": "the version of the instrument you answered",
            "about": "whom it is about: you, or the other person",
            "pair_id": "the pair it belongs to (ratings of a mentor, a mentee or the process)",
            "period": "the period it is for",
            "period_start": "the first day of that period",
            "submitted_at": "when you submitted it",
            "signed": "whether you signed it with your name (ratings of a mentor)",
            "comment": "your comment, as you typed it",
        },
    ),
    "my_ratings.csv": (
        "The ratings of each assessment you submitted, one row per item.",
        {
            "assessment_id": "the submission (my_assessments.csv)",
            "item_id": "the item's id",
            "item": "what the item measures",
            "rating": "your rating",
        },
    ),
    "ratings_about_me.csv": (
        "Ratings others gave about you, as the app shows them to you: each mentor's rating of you (fellows); "
        "your mentees' view, from closed periods, as an average of 3 or more or signed (mentors).",
        {
            "instrument_id": "the instrument's id",
            "instrument": "the instrument's title",
            "period": "the period",
            "period_start": "its first day",
            "item_id": "the item's id",
            "quality": "what the item measures",
            "rating": "the rating (an average where it says so)",
            "view": "whose view: a mentor by name, 'Mentees (average)', 'Signed: name', or your self-view",
        },
    ),
    "process_steps.csv": (
        "The five process steps of each of your pairs as both sides rate them (a joint record of the pair).",
        {
            "pair_id": "the pair",
            "instrument_id": "the instrument's id",
            "instrument": "the instrument's title",
            "period": "the period",
            "period_start": "its first day",
            "item_id": "the step's id",
            "quality": "the step",
            "rating": "the rating",
            "view": "who rated it",
        },
    ),
    "pairs.csv": (
        "Your mentoring pairs, current and ended.",
        {
            "pair_id": "the pair",
            "mentor": "the mentor",
            "mentee": "the fellow",
            "my_side": "your side of the pair",
            "domain": "the mentoring domain",
            "started_on": "the first day",
            "ended_on": "the last day, if it ended",
            "end_status": "completed or stopped",
        },
    ),
    "goals.csv": (
        "Your goals, with their status, latest value and pace as of the download's day.",
        {
            "goal_id": "the goal",
            "title": "what the goal is",
            "category": "its category",
            "measure": "how progress is counted: percent or count",
            "unit": "the unit of a count",
            "target_value": "the value to reach",
            "start_value": "the value at the start",
            "started_on": "the first day",
            "target_date": "by when",
            "why_it_matters": "why it matters, as you wrote it",
            "how_measured": "how it is measured, as you wrote it",
            "stretch": "whether it is a stretch goal",
            "status": "active, completed, paused or dropped",
            "latest_value": "the latest value",
            "last_checkin": "the day of the latest check-in",
            "checkins": "how many check-ins",
            "percent_done": "how far along, in percent",
            "expected_percent_today": "how far along a straight line from start to target would be today",
            "pace": "ahead, on track or behind",
            "days_left": "days until the target date",
            "due_soon": "whether the target date is near",
            "overdue": "whether the target date has passed",
        },
    ),
    "goal_history.csv": (
        "Each goal's history: its start, every check-in and every status change.",
        {
            "goal_id": "the goal (goals.csv)",
            "kind": "start, check-in or status",
            "on": "the day",
            "value": "the value then",
            "status": "the goal's status from then on",
            "note": "your note",
            "recorded_at": "when it was recorded",
        },
    ),
    "goal_milestones.csv": (
        "Each goal's milestones.",
        {"goal_id": "the goal", "position": "its place", "title": "the milestone", "due_on": "when it is due"},
    ),
    "meetings.csv": (
        "Every meeting of your pairs (a joint record), with its agenda and latest notes.",
        {
            "meeting_id": "the meeting",
            "pair_id": "the pair",
            "meeting_on": "the day",
            "status": "planned, held, not held, or notes due",
            "with_name": "the other person",
            "relation": "my mentor or my mentee",
            "agenda": "the agenda items, separated by ' | '",
            "held": "whether it took place (from the notes)",
            "notes": "the latest notes",
            "notes_written_at": "when they were written",
            "action_items": "how many action items",
            "open_action_items": "how many are still open",
            "created_by": "who planned it (a person number)",
            "created_at": "when it was planned",
        },
    ),
    "action_items.csv": (
        "Every action item of your pairs' meetings, with its latest status.",
        {
            "action_id": "the action item",
            "meeting_id": "its meeting",
            "meeting_on": "the meeting's day",
            "text": "what is to be done",
            "owner_name": "who does it",
            "due_on": "by when",
            "status": "open, done, or goal (it became a goal)",
            "status_changed_at": "when the status last changed",
            "created_at": "when it was written",
        },
    ),
    "agreements.csv": (
        "Every version of each of your pairs' mentoring agreements (a joint record).",
        {
            "pair_id": "the pair",
            "version": "the version, 1 the first",
            "meet_every_weeks": "how often you agreed to meet, in weeks",
            "contact": "how you reach each other",
            "response_time": "how fast you answer",
            "mentee_expects": "what the fellow expects of the mentor",
            "mentor_expects": "what the mentor expects of the fellow",
            "confidential": "what stays confidential",
            "review_on": "when to review the agreement",
            "written_by_name": "who wrote this version",
            "written_at": "when",
            "acknowledged": "who acknowledged it",
            "agreement_id": "the version's number in the app",
        },
    ),
    "outputs.csv": (
        "Your publications, abstracts, grants, awards and presentations.",
        {
            "output_id": "the output",
            "kind_id": "its kind, as an id",
            "kind": "its kind",
            "title": "its title",
            "happened_on": "when it happened",
            "identifier_kind": "DOI, PMID or another identifier",
            "identifier": "the identifier",
            "link": "a link made from the identifier",
            "recorded_at": "when you logged it",
        },
    ),
    "network.csv": (
        "Your mentoring network (fellows): your own entries and your program mentors.",
        {
            "domain_id": "the mentoring domain, as an id",
            "domain": "the mentoring domain",
            "mentor": "the mentor's name",
            "source": "your own entry, or from the program (a pair)",
            "mentor_person_id": "the mentor's number, where they are in the program",
            "entry_id": "your entry's number",
            "pair_id": "the pair, for a program mentor",
            "since": "since when",
        },
    ),
    "sharing.csv": (
        "What you share with each mentor (fellows): the latest choice per mentor and kind.",
        {
            "mentor_id": "the mentor's number",
            "mentor": "the mentor",
            "domains": "the pairs' domains",
            "current": "whether a pair with them is current",
            "record_kind": "the kind of record, as an id",
            "shared": "whether they may see it",
            "chosen_at": "when you chose (blank: never chosen, so not shared)",
            "what": "the kind of record",
        },
    ),
}

NOT_INCLUDED = (
    "Not included: other people's records that they share with you (a mentee's goals, say), which are "
    "theirs; a rating about a mentor before 3 mentees have rated them in a closed period, unless signed; "
    "passwords (only a hash is kept, and it is not yours to read back) and sign-in bookkeeping; a director's "
    "administration of the program (people, pairs, settings and their history), which is on the director's pages."
)


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """List cells (an agenda) as one text, items separated by ' | '."""
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].dtype == object and any(isinstance(v, list | tuple | np.ndarray) for v in frame[column]):
            frame[column] = [" | ".join(map(str, v)) if isinstance(v, list | tuple | np.ndarray) else v for v in frame[column]]
    return frame


def _about_me(store: Store, viewer: Viewer) -> pd.DataFrame:
    return store.query_df(
        """
        SELECT p.person_id, p.full_name AS name, p.email, pg.name AS program, c.name AS cohort,
               (SELECT string_agg(role, ', ' ORDER BY role) FROM person_roles WHERE person_id = p.person_id) AS roles,
               p.active, p.created_at AS added_at
        FROM people p JOIN programs pg USING (program_id) LEFT JOIN cohorts c USING (cohort_id)
        WHERE p.person_id = $me
        """,
        {"me": viewer.person_id},
    )


def _my_assessments(store: Store, catalogue: Catalogue, viewer: Viewer) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Everything the viewer submitted: a person always sees their own records (analytics/access.py)."""
    months = program_settings(store, viewer.program_id)["period_months"]
    submitted = store.query_df(
        """
        SELECT a.assessment_id, a.instrument_id, a.instrument_version,
               CASE WHEN a.subject_id = $me THEN 'myself' ELSE s.full_name END AS about,
               a.pair_id, a.period_start, a.submitted_at, sg.assessment_id IS NOT NULL AS signed, a.comment
        FROM assessments a JOIN people s ON s.person_id = a.subject_id
        LEFT JOIN signed_assessments sg USING (assessment_id)
        WHERE a.respondent_id = $me
        ORDER BY a.submitted_at, a.assessment_id
        """,
        {"me": viewer.person_id},
    )
    titles = {i.id: i.title for i in catalogue.instruments}
    submitted.insert(2, "instrument", submitted["instrument_id"].map(titles).fillna(submitted["instrument_id"]))
    submitted.insert(6, "period", [period_label(pd.Timestamp(d).date(), months) for d in submitted["period_start"]])
    ratings = store.query_df(
        """
        SELECT r.assessment_id, a.instrument_id, r.item_id, r.rating
        FROM responses r JOIN assessments a USING (assessment_id)
        WHERE a.respondent_id = $me
        ORDER BY r.assessment_id, r.item_id
        """,
        {"me": viewer.person_id},
    )
    measures = {(i.id, item.id): item.measures for i in catalogue.instruments for item in i.items}
    ratings.insert(
        2, "item", [measures.get(key, key[1]) for key in zip(ratings["instrument_id"], ratings["item_id"], strict=True)]
    )
    return submitted, ratings.drop(columns="instrument_id")


RATING_COLUMNS = ["instrument_id", "instrument", "period", "period_start", "item_id", "quality", "rating", "view"]


def _ratings_about_me(store: Store, catalogue: Catalogue, viewer: Viewer, today: date) -> pd.DataFrame:
    parts = []
    if viewer.has("fellow"):
        parts.append(feedback.views_of_mentee(store, catalogue, viewer, viewer.person_id))
    if viewer.has("mentor"):
        for instrument in catalogue.instruments:
            if instrument.about == "mentor":
                parts.append(feedback.views_of_mentor(store, catalogue, viewer, viewer.person_id, today, instrument.id))
    parts = [part[RATING_COLUMNS] for part in parts if len(part)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=RATING_COLUMNS)


def _pairs(store: Store, viewer: Viewer) -> pd.DataFrame:
    return store.query_df(
        """
        SELECT pr.pair_id, m.full_name AS mentor, f.full_name AS mentee,
               CASE WHEN pr.mentor_id = $me THEN 'mentor' ELSE 'fellow' END AS my_side,
               pr.domain, pr.started_on, pr.ended_on, pr.end_status
        FROM pairs pr JOIN people m ON m.person_id = pr.mentor_id JOIN people f ON f.person_id = pr.mentee_id
        WHERE $me IN (pr.mentor_id, pr.mentee_id)
        ORDER BY pr.started_on, pr.pair_id
        """,
        {"me": viewer.person_id},
    )


def _per_pair(pair_ids: list[int], read: Callable[[int], pd.DataFrame]) -> pd.DataFrame:
    parts = [read(pair_id).assign(pair_id=pair_id) for pair_id in pair_ids]
    parts = [part for part in parts if len(part)]
    if not parts:
        return pd.DataFrame(columns=["pair_id"])
    frame = pd.concat(parts, ignore_index=True)
    return frame[["pair_id", *[c for c in frame.columns if c != "pair_id"]]]


def _per_goal(goal_ids: list[int], read: Callable[[int], pd.DataFrame]) -> pd.DataFrame:
    parts = [read(goal_id).assign(goal_id=goal_id) for goal_id in goal_ids]
    parts = [part for part in parts if len(part)]
    if not parts:
        return pd.DataFrame(columns=["goal_id"])
    frame = pd.concat(parts, ignore_index=True)
    return frame[["goal_id", *[c for c in frame.columns if c != "goal_id"]]]


def my_data_tables(store: Store, catalogue: Catalogue, viewer: Viewer, today: date) -> dict[str, pd.DataFrame]:
    """Each file of the zip as a table, read through the same checked readers the pages use."""
    if viewer is None:
        raise AccessDenied("Sign in to download your data.")
    submitted, ratings = _my_assessments(store, catalogue, viewer)
    pairs = _pairs(store, viewer)
    pair_ids = [int(p) for p in pairs["pair_id"]]
    my_goals = goals.goals_of(store, viewer, viewer.person_id, today)
    goal_ids = [int(g) for g in my_goals["goal_id"]] if "goal_id" in my_goals else []
    process = _per_pair(pair_ids, lambda pair: feedback.process_views(store, catalogue, viewer, pair))
    if len(process):
        process = process[["pair_id", *RATING_COLUMNS]]
    tables = {
        "about_me.csv": _about_me(store, viewer),
        "my_assessments.csv": submitted,
        "my_ratings.csv": ratings,
        "ratings_about_me.csv": _ratings_about_me(store, catalogue, viewer, today),
        "process_steps.csv": process,
        "pairs.csv": pairs,
        "goals.csv": my_goals,
        "goal_history.csv": _per_goal(goal_ids, lambda goal: goals.goal_history(store, viewer, goal)),
        "goal_milestones.csv": _per_goal(goal_ids, lambda goal: goals.milestones_of(store, viewer, goal)),
        "meetings.csv": meetings.meetings_of(store, viewer, today),
        "action_items.csv": meetings.action_items_of(store, viewer),
        "agreements.csv": _per_pair(pair_ids, lambda pair: agreements.agreement_versions(store, viewer, pair)),
        "outputs.csv": outputs.outputs_of(store, viewer, viewer.person_id),
        "network.csv": network.network_of(store, viewer, viewer.person_id, today) if viewer.has("fellow") else pd.DataFrame(),
        "sharing.csv": sharing.sharing_overview(store, viewer) if viewer.has("fellow") else pd.DataFrame(),
    }
    return {name: _flat(frame) for name, frame in tables.items()}


def readme(viewer: Viewer, tables: dict[str, pd.DataFrame], now: datetime) -> str:
    """The README of the zip: what each file holds and what each column means."""
    lines = [
        f"My data: everything the mentorship dashboard holds about {viewer.full_name} that they may see,",
        f"as of {now:%Y-%m-%d %H:%M}. One CSV file per kind of record (UTF-8, comma-separated, one header row).",
        "A text cell that a spreadsheet would run as a formula starts with ' so that it opens as text.",
        "",
        NOT_INCLUDED,
        "",
    ]
    for name, (what, columns) in FILES.items():
        frame = tables[name]
        lines += [name, f"  {what} Rows: {len(frame)}."]
        for column in frame.columns:
            lines.append(f"  - {column}: {columns.get(column, column.replace('_', ' '))}")
        lines.append("")
    return "\n".join(lines)


def my_data_zip(store: Store, catalogue: Catalogue, viewer: Viewer, today: date, now: datetime) -> bytes:
    """The zip: README.txt and one inert CSV per table."""
    tables = my_data_tables(store, catalogue, viewer, today)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", readme(viewer, tables, now))
        for name, frame in tables.items():
            archive.writestr(name, to_csv(frame))
    return buffer.getvalue()


def my_data_file_name(today: date) -> str:
    return f"my-mentoring-data-{today:%Y-%m-%d}.zip"
