"""The review report as a PDF: the same figures the pages show, drawn as images, laid out with the report's text.

Why here: a report's charts are plotly figures from this package's builders, and drawing them needs plotly
and a browser (kaleido), which only charts/ may import; the layout itself (fpdf2: text, tables, images as
bytes) is a file the app writes, so it sits in analytics/report_pdf.py beside exports.py, plotly-free and
testable without a browser. This module joins the two: analytics.report gathers, `report_figures` builds
every figure once, `draw` renders them all in one browser session, analytics.report_pdf lays them out.

Drawing: kaleido 1.x drives a Chromium through choreographer. It finds the browser through BROWSER_PATH,
else we hand it Debian's `chromium` from PATH; MathJax is off and plotly.js comes from the plotly package,
so nothing is fetched from the network. Starting the browser costs 3-7 s here and each image 0.3-1 s
once warm, so one browser draws all of a report's images, and stays open a few minutes for the next report
(`_Drawer`); reports are drawn one at a time per process (a second waits): a busy server never starts a
browser per visitor.
"""

import asyncio
import atexit
import concurrent.futures
import contextlib
import json
import os
import shutil
import threading
from collections.abc import Callable
from datetime import date
from typing import Any

import plotly.graph_objects as go
import plotly.io

from analytics.instruments import MENTEE_SELF, Catalogue
from analytics.report import ReviewReport, process_instrument, self_instruments
from analytics.report_pdf import PAPERS, write_report_pdf
from charts.goals import goal_progress, goals_timeline
from charts.mentoring import cumulative_outputs_chart, meeting_frequency_chart
from charts.ratings import first_vs_latest, gap_bars, ratings_over_time, views_over_time, views_per_item_over_time
from charts.style import BACKGROUND, INK, LIGHT_COLOURS, MUTED, PALETTE, Palette, finish

IMAGE_WIDTH = 800  # px: a laptop chart column; on a 180 mm A4 column its 12 px labels print at about 7.5 pt
IMAGE_SCALE = 1.5  # pixels per px: about 170 dpi on paper; at 2 the PDF took 60% longer to lay out (PNGs are re-compressed)
TREND_LINES = 3  # the qualities drawn over time: the lowest latest, as My progress opens with
# The light theme's colours for Streamlit's placeholders (charts/style.py): on paper, as on a light screen.
PRINTED_COLOURS = dict(zip(PALETTE, LIGHT_COLOURS, strict=True)) | {INK: "#262730", MUTED: "#808495", BACKGROUND: "#ffffff"}


def report_figures(report: ReviewReport, catalogue: Catalogue) -> dict[str, go.Figure]:
    """Every figure of the report by its place (the keys analytics.report_pdf looks up), from the pages' builders."""
    figures: dict[str, go.Figure] = {}
    palette = Palette()  # the self-view and each mentor in one colour, marker and dash on every chart
    for instrument in self_instruments(report, catalogue):
        assert report.history is not None and report.snapshot is not None
        rows = report.history[report.history["instrument_id"] == instrument.id]
        mine = report.snapshot[report.snapshot["instrument_id"] == instrument.id]
        lowest = list(mine.sort_values(["latest", "change"])["quality"])[:TREND_LINES]
        figures[f"trend:{instrument.id}"] = ratings_over_time(
            rows[rows["quality"].isin(lowest)],
            instrument,
            average_of=rows,
            title=f"{instrument.title}: the {len(lowest)} lowest over time, and the average",
        )
        figures[f"first-latest:{instrument.id}"] = first_vs_latest(report.snapshot, instrument)
    if report.views is not None and not report.views.empty:
        qualities = catalogue.get(MENTEE_SELF)
        slots = palette.slots(report.views["view"].unique())
        figures["views"] = views_over_time(report.views, qualities, "Self-view and mentors' view: average over time", slots)
        figures["gaps"] = gap_bars(report.gaps, qualities, "Latest ratings, largest gap first", slots=slots)
    if report.goals is not None and not report.goals.empty:
        figures["goals"] = goals_timeline(report.goals, report.made_on, title=f"{report.person}'s goals on one timeline")
        for goal in report.goals.itertuples():
            history = report.goal_histories.get(int(goal.goal_id))
            if history is not None and not history.empty:
                figures[f"goal:{goal.goal_id}"] = goal_progress(history, report.goals.loc[goal.Index])
    steps = process_instrument(catalogue)
    for pair in report.pairs:
        if not pair.frequency.empty and pair.frequency["held"].any():
            figures[f"meetings:{pair.pair_id}"] = meeting_frequency_chart(
                pair.frequency, pair.agreed_per_month, title=f"Meetings held per month, {pair.label}"
            )
        if not pair.process.empty:
            figures[f"process:{pair.pair_id}"] = views_per_item_over_time(
                pair.process,
                steps,
                f"The process steps over time, {pair.label}",
                slots=palette.slots(pair.process["view"].unique()),
            )
    if report.cumulative_outputs is not None and not report.cumulative_outputs.empty:
        figures["outputs"] = cumulative_outputs_chart(report.cumulative_outputs, title=f"{report.person}'s outputs over time")
    return {key: finish(figure) for key, figure in figures.items()}


