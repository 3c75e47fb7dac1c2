"""REDCap in: a data dictionary CSV read into a preview of the program instruments it would become,
stored only when a director confirms one form.

A data dictionary has 18 columns (REDCap 6 and later; older exports name a few differently and lack
the last ones, see `_COLUMN_NAMES`). Per form, fields the app can ask become rated items:

- radio, dropdown: choices "1, Never | 2, Sometimes | 3, Often" with consecutive whole-number codes
  starting at 0 or 1, 2 to 11 of them, each code's label a scale point;
- slider: only with a range of 2 to 11 whole numbers (Text Validation Min and Max); its left,
  middle and right labels name those points, the others their number;
- yesno (0 No, 1 Yes) and truefalse (0 False, 1 True): two-point items;
- a matrix group: a subscale, named by the section header above its first field (else the group's name).

An instrument has one scale, so the form's scale is the one most of its rated fields share; a field
with another is listed with the reason, like every field the app cannot take (text, notes, calc,
file, descriptive, checkbox, branching logic, codes that are not consecutive, ...).

A malformed file (missing columns, bad choice strings, a duplicate variable name, too large, not
UTF-8) gets one sentence per problem, and nothing of it is stored. Labels are stored as the text
they are (HTML and formulas included) and shown escaped like any typed text.

A confirmed form is stored in the database (`program_instruments`, migration 011), not as a file:
several app servers may share one database, and each loads the program's instruments from it
(`with_program_instruments`). It is a program instrument like a file one (`source` = the
dictionary's file name), offered to its own program only.
"""

import csv
import dataclasses
import io
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from analytics.changes import touched
from analytics.errors import AccessDenied, InputError
from analytics.instruments import (
    CADENCES,
    MAX_NAME,
    MAX_TEXT,
    SCALE_POINTS,
    Catalogue,
    DisabledInstrument,
    Instrument,
    InstrumentError,
    parse_instrument,
)
from analytics.people import Viewer
from analytics.store import Store

MAX_BYTES = 2 * 1024 * 1024  # a dictionary of 3,000 fields is about 1 MB
MAX_ROWS = 10_000
MAX_PROBLEMS = 20  # sentences listed for one file; the rest are counted
REFERENCE = "REDCap variable "  # an imported item's reference: where in the dictionary it comes from
NOT_A_DIRECTOR = "Only a program director can import an instrument, into their own program."

