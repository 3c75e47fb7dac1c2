"""A fellow's mentoring network by domain: the mentors they list themselves (people of the program or
outside it), beside the mentors of their current program pairs, and the domains nobody covers.

The guidance: "At times, multiple mentors may be desirable to address different domains (career,
research, and social/interpersonal development)." A mentor may cover several domains: one entry
per domain. Removing an entry only sets its `removed_at`, so the history stays.

Only the fellow sees and changes their own network. "Now" and "today" are always parameters.
"""

from datetime import date, datetime

import duckdb
import pandas as pd

from analytics.changes import touched
from analytics.checks import MAX_NAME, required_text, shown, whole_number
from analytics.errors import AccessDenied, InputError
from analytics.pairs import domain_labels, domains, domains_quote
from analytics.people import Viewer
from analytics.sql_fragments import current_pair
from analytics.store import Store

MIN_NAME = 2
MINE = "listed by you"
FROM_PROGRAM = "from the program"
COLUMNS = ["domain_id", "domain", "mentor", "source", "mentor_person_id", "entry_id", "pair_id", "since"]


def guidance_sentence() -> str:
    """The guidance's sentence on several mentors for different domains (data/domains.toml's `quote`)."""
    return domains_quote()


def _require_owner(viewer: Viewer | None, fellow_id) -> None:
    if viewer is None:
        raise AccessDenied("Sign in to see this.")
    if not viewer.has("fellow") or viewer.person_id != fellow_id:
        raise AccessDenied("A fellow's mentoring network is theirs alone to see and change.")


def network_of(store: Store, viewer: Viewer, fellow_id: int, today: date | None = None) -> pd.DataFrame:
    """The fellow's own active entries and, marked 'from the program', the mentors of their current pairs.

    One row per mentor and domain, in the guidance's domain order: domain_id, domain (label), mentor,
    source (MINE or FROM_PROGRAM), mentor_person_id, entry_id (own entries), pair_id (program pairs), since.
    Without `today`, every open pair counts (upcoming ones too).
    """
    _require_owner(viewer, fellow_id)
    ids = [domain["id"] for domain in domains()]
    # A current pair: started (when today is known, hence the coalesce), open, with an active mentor.
    frame = store.query_df(
        f"""
        SELECT * FROM (
        SELECT domain AS domain_id, mentor_name AS mentor, $mine AS source, mentor_person_id,
               entry_id, NULL::INTEGER AS pair_id, added_at::DATE AS since
        FROM network_entries
        WHERE fellow_id = $fellow AND removed_at IS NULL
        UNION ALL
        SELECT pr.domain, m.full_name, $from_program, pr.mentor_id, NULL::INTEGER, pr.pair_id, pr.started_on
        FROM pairs pr JOIN people m ON m.person_id = pr.mentor_id
        WHERE pr.mentee_id = $fellow AND {current_pair("pr", "coalesce($today::DATE, pr.started_on)")} AND m.active
        )
        ORDER BY list_position($domains, domain_id), source, mentor, entry_id, pair_id
        """,
        {"mine": MINE, "fellow": fellow_id, "from_program": FROM_PROGRAM, "today": today, "domains": ids},
    )
    frame.insert(1, "domain", frame["domain_id"].map(domain_labels()))
    frame["since"] = pd.Series([value.date() if pd.notna(value) else None for value in frame["since"]], dtype=object)
    for column in ("mentor_person_id", "entry_id", "pair_id"):
        frame[column] = frame[column].astype("Int64")
    return frame[COLUMNS]


def missing_domains(store: Store, viewer: Viewer, fellow_id: int, today: date | None = None) -> list[str]:
    """The ids of the domains (in the guidance's order) with neither an own entry nor a current pair."""
    covered = set(network_of(store, viewer, fellow_id, today)["domain_id"])
    return [domain["id"] for domain in domains() if domain["id"] not in covered]


def program_mentors(store: Store, viewer: Viewer) -> pd.DataFrame:
    """The active mentors of the viewer's program (for choosing one): person_id, full_name."""
    _require_owner(viewer, viewer.person_id if viewer is not None else None)
    return store.query_df(
        """
        SELECT p.person_id, p.full_name
        FROM people p JOIN person_roles r ON r.person_id = p.person_id AND r.role = 'mentor'
        WHERE p.program_id = $program AND p.active AND p.person_id <> $fellow
        ORDER BY p.full_name, p.person_id
        """,
        {"program": viewer.program_id, "fellow": viewer.person_id},
    )


def add_to_network(
    store: Store,
    viewer: Viewer,
    domains: list[str],
    now: datetime,
    mentor_person_id: int | None = None,
    mentor_name: str | None = None,
) -> list[int]:
    """Add a mentor for one or more domains: an active mentor of the fellow's program chosen by id, or a
    named person outside the program. One row per domain, in one transaction; returns the new entry ids."""
    _require_owner(viewer, viewer.person_id if viewer is not None else None)
    chosen = _check_domains(domains)
    return store.write(
        lambda cur: _add(cur, viewer, chosen, now, mentor_person_id, mentor_name),
        touches=touched(viewer.program_id, "outputs", people=[viewer.person_id]),
    )


