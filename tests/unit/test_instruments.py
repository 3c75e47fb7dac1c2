"""Instruments as data: the shipped files, and how malformed files are reported."""

import json
from pathlib import Path

import pytest

from analytics.guidance import normalise, quote_in_guidance
from analytics.instruments import InstrumentError, load_catalogue, load_instrument
from analytics.paths import SHIPPED_INSTRUMENTS_DIR

SHIPPED_FILES = sorted(SHIPPED_INSTRUMENTS_DIR.glob("*.toml"))

# Each quality the guidance names, by item id, with the guidance's words for it.
GOOD_MENTEE = {
    "positive-attitude": "positive and enthusiastic attitude",
    "academic-growth": "interested in academic growth",
    "willing-to-learn": "willingness to learn",
    "receptive-to-feedback": "receptive to critical feedback",
    "learns-from-others": "learn from the experience and counsel of others",
    "asks-questions": "ask questions",
    "says-when-help-needed": "indicate when help is needed",
    "earns-benefits": "do not expect benefits that are not earned",
    "accepts-mentor-limits": "accept the strengths of their mentor along with their limitations",
}
GOOD_MENTOR = {
    "patient": "patient",
    "interested-in-teaching": "interested in teaching",
    "invested-in-goals": "invested in their mentee s goals",
    "field-expertise": "expert in their field",
    "open-communication": "encourages open communication",
    "structured-learning": "provides structured learning opportunities",
    "career-development": "facilitates career and personal development",
    "personal-development": "facilitates career and personal development",
}
PROCESS_STEPS = {
    "shared-interests": "identifying shared interests goals strengths and needs",
    "ground-rules": "setting ground rules and mutual expectations",
    "planned-meetings": "planning meetings with clear agendas",
    "goals-tracked": "defining goals and ways to track progress",
    "bidirectional-feedback": "having ongoing bi directional feedback",
}


# ---------------------------------------------------------------- writing instrument files


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    raise TypeError(value)


def valid_instrument(instrument_id: str = "program-extra") -> dict:
    return {
        "id": instrument_id,
        "version": 1,
        "title": "A program's own questions",
        "description": "Added by the program.",
        "respondent": ["fellow"],
        "about": "self",
        "measures": "good-mentee qualities",
        "scale": {
            "points": [{"value": 1, "label": "Rarely"}, {"value": 2, "label": "Sometimes"}, {"value": 3, "label": "Often"}]
        },
        "items": [
            {
                "id": "asks-questions",
                "text": "I ask questions.",
                "quote": "learn from the experience and counsel of others, ask questions",
                "measures": "Asks questions",
            },
            {
                "id": "says-when-help-needed",
                "text": "I say when I need help.",
                "quote": "indicate when help is needed",
                "measures": "Indicates when help is needed",
            },
        ],
    }


def broken_instrument(break_it, instrument_id: str = "program-extra") -> dict:
    document = valid_instrument(instrument_id)
    break_it(document)
    return document


def write_instrument(directory: Path, name: str, document: dict) -> Path:
    path = directory / name
    path.write_text("\n".join(f"{key} = {_toml(value)}" for key, value in document.items()) + "\n", encoding="utf-8")
    return path


def instrument_folder(directory: Path, documents: dict[str, dict]) -> Path:
    """A new directory holding each document as the file it is keyed by."""
    directory.mkdir()
    for name, document in documents.items():
        write_instrument(directory, name, document)
    return directory


def assert_names(error: InstrumentError, file_name: str, field: str) -> None:
    assert error.field == field
    message = str(error)
    assert file_name in message
    assert f"'{field}'" in message


# ---------------------------------------------------------------- the shipped instruments


def test_the_app_ships_instruments():
    assert len(SHIPPED_FILES) >= 5


@pytest.mark.parametrize("path", SHIPPED_FILES, ids=lambda p: p.name)
def test_every_shipped_instrument_loads(path):
    instrument = load_instrument(path)
    assert instrument.items
    assert instrument.min_rating < instrument.max_rating
    assert len({item.id for item in instrument.items}) == len(instrument.items)


@pytest.mark.parametrize("path", SHIPPED_FILES, ids=lambda p: p.name)
def test_every_item_quote_is_in_the_guidance(path):
    for item in load_instrument(path).items:
        assert quote_in_guidance(item.quote), (path.name, item.id, item.quote)


