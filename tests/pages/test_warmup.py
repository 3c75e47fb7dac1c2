"""The start-up warm-up (ui/warmup.py) computes what the demo accounts' pages start with, through the
pages' own caches: after it, a page's first run reads no more from the database than a later run does.

A page that changes what it reads (another function, other arguments, another default) fails here
until ui/warmup.py's PAGE_WARMERS follows it, so the warm-up cannot silently go cold.
"""

from datetime import datetime

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from analytics import auth
from analytics.store import Store
from benchmarks.pages import pages_by_role
from charts import Figure
from demo import DEMO_ACCOUNTS
from tests.pages.conftest import PAGES, TIMEOUT
from ui import resources as ui_resources
from ui import warmup
from ui.resources import open_resources
from ui.viewer import TOKEN_KEY


@pytest.fixture
def figures_built(monkeypatch) -> list[int]:
    """One entry per plotly figure made (a chart cached by ui/charts.py is not made again)."""
    built: list[int] = []
    original = Figure.__init__

    def counted(self, *args, **kwargs):
        built.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "__init__", counted)
    return built


@pytest.fixture
def database_reads(monkeypatch) -> list[int]:
    """One entry per read of the database (every read goes through Store._read)."""
    reads: list[int] = []
    original = Store._read

    def counted(self, run):
        reads.append(1)
        return original(self, run)

    monkeypatch.setattr(Store, "_read", counted)
    return reads


def _first_and_later(page: str, token: str, *counts: list[int]) -> list[tuple[int, int]]:
    """(first run, later run) of each count, for a new session of `page`."""
    at = AppTest.from_file(str(PAGES / page), default_timeout=TIMEOUT)
    at.session_state[TOKEN_KEY] = token
    for count in counts:
        count.clear()
    at.run()
    assert not at.exception, at.exception
    first = [len(count) for count in counts]
    for count in counts:
        count.clear()
    at.run()
    return list(zip(first, [len(count) for count in counts], strict=True))


@pytest.mark.parametrize("role", sorted(DEMO_ACCOUNTS))
def test_after_the_warm_up_no_page_of_a_demo_account_reads_more_on_its_first_run_than_later(
    demo_db, role, database_reads, figures_built, monkeypatch
):
    # The look for instruments another server imported is timed (every IMPORTS_CHECK seconds), not a cold
    # cache: a warm-up slower than that would count it on the first page only. Not timed here.
    monkeypatch.setattr(ui_resources, "IMPORTS_CHECK", float("inf"))
    st.cache_data.clear()  # nothing left from other tests: only the warm-up fills the caches
    st.cache_resource.clear()
    resources = open_resources()
    warmup.warm_up(resources)
    token = auth.sign_in(resources.store, DEMO_ACCOUNTS[role], "demo", datetime.now())  # moves no data version
    pages = [file for file, _title in pages_by_role()[role] if file in warmup.WARMED_PAGES]
    assert len(pages) >= 4
    colder, drawn = {}, {}
    for page in pages:
        reads, figures = _first_and_later(page, token, database_reads, figures_built)
        if reads[0] > reads[1]:
            colder[page] = reads
        if page in warmup.FIGURES_WARMED and figures[0] > figures[1]:
            drawn[page] = figures
    assert colder == {}, f"reads on the first run against a later run, after the warm-up: {colder}"
    assert drawn == {}, f"charts made on the first run against a later run, after the warm-up: {drawn}"


def test_without_the_warm_up_a_first_run_reads_more(demo_db, database_reads):
    """The measure above can fail: cold, the dashboard's first run reads far more than its later runs."""
    st.cache_data.clear()
    resources = open_resources()
    token = auth.sign_in(resources.store, DEMO_ACCOUNTS["director"], "demo", datetime.now())
    [(first, later)] = _first_and_later("dashboard.py", token, database_reads)
    assert first > later + 10


def test_without_the_warm_up_a_first_run_makes_charts_a_later_one_does_not(demo_db, figures_built):
    st.cache_data.clear()
    st.cache_resource.clear()  # the charts ui/charts.py keeps
    resources = open_resources()
    token = auth.sign_in(resources.store, DEMO_ACCOUNTS["fellow"], "demo", datetime.now())
    [(first, later)] = _first_and_later("progress.py", token, figures_built)
    assert first >= 3 and later == 0
