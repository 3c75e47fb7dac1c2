"""Shared fixtures: a fresh database file per test, closed afterwards; a fixed "today"."""

from datetime import date, datetime

import pytest

from analytics.demo import build_demo_program
from analytics.instruments import load_catalogue
from analytics.registry import register_catalogue
from analytics.store import Store

TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 10, 30)


@pytest.fixture
def store(tmp_path):
    """An empty, migrated database in its own file."""
    with Store(tmp_path / "test.duckdb") as opened:
        yield opened


@pytest.fixture
def catalogue(store):
    """The shipped instruments, registered in `store`."""
    return register_catalogue(store, load_catalogue(), NOW)


@pytest.fixture
def demo_store(store, catalogue):
    """`store` filled with the demo program as of TODAY."""
    build_demo_program(store, catalogue, TODAY)
    return store
