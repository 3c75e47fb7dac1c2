"""A program's own instrument end to end (issue 14): the demo's 7-point instrument with subscales on the
dashboard, and one dropped into the program's folder reaching the form, the person's charts and the dashboard."""

import io
from datetime import date, datetime, time

import openpyxl
import streamlit as st

from analytics.assessments import submit_assessment
from analytics.dashboard_aggregates import participation_by_instrument
from analytics.instruments import load_catalogue
from analytics.people import load_viewer
from analytics.registry import register_catalogue
from tests.conftest import NOW, TODAY
from tests.pages.conftest import signed_in, texts
from tests.pages.test_assessment_pages import choose, rate_all, submit
from tests.pages.test_dashboard_page import in_tab, open_as
from tests.robustness.downloads import download_bytes, kept_downloads

MCA = "mentoring-competencies"  # demo/instruments/: 7 points, six competencies as subscales


def _distribution(at):
    frames = [element.value for element in at.dataframe]
    return next(f for f in frames if {"item_id", "mean", "rating_7"} <= set(f.columns))


def test_a_seven_point_rating_of_6_or_7_is_counted_in_the_distribution(demo_db, app_store):
    at = in_tab(open_as(app_store, "director@demo.org"), "Ratings")  # the distribution is on the Ratings tab
    instrument = next(box for box in at.selectbox if box.key == "dash_instrument")
    assert MCA in instrument.options or any("Mentoring competencies" in o for o in instrument.options)
    at = instrument.set_value(MCA).run()
    assert not at.exception, at.exception
    shown = _distribution(at)
    shown = shown[~shown["suppressed"].astype(bool)]
    assert len(shown), "a published period of the demo's own instrument"
    points = [f"rating_{v}" for v in range(1, 8)]
    assert "rating_0" not in shown and "rating_8" not in shown
    items = shown[~shown["item_id"].str.startswith("subscale:")]
    # Every answer lands in a column of the scale: in a period, each item counts as many answers as the others.
    answers = items.assign(answers=items[points].astype(int).sum(axis=1)).groupby("period_start")["answers"]
    assert (answers.nunique() == 1).all() and (answers.min() >= items.groupby("period_start")["n"].max()).all()
    assert int(items[["rating_6", "rating_7"]].astype(int).to_numpy().sum()) > 0
    # Beside the items, a mean per competency (subscale).
    assert shown["item_id"].str.startswith("subscale:").sum() >= 6


DROPPED = """
id = "research-readiness"
version = 1
title = "Research readiness: my self-assessment"
description = "Where do you stand on the skills a first grant needs?"
respondent = ["fellow"]
about = "self"
measures = "research readiness"
source = "Our program's research committee, 2026"

[scale]
points = [
  { value = 0, label = "Not started" },
  { value = 1, label = "Beginning" },
  { value = 2, label = "Developing" },
  { value = 3, label = "Confident" },
]

[[items]]
id = "question"
subscale = "Designing a study"
measures = "Framing a research question"
text = "I can frame a research question a study can answer."
reference = "Committee handbook, section 2"

[[items]]
id = "methods"
subscale = "Designing a study"
measures = "Choosing methods"
text = "I can choose methods that fit my question."

[[items]]
id = "budget"
subscale = "Funding it"
measures = "Writing a budget"
text = "I can write a grant budget and justify it."
"""


