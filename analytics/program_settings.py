"""A director's program settings: the period length, the minimum group size, the goal categories and
how often the program's own instruments are asked. Each change is checked, stored in one write with
a row of `program_setting_changes` (who, when, the value before and after), or refused with one
sentence that says why, storing nothing.

What a change may do to figures already published (analytics/disclosure.py), decided here:

- **Minimum group size** (3 to MAX_MIN_GROUP_SIZE): a change applies to the open period and later
  ones; every period that has closed keeps the minimum it closed with (`disclosure.Minimums`, read
  from this module's change log). A closed period's figures are therefore never recomputed under
  another minimum: lowering it cannot show, beside the published totals of a closed period, a cell
  that was hidden there (the difference would be that cell), and raising it cannot re-plan a closed
  period's groups (two plans of one period's answers can be subtracted too). Nothing about the
  minimum is refused but the floor of 3 and the ceiling.
- **Period length** (1, 2, 3, 4, 6 or 12 months): every answer is filed under the start of its
  period, and goal snapshots, outputs and meetings are grouped by period when they are read. A new
  length would regroup all of it: published periods would be cut or merged into new ones whose
  figures subtract from the old to single people out, and stored answers would sit at dates that
  start no period. So the length can change only while the program has recorded nothing that
  periods group (no assessment, goal, output or meeting): before it starts.
- **Goal categories** (at most MAX_CATEGORIES in use): add, rename, retire, bring back. A goal keeps
  its category: retiring one only stops offering it for new goals; renaming one renames it on every
  goal that has it (the same goals, so the same groups of every goal figure, under a new name); two
  categories cannot merge into one, and the last one in use cannot be retired.
- **Instrument cadence**: only where the instrument's file lists `cadence_choices` (the app's five
  shipped instruments do not: every chart of theirs and the overdue list rest on an answer each
  period). The choice is the program's; the due lists and participation follow it. It changes who
  is asked, never a published rating.
"""

import dataclasses
from datetime import datetime

import pandas as pd

from analytics.changes import reads, touched
from analytics.checks import is_number, required_text, shown, whole_number
from analytics.disclosure import FLOOR_MIN_GROUP_SIZE, min_group_size
from analytics.errors import AccessDenied, InputError
from analytics.goals import DEFAULT_CATEGORIES
from analytics.instruments import CADENCES, Catalogue
from analytics.people import Viewer, program_settings
from analytics.relationship_health import THRESHOLD_KEYS, health_thresholds
from analytics.sql_fragments import in_list, listed_limit
from analytics.store import Store, scalar

PERIOD_LENGTHS = (1, 2, 3, 4, 6, 12)  # months: each divides the year, so periods start in January
MAX_MIN_GROUP_SIZE = 50  # a larger minimum would hide every figure of a fellowship program
MAX_CATEGORIES = 30  # categories in use (offered for new goals); retired ones are kept besides
MAX_CATEGORY = 40  # characters of a category's name
SETTINGS = {  # setting -> how the history names it
    "period_months": "Period length (months)",
    "min_group_size": "Minimum group size",
    "goal_category": "Goal category",
    "instrument_cadence": "Instrument cadence",
    "health_threshold": "Pair health threshold",
}
CADENCE_WORDS = {
    "period": "every period",
    "yearly": "once a calendar year",
    "once": "once",
    "pair-start-end": "at a pair's start and end",
}


def _require_director(viewer: Viewer | None) -> None:
    if viewer is None or not viewer.has("director"):
        raise AccessDenied("Program settings are for directors.")


def _record(cur, viewer: Viewer, setting: str, subject: str | None, old, new, now: datetime) -> None:
    cur.execute(
        """
        INSERT INTO program_setting_changes (program_id, setting, subject, old_value, new_value, changed_by, changed_at)
        VALUES ($program, $setting, $subject, $old, $new, $by, $now)
        """,
        {
            "program": viewer.program_id,
            "setting": setting,
            "subject": subject,
            "old": None if old is None else str(old),
            "new": None if new is None else str(new),
            "by": viewer.person_id,
            "now": now,
        },
    )


# ---------------------------------------------------------------- reads


