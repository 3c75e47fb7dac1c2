"""Submission keys: a double-clicked or resubmitted form stores its record once.

A form gets a key when it is filled in (ui/ makes one per form and content); the write stores the
key with the new record in the same transaction, and a second write with the same key finds it and
stores nothing. Assessments keep their key in `assessments.submission_key`; goals, check-ins,
meetings, meeting notes and agreements in `form_submissions` (migration 005).
"""

from datetime import datetime

import duckdb

from analytics.changes import stored_nothing
from analytics.errors import InputError
from analytics.store import Store

KINDS = ("goal", "checkin", "meeting", "notes", "agreement")
OUT_OF_DATE = "This form is out of date. Reload the page and submit again."


def check_key(key: object) -> str | None:
    """None (no key: every submit is new), or a key of 8 to 100 characters."""
    if key is None:
        return None
    if not isinstance(key, str) or not 8 <= len(key) <= 100:
        raise InputError(OUT_OF_DATE)
    return key


def stored_before(cur: duckdb.DuckDBPyConnection, key: str | None, kind: str, person_id: int) -> int | None:
    """Inside a write: the record an earlier submit with this key stored (a double click), or None."""
    if key is None:
        return None
    row = cur.execute(
        "SELECT kind, person_id, record_id FROM form_submissions WHERE submission_key = $key", {"key": key}
    ).fetchone()
    if row is None:
        return None
    if (row[0], row[1]) != (kind, person_id):
        raise InputError(OUT_OF_DATE)
    stored_nothing(cur)  # the caller returns the earlier record: no cached read changes
    return row[2]


def remember(cur: duckdb.DuckDBPyConnection, key: str | None, kind: str, record_id: int, person_id: int, now: datetime) -> None:
    """Inside the same write as the record: keep its key."""
    if key is not None:
        cur.execute(
            "INSERT INTO form_submissions VALUES ($key, $kind, $record, $person, $now)",
            {"key": key, "kind": kind, "record": record_id, "person": person_id, "now": now},
        )


def stored_by_race(store: Store, key: str | None, kind: str, person_id: int) -> int | None:
    """After a constraint error: the record of the other click that won the race, or None."""
    if key is None:
        return None
    row = store.query_one(
        "SELECT record_id FROM form_submissions WHERE submission_key = $key AND kind = $kind AND person_id = $person",
        {"key": key, "kind": kind, "person": person_id},
    )
    return None if row is None else row[0]
