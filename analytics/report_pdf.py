"""The review report laid out as a PDF (fpdf2): selectable text, A4 or US Letter, readable in greyscale.

Every text a person typed (names, goal titles, outputs, mentor names) is written as plain text: no Markdown,
no HTML and no link is read from it (fpdf2's `markdown` stays off and no cell gets a link), so a goal titled
`**x**` or `<a href=...>` prints as typed. The charts come in as PNG images already drawn (charts/report.py);
greyscale holds because each view keeps its marker and dash (charts/style.py), and every chart's numbers are
also in the text or a table beside it.
"""

import io
import secrets
from pathlib import Path

import pandas as pd
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from analytics.instruments import Catalogue
from analytics.report import ReviewReport, process_instrument, self_instruments

PAPERS = {"A4": "A4", "Letter": "Letter"}  # fpdf2's names for ISO A4 and US Letter
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")  # Debian's fonts-dejavu-core: every Latin, Greek and Cyrillic letter
FONT = "DejaVu"
MARGIN = 15  # mm
BODY = 10  # pt
MAX_IMAGE_HEIGHT = 0.62  # of the page's printable height: a tall chart (five step panels) leaves room for its text
MIN_IMAGE_WIDTH = 0.6  # of the printable width: a chart shrunk to fit the rest of a page stays readable
SECTIONS = (
    "Self-ratings over time",
    "What to work on next",
    "My mentors' view, and the largest gaps",
    "Goals against their target lines",
    "Meetings against the agreement",
    "The five process steps, as both sides see them",
    "Outputs over time",
)


