"""The "My mentors" and "My outputs" pages, run directly with a signed-in token (they are not in app.py's
navigation yet): filling a domain gap, logging an output, a refused DOI, and the guard for other roles."""

import pytest
from streamlit.testing.v1 import AppTest

from analytics.network import guidance_sentence
from tests.pages.conftest import PAGES, TIMEOUT, click, open_page, texts
from ui.text import as_text

DEMO = {"fellow": "fellow@demo.org", "mentor": "mentor@demo.org", "director": "director@demo.org"}


def by_label(widgets, label: str):
    return next(widget for widget in widgets if widget.label == label)


# The demo program has network entries of its own; the tests look only at the one they add.
NEW_ENTRY = "mentor_name LIKE 'Dr. Rivera%'"


def test_adding_an_outside_mentor_for_social_ends_the_missing_domain_warning(demo_db, app_store):
    at = open_page(app_store, "network.py", DEMO["fellow"])
    warnings = " ".join(str(w.value) for w in at.warning)
    assert "No mentor for Social/interpersonal" in warnings
    assert guidance_sentence() in warnings
    assert any(len(frame.value) for frame in at.dataframe)  # the table behind the chart
    assert len(at.get("plotly_chart")) == 1

    by_label(at.text_input, "Or someone outside the program").input("Dr. Rivera (peer mentor)")
    by_label(at.multiselect, "Domains they mentor you in").select("social")
    click(at, "Add to my network")

    assert not at.warning
    assert "Added Dr. Rivera (peer mentor) for Social/interpersonal." in texts(at)
    assert "Every domain" in texts(at)
    assert "Dr. Rivera (peer mentor) · Social/interpersonal" in texts(at)
    rows = app_store.query_all(f"SELECT mentor_name, domain, removed_at FROM network_entries WHERE {NEW_ENTRY}")
    assert rows == [("Dr. Rivera (peer mentor)", "social", None)]

    # Removing the entry brings the warning back, and keeps the row as history.
    entry_id = app_store.query_one(f"SELECT entry_id FROM network_entries WHERE {NEW_ENTRY}")[0]
    by_label_key = next(button for button in at.button if button.key == f"remove-{entry_id}")
    by_label_key.click()
    at.run()
    assert "No mentor for Social/interpersonal" in " ".join(str(w.value) for w in at.warning)
    assert app_store.query_one(f"SELECT removed_at IS NOT NULL FROM network_entries WHERE {NEW_ENTRY}")[0]


def test_a_refused_mentor_shows_the_reason_and_stores_nothing(demo_db, app_store):
    before = app_store.query_one("SELECT count(*) FROM network_entries")[0]
    at = open_page(app_store, "network.py", DEMO["fellow"])
    by_label(at.text_input, "Or someone outside the program").input("Dr. Rivera")
    click(at, "Add to my network")
    assert "Choose at least one domain" in " ".join(str(e.value) for e in at.error)
    assert app_store.query_one("SELECT count(*) FROM network_entries")[0] == before


def _cumulative_table(at: AppTest):
    return next(frame.value for frame in at.dataframe if "cumulative" in frame.value.columns)


def _log(at: AppTest, kind: str, title: str, identifier_kind: str | None, identifier: str) -> AppTest:
    by_label(at.selectbox, "Kind").select(kind)
    by_label(at.text_input, "Title").input(title)
    by_label(at.selectbox, "Identifier (optional)").select(identifier_kind)
    by_label(at.text_input, "DOI, PMID or grant number").input(identifier)
    return click(at, "Log output")


def test_logging_a_publication_with_a_doi_grows_the_cumulative_table(demo_db, app_store):
    at = open_page(app_store, "outputs.py", DEMO["fellow"])
    if not at.dataframe:  # the demo fellow may start without outputs: log a first one
        _log(at, "abstract", "Venetoclax-based regimens in older adults", None, "")
    before = _cumulative_table(at)
    publications = (
        int(before.loc[before["kind"] == "Publication", "cumulative"].max()) if "Publication" in set(before["kind"]) else 0
    )
    _log(at, "publication", "Outcomes of CAR T-cell therapy in older adults", "doi", "https://doi.org/10.1182/blood.2026000123")
    assert "Logged: publication 'Outcomes of CAR T-cell therapy in older adults'" in texts(at)
    after = _cumulative_table(at)
    assert int(after.loc[after["kind"] == "Publication", "cumulative"].max()) == publications + 1
    assert after["cumulative"].sum() > before["cumulative"].sum()
    stored = app_store.query_all("SELECT kind, identifier_kind, identifier FROM outputs WHERE identifier IS NOT NULL")
    assert ("publication", "doi", "10.1182/blood.2026000123") in stored
    # The form is empty again for the next output.
    assert by_label(at.text_input, "Title").value == ""


def test_a_bad_doi_gets_the_message_and_stores_nothing(demo_db, app_store):
    at = open_page(app_store, "outputs.py", DEMO["fellow"])
    before = app_store.query_all("SELECT * FROM outputs ORDER BY output_id")
    _log(at, "publication", "A paper with a broken DOI", "doi", "10.12/not-a-doi")
    errors = " ".join(str(e.value) for e in at.error)
    assert as_text("'10.12/not-a-doi' is not a DOI") in errors  # the typed DOI shown as text
    assert app_store.query_all("SELECT * FROM outputs ORDER BY output_id") == before
    assert by_label(at.text_input, "Title").value == "A paper with a broken DOI"  # kept for correcting


@pytest.mark.parametrize("page", ["network.py", "outputs.py"])
@pytest.mark.parametrize("role", ["mentor", "director"])
def test_mentors_and_directors_get_not_available(demo_db, app_store, page, role):
    at = open_page(app_store, page, DEMO[role])
    assert "This page is not available" in texts(at)
    assert not any(len(at.get(kind)) for kind in ("dataframe", "plotly_chart", "metric", "form"))


@pytest.mark.parametrize("page", ["network.py", "outputs.py"])
def test_a_visitor_who_has_not_signed_in_sees_nothing(demo_db, page):
    at = AppTest.from_file(str(PAGES / page), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert "This page is not available" in texts(at)
    assert not at.dataframe
