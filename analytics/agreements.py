"""The mentoring agreement of a pair: the guidance's "Setting ground rules and mutual expectations".

Per pair, the fellow and the mentor write down how often they meet, how they reach each other and
how fast they answer, what each expects of the other, what stays confidential and when they review
it. Every change is a new version (the old ones stay); both members acknowledge the latest. It is a
joint record: both members always see it, nobody else does.
"""

import math
from datetime import date, datetime, timedelta

import duckdb
import pandas as pd

from analytics.access import require_pair_member
from analytics.changes import personal_reads, touched
from analytics.checks import as_date, required_text, whole_number, years_after
from analytics.errors import AccessDenied, InputError
from analytics.meetings import _require_current_pair, meeting_ids
from analytics.people import Viewer
from analytics.sql_fragments import in_list, latest_notes, listed_limit
from analytics.store import Store
from analytics.submissions import check_key, remember, stored_before, stored_by_race

TEXT_LIMIT = 1000
MIN_WEEKS, MAX_WEEKS = 1, 26
CHECK_DAYS = 90
REVIEW_SOON_DAYS = 30
FIELDS = {
    "contact": "How we reach each other",
    "response_time": "How fast we answer",
    "mentee_expects": "What the fellow expects of the mentor",
    "mentor_expects": "What the mentor expects of the fellow",
    "confidential": "What stays confidential",
}
_COLUMNS = (
    "agreement_id",
    "pair_id",
    "version",
    "meet_every_weeks",
    "contact",
    "response_time",
    "mentee_expects",
    "mentor_expects",
    "confidential",
    "review_on",
    "written_by",
    "written_at",
)


def record_agreement(
    store: Store,
    viewer: Viewer,
    pair_id: int,
    meet_every_weeks: int,
    contact: str,
    response_time: str,
    mentee_expects: str,
    mentor_expects: str,
    confidential: str,
    review_on: date,
    today: date,
    now: datetime,
    submission_key: str | None = None,
) -> int:
    """Write a new version of the pair's agreement (the previous ones stay); the writer acknowledges it.

    The same `submission_key` twice (a double click) stores one version and returns its id both times.
    """
    _require_current_pair(store, viewer, pair_id, today)
    if whole_number(meet_every_weeks) is None:
        raise InputError("How often you meet must be a whole number of weeks.")
    if not MIN_WEEKS <= meet_every_weeks <= MAX_WEEKS:
        raise InputError(f"Meet every {MIN_WEEKS} to {MAX_WEEKS} weeks.")
    values = {"contact": contact, "response_time": response_time, "mentee_expects": mentee_expects}
    values |= {"mentor_expects": mentor_expects, "confidential": confidential}
    texts = {field: required_text(value, FIELDS[field], TEXT_LIMIT) for field, value in values.items()}
    review_on = as_date(review_on, "The review date must be a date.")
    if review_on <= today:
        raise InputError("Choose a review date after today.")
    if review_on > years_after(today, 2):
        raise InputError("Choose a review date within two years: an agreement is reviewed as the relationship changes.")
    key = check_key(submission_key)

    def store_it(cur) -> int:
        earlier = stored_before(cur, key, "agreement", viewer.person_id)
        if earlier is not None:
            return earlier
        version = cur.execute(
            "SELECT coalesce(max(version), 0) + 1 FROM agreements WHERE pair_id = $pair", {"pair": pair_id}
        ).fetchone()[0]
        agreement_id = cur.execute(
            """
            INSERT INTO agreements (pair_id, version, meet_every_weeks, contact, response_time, mentee_expects,
                                    mentor_expects, confidential, review_on, written_by, written_at)
            VALUES ($pair, $version, $meet_every_weeks, $contact, $response_time, $mentee_expects,
                    $mentor_expects, $confidential, $review_on, $person, $now) RETURNING agreement_id
            """,
            {
                "pair": pair_id,
                "version": version,
                "meet_every_weeks": meet_every_weeks,
                **texts,
                "review_on": review_on,
                "person": viewer.person_id,
                "now": now,
            },
        ).fetchone()[0]
        cur.execute(
            "INSERT INTO agreement_acknowledgements VALUES ($agreement, $person, $now)",
            {"agreement": agreement_id, "person": viewer.person_id, "now": now},
        )
        remember(cur, key, "agreement", agreement_id, viewer.person_id, now)
        return int(agreement_id)

    try:
        return store.write(store_it, touches=touched(viewer.program_id, "meetings", people=[viewer.person_id]))
    except duckdb.ConstraintException:
        earlier = stored_by_race(store, key, "agreement", viewer.person_id)  # the other click stored it
        if earlier is None:
            raise
        return earlier


