"""The directors' management of people: adding, deactivating, cohorts, first passwords, and the CSV roster."""

import re
from datetime import timedelta

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics import auth, roster
from analytics.errors import AccessDenied, InputError
from analytics.mentor_glance import mentee_glance
from analytics.people import Viewer, load_viewer
from tests.conftest import NOW, TODAY

pytestmark = pytest.mark.both_backends  # store, access and write tests run on DuckDB and PostgreSQL

NEWEST = "Class of 2029"  # the demo program's cohorts, as the demo builds them on TODAY
OLDEST = "Class of 2027"
HEADER = "full_name,email,roles,cohort\n"
TABLES = ("people", "person_roles", "accounts", "cohorts", "sign_in_sessions")


def counts(store) -> dict[str, int]:
    return {table: store.query_one(f"SELECT count(*) FROM {table}")[0] for table in TABLES}


def person_id(store, email: str) -> int:
    return store.query_one("SELECT person_id FROM people WHERE email = ?", [email])[0]


def viewer_of(store, email: str) -> Viewer:
    return load_viewer(store, person_id(store, email))


def cohort_id(store, name: str) -> int:
    return store.query_one("SELECT cohort_id FROM cohorts WHERE name = ?", [name])[0]


@pytest.fixture
def director(demo_store) -> Viewer:
    return viewer_of(demo_store, "director@demo.org")


@pytest.fixture
def fellow(demo_store) -> Viewer:
    return viewer_of(demo_store, "fellow@demo.org")


@pytest.fixture
def other_program(demo_store):
    """A second program with its own director and cohort: (director viewer, cohort id)."""

    def work(cur):
        program = cur.execute(
            "INSERT INTO programs (name, created_at) VALUES ('Other', ?) RETURNING program_id", [NOW]
        ).fetchone()[0]
        cohort = cur.execute(
            "INSERT INTO cohorts (program_id, name, start_year) VALUES (?, 'Other class', 2025) RETURNING cohort_id", [program]
        ).fetchone()[0]
        person = cur.execute(
            "INSERT INTO people (program_id, full_name, email, created_at) VALUES (?, 'Olu Other', 'olu@other.org', ?) "
            "RETURNING person_id",
            [program, NOW],
        ).fetchone()[0]
        cur.execute("INSERT INTO person_roles VALUES (?, 'director')", [person])
        return person, cohort

    person, cohort = demo_store.write(work)
    return load_viewer(demo_store, person), cohort


# -- adding a person ----------------------------------------------------------------------------


def test_add_a_fellow(demo_store, director):
    before = counts(demo_store)
    new = roster.add_person(
        demo_store, director, "  Ines Moreau ", " Ines.Moreau@Hospital.ORG", ["fellow"], cohort_id(demo_store, NEWEST), NOW
    )
    row = demo_store.query_one("SELECT full_name, email, program_id, cohort_id, active FROM people WHERE person_id = ?", [new])
    assert row == ("Ines Moreau", "ines.moreau@hospital.org", director.program_id, cohort_id(demo_store, NEWEST), True)
    assert demo_store.query_all("SELECT role FROM person_roles WHERE person_id = ?", [new]) == [("fellow",)]
    after = counts(demo_store)
    assert after["people"] == before["people"] + 1 and after["person_roles"] == before["person_roles"] + 1
    assert after["accounts"] == before["accounts"]  # no password: cannot sign in yet
    with pytest.raises(auth.SignInRefused):
        auth.sign_in(demo_store, "ines.moreau@hospital.org", "", NOW)


def test_add_a_mentor_and_director_with_a_first_password(demo_store, director):
    new = roster.add_person(
        demo_store, director, "Kenji Ito", "kenji@hospital.org", "director|Mentor", None, NOW, password="first password"
    )
    assert load_viewer(demo_store, new).roles == {"mentor", "director"}
    token = auth.sign_in(demo_store, "kenji@hospital.org", "first password", NOW)
    assert auth.viewer_for_token(demo_store, token, NOW).person_id == new


