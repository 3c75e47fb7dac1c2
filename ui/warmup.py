"""Work done when the server starts (serve.py's lifespan), so the first visit after a start is about as
quick as the next (issue 15, measured in Chromium by benchmarks/browser_visits.py).

Before, the first request opened the database and filled a new demo database, and the first visit of
each page paid for importing its modules, plotly's first figure and its cold cached reads; in the browser,
the first chart waited for plotly's 4.7 MB script, which Streamlit fetches only when a chart is drawn.
Now:
- `open_at_start` opens the store, and fills a new demo database, before the server answers a request;
- `warm_up`, in a thread of its own, imports every module of the app, builds a sample figure, and computes
  the reads the demo accounts' pages start with, through the very caches the pages use (ui/data.py,
  ui/dashboard.py), so a page's first run finds them;
- `preload_element_scripts` has the browser fetch and run plotly's script (and those of tables and form
  fields) while the sign-in page or Home is open, before any chart needs it.

Outside demo mode only the process is warmed (imports, plotly, the export writers): a person's reads
are cached the first time they open a page, as before.
"""

import importlib
import json
import logging
import pkgutil
import re
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from datetime import date
from functools import cache
from pathlib import Path

import pandas as pd
import streamlit as st

import analytics
import charts
import ui
from analytics import auth, dashboard_aggregates, disclosure, pairs, roster
from analytics.config import Settings, configure_logging
from analytics.errors import AccessDenied, StoreError
from analytics.exports import to_csv, to_xlsx
from analytics.feedback import mentor_rating_coverage
from analytics.goals import goals_due, mentees_goals_behind
from analytics.guide import welcomes_to_show
from analytics.instruments import MENTEE_SELF, MENTOR_BY_MENTEE, PROCESS_STEPS, InstrumentError
from analytics.meetings import next_meeting, open_action_items
from analytics.mentor_glance import mentee_glance, program_glance
from analytics.network import program_mentors
from analytics.pairs import domain_labels
from analytics.people import Viewer, people_count
from analytics.program_settings import own_instruments
from analytics.sharing import sharing_overview
from charts.mentoring import meeting_frequency_chart, network_chart
from charts.ratings import first_vs_latest, ratings_heatmap, ratings_over_time
from charts.samples import sample_figure_json
from demo import DEMO_ACCOUNTS
from ui import health
from ui.charts import cached_figure
from ui.dashboard import dashboard_tables
from ui.data import (
    active_pairs,
    cached_read,
    due_assessments,
    goal_categories,
    history_of,
    mentor_views,
    program_settings,
    rating_history,
    ratings_given,
    views,
)
from ui.goals import goal_history, goals_of, milestones_of
from ui.meetings import agreement_check, agreement_of, agreement_versions, meeting_frequency, meetings_of_pair
from ui.meetings import open_action_items as pair_action_items
from ui.outputs import cumulative_outputs, network_of, outputs_of
from ui.report import periods_offered
from ui.resources import AppResources, open_resources, today

LOG = logging.getLogger(__name__)
_CONTEXT_LOGGER = "streamlit.runtime.scriptrunner_utils.script_run_context"
_start_up = threading.local()


