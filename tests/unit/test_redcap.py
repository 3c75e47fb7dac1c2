"""REDCap in and out (issue 18): a data dictionary with every field type previewed, malformed files refused
with one sentence per problem, a confirmed form stored for its own program only, and the demo exported as
REDCap files that read back to the same items and scales."""

import csv
import io
import re
from pathlib import Path

import pytest

from analytics import redcap, redcap_export
from analytics.errors import AccessDenied, InputError
from analytics.instruments import load_catalogue
from analytics.people import Viewer
from analytics.program_settings import program_catalogue
from analytics.redcap import DictionaryError, confirm_import, read_dictionary, with_program_instruments
from demo import DEMO_INSTRUMENTS_DIR
from tests.conftest import NOW

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "redcap" / "every_field_type.csv"
KEY = "a secret of at least sixteen characters"


def preview(data: bytes | None = None, name: str = "every_field_type.csv"):
    return read_dictionary(FIXTURE.read_bytes() if data is None else data, name)


def problems(data: bytes) -> list[str]:
    with pytest.raises(DictionaryError) as refused:
        read_dictionary(data, "bad.csv")
    assert all(problem.strip() and problem.rstrip().endswith((".", ")")) for problem in refused.value.problems)
    return refused.value.problems


def test_every_field_type_becomes_an_item_or_a_refusal_with_its_reason():
    forms = {form.form: form for form in preview().forms}
    review = forms["mentor_review"].instrument()
    assert review.id == "mentor-review" and review.title == "Mentor review" and review.source == "every_field_type.csv"
    assert [(p.value, p.label) for p in review.scale] == [
        (1, "Strongly disagree"),
        (2, "Disagree"),
        (3, "Neutral"),
        (4, "Agree"),
        (5, "Strongly agree"),
    ]
    assert [item.id for item in review.items] == ["comm-listens", "comm-explains", "exp-agreed", "exp-revisit", "overall"]
    assert review.subscales == ("Communication", "Expectations")  # matrix groups, named by their section headers
    assert [item.subscale for item in review.items] == ["Communication"] * 2 + ["Expectations"] * 2 + [""]
    assert review.item("comm-listens").measures == "Listens"  # the field note
    assert review.item("comm-explains").text == "My mentor explains <b>clearly</b>."  # kept as the text it is
    assert review.item("exp-agreed").text.startswith("=HYPERLINK(")
    assert review.item("overall").reference == "REDCap variable overall"
    reasons = {r.variable: r.reason for r in forms["mentor_review"].refusals}
    assert list(reasons) == [
        "record_id", "review_date", "meets_often", "confidence", "tenpoint", "why", "score", "upload", "intro",
        "topics", "follow_up", "gap_codes", "from_two", "is_true",
    ]  # fmt: skip
    assert "record id" in reasons["record_id"]
    assert "text box" in reasons["review_date"] and "notes box" in reasons["why"]
    assert "calculated" in reasons["score"] and "file upload" in reasons["upload"] and "descriptive" in reasons["intro"]
    assert "several answers" in reasons["topics"] and "branching logic" in reasons["follow_up"]
    assert "not consecutive" in reasons["gap_codes"] and "start at 2" in reasons["from_two"]
    assert "101 points" in reasons["confidence"]
    assert "is not the form's" in reasons["meets_often"] and "is not the form's" in reasons["is_true"]
    assert "1 Poor, 2 2, 3 3, 4 4, 5 Excellent" in reasons["tenpoint"]  # a 1-5 slider is a scale, just not this form's

    quick = forms["quick_check"].instrument("mentor-self")
    assert [(p.value, p.label) for p in quick.scale] == [(0, "No"), (1, "Yes")]  # yes/no: two points
    assert [item.id for item in quick.items] == ["tf-two", "tf-three"] and quick.respondent == ("mentor",)
    assert [r.variable for r in forms["quick_check"].refusals] == ["tf_one"]  # true/false: its own two points
    assert not forms["notes_only"].importable and forms["notes_only"].problem == "none of its fields can be rated"