@pytest.mark.parametrize(
    ("name", "email", "roles", "cohort", "message"),
    [
        ("", "a@new.org", ["mentor"], None, "Enter the person's full name"),
        ("   ", "a@new.org", ["mentor"], None, "Enter the person's full name"),
        ("x" * 201, "a@new.org", ["mentor"], None, "keep it to 200 or fewer"),
        ("Bell\x07 Ringer", "a@new.org", ["mentor"], None, "control characters"),
        ("Two\nLines", "a@new.org", ["mentor"], None, "control characters"),
        ("Tab\tName", "a@new.org", ["mentor"], None, "control characters"),
        ("Ann Lee", "", ["mentor"], None, "Enter the person's email address"),
        ("Ann Lee", "not-an-email", ["mentor"], None, "does not look like an email address"),
        ("Ann Lee", "ann@localhost", ["mentor"], None, "does not look like an email address"),
        ("Ann Lee", "ann lee@new.org", ["mentor"], None, "does not look like an email address"),
        ("Ann Lee", "ann@@new.org", ["mentor"], None, "does not look like an email address"),
        ("Ann Lee", "a" * 250 + "@new.org", ["mentor"], None, "at most 254"),
        ("Ann Lee", "FELLOW@demo.org", ["mentor"], None, "fellow@demo.org already belongs to"),
        ("Ann Lee", "a@new.org", [], None, "Choose at least one role"),
        ("Ann Lee", "a@new.org", ["boss"], None, "'boss' is not a role"),
        ("Ann Lee", "a@new.org", ["fellow"], None, "A fellow needs a cohort"),
        ("Ann Lee", "a@new.org", ["mentor"], "newest", "Only fellows belong to a cohort"),
        ("Ann Lee", "a@new.org", ["fellow"], 99999, "Choose a cohort of your program"),
        ("Ann Lee", "a@new.org", ["fellow"], "3", "Choose a cohort of your program"),
    ],
)
def test_add_person_refuses_with_a_clear_message_and_stores_nothing(demo_store, director, name, email, roles, cohort, message):
    cohort = cohort_id(demo_store, NEWEST) if cohort == "newest" else cohort
    before = counts(demo_store)
    with pytest.raises(InputError, match=message):
        roster.add_person(demo_store, director, name, email, roles, cohort, NOW)
    assert counts(demo_store) == before


def test_a_cohort_of_another_program_is_refused(demo_store, director, other_program):
    _, other_cohort = other_program
    before = counts(demo_store)
    with pytest.raises(InputError, match="Choose a cohort of your program"):
        roster.add_person(demo_store, director, "Ann Lee", "ann@new.org", ["fellow"], other_cohort, NOW)
    assert counts(demo_store) == before


def says_nothing_of_the_other_program(message: str) -> None:
    for telling in ("Other", "Olu", "another program", "exist", "already", "used by", "belongs"):
        assert telling not in message, (telling, message)


def test_an_email_of_another_program_is_refused_without_saying_so(demo_store, director, other_program):
    before = counts(demo_store)
    with pytest.raises(InputError) as refused:
        roster.add_person(demo_store, director, "Olu Again", "Olu@Other.org", ["mentor"], None, NOW)
    assert str(refused.value) == roster.cannot_add("olu@other.org")
    assert "operator" in str(refused.value)
    says_nothing_of_the_other_program(str(refused.value))
    assert counts(demo_store) == before


def test_an_email_of_this_program_still_names_who_has_it(demo_store, director):
    with pytest.raises(InputError, match="fellow@demo.org already belongs to .* in this program"):
        roster.add_person(demo_store, director, "Someone", "fellow@demo.org", ["mentor"], None, NOW)