# The 18 columns, by the short names used here, and every header REDCap has given each (compared
# lower-case, spaces squeezed): the current CSV export, older versions, and the API's field names.
COLUMNS = (
    "field_name",
    "form_name",
    "section_header",
    "field_type",
    "field_label",
    "choices",
    "field_note",
    "validation",
    "validation_min",
    "validation_max",
    "identifier",
    "branching_logic",
    "required",
    "custom_alignment",
    "question_number",
    "matrix_group",
    "matrix_ranking",
    "field_annotation",
)
HEADERS = (  # the current export's header, in order: what this app writes
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
)
_COLUMN_NAMES = {
    "field_name": ("variable / field name", "variable/field name", "variable / field name (utf-8)", "field_name"),
    "form_name": ("form name", "form_name"),
    "section_header": ("section header", "section_header"),
    "field_type": ("field type", "field_type"),
    "field_label": ("field label", "field_label"),
    "choices": (
        "choices, calculations, or slider labels",
        "choices or calculations",
        "choices, calculations or slider labels",
        "select_choices_or_calculations",
    ),
    "field_note": ("field note", "field_note"),
    "validation": (
        "text validation type or show slider number",
        "text validation type",
        "text_validation_type_or_show_slider_number",
    ),
    "validation_min": ("text validation min", "text_validation_min"),
    "validation_max": ("text validation max", "text_validation_max"),
    "identifier": ("identifier?", "identifier"),
    "branching_logic": ("branching logic (show field only if...)", "branching logic", "branching_logic"),
    "required": ("required field?", "required field", "required_field"),
    "custom_alignment": ("custom alignment", "custom_alignment"),
    "question_number": ("question number (surveys only)", "question number", "question_number"),
    "matrix_group": ("matrix group name", "matrix_group_name"),
    "matrix_ranking": ("matrix ranking?", "matrix_ranking"),
    "field_annotation": ("field annotation", "action tags / field annotation", "field_annotation"),
}
_BY_HEADER = {header: column for column, headers in _COLUMN_NAMES.items() for header in headers}
REQUIRED_COLUMNS = ("field_name", "form_name", "field_type", "field_label", "choices")
FIELD_TYPES = (
    "text",
    "notes",
    "dropdown",
    "radio",
    "checkbox",
    "file",
    "calc",
    "sql",
    "descriptive",
    "slider",
    "yesno",
    "truefalse",
)
RATED_TYPES = ("radio", "dropdown", "slider", "yesno", "truefalse")
_WHY_NOT = {
    "text": "a text box: the app asks only for ratings",
    "notes": "a notes box: the app asks only for ratings",
    "calc": "a calculated field: the app stores what people answer, not formulas",
    "sql": "a dynamic SQL field: the app runs no query from a file",
    "file": "a file upload: the app asks only for ratings",
    "descriptive": "descriptive text, not a question",
    "checkbox": "a checkbox field allows several answers; an item has one rating",
}
_TWO_POINTS = {"yesno": ((0, "No"), (1, "Yes")), "truefalse": ((0, "False"), (1, "True"))}
_VARIABLE = re.compile(r"[a-z][a-z0-9_]*")
_FORM = re.compile(r"[a-z][a-z0-9_]*")
_CODE = re.compile(r"-?\d+")
# Who answers an imported instrument, and about whom: chosen by the director when confirming.
WHO = {
    "fellow-self": ("Fellows, about themselves", ("fellow",), "self"),
    "mentor-self": ("Mentors, about themselves", ("mentor",), "self"),
    "fellow-mentor": ("Fellows, about their mentor", ("fellow",), "mentor"),
    "mentor-mentee": ("Mentors, about their mentee", ("mentor",), "mentee"),
    "pair": ("Both members of a pair, about the pair", ("fellow", "mentor"), "pair"),
}


class DictionaryError(InputError):
    """The file is not a data dictionary the app can read; `problems` holds one sentence each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(" ".join(problems))


@dataclass(frozen=True)
class Field:
    line: int
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values.get(column, "")

    @property
    def name(self) -> str:
        return self["field_name"]


@dataclass(frozen=True)
class Refusal:
    variable: str
    field_type: str
    reason: str


@dataclass(frozen=True)
class FormPreview:
    """What one form of the dictionary would become: its instrument's data (as an instrument file
    holds it, without who answers it), or `problem` when it cannot become one, and its refusals."""

    form: str
    data: dict = field(default_factory=dict, compare=False)
    refusals: tuple[Refusal, ...] = ()
    problem: str = ""

    @property
    def importable(self) -> bool:
        return not self.problem

    def instrument(self, who: str = "fellow-self", version: int = 1) -> Instrument:
        """The instrument it becomes, answered as `who` (a key of WHO) says."""
        return parse_instrument(instrument_data(self, who, version), self.data["source"], shipped=False)


@dataclass(frozen=True)
class DictionaryPreview:
    file_name: str
    forms: tuple[FormPreview, ...]

    def form(self, name: str) -> FormPreview:
        for form in self.forms:
            if form.form == name:
                return form
        raise InputError(f"The file has no form called {name!r}.")


# -- reading the file ------------------------------------------------------------------------------


def read_dictionary(data: bytes, file_name: str) -> DictionaryPreview:
    """Check a data dictionary file in full and preview every form in it; nothing is stored.

    Raises DictionaryError, one sentence per problem, for a file that is not a data dictionary.
    """
    file_name = source_name(file_name)
    fields = _fields(data)
    forms: dict[str, list[Field]] = {}
    for one in fields:
        forms.setdefault(one["form_name"], []).append(one)
    record_id = fields[0].name
    return DictionaryPreview(file_name, tuple(_form(name, rows, file_name, record_id) for name, rows in forms.items()))


def source_name(file_name: str) -> str:
    """The file's own name (no folders), as the instrument cites it."""
    name = re.split(r"[\\/]", str(file_name or ""))[-1].strip()
    return name[:MAX_NAME] or "REDCap data dictionary"