def test_a_slider_with_a_small_range_and_a_form_of_true_false_fields_are_scales():
    rows = [
        redcap.HEADERS,
        ["record_id", "a_form", "", "text", "ID"] + [""] * 13,
        ["how_much", "a_form", "", "slider", "How much?", "None | Some | All", "", "", "1", "5"] + [""] * 8,
        ["true_one", "b_form", "", "truefalse", "True?"] + [""] * 13,
    ]
    forms = {form.form: form for form in preview(_csv(rows)).forms}
    slider = forms["a_form"].instrument()
    assert [(p.value, p.label) for p in slider.scale] == [(1, "None"), (2, "2"), (3, "Some"), (4, "4"), (5, "All")]
    assert [(p.value, p.label) for p in forms["b_form"].instrument().scale] == [(0, "False"), (1, "True")]


def test_older_headers_and_the_apis_field_names_are_read():
    older = [
        "Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label", "Choices OR Calculations",
        "Field Note", "Text Validation Type", "Text Validation Min", "Text Validation Max", "Identifier?",
        "Branching Logic (Show field only if...)", "Required Field?", "Custom Alignment", "Question Number (surveys only)",
    ]  # fmt: skip
    api = ["field_name", "form_name", "section_header", "field_type", "field_label", "select_choices_or_calculations"]
    for header in (older, api):
        rows = [header, ["record_id", "old_form", "", "text", "ID"] + [""] * (len(header) - 5)]
        rows.append(["rated", "old_form", "", "radio", "Rated", "0, Low | 1, Mid | 2, High"] + [""] * (len(header) - 6))
        form = preview(_csv(rows)).forms[0]
        assert [item.id for item in form.instrument().items] == ["rated"], header[5]


