"""Mentor-mentee pairs as a program director manages them: create, end (completed, or stopped with a
reason) and reassign. Ending a pair only sets its end date, status and reason, so its assessments
stay as history.

Administration only: names, cohorts, domains and dates, never ratings. "Today" is always a parameter.

A pair's status: 'completed' or 'stopped' once it is ended, 'upcoming' while its start date lies
ahead, 'current' otherwise. Current and upcoming pairs are open: they can be ended or reassigned.
A pair ends today or earlier, never ahead, so "ended_on IS NULL" means open everywhere in the app
(analytics/sql_fragments.py: open_pair, current_pair); a pair that has not started yet ends on its
start date, which cancels it (it is never active).
"""

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

from analytics.changes import reads, touched
from analytics.checks import as_date, clean_text, not_before_earliest, required_text, whole_number, years_after
from analytics.errors import AccessDenied, InputError
from analytics.paths import DATA_DIR
from analytics.people import Viewer
from analytics.sql_fragments import current_pair, open_pair
from analytics.store import Store

DOMAINS_FILE = DATA_DIR / "domains.toml"
# The mentor domains, in the guidance's order: the values the pairs table accepts (migration 001); a new
# domain needs a migration as well. data/domains.toml labels them.
MENTOR_DOMAINS = ("career", "research", "social")
END_STATUSES = ("completed", "stopped")
STATUSES = ("current", "upcoming", "completed", "stopped")
MAX_REASON = 500
REASSIGNED = "Reassigned: "
MAX_REASSIGN_REASON = MAX_REASON - len(REASSIGNED)  # so the stored reason stays within MAX_REASON


# ---------------------------------------------------------------- the guidance's domains


@cache
def _load_domains(path: Path) -> tuple[str, tuple[tuple[str, str], ...]]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    entries = data.get("domains")
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{path}: needs [[domains]] entries with an id and a label")
    found = []
    for number, entry in enumerate(entries, start=1):
        domain_id, label = entry.get("id"), entry.get("label")
        if not isinstance(domain_id, str) or not isinstance(label, str) or not label.strip():
            raise ValueError(f"{path}: domain {number} needs a text id and label")
        if domain_id not in MENTOR_DOMAINS:
            raise ValueError(f"{path}: domain id '{domain_id}' is not one the database accepts ({', '.join(MENTOR_DOMAINS)})")
        found.append((domain_id, label.strip()))
    if len({domain_id for domain_id, _ in found}) < len(found):
        raise ValueError(f"{path}: a domain id appears twice")
    return str(data.get("quote", "")), tuple(found)


def domains() -> list[dict]:
    """The guidance's mentor domains, in order: [{"id": "career", "label": "Career"}, ...]."""
    return [{"id": domain_id, "label": label} for domain_id, label in _load_domains(DOMAINS_FILE)[1]]


def domain_labels() -> dict[str, str]:
    return {domain["id"]: domain["label"] for domain in domains()}


def domains_quote() -> str:
    """The guidance sentence the domains come from."""
    return _load_domains(DOMAINS_FILE)[0]


def latest_date(today: date) -> date:
    """The latest start or end date a director may enter: a year after today."""
    return years_after(today, 1)


# ---------------------------------------------------------------- writes


@dataclass(frozen=True)
class _Pair:
    pair_id: int
    mentor_id: int
    mentee_id: int
    domain: str
    started_on: date
    ended_on: date | None
    end_status: str | None


def create_pair(store: Store, viewer: Viewer, mentor_id: int, mentee_id: int, domain: str, started_on: date, today: date) -> int:
    """A new pair of an active mentor and an active fellow of the director's program; returns its id."""
    _require_director(viewer)
    return store.write(
        lambda cur: _create(cur, viewer, mentor_id, mentee_id, domain, started_on, today),
        touches=touched(viewer.program_id, "people"),
    )


def end_pair(
    store: Store, viewer: Viewer, pair_id: int, ended_on: date, status: str | None, reason: str | None, today: date
) -> None:
    """End an open pair as 'completed' or 'stopped' (a reason is required). Its assessments are kept."""
    _require_director(viewer)
    store.write(
        lambda cur: _end(cur, viewer, pair_id, ended_on, status, reason, today, "the end date"),
        touches=touched(viewer.program_id, "people"),
    )