@pytest.mark.parametrize(
    "character",
    ["\u200b", "\u200c", "\u200d", "\u202e", "\u2066", "\ufeff", "\u00ad", "\u2060"],
    ids=["zero-width-space", "zwnj", "zwj", "rtl-override", "rtl-isolate", "bom", "soft-hyphen", "word-joiner"],
)
@pytest.mark.parametrize("field", ["name", "email", "cohort"])
def test_an_invisible_formatting_character_is_refused_in_names_and_emails(demo_store, director, field, character):
    before = counts(demo_store)
    with pytest.raises(InputError) as refused:
        if field == "name":
            roster.add_person(demo_store, director, f"Ann{character} Lee", "ann@new.org", ["mentor"], None, NOW)
        elif field == "email":
            roster.add_person(demo_store, director, "Ann Lee", f"ann{character}@new.org", ["mentor"], None, NOW)
        else:
            roster.add_cohort(demo_store, director, f"Class{character} of 2031", 2028)
    assert "invisible" in str(refused.value)
    assert character not in str(refused.value)
    assert counts(demo_store) == before


def test_a_roster_row_with_an_invisible_character_is_a_problem(demo_store, director):
    check = parse(
        demo_store, director, HEADER + "Ann\u202e Lee,ann@new.org,mentor,\nBob,bob\u200b@new.org,mentor,\nCy,cy@new.org,mentor,\n"
    )
    assert [line for line, _ in check.errors] == [2, 3]
    assert all("invisible" in message for _, message in check.errors)
    assert [r["email"] for r in check.valid_rows] == ["cy@new.org"]
    assert not any(ch in "".join(check.preview["full_name"]) + "".join(check.preview["email"]) for ch in "\u202e\u200b")


def test_a_short_first_password_stores_nothing(demo_store, director):
    before = counts(demo_store)
    with pytest.raises(InputError, match="at least 8 characters"):
        roster.add_person(demo_store, director, "Ann Lee", "ann@new.org", ["mentor"], None, NOW, password="short")
    assert counts(demo_store) == before


def test_only_a_director_manages_people(demo_store, fellow, director):
    mentor = viewer_of(demo_store, "mentor@demo.org")
    someone = person_id(demo_store, "mentor@demo.org")
    before = counts(demo_store)
    calls = [
        lambda v: roster.add_person(demo_store, v, "Ann Lee", "ann@new.org", ["mentor"], None, NOW),
        lambda v: roster.set_initial_password(demo_store, v, someone, "a long password", NOW),
        lambda v: roster.deactivate_person(demo_store, v, someone, NOW),
        lambda v: roster.reactivate_person(demo_store, v, someone, NOW),
        lambda v: roster.people_list(demo_store, v),
        lambda v: roster.cohorts(demo_store, v),
        lambda v: roster.add_cohort(demo_store, v, "Class of 2030", 2027),
        lambda v: roster.parse_roster(HEADER.encode() + b"Ann Lee,ann@new.org,mentor,\n", demo_store, v),
        lambda v: roster.import_roster(
            demo_store, v, [{"full_name": "Ann Lee", "email": "ann@new.org", "roles": ["mentor"], "cohort_id": None}], NOW
        ),
    ]
    for viewer in (fellow, mentor, None):
        for call in calls:
            with pytest.raises(AccessDenied):
                call(viewer)
    assert counts(demo_store) == before
    assert len(roster.people_list(demo_store, director)) > 0  # the same calls work for a director


def test_a_director_acts_only_in_their_own_program(demo_store, director, other_program):
    other_director, _ = other_program
    stranger = other_director.person_id
    for call in (roster.deactivate_person, roster.reactivate_person):
        with pytest.raises(AccessDenied, match="not in your program"):
            call(demo_store, director, stranger, NOW)
    with pytest.raises(AccessDenied, match="not in your program"):
        roster.set_initial_password(demo_store, director, stranger, "a long password", NOW)
    assert stranger not in set(roster.people_list(demo_store, director)["person_id"])
    assert set(roster.people_list(demo_store, other_director)["person_id"]) == {stranger}
    assert list(roster.cohorts(demo_store, other_director)["name"]) == ["Other class"]


# -- first passwords ----------------------------------------------------------------------------


