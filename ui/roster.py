"""Building blocks of the directors' People page: people shown as text, the roster file's check, and an
import with a progress bar."""

import pandas as pd
import streamlit as st

from analytics import roster
from analytics.people import Viewer
from ui.notices import refusals
from ui.resources import AppResources, now
from ui.tables import show_table
from ui.text import as_text

PEOPLE_COLUMNS = {
    "full_name": "Name",
    "email": "Email",
    "roles": "Roles",
    "cohort": "Cohort",
    "active": "Active",
    "has_password": "Has a password",
}
PREVIEW_COLUMNS = {
    "line": "Line",
    "status": "Status",
    "full_name": "full_name",
    "email": "email",
    "roles": "roles",
    "cohort": "cohort",
    "problems": "Problems",
}


def people_table(people: pd.DataFrame) -> pd.DataFrame:
    """The columns of `roster.people_list` a director reads, with plain headings."""
    return people[list(PEOPLE_COLUMNS)].rename(columns=PEOPLE_COLUMNS)


def person_label(person) -> str:
    """'Name · email' for a row of `roster.people_list`, with its state."""
    label = f"{person.full_name} · {person.email}"
    if not person.active:
        label += " (deactivated)"
    elif not person.has_password:
        label += " (no password yet)"
    return label


def show_roster_check(check: roster.RosterCheck) -> None:
    """The file's problems by line number, and a preview with each row's status. Text is shown as text."""
    if check.refused:
        for line, message in check.errors:
            st.error(as_text(f"Line {line}: {message}" if line else message))
        return
    ready = len(check.valid_rows)
    problem_rows = check.rows - ready
    if check.errors:
        st.error(
            as_text(
                f"{problem_rows} of {check.rows} rows have problems. Nothing has been imported. "
                "Correct the file and upload it again, or import the valid rows only."
            )
        )
        errors = pd.DataFrame(check.errors, columns=["Line", "Problem"])
        show_table(errors, key="roster-errors", file_name="roster-problems.csv")
    else:
        st.info(as_text(f"All {check.rows} rows are ready to import."))
    st.caption("Preview of the file")
    show_table(check.preview.rename(columns=PREVIEW_COLUMNS), key="roster-preview", file_name="roster-preview.csv")


def import_button_label(check: roster.RosterCheck) -> str | None:
    """What the import button says, or None when nothing can be imported."""
    count = len(check.valid_rows)
    if not count:
        return None
    if check.errors:
        return f"Import the {count} valid row{'s' if count != 1 else ''} only"
    return f"Import {count} {'person' if count == 1 else 'people'}"


def import_with_progress(resources: AppResources, viewer: Viewer, rows: list[dict]) -> int | None:
    """Import the rows in one transaction with a progress bar; the number added, or None after an error shown."""
    bar = st.progress(0.0, text="Importing...")

    def progress(done: int, total: int) -> None:
        bar.progress(done / total if total else 1.0, text=f"Importing: {done:,} of {total:,}")

    with refusals(then=bar.empty):
        added = roster.import_roster(resources.store, viewer, rows, now(resources.settings), progress=progress)
        bar.progress(1.0, text=f"Imported {added:,}.")
        return added
    return None