class _NoContextWarning(logging.Filter):
    """The start-up calls cached functions outside a script run, on purpose: Streamlit's warning that such a
    thread is "missing ScriptRunContext" says nothing there, so it is left out for those threads only."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(_start_up, "active", False)


def _outside_a_script_run() -> None:
    """Mark this thread as start-up work (see _NoContextWarning)."""
    _start_up.active = True
    context_logger = logging.getLogger(_CONTEXT_LOGGER)
    if not any(isinstance(f, _NoContextWarning) for f in context_logger.filters):
        context_logger.addFilter(_NoContextWarning())


def open_at_start(settings: Settings | None = None) -> AppResources | None:
    """Open the configured database before the server takes requests: migrations run and a new demo
    database is filled here, not in the first visitor's request. If it cannot open (a second process
    holds the file, a folder is read-only, an instrument file is wrong), the server starts anyway and
    every page shows the one sentence that says why, as before."""
    settings = settings or Settings.from_environment()
    configure_logging(settings.log_level)
    _outside_a_script_run()
    began = time.perf_counter()
    try:
        resources = open_resources(settings)
    except (StoreError, InstrumentError) as error:
        LOG.warning("the database did not open at start; the pages will say why: %s", error)
        return None
    people = people_count(resources.store)
    LOG.info(
        "database open at start: %s, %d people%s (%.1f s)",
        resources.store.path,
        people,
        ", demo mode" if settings.demo else "",
        time.perf_counter() - began,
    )
    return resources


def import_app_modules() -> int:
    """Import every module of analytics/, charts/ and ui/ (the pages import from nothing else of the app)."""
    count = 0
    for package in (analytics, charts, ui):
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if not module.name.endswith("__main__"):
                importlib.import_module(module.name)
                count += 1
    return count


def _warm_exports() -> None:
    """Every table's CSV download and the dashboard's Excel file: their writers load on first use."""
    frame = pd.DataFrame({"name": ["a"], "rating": [1]})
    to_csv(frame)
    to_xlsx({"Sheet": frame})


def _home(resources: AppResources, viewer: Viewer, day: date) -> None:
    due_assessments(resources, viewer, day)  # Home and Assessments
    cached_read(resources, welcomes_to_show, viewer)
    if viewer.has("director"):
        cached_read(resources, program_glance, viewer, day)
    if viewer.has("fellow") or viewer.has("mentor"):
        cached_read(resources, next_meeting, viewer, day)
        cached_read(resources, open_action_items, viewer)
        history_of(resources, viewer, viewer.person_id)  # Home's latest snapshot
        _my_progress_figures(resources, viewer)
    if viewer.has("fellow"):
        cached_read(resources, goals_due, viewer, viewer.person_id, day)
    if viewer.has("mentor"):
        cached_read(resources, mentee_glance, viewer, day)


def _my_progress_figures(resources: AppResources, viewer: Viewer) -> None:
    """My progress's charts, built as app_pages/progress.py builds them (its quality picker at its default)."""
    progress = history_of(resources, viewer, viewer.person_id, subscales=True)
    history, snapshot = progress.ratings, progress.snapshot
    if history.empty:
        return
    for instrument_id in history["instrument_id"].unique():
        instrument = resources.catalogue.get(instrument_id)
        rows = history[history["instrument_id"] == instrument_id]
        mine = snapshot[snapshot["instrument_id"] == instrument_id]
        shown = list(mine.sort_values(["latest", "change"])["quality"])[:3]
        cached_figure(ratings_over_time, rows[rows["quality"].isin(shown)], instrument, average_of=rows)
        cached_figure(ratings_heatmap, rows, instrument)
        cached_figure(first_vs_latest, snapshot, instrument)


def _first_pair(resources: AppResources, viewer: Viewer, day: date) -> None:
    """Two views, Meetings and Agreement: the viewer's own views, and the first current pair they open on."""
    if not (viewer.has("fellow") or viewer.has("mentor")):
        return
    if viewer.has("fellow"):
        views(resources, viewer, "mentee", viewer.person_id, day, subscales=True)  # as Two views shows them
    if viewer.has("mentor"):
        views(resources, viewer, "mentor", viewer.person_id, day, subscales=True)
        for own in own_instruments(resources.catalogue, viewer.program_id).instruments:  # a program's own about a mentor
            if own.about == "mentor" and own.id != MENTOR_BY_MENTEE:
                mentor_views(resources, viewer, viewer.person_id, own.id, day)
        cached_read(resources, mentor_rating_coverage, viewer, day)
    ratings_given(resources, viewer)
    current = active_pairs(resources, viewer, day)
    if current.empty:
        return
    pair_id = int(current["pair_id"].iloc[0])
    views(resources, viewer, "pair", pair_id, day)
    meetings_of_pair(resources, viewer, pair_id, day)
    pair_action_items(resources, viewer, pair_id)
    agreement = agreement_of(resources, viewer, pair_id)
    agreement_check(resources, viewer, pair_id, day)
    agreement_versions(resources, viewer, pair_id)
    frequency = meeting_frequency(resources, viewer, pair_id, day)
    if not frequency.empty and frequency["held"].any():  # Meetings' chart, as app_pages/meetings.py builds it
        per_month = 365.25 / 12 / (7 * agreement["meet_every_weeks"]) if agreement else None
        cached_figure(meeting_frequency_chart, frequency, per_month)


def _goals(resources: AppResources, viewer: Viewer, owner_id: int, day: date) -> None:
    """A person's goals, and the first goal, which My goals (and a mentee's Goals tab) open on."""
    table = goals_of(resources, viewer, owner_id, day)
    if not table.empty:
        goal_id = int(table["goal_id"].iloc[0])
        goal_history(resources, viewer, goal_id)
        milestones_of(resources, viewer, goal_id)