def _csv(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def test_malformed_files_get_one_sentence_per_problem():
    good = FIXTURE.read_bytes()
    wrong_columns = problems(b"name,email,roles\nAda,ada@x.org,fellow\n")
    assert wrong_columns[0].startswith("The header lacks 'Variable / Field Name', 'Form Name', 'Field Type', 'Field Label'")
    assert "The column 'email' is not one of a REDCap data dictionary's." in wrong_columns
    bad_choices = problems(good.replace(b"1, Career | 2, Research", b"Career | Research"))
    assert bad_choices == ["Line 16 (topics): the choice 'Career' is not 'code, label'; write them as '1, Never | 2, Often'."]
    twice = problems(good.replace(b"1, Low | 3, Mid | 5, High", b"1, Low | 1, Mid | 5, High"))
    assert twice == ["Line 18 (gap_codes): the choice code '1' appears twice."]
    duplicate = problems(good.replace(b"\ncomm_explains,", b"\ncomm_listens,"))
    assert duplicate == ["Line 5: the variable name 'comm_listens' is already used on line 4."]
    assert problems(good.replace(b",yesno,", b",stars,"))[0].startswith("Line 9: the field type 'stars' is not one of REDCap's")
    assert problems(good.replace(b"\nreview_date,", b"\nReview Date,"))[0].startswith(
        "Line 3: 'Review Date' is not a REDCap variable name"
    )
    junk = problems(b"x" * (10 * 1024 * 1024))
    assert len(junk) == 1 and "10.0 MB" in junk[0]
    for encoded in (good.decode("utf-8").replace("Neutral", "Neutre \u00e9").encode("latin-1"), good.decode().encode("utf-16")):
        assert len(problems(encoded)) == 1 and "not UTF-8" in problems(encoded)[0]
    assert (
        problems(b"\x00\x01PK\x03\x04")[0].startswith("The file is not a CSV text file")
        or "UTF-8" in problems(b"\x00\x01PK\x03\x04")[0]
    )
    assert problems(b"") == problems(b",,,\r\n\r\n") == ["The file is empty; a data dictionary starts with REDCap's header row."]
    multi_line_label = good.replace(b"My mentor listens to me.", b'"My mentor\nlistens to me."').replace(
        b"\ncomm_explains,", b"\ncomm_listens,"
    )
    assert problems(multi_line_label) == [
        "Line 6: the variable name 'comm_listens' is already used on line 4."
    ]  # lines as an editor counts them
    assert problems(good.splitlines()[0] + b"\n") == ["The file has REDCap's header but no fields under it."]
    short = problems(good.replace(b"\noverall,mentor_review,,dropdown,", b"\noverall,"))
    assert short[0].startswith("Line 8 has 15 cells but the header has 18")
    many = problems(good.replace(b",yesno,", b",stars,").replace(b",radio,", b",wheel,"))
    assert len(many) == 9  # every problem, each once


def director(store, program_id: int = 1) -> Viewer:
    person_id = store.query_one(
        "SELECT p.person_id FROM people p JOIN person_roles r USING (person_id) WHERE r.role = 'director' AND p.program_id = $p",
        {"p": program_id},
    )[0]
    return Viewer(person_id, "Director", program_id, frozenset({"director"}))


def second_program(store) -> Viewer:
    def add(cur):
        program_id = cur.execute(
            "INSERT INTO programs (name, created_at) VALUES ('Other', $now) RETURNING program_id", {"now": NOW}
        ).fetchone()[0]
        person_id = cur.execute(
            "INSERT INTO people (program_id, full_name, email, created_at) "
            "VALUES ($p, 'Other Director', 'od@x.org', $now) RETURNING person_id",
            {"p": program_id, "now": NOW},
        ).fetchone()[0]
        cur.execute("INSERT INTO person_roles VALUES ($id, 'director')", {"id": person_id})
        return Viewer(person_id, "Other Director", program_id, frozenset({"director"}))

    return store.write(add)


def test_a_confirmed_form_is_stored_for_its_own_program_only(demo_store):
    files = load_catalogue()
    boss = director(demo_store)
    fellow = Viewer(boss.person_id, "x", boss.program_id, frozenset({"fellow"}))
    with pytest.raises(AccessDenied):
        confirm_import(
            demo_store, files, fellow, FIXTURE.read_bytes(), "every_field_type.csv", "mentor_review", "fellow-self", NOW
        )
    with pytest.raises(InputError, match="cannot be imported: none of its fields can be rated"):
        confirm_import(demo_store, files, boss, FIXTURE.read_bytes(), "every_field_type.csv", "notes_only", "fellow-self", NOW)
    with pytest.raises(DictionaryError):
        confirm_import(demo_store, files, boss, b"junk", "x.csv", "mentor_review", "fellow-self", NOW)
    assert demo_store.query_one("SELECT count(*) FROM program_instruments")[0] == 0

    stored = confirm_import(
        demo_store,
        files,
        boss,
        FIXTURE.read_bytes(),
        "C:\\Users\\me\\every_field_type.csv",
        "mentor_review",
        "fellow-mentor",
        NOW,
    )
    assert (stored.id, stored.version, stored.source, stored.about) == ("mentor-review", 1, "every_field_type.csv", "mentor")
    catalogue = with_program_instruments(demo_store, files)
    assert catalogue.get("mentor-review") == stored and catalogue.get("mentor-review").program_id == boss.program_id
    assert "mentor-review" in [i.id for i in program_catalogue(demo_store, catalogue, boss.program_id).instruments]
    other = second_program(demo_store)
    assert "mentor-review" not in [i.id for i in program_catalogue(demo_store, catalogue, other.program_id).instruments]
    with pytest.raises(InputError, match="already exists"):  # the other program's form of the same name
        confirm_import(
            demo_store, catalogue, other, FIXTURE.read_bytes(), "every_field_type.csv", "mentor_review", "fellow-self", NOW
        )
    shipped_name = FIXTURE.read_bytes().replace(b"quick_check", b"mentee_self")
    with pytest.raises(InputError, match="'mentee-self' already exists"):  # a shipped instrument's id
        confirm_import(demo_store, catalogue, boss, shipped_name, "x.csv", "mentee_self", "fellow-self", NOW)
    assert demo_store.query_all(
        "SELECT instrument_id, version FROM instrument_versions WHERE instrument_id = 'mentor-review'"
    ) == [("mentor-review", 1)]


def test_a_stored_instrument_that_no_longer_loads_is_disabled_for_its_program(demo_store):
    boss = director(demo_store)
    confirm_import(demo_store, load_catalogue(), boss, FIXTURE.read_bytes(), "f.csv", "quick_check", "fellow-self", NOW)
    demo_store.write(lambda cur: cur.execute('UPDATE program_instruments SET definition = \'{"id": "quick-check"}\''))
    catalogue = with_program_instruments(demo_store, load_catalogue())
    assert "quick-check" not in [i.id for i in catalogue.instruments]
    assert [d.program_id for d in catalogue.disabled] == [boss.program_id] and "f.csv" in catalogue.disabled[0].reason


def test_the_demo_exported_to_redcap_reads_back_to_the_same_items_and_scales(demo_store, tmp_path):
    export = redcap_export.build_export(demo_store, 1, KEY)
    dictionary = redcap_export.to_csv(export.dictionary)
    catalogue = load_catalogue(program_dir=DEMO_INSTRUMENTS_DIR)
    forms = read_dictionary(dictionary, "data_dictionary.csv").forms
    assert {form.form for form in forms} == {i.id.replace("-", "_") for i in catalogue.instruments} & {f.form for f in forms}
    assert len(forms) >= 5
    for form in forms:
        original = catalogue.get(form.form.replace("_", "-"))
        again = form.instrument(redcap.who_of(original))
        assert [(p.value, p.label) for p in again.scale] == [(p.value, p.label) for p in original.scale], form.form
        assert sorted((i.id, i.text, i.measures, i.subscale) for i in again.items) == sorted(
            (i.id, i.text, i.measures, i.subscale) for i in original.items
        ), form.form
        assert (again.about, again.respondent) == (original.about, original.respondent)
        assert {r.variable for r in form.refusals} <= {"record_id", f"{form.form}__about"}


def test_the_records_are_pseudonymous_complete_and_without_free_text_unless_asked(demo_store):
    demo_store.write(
        lambda cur: cur.execute('UPDATE assessments SET comment = \'=HYPERLINK("http://x","y")\' WHERE assessment_id = 1')
    )
    export = redcap_export.build_export(demo_store, 1, KEY)
    records = export.records
    assert list(records.columns[:4]) == ["record_id", "redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance"]
    people = demo_store.query_all("SELECT person_id, full_name, email FROM people")
    text = b"".join(
        redcap_export.to_csv(frame) for frame in (export.records, export.dictionary, export.events, export.designation)
    ).decode()
    for person_id, name, email in people:
        assert name not in text and email not in text
        assert redcap_export.pseudonym(KEY, person_id) != redcap_export.pseudonym(KEY + "x", person_id)
    assert set(records["record_id"]) <= {redcap_export.pseudonym(KEY, p) for p, _, _ in people}
    assert "HYPERLINK" not in text and not [c for c in records.columns if c.endswith("__comment")]
    completes = [c for c in records.columns if c.endswith("_complete")]
    assert set(records[completes].stack().dropna().unique()) == {2}
    assert (records[completes].notna().sum(axis=1) >= 1).all()  # every row is some form, complete
    assert all(re.fullmatch(r"[a-z][a-z0-9_]{0,99}", name) for name in export.dictionary[redcap.HEADERS[0]])
    assert all(re.fullmatch(r"p\d{4}_\d\d_\d\d_arm_1", event) for event in records["redcap_event_name"])
    ratings = records[[c for c in records.columns if "__" in c and not c.endswith("__about")]]
    assert set(map(str, ratings.dtypes)) == {"Int64"}  # whole numbers, never "4.0"
    written = redcap_export.to_csv(records).decode()
    assert not re.search(r",\d+\.0(,|\r)", written)
    assert str(records["redcap_repeat_instance"].dtype) == "Int64"
    # Instruments about another person are repeating, one instance per person rated.
    repeated = records[records["redcap_repeat_instrument"] != ""]
    assert len(repeated) and repeated["redcap_repeat_instance"].min() == 1
    assert not repeated.duplicated(["record_id", "redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance"]).any()

    with_text = redcap_export.build_export(demo_store, 1, KEY, with_text=True)
    written = redcap_export.to_csv(with_text.records).decode()
    assert "'=HYPERLINK" in written  # asked for, and neutralised like every file the app writes


def test_the_command_writes_four_files_and_refuses_with_one_sentence(demo_store, tmp_path, capsys):
    db = Path(demo_store.path)
    demo_store.close()
    assert redcap_export.main(["--db", str(db), "--out", str(tmp_path / "out"), "--key", "short"]) == 1
    assert "at least 16 characters" in capsys.readouterr().err and not (tmp_path / "out").exists()
    assert redcap_export.main(["--db", str(db), "--out", str(tmp_path / "out"), "--key", KEY]) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(redcap_export.FILES)
    assert redcap_export.main(["--db", str(db), "--out", str(tmp_path / "out"), "--key", KEY]) == 1
    assert "already exists" in capsys.readouterr().err
    assert redcap_export.main(["--db", str(db), "--out", str(tmp_path / "o2"), "--key", KEY, "--program", "Nope"]) == 1


def test_an_imported_form_answered_and_exported_reads_back_to_itself(demo_store):
    from analytics.assessments import submit_assessment
    from analytics.exports import inert
    from analytics.people import load_viewer
    from tests.conftest import TODAY

    stored = confirm_import(
        demo_store, load_catalogue(), director(demo_store), FIXTURE.read_bytes(), "f.csv", "mentor_review", "fellow-self", NOW
    )
    catalogue = with_program_instruments(demo_store, load_catalogue())
    fellow = load_viewer(demo_store, demo_store.query_one("SELECT person_id FROM people WHERE email = 'fellow@demo.org'")[0])
    ratings = {item.id: 5 for item in stored.items}
    submit_assessment(demo_store, catalogue, fellow, stored.id, ratings, today=TODAY, now=NOW, submission_key="redcap-round-trip")
    export = redcap_export.build_export(demo_store, fellow.program_id, KEY)
    again = read_dictionary(redcap_export.to_csv(export.dictionary), "data_dictionary.csv").form("mentor_review").instrument()
    # The same items; a label a spreadsheet would run comes back as the export neutralised it (a leading ').
    assert [(i.id, i.text, i.measures, i.subscale) for i in again.items] == [
        (i.id, inert(i.text), i.measures, i.subscale) for i in stored.items
    ]
    assert again.item("exp-agreed").text == '\'=HYPERLINK("http://x","We agreed expectations")'
    assert again.scale == stored.scale
    row = export.records[export.records["record_id"] == redcap_export.pseudonym(KEY, fellow.person_id)]
    row = row[row["mentor_review_complete"].notna()]
    assert list(row[[f"mentor_review__{i.id.replace('-', '_')}" for i in stored.items]].iloc[0]) == [5] * len(stored.items)


def test_two_pairs_of_the_same_two_people_are_two_instances(demo_store):
    """The same mentor and fellow may be a pair in two domains: each pair's rating is its own repeat instance."""
    mentee_id, mentor_id, pair_id = demo_store.query_one(
        """
        SELECT a.respondent_id, a.subject_id, a.pair_id FROM current_assessments a
        WHERE a.instrument_id = 'mentor-by-mentee' ORDER BY a.assessment_id LIMIT 1
        """
    )
    period, version, item = demo_store.query_one(
        """
        SELECT a.period_start, a.instrument_version, min(r.item_id)
        FROM current_assessments a JOIN responses r USING (assessment_id)
        WHERE a.respondent_id = ? AND a.subject_id = ? AND a.pair_id = ? AND a.instrument_id = 'mentor-by-mentee'
        GROUP BY ALL ORDER BY a.period_start LIMIT 1
        """,
        [mentee_id, mentor_id, pair_id],
    )

    def second_pair(cur):
        cur.execute(
            "INSERT INTO pairs (program_id, mentor_id, mentee_id, domain, started_on) SELECT program_id, mentor_id, mentee_id, "
            "CASE WHEN domain = 'social' THEN 'career' ELSE 'social' END, started_on FROM pairs WHERE pair_id = ?",
            [pair_id],
        )
        other = cur.execute("SELECT max(pair_id) FROM pairs").fetchone()[0]
        cur.execute(
            "INSERT INTO assessments (instrument_id, instrument_version, respondent_id, subject_id, pair_id, period_start,"
            " submitted_at, submission_key) VALUES ('mentor-by-mentee', ?, ?, ?, ?, ?, now(), 'second-pair')",
            [version, mentee_id, mentor_id, other, period],
        )
        assessment = cur.execute("SELECT max(assessment_id) FROM assessments").fetchone()[0]
        cur.execute("INSERT INTO responses VALUES (?, ?, 1)", [assessment, item])

    demo_store.write(second_pair)
    records = redcap_export.build_export(demo_store, 1, KEY).records
    record = redcap_export.pseudonym(KEY, mentee_id)
    rows = records[
        (records["record_id"] == record)
        & (records["redcap_repeat_instrument"] == "mentor_by_mentee")
        & (records["redcap_event_name"] == redcap_export.event_name(period))
    ]
    column = f"mentor_by_mentee{redcap_export.ITEM_SEPARATOR}{item.replace('-', '_')}"
    assert len(rows) >= 2 and "1" in set(rows[column].astype(str)), rows[[column]]
