"""Change counters: what each write touched, kept in the database, so cached reads are as narrow as the data.

Every write declares what it touched with a `Touched` (passed to `Store.write(work, touches=...)`), and
the store bumps those counters in the SAME transaction as the write: a write that fails bumps
nothing, and every server on the database sees the new counters on its next rerun. A rerun reads
the counters it needs ONCE (`read_counters`: one small query), and cached reads key on the counters
of what they read (ui/data.py, ui/dashboard.py), not on one version of the whole store.

Counters (table change_counters, migration 012), one row each, made on first bump:
- ('all', 0): everything; a migration, the instrument registry, the demo build, a new program.
- ('program:<group>', program_id), per table group of a program (GROUPS): what the director's pages
  and everyone's shared lists read. 'people' (people, roles, cohorts, pairs, reset codes) and
  'settings' (program settings, categories, cadences) are read by every page of the program.
  'assessments' is any assessment; 'ratings' only one of a CLOSED period. The dashboard's rating
  figures publish closed periods only (analytics/disclosure.py: a closed period's figures never
  change), and the app stores assessments in the open period only, so a submission leaves them warm:
  they key on 'ratings' (and on the day, which decides what is closed). A write into a closed period
  (an import of old assessments, say) must touch 'ratings' as well.
- ('person', person_id): a person's personal pages. A write about people bumps theirs and that of
  everyone paired with them, ended pairs included (a mentor sees a mentee's shared records and their
  joint records; access.py decides what exactly), so a fellow's write leaves another fellow's pages warm.

Plain SQL (a table, INSERT ... ON CONFLICT DO UPDATE) on DuckDB's file; on PostgreSQL the same statement
is run by PostgreSQL itself (analytics/postgres.py: bump_counters), one for all of a write's counters.
Sign-in bookkeeping bumps nothing.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from analytics.postgres import WriteCursor, bump_counters
from analytics.sql_fragments import in_list

GROUPS = ("people", "settings", "assessments", "ratings", "goals", "meetings", "outputs")
SHARED_GROUPS = ("people", "settings")  # read by every page of a program, personal ones included
ALL = ("all", 0)


@dataclass(frozen=True)
class Touched:
    """What one write changed: table groups of one program, people whose personal pages change, or everything."""

    program: int | None = None
    groups: tuple[str, ...] = ()
    people: tuple[int, ...] = ()
    everything: bool = False

    def __post_init__(self) -> None:
        unknown = set(self.groups) - set(GROUPS)
        if unknown:
            raise ValueError(f"unknown table groups {sorted(unknown)}; known: {GROUPS}")
        if self.groups and self.program is None:
            raise ValueError("table groups belong to a program: name it")


EVERYTHING = Touched(everything=True)
# What a write is given: what it touched, or how to tell from its cursor and its result (a new row's id).
Touches = Touched | Callable[[object, object], Touched]


def touched(program: int, *groups: str, people: Iterable[int | None] = ()) -> Touched:
    """The groups of `program` and the personal pages of `people` (None ignored) one write changed."""
    return Touched(program, tuple(groups), tuple(sorted({int(p) for p in people if p is not None})))


_BUMP = """
INSERT INTO change_counters (scope, key, version) VALUES ($scope, $key, 1)
ON CONFLICT (scope, key) DO UPDATE SET version = change_counters.version + 1
"""

# Two sides in a UNION ALL, each a filter PostgreSQL receives (analytics/sql_fragments.py: in_list); one OR
# of two columns would read every pair, and a SERIALIZABLE write that reads every pair conflicts with any
# other write to a pair.
_PARTNERS = """
SELECT mentor_id, mentee_id FROM pairs WHERE mentor_id IN ({people})
UNION ALL
SELECT mentor_id, mentee_id FROM pairs WHERE mentee_id IN ({people})
"""


# Write cursors whose write found its record stored before (a double click): it changes nothing, so bumps nothing.
_STORED_NOTHING: set[int] = set()


def stored_nothing(cur) -> None:
    """Inside a write: this write stores nothing after all (its record was stored before); no counter moves."""
    _STORED_NOTHING.add(id(cur))


def forget(cur) -> None:
    """The write on `cur` is over (Store.write calls this whatever happened)."""
    _STORED_NOTHING.discard(id(cur))


def bump(cur, what: Touched) -> list[tuple[str, int]]:
    """Move the counters of what the write touched, on the write's own cursor (inside its transaction); returns them."""
    if id(cur) in _STORED_NOTHING:
        return []
    rows: list[tuple[str, int]] = []
    if what.everything:
        rows.append(ALL)
    rows.extend((f"program:{group}", int(what.program)) for group in dict.fromkeys(what.groups) if what.program is not None)
    if what.people:
        people = set(what.people)
        listed, params = in_list("person", sorted(people))
        for mentor_id, mentee_id in cur.execute(_PARTNERS.format(people=listed), params).fetchall():
            people.update((mentor_id, mentee_id))
        rows.extend(("person", int(person)) for person in sorted(people))
    if isinstance(cur, WriteCursor):  # PostgreSQL: one statement it runs itself (analytics/postgres.py)
        bump_counters(cur, rows)
        return rows
    for scope, key in rows:
        cur.execute(_BUMP, {"scope": scope, "key": key})
    return rows


@dataclass(frozen=True)
class Counters:
    """The counters one rerun needs (one program, one person), read once; missing ones are 0."""

    program: int
    person: int
    values: Mapping[tuple[str, int], int]

    def get(self, scope: str, key: int) -> int:
        return self.values.get((scope, key), 0)

    def of(self, *groups: str) -> tuple[int, ...]:
        """The key part for a read of these table groups of the program (plus 'all')."""
        return (self.get(*ALL), *(self.get(f"program:{group}", self.program) for group in groups))

    def personal(self) -> tuple[int, ...]:
        """The key part for a read of the person's own pages: their counter and the program's shared groups."""
        return (*self.of(*SHARED_GROUPS), self.get("person", self.person))


_READ = """
SELECT scope, key, version FROM change_counters
WHERE (scope = 'all' AND key = 0)
   OR (scope LIKE 'program:%' AND key = $program)
   OR (scope = 'person' AND key = $person)
"""


def read_counters(store, program_id: int, person_id: int) -> Counters:
    """The counters of one program and one person: one small query (the primary key's index)."""
    rows = store.query_all(_READ, {"program": program_id, "person": person_id})
    return Counters(program_id, person_id, {(scope, int(key)): int(version) for scope, key, version in rows})