def _fellow_pages(resources: AppResources, viewer: Viewer, day: date) -> None:
    if not viewer.has("fellow"):
        return
    goal_categories(resources, viewer)
    _goals(resources, viewer, viewer.person_id, day)
    network, missing = network_of(resources, viewer, viewer.person_id, day)
    cached_figure(network_chart, network, missing, domain_labels())  # as app_pages/network.py builds it
    cached_read(resources, program_mentors, viewer)
    outputs_of(resources, viewer, viewer.person_id)
    cumulative_outputs(resources, viewer, viewer.person_id, day)
    cached_read(resources, sharing_overview, viewer)
    periods_offered(resources, viewer, viewer.person_id, day)  # My progress's review report
    program_settings(resources, viewer)


def _my_mentees(resources: AppResources, viewer: Viewer, day: date) -> None:
    if not viewer.has("mentor"):
        return
    glance = cached_read(resources, mentee_glance, viewer, day)
    cached_read(resources, mentees_goals_behind, viewer, day)
    if not glance.empty:  # the page opens on its first mentee
        mentee_id = int(glance["mentee_id"].iloc[0])
        with suppress(AccessDenied):  # what that mentee does not share
            rating_history(resources, viewer, mentee_id)
        views(resources, viewer, "mentee", mentee_id, day)
        periods_offered(resources, viewer, mentee_id, day)  # the mentee's review report
        program_settings(resources, viewer)
        with suppress(AccessDenied):
            _goals(resources, viewer, mentee_id, day)
        with suppress(AccessDenied):
            outputs_of(resources, viewer, mentee_id)
            cumulative_outputs(resources, viewer, mentee_id, day)
        current = active_pairs(resources, viewer, day)
        for pair_id in current.loc[current["mentee_id"] == mentee_id, "pair_id"]:
            views(resources, viewer, "pair", int(pair_id), day)


def _dashboard(resources: AppResources, viewer: Viewer, day: date) -> None:
    """Its filters at their defaults: every cohort, the fellows' self-view, every complete period, any domain."""
    if not viewer.has("director"):
        return
    program_settings(resources, viewer)
    cached_read(resources, disclosure.min_group_size, viewer)
    cached_read(resources, dashboard_aggregates.cohorts_of, viewer)
    periods = cached_read(resources, dashboard_aggregates.rating_periods, viewer, day)
    ids = [i.id for i in own_instruments(resources.catalogue, viewer.program_id).instruments if i.id != PROCESS_STEPS]
    if ids:
        first, last = (periods[0], periods[-1]) if periods else (None, None)
        dashboard_tables(resources, viewer, day, MENTEE_SELF if MENTEE_SELF in ids else ids[0], None, first, last, None)


def _people_and_pairs(resources: AppResources, viewer: Viewer, day: date) -> None:
    if not viewer.has("director"):
        return
    cached_read(resources, roster.people_list, viewer)
    cached_read(resources, roster.cohorts, viewer)
    cached_read(resources, roster.reset_codes_issued, viewer)
    cached_read(resources, pairs.pairs_overview, viewer, day, False)  # "Include ended pairs" starts off
    cached_read(resources, pairs.mentor_loads, viewer, day)
    cached_read(resources, pairs.fellows_without_mentor_in_domain, viewer, day)
    for role in ("mentor", "fellow"):
        cached_read(resources, pairs.program_members, viewer, role)


def _pair_health(resources: AppResources, viewer: Viewer, day: date) -> None:
    if viewer.has("mentor") or viewer.has("fellow"):
        health.my_pairs(resources, viewer, day)
    if viewer.has("director"):
        health.program_health(resources, viewer, day)
        health.administrative_signals(resources, viewer, day)


# The cached reads the named pages start with, as the pages call them (the same functions, arguments and
# caches), and the charts of My progress, My mentors and Meetings (FIGURES_WARMED; the other pages' charts
# are built on their first visit, tens of milliseconds each). tests/pages/test_warmup.py proves that after
# the warm-up these pages' first runs read no more from the database, and build no more charts, than later
# runs, so a page that changes what it reads or draws fails there until this module follows.
PAGE_WARMERS: dict[str, Callable[[AppResources, Viewer, date], None]] = {
    "home.py assessments.py progress.py": _home,
    "feedback.py meetings.py agreement.py": _first_pair,
    "goals.py network.py outputs.py sharing.py": _fellow_pages,
    "mentees.py": _my_mentees,
    "dashboard.py": _dashboard,
    "people.py pairs.py": _people_and_pairs,
    "health.py": _pair_health,
}
WARMED_PAGES = tuple(page for pages_ in PAGE_WARMERS for page in pages_.split())
FIGURES_WARMED = ("progress.py", "network.py", "meetings.py")


def warm_viewer(resources: AppResources, viewer: Viewer) -> None:
    """The cached reads the person's pages start with (PAGE_WARMERS; each skips the pages of other roles)."""
    day = today(resources.settings)
    for warm in PAGE_WARMERS.values():
        warm(resources, viewer, day)