@reads("settings")
def setting_history(store: Store, viewer: Viewer) -> pd.DataFrame:
    """Every change of the viewer's program's settings, newest first: when, who, what, before, after."""
    _require_director(viewer)
    frame = store.query_df(
        """
        SELECT c.changed_at AS "when", p.full_name AS "who", c.setting, coalesce(c.subject, '') AS "of",
               coalesce(c.old_value, '') AS "before", coalesce(c.new_value, '') AS "after"
        FROM program_setting_changes c LEFT JOIN people p ON p.person_id = c.changed_by
        WHERE c.program_id = $program
        ORDER BY c.changed_at DESC, c.change_id DESC
        """,
        {"program": viewer.program_id},
    )
    frame["setting"] = [SETTINGS.get(s, s) for s in frame["setting"]]
    return frame


def category_list(store: Store, program_id: int) -> pd.DataFrame:
    """The program's goal categories with whether each is retired and how many goals have it
    (columns category, retired, goals); the defaults while the program has none of its own."""
    frame = store.query_df(
        """
        WITH own AS (SELECT category, retired_at IS NOT NULL AS retired FROM goal_categories WHERE program_id = $program),
        listed AS (
            SELECT * FROM own
            UNION ALL SELECT unnest($defaults::VARCHAR[]), false WHERE NOT EXISTS (SELECT 1 FROM own)
        ),
        used AS (
            SELECT g.category, count(*) AS goals FROM goals g JOIN people p ON p.person_id = g.owner_id
            WHERE p.program_id = $program GROUP BY ALL
        )
        SELECT l.category, l.retired, coalesce(u.goals, 0)::INTEGER AS goals
        FROM listed l LEFT JOIN used u USING (category)
        ORDER BY l.retired, lower(l.category)
        """,
        {"program": program_id, "defaults": list(DEFAULT_CATEGORIES)},
    )
    frame["retired"] = frame["retired"].astype(bool)
    return frame


def cadence_choices(store: Store, catalogue: Catalogue, program_id: int) -> pd.DataFrame:
    """The program's instruments whose cadence it may choose: instrument_id, title, cadence (the
    program's choice, or the file's own), choices."""
    chosen = _chosen_cadences(store, program_id)
    rows = [
        {
            "instrument_id": i.id,
            "title": i.title,
            "cadence": chosen.get(i.id, i.cadence),
            "choices": list(i.cadence_choices),
        }
        for i in own_instruments(catalogue, program_id).instruments
        if i.cadence_choices
    ]
    return pd.DataFrame(rows, columns=["instrument_id", "title", "cadence", "choices"])


def _chosen_cadences(store: Store, program_id: int) -> dict[str, str]:
    rows = store.query_all(
        "SELECT instrument_id, cadence FROM program_instrument_cadences WHERE program_id = $program", {"program": program_id}
    )
    return {instrument_id: cadence for instrument_id, cadence in rows}


def program_catalogue(store: Store, catalogue: Catalogue, program_id: int) -> Catalogue:
    """`catalogue` with the program's chosen cadences (only for instruments that allow a choice): what
    the due lists and participation ask by."""
    catalogue = own_instruments(catalogue, program_id)
    chosen = _chosen_cadences(store, program_id)
    if not chosen:
        return catalogue
    instruments = tuple(
        dataclasses.replace(i, cadence=chosen[i.id]) if i.id in chosen and chosen[i.id] in i.cadence_choices else i
        for i in catalogue.instruments
    )
    return dataclasses.replace(catalogue, instruments=instruments)


def own_instruments(catalogue: Catalogue, program_id: int) -> Catalogue:
    """`catalogue` without the instruments other programs imported (analytics/redcap.py), nor their
    disabled ones: the files are every program's, an import its own program's only."""
    if all(i.program_id is None for i in catalogue.instruments) and all(d.program_id is None for d in catalogue.disabled):
        return catalogue
    return dataclasses.replace(
        catalogue,
        instruments=tuple(i for i in catalogue.instruments if i.program_id in (None, program_id)),
        disabled=tuple(d for d in catalogue.disabled if d.program_id in (None, program_id)),
    )


