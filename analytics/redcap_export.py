"""REDCap out: one program's assessments as a REDCap-importable records CSV, with the data dictionary,
events and instrument-event mapping to build the project from. An operator's command, like the backup:

    python -m analytics.redcap_export --db data/mentorship.duckdb --out exports/redcap --key "a long secret"

- One form per instrument the program has answers to (`mentee-self` -> `mentee_self`), its items
  as radio fields with the instrument's scale as choices, each subscale a matrix group whose section
  header is the subscale's name. Item variables are `{form}__{item}` (REDCap variable names are
  unique across a project, and the shipped instruments share item ids); reading such a dictionary
  back in (analytics/redcap.py) takes the prefix off, so it gives the same items and scales.
- Longitudinal: `redcap_event_name` is one event per period (`p2026_07_01_arm_1`). An instrument
  about oneself is one row per person and period; one about another person (a mentor, a mentee, the
  pair) is a repeating instrument, one instance per person rated, whose `{form}__about` holds that
  person's pseudonym.
- `record_id` is a pseudonym: HMAC-SHA256 of the person's id under the key given on the command
  line (the same key gives the same pseudonyms in the next export; without it they cannot be turned
  back into people). Free-text comments are left out unless `--with-text` is given.
- The latest submission per person, period, subject and instrument counts (`current_assessments`);
  `{form}_complete` is 2 (complete). Every file goes through analytics/exports.py (formula-neutralised).

The export is row-level data about people, pseudonymous but not anonymous: keep it like a backup.
"""

import argparse
import hashlib
import hmac
import json
import re
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from analytics import postgres
from analytics.errors import StoreError
from analytics.exports import to_csv
from analytics.redcap import HEADERS
from analytics.store import Store

MIN_KEY = 16  # characters: a short key could be guessed, and every pseudonym with it
FILES = ("records.csv", "data_dictionary.csv", "events.csv", "instrument_designation.csv")
ITEM_SEPARATOR = "__"  # between a form's name and an item's in a variable name


class ExportError(StoreError):
    """The export cannot be written; the message says why."""


@dataclass(frozen=True)
class RedcapExport:
    records: pd.DataFrame
    dictionary: pd.DataFrame
    events: pd.DataFrame
    designation: pd.DataFrame


def form_name(instrument_id: str) -> str:
    return instrument_id.replace("-", "_")


def item_variable(instrument_id: str, item_id: str) -> str:
    return form_name(instrument_id) + ITEM_SEPARATOR + item_id.replace("-", "_")


def event_name(period_start: date) -> str:
    return f"p{period_start:%Y_%m_%d}_arm_1"


def pseudonym(key: str, person_id: int) -> str:
    """The person's record id in the export: a keyed hash, the same for the same key."""
    return hmac.new(key.encode("utf-8"), f"person:{int(person_id)}".encode(), hashlib.sha256).hexdigest()[:20]


def _group_name(subscale: str) -> str:
    return (re.sub(r"[^a-z0-9]+", "_", subscale.lower()).strip("_") or "subscale")[:60]


def _definitions(store: Store, program_id: int) -> list[dict]:
    """The newest registered wording of every instrument the program has answers to, in a stable order,
    with the items only older versions had appended (their last wording)."""
    answered = [
        row[0]
        for row in store.query_all(
            """
            SELECT DISTINCT a.instrument_id FROM current_assessments a JOIN people p ON p.person_id = a.respondent_id
            WHERE p.program_id = $program ORDER BY a.instrument_id
            """,
            {"program": program_id},
        )
    ]
    definitions = []
    for instrument_id in answered:
        versions = [
            json.loads(row[0])
            for row in store.query_all(
                "SELECT definition FROM instrument_versions WHERE instrument_id = $id ORDER BY version DESC",
                {"id": instrument_id},
            )
        ]
        newest = dict(versions[0])
        items = list(newest["items"])
        known = {item["id"] for item in items}
        for older in versions[1:]:
            for item in older["items"]:
                if item["id"] not in known:
                    items.append(item)
                    known.add(item["id"])
        newest["items"] = _grouped(items)
        definitions.append(newest)
    return definitions


