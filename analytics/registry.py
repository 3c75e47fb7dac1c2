"""Instrument versions in the database: a file whose wording changed must carry a new version."""

import json
from datetime import datetime

from analytics.changes import EVERYTHING
from analytics.instruments import Catalogue, DisabledInstrument, Instrument, InstrumentError
from analytics.store import Store


def register_catalogue(store: Store, catalogue: Catalogue, now: datetime) -> Catalogue:
    """Record each instrument version the first time it is seen, and refuse silent rewording.

    A shipped file that changed without a new version raises InstrumentError (start-up stops);
    a program's own file in that state is disabled, with the reason kept for directors.
    """
    registered = {
        (row[0], row[1]): row[2]
        for row in store.query_all("SELECT instrument_id, version, content_hash FROM instrument_versions")
    }
    newest: dict[str, int] = {}
    for instrument_id, version in registered:
        newest[instrument_id] = max(version, newest.get(instrument_id, 0))
    keep: list[Instrument] = []
    disabled: list[DisabledInstrument] = []
    fresh: list[Instrument] = []
    for instrument in catalogue.instruments:
        problem = _version_problem(instrument, registered, newest)
        if problem is None:
            keep.append(instrument)
            if (instrument.id, instrument.version) not in registered:
                fresh.append(instrument)
            continue
        error = InstrumentError(instrument.source_file, "version", problem)
        if instrument.shipped:
            raise error
        disabled.append(DisabledInstrument(instrument.source_file, str(error)))
    if fresh:
        store.write(
            lambda cur: cur.executemany(
                "INSERT INTO instrument_versions VALUES ($id, $version, $title, $about, $hash, $definition, $now)",
                [
                    {
                        "id": i.id,
                        "version": i.version,
                        "title": i.title,
                        "about": i.about,
                        "hash": i.content_hash(),
                        "definition": json.dumps(i.definition(), ensure_ascii=False),
                        "now": now,
                    }
                    for i in fresh
                ],
            ),
            touches=EVERYTHING,  # every page of every program may show the new version
        )
    return Catalogue(tuple(keep), catalogue.disabled + tuple(disabled))


def _version_problem(instrument: Instrument, registered: dict, newest: dict) -> str | None:
    stored_hash = registered.get((instrument.id, instrument.version))
    if stored_hash is not None and stored_hash != instrument.content_hash():
        return (
            f"the wording or scale changed but the version is still {instrument.version}; "
            f"raise it to {newest[instrument.id] + 1} so stored answers keep the wording they answered"
        )
    if stored_hash is None and newest.get(instrument.id, 0) > instrument.version:
        return f"version {instrument.version} is older than version {newest[instrument.id]} already in the database"
    return None


def stored_definition(store: Store, instrument_id: str, version: int) -> dict | None:
    """The wording an old answer was given to, even after the file moved on."""
    row = store.query_one(
        "SELECT definition FROM instrument_versions WHERE instrument_id = $id AND version = $version",
        {"id": instrument_id, "version": version},
    )
    return json.loads(row[0]) if row else None


def registered_layout(store: Store, instrument_id: str) -> tuple[list[int], dict[str, str]]:
    """Every scale value any registered version of the instrument offers, lowest first, and each item's
    subscale as the newest version that has the item names it (items with none are left out).

    From the database, not the files: answers to an older version count with its scale and wording.
    """
    values: set[int] = set()
    subscales: dict[str, str] = {}
    for (definition,) in store.query_all(
        "SELECT definition FROM instrument_versions WHERE instrument_id = $id ORDER BY version", {"id": instrument_id}
    ):
        stored = json.loads(definition)
        values.update(int(point["value"]) for point in stored["scale"])
        for item in stored["items"]:
            if item.get("subscale"):
                subscales[item["id"]] = item["subscale"]
            else:
                subscales.pop(item["id"], None)
    return sorted(values), subscales