def test_a_first_password_can_be_set_until_the_person_signs_in(demo_store, director):
    new = roster.add_person(demo_store, director, "Ann Lee", "ann@new.org", ["mentor"], None, NOW)
    roster.set_initial_password(demo_store, director, new, "typo in password", NOW)
    roster.set_initial_password(demo_store, director, new, "the right password", NOW)  # corrected before first use
    with pytest.raises(auth.SignInRefused):
        auth.sign_in(demo_store, "ann@new.org", "typo in password", NOW)
    auth.sign_in(demo_store, "ann@new.org", "the right password", NOW)
    with pytest.raises(InputError, match="has signed in already"):
        roster.set_initial_password(demo_store, director, new, "director's choice", NOW)
    auth.sign_in(demo_store, "ann@new.org", "the right password", NOW)  # still their own password
    with pytest.raises(InputError, match="at least 8 characters"):
        roster.set_initial_password(demo_store, director, new, "short", NOW)


# -- deactivating and reactivating --------------------------------------------------------------


def test_a_deactivated_person_cannot_sign_in_and_their_session_stops(demo_store, director):
    fellow_id = person_id(demo_store, "fellow@demo.org")
    token = auth.sign_in(demo_store, "fellow@demo.org", "demo", NOW)
    assert auth.viewer_for_token(demo_store, token, NOW).person_id == fellow_id
    history = demo_store.query_one(
        "SELECT (SELECT count(*) FROM assessments WHERE respondent_id = ?), (SELECT count(*) FROM pairs WHERE mentee_id = ?)",
        [fellow_id, fellow_id],
    )
    assert history[0] > 0 and history[1] > 0

    roster.deactivate_person(demo_store, director, fellow_id, NOW)
    later = NOW + timedelta(minutes=1)
    assert auth.viewer_for_token(demo_store, token, later) is None
    with pytest.raises(auth.SignInRefused):
        auth.sign_in(demo_store, "fellow@demo.org", "demo", later)
    assert (
        demo_store.query_one(
            "SELECT (SELECT count(*) FROM assessments WHERE respondent_id = ?), (SELECT count(*) FROM pairs WHERE mentee_id = ?)",
            [fellow_id, fellow_id],
        )
        == history
    )  # the history is kept
    table = roster.people_list(demo_store, director)
    assert not table.loc[table["person_id"] == fellow_id, "active"].item()
    assert fellow_id not in set(roster.filter_people(table)["person_id"])
    assert fellow_id in set(roster.filter_people(table, status="deactivated")["person_id"])
    with pytest.raises(InputError, match="already deactivated"):
        roster.deactivate_person(demo_store, director, fellow_id, later)

    roster.reactivate_person(demo_store, director, fellow_id, later)
    assert auth.viewer_for_token(demo_store, token, later) is None  # the old session stays ended
    new_token = auth.sign_in(demo_store, "fellow@demo.org", "demo", later + timedelta(minutes=20))
    assert auth.viewer_for_token(demo_store, new_token, later + timedelta(minutes=21)).person_id == fellow_id
    with pytest.raises(InputError, match="active already"):
        roster.reactivate_person(demo_store, director, fellow_id, later)


def test_a_director_cannot_deactivate_themselves(demo_store, director):
    before = counts(demo_store)
    with pytest.raises(InputError, match="cannot deactivate yourself"):
        roster.deactivate_person(demo_store, director, director.person_id, NOW)
    assert counts(demo_store) == before
    assert load_viewer(demo_store, director.person_id) is not None


def test_the_email_of_a_deactivated_person_says_reactivate(demo_store, director):
    roster.deactivate_person(demo_store, director, person_id(demo_store, "mentor@demo.org"), NOW)
    with pytest.raises(InputError, match="deactivated: reactivate them instead"):
        roster.add_person(demo_store, director, "Mentor Again", "mentor@demo.org", ["mentor"], None, NOW)


# -- the people list and cohorts ----------------------------------------------------------------


