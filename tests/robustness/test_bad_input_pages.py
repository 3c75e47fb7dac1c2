"""Bad input typed into the real forms (AppTest): hostile text is shown as text and never applied as
Markdown or HTML, bad input gets the reason on the page without an exception, nothing is stored, and a
double-clicked submit stores one record."""

import re
import uuid
from datetime import timedelta
from pathlib import Path

from streamlit.testing.v1 import AppTest

from analytics import auth
from tests.conftest import TODAY
from tests.pages import conftest as page_fixtures
from tests.pages.conftest import click, fill_sign_in, new_app, open_page, texts
from tests.robustness.bad_input_helpers import HOSTILE_TEXTS, HUGE_TEXT, changed_tables, snapshot
from ui.text import as_text

ROOT = Path(__file__).resolve().parents[2]
demo_db = page_fixtures.demo_db  # the AppTest fixtures: a demo database per test, and the store the app uses
app_store = page_fixtures.app_store
MARKUP = "[click me](javascript:alert(1)) <script>alert('x')</script> <b>bold</b> **not bold** :red[not red]"


def markdown_values(at: AppTest) -> list[str]:
    return [
        str(element.value) for kind in ("markdown", "caption", "success", "error", "info", "warning") for element in at.get(kind)
    ]


def errors(at: AppTest) -> list[str]:
    """The error messages as a person reads them (Markdown escapes taken out)."""
    return [re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", str(element.value)) for element in at.error]


def demo_pair(store) -> int:
    return store.query_one(
        """
        SELECT pair_id FROM pairs
        WHERE mentee_id = (SELECT person_id FROM people WHERE email = 'fellow@demo.org')
          AND mentor_id = (SELECT person_id FROM people WHERE email = 'mentor@demo.org')
        """
    )[0]


def assert_shown_as_text(at: AppTest, text: str) -> None:
    """The page holds the text escaped (Markdown shows it as typed), and nowhere applied."""
    escaped = as_text(text)
    values = markdown_values(at)
    assert any(escaped in value for value in values), f"{text!r} is not shown escaped"
    assert not any(text in value for value in values), f"{text!r} is rendered as Markdown somewhere"
    assert text in texts(at)  # what a person sees: the text as typed


# The exceptions, each a constant script Streamlit has no API for, whose variable part is the app's own:
# - ui/focus.py moves the keyboard focus; its body is constant text and a number it counts itself
#   (tests/pages/test_focus.py checks that);
# - ui/session_cookie.py posts a sign-in handoff code (the app's own URL-safe code, as JSON) to the app's
#   own route, which sets the HttpOnly cookie (the line in its docstring names st.html, the other is the call);
# - ui/warmup.py has the browser load Streamlit's own element scripts early: its only variable part is a list
#   of file names of Streamlit's static folder (checked by a pattern below).
HTML_ALLOWED = {"ui/focus.py": 1, "ui/session_cookie.py": 2, "ui/warmup.py": 1}


def test_no_user_text_can_reach_html_rendering():
    """No page or ui module renders HTML: no unsafe_allow_html, st.html or components.html anywhere,
    except the three constant scripts of HTML_ALLOWED."""
    sources = [ROOT / "app.py", *sorted((ROOT / "app_pages").glob("*.py")), *sorted((ROOT / "ui").glob("*.py"))]
    found = [
        str(path.relative_to(ROOT))
        for path in sources
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"unsafe_allow_html|st\.html\(|components\.v1|components\.html", line)
    ]
    assert {name: found.count(name) for name in found} == HTML_ALLOWED
    assert len(sources) > 20


def test_the_one_html_element_is_a_constant_script_with_file_names():
    from ui import warmup

    assert warmup._PRELOAD.count("%") == 1 and "%s" in warmup._PRELOAD
    chunks = warmup._element_chunks()
    assert chunks[0].startswith("PlotlyChart.") and all(warmup.CHUNK_NAME.fullmatch(chunk) for chunk in chunks)
    for name in ('PlotlyChart.a".js', "PlotlyChart.<b>.js", "PlotlyChart.a/../b.js", "x.js", "a b.c.js"):
        assert not warmup.CHUNK_NAME.fullmatch(name)


