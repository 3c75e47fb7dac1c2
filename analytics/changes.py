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
  (an import of old assessments, say) must touch 'ratings' as well. The same holds for every record
  read as it stood at a closed period's end (by when it was recorded: meetings, goals and check-ins,
  action items, agreements; pair health's counts): the app records them now, never back in time, so
  a read of those keys on 'ratings' too, and a write that records any of them back in time touches it.
- ('person', person_id): a person's personal pages. A write about people bumps theirs and that of
  everyone paired with them, ended pairs included (a mentor sees a mentee's shared records and their
  joint records; access.py decides what exactly), so a fellow's write leaves another fellow's pages warm.
  What a read that spans everything of a person keys on (the review report, a reader that declares nothing).
- ('person:<group>', person_id), per person and table group (PERSONAL_GROUPS): bumped for the people a
  write names (the writer, whom it is about), not for their partners. A personal reader declares the
  groups it reads (`personal_reads`), and its cached result keys on those counters of the viewer and everyone
  paired with them (read in the same one query per run), or, where every write that changes it names one
  person (the viewer, the subject of a rating history), of that person only. So a fellow's
  self-assessment leaves their goal and meeting reads warm, and their mentor's own ratings too.

A write that touches a personal group names its people: without them, no person's counter would move.

Plain SQL (a table, INSERT ... ON CONFLICT DO UPDATE) on DuckDB's file; on PostgreSQL the same statement
is run by PostgreSQL itself (analytics/postgres.py: bump_counters), one for all of a write's counters.
Sign-in bookkeeping bumps nothing.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from analytics.postgres import WriteCursor, bump_counters
from analytics.sql_fragments import in_list

GROUPS = ("people", "settings", "assessments", "ratings", "goals", "meetings", "outputs")
SHARED_GROUPS = ("people", "settings")  # read by every page of a program, personal ones included
PERSONAL_GROUPS = ("assessments", "goals", "meetings", "outputs")  # also counted per person ('person:<group>')
ALL = ("all", 0)
# The tables (and views) of each group: what a write of the group changes, and what a reader declaring it may read.
TABLES = {
    # accounts: whether one exists (every write that makes one touches 'people'; a changed password bumps nothing).
    "people": (
        "people",
        "person_roles",
        "cohorts",
        "pairs",
        "pair_people",
        "pair_log",
        "sharing_choices",
        "password_reset_codes",
        "accounts",
    ),
    "settings": ("programs", "program_setting_changes", "goal_categories", "program_instruments", "program_instrument_cadences"),
    "assessments": ("assessments", "current_assessments", "responses", "assessment_responses", "signed_assessments"),
    "goals": ("goals", "goal_checkins", "goal_milestones", "goal_status_changes", "action_item_changes"),
    "meetings": (
        "meetings",
        "meeting_agenda_items",
        "meeting_notes",
        "action_items",
        "action_item_changes",
        "agreements",
        "agreement_acknowledgements",
    ),
    "outputs": ("outputs", "network_entries"),
}
R = TypeVar("R", bound=Callable)


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
        if set(self.groups) & set(PERSONAL_GROUPS) and not self.people:
            raise ValueError(f"a write of {sorted(set(self.groups) & set(PERSONAL_GROUPS))} names the people it is by or about")


EVERYTHING = Touched(everything=True)


def reads(*groups: str) -> Callable[[R], R]:
    """Mark a read whose result depends only on these table groups of the viewer's program (besides
    'all', 'people' and 'settings', which every key holds), so its cache keys on their counters alone
    (ui/data.py `cached_read`): a write to another group leaves it warm. Declared here, at the SQL,
    where what a read reads is known; say why in a comment when the reason is not the tables it names."""
    unknown = set(groups) - set(GROUPS)
    if unknown:
        raise ValueError(f"unknown table groups {sorted(unknown)}; known: {GROUPS}")

    def mark(function: R) -> R:
        function.reads = tuple(groups)  # type: ignore[attr-defined]
        return function

    return mark


# What a write is given: what it touched, or how to tell from its cursor and its result (a new row's id).
Touches = Touched | Callable[[object, object], Touched]


def touched(program: int, *groups: str, people: Iterable[int | None] = ()) -> Touched:
    """The groups of `program` and the personal pages of `people` (None ignored) one write changed."""
    return Touched(program, tuple(groups), tuple(sorted({int(p) for p in people if p is not None})))