def test_people_list_is_administration_only(demo_store, director):
    table = roster.people_list(demo_store, director)
    assert list(table.columns) == ["person_id", "full_name", "email", "roles", "cohort", "active", "has_password"]
    assert len(table) == demo_store.query_one("SELECT count(*) FROM people")[0] == 43
    me = table[table["person_id"] == director.person_id].iloc[0]
    assert me["roles"] == "director" and pd.isna(me["cohort"]) and me["active"] and me["has_password"]
    assert len(roster.filter_people(table, "mentor")) == 12
    assert len(roster.filter_people(table, "fellow")) == 30
    assert set(roster.filter_people(table, "fellow")["cohort"]) == {NEWEST, OLDEST, "Class of 2028"}
    with pytest.raises(ValueError):
        roster.filter_people(table, status="gone")


def test_add_a_cohort(demo_store, director):
    new = roster.add_cohort(demo_store, director, "  Class of 2030 ", 2027)
    frame = roster.cohorts(demo_store, director)
    assert frame.iloc[0].to_dict() == {"cohort_id": new, "name": "Class of 2030", "start_year": 2027, "active_fellows": 0}
    assert frame.set_index("name")["active_fellows"].to_dict()[NEWEST] == 4  # the demo's small cohort
    roster.add_person(demo_store, director, "New Fellow", "nf@new.org", ["fellow"], new, NOW)
    assert roster.cohorts(demo_store, director).set_index("name").loc["Class of 2030", "active_fellows"] == 1


@pytest.mark.parametrize(
    ("name", "year", "message"),
    [
        ("", 2027, "Enter the cohort's name"),
        ("class of 2029", 2026, "already has a cohort named"),
        ("Line\nbreak", 2026, "control characters"),
        ("Class of 2030", 1800, "start year is a year from 1950 to 2100"),
        ("Class of 2030", "2027", "start year"),
        ("Class of 2030", True, "start year"),
    ],
)
def test_add_cohort_refuses_with_a_clear_message(demo_store, director, name, year, message):
    before = counts(demo_store)
    with pytest.raises(InputError, match=message):
        roster.add_cohort(demo_store, director, name, year)
    assert counts(demo_store) == before


# -- the roster file ----------------------------------------------------------------------------


def parse(store, viewer, text: str | bytes) -> roster.RosterCheck:
    before = counts(store)
    check = roster.parse_roster(text.encode() if isinstance(text, str) else text, store, viewer)
    assert counts(store) == before  # checking a file never stores anything
    return check


def test_a_good_roster(demo_store, director):
    check = parse(
        demo_store,
        director,
        'Full Name, Email ,ROLES,cohort\r\n"Byron, Ada",Ada@New.org,Fellow,class of 2029\r\n'
        "\r\nCyril Osei,cyril@new.org,mentor; director,\r\nDee Ray,dee@new.org,mentor|fellow," + OLDEST + "\r\n",
    )
    assert check.errors == [] and check.ready and check.rows == 3
    assert [(r["line"], r["full_name"], r["email"], r["roles"], r["cohort"]) for r in check.valid_rows] == [
        (2, "Byron, Ada", "ada@new.org", ["fellow"], NEWEST),
        (4, "Cyril Osei", "cyril@new.org", ["mentor", "director"], None),
        (5, "Dee Ray", "dee@new.org", ["fellow", "mentor"], OLDEST),
    ]
    assert list(check.preview["status"]) == ["ready"] * 3
    assert list(check.preview["line"]) == [2, 4, 5]


def test_a_file_with_a_byte_order_mark_works(demo_store, director):
    data = (HEADER + "Ann Lee,ann@new.org,mentor,\n").encode("utf-8-sig")
    assert data.startswith(b"\xef\xbb\xbf")
    check = parse(demo_store, director, data)
    assert check.errors == [] and [r["email"] for r in check.valid_rows] == ["ann@new.org"]
    assert roster.parse_roster(roster.roster_template() + b"Ann Lee,ann@new.org,mentor,\n", demo_store, director).ready


