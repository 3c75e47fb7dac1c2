"""Import from REDCap (issue 18): a dictionary with every field type previewed, one form confirmed, then
answered by a fellow and charted; a malformed file stores nothing; only a director reaches the page."""

from pathlib import Path

from tests.pages.conftest import click, open_page, signed_in, texts
from tests.pages.test_assessment_pages import choose, rate_all, submit

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "redcap" / "every_field_type.csv"
PAGE = "redcap_import.py"


def upload(at, data: bytes, name: str = "every_field_type.csv"):
    at.file_uploader[0].set_value((name, data, "text/csv"))
    at.run()
    assert not at.exception, at.exception
    return at


def frames(at):
    return [element.value for element in at.dataframe]


def test_the_preview_shows_items_scale_subscales_and_every_refused_field(demo_db, app_store):
    at = upload(open_page(app_store, PAGE, "director@demo.org"), FIXTURE.read_bytes())
    shown = texts(at)
    assert "Form mentor_review" in shown and "Form quick_check" in shown and "Form notes_only" in shown
    assert "1 = Strongly disagree, 2 = Disagree, 3 = Neutral, 4 = Agree, 5 = Strongly agree" in shown
    assert "Communication; Expectations" in shown  # the matrix groups, named by their section headers
    assert "none of its fields can be rated" in shown  # notes_only
    items = next(f for f in frames(at) if "subscale" in f.columns)
    assert list(items["variable"]) == ["comm_listens", "comm_explains", "exp_agreed", "exp_revisit", "overall"]
    assert items["item"][2].startswith("=HYPERLINK")  # stored and shown as the text it is (the CSV is made inert)
    left_out = next(f for f in frames(at) if "why it is left out" in f.columns)
    assert set(left_out["field type"]) == {
        "text",
        "notes",
        "calc",
        "file",
        "descriptive",
        "checkbox",
        "radio",
        "slider",
        "yesno",
        "truefalse",
    }
    assert "branching logic" in " ".join(left_out["why it is left out"])
    assert app_store.query_one("SELECT count(*) FROM program_instruments")[0] == 0  # nothing stored by a preview


def test_a_confirmed_form_is_answered_by_a_fellow_and_charted(demo_db, app_store):
    at = upload(open_page(app_store, PAGE, "director@demo.org"), FIXTURE.read_bytes())
    next(box for box in at.selectbox if box.key == "redcap-who-mentor_review").set_value("fellow-self")
    at = click(at, "Import mentor\\_review into the program")
    assert "Imported Mentor review (version 1, 5 items)" in texts(at), texts(at)
    stored = app_store.query_all("SELECT instrument_id, version, file_name FROM program_instruments")
    assert stored == [("mentor-review", 1, "every_field_type.csv")]
    imported = next(f for f in frames(at) if "imported_by" in f.columns)
    assert list(imported["title"]) == ["Mentor review"]

    fellow = signed_in("fellow@demo.org")
    fellow.switch_page("app_pages/assessments.py").run()
    fellow = choose(fellow, "Mentor review")
    shown = texts(fellow)
    assert "every_field_type.csv" in shown  # the form cites the dictionary as its source
    assert "Communication" in shown and "Expectations" in shown
    rate_all(fellow, 4, "mentor-review:")
    fellow = submit(fellow)
    assert not fellow.exception and not fellow.error, [e.value for e in fellow.error]
    ratings = app_store.query_all(
        "SELECT r.item_id, r.rating FROM responses r JOIN assessments a USING (assessment_id) "
        "WHERE a.instrument_id = 'mentor-review' ORDER BY r.item_id"
    )
    assert ratings == [(item, 4) for item in sorted(["comm-listens", "comm-explains", "exp-agreed", "exp-revisit", "overall"])]

    fellow.switch_page("app_pages/progress.py").run()
    assert not fellow.exception
    assert "Mentor review" in [tab.label for tab in fellow.tabs]
    assert fellow.get("plotly_chart")
    history = next(f for f in frames(fellow) if "comm-listens" in f.to_string() or "Listens" in f.to_string())
    assert len(history)


def test_importing_the_same_form_again_changes_nothing_and_a_reworded_one_is_a_new_version(demo_db, app_store):
    at = upload(open_page(app_store, PAGE, "director@demo.org"), FIXTURE.read_bytes())
    at = click(at, "Import quick\\_check into the program")
    at = upload(at, FIXTURE.read_bytes())
    at = click(at, "Import quick\\_check into the program")
    assert "nothing changed" in " ".join(e.value for e in at.error)
    reworded = FIXTURE.read_bytes().replace(b"I met my mentor.", b"I met my mentor at least once.")
    at = upload(at, reworded)
    at = click(at, "Import quick\\_check into the program")
    assert "Imported Quick check (version 2, 2 items)" in texts(at)
    assert app_store.query_all("SELECT version FROM program_instruments ORDER BY version") == [(1,), (2,)]


