"""A fellow's sharing choices: per mentor, which of their own records that mentor may see."""

from datetime import datetime, timedelta

import pandas as pd

from analytics.access import RECORD_KINDS
from analytics.changes import touched
from analytics.errors import AccessDenied, InputError
from analytics.people import Viewer
from analytics.sql_fragments import latest_sharing_choices, open_pair
from analytics.store import Store

# Nothing is shared until the fellow chooses: self-ratings are theirs first.
DEFAULT_SHARED = False


def sharing_overview(store: Store, viewer: Viewer) -> pd.DataFrame:
    """One row per mentor the fellow has (or had) and record kind: shared or not, and since when."""
    if viewer is None or not viewer.has("fellow"):
        raise AccessDenied("Sharing choices belong to fellows.")
    frame = store.query_df(
        f"""
        WITH mentors AS (
            SELECT pr.mentor_id, p.full_name AS mentor, string_agg(DISTINCT pr.domain, ', ' ORDER BY pr.domain) AS domains,
                   bool_or({open_pair("pr")}) AS current
            FROM pairs pr JOIN people p ON p.person_id = pr.mentor_id
            WHERE pr.mentee_id = $fellow
            GROUP BY ALL
        ),
        kinds AS (SELECT unnest($kinds::VARCHAR[]) AS record_kind),
        latest AS ({latest_sharing_choices("mentee_id = $fellow", "mentor_id, record_kind, shared, chosen_at")})
        SELECT m.mentor_id, m.mentor, m.domains, m.current, k.record_kind,
               coalesce(l.shared, $default) AS shared, l.chosen_at
        FROM mentors m CROSS JOIN kinds k
        LEFT JOIN latest l ON l.mentor_id = m.mentor_id AND l.record_kind = k.record_kind
        ORDER BY NOT m.current, m.mentor, k.record_kind
        """,
        {"fellow": viewer.person_id, "kinds": list(RECORD_KINDS), "default": DEFAULT_SHARED},
    )
    frame["what"] = frame["record_kind"].map(RECORD_KINDS)
    return frame


def set_sharing(store: Store, viewer: Viewer, choices: dict[tuple[int, str], bool], now: datetime) -> int:
    """Record the fellow's choices {(mentor_id, record_kind): shared}; returns how many changed.

    Withdrawing is always possible; sharing anew needs a current pair (ended pairs stop new sharing).
    """
    if not isinstance(choices, dict):
        raise InputError("Choose, per mentor, what they may see.")
    current = sharing_overview(store, viewer)
    known = {(int(row.mentor_id), row.record_kind): (bool(row.shared), bool(row.current)) for row in current.itertuples()}
    # The latest choice counts, so a new one must sort after every earlier one whatever clock `now` came from.
    newest = current["chosen_at"].max()
    if pd.notna(newest) and newest.to_pydatetime() >= now:
        now = newest.to_pydatetime() + timedelta(microseconds=1)
    changes = []
    for (mentor_id, kind), shared in choices.items():
        if (mentor_id, kind) not in known:
            raise AccessDenied("You can only share with your own mentors.")
        was_shared, is_current = known[(mentor_id, kind)]
        if bool(shared) == was_shared:
            continue
        if shared and not is_current:
            raise InputError("That mentoring pair has ended; its sharing can be withdrawn but not started again.")
        changes.append({"mentee": viewer.person_id, "mentor": mentor_id, "kind": kind, "shared": bool(shared), "now": now})
    if changes:
        store.write(
            lambda cur: cur.executemany("INSERT INTO sharing_choices VALUES ($mentee, $mentor, $kind, $shared, $now)", changes),
            touches=touched(viewer.program_id, "people", people=[viewer.person_id]),
        )
    return len(changes)