def reassign_pair(
    store: Store, viewer: Viewer, pair_id: int, new_mentor_id: int, on_date: date, reason: str | None, today: date
) -> int:
    """In one transaction: stop the pair on `on_date` ("Reassigned: <reason>") and start a pair of the same
    mentee and domain with the new mentor on that date. Returns the new pair's id; on any error neither is stored."""
    _require_director(viewer)

    def work(cur: duckdb.DuckDBPyConnection) -> int:
        text = required_text(reason, "The reason", MAX_REASSIGN_REASON, missing="Give a reason for the reassignment.")
        old = _end(cur, viewer, pair_id, on_date, "stopped", REASSIGNED + text, today, "the reassignment date")
        if whole_number(new_mentor_id) == old.mentor_id:
            raise InputError("The new mentor is the pair's current mentor; choose someone else.")
        return _create(cur, viewer, new_mentor_id, old.mentee_id, old.domain, on_date, today)

    return store.write(work, touches=touched(viewer.program_id, "people"))


def _require_director(viewer: Viewer | None) -> None:
    if viewer is None or not viewer.has("director"):
        raise AccessDenied("Only a program director can manage pairs.")


def _create(cur, viewer: Viewer, mentor_id, mentee_id, domain, started_on, today: date) -> int:
    labels = domain_labels()
    if domain not in labels:
        raise InputError(f"Choose a domain: {', '.join(labels.values())}.")
    started_on = _check_date(started_on, "the start date", today)
    mentor_id, mentee_id = whole_number(mentor_id), whole_number(mentee_id)
    if mentor_id is not None and mentor_id == mentee_id:
        raise InputError("The mentor and the mentee are the same person; choose two different people.")
    mentor = _member(cur, viewer, mentor_id, "mentor")
    mentee = _member(cur, viewer, mentee_id, "fellow")
    new_pair = {
        "program": viewer.program_id,
        "mentor": mentor_id,
        "mentee": mentee_id,
        "domain": domain,
        "started_on": started_on,
    }
    overlap = cur.execute(
        """
        SELECT pair_id, started_on, ended_on FROM pairs
        WHERE program_id = $program AND mentor_id = $mentor AND mentee_id = $mentee AND domain = $domain
          AND (ended_on IS NULL OR ended_on > $started_on)
        ORDER BY started_on LIMIT 1
        """,
        new_pair,
    ).fetchone()
    if overlap is not None:
        until = "with no end date" if overlap[2] is None else f"until {overlap[2]:%Y-%m-%d}"
        raise InputError(
            f"{mentor} and {mentee} already have a pair in {labels[domain]} (pair {overlap[0]}, from "
            f"{overlap[1]:%Y-%m-%d} {until}). End it first, or start the new pair after it ends."
        )
    pair_id = cur.execute(
        """
        INSERT INTO pairs (program_id, mentor_id, mentee_id, domain, started_on)
        VALUES ($program, $mentor, $mentee, $domain, $started_on) RETURNING pair_id
        """,
        new_pair,
    ).fetchone()[0]
    cur.execute("INSERT INTO pair_log VALUES ($pair, 'created', $today)", {"pair": pair_id, "today": today})
    return pair_id


def _end(cur, viewer: Viewer, pair_id, ended_on, status, reason, today: date, what: str) -> _Pair:
    pair = _open_pair(cur, viewer, pair_id)
    if status not in END_STATUSES:
        raise InputError("Choose how the pair ends: completed or stopped.")
    text = clean_text(reason, "The reason", MAX_REASON)
    if status == "stopped" and text is None:
        raise InputError("Give a reason when a pair is stopped.")
    ended_on = _check_date(ended_on, what, today)
    if pair.started_on > today and ended_on != pair.started_on:
        raise InputError(
            f"This pair starts on {pair.started_on:%Y-%m-%d}; to call it off before then, use its start date as "
            f"{what}, or wait until it has started."
        )
    if ended_on < pair.started_on:
        raise InputError(f"{what.capitalize()} {ended_on:%Y-%m-%d} is before the pair started ({pair.started_on:%Y-%m-%d}).")
    if ended_on > today and ended_on != pair.started_on:
        raise InputError(f"{what.capitalize()} {ended_on:%Y-%m-%d} is after today; a pair ends today or earlier.")
    cur.execute(
        """
        UPDATE pairs SET ended_on = $ended_on, end_status = $status, end_reason = $reason
        WHERE pair_id = $pair AND end_status IS NULL
        """,
        {"ended_on": ended_on, "status": status, "reason": text, "pair": pair.pair_id},
    )
    cur.execute("INSERT INTO pair_log VALUES ($pair, 'ended', $today)", {"pair": pair.pair_id, "today": today})
    return pair


