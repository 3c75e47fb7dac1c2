"""Bulk writes for the demo generator: whole DataFrames in one statement per table, ids reserved in blocks.

They exist because the generator writes millions of rows (ten million item responses in seconds), while
the app's own write paths store one record at a time, each with its checks (who may write it, what it may
say). These trust their caller: the generator, inside its one transaction on a new database.
"""

import numpy as np
import pandas as pd

from analytics import postgres
from analytics.store import Store

# A table name cannot be a bound parameter, so only these names ever become part of a statement.
BULK_TABLES = frozenset(
    {
        "cohorts",
        "people",
        "person_roles",
        "pairs",
        "assessments",
        "responses",
        "sharing_choices",
        "signed_assessments",
        "goals",
        "goal_milestones",
        "goal_checkins",
        "goal_status_changes",
        "meetings",
        "meeting_agenda_items",
        "meeting_notes",
        "action_items",
        "action_item_changes",
        "agreements",
        "agreement_acknowledgements",
        "outputs",
    }
)
# What a table takes from its frame where that is not every column as it is: categorical columns arrive as
# DuckDB ENUMs and are stored as text. The submission key, 32 hex digits, is the assessment id, then 64
# random bits: ids first, so the unique index grows at its end (random keys first made inserting and
# committing 1.4 million assessments 3x slower).
_SELECT_LISTS = {
    "person_roles": "person_id, role::VARCHAR AS role",
    "assessments": "* EXCLUDE (key_random, instrument_id), instrument_id::VARCHAR AS instrument_id, "
    "lower(lpad(to_hex(assessment_id), 16, '0') || lpad(to_hex(key_random), 16, '0')) AS submission_key",
    "responses": "assessment_id, item_id::VARCHAR AS item_id, rating",
}


def reserve_ids(cur, sequence: str, count: int) -> np.ndarray:
    """Take `count` ids from a sequence at once, so bulk rows and the app's later inserts never clash."""
    if isinstance(cur, postgres.WriteCursor):  # the sequence lives in PostgreSQL, out of DuckDB's reach
        return np.array(postgres.next_ids(cur, sequence, count), dtype=np.int64)
    return cur.execute("SELECT nextval($sequence) AS id FROM range($count)", {"sequence": sequence, "count": count}).fetchnumpy()[
        "id"
    ]


def insert_frame(cur, table: str, frame: pd.DataFrame) -> None:
    """Append a whole DataFrame to one of BULK_TABLES; columns are matched by name."""
    if table not in BULK_TABLES:
        raise ValueError(f"not a table the generator fills: {table!r}")
    if frame.empty:
        return
    _with_incoming(cur, frame, "INSERT INTO " + table + " BY NAME SELECT " + _SELECT_LISTS.get(table, "*") + " FROM incoming")


def insert_network_entries(cur, frame: pd.DataFrame) -> None:
    """Append network entries in the frame's `row` order; a program mentor's name (None in the frame) is
    taken from `people`."""
    if frame.empty:
        return
    _with_incoming(
        cur,
        frame,
        """
        INSERT INTO network_entries (fellow_id, mentor_person_id, mentor_name, domain, added_at, removed_at)
        SELECT i.fellow_id, i.mentor_person_id, coalesce(i.mentor_name, p.full_name), i.domain, i.added_at, i.removed_at
        FROM incoming i LEFT JOIN people p ON p.person_id = i.mentor_person_id
        ORDER BY i.row
        """,
    )


def insert_program(cur, name: str, period_months: int, created_at) -> int:
    """A new program with the default minimum group size; returns its id."""
    return cur.execute(
        """
        INSERT INTO programs (name, period_months, min_group_size, created_at) VALUES ($name, $months, 5, $created_at)
        RETURNING program_id
        """,
        {"name": name, "months": period_months, "created_at": created_at},
    ).fetchone()[0]


def insert_accounts(cur, password_hash: str, first_person_id: int, last_person_id: int) -> None:
    """An account with one password for every person with an id from first to last."""
    cur.execute(
        "INSERT INTO accounts SELECT person_id, $hash, created_at FROM people WHERE person_id BETWEEN $first AND $last",
        {"hash": password_hash, "first": first_person_id, "last": last_person_id},
    )


def checkpoint(store: Store) -> None:
    """Write everything into the database file, so it opens without replaying a write-ahead log."""
    store.query_one("CHECKPOINT")


def _with_incoming(cur, frame: pd.DataFrame, statement: str) -> None:
    cur.register("incoming", frame)
    try:
        cur.execute(statement)
    finally:
        cur.unregister("incoming")
