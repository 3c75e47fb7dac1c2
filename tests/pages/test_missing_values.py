"""No table says "None": every page of every demo role, every table on it, read as a person would see it.

st.dataframe writes "None" for a missing value unless it is given a placeholder; ui.tables.show_table
gives a blank, and "not yet" where a value has not happened yet; its CSV keeps blanks.
"""

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.conftest import open_page
from tests.pages.test_page_guards import DEMO, PAGE_ROLES
from tests.robustness.downloads import download_bytes, kept_downloads

WORDS = {"None", "none", "nan", "NaN", "NaT", "<NA>", "null"}


def as_shown(element) -> dict[str, list[str]]:
    """Every cell of an st.dataframe or st.table element as the browser writes it, by column."""
    frame = element.value
    placeholder = element.proto.placeholder if element.type == "dataframe" and element.proto.HasField("placeholder") else None
    missing_as = "None" if placeholder is None else placeholder  # Streamlit's own word, without a placeholder
    return {str(column): [missing_as if _missing(value) else str(value) for value in frame[column]] for column in frame.columns}


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, list | tuple) and bool(pd.isna(value)))


def bad_cells(at: AppTest) -> list[tuple[str, str]]:
    return [
        (column, text)
        for kind in ("dataframe", "table")
        for element in at.get(kind)
        for column, texts in as_shown(element).items()
        for text in texts
        if text.strip() in WORDS
    ]


PAGES = [(role, page) for role in sorted(DEMO) for page, roles in sorted(PAGE_ROLES.items()) if role in roles]


@pytest.mark.parametrize(("role", "page"), PAGES)
def test_no_table_cell_shows_none(demo_db, app_store, role, page):
    at = open_page(app_store, page, DEMO[role])
    assert bad_cells(at) == [], (role, page)
    if page == "mentees.py":  # every mentee's own tables too
        mentees = app_store.query_all(
            "SELECT p.mentee_id, f.full_name FROM pairs p JOIN people m ON m.person_id = p.mentor_id "
            "JOIN people f ON f.person_id = p.mentee_id WHERE m.email = ? AND p.ended_on IS NULL ORDER BY 1",
            [DEMO[role]],
        )
        assert sorted(name for _, name in mentees) == sorted(at.selectbox(key="open-mentee").options)
        for mentee_id, name in mentees:
            at.selectbox(key="open-mentee").set_value(mentee_id).run()
            assert not at.exception, at.exception
            assert bad_cells(at) == [], (role, page, name)


def test_the_demo_has_missing_values_to_show(demo_db, app_store):
    """The walk above is worth something only if the demo's tables hold missing values."""
    at = open_page(app_store, "pairs.py", DEMO["director"])
    assert any(element.value.isna().any().any() for element in at.dataframe)


def a_table_with_gaps():
    import datetime as dt

    import pandas as pd
    import streamlit as st

    from ui.tables import show_table

    frame = pd.DataFrame(
        {
            "mentee": ["Ana", "Ben"],
            "cohort": ["A", None],
            "last_meeting": [dt.date(2026, 11, 13), None],
            "my_latest_rating": [4.33, float("nan")],
        }
    )
    show_table(
        frame,
        key="gaps",
        file_name="gaps.csv",
        column_config={
            "last_meeting": st.column_config.DateColumn("Last meeting", format="D MMM YYYY"),
            "my_latest_rating": st.column_config.NumberColumn("My rating", format="%.1f", help="latest"),
        },
        not_yet=["last_meeting", "my_latest_rating"],
    )


def test_a_missing_value_is_blank_or_not_yet_and_blank_in_the_csv(monkeypatch):
    with kept_downloads(monkeypatch):
        at = AppTest.from_function(a_table_with_gaps).run()
        assert not at.exception, at.exception
        [table] = at.dataframe
        assert as_shown(table) == {
            "mentee": ["Ana", "Ben"],
            "cohort": ["A", ""],
            "last_meeting": ["2026-11-13", "not yet"],
            "my_latest_rating": ["4.3", "not yet"],
        }
        assert '"label": "My rating"' in table.proto.columns and '"help": "latest"' in table.proto.columns
        csv = download_bytes(at.get("download_button")[0]).decode()
    assert csv.splitlines() == ["mentee,cohort,Last meeting,My rating", "Ana,A,2026-11-13,4.33", "Ben,,,"]


def a_long_table():
    import pandas as pd

    from ui.tables import show_table

    show_table(pd.DataFrame({"person": [f"P{n}" for n in range(1, 1201)]}), key="long", file_name="long.csv")


def test_a_long_table_is_sent_a_window_at_a_time_and_its_csv_holds_every_row(monkeypatch):
    """A large program's people or pairs: 500 rows at a time, the window chosen beside the table."""
    with kept_downloads(monkeypatch):
        at = AppTest.from_function(a_long_table).run()
        assert not at.exception, at.exception
        [table] = at.dataframe
        assert list(table.value["person"]) == [f"P{n}" for n in range(1, 501)]
        window = at.selectbox(key="long-window")
        assert window.options == ["1-500 of 1,200", "501-1,000 of 1,200", "1,001-1,200 of 1,200"]
        window.select(1000).run()
        assert list(at.dataframe[0].value["person"]) == [f"P{n}" for n in range(1001, 1201)]
        csv = download_bytes(at.get("download_button")[0]).decode()
    assert csv.splitlines() == ["person", *(f"P{n}" for n in range(1, 1201))]