def acknowledge(store: Store, viewer: Viewer, agreement_id: int, now: datetime) -> str:
    """The viewer acknowledges the latest version of their pair's agreement. Returns what happened, in a sentence.

    Acknowledging twice stores nothing new and says so.
    """
    row = store.query_one(
        """
        SELECT a.pair_id, a.version, (SELECT max(version) FROM agreements b WHERE b.pair_id = a.pair_id),
               (SELECT acknowledged_at FROM agreement_acknowledgements k
                WHERE k.agreement_id = a.agreement_id AND k.person_id = $person)
        FROM agreements a WHERE a.agreement_id = $agreement
        """,
        {"person": viewer.person_id if viewer else None, "agreement": whole_number(agreement_id)},
    )
    if row is None:
        raise AccessDenied("Only the two people of a pair see its joint records.")
    pair_id, version, latest, acknowledged_at = row
    require_pair_member(store, viewer, pair_id)
    if version != latest:
        raise InputError(f"This is version {version}; version {latest} replaced it. Acknowledge the latest version.")
    if acknowledged_at is not None:
        return f"You already acknowledged version {version} on {acknowledged_at:%d %b %Y}; nothing changed."
    _require_current_pair(store, viewer, pair_id, now.date())
    store.write(
        lambda cur: cur.execute(
            "INSERT INTO agreement_acknowledgements VALUES ($agreement, $person, $now)",
            {"agreement": agreement_id, "person": viewer.person_id, "now": now},
        ),
        touches=touched(viewer.program_id, "meetings", people=[viewer.person_id]),
    )
    return f"You acknowledged version {version} of your agreement."


def _acknowledgements(store: Store, agreement_ids: list[int]) -> dict[int, list[dict]]:
    agreements, params = in_list("agreement", agreement_ids, listed_limit(store.backend))
    rows = store.query_all(
        f"""
        SELECT k.agreement_id, k.person_id, p.full_name, k.acknowledged_at
        FROM agreement_acknowledgements k JOIN people p USING (person_id)
        WHERE k.agreement_id IN ({agreements}) ORDER BY k.acknowledged_at, k.person_id
        """,
        params,
    )
    found: dict[int, list[dict]] = {agreement_id: [] for agreement_id in agreement_ids}
    for agreement_id, person_id, name, at in rows:
        found[agreement_id].append({"person_id": person_id, "name": name, "acknowledged_at": at})
    return found


def _versions(store: Store, pair_id: int) -> list[dict]:
    rows = store.query_all(
        "SELECT " + ", ".join(_COLUMNS) + " FROM agreements WHERE pair_id = $pair ORDER BY version DESC",
        {"pair": pair_id},
    )
    return [dict(zip(_COLUMNS, row, strict=True)) for row in rows]


def _describe(store: Store, versions: list[dict], mentor_id: int, mentee_id: int) -> list[dict]:
    acks = _acknowledgements(store, [v["agreement_id"] for v in versions])
    names = dict(
        store.query_all(
            "SELECT person_id, full_name FROM people WHERE person_id IN ($mentor, $mentee)",
            {"mentor": mentor_id, "mentee": mentee_id},
        )
    )
    for version in versions:
        who = acks[version["agreement_id"]]
        ids = {a["person_id"] for a in who}
        version |= {
            "mentor_id": mentor_id,
            "mentee_id": mentee_id,
            "mentor_name": names.get(mentor_id),
            "mentee_name": names.get(mentee_id),
            "written_by_name": names.get(version["written_by"]),
            "acknowledged_by": who,
            "mentor_acknowledged": mentor_id in ids,
            "mentee_acknowledged": mentee_id in ids,
            "acknowledged_by_both": {mentor_id, mentee_id} <= ids,
        }
    return versions


