"""analytics/, charts/ and demo/ are plain Python: importing them never loads Streamlit, and no file of them
imports Streamlit or ui/."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from analytics.paths import PROJECT_ROOT

PLAIN_PACKAGES = ("analytics", "charts", "demo")
SOURCES = sorted(path for package in PLAIN_PACKAGES for path in (PROJECT_ROOT / package).rglob("*.py"))
FORBIDDEN = ("streamlit", "ui")


def _imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
            "import_module",
            "__import__",
        ):
            names.extend(arg.value for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str))
    return names


def _forbidden(module: str) -> bool:
    return any(module == name or module.startswith(name + ".") for name in FORBIDDEN)


def test_importing_the_core_does_not_load_streamlit():
    code = (
        "import sys\n"
        "import analytics.assessments, analytics.demo, demo, analytics.store, analytics.instruments\n"
        "import analytics.registry, analytics.people, analytics.periods, analytics.guidance, analytics.config\n"
        "import charts.style, charts.ratings, charts.goals, charts.mentoring, charts.program\n"
        "loaded = sorted(m for m in sys.modules if m == 'streamlit' or m.startswith('streamlit.') or m == 'ui')\n"
        "print('LOADED', loaded)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "LOADED []"


def test_the_subprocess_check_would_see_streamlit():
    """The check above can fail: importing streamlit does show up in sys.modules."""
    code = "import sys, streamlit\nprint('streamlit' in sys.modules)\n"
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "True", done.stderr


def test_there_are_sources_to_check():
    assert {
        "analytics/store.py",
        "analytics/assessments.py",
        "charts/style.py",
        "charts/program.py",
        "demo/__main__.py",
        "demo/build.py",
    } <= {path.relative_to(PROJECT_ROOT).as_posix() for path in SOURCES}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(PROJECT_ROOT).as_posix())
def test_no_analytics_charts_or_demo_file_imports_streamlit_or_ui(path):
    offending = [name for name in _imported_modules(path) if _forbidden(name)]
    assert offending == [], f"{path.relative_to(PROJECT_ROOT)} imports {offending}"
    # nor in a form the parser misses (e.g. inside exec text)
    assert "import streamlit" not in path.read_text(encoding="utf-8")


def test_the_import_finder_finds_imports(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os\nimport streamlit as st\nfrom ui.viewer import x\nfrom . import sibling\n"
        "import importlib\nimportlib.import_module('streamlit.runtime')\n",
        encoding="utf-8",
    )
    found = _imported_modules(sample)
    assert [name for name in found if _forbidden(name)] == ["streamlit", "ui.viewer", "streamlit.runtime"]
    assert "os" in found


def test_every_test_file_has_a_name_of_its_own():
    """The test folders are not packages: two test files of one name make pytest refuse to collect the second."""
    tests = Path(__file__).resolve().parents[1]
    names = [path.name for path in tests.glob("*/test_*.py")]
    assert sorted({name for name in names if names.count(name) > 1}) == []