def test_a_malformed_file_gets_one_sentence_per_problem_and_stores_nothing(demo_db, app_store):
    bad = (
        FIXTURE.read_bytes()
        .replace(b"\ncomm_explains,", b"\ncomm_listens,")
        .replace(b"1, Career | 2, Research", b"Career | Research")
    )
    at = upload(open_page(app_store, PAGE, "director@demo.org"), bad)
    shown = texts(at)
    assert "This file cannot be imported; nothing was stored." in shown
    assert "the variable name 'comm_listens' is already used on line 4" in shown
    assert "the choice 'Career' is not 'code, label'" in shown
    assert not [b for b in at.button if b.label.startswith("Import")]
    assert app_store.query_one("SELECT count(*) FROM program_instruments")[0] == 0


def test_only_a_director_reaches_the_page(demo_db, app_store):
    for email in ("fellow@demo.org", "mentor@demo.org"):
        at = open_page(app_store, PAGE, email)
        assert not at.get("file_uploader"), email


def test_an_import_on_another_server_is_offered_here_within_seconds(demo_db, app_store, monkeypatch):
    """Another Store object on the same file stands for another server: its write does not move this one's
    data version, so this process notices the import at its next check, IMPORTS_CHECK seconds at most."""
    from analytics.config import Settings
    from analytics.instruments import load_catalogue
    from analytics.redcap import confirm_import
    from analytics.store import Store
    from tests.conftest import NOW
    from tests.unit.test_redcap import director
    from ui import resources as ui_resources

    clock = [1000.0]
    monkeypatch.setattr(ui_resources.time, "monotonic", lambda: clock[0])
    here = ui_resources.AppResources(app_store, load_catalogue(), Settings.from_environment())
    assert "quick-check" not in [i.id for i in here.catalogue.instruments]
    with Store(demo_db) as elsewhere:
        confirm_import(
            elsewhere, here.catalogue, director(elsewhere), FIXTURE.read_bytes(), "f.csv", "quick_check", "fellow-self", NOW
        )
    clock[0] += 1
    here.refresh_catalogue()
    assert "quick-check" not in [i.id for i in here.catalogue.instruments]  # not asked yet: no query on every run
    clock[0] += ui_resources.IMPORTS_CHECK
    here.refresh_catalogue()
    assert "quick-check" in [i.id for i in here.catalogue.instruments]


def test_another_programs_import_is_not_on_this_programs_pages(demo_db, app_store):
    from analytics.instruments import load_catalogue
    from analytics.redcap import confirm_import
    from tests.conftest import NOW
    from tests.unit.test_redcap import second_program

    other = second_program(app_store)
    confirm_import(app_store, load_catalogue(), other, FIXTURE.read_bytes(), "theirs.csv", "mentor_review", "fellow-mentor", NOW)
    director = open_page(app_store, "dashboard.py", "director@demo.org")
    instruments = next(box for box in director.selectbox if box.key == "dash_instrument")
    assert "Mentor review" not in instruments.options and "Mentoring competencies: my mentor" in instruments.options
    assert "Mentor review" not in texts(open_page(app_store, "help.py", "director@demo.org"))
    assert "Mentor review" not in texts(open_page(app_store, "redcap_import.py", "director@demo.org"))
    fellow = open_page(app_store, "assessments.py", "fellow@demo.org")
    assert not [box for box in fellow.expander if "Mentor review" in box.label]
    assert "Mentor review" not in texts(open_page(app_store, "feedback.py", "mentor@demo.org"))


def test_a_labels_markdown_is_shown_as_typed_in_the_form(demo_db, app_store):
    """Option labels and help are Markdown in Streamlit: a label that is a link or an image must stay text."""
    link, image = "[Sign in again](https://attacker.example/login)", "![t](https://attacker.example/pixel.png)"
    hostile = (
        FIXTURE.read_bytes()
        .replace(b"1, Strongly disagree", f"1, {link}".encode())
        .replace(b"5, Strongly agree", f"5, {image}".encode())
    )
    at = upload(open_page(app_store, PAGE, "director@demo.org"), hostile, name="[click](https://x.example).csv")
    next(box for box in at.selectbox if box.key == "redcap-who-mentor_review").set_value("fellow-self")
    at = click(at, "Import mentor\\_review into the program")
    fellow = signed_in("fellow@demo.org")
    fellow.switch_page("app_pages/assessments.py").run()
    fellow = choose(fellow, "Mentor review")
    radio = next(r for r in fellow.radio if r.key and r.key.startswith("mentor-review:"))
    shown = [str(option) for option in radio.options]
    assert shown[0] == "1 \\[Sign in again\\]\\(https\\:\\/\\/attacker\\.example\\/login\\)", shown
    assert "](" not in "".join(shown).replace("\\](", "") and "![" not in "".join(shown).replace("\\!\\[", "")
    assert "[click](" not in radio.help
