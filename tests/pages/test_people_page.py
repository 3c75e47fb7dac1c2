"""The directors' People page, run directly with a signed-in token (as test_page_guards does): adding a
person, deactivating and reactivating, and importing a roster file through the real file uploader."""

import re
from datetime import datetime

import pytest
from streamlit.testing.v1 import AppTest

from analytics import auth
from tests.pages.conftest import PAGES, TIMEOUT, texts
from ui.resources import now, open_resources

PAGE = str(PAGES / "people.py")
NEW_COHORT = "Class of 2029"  # the demo program's newest cohort
GOOD_CSV = (
    "full_name,email,roles,cohort\r\n"
    f"Ada Byron,ada.byron@new.org,fellow,{NEW_COHORT}\r\n"
    "Cyril Osei,cyril.osei@new.org,mentor;director,\r\n"
).encode()
ONE_BAD_ROW_CSV = (
    "full_name,email,roles,cohort\n"
    f"Ada Byron,ada.byron@new.org,fellow,{NEW_COHORT}\n"
    "Dee Nobody,dee@new.org,fellow,No such cohort\n"
    "Cyril Osei,cyril.osei@new.org,mentor,\n"
).encode()


def shown(at: AppTest) -> str:
    """The page's text with Markdown escapes removed (the page escapes what people typed)."""
    return re.sub(r"\\(.)", r"\1", texts(at))


def count(store, sql, params=()):
    return store.query_one(sql, params)[0]


def people_page(app_store, email: str) -> AppTest:
    token = auth.sign_in(app_store, email, "demo", datetime.now())
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.session_state["sign_in_token"] = token
    return at.run()


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def people_table(at: AppTest):
    return next(frame for frame in at.dataframe if "Email" in frame.value.columns).value


@pytest.fixture
def director(demo_db, app_store) -> AppTest:
    at = people_page(app_store, "director@demo.org")
    assert not at.exception, at.exception
    return at


def test_the_director_sees_the_program_s_people(director, app_store):
    table = people_table(director)
    active = count(app_store, "SELECT count(*) FROM people WHERE active")
    assert len(table) == active
    assert "fellow@demo.org" in set(table["Email"])
    assert list(table.columns) == ["Name", "Email", "Roles", "Cohort", "Active", "Has a password"]
    assert not any("rating" in column.lower() for column in table.columns)


def test_the_role_filter_shows_only_that_role(director, app_store):
    director.selectbox(key="people_role").select("mentor").run()
    table = people_table(director)
    mentors = count(app_store, "SELECT count(*) FROM person_roles JOIN people USING (person_id) WHERE role = 'mentor' AND active")
    assert len(table) == mentors == 12
    assert all("mentor" in roles for roles in table["Roles"])


def test_add_a_person_through_the_form(director, app_store):
    inputs = {widget.label.split(" (")[0]: widget for widget in director.text_input}
    inputs["Full name"].input("Noor Haddad")
    inputs["Email"].input("  Noor.Haddad@Hospital.org ")
    inputs["First password"].input("a good first password")
    next(m for m in director.multiselect if m.label == "Roles").set_value(["fellow"])
    next(s for s in director.selectbox if s.label == "Cohort (fellows only)").select_index(1)
    button(director, "Add person").click()
    director.run()
    assert not director.exception, director.exception
    assert "Added Noor Haddad (noor.haddad@hospital.org)" in shown(director)
    table = people_table(director)
    assert "noor.haddad@hospital.org" in set(table["Email"])
    row = app_store.query_one(
        """SELECT p.full_name, r.role, c.name FROM people p JOIN person_roles r USING (person_id)
           JOIN cohorts c USING (cohort_id) WHERE p.email = 'noor.haddad@hospital.org'"""
    )
    assert row[0] == "Noor Haddad" and row[1] == "fellow" and row[2].startswith("Class of")
    auth.sign_in(app_store, "noor.haddad@hospital.org", "a good first password", datetime.now())  # the password works


