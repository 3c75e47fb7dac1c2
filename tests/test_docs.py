"""The README's promises are checked: every test its promise table names exists, every setting the code
reads is in its settings table (and the other way round), and every file the docs name exists.

A moved or renamed test, module or setting otherwise leaves the README promising something nothing proves.
"""

import ast
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
APP_CODE = ["app.py", "serve.py", "analytics", "charts", "demo", "app_pages", "ui"]
SETTING = re.compile(r"\bMENTORSHIP_[A-Z_]+\b")
TICKED = re.compile(r"`([^`\s]+)`")


def section(title_start: str) -> str:
    """The README's text under the `## ` heading that starts with `title_start`, up to the next one."""
    match = re.search(rf"^## {re.escape(title_start)}.*?$(.*?)(?=^## |\Z)", README, flags=re.M | re.S)
    assert match, f"README has no section '## {title_start}...'"
    return match.group(1)


def table_rows(text: str) -> list[list[str]]:
    """The cells of each body row of the Markdown tables in `text` (header and rule rows left out)."""
    rows = [line for line in text.splitlines() if line.startswith("|")]
    cells = [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]
    return [row for index, row in enumerate(cells) if index > 1 and not set(row[0]) <= {"-", " "}]


def file_of_test(name: str) -> Path:
    """A test file named by a path from the root, or by its bare name (unique under tests/)."""
    if "/" in name:
        return ROOT / name
    found = sorted((ROOT / "tests").rglob(name))
    assert len(found) == 1, f"the README names {name}, which is {len(found)} files under tests/"
    return found[0]


def functions_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}


PROMISES = table_rows(section("What the app promises"))


def test_the_promise_table_is_read():
    assert len(PROMISES) >= 20, "the promise table was not found or lost rows"
    for promise, proof in PROMISES:
        assert TICKED.search(proof), f"the promise '{promise[:60]}...' names no test"


@pytest.mark.parametrize("promise, proof", PROMISES, ids=[row[0][:50] for row in PROMISES])
def test_every_test_the_promise_table_names_exists(promise, proof):
    current: Path | None = None  # `::name` and bare names refer to the file named before them in the row
    for reference in TICKED.findall(proof):
        file_part, _, function = reference.partition("::")
        if file_part:
            current = file_of_test(file_part)
            assert current.exists(), f"{reference} is not a file or folder"
        assert current is not None, f"{reference} names a test before any file"
        if function:
            assert function in functions_in(current), f"{current.relative_to(ROOT)} has no test {function}"


def settings_read_in_code() -> set[str]:
    found: set[str] = set()
    for place in APP_CODE:
        for path in [ROOT / place] if place.endswith(".py") else (ROOT / place).rglob("*.py"):
            found |= set(SETTING.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_setting_read_in_code_is_in_the_readme_table_and_no_other():
    documented = {name for row in table_rows(section("Configuration")) for name in SETTING.findall(row[0])}
    in_code = settings_read_in_code()
    assert in_code, "no MENTORSHIP_ setting found in the code: the scan is broken"
    assert in_code - documented == set(), "read in code but missing from the README's settings table"
    assert documented - in_code == set(), "in the README's settings table but read nowhere"


def ignored_by_git(path: str) -> bool:
    """Files made at run time (databases, caches, secrets) are named in the docs but never tracked."""
    return subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT).returncode == 0


def named_paths(text: str) -> set[str]:
    """Relative Markdown link targets, and ticked names that are paths in the project (a `/` or a file name)."""
    links = {target.split("#")[0] for target in re.findall(r"\]\(([^)\s]+)\)", text) if "://" not in target}
    ticked = {
        name.split("::")[0]
        for name in TICKED.findall(text)
        if not name.startswith(("/", "-", "<", "$"))
        and "=" not in name
        and ("/" in name or (ROOT / name.split("::")[0]).exists() or name.split("::")[0].endswith(".py"))
    }
    return {path for path in links | ticked if path}


DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


@pytest.mark.parametrize("doc", DOCS, ids=[str(doc.relative_to(ROOT)) for doc in DOCS])
def test_every_file_the_docs_name_exists(doc):
    missing = []
    for name in sorted(named_paths(doc.read_text(encoding="utf-8"))):
        base = doc.parent if name.startswith(".") and not name.startswith((".ci", ".streamlit", ".pre-commit")) else ROOT
        if "/" not in name and name.startswith("test_"):
            continue  # a bare test file name, resolved under tests/ by the promise-table test
        if "*" in name:
            if not list(base.glob(name)):
                missing.append(name)
        elif not (base / name).exists() and not ignored_by_git(name):
            missing.append(name)
    assert missing == [], f"{doc.relative_to(ROOT)} names files that do not exist"
