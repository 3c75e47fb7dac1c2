"""Settings from the environment, read in one place, and the logging they ask for."""

import logging
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from analytics import postgres
from analytics.paths import DATA_DIR
from analytics.store import DEFAULT_MEMORY_LIMIT

TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    db_path: Path | str  # a DuckDB file, or a postgresql:// URL (analytics/postgres.py), kept as text
    demo: bool
    program_instruments_dir: Path
    memory_limit: str
    fixed_today: date | None  # pins "today" for demos and tests; None means the real date
    log_level: str = "INFO"

    @classmethod
    def from_environment(cls, environ=os.environ) -> "Settings":
        demo = environ.get("MENTORSHIP_DEMO", "").strip().lower() in TRUE
        default_db = DATA_DIR / ("demo.duckdb" if demo else "mentorship.duckdb")
        today = environ.get("MENTORSHIP_TODAY", "").strip()
        return cls(
            db_path=_database(environ.get("MENTORSHIP_DB", "").strip(), default_db),
            demo=demo,
            program_instruments_dir=Path(environ.get("MENTORSHIP_PROGRAM_INSTRUMENTS") or DATA_DIR / "program-instruments"),
            memory_limit=environ.get("MENTORSHIP_MEMORY_LIMIT") or DEFAULT_MEMORY_LIMIT,
            fixed_today=date.fromisoformat(today) if today else None,
            log_level=(environ.get("MENTORSHIP_LOG_LEVEL") or "INFO").strip().upper(),
        )


def _database(configured: str, default: Path) -> Path | str:
    if postgres.is_url(configured):
        return configured  # Path() would fold its "//"
    return Path(configured) if configured else default


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: str) -> None:
    """Send the app's own loggers (`analytics.*`, `ui.*`) to stderr beside Streamlit's, once per process.

    Only these loggers are set up, so the libraries' logging stays as Streamlit configures it. An
    unknown level name falls back to INFO rather than stopping the app.
    """
    for name in ("analytics", "ui"):
        logger = logging.getLogger(name)
        if not logger.handlers:
            handler = logging.StreamHandler()
            handler.setFormatter(logging.Formatter(LOG_FORMAT))
            logger.addHandler(handler)
            logger.propagate = False
        logger.setLevel(level if level in logging.getLevelNamesMapping() else "INFO")