def add_mentor(director, full_name: str, email: str) -> None:
    """Submit the add-a-person form for a mentor."""
    inputs = {widget.label.split(" (")[0]: widget for widget in director.text_input}
    inputs["Full name"].input(full_name)
    inputs["Email"].input(email)
    next(m for m in director.multiselect if m.label == "Roles").set_value(["mentor"])
    button(director, "Add person").click()
    director.run()


def test_a_refused_person_shows_the_reason_and_stores_nothing(director, app_store):
    before = count(app_store, "SELECT count(*) FROM people")
    add_mentor(director, "Someone Else", "fellow@demo.org")
    assert "fellow@demo.org already belongs to" in shown(director)
    assert count(app_store, "SELECT count(*) FROM people") == before


def test_deactivate_needs_a_confirmation_then_keeps_the_history(director, app_store):
    fellow = count(app_store, "SELECT person_id FROM people WHERE email = 'fellow@demo.org'")
    assessments = count(app_store, "SELECT count(*) FROM assessments WHERE respondent_id = ?", [fellow])
    director.selectbox(key="status_person").set_value(fellow).run()
    assert button(director, "Deactivate").disabled
    director.checkbox(key=f"confirm_deactivate_{fellow}").check().run()
    button(director, "Deactivate").click()
    director.run()
    assert not director.exception, director.exception
    assert "is deactivated" in shown(director)
    assert count(app_store, "SELECT active FROM people WHERE person_id = ?", [fellow]) is False
    assert count(app_store, "SELECT count(*) FROM assessments WHERE respondent_id = ?", [fellow]) == assessments > 0
    assert "fellow@demo.org" not in set(people_table(director)["Email"])  # the default view shows active people

    director.checkbox(key=f"confirm_reactivate_{fellow}").check().run()
    button(director, "Reactivate").click()
    director.run()
    assert "is active again" in shown(director)
    assert count(app_store, "SELECT active FROM people WHERE person_id = ?", [fellow]) is True


def upload(at: AppTest, data: bytes, name: str = "roster.csv") -> AppTest:
    at.file_uploader[0].set_value((name, data, "text/csv"))
    return at.run()


def test_import_a_good_roster(director, app_store):
    before = count(app_store, "SELECT count(*) FROM people")
    upload(director, GOOD_CSV)
    assert not director.exception, director.exception
    assert "All 2 rows are ready to import" in shown(director)
    preview = next(frame.value for frame in director.dataframe if "Status" in frame.value.columns)
    assert list(preview["Status"]) == ["ready", "ready"]
    assert count(app_store, "SELECT count(*) FROM people") == before  # a preview stores nothing
    button(director, "Import 2 people").click()
    director.run()
    assert not director.exception, director.exception
    assert "Imported 2 people" in shown(director)
    assert count(app_store, "SELECT count(*) FROM people") == before + 2
    roles = app_store.query_all(
        "SELECT role FROM person_roles JOIN people USING (person_id) WHERE email = 'cyril.osei@new.org' ORDER BY role"
    )
    assert roles == [("director",), ("mentor",)]
    assert {"ada.byron@new.org", "cyril.osei@new.org"} <= set(people_table(director)["Email"])
    assert director.file_uploader[0].value is None  # emptied, so the same file is not offered again


def test_a_roster_with_a_bad_row_stores_nothing_until_the_director_chooses_the_valid_rows(director, app_store):
    before = count(app_store, "SELECT count(*) FROM people")
    upload(director, ONE_BAD_ROW_CSV)
    assert not director.exception, director.exception
    page = shown(director)
    assert "1 of 3 rows have problems. Nothing has been imported" in page
    errors = next(frame.value for frame in director.dataframe if "Problem" in frame.value.columns)
    assert list(errors["Line"]) == [3]
    assert "no cohort named 'No such cohort'" in errors["Problem"][0]
    labels = [b.label for b in director.button]
    assert "Import 2 people" not in labels and "Import 3 people" not in labels
    assert count(app_store, "SELECT count(*) FROM people") == before

    director.selectbox(key="people_role").select("mentor").run()  # any other interaction stores nothing either
    assert count(app_store, "SELECT count(*) FROM people") == before

    button(director, "Import the 2 valid rows only").click()
    director.run()
    assert not director.exception, director.exception
    assert "Imported 2 people. 1 row with problems left out" in shown(director)
    emails = {row[0] for row in app_store.query_all("SELECT email FROM people WHERE email LIKE '%@new.org'")}
    assert emails == {"ada.byron@new.org", "cyril.osei@new.org"}