def printable(figure: go.Figure) -> dict:
    """The figure as plotly JSON with the light theme's colours in place of Streamlit's placeholders."""
    text = plotly.io.to_json(figure, validate=False)
    for placeholder, colour in PRINTED_COLOURS.items():
        text = text.replace(f'"{placeholder}"', f'"{colour}"')
    return json.loads(text)


def browser_path() -> str | None:
    """BROWSER_PATH when set (choreographer reads it itself), else Debian's Chromium from PATH."""
    if os.environ.get("BROWSER_PATH"):
        return None
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def _height(figure: dict) -> int:
    return int(figure["layout"].get("height") or 450)


class _Drawer:
    """One Chromium (through kaleido) that draws every report of this process, one report at a time.

    It starts with the first report, while that report's figures are built, and stays open between reports
    (a start costs more than drawing a report's images); KEEP_WARM_SECONDS after the last report it is
    closed, and at exit. A report that fails closes it, so the next one starts afresh. Its asyncio loop runs
    in its own thread: Streamlit runs a download's callable on a thread of its own, outside any loop.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._browser: Any = None  # a kaleido.Kaleido, open
        self._timer: threading.Timer | None = None
        atexit.register(self.close)

    def _run(self, coroutine, timeout: float):
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    async def _open(self):
        import kaleido  # importing it starts nothing, but costs ~0.3 s: only when a report is made

        path = browser_path()
        browser = kaleido.Kaleido(n=1, timeout=60, mathjax=False, **({"path": path} if path else {}))
        await browser.open()
        return browser

    async def _render(self, figures: dict[str, dict]) -> list[bytes]:
        options = [
            dict(format="png", width=IMAGE_WIDTH, height=_height(figure), scale=IMAGE_SCALE) for figure in figures.values()
        ]
        return await asyncio.gather(*(self._browser.calc_fig(f, opts=o) for f, o in zip(figures.values(), options, strict=True)))

    def draw(self, build: Callable[[], dict[str, go.Figure]]) -> dict[str, bytes]:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            if self._loop is None:
                self._loop = asyncio.new_event_loop()
                threading.Thread(target=self._loop.run_forever, name="report-browser", daemon=True).start()
            opening: concurrent.futures.Future | None = None
            if self._browser is None:
                opening = asyncio.run_coroutine_threadsafe(self._open(), self._loop)
            try:
                figures = {key: printable(figure) for key, figure in build().items()}  # while the browser starts
                if opening is not None:
                    self._browser, opening = opening.result(OPEN_TIMEOUT), None
                images = self._run(self._render(figures), DRAW_TIMEOUT) if figures else []
            except BaseException:
                if opening is not None:  # a browser still starting is closed once it has
                    with contextlib.suppress(BaseException):
                        self._browser = opening.result(OPEN_TIMEOUT)
                self._close()
                raise
            self._timer = threading.Timer(KEEP_WARM_SECONDS, self.close)
            self._timer.daemon = True
            self._timer.start()
            return dict(zip(figures, images, strict=True))

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        browser, self._browser = self._browser, None
        if browser is not None and self._loop is not None:
            with contextlib.suppress(BaseException):
                self._run(browser.close(), 30)


KEEP_WARM_SECONDS = 300
OPEN_TIMEOUT = 90
DRAW_TIMEOUT = 300
_DRAWER = _Drawer()


def draw(build: Callable[[], dict[str, go.Figure]]) -> dict[str, bytes]:
    """The figures `build()` returns, each as a PNG, drawn by the process's one browser (see _Drawer)."""
    return _DRAWER.draw(build)


def review_report_pdf(report: ReviewReport, catalogue: Catalogue, paper: str = "A4") -> bytes:
    """The report as a PDF on `paper` (one of analytics.report_pdf.PAPERS), its charts drawn as the pages draw them."""
    if paper not in PAPERS:
        raise ValueError(f"paper must be one of {', '.join(PAPERS)}")
    return write_report_pdf(report, catalogue, draw(lambda: report_figures(report, catalogue)), paper)


def report_file_name(first: date, last: date, paper: str, made_on: date) -> str:
    """A file name without anyone's typed name in it: the range, the paper and the day."""
    return f"review-report-{first:%Y-%m}-to-{last:%Y-%m}-{paper.lower()}-{made_on:%Y-%m-%d}.pdf"