_PERIOD_RECORDS = """
SELECT EXISTS (SELECT 1 FROM assessments WHERE respondent_id IN ({people}))
    OR EXISTS (SELECT 1 FROM goals WHERE owner_id IN ({people}))
    OR EXISTS (SELECT 1 FROM outputs WHERE owner_id IN ({people}))
    OR EXISTS (SELECT 1 FROM meetings WHERE pair_id IN ({pairs}))
"""


def has_period_records(store: Store, program_id: int) -> bool:
    """Whether the program has recorded anything that periods group: an assessment, a goal, an output or a meeting."""
    return store.read(lambda cur: _has_period_records(cur, program_id, listed_limit(store.backend)))


# ---------------------------------------------------------------- the minimum group size and the period length


def change_min_group_size(store: Store, viewer: Viewer, value: object, now: datetime) -> int:
    """Set the minimum group size for the open period and later ones (closed periods keep theirs)."""
    _require_director(viewer)
    number = whole_number(value)
    if number is None or not FLOOR_MIN_GROUP_SIZE <= number <= MAX_MIN_GROUP_SIZE:
        raise InputError(
            f"The minimum group size is a whole number from {FLOOR_MIN_GROUP_SIZE} to {MAX_MIN_GROUP_SIZE}: below "
            f"{FLOOR_MIN_GROUP_SIZE} a figure could show one person's answers."
        )
    old = min_group_size(store, viewer)
    if number == old:
        raise InputError(f"The minimum group size is already {old}.")

    def work(cur) -> int:
        cur.execute(
            "UPDATE programs SET min_group_size = $value WHERE program_id = $program",
            {"value": number, "program": viewer.program_id},
        )
        _record(cur, viewer, "min_group_size", None, old, number, now)
        return number

    return store.write(work, touches=touched(viewer.program_id, "settings"))


def change_period_months(store: Store, viewer: Viewer, value: object, now: datetime) -> int:
    """Set the period length, only while the program has recorded nothing that periods group."""
    _require_director(viewer)
    months = whole_number(value)
    if months not in PERIOD_LENGTHS:
        raise InputError("Choose a period length of 1, 2, 3, 4, 6 or 12 months (so that periods start in January).")
    old = program_settings(store, viewer.program_id)["period_months"]
    if months == old:
        raise InputError(f"Periods are already {old} months long.")

    def work(cur) -> int:
        if _has_period_records(cur, viewer.program_id, listed_limit(store.backend)):
            raise InputError(
                "The period length cannot change once anything is recorded: every answer, goal, output and meeting "
                "is filed by period, and periods of another length would regroup figures already published into "
                "new ones that could be subtracted from them to single people out."
            )
        cur.execute(
            "UPDATE programs SET period_months = $months WHERE program_id = $program",
            {"months": months, "program": viewer.program_id},
        )
        _record(cur, viewer, "period_months", None, old, months, now)
        return months

    return store.write(work, touches=touched(viewer.program_id, "settings"))


def _has_period_records(cur, program_id: int, limit: int) -> bool:
    # The program's people and pairs first, then named one by one (sql_fragments.in_list), so that PostgreSQL
    # looks their records up rather than sending every program's.
    rows = cur.execute(
        "SELECT 'person', person_id FROM people WHERE program_id = $program "
        "UNION ALL SELECT 'pair', pair_id FROM pairs WHERE program_id = $program",
        {"program": program_id},
    ).fetchall()
    people, people_params = in_list("person", [key for kind, key in rows if kind == "person"], limit)
    pairs, pair_params = in_list("pair", [key for kind, key in rows if kind == "pair"], limit)
    return bool(scalar(cur, _PERIOD_RECORDS.format(people=people, pairs=pairs), {**people_params, **pair_params}))


# ---------------------------------------------------------------- goal categories


def _category_name(value: object, what: str = "The category's name") -> str:
    if value is not None and not isinstance(value, str):
        raise InputError(f"{what} must be text.")
    return required_text(value, what, MAX_CATEGORY, name=True, missing="Give the category a name.")