def remove_from_network(store: Store, viewer: Viewer, entry_id: int, now: datetime) -> None:
    """Take an entry off the network (its removed_at is set; the row stays as history)."""
    _require_owner(viewer, viewer.person_id if viewer is not None else None)

    def work(cur: duckdb.DuckDBPyConnection) -> None:
        row = cur.execute(
            "SELECT entry_id FROM network_entries WHERE entry_id = $entry AND fellow_id = $fellow AND removed_at IS NULL",
            {"entry": whole_number(entry_id), "fellow": viewer.person_id},
        ).fetchone()
        if row is None:
            raise InputError("That mentor is not in your network (any more); nothing was changed.")
        cur.execute(
            "UPDATE network_entries SET removed_at = $now WHERE entry_id = $entry AND removed_at IS NULL",
            {"now": now, "entry": row[0]},
        )

    store.write(work, touches=touched(viewer.program_id, "outputs", people=[viewer.person_id]))


# ---------------------------------------------------------------- checks


def _check_domains(chosen) -> list[str]:
    labels = domain_labels()
    if isinstance(chosen, str) or not isinstance(chosen, list | tuple) or not chosen:
        raise InputError("Choose at least one domain this mentor covers.")
    unique = []
    for value in chosen:
        if value not in labels:
            raise InputError(f"'{shown(value)}' is not a mentor domain; choose from {', '.join(labels.values())}.")
        if value not in unique:
            unique.append(value)
    return unique


def _add(cur, viewer: Viewer, chosen: list[str], now: datetime, mentor_person_id, mentor_name) -> list[int]:
    labels = domain_labels()
    has_name = isinstance(mentor_name, str) and bool(mentor_name.strip())
    if mentor_person_id is not None and has_name:
        raise InputError("Choose a mentor of the program or type the name of someone outside it, not both.")
    if mentor_person_id is not None:
        person_id = whole_number(mentor_person_id)
        name = _program_mentor(cur, viewer, person_id)
        current = cur.execute(
            f"""
            SELECT DISTINCT domain FROM pairs pr JOIN people m ON m.person_id = pr.mentor_id
            WHERE pr.mentee_id = $fellow AND pr.mentor_id = $mentor AND list_contains($domains, pr.domain)
              AND {current_pair("pr", "$today::DATE")} AND m.active
            """,
            {"fellow": viewer.person_id, "mentor": person_id, "domains": chosen, "today": now.date()},
        ).fetchall()
        if current:
            taken = ", ".join(labels[d] for d in chosen if (d,) in current)
            raise InputError(f"{name} is already your mentor for {taken} through the program; nothing was added.")
        duplicates = cur.execute(
            """
            SELECT DISTINCT domain FROM network_entries
            WHERE fellow_id = $fellow AND mentor_person_id = $mentor AND list_contains($domains, domain) AND removed_at IS NULL
            """,
            {"fellow": viewer.person_id, "mentor": person_id, "domains": chosen},
        ).fetchall()
    else:
        person_id = None
        name = required_text(
            mentor_name,
            "The mentor's name",
            MAX_NAME,
            missing="Choose a mentor of the program, or type the name of someone outside it.",
            shortest=MIN_NAME,
            name=True,
        )
        duplicates = cur.execute(
            """
            SELECT DISTINCT domain FROM network_entries
            WHERE fellow_id = $fellow AND mentor_person_id IS NULL AND lower(mentor_name) = lower($name)
              AND list_contains($domains, domain) AND removed_at IS NULL
            """,
            {"fellow": viewer.person_id, "name": name, "domains": chosen},
        ).fetchall()
    if duplicates:
        taken = ", ".join(labels[d] for d in chosen if (d,) in duplicates)
        raise InputError(f"{name} is already in your network for {taken}; nothing was added.")
    return [
        cur.execute(
            """
            INSERT INTO network_entries (fellow_id, mentor_person_id, mentor_name, domain, added_at)
            VALUES ($fellow, $mentor, $name, $domain, $now) RETURNING entry_id
            """,
            {"fellow": viewer.person_id, "mentor": person_id, "name": name, "domain": domain, "now": now},
        ).fetchone()[0]
        for domain in chosen
    ]


def _program_mentor(cur, viewer: Viewer, person_id: int | None) -> str:
    """The name of an active mentor of the viewer's program, or a clear refusal."""
    if person_id is None:
        raise InputError("Choose a mentor of the program.")
    if person_id == viewer.person_id:
        raise InputError("You cannot list yourself as your own mentor.")
    row = cur.execute(
        """
        SELECT p.full_name, p.active, coalesce(bool_or(r.role = 'mentor'), false)
        FROM people p LEFT JOIN person_roles r USING (person_id)
        WHERE p.person_id = $person AND p.program_id = $program
        GROUP BY ALL
        """,
        {"person": person_id, "program": viewer.program_id},
    ).fetchone()
    if row is None:
        raise InputError("The chosen mentor is not a member of your program; type their name as someone outside it.")
    name, active, is_mentor = row
    if not active:
        raise InputError(f"{name} is no longer active in the program; type their name as someone outside it instead.")
    if not is_mentor:
        raise InputError(f"{name} is not a mentor of the program; type their name as someone outside it instead.")
    return name
