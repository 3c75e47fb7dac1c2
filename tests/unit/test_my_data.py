"""My data: the zip's files, their README, and what each role's zip holds (the access scan is in
tests/robustness/test_access_pages.py)."""

import io
import zipfile

from analytics.feedback import views_of_mentee
from analytics.my_data import FILES, my_data_tables, my_data_zip
from analytics.people import load_viewer
from analytics.sharing import set_sharing
from tests.conftest import NOW, TODAY


def _person(store, email: str):
    return load_viewer(store, store.query_one("SELECT person_id FROM people WHERE email = ?", [email])[0])


def test_every_column_of_every_file_is_described(demo_store, catalogue):
    for email in ("fellow@demo.org", "mentor@demo.org", "director@demo.org"):
        tables = my_data_tables(demo_store, catalogue, _person(demo_store, email), TODAY)
        assert list(tables) == list(FILES)
        for name, frame in tables.items():
            undescribed = [column for column in frame.columns if column not in FILES[name][1]]
            assert undescribed == [], (email, name)


def test_the_zip_holds_a_readme_and_one_csv_per_file(demo_store, catalogue):
    fellow = _person(demo_store, "fellow@demo.org")
    archive = zipfile.ZipFile(io.BytesIO(my_data_zip(demo_store, catalogue, fellow, TODAY, NOW)))
    assert archive.namelist() == ["README.txt", *FILES]
    readme = archive.read("README.txt").decode("utf-8")
    assert fellow.full_name in readme and "my_assessments.csv" in readme and "Not included" in readme


def test_a_fellows_ratings_about_them_are_what_their_two_views_page_shows(demo_store, catalogue):
    fellow = _person(demo_store, "fellow@demo.org")
    tables = my_data_tables(demo_store, catalogue, fellow, TODAY)
    shown = views_of_mentee(demo_store, catalogue, fellow, fellow.person_id)
    assert len(tables["ratings_about_me.csv"]) == len(shown) > 0
    assert set(tables["ratings_about_me.csv"]["view"]) == set(shown["view"])


def test_what_a_mentee_shares_with_the_mentor_is_not_in_the_mentors_data(demo_store, catalogue):
    mentor = _person(demo_store, "mentor@demo.org")
    fellow = _person(demo_store, "fellow@demo.org")
    set_sharing(demo_store, fellow, {(mentor.person_id, kind): True for kind in ("goals", "outputs", "self_assessments")}, NOW)
    fellows_goals = set(my_data_tables(demo_store, catalogue, fellow, TODAY)["goals.csv"]["title"])
    mentors = my_data_tables(demo_store, catalogue, mentor, TODAY)
    assert fellows_goals and not fellows_goals & set(mentors["goals.csv"]["title"])
    assert len(mentors["outputs.csv"]) == 0
    assert set(mentors["about_me.csv"]["email"]) == {"mentor@demo.org"}
    assert "mentee-self" not in set(mentors["ratings_about_me.csv"]["instrument_id"])  # a mentee's self-view is theirs