@pytest.mark.parametrize(
    ("data", "line", "message"),
    [
        ((HEADER + "José Núñez,jose@new.org,mentor,\n").encode("latin-1"), 0, "save it as UTF-8"),
        ((HEADER + "Ann,a@new.org,mentor,\n").encode("utf-16"), 0, "save it as UTF-8"),
        (b"", 0, "The file is empty"),
        (b"\xef\xbb\xbf \r\n\r\n", 0, "The file is empty"),
        (b"full_name,email,roles\nAnn,a@new.org,mentor\n", 1, "missing the column cohort"),
        (b"name,mail,roles,cohort\nAnn,a@new.org,mentor,\n", 1, "missing the columns full_name, email"),
        (b"full_name,email,roles,cohort,phone\nAnn,a@new.org,mentor,,1\n", 1, "unknown column: phone"),
        (b"full_name,email,roles,cohort,\nAnn,a@new.org,mentor,,\n", 1, r"unknown column: \(empty\)"),
        (b"full_name,email,email,roles,cohort\n", 1, "email more than once"),
        (b"Ann Lee,ann@new.org,mentor,\n", 1, "must be the header full_name,email,roles,cohort"),
        (b"full_name;email;roles;cohort\nAnn;a@new.org;mentor;\n", 1, "separated by semicolons"),
        (b"\n\nfull_name,email,roles,cohort\n\n", 3, "nobody under it"),
        (b"x" * (2 * 1024 * 1024 + 1), 0, "the limit is 2 MB"),
        (HEADER.encode() + b'"' + b"x" * 200_000 + b'",a@new.org,mentor,\n', 0, "cannot be read as CSV"),
    ],
)
def test_a_file_that_cannot_be_used_is_refused_as_a_whole(demo_store, director, data, line, message):
    check = parse(demo_store, director, data)
    assert check.refused and check.valid_rows == [] and not check.ready
    assert len(check.errors) == 1
    assert check.errors[0][0] == line
    assert re.search(message, check.errors[0][1]), check.errors[0][1]


def test_more_than_5000_rows_are_refused_and_5000_are_fine(demo_store, director):
    rows = "".join(f"Person {i},p{i}@new.org,mentor,\n" for i in range(5001))
    check = parse(demo_store, director, HEADER + rows)
    assert check.refused and "more than 5,000" in check.errors[0][1] and "Split the file" in check.errors[0][1]
    fine = parse(demo_store, director, HEADER + "".join(f"Person {i},p{i}@new.org,mentor,\n" for i in range(5000)))
    assert fine.ready and len(fine.valid_rows) == 5000


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("Ann Lee,a@new.org,mentor", "has 3 fields but the header has 4"),
        ("Ann Lee,a@new.org,mentor,,extra", "has 5 fields but the header has 4"),
        ("Ann, Lee,a@new.org,mentor,", "put a value that holds a comma in double quotes"),
        (",a@new.org,mentor,", "The full_name is empty"),
        ("Ann Lee,,mentor,", "The email is empty"),
        ("Ann Lee,a@new.org,,", "The roles are empty"),
        ("Ann Lee,not an email,mentor,", "does not look like an email"),
        ("Ann Lee,Mentor@Demo.org,mentor,", "mentor@demo.org already belongs to"),
        ("Ann Lee,a@new.org,boss,", "'boss' is not a role"),
        ('Ann Lee,a@new.org,"mentor,director",', "'mentor,director' is not a role"),
        ("Ann Lee,a@new.org,fellow,", "A fellow needs a cohort; write one of the program's cohorts: 'Class of 2027"),
        ("Ann Lee,a@new.org,fellow,Class of 1999", "no cohort named 'Class of 1999'"),
        ("Ann Lee,a@new.org,mentor," + NEWEST, "Only fellows belong to a cohort"),
        ('"Ann\nLee",a@new.org,mentor,', "control characters"),
        ("Ann\x07Lee,a@new.org,mentor,", "control characters"),
        ('Ann Lee,a@new.org,fellow,"Class\tof 2029"', "The cohort contains control characters"),
        ("x" * 201 + ",a@new.org,mentor,", "keep it to 200 or fewer"),
    ],
)
def test_a_bad_row_gets_its_line_and_message(demo_store, director, row, message):
    check = parse(demo_store, director, HEADER + "Good One,good@new.org,mentor,\n" + row + "\nGood Two,good2@new.org,mentor,\n")
    assert not check.refused and check.rows == 3
    assert [line for line, _ in check.errors] == [3]
    assert message in check.errors[0][1], check.errors[0][1]
    assert [r["email"] for r in check.valid_rows] == ["good@new.org", "good2@new.org"]
    assert list(check.preview["status"]) == ["ready", "problem", "ready"]
    assert message in check.preview["problems"][1]


