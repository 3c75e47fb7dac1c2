"""Instruments as data: load, validate and describe the TOML files in data/instruments/.

A shipped instrument that is wrong stops the app (the error names the file and field); one a
program added itself is disabled on its own, and directors see why.

The shipped instruments quote the guidance, item by item. A program's own instrument may instead
cite its own `source` (with an optional `reference` per item), group its items in named
`subscale`s, use any scale of 2 to 11 points starting at 0 or 1, and say how often it is asked
(`cadence`; with `cadence_choices`, the program's director picks among them) and of which `cohorts`.
"""

import hashlib
import json
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from analytics.checks import whole_number
from analytics.guidance import quote_in_guidance, quote_problem
from analytics.paths import SHIPPED_INSTRUMENTS_DIR

# The instruments the app ships (data/instruments/), by id, for the code that treats one of them in its own way.
MENTEE_SELF = "mentee-self"  # a fellow rates themselves on the good-mentee qualities
MENTEE_BY_MENTOR = "mentee-by-mentor"  # a mentor rates a mentee on the same qualities
MENTOR_SELF = "mentor-self"  # a mentor rates themselves on the good-mentor qualities
MENTOR_BY_MENTEE = "mentor-by-mentee"  # a fellow rates their mentor on them
PROCESS_STEPS = "process-steps"  # both members of a pair rate the five steps of the mentoring process
ROLES_THAT_ANSWER = ("fellow", "mentor")
# Whom an instrument is about, and who may answer it.
ABOUT = {
    "self": ("fellow", "mentor"),
    "mentee": ("mentor",),
    "mentor": ("fellow",),
    "pair": ("fellow", "mentor"),
}
_SLUG = re.compile(r"[a-z][a-z0-9-]{1,60}")
_INSTRUMENT_KEYS = {
    "id",
    "version",
    "title",
    "description",
    "respondent",
    "about",
    "measures",
    "scale",
    "items",
    "source",
    "cadence",
    "cadence_choices",
    "cohorts",
}
_ITEM_KEYS = {"id", "text", "quote", "measures", "reference", "subscale"}
MAX_TEXT = 500
MAX_NAME = 80  # a subscale's or a cohort's name
SCALE_POINTS = (2, 11)  # the fewest and the most points a scale may have
# How often an instrument is asked: every period; once a calendar year; once; at the start and at the end of a pair.
CADENCES = ("period", "yearly", "once", "pair-start-end")
# The id of a subscale's mean in tables and charts that list items (item ids are slugs, so no item has it).
SUBSCALE_PREFIX = "subscale:"


class InstrumentError(ValueError):
    """An instrument file is malformed; the message names the file and the field."""

    def __init__(self, path: Path | str, field_name: str, problem: str):
        self.path = str(path)
        self.field = field_name
        self.problem = problem
        super().__init__(f"{Path(path).name}: field '{field_name}': {problem}")


@dataclass(frozen=True)
class ScalePoint:
    value: int
    label: str


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    quote: str  # the guidance's sentence; may be "" in an instrument that cites its own source
    measures: str
    reference: str = ""  # where in the instrument's source the item comes from
    subscale: str = ""  # the competency (subscale) it belongs to, if any


