"""Instrument versions in the database: rewording needs a new version, and old wording stays readable."""

from dataclasses import replace
from datetime import datetime

import pytest

from analytics.instruments import Catalogue, DisabledInstrument, Instrument, InstrumentError, load_catalogue
from analytics.registry import register_catalogue, stored_definition

NOW = datetime(2026, 11, 26, 10, 30)
LATER = datetime(2027, 2, 1, 9, 0)


def _versions(store) -> list[tuple[str, int]]:
    return store.query_all("SELECT instrument_id, version FROM instrument_versions ORDER BY ALL")


def _reworded(instrument: Instrument, **changes) -> Instrument:
    first = instrument.items[0]
    items = (replace(first, text=first.text + " (reworded)"),) + instrument.items[1:]
    return replace(instrument, items=items, **changes)


def _with(catalogue: Catalogue, changed: Instrument) -> Catalogue:
    return Catalogue(tuple(changed if i.id == changed.id else i for i in catalogue.instruments), catalogue.disabled)


def test_each_instrument_version_is_recorded_once(store):
    shipped = load_catalogue()
    first = register_catalogue(store, shipped, NOW)
    again = register_catalogue(store, shipped, LATER)
    expected = sorted((i.id, i.version) for i in shipped.instruments)
    assert _versions(store) == expected
    assert first.instruments == shipped.instruments == again.instruments
    registered_at = {row[0] for row in store.query_all("SELECT registered_at FROM instrument_versions")}
    assert registered_at == {NOW}


def test_the_stored_definition_is_the_instrument_as_loaded(store):
    catalogue = register_catalogue(store, load_catalogue(), NOW)
    for instrument in catalogue.instruments:
        definition = stored_definition(store, instrument.id, instrument.version)
        assert definition == instrument.definition()
        assert [item["id"] for item in definition["items"]] == [item.id for item in instrument.items]


def test_stored_definition_of_an_unknown_version_is_none(store):
    register_catalogue(store, load_catalogue(), NOW)
    assert stored_definition(store, "mentee-self", 99) is None
    assert stored_definition(store, "no-such-instrument", 1) is None


def test_a_shipped_instrument_reworded_without_a_new_version_stops_start_up(store):
    shipped = load_catalogue()
    register_catalogue(store, shipped, NOW)
    changed = _reworded(shipped.get("mentee-self"))
    with pytest.raises(InstrumentError) as raised:
        register_catalogue(store, _with(shipped, changed), LATER)
    assert raised.value.field == "version"
    assert "'version'" in str(raised.value)
    assert "mentee-self.toml" in str(raised.value)
    assert _versions(store) == sorted((i.id, i.version) for i in shipped.instruments)  # nothing new stored


@pytest.mark.parametrize(
    "change",
    [
        lambda i: replace(i, title=i.title + "!"),
        lambda i: replace(i, scale=(replace(i.scale[0], label="Never"),) + i.scale[1:]),
        lambda i: replace(i, items=i.items[:-1]),
    ],
    ids=["title", "scale-label", "item-removed"],
)
def test_any_change_to_the_definition_needs_a_new_version(store, change):
    shipped = load_catalogue()
    register_catalogue(store, shipped, NOW)
    with pytest.raises(InstrumentError):
        register_catalogue(store, _with(shipped, change(shipped.get("mentor-self"))), LATER)


def test_a_new_version_registers_and_the_old_wording_stays_readable(store):
    shipped = load_catalogue()
    register_catalogue(store, shipped, NOW)
    old = shipped.get("mentee-self")
    new = _reworded(old, version=old.version + 1)

    result = register_catalogue(store, _with(shipped, new), LATER)

    assert result.get("mentee-self").version == old.version + 1
    assert ("mentee-self", old.version) in _versions(store)
    assert ("mentee-self", old.version + 1) in _versions(store)
    old_definition = stored_definition(store, "mentee-self", old.version)
    new_definition = stored_definition(store, "mentee-self", old.version + 1)
    assert old_definition["items"][0]["text"] == old.items[0].text
    assert new_definition["items"][0]["text"] == old.items[0].text + " (reworded)"
    # registering the new catalogue again is quiet
    register_catalogue(store, _with(shipped, new), LATER)
    assert _versions(store).count(("mentee-self", old.version + 1)) == 1


def test_going_back_to_an_older_version_is_refused(store):
    shipped = load_catalogue()
    old = shipped.get("mentee-self")
    register_catalogue(store, _with(shipped, _reworded(old, version=old.version + 1)), NOW)
    with pytest.raises(InstrumentError) as raised:
        register_catalogue(store, shipped, LATER)
    assert raised.value.field == "version"


def test_a_program_instrument_reworded_without_a_new_version_is_disabled(store):
    shipped = load_catalogue()
    program_own = replace(shipped.get("process-steps"), id="program-steps", shipped=False, source_file="/x/program-steps.toml")
    first = Catalogue(shipped.instruments + (program_own,))
    register_catalogue(store, first, NOW)

    result = register_catalogue(store, Catalogue(shipped.instruments + (_reworded(program_own),)), LATER)

    assert "program-steps" not in [i.id for i in result.instruments]
    assert {i.id for i in result.instruments} == {i.id for i in shipped.instruments}
    [disabled] = result.disabled
    assert disabled.source_file == "/x/program-steps.toml"
    assert "program-steps.toml" in disabled.reason
    assert "'version'" in disabled.reason
    # the registered wording is unchanged
    assert stored_definition(store, "program-steps", 1) == program_own.definition()


def test_disabled_files_from_loading_are_kept(store):
    shipped = load_catalogue()
    earlier = DisabledInstrument("/x/bad.toml", "bad.toml: field 'title': is missing")
    result = register_catalogue(store, Catalogue(shipped.instruments, (earlier,)), NOW)
    assert result.disabled == (earlier,)