def _own_categories(cur, viewer: Viewer, now: datetime) -> dict[str, bool]:
    """Inside a write: the program's categories (name -> retired), the defaults made its own on its first change."""
    rows = cur.execute(
        "SELECT category, retired_at IS NOT NULL FROM goal_categories WHERE program_id = $program",
        {"program": viewer.program_id},
    ).fetchall()
    if rows:
        return {name: retired for name, retired in rows}
    for name in DEFAULT_CATEGORIES:
        cur.execute(
            "INSERT INTO goal_categories (program_id, category) VALUES ($program, $name)",
            {"program": viewer.program_id, "name": name},
        )
    return {name: False for name in DEFAULT_CATEGORIES}


def _same_name(categories: dict[str, bool], name: str) -> str | None:
    return next((c for c in categories if c.casefold() == name.casefold()), None)


def add_goal_category(store: Store, viewer: Viewer, name: object, now: datetime) -> str:
    """Offer a new category for new goals (or bring back a retired one of that name)."""
    _require_director(viewer)
    clean = _category_name(name)

    def work(cur) -> str:
        categories = _own_categories(cur, viewer, now)
        existing = _same_name(categories, clean)
        if existing is not None and not categories[existing]:
            raise InputError(f"'{shown(existing)}' is already a goal category.")
        if sum(not retired for retired in categories.values()) >= MAX_CATEGORIES:
            raise InputError(f"A program offers at most {MAX_CATEGORIES} goal categories; retire one first.")
        if existing is not None:  # retired: offered again, under the name it has on its goals
            cur.execute(
                "UPDATE goal_categories SET retired_at = NULL WHERE program_id = $program AND category = $name",
                {"program": viewer.program_id, "name": existing},
            )
            _record(cur, viewer, "goal_category", existing, "retired", "in use", now)
            return existing
        cur.execute(
            "INSERT INTO goal_categories (program_id, category) VALUES ($program, $name)",
            {"program": viewer.program_id, "name": clean},
        )
        _record(cur, viewer, "goal_category", clean, None, "in use", now)
        return clean

    return store.write(work, touches=touched(viewer.program_id, "settings"))


def rename_goal_category(store: Store, viewer: Viewer, old: object, new: object, now: datetime) -> str:
    """Rename a category, on the program's goals that have it too."""
    _require_director(viewer)
    clean = _category_name(new, "The new name")

    def work(cur) -> str:
        categories = _own_categories(cur, viewer, now)
        if not isinstance(old, str) or old not in categories:
            raise InputError("Choose one of the program's goal categories to rename.")
        other = _same_name({c: r for c, r in categories.items() if c != old}, clean)
        if other is not None:
            raise InputError(
                f"'{shown(other)}' is already a goal category; two categories cannot become one (their goals would merge)."
            )
        if clean == old:
            raise InputError(f"The category is already called '{shown(old)}'.")
        cur.execute(
            """
            INSERT INTO goal_categories (program_id, category, retired_at)
            SELECT program_id, $new, retired_at FROM goal_categories WHERE program_id = $program AND category = $old
            """,
            {"program": viewer.program_id, "old": old, "new": clean},
        )
        cur.execute(
            "DELETE FROM goal_categories WHERE program_id = $program AND category = $old",
            {"program": viewer.program_id, "old": old},
        )
        cur.execute(
            """
            UPDATE goals SET category = $new
            WHERE category = $old AND owner_id IN (SELECT person_id FROM people WHERE program_id = $program)
            """,
            {"program": viewer.program_id, "old": old, "new": clean},
        )
        _record(cur, viewer, "goal_category", clean, old, clean, now)
        return clean

    return store.write(work, touches=touched(viewer.program_id, "settings"))


