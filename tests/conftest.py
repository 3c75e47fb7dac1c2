"""Shared fixtures: a fresh database per test, closed afterwards; a fixed "today".

The backend: a DuckDB file, or a database in a throwaway PostgreSQL cluster (tests/postgres_cluster.py).
A module marked `pytestmark = pytest.mark.both_backends` runs each test whose fixtures reach `backend`
(through `store`, `demo_store`, or a module fixture of its own) once per backend. Without PostgreSQL
installed those runs are skipped, saying why; with CI=true they fail instead.
"""

import itertools
import os
import shutil
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest

from analytics.instruments import load_catalogue
from analytics.registry import register_catalogue
from analytics.store import Store
from demo import build_demo_program
from tests.postgres_cluster import Cluster, postgres_bin_dir, running_cluster

TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 10, 30)


BACKENDS = ("duckdb", "postgres")
_names = itertools.count(1)
_EMPTY_TEMPLATES: dict[Path, str] = {}  # cluster folder -> the URL of its migrated, empty database


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames and metafunc.definition.get_closest_marker("both_backends"):
        metafunc.parametrize("backend", BACKENDS, indirect=True, scope="module")


@pytest.fixture(scope="session")
def postgres_cluster():
    """One throwaway PostgreSQL cluster for the whole run."""
    if postgres_bin_dir() is None:
        reason = "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): apt-get install postgresql"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}; CI must run the PostgreSQL tests (.ci/run installs it)")
        pytest.skip(reason)
    with running_cluster() as cluster:
        yield cluster


@dataclass
class Backend:
    """Where a test's database lives: `new` gives an empty, migrated one, `copy` a copy of another."""

    name: str
    cluster: Cluster | None = None

    def new(self, folder: Path, name: str = "test") -> str | Path:
        if self.cluster is None:
            return folder / f"{name}.duckdb"
        template = _EMPTY_TEMPLATES.get(self.cluster.folder)
        if template is None:  # migrated once per cluster (a run, or an xdist worker); copies start migrated
            template = _EMPTY_TEMPLATES[self.cluster.folder] = self.cluster.create_database("empty_template")
            Store(template).close()
        return self.copy(template, folder, name)

    def copy(self, source: str | Path, folder: Path, name: str) -> str | Path:
        if self.cluster is None:
            path = folder / f"{name}.duckdb"
            shutil.copy(source, path)
            return path
        template = str(source).split("?", 1)[0].rsplit("/", 1)[-1]
        return self.cluster.create_database(f"{name}_{next(_names)}", template=template)


@pytest.fixture(scope="module")
def backend(request) -> Backend:
    """DuckDB unless the module is marked both_backends (then each test runs on both)."""
    name = getattr(request, "param", "duckdb")
    return Backend(name, request.getfixturevalue("postgres_cluster") if name == "postgres" else None)


@pytest.fixture
def store(tmp_path, backend):
    """An empty, migrated database of its own."""
    with Store(backend.new(tmp_path)) as opened:
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


@pytest.fixture(scope="session")
def postgres_demo_template(tmp_path_factory, postgres_cluster) -> str:
    """The demo program as of TODAY in a PostgreSQL database, built once per run; tests get copies."""
    url = postgres_cluster.create_database("demo_template")
    with Store(url) as opened:
        build_demo_program(opened, register_catalogue(opened, load_catalogue(), NOW), TODAY)
    return url


@pytest.fixture
def demo_store(tmp_path, backend, request):
    """A fresh copy of the demo program of its own."""
    template = request.getfixturevalue("postgres_demo_template" if backend.cluster else "demo_template")
    with Store(backend.copy(template, tmp_path, "demo_copy")) as opened:
        yield opened