def test_an_agreement_with_markup_html_and_a_link_is_shown_as_typed(demo_db, app_store):
    at = open_page(app_store, "agreement.py", "fellow@demo.org")
    pair_id = demo_pair(app_store)
    at.selectbox(key="agreement-pair").select(pair_id).run()
    version = app_store.query_one("SELECT coalesce(max(version), 0) FROM agreements WHERE pair_id = ?", [pair_id])[0]
    at.text_area(key=f"agreement-contact-{version}").input(MARKUP)
    at.text_area(key=f"agreement-confidential-{version}").input(HOSTILE_TEXTS["rtl"] + " " + HOSTILE_TEXTS["emoji"])
    click(at, "Save agreement")
    assert app_store.query_one("SELECT contact FROM agreements WHERE pair_id = ? ORDER BY version DESC LIMIT 1", [pair_id]) == (
        MARKUP,
    )
    line = next(value for value in markdown_values(at) if value.startswith("- **How we reach each other:**"))
    assert line == "- **How we reach each other:** " + as_text(MARKUP)  # every mark escaped: no link, no tag, no bold
    assert_shown_as_text(at, MARKUP)
    assert HOSTILE_TEXTS["rtl"] + " " + HOSTILE_TEXTS["emoji"] in texts(at)


def test_a_100kB_agenda_is_refused_and_one_with_markup_is_shown_as_text(demo_db, app_store):
    at = open_page(app_store, "meetings.py", "fellow@demo.org")
    pair_id = demo_pair(app_store)
    at.selectbox(key="meetings-pair").select(pair_id).run()
    at.date_input(key="plan-date").set_value(TODAY - timedelta(days=1))
    before = snapshot(app_store)
    at.text_area(key="plan-agenda").input(HUGE_TEXT)
    click(at, "Plan meeting")
    assert any("keep it to 300 or fewer" in message for message in errors(at)), errors(at)
    assert changed_tables(before, snapshot(app_store)) == set()
    at.date_input(key="plan-date").set_value(TODAY - timedelta(days=1))
    at.text_area(key="plan-agenda").input(MARKUP + "\n" + HOSTILE_TEXTS["sql"])
    click(at, "Plan meeting")
    meeting_id = app_store.query_one("SELECT max(meeting_id) FROM meetings WHERE pair_id = ?", [pair_id])[0]
    at.selectbox(key="notes-meeting").select(meeting_id).run()
    assert not at.exception, at.exception
    agenda = next(value for value in markdown_values(at) if value.startswith("**Agenda:**"))
    assert agenda == "**Agenda:** " + as_text(MARKUP) + "; " + as_text(HOSTILE_TEXTS["sql"])
    assert_shown_as_text(at, MARKUP)


def test_a_bad_doi_with_a_link_in_it_is_refused_and_the_message_shows_it_as_text(demo_db, app_store):
    at = open_page(app_store, "outputs.py", "fellow@demo.org")
    before = snapshot(app_store)
    at.text_input(key="log-output-0-title").input("A paper")
    at.selectbox(key="log-output-0-id-kind").select("doi")  # one submit carries the whole form
    at.text_input(key="log-output-0-id").input("[doi](javascript:alert(1))")
    click(at, "Log output")
    [message] = [str(element.value) for element in at.error]
    assert "is not a DOI" in errors(at)[0] and as_text("[doi](javascript:alert(1))") in message
    assert changed_tables(before, snapshot(app_store)) == set()


def test_bad_goal_input_gets_its_reason_on_the_page_and_stores_nothing(demo_db, app_store):
    at = open_page(app_store, "goals.py", "fellow@demo.org")
    before = snapshot(app_store)
    for title, milestones, reason in (
        ("nul\x00byte", "", "control characters"),
        ("   ", "", "Give the goal a title"),
        ("A good title", HUGE_TEXT, "keep it to 200 or fewer"),  # the milestones box has no max_chars
        ("A good title", "Draft; 9999-99-99", "is not a date"),
        ("A good title", "\n".join(f"Step {n}" for n in range(6)), "Up to 5 milestones"),
    ):
        at.text_input(key="goal-title").input(title)
        at.text_area(key="goal-milestones").input(milestones)
        click(at, "Create goal")
        assert any(reason in message for message in errors(at)), (reason, errors(at))
    assert changed_tables(before, snapshot(app_store)) == set()


