"""The review report (issue 18): what it gathers, who may make it, and the PDF itself read back with poppler.

The PDF tests draw the report's charts with Debian's Chromium (through kaleido) and read the PDF with
`pdftotext` and `pdftoppm` (poppler-utils); without them they skip with the reason, except in CI, where
they fail. Both reports are built once for the module: drawing takes seconds.
"""

import os
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest

from analytics.errors import AccessDenied, InputError
from analytics.goals import create_goal
from analytics.instruments import load_catalogue
from analytics.outputs import log_output
from analytics.people import load_viewer
from analytics.registry import register_catalogue
from analytics.report import report_periods, review_report
from analytics.report_pdf import SECTIONS
from analytics.sharing import set_sharing
from analytics.store import Store
from charts.report import report_figures, review_report_pdf
from tests.conftest import NOW, TODAY

FELLOW, MENTOR, OTHER_MENTOR = "fellow@demo.org", "mentor@demo.org", "quinn.novak@demo.org"
# Typed text with Markdown, HTML and a spreadsheet formula in it: printed as typed, never applied.
GOAL_CANARY = "ZQXGOAL **bold** <b>tag</b> =HYPERLINK(1) {nb}"  # {nb}: fpdf2's page-count alias by default
OUTPUT_CANARY = "ZQXOUTPUT [link](javascript:x) <i>it</i>"


def person_id(store, email: str) -> int:
    return store.query_one("SELECT person_id FROM people WHERE email = $email", {"email": email})[0]


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (apt-get install poppler-utils chromium); the report's PDF tests need it"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message + " and CI must run them")
        pytest.skip(message)
    return path


