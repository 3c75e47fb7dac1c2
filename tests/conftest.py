"""Shared fixtures: a fresh database file per test, closed afterwards; a fixed "today"."""

import shutil
from datetime import date, datetime
from pathlib import Path

import pytest

from analytics.instruments import load_catalogue
from analytics.registry import register_catalogue
from analytics.store import Store
from demo import build_demo_program

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


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """The demo program as of TODAY, built once per run (it takes about a second); tests get copies."""
    path = tmp_path_factory.mktemp("demo-template") / "demo.duckdb"
    with Store(path) as opened:
        build_demo_program(opened, register_catalogue(opened, load_catalogue(), NOW), TODAY)
    return path


@pytest.fixture
def demo_store(demo_template, tmp_path):
    """A fresh copy of the demo program in its own file."""
    path = tmp_path / "demo-copy.duckdb"
    shutil.copy(demo_template, path)
    with Store(path) as opened:
        yield opened