def test_the_shipped_catalogue_has_the_instruments_the_design_names():
    catalogue = load_catalogue()
    ids = {instrument.id for instrument in catalogue.instruments}
    assert {"mentee-self", "mentee-by-mentor", "mentor-self", "mentor-by-mentee", "process-steps"} <= ids
    assert catalogue.disabled == ()


@pytest.mark.parametrize(
    ("instrument_id", "qualities", "respondent", "about"),
    [
        ("mentee-self", GOOD_MENTEE, ("fellow",), "self"),
        ("mentee-by-mentor", GOOD_MENTEE, ("mentor",), "mentee"),
        ("mentor-self", GOOD_MENTOR, ("mentor",), "self"),
        ("mentor-by-mentee", GOOD_MENTOR, ("fellow",), "mentor"),
        ("process-steps", PROCESS_STEPS, ("fellow", "mentor"), "pair"),
    ],
)
def test_instrument_covers_the_guidance_qualities(instrument_id, qualities, respondent, about):
    instrument = load_catalogue().get(instrument_id)
    assert {item.id for item in instrument.items} == set(qualities)
    assert set(instrument.respondent) == set(respondent)
    assert instrument.about == about
    for item in instrument.items:
        # the item quotes the sentence that names its quality
        assert qualities[item.id] in normalise(item.quote), item.id


@pytest.mark.parametrize(("first", "second"), [("mentee-self", "mentee-by-mentor"), ("mentor-self", "mentor-by-mentee")])
def test_paired_instruments_share_item_ids_and_scale(first, second):
    catalogue = load_catalogue()
    one, other = catalogue.get(first), catalogue.get(second)
    assert [item.id for item in one.items] == [item.id for item in other.items]
    assert [p.value for p in one.scale] == [p.value for p in other.scale]


# ---------------------------------------------------------------- malformed files


def _drop_item_quote(document):
    del document["items"][1]["quote"]


def _duplicate_item_id(document):
    document["items"][1]["id"] = document["items"][0]["id"]


def _unlabelled_point(document):
    del document["scale"]["points"][1]["label"]


def _blank_label(document):
    document["scale"]["points"][2]["label"] = "  "


def _quote_not_in_guidance(document):
    document["items"][0]["quote"] = "A good mentee always brings coffee."


def _one_word_quote(document):
    document["items"][0]["quote"] = "the"  # in the guidance, but no phrase of it


def _quote_of_another_quality(document):
    # A whole sentence of the guidance, but about a good mentor: nothing of "Asks questions" is in it.
    document["items"][0]["quote"] = (
        "A good mentor is patient, interested in teaching, and genuinely invested in their mentee's goals."
    )


def _gap_in_scale(document):
    document["scale"]["points"][2]["value"] = 4


def _descending_scale(document):
    document["scale"]["points"].reverse()


def _unknown_item_field(document):
    document["items"][0]["colour"] = "red"


MALFORMED = [
    ("missing-title", lambda d: d.pop("title"), "title"),
    ("missing-items", lambda d: d.pop("items"), "items"),
    ("missing-measures", lambda d: d.pop("measures"), "measures"),
    ("blank-title", lambda d: d.update(title="   "), "title"),
    ("item-without-quote", _drop_item_quote, "items[1].quote"),
    ("duplicate-item-id", _duplicate_item_id, "items[1].id"),
    ("scale-point-without-label", _unlabelled_point, "scale.points[1].label"),
    ("scale-point-blank-label", _blank_label, "scale.points[2].label"),
    ("quote-not-in-guidance", _quote_not_in_guidance, "items[0].quote"),
    ("quote-of-one-word", _one_word_quote, "items[0].quote"),
    ("quote-without-the-measures-words", _quote_of_another_quality, "items[0].quote"),
    ("scale-with-a-gap", _gap_in_scale, "scale.points"),
    ("scale-highest-first", _descending_scale, "scale.points"),
    ("unknown-field", lambda d: d.update(colour="blue"), "colour"),
    ("unknown-item-field", _unknown_item_field, "items[0].colour"),
    ("respondent-not-allowed-for-about", lambda d: d.update(about="mentee", respondent=["fellow"]), "respondent"),
    ("unknown-about", lambda d: d.update(about="everyone"), "about"),
    ("version-zero", lambda d: d.update(version=0), "version"),
    ("version-as-text", lambda d: d.update(version="2"), "version"),
    ("id-not-a-slug", lambda d: d.update(id="Mentee Self"), "id"),
]