def _grouped(items: list[dict]) -> list[dict]:
    """Items of one subscale next to each other (a REDCap matrix is one block), in order of first appearance."""
    order = list(dict.fromkeys(item.get("subscale", "") or f"\0{index}" for index, item in enumerate(items)))
    return sorted(items, key=lambda item: order.index(item.get("subscale", "") or f"\0{items.index(item)}"))


def _dictionary(definitions: list[dict], with_text: bool) -> pd.DataFrame:
    rows = []
    blank = dict.fromkeys(HEADERS, "")

    def row(**cells) -> dict:
        out = dict(blank)
        for column, value in cells.items():
            out[HEADERS[_COLUMN_INDEX[column]]] = value
        return out

    first_form = form_name(definitions[0]["id"]) if definitions else "record"
    rows.append(row(field_name="record_id", form_name=first_form, field_type="text", field_label="Record ID (a pseudonym)"))
    for definition in definitions:
        form = form_name(definition["id"])
        choices = " | ".join(f"{point['value']}, {point['label']}" for point in definition["scale"])
        if definition["about"] != "self":
            rows.append(
                row(
                    field_name=f"{form}{ITEM_SEPARATOR}about",
                    form_name=form,
                    field_type="text",
                    field_label=f"Whom this is about ({definition['about']}, a pseudonym)",
                )
            )
        shown_groups: set[str] = set()
        for item in definition["items"]:
            subscale = item.get("subscale", "")
            header = subscale if subscale and subscale not in shown_groups else ""
            shown_groups.add(subscale)
            rows.append(
                row(
                    field_name=item_variable(definition["id"], item["id"]),
                    form_name=form,
                    section_header=header,
                    field_type="radio",
                    field_label=item["text"],
                    choices=choices,
                    field_note=item["measures"] if item["measures"] != item["text"] else "",
                    matrix_group=_group_name(subscale) if subscale else "",
                )
            )
        if with_text:
            rows.append(
                row(field_name=f"{form}{ITEM_SEPARATOR}comment", form_name=form, field_type="notes", field_label="Comment")
            )
    return pd.DataFrame(rows, columns=list(HEADERS))


_COLUMN_INDEX = {
    "field_name": 0,
    "form_name": 1,
    "section_header": 2,
    "field_type": 3,
    "field_label": 4,
    "choices": 5,
    "field_note": 6,
    "matrix_group": 15,
}


