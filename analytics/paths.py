"""Where the project's data files are, so every caller finds them the same way."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
SHIPPED_INSTRUMENTS_DIR = DATA_DIR / "instruments"
GUIDANCE_DIR = DATA_DIR / "guidance"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