def _fields(data: bytes) -> list[Field]:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise DictionaryError(["The upload is not a file."])
    data = bytes(data)
    if len(data) > MAX_BYTES:
        raise DictionaryError(
            [
                f"The file is {len(data) / 1024 / 1024:.1f} MB; a data dictionary is far smaller (the limit is "
                f"{MAX_BYTES // 1024 // 1024} MB). Upload the CSV from REDCap's Data Dictionary page."
            ]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise DictionaryError(
            [
                f"The file is not UTF-8 text (the first character it cannot read is on line {line}). "
                'Download the data dictionary from REDCap again, or save it from a spreadsheet as "CSV UTF-8".'
            ]
        ) from None
    if "\x00" in text:
        raise DictionaryError(["The file is not a CSV text file (it holds binary data)."])
    if not text.strip():
        raise DictionaryError(["The file is empty; a data dictionary starts with REDCap's header row."])
    rows: list[tuple[int, list[str]]] = []  # (the line a row starts on, its cells), blank rows left out
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        start = 1
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as error:
        raise DictionaryError([f"The file cannot be read as CSV ({error}). Download it from REDCap again."]) from None
    if not rows:
        raise DictionaryError(["The file is empty; a data dictionary starts with REDCap's header row."])
    if len(rows) > MAX_ROWS + 1:
        raise DictionaryError([f"The file has more than {MAX_ROWS:,} fields; a data dictionary this long is not one to import."])
    (_, header), body = rows[0], rows[1:]
    position = _header(header)
    if not body:
        raise DictionaryError(["The file has REDCap's header but no fields under it."])
    problems: list[str] = []
    fields: list[Field] = []
    seen: dict[str, int] = {}
    for line, row in body:
        if len(row) != len(header):
            problems.append(
                f"Line {line} has {len(row)} cells but the header has {len(header)}; "
                "a cell holding a comma must be in double quotes."
            )
            continue
        one = Field(line, {column: row[index].strip() for column, index in position.items()})
        problems += _row_problems(one, seen)
        fields.append(one)
    if problems:
        shown = problems[:MAX_PROBLEMS]
        if len(problems) > MAX_PROBLEMS:
            shown.append(f"And {len(problems) - MAX_PROBLEMS} more problems like these.")
        raise DictionaryError(shown)
    return fields


def _header(header: list[str]) -> dict[str, int]:
    position: dict[str, int] = {}
    problems: list[str] = []
    for index, cell in enumerate(header):
        name = " ".join(cell.strip().lower().split())
        column = _BY_HEADER.get(name)
        if column is None:
            shown = cell.strip()[:60]
            problems.append(f"The column {shown!r} is not one of a REDCap data dictionary's.")
        elif column in position:
            problems.append(f"The column {cell.strip()[:60]!r} appears twice in the header.")
        else:
            position[column] = index
    missing = [HEADERS[COLUMNS.index(column)] for column in REQUIRED_COLUMNS if column not in position]
    if missing:
        problems.insert(
            0,
            "The header lacks " + ", ".join(repr(m) for m in missing) + ": the first line must be the header of "
            "a REDCap data dictionary (download it from the project's Data Dictionary page).",
        )
    if problems:
        raise DictionaryError(problems[:MAX_PROBLEMS])
    return position


def _row_problems(one: Field, seen: dict[str, int]) -> list[str]:
    problems = []
    name, line = one.name, one.line
    if not name:
        problems.append(f"Line {line} has no variable name.")
    elif not _VARIABLE.fullmatch(name) or len(name) > 100:
        problems.append(
            f"Line {line}: {name[:60]!r} is not a REDCap variable name (lower-case letters, digits and "
            "underscores, starting with a letter, at most 100)."
        )
    elif name in seen:
        problems.append(f"Line {line}: the variable name {name!r} is already used on line {seen[name]}.")
    else:
        seen[name] = line
    form = one["form_name"]
    if not form:
        problems.append(f"Line {line} has no form name.")
    elif not _FORM.fullmatch(form) or len(form) > 100:
        problems.append(f"Line {line}: {form[:60]!r} is not a REDCap form name (lower-case letters, digits and underscores).")
    field_type = one["field_type"]
    if field_type not in FIELD_TYPES:
        problems.append(f"Line {line}: the field type {field_type[:30]!r} is not one of REDCap's ({', '.join(FIELD_TYPES)}).")
    elif field_type in ("radio", "dropdown", "checkbox"):
        try:
            _choices(one["choices"])
        except ValueError as error:
            problems.append(f"Line {line} ({name}): {error}")
    return problems


def _choices(text: str) -> list[tuple[str, str]]:
    """'1, Never | 2, Often' as [('1', 'Never'), ('2', 'Often')]; ValueError with the reason."""
    if not text.strip():
        raise ValueError("the choices are empty; write them as '1, Never | 2, Sometimes | 3, Often'.")
    parsed: list[tuple[str, str]] = []
    for part in text.split("|"):
        code, comma, label = part.partition(",")
        code, label = code.strip(), label.strip()
        if not comma or not code:
            raise ValueError(f"the choice {part.strip()[:40]!r} is not 'code, label'; write them as '1, Never | 2, Often'.")
        if any(code == seen for seen, _ in parsed):
            raise ValueError(f"the choice code {code[:20]!r} appears twice.")
        parsed.append((code, label))
    return parsed


# -- one form --------------------------------------------------------------------------------------


def _scale_of(one: Field) -> tuple[tuple[tuple[int, str], ...] | None, str]:
    """A rated field's scale as ((value, label), ...), or (None, why it is not one)."""
    field_type = one["field_type"]
    if field_type in _TWO_POINTS:
        return _TWO_POINTS[field_type], ""
    if field_type == "slider":
        return _slider_scale(one)
    choices = _choices(one["choices"])
    if not all(_CODE.fullmatch(code) for code, _ in choices):
        return None, "its choice codes are not all whole numbers: " + ", ".join(code for code, _ in choices[:11])
    values = [int(code) for code, _ in choices]
    if sorted(values) != list(range(min(values), min(values) + len(values))):
        return None, "its codes are not consecutive whole numbers: " + ", ".join(str(v) for v in values[:11])
    if min(values) not in (0, 1):
        return None, f"its codes start at {min(values)}; a scale starts at 0 or 1"
    if not SCALE_POINTS[0] <= len(values) <= SCALE_POINTS[1]:
        return None, f"it has {len(values)} choices; a scale has {SCALE_POINTS[0]} to {SCALE_POINTS[1]} points"
    if any(not label for _, label in choices):
        return None, "a choice has no label"
    if any(len(label) > MAX_TEXT for _, label in choices):
        return None, f"a choice's label is longer than {MAX_TEXT} characters"
    return tuple(sorted((int(code), label) for code, label in choices)), ""


def _slider_scale(one: Field) -> tuple[tuple[tuple[int, str], ...] | None, str]:
    low, high = one["validation_min"], one["validation_max"]
    if not (_CODE.fullmatch(low) and _CODE.fullmatch(high)):
        return None, "a slider from 0 to 100 has 101 points; a scale has 2 to 11 (set its minimum and maximum in REDCap)"
    start, end = int(low), int(high)
    if start not in (0, 1) or not SCALE_POINTS[0] <= end - start + 1 <= SCALE_POINTS[1]:
        return None, f"a slider from {start} to {end}: a scale starts at 0 or 1 and has 2 to 11 points"
    labels = [label.strip() for label in one["choices"].split("|")] if one["choices"].strip() else []
    points = {value: str(value) for value in range(start, end + 1)}
    if labels:
        points[start] = labels[0] or points[start]
        points[end] = labels[-1] or points[end]
        if len(labels) == 3 and (end - start) % 2 == 0:
            points[(start + end) // 2] = labels[1] or points[(start + end) // 2]
    if any(len(label) > MAX_TEXT for label in points.values()):
        return None, f"a slider label is longer than {MAX_TEXT} characters"
    return tuple(points.items()), ""


def item_id(variable: str) -> str:
    """A REDCap variable name as an item id: 'asks_questions' -> 'asks-questions'."""
    return variable.replace("_", "-")


def form_item_id(form: str, variable: str) -> str:
    """The item id of a form's variable; a `{form}__` prefix (how analytics/redcap_export.py keeps variable names
    unique across a project) is taken off, so an exported dictionary reads back to the same items."""
    prefix = form + "__"
    return item_id(variable[len(prefix) :] if variable.startswith(prefix) and len(variable) > len(prefix) else variable)


def variable_name(item: str) -> str:
    """An item id as a REDCap variable name: 'asks-questions' -> 'asks_questions'."""
    return item.replace("-", "_")


def _form(name: str, rows: list[Field], file_name: str, record_id: str) -> FormPreview:
    refusals: list[Refusal] = []
    rated: list[tuple[Field, tuple]] = []
    ids: set[str] = set()
    for one in rows:
        reason = _field_refusal(one, record_id, name)
        if not reason and form_item_id(name, one.name) in ids:
            reason = f"its item id {form_item_id(name, one.name)!r} is another field's too"
        if reason:
            refusals.append(Refusal(one.name, one["field_type"], reason))
            continue
        scale, why = _scale_of(one)
        if scale is None:
            refusals.append(Refusal(one.name, one["field_type"], why))
            continue
        rated.append((one, scale))
        ids.add(form_item_id(name, one.name))
    instrument_id = item_id(name)
    if not re.fullmatch(r"[a-z][a-z0-9-]{1,60}", instrument_id):
        return FormPreview(
            name, refusals=tuple(refusals), problem="its form name must be 2 to 61 characters long to name an instrument"
        )
    if not rated:
        return FormPreview(name, refusals=tuple(refusals), problem="none of its fields can be rated")
    counts = Counter(scale for _, scale in rated)
    scale = max(counts, key=lambda s: (counts[s], -next(i for i, (_, own) in enumerate(rated) if own == s)))
    items = []
    section = ""
    group_names: dict[str, str] = {}
    for one, own in rated:
        if own != scale:
            refusals.append(
                Refusal(
                    one.name,
                    one["field_type"],
                    "its scale (" + _scale_words(own) + ") is not the form's (" + _scale_words(scale) + ")",
                )
            )
            continue
        section = one["section_header"] or section
        item = {"id": form_item_id(name, one.name), "text": one["field_label"], "measures": _measures(one)}
        group = one["matrix_group"]
        if group:
            group_names.setdefault(group, (one["section_header"] or _words(group))[:MAX_NAME])
            item["subscale"] = group_names[group]
        item["reference"] = REFERENCE + one.name
        items.append(item)
    order = {one.name: index for index, one in enumerate(rows)}
    refusals.sort(key=lambda refusal: order[refusal.variable])
    title = _words(name)
    data = {
        "id": instrument_id,
        "title": title,
        "description": f"Imported from the REDCap data dictionary {file_name}, form {name}.",
        "measures": title,
        "source": file_name,
        "scale": {"points": [{"value": value, "label": label} for value, label in scale]},
        "items": items,
        "cadence": "period",
    }
    return FormPreview(name, data, tuple(refusals))


def _field_refusal(one: Field, record_id: str, form: str) -> str:
    field_type = one["field_type"]
    if one.name == record_id:
        return "the record id: the app knows who answered"
    if field_type in _WHY_NOT:
        return _WHY_NOT[field_type]
    if one["branching_logic"]:
        return "it has branching logic (shown only if ...): every item is asked of everyone"
    if not one["field_label"]:
        return "it has no label"
    if len(one["field_label"]) > MAX_TEXT:
        return f"its label is longer than {MAX_TEXT} characters"
    if not re.fullmatch(r"[a-z][a-z0-9-]{1,60}", form_item_id(form, one.name)):
        return "its variable name must be 2 to 61 characters long to name an item"
    return ""


def _measures(one: Field) -> str:
    """What an item measures, in a few words: its field note if it has one, else its label cut short."""
    text = one["field_note"] or one["field_label"]
    text = " ".join(text.split())
    if len(text) <= MAX_NAME:
        return text
    return text[: MAX_NAME - 1].rsplit(" ", 1)[0] + "\u2026"


def _words(name: str) -> str:
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def _scale_words(scale: tuple) -> str:
    return ", ".join(f"{value} {label}" for value, label in scale)


def instrument_data(form: FormPreview, who: str, version: int = 1) -> dict:
    """The form's instrument as a program instrument file holds it, answered as `who` says."""
    if who not in WHO:
        raise InputError("Choose who answers the instrument.")
    if not form.importable:
        raise InputError(f"The form {form.form!r} cannot be imported: {form.problem}.")
    _, respondent, about = WHO[who]
    data = dict(form.data, respondent=list(respondent), about=about, version=version)
    data["cadence_choices"] = [c for c in CADENCES if about != "self" or c != "pair-start-end"]
    return data


# -- storing a confirmed form ----------------------------------------------------------------------


def confirm_import(
    store: Store, catalogue: Catalogue, viewer: Viewer | None, data: bytes, file_name: str, form: str, who: str, now: datetime
) -> Instrument:
    """Store one form of the dictionary as the program's instrument (a new version when the program
    imported it before and its wording or scale changed). The file is checked again in full here."""
    if viewer is None or not viewer.has("director"):
        raise AccessDenied(NOT_A_DIRECTOR)
    preview = read_dictionary(data, file_name).form(form)
    if who not in WHO:
        raise InputError("Choose who answers the instrument.")
    if not preview.importable:
        raise InputError(f"The form {form!r} cannot be imported: {preview.problem}.")
    instrument_id = preview.data["id"]
    others = [i for i in catalogue.instruments if i.id == instrument_id and i.program_id != viewer.program_id]
    if others or _imported_elsewhere(store, instrument_id, viewer.program_id):
        raise InputError(
            f"An instrument called {instrument_id!r} already exists; rename the form in REDCap "
            "(or in the file) and import it again."
        )

    def write(cur) -> Instrument:
        row = cur.execute(
            "SELECT max(version) FROM instrument_versions WHERE instrument_id = $id", {"id": instrument_id}
        ).fetchone()
        version = (row[0] or 0) + 1
        instrument = parse_instrument(instrument_data(preview, who, version), preview.data["source"], shipped=False)
        latest = cur.execute(
            "SELECT content_hash FROM instrument_versions WHERE instrument_id = $id AND version = $version",
            {"id": instrument_id, "version": version - 1},
        ).fetchone()
        same = (
            parse_instrument(instrument_data(preview, who, version - 1), preview.data["source"], shipped=False)
            if latest
            else None
        )
        if same is not None and latest[0] == same.content_hash() and _current_who(cur, viewer.program_id, instrument_id) == who:
            raise InputError(
                f"The program already has this form as {instrument.title!r}, worded and scaled the same: nothing changed."
            )
        cur.execute(
            "INSERT INTO program_instruments VALUES ($program, $id, $version, $file, $definition, $by, $now)",
            {
                "program": viewer.program_id,
                "id": instrument_id,
                "version": version,
                "file": preview.data["source"],
                "definition": json.dumps(instrument_data(preview, who, version), ensure_ascii=False),
                "by": viewer.person_id,
                "now": now,
            },
        )
        cur.execute(
            "INSERT INTO instrument_versions VALUES ($id, $version, $title, $about, $hash, $definition, $now)",
            {
                "id": instrument.id,
                "version": version,
                "title": instrument.title,
                "about": instrument.about,
                "hash": instrument.content_hash(),
                "definition": json.dumps(instrument.definition(), ensure_ascii=False),
                "now": now,
            },
        )
        return instrument

    # A new instrument changes what the program's pages offer and chart: the program's settings group.
    return store.write(write, touches=touched(viewer.program_id, "settings"))


def _imported_elsewhere(store: Store, instrument_id: str, program_id: int) -> bool:
    row = store.query_one(
        "SELECT count(*) FROM program_instruments WHERE instrument_id = $id AND program_id <> $program",
        {"id": instrument_id, "program": program_id},
    )
    return bool(row and row[0])


def _current_who(cur, program_id: int, instrument_id: str) -> str:
    row = cur.execute(
        "SELECT definition FROM program_instruments WHERE program_id = $program AND instrument_id = $id "
        "ORDER BY version DESC LIMIT 1",
        {"program": program_id, "id": instrument_id},
    ).fetchone()
    if not row:
        return ""
    stored = json.loads(row[0])
    return next(
        (
            key
            for key, (_, respondent, about) in WHO.items()
            if list(respondent) == stored["respondent"] and about == stored["about"]
        ),
        "",
    )


def imports_stamp(store: Store) -> tuple:
    """Changes when any program imports an instrument: the catalogue is loaded again then."""
    return tuple(store.query_one("SELECT count(*), max(imported_at) FROM program_instruments") or ())


def with_program_instruments(store: Store, catalogue: Catalogue) -> Catalogue:
    """`catalogue` (the files) with every program's imported instruments, each its newest version;
    one that no longer loads (the app's rules changed) is disabled, with the reason, like a bad file."""
    rows = store.query_all(
        """
        SELECT program_id, instrument_id, version, file_name, definition FROM program_instruments
        QUALIFY row_number() OVER (PARTITION BY instrument_id ORDER BY version DESC) = 1
        ORDER BY imported_at, instrument_id
        """
    )
    taken = {i.id for i in catalogue.instruments}
    instruments = list(catalogue.instruments)
    disabled = list(catalogue.disabled)
    for program_id, _id, _version, file_name, definition in rows:
        try:
            instrument = parse_instrument(json.loads(definition), file_name, shipped=False)
        except (InstrumentError, ValueError) as error:
            disabled.append(DisabledInstrument(file_name, str(error), program_id))
            continue
        if instrument.id in taken:
            disabled.append(
                DisabledInstrument(file_name, f"{file_name}: field 'id': '{instrument.id}' is already used", program_id)
            )
            continue
        taken.add(instrument.id)
        instruments.append(_owned(instrument, program_id))
    return Catalogue(tuple(instruments), tuple(disabled))


def _owned(instrument: Instrument, program_id: int) -> Instrument:
    return dataclasses.replace(instrument, program_id=program_id)


def who_of(instrument: Instrument) -> str:
    return next(
        key for key, (_, respondent, about) in WHO.items() if respondent == instrument.respondent and about == instrument.about
    )


def imported_instruments(store: Store, viewer: Viewer | None) -> pd.DataFrame:
    """The viewer's program's imports, newest first: title, instrument_id, version, file_name, imported_by, imported_at."""
    if viewer is None or not viewer.has("director"):
        raise AccessDenied(NOT_A_DIRECTOR)
    frame = store.query_df(
        """
        SELECT json_extract_string(i.definition, '$.title') AS title, i.instrument_id, i.version, i.file_name,
               p.full_name AS imported_by, i.imported_at
        FROM program_instruments i LEFT JOIN people p ON p.person_id = i.imported_by
        WHERE i.program_id = $program
        ORDER BY i.imported_at DESC, i.instrument_id
        """,
        {"program": viewer.program_id},
    )
    return frame