def build_export(store: Store, program_id: int, key: str, with_text: bool = False) -> RedcapExport:
    """The program's current assessments as REDCap files (see the module's docstring)."""
    if len(key) < MIN_KEY:
        raise ExportError(
            f"The key must be at least {MIN_KEY} characters long; keep it where the export's readers cannot see it."
        )
    definitions = _definitions(store, program_id)
    by_id = {definition["id"]: definition for definition in definitions}
    answers = store.query_df(
        """
        SELECT a.assessment_id, a.instrument_id, a.respondent_id, a.subject_id, coalesce(a.pair_id, 0) AS pair_id,
               a.period_start, a.comment, r.item_id, r.rating
        FROM current_assessments a JOIN people p ON p.person_id = a.respondent_id
        JOIN responses r USING (assessment_id)
        WHERE p.program_id = $program
        ORDER BY a.respondent_id, a.period_start, a.instrument_id, a.subject_id, r.item_id
        """,
        {"program": program_id},
    )
    rows: dict[tuple, dict] = {}
    instances: dict[tuple, dict[tuple[int, int], int]] = {}
    for assessment in answers.groupby("assessment_id", sort=False):
        frame = assessment[1]
        first = frame.iloc[0]
        definition = by_id[first["instrument_id"]]
        form = form_name(definition["id"])
        record, event = pseudonym(key, int(first["respondent_id"])), event_name(first["period_start"])
        if definition["about"] == "self":
            row_key: tuple = (record, event, "", 0)
        else:
            subjects = instances.setdefault((record, event, form), {})
            # One instance per subject and pair: the same two people may be a pair in two domains, and their
            # ratings of each pair stay apart rather than one overwriting the other in a shared row.
            instance = subjects.setdefault((int(first["subject_id"]), int(first["pair_id"])), len(subjects) + 1)
            row_key = (record, event, form, instance)
        row = rows.setdefault(
            row_key,
            {
                "record_id": record,
                "redcap_event_name": event,
                "redcap_repeat_instrument": row_key[2],
                "redcap_repeat_instance": row_key[3] or None,
            },
        )
        if definition["about"] != "self":
            row[f"{form}{ITEM_SEPARATOR}about"] = pseudonym(key, int(first["subject_id"]))
        for item_id, rating in zip(frame["item_id"], frame["rating"], strict=True):
            row[item_variable(definition["id"], item_id)] = int(rating)
        if with_text and isinstance(first["comment"], str) and first["comment"]:
            row[f"{form}{ITEM_SEPARATOR}comment"] = first["comment"]
        row[f"{form}_complete"] = 2
    dictionary = _dictionary(definitions, with_text)
    columns = ["record_id", "redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance"]
    for definition in definitions:
        form = form_name(definition["id"])
        columns += [name for name in dictionary[HEADERS[0]] if name != "record_id" and name.startswith(form + ITEM_SEPARATOR)]
        columns.append(f"{form}_complete")
    records = pd.DataFrame(
        sorted(
            rows.values(),
            key=lambda r: (
                r["record_id"],
                r["redcap_event_name"],
                r["redcap_repeat_instrument"],
                r["redcap_repeat_instance"] or 0,
            ),
        ),
        columns=columns,
    )
    records["redcap_repeat_instance"] = records["redcap_repeat_instance"].astype("Int64")  # "1", never "1.0"
    for column in columns[4:]:
        if column.endswith("_complete") or (column.count(ITEM_SEPARATOR) and not column.endswith(("__about", "__comment"))):
            records[column] = records[column].astype("Int64")
    events = sorted(set(records["redcap_event_name"])) if len(records) else []
    designation = pd.DataFrame(
        [
            {"arm_num": 1, "unique_event_name": event, "form": form_name(definition["id"])}
            for event in events
            for definition in definitions
        ],
        columns=["arm_num", "unique_event_name", "form"],
    )
    event_table = pd.DataFrame(
        [{"event_name": event.removesuffix("_arm_1"), "arm_num": 1, "unique_event_name": event} for event in events],
        columns=["event_name", "arm_num", "unique_event_name"],
    )
    return RedcapExport(records, dictionary, event_table, designation)


def program_id_of(store: Store, program: str | None) -> int:
    rows = store.query_all("SELECT program_id, name FROM programs ORDER BY program_id")
    if program is None:
        if len(rows) != 1:
            raise ExportError(
                "The database holds several programs; name one with --program: " + ", ".join(name for _, name in rows) + "."
            )
        return rows[0][0]
    for program_id, name in rows:
        if name == program:
            return program_id
    raise ExportError(f"No program is called {program!r}; the database has: " + ", ".join(name for _, name in rows) + ".")


def write_export(db_path: str | Path, out: str | Path, key: str, program: str | None = None, with_text: bool = False) -> Path:
    """While the app is stopped: write the four files into the folder `out` (new, or empty)."""
    out = Path(out)
    if postgres.is_url(str(db_path)):
        postgres.Target.parse(str(db_path))  # a URL it cannot read is refused without quoting it
        db_path = str(db_path)  # read through the PostgreSQL database; messages name it without its password
    else:
        db_path = Path(db_path)
        if not db_path.is_file():
            raise ExportError(f"{db_path} does not exist.")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ExportError(f"{out} already exists and is not an empty folder; choose a new one (nothing was written).")
    with Store(db_path) as store:
        export = build_export(store, program_id_of(store, program), key, with_text)
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in zip(FILES, (export.records, export.dictionary, export.events, export.designation), strict=True):
        (out / name).write_bytes(to_csv(frame))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analytics.redcap_export", description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="the database file (the app stopped)")
    parser.add_argument("--out", required=True, help="a new (or empty) folder for the four CSV files")
    parser.add_argument("--key", required=True, help=f"the secret the pseudonyms are made with (at least {MIN_KEY} characters)")
    parser.add_argument("--program", help="the program's name, when the database holds several")
    parser.add_argument("--with-text", action="store_true", help="include the free-text comments (left out by default)")
    args = parser.parse_args(argv)
    try:
        out = write_export(args.db, args.out, args.key, args.program, args.with_text)
    except StoreError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"REDCap files written to {out}: {', '.join(FILES)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