def _open_pair(cur, viewer: Viewer, pair_id) -> _Pair:
    pair_id = whole_number(pair_id)
    if pair_id is None:
        raise InputError("Choose a pair.")
    row = cur.execute(
        """
        SELECT pair_id, mentor_id, mentee_id, domain, started_on, ended_on, end_status
        FROM pairs WHERE pair_id = $pair AND program_id = $program
        """,
        {"pair": pair_id, "program": viewer.program_id},
    ).fetchone()
    if row is None:  # the same answer for a pair of another program as for none at all
        raise InputError(f"There is no pair {pair_id} in your program.")
    pair = _Pair(*row)
    if pair.end_status is not None or pair.ended_on is not None:
        when = f" on {pair.ended_on:%Y-%m-%d}" if pair.ended_on is not None else ""
        raise InputError(f"Pair {pair.pair_id} has already ended{when}; only a current or upcoming pair can be ended.")
    return pair


def _member(cur, viewer: Viewer, person_id, role: str) -> str:
    """The name of an active person of the viewer's program who has `role`, or a clear refusal."""
    what = "mentor" if role == "mentor" else "mentee"
    if person_id is None:
        raise InputError(f"Choose a {what}.")
    row = cur.execute(
        """
        SELECT p.full_name, p.active, coalesce(bool_or(r.role = $role), false)
        FROM people p LEFT JOIN person_roles r USING (person_id)
        WHERE p.person_id = $person AND p.program_id = $program
        GROUP BY ALL
        """,
        {"role": role, "person": person_id, "program": viewer.program_id},
    ).fetchone()
    if row is None:  # no name: the person may belong to another program
        raise InputError(f"The chosen {what} is not a member of your program.")
    name, active, has_role = row
    if not active:
        raise InputError(f"{name} is no longer active in the program; choose an active {what}.")
    if not has_role:
        raise InputError(f"{name} does not have the {role} role, so cannot be the {what} of a pair.")
    return name


def _check_date(value, what: str, today: date) -> date:
    value = not_before_earliest(as_date(value, f"Choose {what}."), what.capitalize())
    latest = latest_date(today)
    if value > latest:
        raise InputError(f"{what.capitalize()} {value:%Y-%m-%d} is more than a year ahead (after {latest:%Y-%m-%d}); check it.")
    return value


# ---------------------------------------------------------------- reads (administration, never ratings)


@reads("people")
def pairs_overview(store: Store, viewer: Viewer, today: date, include_ended: bool = True) -> pd.DataFrame:
    """The program's pairs: who with whom, domain, dates, status, end reason, and each mentor's current mentees.

    Open pairs come first (current, then upcoming), then ended ones; by mentee and domain within each.
    """
    _require_director(viewer)
    ids = [domain["id"] for domain in domains()]
    frame = store.query_df(
        """
        WITH p AS (
            SELECT *, CASE WHEN end_status IS NOT NULL OR ended_on IS NOT NULL THEN coalesce(end_status, 'stopped')
                           WHEN started_on > $today THEN 'upcoming' ELSE 'current' END AS status
            FROM pairs WHERE program_id = $program
        ), loads AS (
            SELECT mentor_id, count(DISTINCT mentee_id) AS mentor_current_mentees FROM p WHERE status = 'current' GROUP BY ALL
        )
        SELECT p.pair_id, m.full_name AS mentor, f.full_name AS mentee, c.name AS cohort, p.domain AS domain_id,
               p.started_on, p.ended_on, p.status, p.end_reason,
               coalesce(l.mentor_current_mentees, 0)::INTEGER AS mentor_current_mentees, p.mentor_id, p.mentee_id
        FROM p
        JOIN people m ON m.person_id = p.mentor_id
        JOIN people f ON f.person_id = p.mentee_id
        LEFT JOIN cohorts c ON c.cohort_id = f.cohort_id
        LEFT JOIN loads l ON l.mentor_id = p.mentor_id
        WHERE $include_ended OR p.status IN ('current', 'upcoming')
        ORDER BY list_position($statuses, p.status), f.full_name, p.mentee_id, list_position($domains, p.domain), p.started_on,
                 p.pair_id
        """,
        {
            "today": today,
            "program": viewer.program_id,
            "include_ended": bool(include_ended),
            "statuses": list(STATUSES),
            "domains": ids,
        },
    )
    frame.insert(frame.columns.get_loc("domain_id"), "domain", frame["domain_id"].map(domain_labels()))
    for column in ("started_on", "ended_on"):
        frame[column] = pd.Series([value.date() if pd.notna(value) else None for value in frame[column]], dtype=object)
    return frame


