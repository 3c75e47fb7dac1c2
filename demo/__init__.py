"""A realistic synthetic fellowship program, generated deterministically from a seed and a date.

Used to fill a new database in demo mode (so every chart has data on first start), and from
the command line to build databases of any size for benchmarks:

    python -m demo --db data/demo.duckdb --today 2026-11-26 --fellows 30
    python -m demo --db big.duckdb --today 2026-11-26 --responses 10000000

A large database is a society of programs served from one server: the demo program first (exactly the
default demo, with the demo accounts), then as many programs of realistic size as the request needs, each
with its own director, cohorts, mentors, pairs and history (ten million responses: about 210 programs).

Everything is drawn in whole arrays (one numpy call per quantity per instrument, not per person), and
inserted with one statement per table for all programs at once, so ten million item responses take
seconds, not hours.
"""

from demo.build import DEMO_INSTRUMENTS_DIR, build_database, build_demo_program
from demo.program import DEMO_ACCOUNTS, DEMO_PASSWORD, DemoSize

__all__ = ["DEMO_INSTRUMENTS_DIR", "DEMO_ACCOUNTS", "DEMO_PASSWORD", "DemoSize", "build_database", "build_demo_program"]