class _Report(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self._font(8)
        self.cell(0, 5, f"{self.footer_text} · page {self.page_no()} of {self.str_alias_nb_pages}", align="C")

    def _font(self, size: float, bold: bool = False) -> None:
        self.set_font(self.family, "B" if bold else "", size)

    family = FONT


def _pdf(paper: str) -> _Report:
    pdf = _Report(format=PAPERS[paper], unit="mm")
    if (FONT_DIR / "DejaVuSans.ttf").exists() and (FONT_DIR / "DejaVuSans-Bold.ttf").exists():
        pdf.add_font(FONT, "", FONT_DIR / "DejaVuSans.ttf")
        pdf.add_font(FONT, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    else:  # no DejaVu: the PDF core font, whose Latin-1 letters cover most names (others print as "?")
        pdf.family = "helvetica"
    # fpdf2 writes the page count wherever "{nb}" appears, typed text included: an unguessable alias instead.
    pdf.alias_nb_pages(f"{{pages-{secrets.token_hex(8)}}}")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=18)
    return pdf


def _text(pdf: _Report, text: object) -> str:
    """`text` as the font can write it: as typed with DejaVu, Latin-1 with the core font."""
    text = str(text)
    if pdf.family == FONT:
        return text
    return text.encode("latin-1", "replace").decode("latin-1")


def _line(pdf: _Report, text: object, size: float = BODY, bold: bool = False, height: float = 5.2) -> None:
    pdf._font(size, bold)
    pdf.multi_cell(0, height, _text(pdf, text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _heading(pdf: _Report, text: str, first: bool = False) -> None:
    if not first and pdf.get_y() > pdf.h * 0.7:
        pdf.add_page()
    pdf.ln(4)
    _line(pdf, text, size=14, bold=True, height=7)
    pdf.ln(1)


def _subheading(pdf: _Report, text: str) -> None:
    """A bold line that starts a block (a pair, an instrument): never the last line of a page."""
    if pdf.h - 18 - pdf.get_y() < 50:
        pdf.add_page()
    _line(pdf, text, bold=True)


def _image(pdf: _Report, images: dict[str, bytes], key: str, alt: str) -> None:
    data = images.get(key)
    if data is None:
        return
    from PIL import Image  # fpdf2's own dependency

    with Image.open(io.BytesIO(data)) as picture:
        ratio = picture.height / picture.width
    # Full width, but never taller than MAX_IMAGE_HEIGHT of the page; shrunk to the room left on the page
    # when that keeps it at least MIN_IMAGE_WIDTH wide (rather than leaving half a page blank).
    width = min(pdf.epw, pdf.eph * MAX_IMAGE_HEIGHT / ratio)
    room = pdf.h - 18 - pdf.get_y()
    if width * ratio > room:
        if room / ratio >= pdf.epw * MIN_IMAGE_WIDTH:
            width = room / ratio
        else:
            pdf.add_page()
    height = width * ratio
    pdf.image(io.BytesIO(data), x=pdf.l_margin, w=width, h=height, alt_text=_text(pdf, alt))
    pdf.ln(2)


def _number(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value)}"
    return str(value)


def _table(pdf: _Report, frame: pd.DataFrame, headings: dict[str, str], widths: tuple[float, ...] | None = None) -> None:
    """The columns of `headings` (column: heading), every cell plain text."""
    if frame.empty:
        return
    pdf._font(8.5)
    with pdf.table(
        col_widths=widths, text_align="LEFT", markdown=False, line_height=4.6, first_row_as_headings=True, padding=1
    ) as table:
        row = table.row()
        for heading in headings.values():
            row.cell(_text(pdf, heading))
        for values in frame[list(headings)].itertuples(index=False):
            row = table.row()
            for value in values:
                row.cell(_text(pdf, value if isinstance(value, str) else _number(value)))
    pdf.ln(2)


def _none(pdf: _Report, text: str) -> None:
    _line(pdf, text, size=BODY)


def write_report_pdf(report: ReviewReport, catalogue: Catalogue, images: dict[str, bytes], paper: str = "A4") -> bytes:
    """The PDF of `report` on `paper` (A4 or Letter), with `images` (charts/report.py's keys) where they belong."""
    pdf = _pdf(paper)
    role = "a mentor's report about a mentee" if report.for_mentor else "a fellow's own report"
    pdf.footer_text = _text(pdf, f"Review report: {report.person}, {report.period_range}")
    pdf.set_title(_text(pdf, f"Review report: {report.person}"))
    pdf.set_author(_text(pdf, report.prepared_by))
    pdf.set_creator("Mentorship self-assessment dashboard")
    pdf.add_page()

    _line(pdf, "Review report", size=20, bold=True, height=9)
    _line(
        pdf,
        f"{report.person} · {report.program} · {report.period_range} · made {report.made_on:%d %B %Y}",
        size=11,
        bold=True,
        height=6,
    )
    by = f"Prepared by {report.prepared_by} ({role}): it holds only what {report.person} shares with them."
    _line(pdf, by if report.for_mentor else f"Prepared by {report.prepared_by} ({role}).", size=9)
    for sentence in report.not_shared:
        _line(pdf, f"Not shared: {sentence}", size=9)

    _heading(pdf, SECTIONS[0], first=True)
    instruments = self_instruments(report, catalogue)
    if report.history is None:
        _none(pdf, f"{report.person} does not share their self-assessments with you.")
    elif not instruments:
        _none(pdf, "No self-assessment in this range.")
    for instrument in instruments:
        assert report.snapshot is not None
        scale = ", ".join(f"{point.value} {point.label}" for point in instrument.scale)
        _subheading(pdf, f"{instrument.title} ({scale})")
        _image(pdf, images, f"trend:{instrument.id}", f"{instrument.title}: ratings over time")
        _image(pdf, images, f"first-latest:{instrument.id}", f"{instrument.title}: first and latest")
        mine = report.snapshot[report.snapshot["instrument_id"] == instrument.id]
        _table(pdf, mine, {"quality": "Quality", "first": "First", "latest": "Latest", "change": "Change"}, (70, 10, 10, 10))

    _heading(pdf, SECTIONS[1])
    if report.lowest is None:
        _none(pdf, f"{report.person} does not share their self-assessments with you.")
    elif report.lowest.empty:
        _none(pdf, "No self-assessment in this range.")
    else:
        _line(pdf, "The lowest latest self-ratings, each with the sentence it comes from:", size=9)
        for row in report.lowest.itertuples():
            _line(pdf, f"{row.quality}: {_number(row.latest)} (first {_number(row.first)})", bold=True)
            if row.guidance:
                _line(pdf, row.guidance, size=9)
            pdf.ln(1)

    _heading(pdf, SECTIONS[2] if not report.for_mentor else "Their self-view beside my view, and the largest gaps")
    if report.views is None or report.views.empty:
        _none(pdf, "No ratings in this range.")
    else:
        _image(pdf, images, "views", "Self-view and mentors' view over time")
        _image(pdf, images, "gaps", "Latest ratings, largest gap first")
        assert report.gaps is not None
        views = [column for column in report.gaps.columns if column not in ("item_id", "quality", "gap")]
        widths = (60.0, *([30.0] * len(views)), 12.0)
        _table(pdf, report.gaps, {"quality": "Quality", **{v: v for v in views}, "gap": "Gap"}, widths)

    _heading(pdf, SECTIONS[3])
    if report.goals is None:
        _none(pdf, f"{report.person} does not share their goals with you.")
    elif report.goals.empty:
        _none(pdf, "No goals in this range.")
    else:
        _image(pdf, images, "goals", "Goals on one timeline")
        goals = report.goals.assign(target=[f"{day:%Y-%m-%d}" for day in report.goals["target_date"]])
        _table(
            pdf,
            goals,
            {
                "title": "Goal",
                "category": "Category",
                "status": "Status",
                "pace": "Pace",
                "percent_done": "Done (%)",
                "expected_percent_today": "On track would be (%)",
                "target": "Target date",
            },
            (55, 20, 18, 18, 14, 20, 22),
        )
        for goal in report.goals.itertuples():
            _image(pdf, images, f"goal:{goal.goal_id}", f"Goal progress: {goal.title}")

    _heading(pdf, SECTIONS[4])
    if not report.pairs:
        _none(pdf, "No mentoring pair.")
    for pair in report.pairs:
        _subheading(pdf, f"Pair {pair.label}")
        _line(pdf, pair.agreement, size=9)
        if f"meetings:{pair.pair_id}" in images:
            _image(pdf, images, f"meetings:{pair.pair_id}", f"Meetings held per month, {pair.label}")
        else:
            _none(pdf, "No meeting held in this range.")

    _heading(pdf, SECTIONS[5])
    steps = process_instrument(catalogue)
    for pair in report.pairs:
        _subheading(pdf, f"Pair {pair.label}")
        if pair.process.empty:
            _none(pdf, "Neither side rated the process steps in this range.")
            continue
        _image(pdf, images, f"process:{pair.pair_id}", f"The process steps over time, {pair.label}")
        sides = [column for column in pair.process_gaps.columns if column not in ("item_id", "quality", "gap")]
        for row in pair.process_gaps.itertuples(index=False):
            values = dict(zip(pair.process_gaps.columns, row, strict=True))
            ratings = ", ".join(f"{side} {_number(values[side])}" for side in sides if pd.notna(values[side]))
            _line(pdf, f"{values['quality']}: {ratings}", size=9, bold=True)
            known = {item.id for item in steps.items}
            if values["item_id"] in known:
                _line(pdf, steps.origin_of(steps.item(values["item_id"])), size=8.5)

    _heading(pdf, SECTIONS[6])
    if report.outputs is None:
        _none(pdf, f"{report.person} does not share their outputs with you.")
    elif report.outputs.empty:
        _none(pdf, "No outputs in this range.")
    else:
        _image(pdf, images, "outputs", "Outputs over time")
        logged = report.outputs.assign(
            on=[f"{day:%Y-%m-%d}" for day in report.outputs["happened_on"]],
            id=[
                f"{k.upper()} {v}" if isinstance(v, str) and isinstance(k, str) else ""
                for k, v in zip(report.outputs["identifier_kind"], report.outputs["identifier"], strict=True)
            ],
        )
        _table(pdf, logged, {"on": "Date", "kind": "Kind", "title": "Title", "id": "Identifier"}, (20, 22, 90, 45))
    return bytes(pdf.output())