def test_a_double_clicked_new_goal_stores_one(demo_db, app_store):
    at = open_page(app_store, "goals.py", "fellow@demo.org")
    title = f"Clicked twice {uuid.uuid4().hex[:6]}"
    at.text_input(key="goal-title").input(title)
    click(at, "Create goal")
    click(at, "Create goal")  # the same filled-in form again: the same submission key
    assert app_store.query_one("SELECT count(*) FROM goals WHERE title = ?", [title])[0] == 1
    at.text_input(key="goal-title").input(title + " and another")
    click(at, "Create goal")  # a changed form is a new goal
    assert app_store.query_one("SELECT count(*) FROM goals WHERE title LIKE ?", [title + "%"])[0] == 2


def test_a_click_while_the_first_run_stored_the_meeting_stores_nothing_more(demo_db, app_store):
    """The second click interrupts the run that stored the meeting before it could rerun: same key, one meeting."""
    at = open_page(app_store, "meetings.py", "fellow@demo.org")
    pair_id = demo_pair(app_store)
    at.selectbox(key="meetings-pair").select(pair_id).run()
    at.date_input(key="plan-date").set_value(TODAY + timedelta(days=3))
    at.text_area(key="plan-agenda").input("Interrupted planning")
    before = app_store.query_one("SELECT count(*) FROM meetings WHERE pair_id = ?", [pair_id])[0]
    click(at, "Plan meeting")
    assert app_store.query_one("SELECT count(*) FROM meetings WHERE pair_id = ?", [pair_id])[0] == before + 1
    # The form cleared itself after the first click (clear_on_submit); the second click's run carries the
    # same content, as when it interrupts the first run in a browser.
    at.date_input(key="plan-date").set_value(TODAY + timedelta(days=3))
    at.text_area(key="plan-agenda").input("Interrupted planning")
    click(at, "Plan meeting")
    assert app_store.query_one("SELECT count(*) FROM meetings WHERE pair_id = ?", [pair_id])[0] == before + 1
    assert not errors(at)


def test_a_bad_roster_file_is_refused_on_the_page_and_nothing_is_imported(demo_db, app_store):
    at = open_page(app_store, "people.py", "director@demo.org")
    before = snapshot(app_store)
    header = "full_name,email,roles,cohort\n"
    for data, reason in (
        ((header + "Jos\u00e9,jose@new.org,mentor,\n").encode("utf-16"), "not UTF-8"),
        (bytes(range(256)) * 10, "not UTF-8"),
        (b"name,mail\nAnn,ann@new.org\n", "header"),
        ((header + "a,b,c,\n" * 100_000).encode(), "more than 5,000 people"),
        ((header + "<script>alert(1)</script>,<b>@x.org,mentor,\n").encode(), "rows have problems"),
    ):
        at.file_uploader[0].set_value(("roster.csv", data, "text/csv"))
        at.run()
        assert not at.exception, at.exception
        assert any(reason in message for message in errors(at)), (reason, errors(at))
    assert changed_tables(before, snapshot(app_store)) == set()


def test_the_sign_in_form_refuses_hostile_input_with_the_same_sentence(demo_db, app_store):
    at = new_app().run()
    for email, secret in (
        ("<script>alert(1)</script>@x.org", "demo"),
        ("' OR '1'='1' --", "' OR '1'='1"),
        ("fellow@demo.org\x00", "demo"),
        (HOSTILE_TEXTS["rtl"], HOSTILE_TEXTS["emoji"]),
    ):
        before = snapshot(app_store)
        fill_sign_in(at, email, secret)
        assert not at.exception, at.exception
        assert errors(at) == [auth.WRONG]
        assert changed_tables(before, snapshot(app_store)) <= {"sign_in_failures"}  # a failure, for the brake; no session
    assert app_store.query_one("SELECT count(*) FROM sign_in_failures WHERE contains(email, chr(0))")[0] == 0