def warm_up(resources: AppResources) -> dict[str, float]:
    """Imports, a sample figure, the export writers, and the demo accounts' first reads (in demo mode: the
    accounts the sign-in page offers). Returns what it did, for the log."""
    began = time.perf_counter()
    done: dict[str, float] = {"modules": import_app_modules()}
    sample_figure_json()
    _warm_exports()
    viewers = []
    if resources.settings.demo:
        viewers = [v for v in (auth.viewer_for_email(resources.store, email) for email in DEMO_ACCOUNTS.values()) if v]
    for viewer in viewers:
        warm_viewer(resources, viewer)
    done["pages"] = len(WARMED_PAGES)
    done["people"] = len(viewers)
    done["seconds"] = round(time.perf_counter() - began, 2)
    return done


def _run_warm_up(resources: AppResources) -> None:
    _outside_a_script_run()
    try:
        done = warm_up(resources)
    except Exception:  # a warm-up that fails leaves the app as it was: cold, not broken
        LOG.exception("warm-up failed; the first visits will be slower")
        return
    LOG.info(
        "warm-up done in %.1f s: %d modules, a sample figure, the first reads of %d pages for %d people",
        done["seconds"],
        done["modules"],
        done["pages"],
        done["people"],
    )


def start_warm_up(resources: AppResources | None) -> threading.Thread | None:
    """`warm_up` in a daemon thread, so the server answers while it runs (a page that needs a read being
    computed waits for it, through Streamlit's per-key cache lock, instead of computing it twice)."""
    if resources is None:
        return None
    thread = threading.Thread(target=_run_warm_up, args=(resources,), name="warm-up", daemon=True)
    thread.start()
    return thread


# ---------------------------------------------------------------- the browser side


# Streamlit's frontend loads each kind of element's script the first time one is drawn (measured here:
# plotly's 4.7 MB took 2-4 s on a busy 2-core machine; tables, forms and date fields a few hundred ms each).
# These are the kinds the app's pages draw, plotly first.
ELEMENT_SCRIPTS = (
    "PlotlyChart",
    "DataFrame",
    "Selectbox",
    "Multiselect",
    "Radio",
    "TextArea",
    "Slider",
    "Checkbox",
    "DateInput",
    "NumberInput",
    "Button",
    "DownloadButton",
    "Metric",
    "PageLink",
)
CHUNK_NAME = re.compile(r"[A-Za-z]+\.[A-Za-z0-9_-]+\.js")  # nothing but a file name gets into the script


@cache
def _element_chunks() -> tuple[str, ...]:
    """The file names (Name.<hash>.js) of those scripts in this Streamlit's static folder; a name it does
    not ship is left out."""
    folder = Path(st.__file__).parent / "static" / "static" / "js"
    found = []
    for name in ELEMENT_SCRIPTS:
        files = sorted(p.name for p in folder.glob(f"{name}.*.js") if CHUNK_NAME.fullmatch(p.name) and p.name.count(".") == 2)
        found += files[:1]
    return tuple(found)


# Resolved against Streamlit's own entry script, as its lazy imports are, so the browser's module map holds
# the very modules the elements will ask for: the first chart or table then draws without fetching or
# running its script. One at a time, each when the browser is idle, once per tab.
_PRELOAD = """<script>
(() => {
  if (window.__mentorshipScriptsPreloaded) return;
  const entry = document.querySelector('script[type="module"][src*="/static/js/index."]');
  if (!entry) return;
  window.__mentorshipScriptsPreloaded = true;
  const files = %s;
  const idle = (work, wait) =>
    "requestIdleCallback" in window ? requestIdleCallback(work, {timeout: wait}) : setTimeout(work, 50);
  const load = (i) => {
    if (i >= files.length) return;
    // One script per idle moment (or after 300 ms at most), so a click never waits behind the whole list.
    import(new URL("./" + files[i], entry.src).href).catch(() => {}).finally(() => idle(() => load(i + 1), 300));
  };
  idle(() => load(0), 1500);
})();
</script>"""


def preload_element_scripts() -> None:
    """Have the browser load the scripts of charts, tables and form fields now (once per tab), while it waits
    for a person anyway (called below every page by app.py).

    One of the app's three constant scripts (tests/robustness/test_bad_input_pages.py lists them): it holds
    nothing but file names of Streamlit's static folder, never anything a person typed."""
    chunks = _element_chunks()
    if chunks:
        st.html(_PRELOAD % json.dumps(list(chunks)), unsafe_allow_javascript=True, width="content")
