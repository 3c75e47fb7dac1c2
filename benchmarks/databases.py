"""Benchmark databases: built once by the demo generator, cached by size, seed and code version.

A cached file is made read-only and never opened by a measurement: every measurement works on a copy
(`working_copy`), because signing in, submitting and even opening a DuckDB file can change it.
"""

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(__file__).resolve().parent / ".cache"
TODAY = "2026-11-26"
SEED = 7
# Until the generator takes --responses: about this many responses per fellow over two years
# (measured on the default demo: 7,552 responses for 30 fellows and 12 mentors).
RESPONSES_PER_FELLOW = 250


# The generator's code (before demo/ was a package: analytics/demo*.py) and the schema.
GENERATOR_SOURCES = ("demo/*.py", "analytics/demo*.py", "analytics/bulk.py", "analytics/migrations/*.sql")


def code_version(root: Path = ROOT) -> str:
    """A digest of the generator's code and the schema, so a change to either builds new files."""
    digest = hashlib.sha256()
    for pattern in GENERATOR_SOURCES:
        for path in sorted(root.glob(pattern)):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def _generator(root: Path) -> tuple[str, Path]:
    """The generator's module and its command-line file; a checkout from before demo/ was a package
    (--generator-root) has them in analytics/demo.py."""
    main = root / "demo" / "__main__.py"
    return ("demo", main) if main.exists() else ("analytics.demo", root / "analytics" / "demo.py")


def generator_takes_responses(root: Path = ROOT) -> bool:
    return "--responses" in _generator(root)[1].read_text(encoding="utf-8")


def generator_arguments(responses: int, seed: int = SEED, root: Path = ROOT) -> list[str]:
    arguments = ["--today", TODAY, "--seed", str(seed)]
    if generator_takes_responses(root):
        return arguments + ["--responses", str(responses)]
    fellows = max(responses // RESPONSES_PER_FELLOW, 30)
    return arguments + ["--fellows", str(fellows), "--mentors", str(max(fellows * 2 // 5, 12)), "--years", "2"]


# One large program alone (issue 16): fellows, mentors, years.
LARGE_PROGRAM = (1500, 600, 5)


def cached_database(
    responses: int, seed: int = SEED, log=print, root: Path = ROOT, program: tuple[int, int, int] | None = None
) -> Path:
    """The cached database of about `responses` item responses, built if missing (read-only); or, with
    `program` (fellows, mentors, years), of that one program alone (`responses` is then ignored).

    `root`: the checkout whose generator builds it (default this one; another one, e.g. a
    `git archive` of a known commit, when this tree's generator is being changed).
    """
    CACHE.mkdir(parents=True, exist_ok=True)
    label = str(responses) if program is None else "program-" + "x".join(str(n) for n in program)
    path = CACHE / f"demo-{label}-seed{seed}-{code_version(root)}.duckdb"
    if path.exists():
        return path
    partial = path.with_name(path.name + ".partial")
    for leftover in (partial, Path(str(partial) + ".wal")):
        leftover.unlink(missing_ok=True)
    arguments = generator_arguments(responses, seed, root)
    if program is not None:
        fellows, mentors, years = program
        arguments = ["--today", TODAY, "--seed", str(seed), "--fellows", str(fellows), "--mentors", str(mentors)]
        arguments += ["--years", str(years)]
    command = [sys.executable, "-m", _generator(root)[0], "--db", str(partial), *arguments]
    log(f"building {path.name}: {' '.join(command[1:])}" + (f" (in {root})" if root != ROOT else ""))
    completed = subprocess.run(command, cwd=root, capture_output=True, text=True, env=_environment())
    if completed.returncode != 0:
        for leftover in (partial, Path(str(partial) + ".wal")):
            leftover.unlink(missing_ok=True)
        raise RuntimeError(f"the demo generator failed:\n{completed.stdout}\n{completed.stderr}")
    log(completed.stdout.strip().splitlines()[-1] if completed.stdout.strip() else "built")
    if Path(str(partial) + ".wal").exists():
        raise RuntimeError(f"{partial} was left with a write-ahead log; the generator must close its store")
    partial.chmod(0o444)
    partial.rename(path)
    for stale in CACHE.glob(f"demo-{label}-seed{seed}-*.duckdb"):  # built by older code
        if stale != path:
            stale.unlink()
    return path


def working_copy(cached: Path, directory: Path, name: str) -> Path:
    """A writable copy of a cached database (copyfile: the copy does not inherit the read-only mode)."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / name
    for old in (target, Path(str(target) + ".wal")):
        old.unlink(missing_ok=True)
    shutil.copyfile(cached, target)
    return target


def _environment() -> dict:
    environment = dict(os.environ)
    environment.pop("MENTORSHIP_DB", None)
    return environment