def test_a_program_instrument_file_dropped_into_the_folder_reaches_form_charts_dashboard_and_excel(
    demo_db, app_store, monkeypatch
):
    """No code changes: a file with `source`, subscales and a 0-based 4-point scale, dropped into the program's
    instrument folder before start, is on the fellow's form, in their charts, and on the director's dashboard
    and Excel."""
    folder = demo_db.parent / "program-instruments"  # the demo_db fixture points MENTORSHIP_PROGRAM_INSTRUMENTS here
    folder.mkdir(exist_ok=True)
    (folder / "research-readiness.toml").write_text(DROPPED, encoding="utf-8")

    at = signed_in("fellow@demo.org")
    at.switch_page("app_pages/assessments.py").run()
    at = choose(at, "Research readiness")
    shown = texts(at)
    assert "Our program's research committee, 2026" in shown.replace("\\", "")  # the form cites its source
    assert "Designing a study" in shown and "Funding it" in shown  # items grouped by subscale
    radios = [radio for radio in at.radio if radio.key.startswith("research-readiness:")]
    assert len(radios) == 3 and all(0 in radio.options or "0" in str(radio.options) for radio in radios)
    rate_all(at, 0, "research-readiness:")
    next(radio for radio in radios if radio.key.endswith(":budget")).set_value(3)
    at = submit(at)
    assert not at.exception and not at.error, [error.value for error in at.error]
    stored = app_store.query_all(
        """
        SELECT r.item_id, r.rating FROM responses r JOIN assessments a USING (assessment_id)
        WHERE a.instrument_id = 'research-readiness' ORDER BY r.item_id
        """
    )
    assert stored == [("budget", 3), ("methods", 0), ("question", 0)]  # a 0 is a rating, not a blank

    at.switch_page("app_pages/progress.py").run()
    assert not at.exception
    assert "Research readiness" in texts(at) or any("Research readiness" in chart.proto.spec for chart in at.get("plotly_chart"))
    history = next(
        frame
        for frame in (element.value for element in at.dataframe)
        if "budget" in frame.to_string() or "Writing a budget" in frame.to_string()
    )
    assert len(history)

    with kept_downloads(monkeypatch):
        at = open_as(app_store, "director@demo.org")
        instruments = next(box for box in at.selectbox if box.key == "dash_instrument")
        assert "research-readiness" in instruments.options or any("Research readiness" in str(o) for o in instruments.options)
        button = next(b for b in at.get("download_button") if b.proto.label == "Download all tables (Excel)")
        workbook = openpyxl.load_workbook(io.BytesIO(download_bytes(button)))
    cells = [str(cell.value) for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert any("Research readiness" in cell for cell in cells), "the instrument in the director's Excel (participation)"


def test_a_yearly_instrument_is_due_once_a_calendar_year(demo_db, app_store, monkeypatch):
    """Answered in 2026 Q3, a yearly instrument is done for the rest of 2026 and asked again in 2027 Q1."""
    folder = demo_db.parent / "program-instruments"
    folder.mkdir(exist_ok=True)
    (folder / "research-readiness.toml").write_text(
        DROPPED.replace('measures = "research readiness"', 'measures = "research readiness"\ncadence = "yearly"'),
        encoding="utf-8",
    )
    catalogue = register_catalogue(app_store, load_catalogue(program_dir=folder), NOW)
    assert catalogue.get("research-readiness").cadence == "yearly"
    fellow = load_viewer(app_store, app_store.query_one("SELECT person_id FROM people WHERE email = 'fellow@demo.org'")[0])
    summer = date(2026, 8, 14)
    submit_assessment(
        app_store,
        catalogue,
        fellow,
        "research-readiness",
        {"question": 1, "methods": 2, "budget": 0},
        today=summer,
        now=datetime.combine(summer, time(10)),
        submission_key="yearly-2026",
    )

    def research_readiness_form(today: date):
        monkeypatch.setenv("MENTORSHIP_TODAY", today.isoformat())
        st.cache_resource.clear()  # the app keeps its settings with its open store: a new day is a new start
        st.cache_data.clear()
        at = signed_in("fellow@demo.org")
        at.switch_page("app_pages/assessments.py").run()
        return choose(at, "Research readiness")

    # The director's participation counts that answer for the rest of 2026, not only for its own quarter.
    director = load_viewer(app_store, app_store.query_one("SELECT person_id FROM people WHERE email = 'director@demo.org'")[0])
    counted = participation_by_instrument(app_store, director, TODAY, catalogue=catalogue)
    counted = counted[counted["instrument_id"] == "research-readiness"].set_index("period_start")["submitted"]
    assert (counted[date(2026, 7, 1)], counted[date(2026, 10, 1)], counted[date(2026, 4, 1)]) == (1, 1, 0)

    answered = "You answered this on 14 Aug 2026"
    later_that_year = research_readiness_form(TODAY)  # 2026 Q4: done, so answering again only corrects it
    assert answered in texts(later_that_year), "done for 2026"
    next_year = research_readiness_form(date(2027, 1, 11))  # 2027 Q1
    assert not next_year.exception
    assert answered not in texts(next_year), "asked again in 2027"
    assert "Submit" in [button.label for button in next_year.button]