def test_a_file_that_is_not_utf8_is_refused_with_the_reason(director, app_store):
    before = count(app_store, "SELECT count(*) FROM people")
    upload(director, "full_name,email,roles,cohort\nJosé Núñez,jose@new.org,mentor,\n".encode("latin-1"))
    assert "save it as UTF-8" in shown(director)
    assert not [b for b in director.button if b.label.startswith("Import")]
    assert count(app_store, "SELECT count(*) FROM people") == before


@pytest.mark.parametrize("email", ["fellow@demo.org", "mentor@demo.org"])
def test_a_fellow_or_mentor_cannot_open_the_page(demo_db, app_store, email):
    at = people_page(app_store, email)
    assert not at.exception
    assert "This page is not available" in texts(at)
    assert not at.dataframe
    assert not at.get("file_uploader")


def test_an_email_of_another_program_is_refused_without_naming_it(director, app_store):
    def other_program(cur):
        program = cur.execute(
            "INSERT INTO programs (name, created_at) VALUES ('Elsewhere Oncology', ?) RETURNING program_id", [datetime.now()]
        ).fetchone()[0]
        cur.execute(
            "INSERT INTO people (program_id, full_name, email, created_at) VALUES (?, 'Olu Other', 'olu@elsewhere.org', ?)",
            [program, datetime.now()],
        )

    app_store.write(other_program)
    before = count(app_store, "SELECT count(*) FROM people")
    add_mentor(director, "Olu Again", "olu@elsewhere.org")
    assert not director.exception, director.exception
    page = shown(director)
    assert "olu@elsewhere.org cannot be added" in page
    for telling in ("Elsewhere Oncology", "Olu Other", "another program", "exists", "already used"):
        assert telling not in page, telling
    assert count(app_store, "SELECT count(*) FROM people") == before


def issue_reset_code(director: AppTest, person_id: int) -> AppTest:
    next(box for box in director.selectbox if box.form_id == "reset-code").set_value(person_id)
    button(director, "Issue a reset code").click()
    return director.run()


def test_a_reset_code_is_shown_once_works_once_and_is_listed_with_who_issued_it(director, app_store):
    fellow = count(app_store, "SELECT person_id FROM people WHERE email = 'fellow@demo.org'")
    issue_reset_code(director, fellow)
    assert not director.exception and not director.error, director.exception
    (code,) = re.findall(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b", shown(director))
    assert "Reset code for Nadia Evans" in shown(director)
    listed = next(frame for frame in director.dataframe if "Issued by" in frame.value.columns).value
    director_name = count(app_store, "SELECT full_name FROM people WHERE email = 'director@demo.org'")
    assert listed[["For", "Issued by", "State"]].values.tolist() == [["Nadia Evans", director_name, "open"]]
    assert code not in listed.to_string()

    # Through the app's own store object and clock, as the sign-in page does it (its write moves the cached reads).
    auth.reset_password(open_resources().store, "fellow@demo.org", code, "a brand new password", now())
    assert auth.sign_in(app_store, "fellow@demo.org", "a brand new password", datetime.now())
    director.run()
    assert code not in shown(director)  # shown once
    listed = next(frame for frame in director.dataframe if "Issued by" in frame.value.columns).value
    assert listed["State"].str.startswith("used ").tolist() == [True]


def test_reset_codes_are_offered_only_for_active_people_other_than_oneself(director, app_store):
    fellow = count(app_store, "SELECT person_id FROM people WHERE email = 'fellow@demo.org'")
    director.selectbox(key="status_person").set_value(fellow).run()
    director.checkbox(key=f"confirm_deactivate_{fellow}").check().run()
    button(director, "Deactivate").click()
    director.run()
    options = next(box for box in director.selectbox if box.form_id == "reset-code").options
    labels = "\n".join(options)
    assert "fellow@demo.org" not in labels and "director@demo.org" not in labels and "mentor@demo.org" in labels