# All of a write's counters in one statement (one per counter cost ~1.7 ms each, half of storing an assessment).
_BUMP = """
INSERT INTO change_counters (scope, key, version)
SELECT unnest($scopes::VARCHAR[]), unnest($keys::BIGINT[]), 1
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
        personal = [group for group in dict.fromkeys(what.groups) if group in PERSONAL_GROUPS]
        rows.extend((f"person:{group}", int(person)) for group in personal for person in what.people)
    rows = list(dict.fromkeys(rows))  # one statement may move a counter only once
    if isinstance(cur, WriteCursor):  # PostgreSQL: one statement it runs itself (analytics/postgres.py)
        bump_counters(cur, rows)
    elif rows:
        cur.execute(_BUMP, {"scopes": [scope for scope, _ in rows], "keys": [key for _, key in rows]})
    return rows


@dataclass(frozen=True)
class Counters:
    """The counters one rerun needs (one program, one person and the people paired with them), read once;
    missing ones are 0."""

    program: int
    person: int
    values: Mapping[tuple[str, int], int]
    # The person and everyone paired with them, ended pairs included: whose 'person:<group>' counters were read.
    people: frozenset[int] = field(default_factory=frozenset)

    def get(self, scope: str, key: int) -> int:
        return self.values.get((scope, key), 0)

    def of(self, *groups: str) -> tuple[int, ...]:
        """The key part for a read of these table groups of the program (plus 'all')."""
        return (self.get(*ALL), *(self.get(f"program:{group}", self.program) for group in groups))

    def personal(self) -> tuple[int, ...]:
        """The key part for a read of the person's own pages: their counter and the program's shared groups."""
        return (*self.of(*SHARED_GROUPS), self.get("person", self.person))

    def about(self, groups: Iterable[str], people: Iterable[int] | None = None) -> tuple[int, ...]:
        """The key part for a personal read of these groups (PERSONAL_GROUPS; the shared ones always count)
        whose every change is a write naming one of `people`; by default the person and everyone paired with
        them. Someone outside those has no counter here: the program's counters of the groups stand in."""
        groups = tuple(dict.fromkeys(groups))
        unknown = set(groups) - set(PERSONAL_GROUPS)
        if unknown:
            raise ValueError(f"not counted per person: {sorted(unknown)}; per person: {PERSONAL_GROUPS}")
        who = sorted(self.people if people is None else {int(person) for person in people})
        if not set(who) <= self.people:
            return (*self.of(*SHARED_GROUPS, *groups), self.get("person", self.person))
        return (*self.of(*SHARED_GROUPS), *(self.get(f"person:{group}", person) for group in groups for person in who))


# One query: 'all', the program's groups, the person's counter, and the 'person:<group>' counters of the
# person and everyone paired with them, whose ids come back as ('paired', id, 0) rows.
_READ = """
WITH paired AS (
    SELECT $person::BIGINT AS person_id
    UNION SELECT mentee_id FROM pairs WHERE mentor_id = $person
    UNION SELECT mentor_id FROM pairs WHERE mentee_id = $person
)
SELECT scope, key, version FROM change_counters
WHERE (scope = 'all' AND key = 0)
   OR (scope LIKE 'program:%' AND key = $program)
   OR (scope = 'person' AND key = $person)
   OR (scope LIKE 'person:%' AND key IN (SELECT person_id FROM paired))
UNION ALL
SELECT 'paired', person_id, 0 FROM paired
"""


def read_counters(store, program_id: int, person_id: int) -> Counters:
    """The counters of one program, one person and the people of their pairs: one small query."""
    rows = store.query_all(_READ, {"program": program_id, "person": person_id})
    values = {(scope, int(key)): int(version) for scope, key, version in rows if scope != "paired"}
    people = frozenset(int(key) for scope, key, _ in rows if scope == "paired")
    return Counters(program_id, person_id, values, people)


PERSONAL_READS = "personal_reads"  # the attribute `personal_reads` sets on a reader


@dataclass(frozen=True)
class PersonalReads:
    """What a personal reader declared: its table groups, and whether every write that changes its result names the viewer."""

    groups: tuple[str, ...]
    own: bool = False


def personal_reads(*groups: str, own: bool = False) -> Callable[[R], R]:
    """Declare the table groups (PERSONAL_GROUPS) a personal reader reads besides the shared ones (TABLES
    says which tables are whose; none: the shared ones only), so its cached result keys on those counters
    only (ui/data.py).

    `own`: every write that changes its result names the viewer (their own ratings, ratings about them, the
    process steps of their pairs, rated by either side and naming both), so only the viewer's counters
    count, not those of the people paired with them. A reader that declares nothing keys on the person's
    counter, which every write about them or their partners moves.
    """
    declared = PersonalReads(tuple(dict.fromkeys(groups)), own)
    unknown = set(declared.groups) - set(PERSONAL_GROUPS)
    if unknown:
        raise ValueError(f"a personal reader reads {PERSONAL_GROUPS} (and the shared groups), not {sorted(unknown)}")

    def mark(reader: R) -> R:
        setattr(reader, PERSONAL_READS, declared)
        return reader

    return mark


def declared_personal_reads(reader: Callable) -> PersonalReads | None:
    """What `reader` declared with `personal_reads`, or None."""
    return getattr(reader, PERSONAL_READS, None)