def retire_goal_category(store: Store, viewer: Viewer, name: object, now: datetime) -> str:
    """Stop offering a category for new goals; the goals that have it keep it."""
    _require_director(viewer)

    def work(cur) -> str:
        categories = _own_categories(cur, viewer, now)
        if not isinstance(name, str) or name not in categories:
            raise InputError("Choose one of the program's goal categories to retire.")
        if categories[name]:
            raise InputError(f"'{shown(name)}' is already retired.")
        if sum(not retired for retired in categories.values()) <= 1:
            raise InputError("A program needs at least one goal category for new goals; add another before retiring this one.")
        cur.execute(
            "UPDATE goal_categories SET retired_at = $now WHERE program_id = $program AND category = $name",
            {"program": viewer.program_id, "name": name, "now": now},
        )
        _record(cur, viewer, "goal_category", name, "in use", "retired", now)
        return name

    return store.write(work, touches=touched(viewer.program_id, "settings"))


# ---------------------------------------------------------------- instrument cadence


def change_instrument_cadence(
    store: Store, catalogue: Catalogue, viewer: Viewer, instrument_id: object, cadence: object, now: datetime
) -> str:
    """Choose how often one of the program's instruments is asked, among the choices its file allows."""
    _require_director(viewer)
    try:
        instrument = catalogue.get(str(instrument_id))
    except KeyError:
        raise InputError("Choose one of the program's instruments.") from None
    if not instrument.cadence_choices:
        raise InputError(
            f"'{shown(instrument.title)}' is asked {CADENCE_WORDS[instrument.cadence]}; its file allows no other choice."
        )
    if cadence not in instrument.cadence_choices:
        words = ", ".join(CADENCE_WORDS[c] for c in instrument.cadence_choices)
        raise InputError(f"'{shown(instrument.title)}' can be asked {words}; choose one of those.")
    old = _chosen_cadences(store, viewer.program_id).get(instrument.id, instrument.cadence)
    if cadence == old:
        raise InputError(f"'{shown(instrument.title)}' is already asked {CADENCE_WORDS[old]}.")

    def work(cur) -> str:
        cur.execute(
            "DELETE FROM program_instrument_cadences WHERE program_id = $program AND instrument_id = $instrument",
            {"program": viewer.program_id, "instrument": instrument.id},
        )
        cur.execute(
            "INSERT INTO program_instrument_cadences VALUES ($program, $instrument, $cadence)",
            {"program": viewer.program_id, "instrument": instrument.id, "cadence": cadence},
        )
        _record(cur, viewer, "instrument_cadence", instrument.id, old, cadence, now)
        return str(cadence)

    return store.write(work, touches=touched(viewer.program_id, "settings"))


# ---------------------------------------------------------------- relationship health thresholds


def change_health_threshold(store: Store, viewer: Viewer, key: object, value: object, now: datetime) -> float:
    """Set one threshold of the pair health signals (analytics/relationship_health.py), within its bounds.

    It changes which pairs a signal flags from now on, for the pairs' members and in the director's counts;
    no stored record changes.
    """
    _require_director(viewer)
    threshold = THRESHOLD_KEYS.get(key) if isinstance(key, str) else None
    if threshold is None:
        raise InputError("Choose one of the pair health thresholds.")
    number = whole_number(value) if threshold.whole else _decimal(value)
    if number is None or not threshold.low <= number <= threshold.high:
        kind = "a whole number" if threshold.whole else "a number"
        raise InputError(f"'{threshold.label}' is {kind} from {threshold.low:g} to {threshold.high:g}.")
    old = health_thresholds(store, viewer.program_id)[threshold.key]
    if float(number) == float(old):
        raise InputError(f"'{threshold.label}' is already {old:g}.")

    def work(cur) -> float:
        _record(cur, viewer, "health_threshold", threshold.key, f"{old:g}", f"{number:g}", now)
        return number

    return store.write(work, touches=touched(viewer.program_id, "settings"))


def _decimal(value: object) -> float | None:
    return round(float(value), 2) if is_number(value) else None


__all__ = [
    "CADENCES",
    "CADENCE_WORDS",
    "MAX_CATEGORIES",
    "MAX_MIN_GROUP_SIZE",
    "PERIOD_LENGTHS",
    "add_goal_category",
    "cadence_choices",
    "category_list",
    "change_health_threshold",
    "change_instrument_cadence",
    "change_min_group_size",
    "change_period_months",
    "has_period_records",
    "own_instruments",
    "program_catalogue",
    "rename_goal_category",
    "retire_goal_category",
    "setting_history",
]
