"""Instruments as data: load, validate and describe the TOML files in data/instruments/.

A shipped instrument that is wrong stops the app (the error names the file and field); one a
program added itself is disabled on its own, and directors see why.
"""

import hashlib
import json
import re
import tomllib
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
_INSTRUMENT_KEYS = {"id", "version", "title", "description", "respondent", "about", "measures", "scale", "items"}
_ITEM_KEYS = {"id", "text", "quote", "measures"}
MAX_TEXT = 500


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
    quote: str
    measures: str


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
        """Everything that defines the wording and scale; stored with each registered version."""
        return {
            "id": self.id,
            "version": self.version,
            "title": self.title,
            "description": self.description,
            "respondent": list(self.respondent),
            "about": self.about,
            "measures": self.measures,
            "scale": [{"value": p.value, "label": p.label} for p in self.scale],
            "items": [{"id": i.id, "text": i.text, "quote": i.quote, "measures": i.measures} for i in self.items],
        }

    def content_hash(self) -> str:
        canonical = json.dumps(self.definition(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class DisabledInstrument:
    source_file: str
    reason: str


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


def _text(path, data: dict, key: str, required: bool = True, where: str = "") -> str:
    name = f"{where}.{key}" if where else key
    value = data.get(key)
    if value is None:
        if required:
            raise InstrumentError(path, name, "is missing")
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise InstrumentError(path, name, "must be non-empty text")
    if len(value) > MAX_TEXT:
        raise InstrumentError(path, name, f"is longer than {MAX_TEXT} characters")
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
    return tuple(parsed)


def _items(path, data: dict, guidance: str | None) -> tuple[Item, ...]:
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
        item = Item(
            id=item_id,
            text=_text(path, raw, "text", where=where),
            quote=_text(path, raw, "quote", where=where),
            measures=_text(path, raw, "measures", where=where),
        )
        if not quote_in_guidance(item.quote, guidance):
            raise InstrumentError(path, f"{where}.quote", f"is not in the guidance: '{item.quote[:80]}'")
        problem = quote_problem(item.quote, item.measures)
        if problem:
            raise InstrumentError(path, f"{where}.quote", problem)
        parsed.append(item)
    return tuple(parsed)


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
    return Instrument(
        id=instrument_id,
        version=version,
        title=_text(path, data, "title"),
        description=_text(path, data, "description", required=False),
        respondent=tuple(respondent),
        about=about,
        measures=_text(path, data, "measures"),
        scale=_scale(path, data),
        items=_items(path, data, guidance),
        source_file=str(path),
        shipped=shipped,
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
    shipped_dir: Path = SHIPPED_INSTRUMENTS_DIR, program_dir: Path | None = None, guidance: str | None = None
) -> Catalogue:
    """Shipped files must all be valid (else InstrumentError); a bad program file is only disabled."""
    instruments: list[Instrument] = []
    for path in sorted(Path(shipped_dir).glob("*.toml")):
        instruments.append(load_instrument(path, shipped=True, guidance=guidance))
    _refuse_duplicate_ids(instruments)
    disabled: list[DisabledInstrument] = []
    if program_dir is not None and Path(program_dir).is_dir():
        for path in sorted(Path(program_dir).glob("*.toml")):
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
