"""People, roles and the viewer: who is looking, read from the database on every run."""

from dataclasses import dataclass
from datetime import date

from analytics.sql_fragments import current_pair
from analytics.store import Store

ROLES = ("fellow", "mentor", "director")


@dataclass(frozen=True)
class Viewer:
    """The signed-in person. Every read of a person's data takes one, and checks it."""

    person_id: int
    full_name: str
    program_id: int
    roles: frozenset[str]

    def has(self, role: str) -> bool:
        return role in self.roles


# Active people with their current roles; `{people}` says which (an equality for the one person each run checks).
_VIEWERS = """
    SELECT p.person_id, p.full_name, p.program_id, list(r.role ORDER BY r.role) FILTER (WHERE r.role IS NOT NULL)
    FROM people p LEFT JOIN person_roles r USING (person_id)
    WHERE {people} AND p.active
    GROUP BY ALL"""


def load_viewer(store: Store, person_id: int) -> Viewer | None:
    """The active person with their current roles, or None (unknown or deactivated)."""
    row = store.query_one(_VIEWERS.format(people="p.person_id = $person"), {"person": person_id})
    return _viewer(row) if row else None


def load_viewers(store: Store, person_ids) -> dict[int, Viewer]:
    """load_viewer for many in one query (the director's reminder list): each active person of `person_ids`
    by id; the unknown and deactivated are left out."""
    rows = store.query_all(
        _VIEWERS.format(people="list_contains($people, p.person_id)"), {"people": [int(i) for i in person_ids]}
    )
    return {row[0]: _viewer(row) for row in rows}


def _viewer(row: tuple) -> Viewer:
    return Viewer(row[0], row[1], row[2], frozenset(row[3] or ()))


def people_count(store: Store) -> int:
    """Everyone in the database, every program: for the server's log at start."""
    return store.query_one("SELECT count(*) FROM people")[0]


def has_no_people(store: Store) -> bool:
    """A new database: the demo program may fill it, or the first director may be created."""
    return people_count(store) == 0


def people_directory(store: Store, program_id: int | None = None):
    """Names, roles and cohorts of active people: administration, never ratings."""
    return store.query_df(
        """
        SELECT p.person_id, p.full_name, p.email, c.name AS cohort,
               string_agg(r.role, ', ' ORDER BY r.role) AS roles
        FROM people p
        LEFT JOIN person_roles r USING (person_id)
        LEFT JOIN cohorts c USING (cohort_id)
        WHERE p.active AND ($program IS NULL OR p.program_id = $program)
        GROUP BY ALL
        ORDER BY p.full_name
        """,
        {"program": program_id},
    )


def program_people(store: Store, program_id: int) -> list[int]:
    """Everyone of the program, active or not: its people and the two people of each of its pairs (the same
    people; the union keeps a filter on it from ever dropping a row). For naming them to PostgreSQL one by
    one (sql_fragments.in_list), so that it reads only their records, not every program's."""
    rows = store.query_all(
        """
        SELECT person_id FROM people WHERE program_id = $program
        UNION SELECT mentor_id FROM pairs WHERE program_id = $program
        UNION SELECT mentee_id FROM pairs WHERE program_id = $program
        ORDER BY 1
        """,
        {"program": program_id},
    )
    return [row[0] for row in rows]


def program_settings(store: Store, program_id: int) -> dict:
    row = store.query_one(
        "SELECT name, period_months, min_group_size FROM programs WHERE program_id = $program", {"program": program_id}
    )
    if row is None:
        raise LookupError(f"no program {program_id}")
    return {"name": row[0], "period_months": row[1], "min_group_size": row[2]}


def active_pairs(store: Store, person_id: int, today: date):
    """The person's current pairs, from either side, with the other person's name.

    A pair with a deactivated person asks nothing of anyone, though its history stays.
    """
    # Each side on its own (a pair's two people differ), so that PostgreSQL receives the filter (pair_people, 014).
    current = f"pr.mentor_active AND pr.mentee_active AND {current_pair('pr', '$today')}"
    columns = "pr.pair_id, pr.mentor_id, pr.mentee_id, pr.domain, pr.started_on, pr.mentor_name, pr.mentee_name"
    return store.query_df(
        f"""
        SELECT {columns} FROM pair_people pr WHERE pr.mentor_id = $person AND {current}
        UNION ALL
        SELECT {columns} FROM pair_people pr WHERE pr.mentee_id = $person AND {current}
        ORDER BY started_on, pair_id
        """,
        {"person": person_id, "today": today},
    )