@dataclass(frozen=True)
class Instrument:
    id: str
    version: int
    title: str
    description: str
    respondent: tuple[str, ...]
    about: str
    measures: str
    scale: tuple[ScalePoint, ...]
    items: tuple[Item, ...]
    source_file: str = field(default="", compare=False)
    shipped: bool = field(default=True, compare=False)
    source: str = ""  # a program instrument's own citation, instead of the guidance
    cadence: str = "period"  # one of CADENCES
    cadence_choices: tuple[str, ...] = ()  # the cadences a program's director may choose from; () for none
    cohorts: tuple[str, ...] = ()  # the cohorts (by name) it is asked of; () for everyone
    program_id: int | None = field(default=None, compare=False)  # imported by this program (analytics/redcap.py): its own only

    @property
    def subscales(self) -> tuple[str, ...]:
        """The subscales in the order their first item comes."""
        return tuple(dict.fromkeys(item.subscale for item in self.items if item.subscale))

    def subscale_items(self, name: str) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.subscale == name)

    def row_label(self, row_id: str) -> str:
        """What a table or chart row is called: an item's wording, or a subscale's name for its mean."""
        if row_id.startswith(SUBSCALE_PREFIX):
            return f"{row_id.removeprefix(SUBSCALE_PREFIX)} (subscale mean)"
        return next((item.text for item in self.items if item.id == row_id), row_id)

    def row_order(self) -> list[str]:
        """Items in their order, each subscale's mean after its last item."""
        rows: list[str] = []
        for index, item in enumerate(self.items):
            rows.append(item.id)
            if item.subscale and all(later.subscale != item.subscale for later in self.items[index + 1 :]):
                rows.append(SUBSCALE_PREFIX + item.subscale)
        return rows

    def origin_of(self, item: Item) -> str:
        """Where an item comes from, in words: the guidance's sentence, or the instrument's own source."""
        if item.quote:
            return f"From the guidance: \u201c{item.quote}\u201d"
        return f"From {self.source}" + (f", {item.reference}" if item.reference else "")

    @property
    def min_rating(self) -> int:
        return self.scale[0].value

    @property
    def max_rating(self) -> int:
        return self.scale[-1].value

    def label_for(self, value: int) -> str:
        return next((point.label for point in self.scale if point.value == value), str(value))

    def item(self, item_id: str) -> Item:
        return next(item for item in self.items if item.id == item_id)

    def definition(self) -> dict:
        """Everything that defines the wording and scale; stored with each registered version.

        Fields a file leaves out are left out here too, so an instrument written before they existed
        keeps its content hash. How often it is asked (cadence, cohorts) is not wording: not here.
        """
        definition = {
            "id": self.id,
            "version": self.version,
            "title": self.title,
            "description": self.description,
            "respondent": list(self.respondent),
            "about": self.about,
            "measures": self.measures,
            "scale": [{"value": p.value, "label": p.label} for p in self.scale],
            "items": [_item_definition(i) for i in self.items],
        }
        if self.source:
            definition["source"] = self.source
        return definition

    def content_hash(self) -> str:
        canonical = json.dumps(self.definition(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _item_definition(item: Item) -> dict:
    definition = {"id": item.id, "text": item.text, "quote": item.quote, "measures": item.measures}
    if not item.quote:
        del definition["quote"]
    for name in ("reference", "subscale"):
        if getattr(item, name):
            definition[name] = getattr(item, name)
    return definition


@dataclass(frozen=True)
class DisabledInstrument:
    source_file: str
    reason: str
    program_id: int | None = None  # an imported instrument's program; None for a file (every program's)


@dataclass(frozen=True)
class Catalogue:
    """The instruments the app offers, plus the program-added files that were turned off."""

    instruments: tuple[Instrument, ...]
    disabled: tuple[DisabledInstrument, ...] = ()

    def get(self, instrument_id: str) -> Instrument:
        for instrument in self.instruments:
            if instrument.id == instrument_id:
                return instrument
        raise KeyError(f"no instrument '{instrument_id}'")

    def answerable_by(self, role: str, about: str | None = None) -> list[Instrument]:
        return [i for i in self.instruments if role in i.respondent and (about is None or i.about == about)]


def _text(
    path, data: dict, key: str, required: bool = True, where: str = "", longest: int = MAX_TEXT, blank_ok: bool = False
) -> str:
    name = f"{where}.{key}" if where else key
    value = data.get(key)
    if value is None:
        if required:
            raise InstrumentError(path, name, "is missing")
        return ""
    if not isinstance(value, str) or (not blank_ok and not value.strip()):
        raise InstrumentError(path, name, "must be non-empty text")
    if len(value) > longest:
        raise InstrumentError(path, name, f"is longer than {longest} characters")
    return value.strip()


def _scale(path, data: dict) -> tuple[ScalePoint, ...]:
    scale = data.get("scale")
    if not isinstance(scale, dict) or "points" not in scale:
        raise InstrumentError(path, "scale.points", "is missing")
    points = scale["points"]
    if not isinstance(points, list) or len(points) < 2:
        raise InstrumentError(path, "scale.points", "needs at least two points")
    parsed = []
    for index, point in enumerate(points):
        where = f"scale.points[{index}]"
        if not isinstance(point, dict):
            raise InstrumentError(path, where, "must be a table with value and label")
        value = whole_number(point.get("value"))
        if value is None:
            raise InstrumentError(path, f"{where}.value", "must be a whole number")
        label = point.get("label")
        if not isinstance(label, str) or not label.strip():
            raise InstrumentError(path, f"{where}.label", "is missing: every scale point needs a label")
        parsed.append(ScalePoint(value, label.strip()))
    values = [p.value for p in parsed]
    if values != list(range(values[0], values[0] + len(values))):
        raise InstrumentError(path, "scale.points", "values must be consecutive whole numbers, lowest first")
    if values[0] not in (0, 1):
        raise InstrumentError(path, "scale.points", f"must start at 0 or 1, not {values[0]}")
    if not SCALE_POINTS[0] <= len(values) <= SCALE_POINTS[1]:
        raise InstrumentError(
            path, "scale.points", f"has {len(values)} points; a scale has {SCALE_POINTS[0]} to {SCALE_POINTS[1]}"
        )
    return tuple(parsed)


def _items(path, data: dict, guidance: str | None, source: str) -> tuple[Item, ...]:
    items = data.get("items")
    if not isinstance(items, list) or not items:
        raise InstrumentError(path, "items", "is missing: an instrument needs at least one item")
    parsed, seen = [], set()
    for index, raw in enumerate(items):
        where = f"items[{index}]"
        if not isinstance(raw, dict):
            raise InstrumentError(path, where, "must be a table")
        unknown = set(raw) - _ITEM_KEYS
        if unknown:
            raise InstrumentError(path, f"{where}.{sorted(unknown)[0]}", "is not a known item field")
        item_id = raw.get("id")
        if not isinstance(item_id, str) or not _SLUG.fullmatch(item_id):
            raise InstrumentError(path, f"{where}.id", "must be a lower-case slug like 'asks-questions'")
        if item_id in seen:
            raise InstrumentError(path, f"{where}.id", f"duplicate item id '{item_id}'")
        seen.add(item_id)
        if "reference" in raw and not source:
            raise InstrumentError(path, f"{where}.reference", "needs the instrument's own 'source' (it cites a place in it)")
        item = Item(
            id=item_id,
            text=_text(path, raw, "text", where=where),
            # Without a source, every item traces back to the guidance; with one, a quote is optional.
            quote=_text(path, raw, "quote", required=not source, where=where),
            measures=_text(path, raw, "measures", where=where),
            reference=_text(path, raw, "reference", required=False, where=where),
            subscale=_text(path, raw, "subscale", required=False, where=where, longest=MAX_NAME),
        )
        if item.quote:
            if not quote_in_guidance(item.quote, guidance):
                raise InstrumentError(path, f"{where}.quote", f"is not in the guidance: '{item.quote[:80]}'")
            problem = quote_problem(item.quote, item.measures)
            if problem:
                raise InstrumentError(path, f"{where}.quote", problem)
        parsed.append(item)
    return tuple(parsed)


def _cadence(path, data: dict, about: str) -> str:
    cadence = data.get("cadence", "period")
    if cadence not in CADENCES:
        raise InstrumentError(path, "cadence", f"must be one of {', '.join(CADENCES)}")
    if cadence == "pair-start-end" and about == "self":
        raise InstrumentError(path, "cadence", "'pair-start-end' is for an instrument about the other member of a pair")
    return cadence


def _cadence_choices(path, data: dict, about: str, cadence: str) -> tuple[str, ...]:
    """The cadences a director may choose (the file's own `cadence` among them), or () for none."""
    if "cadence_choices" not in data:
        return ()
    choices = data["cadence_choices"]
    if not isinstance(choices, list) or len(choices) < 2 or any(c not in CADENCES for c in choices):
        raise InstrumentError(path, "cadence_choices", f"must list two or more of {', '.join(CADENCES)}")
    if cadence not in choices:
        raise InstrumentError(path, "cadence_choices", f"must include the file's own cadence, '{cadence}'")
    if "pair-start-end" in choices and about == "self":
        raise InstrumentError(path, "cadence_choices", "'pair-start-end' is for an instrument about the other member of a pair")
    return tuple(dict.fromkeys(choices))


def _cohorts(path, data: dict) -> tuple[str, ...]:
    cohorts = data.get("cohorts", [])
    if not isinstance(cohorts, list) or any(not isinstance(c, str) or not c.strip() or len(c) > MAX_NAME for c in cohorts):
        raise InstrumentError(path, "cohorts", "must be a list of cohort names, as the program names its cohorts")
    return tuple(dict.fromkeys(c.strip() for c in cohorts))


def parse_instrument(data: dict, path: Path | str, shipped: bool = True, guidance: str | None = None) -> Instrument:
    """Validate one parsed TOML document; raise InstrumentError naming the first bad field."""
    unknown = set(data) - _INSTRUMENT_KEYS
    if unknown:
        raise InstrumentError(path, sorted(unknown)[0], "is not a known instrument field")
    instrument_id = data.get("id")
    if not isinstance(instrument_id, str) or not _SLUG.fullmatch(instrument_id):
        raise InstrumentError(path, "id", "must be a lower-case slug like 'mentee-self'")
    version = whole_number(data.get("version"))
    if version is None or version < 1:
        raise InstrumentError(path, "version", "must be a whole number, 1 or more")
    about = data.get("about")
    if about not in ABOUT:
        raise InstrumentError(path, "about", f"must be one of {', '.join(ABOUT)}")
    respondent = data.get("respondent")
    if isinstance(respondent, str):
        respondent = [respondent]
    if not isinstance(respondent, list) or not respondent or any(r not in ABOUT[about] for r in respondent):
        raise InstrumentError(path, "respondent", f"must list who answers: for about = '{about}', any of {list(ABOUT[about])}")
    source = _text(path, data, "source", required=False)
    if source and shipped:
        raise InstrumentError(
            path, "source", "an instrument shipped with the app quotes the guidance; only a program's own cites a source"
        )
    return Instrument(
        id=instrument_id,
        version=version,
        title=_text(path, data, "title"),
        description=_text(path, data, "description", required=False, blank_ok=True),
        respondent=tuple(respondent),
        about=about,
        measures=_text(path, data, "measures"),
        scale=_scale(path, data),
        items=_items(path, data, guidance, source),
        source_file=str(path),
        shipped=shipped,
        source=source,
        cadence=_cadence(path, data, about),
        cadence_choices=_cadence_choices(path, data, about, _cadence(path, data, about)),
        cohorts=_cohorts(path, data),
    )


def load_instrument(path: Path, shipped: bool = True, guidance: str | None = None) -> Instrument:
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise InstrumentError(path, "(file)", f"is not valid TOML: {error}") from error
    except UnicodeDecodeError as error:
        raise InstrumentError(path, "(file)", "is not UTF-8 text") from error
    return parse_instrument(data, path, shipped=shipped, guidance=guidance)


def load_catalogue(
    shipped_dir: Path = SHIPPED_INSTRUMENTS_DIR,
    program_dir: Path | Sequence[Path] | None = None,
    guidance: str | None = None,
) -> Catalogue:
    """Shipped files must all be valid (else InstrumentError); a bad program file is only disabled.

    `program_dir` may be several folders (the demo program's own beside the configured one).
    """
    instruments: list[Instrument] = []
    for path in sorted(Path(shipped_dir).glob("*.toml")):
        instruments.append(load_instrument(path, shipped=True, guidance=guidance))
    _refuse_duplicate_ids(instruments)
    disabled: list[DisabledInstrument] = []
    folders = [] if program_dir is None else [program_dir] if isinstance(program_dir, str | Path) else list(program_dir)
    program_files = [path for folder in folders if Path(folder).is_dir() for path in sorted(Path(folder).glob("*.toml"))]
    if program_files:
        for path in program_files:
            try:
                instrument = load_instrument(path, shipped=False, guidance=guidance)
            except InstrumentError as error:
                disabled.append(DisabledInstrument(str(path), str(error)))
                continue
            if any(i.id == instrument.id for i in instruments):
                disabled.append(DisabledInstrument(str(path), f"{path.name}: field 'id': '{instrument.id}' is already used"))
                continue
            instruments.append(instrument)
    return Catalogue(tuple(instruments), tuple(disabled))


def _refuse_duplicate_ids(instruments: list[Instrument]) -> None:
    seen: dict[str, str] = {}
    for instrument in instruments:
        if instrument.id in seen:
            raise InstrumentError(
                instrument.source_file, "id", f"'{instrument.id}' is also used by {Path(seen[instrument.id]).name}"
            )
        seen[instrument.id] = instrument.source_file