@reads("people")
def mentor_loads(store: Store, viewer: Viewer, today: date) -> pd.DataFrame:
    """Every active mentor of the program and their number of current mentees (0 included), busiest first."""
    _require_director(viewer)
    return store.query_df(
        f"""
        SELECT p.person_id AS mentor_id, p.full_name AS mentor,
               count(DISTINCT pr.mentee_id)::INTEGER AS current_mentees
        FROM people p
        JOIN person_roles r ON r.person_id = p.person_id AND r.role = 'mentor'
        LEFT JOIN pairs pr ON pr.mentor_id = p.person_id AND pr.program_id = p.program_id AND {current_pair("pr", "$today")}
        WHERE p.program_id = $program AND p.active
        GROUP BY ALL
        ORDER BY current_mentees DESC, mentor, mentor_id
        """,
        {"today": today, "program": viewer.program_id},
    )


@reads("people")
def fellows_without_mentor_in_domain(store: Store, viewer: Viewer, today: date) -> pd.DataFrame:
    """One row per active fellow and domain without a current pair; `upcoming_from` is the start of a planned one.

    The guidance: "multiple mentors may be desirable to address different domains", so a missing
    domain is a question for the director, not necessarily a gap.
    """
    _require_director(viewer)
    ids = [domain["id"] for domain in domains()]
    frame = store.query_df(
        f"""
        WITH d AS (SELECT unnest($domains::VARCHAR[]) AS domain_id),
        open_pairs AS (
            SELECT mentee_id, domain, started_on FROM pairs
            WHERE program_id = $program AND {open_pair("pairs")}
        )
        SELECT f.person_id AS fellow_id, f.full_name AS fellow, c.name AS cohort, d.domain_id,
               (SELECT min(o.started_on) FROM open_pairs o
                WHERE o.mentee_id = f.person_id AND o.domain = d.domain_id AND o.started_on > $today) AS upcoming_from
        FROM people f
        JOIN person_roles r ON r.person_id = f.person_id AND r.role = 'fellow'
        LEFT JOIN cohorts c ON c.cohort_id = f.cohort_id
        CROSS JOIN d
        WHERE f.program_id = $program AND f.active
          AND NOT EXISTS (SELECT 1 FROM open_pairs o
                          WHERE o.mentee_id = f.person_id AND o.domain = d.domain_id AND o.started_on <= $today)
        ORDER BY f.full_name, f.person_id, list_position($domains, d.domain_id)
        """,
        {"domains": ids, "program": viewer.program_id, "today": today},
    )
    frame.insert(frame.columns.get_loc("domain_id"), "domain", frame["domain_id"].map(domain_labels()))
    frame["upcoming_from"] = pd.Series(
        [value.date() if pd.notna(value) else None for value in frame["upcoming_from"]], dtype=object
    )
    return frame


@reads("people")
def program_members(store: Store, viewer: Viewer, role: str) -> pd.DataFrame:
    """Active people of the director's program with `role` (for choosing mentors and mentees): id, name, cohort."""
    _require_director(viewer)
    return store.query_df(
        """
        SELECT p.person_id, p.full_name, c.name AS cohort
        FROM people p
        JOIN person_roles r ON r.person_id = p.person_id AND r.role = $role
        LEFT JOIN cohorts c ON c.cohort_id = p.cohort_id
        WHERE p.program_id = $program AND p.active
        ORDER BY p.full_name, p.person_id
        """,
        {"role": role, "program": viewer.program_id},
    )