def test_a_row_with_several_problems_lists_each(demo_store, director):
    check = parse(demo_store, director, HEADER + ",bad,boss,Nowhere\n")
    assert [line for line, _ in check.errors] == [2, 2, 2]
    assert "The full_name is empty" in check.errors[0][1]
    assert "does not look like an email" in check.errors[1][1]
    assert "'boss' is not a role" in check.errors[2][1]


def test_a_duplicate_email_in_the_file_marks_every_copy(demo_store, director):
    check = parse(
        demo_store, director, HEADER + "Ann,ann@new.org,mentor,\nBob,bob@new.org,mentor,\nAnn Again,ANN@new.org,mentor,\n"
    )
    assert check.errors == [
        (2, "ann@new.org is also on line 4; a person appears once."),
        (4, "ann@new.org is also on line 2; a person appears once."),
    ]
    assert [r["email"] for r in check.valid_rows] == ["bob@new.org"]


def test_an_email_used_in_another_program_is_an_error_that_does_not_say_so(demo_store, director, other_program):
    check = parse(demo_store, director, HEADER + "Olu,olu@other.org,mentor,\n")
    assert check.errors == [(2, roster.cannot_add("olu@other.org"))]
    says_nothing_of_the_other_program(check.errors[0][1])
    says_nothing_of_the_other_program(" ".join(check.preview["problems"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.one_of(
        st.binary(max_size=400),
        st.text(max_size=300).map(lambda text: (HEADER + text).encode("utf-8")),
        st.lists(
            st.lists(
                st.sampled_from(["", "Ann", "a@b.org", "fellow", "mentor;x", NEWEST, '"', ",", "\n", "\x00", "é"]), max_size=6
            ),
            max_size=8,
        ).map(lambda rows: (HEADER + "\n".join(",".join(row) for row in rows)).encode("utf-8")),
    )
)
def test_parse_roster_never_raises_on_any_bytes(demo_store, director, data):
    check = roster.parse_roster(data, demo_store, director)
    assert isinstance(check, roster.RosterCheck)
    assert check.rows == len(check.preview)
    valid_lines = {row["line"] for row in check.valid_rows}
    error_lines = {line for line, _ in check.errors}
    assert not valid_lines & error_lines  # a row is either ready or has problems
    if not check.refused:
        assert valid_lines | error_lines == set(check.preview["line"])
    assert all(isinstance(line, int) and isinstance(message, str) and message for line, message in check.errors)
    if not check.errors:
        assert check.valid_rows or check.rows == 0


# -- importing ----------------------------------------------------------------------------------


def roster_rows(store, viewer, count: int):
    text = HEADER + "".join(
        f"Person {i},p{i}@new.org,{'fellow' if i % 2 else 'mentor'},{NEWEST if i % 2 else ''}\n" for i in range(count)
    )
    check = roster.parse_roster(text.encode(), store, viewer)
    assert check.ready
    return check.valid_rows


def test_import_stores_every_row_and_reports_progress_in_chunks(demo_store, director):
    rows = roster_rows(demo_store, director, 600)
    before = counts(demo_store)
    calls = []
    added = roster.import_roster(demo_store, director, rows, NOW, progress=lambda done, total: calls.append((done, total)))
    assert added == 600
    assert calls == [(0, 600), (250, 600), (500, 600), (600, 600)]
    after = counts(demo_store)
    assert after["people"] == before["people"] + 600 and after["person_roles"] == before["person_roles"] + 600
    fellows = demo_store.query_one(
        "SELECT count(*) FROM people JOIN person_roles USING (person_id) "
        "WHERE email LIKE '%@new.org' AND role = 'fellow' AND cohort_id = ?",
        [cohort_id(demo_store, NEWEST)],
    )[0]
    assert fellows == 300


def test_a_failure_midway_stores_nothing(demo_store, director):
    rows = roster_rows(demo_store, director, 600)
    before = counts(demo_store)

    def fail_after_the_first_chunk(done, total):
        if done >= 250:
            raise RuntimeError("the disk is full")

    with pytest.raises(RuntimeError, match="the disk is full"):
        roster.import_roster(demo_store, director, rows, NOW, progress=fail_after_the_first_chunk)
    assert counts(demo_store) == before
    assert demo_store.query_one("SELECT count(*) FROM people WHERE email LIKE '%@new.org'")[0] == 0


def test_an_email_added_after_the_check_stops_the_whole_import(demo_store, director):
    rows = roster_rows(demo_store, director, 300)
    roster.add_person(demo_store, director, "Quick Hand", "P299@New.org", ["mentor"], None, NOW)  # between parse and import
    before = counts(demo_store)
    with pytest.raises(InputError, match="Nothing was imported: p299@new.org is in use since the file was checked"):
        roster.import_roster(demo_store, director, rows, NOW)
    assert counts(demo_store) == before


def test_import_checks_the_rows_it_is_given(demo_store, director, other_program):
    _, other_cohort = other_program
    good = {"line": 2, "full_name": "Ann", "email": "ann@new.org", "roles": ["mentor"], "cohort_id": None}
    before = counts(demo_store)
    bad_rows = [
        ([good, {**good, "line": 3, "email": "not an email"}], "Line 3: 'not an email' does not look like an email"),
        ([good, {**good, "line": 3}], "Line 3: ann@new.org appears twice"),
        ([{**good, "roles": ["fellow"], "cohort_id": other_cohort}], "Line 2: Choose a cohort of your program"),
        ([{**good, "full_name": ""}], "Line 2: Enter the person's full name"),
        (["not a row"], "Row 1: this row is not a person"),
        ([], "There is nobody to import"),
    ]
    for rows, message in bad_rows:
        with pytest.raises(InputError, match=message):
            roster.import_roster(demo_store, director, rows, NOW)
    assert counts(demo_store) == before


def test_deactivating_ends_the_persons_open_pairs_and_keeps_ended_ones(demo_store, director):
    fellow_id = person_id(demo_store, "fellow@demo.org")
    open_pairs = demo_store.query_one("SELECT count(*) FROM pairs WHERE mentee_id = ? AND ended_on IS NULL", [fellow_id])[0]
    assert open_pairs >= 1
    ended = roster.deactivate_person(demo_store, director, fellow_id, NOW, today=TODAY)
    assert ended == open_pairs
    rows = demo_store.query_all("SELECT ended_on, end_status, end_reason FROM pairs WHERE mentee_id = ?", [fellow_id])
    assert rows and all(row == (TODAY, "stopped", "Deactivated") for row in rows)
    logged = demo_store.query_one(
        """SELECT count(*) FROM pair_log JOIN pairs USING (pair_id)
           WHERE mentee_id = ? AND event = 'ended' AND recorded_on = ?""",
        [fellow_id, TODAY],
    )[0]
    assert logged == open_pairs  # each end recorded with the day it was written, like any pair's end
    mentor = load_viewer(demo_store, person_id(demo_store, "mentor@demo.org"))
    glance = mentee_glance(demo_store, mentor, TODAY)
    assert fellow_id not in set(glance["mentee_id"])  # the mentor is no longer asked about them
