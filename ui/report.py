"""The review report's download: a period range, the paper, and one click that makes the PDF.

The PDF is made only when the button is clicked (Streamlit runs the button's callable then, on its own
thread), never on a rerun: drawing its charts takes seconds. Made once per viewer, subject, range, paper,
day and the change counters of what the viewer may see (ui.data.version_of: another server's write moves
them too), and kept a few minutes, so a second click on the same report is instant. The click may come long
after the page was drawn: the tab's sign-in is checked again then, so a tab left open after "sign out
everywhere" or the session's end makes nothing.
"""

from datetime import date

import streamlit as st

from analytics import auth
from analytics.errors import AccessDenied
from analytics.people import Viewer
from analytics.periods import period_label
from analytics.report import report_periods, review_report
from charts.report import report_file_name, review_report_pdf
from ui.data import program_settings, version_of
from ui.resources import AppResources, now, today
from ui.text import as_text
from ui.viewer import TOKEN_KEY

PAPER_NAMES = {"A4": "A4", "Letter": "US Letter"}
DEFAULT_PERIODS = 8  # two years of quarters: the range a semiannual review usually looks back over


@st.cache_data(max_entries=512, ttl=3600, show_spinner=False)
def _periods(
    _resources: AppResources, db_path: str, version: tuple[int, ...], viewer: Viewer, subject_id: int, day: date
) -> list[date]:
    return report_periods(_resources.store, _resources.catalogue, viewer, subject_id, day)


@st.cache_data(max_entries=8, ttl=600, show_spinner=False)
def _pdf(
    _resources: AppResources,
    db_path: str,
    version: tuple[int, ...],
    viewer: Viewer,
    subject_id: int,
    first: date,
    last: date,
    paper: str,
    day: date,
) -> bytes:
    report = review_report(_resources.store, _resources.catalogue, viewer, subject_id, first, last, day)
    return review_report_pdf(report, _resources.catalogue, paper)


def periods_offered(resources: AppResources, viewer: Viewer, subject_id: int, day: date) -> list[date]:
    """The periods a report about `subject_id` may cover (analytics.report.report_periods), cached."""
    return _periods(resources, resources.store.path, version_of(resources, viewer), viewer, subject_id, day)


def report_pdf(
    resources: AppResources,
    viewer: Viewer,
    version: tuple[int, ...],
    token: str | None,
    subject_id: int,
    first: date,
    last: date,
    paper: str,
) -> bytes:
    """The review report's PDF (analytics.report gathers, charts.report draws), cached by viewer and the counters
    `version` read when the page was drawn; made only while the tab's sign-in `token` still signs the viewer in."""
    store = resources.store
    if token is not None:
        still = auth.viewer_for_token(store, token, now(resources.settings))
        if still is None or still.person_id != viewer.person_id:
            raise AccessDenied("You are signed out: sign in again to make the report.")
    day = today(resources.settings)
    return _pdf(resources, store.path, version, viewer, subject_id, first, last, paper, day)


def report_download(resources: AppResources, viewer: Viewer, subject_id: int, label: str, key: str) -> None:
    """A period range, the paper and the download button labelled `label` (Markdown: escape typed names)."""
    day = today(resources.settings)
    periods = periods_offered(resources, viewer, subject_id, day)
    months = program_settings(resources, viewer)["period_months"]
    labels = {start: period_label(start, months) for start in periods}
    columns = st.columns([3, 2])
    if len(periods) > 1:
        first, last = columns[0].select_slider(
            "Periods in the report",
            options=periods,
            value=(periods[max(0, len(periods) - DEFAULT_PERIODS)], periods[-1]),
            format_func=labels.get,
            key=f"{key}-range",
        )
    else:
        first = last = periods[0]
        columns[0].caption(f"Periods in the report: {labels[first]}")
    version, token = version_of(resources, viewer), st.session_state.get(TOKEN_KEY)  # read now: the click comes later
    paper = columns[1].radio("Paper", list(PAPER_NAMES), format_func=PAPER_NAMES.get, horizontal=True, key=f"{key}-paper")
    st.download_button(
        label,
        data=lambda: report_pdf(resources, viewer, version, token, subject_id, first, last, paper),
        file_name=report_file_name(first, last, paper, day),
        mime="application/pdf",
        on_click="ignore",
        icon=":material/picture_as_pdf:",
        key=f"{key}-download",
        help="Self-ratings, the mentors' view, goals, meetings, process steps and outputs of the chosen periods, "
        "with the charts as on these pages. Takes a few seconds to make.",
    )


def mentee_report_label(name: str) -> str:
    return f"Download {as_text(name)}'s review report (PDF)"
