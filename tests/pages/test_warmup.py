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
from demo import DEMO_ACCOUNTS
from tests.pages.conftest import PAGES, TIMEOUT
from ui import warmup
from ui.resources import open_resources
from ui.viewer import TOKEN_KEY


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


def _first_and_later_reads(page: str, token: str, reads: list[int]) -> tuple[int, int]:
    at = AppTest.from_file(str(PAGES / page), default_timeout=TIMEOUT)
    at.session_state[TOKEN_KEY] = token
    reads.clear()
    at.run()
    assert not at.exception, at.exception
    first = len(reads)
    reads.clear()
    at.run()
    return first, len(reads)


@pytest.mark.parametrize("role", sorted(DEMO_ACCOUNTS))
def test_after_the_warm_up_no_page_of_a_demo_account_reads_more_on_its_first_run_than_later(demo_db, role, database_reads):
    st.cache_data.clear()  # nothing left from other tests: only the warm-up fills the caches
    resources = open_resources()
    warmup.warm_up(resources)
    token = auth.sign_in(resources.store, DEMO_ACCOUNTS[role], "demo", datetime.now())  # moves no data version
    pages = [file for file, _title in pages_by_role()[role] if file in warmup.WARMED_PAGES]
    assert len(pages) >= 4
    colder = {}
    for page in pages:
        first, later = _first_and_later_reads(page, token, database_reads)
        if first > later:
            colder[page] = (first, later)
    assert colder == {}, f"reads on the first run against a later run, after the warm-up: {colder}"


def test_without_the_warm_up_a_first_run_reads_more(demo_db, database_reads):
    """The measure above can fail: cold, the dashboard's first run reads far more than its later runs."""
    st.cache_data.clear()
    resources = open_resources()
    token = auth.sign_in(resources.store, DEMO_ACCOUNTS["director"], "demo", datetime.now())
    first, later = _first_and_later_reads("dashboard.py", token, database_reads)
    assert first > later + 10