def pdf_text(path: Path) -> str:
    """The PDF's text as a reader selects it (pdftotext), lines joined so a wrapped cell reads whole."""
    out = subprocess.run([tool("pdftotext"), str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())


def page_size(path: Path) -> str:
    info = subprocess.run([tool("pdfinfo"), str(path)], capture_output=True, text=True, check=True).stdout
    return next(line for line in info.splitlines() if line.startswith("Page size:"))


def rendered_pages(path: Path, out_dir: Path) -> list[Path]:
    subprocess.run([tool("pdftoppm"), "-r", "40", "-png", str(path), str(out_dir / "page")], check=True)
    return sorted(out_dir.glob("page-*.png"))


@pytest.fixture(scope="module")
def demo(demo_template, tmp_path_factory):
    """The demo with a goal and an output of the fellow holding canaries; the fellow shares only their
    self-assessments with the mentor (not goals, not outputs)."""
    path = tmp_path_factory.mktemp("report") / "demo.duckdb"
    shutil.copy(demo_template, path)
    with Store(path) as store:
        catalogue = register_catalogue(store, load_catalogue(), NOW)
        fellow = load_viewer(store, person_id(store, FELLOW))
        mentor = load_viewer(store, person_id(store, MENTOR))
        create_goal(store, fellow, GOAL_CANARY, "research", "percent", 100, TODAY + timedelta(days=200), TODAY, NOW)
        log_output(store, fellow, "publication", OUTPUT_CANARY, TODAY - timedelta(days=20), TODAY, NOW)
        kinds = {"self_assessments": True, "goals": False, "outputs": False}
        set_sharing(store, fellow, {(mentor.person_id, kind): shared for kind, shared in kinds.items()}, NOW)
        yield store, catalogue, fellow, mentor


def whole_range(demo, viewer):
    store, catalogue, fellow, _ = demo
    periods = report_periods(store, catalogue, viewer, fellow.person_id, TODAY)
    return periods[0], periods[-1]


@pytest.fixture(scope="module")
def fellow_pdf(demo, tmp_path_factory):
    store, catalogue, fellow, _ = demo
    report = review_report(store, catalogue, fellow, fellow.person_id, *whole_range(demo, fellow), TODAY)
    path = tmp_path_factory.mktemp("fellow-pdf") / "report.pdf"
    path.write_bytes(review_report_pdf(report, catalogue, "A4"))
    return report, path


@pytest.fixture(scope="module")
def mentor_pdf(demo, tmp_path_factory):
    store, catalogue, fellow, mentor = demo
    report = review_report(store, catalogue, mentor, fellow.person_id, *whole_range(demo, mentor), TODAY)
    path = tmp_path_factory.mktemp("mentor-pdf") / "report.pdf"
    path.write_bytes(review_report_pdf(report, catalogue, "Letter"))
    return report, path


def test_the_fellows_report_names_them_and_holds_every_section(fellow_pdf, tmp_path):
    report, path = fellow_pdf
    text = pdf_text(path)
    cover = f"{report.person} · Demo Hematology Fellowship · {report.period_range} · made 26 November 2026"
    assert cover in text
    assert report.period_range == "2024 Q4 to 2026 Q4"
    for section in SECTIONS:
        assert section in text, section
    assert "Zoe Xu" in text and "Quinn Novak" in text  # both mentors' views and both pairs
    assert "From the guidance:" in text  # the lowest items and the process steps each with its sentence
    assert "the agreement asks for about" in text
    assert "595.28 x 841.89 pts" in page_size(path)  # A4
    pages = rendered_pages(path, tmp_path)
    assert len(pages) >= 5 and all(page.stat().st_size > 5000 for page in pages)  # drawn, not blank


def test_typed_text_prints_as_typed(fellow_pdf):
    text = pdf_text(fellow_pdf[1])
    for token in [*GOAL_CANARY.split(), *OUTPUT_CANARY.split()]:
        assert token in text, token


def test_the_mentors_report_holds_only_what_the_mentee_shares(mentor_pdf, tmp_path):
    report, path = mentor_pdf
    text = pdf_text(path)
    assert report.for_mentor and "Nadia Evans" in text and "Prepared by Zoe Xu" in text
    assert "612 x 792 pts" in page_size(path)  # US Letter, 8.5 x 11 in
    assert "does not share their goals and their progress with you" in text
    assert "does not share their outputs" in text
    assert "self-assessments" not in " ".join(report.not_shared)  # shared, so in the report
    assert "Self-view" in text and "Good-mentee qualities" in text
    for canary in ("ZQXGOAL", "ZQXOUTPUT", "Quinn Novak"):  # unshared records, and another mentor's ratings and pair
        assert canary not in text, canary
    assert len(rendered_pages(path, tmp_path)) >= 3


def test_a_report_and_its_range_come_only_to_the_fellow_and_their_mentors(demo):
    """Every person of the program tried: only the fellow and their mentors (current or former) get a report."""
    store, catalogue, fellow, _ = demo
    mentors = {row[0] for row in store.query_all("SELECT mentor_id FROM pairs WHERE mentee_id = $f", {"f": fellow.person_id})}
    everyone = [row[0] for row in store.query_all("SELECT person_id FROM people WHERE program_id = $p", {"p": fellow.program_id})]
    allowed = 0
    for someone in everyone:
        viewer = load_viewer(store, someone)
        if viewer is None:
            continue
        if someone == fellow.person_id or someone in mentors:
            review_report(store, catalogue, viewer, fellow.person_id, TODAY, TODAY, TODAY)
            allowed += 1
        else:
            with pytest.raises(AccessDenied):
                review_report(store, catalogue, viewer, fellow.person_id, TODAY, TODAY, TODAY)
            with pytest.raises(AccessDenied):
                report_periods(store, catalogue, viewer, fellow.person_id, TODAY)
    assert allowed == 1 + len(mentors)


def test_a_mentors_report_gathers_nothing_unshared(demo):
    store, catalogue, fellow, mentor = demo
    report = review_report(store, catalogue, mentor, fellow.person_id, date(2020, 1, 1), TODAY, TODAY)
    assert report.goals is None and report.outputs is None and report.cumulative_outputs is None
    assert report.history is not None and not report.history.empty
    assert set(report.views["view"]) == {"Self-view", "Mentor: Zoe Xu"}
    assert [pair.label for pair in report.pairs] == ["with Zoe Xu (mentor, research)"]


def test_the_range_holds_only_its_periods(demo):
    store, catalogue, fellow, _ = demo
    one = date(2025, 4, 1)
    report = review_report(store, catalogue, fellow, fellow.person_id, one, one + timedelta(days=30), TODAY)
    assert report.period_range == "2025 Q2"
    assert set(report.history["period"]) == {"2025 Q2"}
    assert set(report.views["period"]) == {"2025 Q2"}
    for pair in report.pairs:
        assert set(pair.process["period"]) <= {"2025 Q2"}
        assert all(date(2025, 4, 1) <= month <= date(2025, 6, 30) for month in pair.frequency["month"])
    with pytest.raises(InputError):
        review_report(store, catalogue, fellow, fellow.person_id, TODAY, one, TODAY)


def test_every_line_of_a_chart_keeps_its_own_marker_and_dash_for_greyscale(demo):
    """Colour is never the only cue: within each figure of the report, lines differ by marker or dash."""
    store, catalogue, fellow, _ = demo
    report = review_report(store, catalogue, fellow, fellow.person_id, date(2024, 1, 1), TODAY, TODAY)
    figures = report_figures(report, catalogue)
    assert {"views", "gaps", "goals", "outputs", "trend:mentee-self", "first-latest:mentee-self"} <= set(figures)
    for key, figure in figures.items():
        looks = {}
        for trace in figure.data:
            if trace.type == "scatter" and trace.showlegend is not False and "lines" in (trace.mode or ""):
                looks.setdefault(trace.name, (trace.marker.symbol, trace.line.dash))
        assert len(set(looks.values())) == len(looks), (key, looks)