@pytest.mark.parametrize(("case", "break_it", "field"), MALFORMED, ids=[case for case, _, _ in MALFORMED])
def test_malformed_file_names_the_file_and_field(tmp_path, case, break_it, field):
    path = write_instrument(tmp_path, f"{case}.toml", broken_instrument(break_it))
    with pytest.raises(InstrumentError) as raised:
        load_instrument(path)
    assert_names(raised.value, f"{case}.toml", field)


def test_the_valid_template_itself_loads(tmp_path):
    # so the failures above come from the one change each makes
    instrument = load_instrument(write_instrument(tmp_path, "fine.toml", valid_instrument()))
    assert [item.id for item in instrument.items] == ["asks-questions", "says-when-help-needed"]
    assert [(p.value, p.label) for p in instrument.scale] == [(1, "Rarely"), (2, "Sometimes"), (3, "Often")]


def test_invalid_toml_names_the_file(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('id = "broken"\nversion = \ntitle = "no closing quote\n', encoding="utf-8")
    with pytest.raises(InstrumentError) as raised:
        load_instrument(path)
    assert_names(raised.value, "broken.toml", "(file)")
    assert "TOML" in str(raised.value)


def test_a_file_that_is_not_utf8_names_the_file(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes('title = "Caf\u00e9"\n'.encode("latin-1"))
    with pytest.raises(InstrumentError) as raised:
        load_instrument(path)
    assert "latin1.toml" in str(raised.value)


# ---------------------------------------------------------------- the catalogue: shipped and program files


def test_a_bad_shipped_file_stops_the_catalogue(tmp_path):
    shipped = instrument_folder(
        tmp_path / "shipped",
        {"good.toml": valid_instrument("good-one"), "bad.toml": broken_instrument(lambda d: d.pop("title"), "bad-one")},
    )
    with pytest.raises(InstrumentError) as raised:
        load_catalogue(shipped_dir=shipped)
    assert_names(raised.value, "bad.toml", "title")


def test_two_shipped_files_with_one_id_stop_the_catalogue(tmp_path):
    write_instrument(tmp_path, "a.toml", valid_instrument("same-id"))
    write_instrument(tmp_path, "b.toml", valid_instrument("same-id"))
    with pytest.raises(InstrumentError) as raised:
        load_catalogue(shipped_dir=tmp_path)
    assert_names(raised.value, "b.toml", "id")
    assert "a.toml" in str(raised.value)


def test_a_bad_program_file_disables_only_itself(tmp_path):
    program = instrument_folder(
        tmp_path / "program",
        {
            "extra.toml": valid_instrument("program-extra"),
            "broken.toml": broken_instrument(
                lambda d: d["items"][0].update(quote="Mentees should bring coffee."), "program-broken"
            ),
        },
    )

    catalogue = load_catalogue(shipped_dir=SHIPPED_INSTRUMENTS_DIR, program_dir=program)

    ids = [instrument.id for instrument in catalogue.instruments]
    assert "program-extra" in ids
    assert "program-broken" not in ids
    assert {"mentee-self", "mentor-self", "process-steps"} <= set(ids)
    assert not catalogue.get("program-extra").shipped
    assert catalogue.get("mentee-self").shipped
    [disabled] = catalogue.disabled
    assert Path(disabled.source_file).name == "broken.toml"
    assert "broken.toml" in disabled.reason
    assert "items[0].quote" in disabled.reason
    assert "guidance" in disabled.reason


def test_a_program_file_that_is_not_toml_is_disabled(tmp_path):
    (tmp_path / "garbage.toml").write_text("this is = = not toml", encoding="utf-8")
    catalogue = load_catalogue(shipped_dir=SHIPPED_INSTRUMENTS_DIR, program_dir=tmp_path)
    assert [Path(d.source_file).name for d in catalogue.disabled] == ["garbage.toml"]
    assert len(catalogue.instruments) == len(SHIPPED_FILES)


def test_a_program_file_reusing_a_shipped_id_is_disabled(tmp_path):
    write_instrument(tmp_path, "my-mentee-self.toml", valid_instrument("mentee-self"))
    catalogue = load_catalogue(shipped_dir=SHIPPED_INSTRUMENTS_DIR, program_dir=tmp_path)
    [disabled] = catalogue.disabled
    assert "my-mentee-self.toml" in disabled.reason
    assert "mentee-self" in disabled.reason
    # the shipped one is still the one offered
    offered = [i for i in catalogue.instruments if i.id == "mentee-self"]
    assert len(offered) == 1
    assert offered[0].shipped
    assert len(offered[0].items) == 9


def test_a_missing_program_folder_is_no_error(tmp_path):
    catalogue = load_catalogue(shipped_dir=SHIPPED_INSTRUMENTS_DIR, program_dir=tmp_path / "absent")
    assert len(catalogue.instruments) == len(SHIPPED_FILES)
    assert catalogue.disabled == ()


def test_an_id_with_a_trailing_newline_is_not_a_slug(tmp_path):
    write_instrument(tmp_path, "sneaky.toml", valid_instrument("mentee-self\n"))
    catalogue = load_catalogue(shipped_dir=SHIPPED_INSTRUMENTS_DIR, program_dir=tmp_path)
    assert [Path(d.source_file).name for d in catalogue.disabled] == ["sneaky.toml"]


@pytest.mark.parametrize(
    ("quote", "reason"),
    [
        ("the", "at least 5 words"),
        ("ask questions", "at least 5 words"),
        ("A good mentor is patient, interested in teaching", "'asks', 'questions'"),
    ],
)
def test_a_quote_must_be_a_phrase_that_holds_the_measures_words(tmp_path, quote, reason):
    document = valid_instrument()
    document["items"][0]["quote"] = quote
    with pytest.raises(InstrumentError) as raised:
        load_instrument(write_instrument(tmp_path, "short.toml", document))
    assert_names(raised.value, "short.toml", "items[0].quote")
    assert reason in str(raised.value)


def test_a_program_file_with_a_one_word_quote_is_disabled_not_fatal(tmp_path):
    broken = valid_instrument("program-one-word")
    broken["items"][1]["quote"] = "the"
    write_instrument(tmp_path, "one-word.toml", broken)
    catalogue = load_catalogue(shipped_dir=SHIPPED_INSTRUMENTS_DIR, program_dir=tmp_path)
    assert [Path(d.source_file).name for d in catalogue.disabled] == ["one-word.toml"]
    assert "items[1].quote" in catalogue.disabled[0].reason
    assert len(catalogue.instruments) == len(SHIPPED_FILES)


# ---------------------------------------------------------------- a program's own instrument


def cited_instrument(instrument_id: str = "program-mca") -> dict:
    """A program instrument that cites its own source, with subscales and a 7-point scale."""
    return {
        "id": instrument_id,
        "version": 1,
        "title": "Mentoring competencies",
        "respondent": ["fellow"],
        "about": "mentor",
        "measures": "mentoring competencies",
        "source": "Fleming et al. 2013, MCA",
        "cadence": "yearly",
        "cohorts": ["2025 intake"],
        "scale": {"points": [{"value": v, "label": f"Point {v}"} for v in range(1, 8)]},
        "items": [
            {"id": "listens", "text": "My mentor listens.", "measures": "Listens", "subscale": "Communication"},
            {
                "id": "sets-expectations",
                "text": "My mentor sets expectations with me.",
                "measures": "Sets expectations",
                "subscale": "Aligning expectations",
                "reference": "Aligning expectations, item 1",
            },
        ],
    }


def test_a_program_instrument_cites_its_own_source(tmp_path):
    instrument = load_instrument(write_instrument(tmp_path, "mca.toml", cited_instrument()), shipped=False)
    assert instrument.source == "Fleming et al. 2013, MCA"
    assert [item.quote for item in instrument.items] == ["", ""]
    assert instrument.subscales == ("Communication", "Aligning expectations")
    assert instrument.row_order() == ["listens", "subscale:Communication", "sets-expectations", "subscale:Aligning expectations"]
    assert instrument.row_label("subscale:Communication") == "Communication (subscale mean)"
    assert instrument.origin_of(instrument.items[1]) == "From Fleming et al. 2013, MCA, Aligning expectations, item 1"
    assert (instrument.min_rating, instrument.max_rating) == (1, 7)
    assert (instrument.cadence, instrument.cohorts) == ("yearly", ("2025 intake",))
    assert instrument.definition()["source"] == "Fleming et al. 2013, MCA"
    assert instrument.definition()["items"][1]["subscale"] == "Aligning expectations"


def test_a_zero_based_eleven_point_scale_loads(tmp_path):
    document = cited_instrument()
    document["scale"]["points"] = [{"value": v, "label": str(v)} for v in range(0, 11)]
    instrument = load_instrument(write_instrument(tmp_path, "nps.toml", document), shipped=False)
    assert (instrument.min_rating, instrument.max_rating, len(instrument.scale)) == (0, 10, 11)


def test_new_fields_left_out_keep_the_shipped_definitions_as_they_were():
    # A database registered before subscales and sources existed must not see a changed wording.
    for path in SHIPPED_FILES:
        definition = load_instrument(path).definition()
        assert set(definition) == {"id", "version", "title", "description", "respondent", "about", "measures", "scale", "items"}
        assert all(set(item) == {"id", "text", "quote", "measures"} for item in definition["items"])


def _item(index, **changes):
    def change(document):
        document["items"][index].update(changes)

    return change


def _points(values):
    def change(document):
        document["scale"]["points"] = [{"value": v, "label": f"Point {v}"} for v in values]

    return change


CITED_MALFORMED = [
    ("blank-source", lambda d: d.update(source="  "), "source"),
    ("source-not-text", lambda d: d.update(source=3), "source"),
    ("subscale-not-text", _item(0, subscale=2), "items[0].subscale"),
    ("subscale-too-long", _item(0, subscale="x" * 81), "items[0].subscale"),
    ("reference-blank", _item(1, reference=" "), "items[1].reference"),
    (
        "reference-without-source",
        lambda d: (
            d.pop("source"),
            d["items"][0].update(quote="indicate when help is needed", measures="Indicates when help is needed"),
        ),
        "items[1].reference",
    ),
    ("item-without-quote-or-source", lambda d: (d.pop("source"), d["items"][1].pop("reference")), "items[0].quote"),
    ("twelve-points", _points(range(1, 13)), "scale.points"),
    ("one-point", _points([1]), "scale.points"),
    ("starts-at-two", _points(range(2, 7)), "scale.points"),
    ("negative-scale", _points(range(-3, 4)), "scale.points"),
    ("unknown-cadence", lambda d: d.update(cadence="monthly"), "cadence"),
    ("pair-cadence-on-self", lambda d: d.update(about="self", respondent=["fellow"], cadence="pair-start-end"), "cadence"),
    ("cohorts-not-a-list", lambda d: d.update(cohorts="2025 intake"), "cohorts"),
    ("blank-cohort", lambda d: d.update(cohorts=["2025 intake", " "]), "cohorts"),
]


@pytest.mark.parametrize(("case", "break_it", "field"), CITED_MALFORMED, ids=[case for case, _, _ in CITED_MALFORMED])
def test_a_malformed_program_instrument_names_the_file_and_field(tmp_path, case, break_it, field):
    document = cited_instrument()
    break_it(document)
    path = write_instrument(tmp_path, f"{case}.toml", document)
    with pytest.raises(InstrumentError) as raised:
        load_instrument(path, shipped=False)
    assert_names(raised.value, f"{case}.toml", field)


def test_a_shipped_instrument_may_not_cite_a_source_instead_of_the_guidance(tmp_path):
    path = write_instrument(tmp_path, "shipped.toml", cited_instrument())
    with pytest.raises(InstrumentError) as raised:
        load_instrument(path, shipped=True)
    assert_names(raised.value, "shipped.toml", "source")


def test_a_program_instrument_with_a_bad_cadence_is_disabled_with_the_reason(tmp_path):
    document = cited_instrument()
    document["cadence"] = "fortnightly"
    program = instrument_folder(tmp_path / "program", {"mca.toml": document})
    catalogue = load_catalogue(program_dir=program)
    assert "program-mca" not in [i.id for i in catalogue.instruments]
    [disabled] = catalogue.disabled
    assert "mca.toml" in disabled.reason and "'cadence'" in disabled.reason


def test_program_instruments_from_several_folders(tmp_path):
    first = instrument_folder(tmp_path / "demo", {"mca.toml": cited_instrument("program-mca")})
    second = instrument_folder(tmp_path / "own", {"extra.toml": valid_instrument("program-extra")})
    ids = [i.id for i in load_catalogue(program_dir=[first, second]).instruments]
    assert {"program-mca", "program-extra"} <= set(ids)
