"""Where the demo's own files are."""

from pathlib import Path

# The demo program's own instruments, as a program adds them (MENTORSHIP_PROGRAM_INSTRUMENTS), kept here so every
# demo database has them: the app offers them in demo mode beside the program's folder.
DEMO_INSTRUMENTS_DIR = Path(__file__).resolve().parent / "instruments"