@personal_reads("meetings")
def agreement_of(store: Store, viewer: Viewer, pair_id: int) -> dict | None:
    """The latest version of the pair's agreement, who acknowledged it and whether both did; None if none yet."""
    mentor_id, mentee_id = require_pair_member(store, viewer, pair_id)
    versions = _versions(store, pair_id)
    if not versions:
        return None
    return _describe(store, versions[:1], mentor_id, mentee_id)[0]


@personal_reads("meetings")
def agreement_versions(store: Store, viewer: Viewer, pair_id: int) -> pd.DataFrame:
    """Every version of the pair's agreement, newest first, with who acknowledged each."""
    mentor_id, mentee_id = require_pair_member(store, viewer, pair_id)
    versions = _describe(store, _versions(store, pair_id), mentor_id, mentee_id)
    columns = [
        "version",
        "meet_every_weeks",
        *FIELDS,
        "review_on",
        "written_by_name",
        "written_at",
        "acknowledged",
        "agreement_id",
    ]
    if not versions:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(versions)
    frame["acknowledged"] = [", ".join(a["name"] for a in who) for who in frame["acknowledged_by"]]
    return frame[columns]


def expected_meetings(meet_every_weeks: int, days: int = CHECK_DAYS) -> float:
    """How many meetings an agreement to meet every `meet_every_weeks` weeks asks for in `days` days."""
    return days / (7 * meet_every_weeks)


@personal_reads("meetings")
def agreement_check(store: Store, viewer: Viewer, pair_id: int, today: date) -> dict:
    """Meetings held in the last 90 days beside what the agreement asks for, and whether a review is due.

    Keys: has_agreement, held, expected (a float), about (the rounded number, at least 1), behind,
    sentence, review_on, review_due (review_on <= today), review_soon (within 30 days), review_sentence.
    """
    mentor_id, mentee_id = require_pair_member(store, viewer, pair_id)
    since = today - timedelta(days=CHECK_DAYS)
    recent, params = in_list(
        "meeting",
        meeting_ids(store, [pair_id], "meeting_on > $since AND meeting_on <= $today", {"since": since, "today": today}),
        listed_limit(store.backend),
    )
    held = store.query_one(
        f"SELECT count(*) FROM ({latest_notes(recent, 'meeting_id, held')}) n WHERE n.held",
        params,
    )[0]
    held_text = f"{held} meeting{'' if held == 1 else 's'} held in the last {CHECK_DAYS} days"
    current = agreement_of(store, viewer, pair_id)
    if current is None:
        return {
            "has_agreement": False,
            "held": held,
            "expected": None,
            "about": None,
            "behind": False,
            "sentence": f"{held_text}; you have not written an agreement yet.",
            "review_on": None,
            "review_due": False,
            "review_soon": False,
            "review_sentence": "",
        }
    weeks = current["meet_every_weeks"]
    expected = expected_meetings(weeks)
    about = max(1, math.floor(expected + 0.5))
    review_on = current["review_on"]
    days_left = (review_on - today).days
    review_due = days_left <= 0
    review_soon = not review_due and days_left <= REVIEW_SOON_DAYS
    if review_due:
        review_sentence = (
            f"The agreement was due for review on {review_on:%d %b %Y}: look at it together and write a new version."
        )
    elif review_soon:
        review_sentence = (
            f"The agreement is due for review on {review_on:%d %b %Y}, in {days_left} day{'s' if days_left != 1 else ''}."
        )
    else:
        review_sentence = f"Next review: {review_on:%d %b %Y}."
    return {
        "has_agreement": True,
        "held": held,
        "expected": expected,
        "about": about,
        "behind": held < about,
        "sentence": f"{held_text}; the agreement asks for about {about}.",
        "review_on": review_on,
        "review_due": review_due,
        "review_soon": review_soon,
        "review_sentence": review_sentence,
    }
