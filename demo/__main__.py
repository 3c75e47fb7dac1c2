"""The command line: `python -m demo --db FILE ...` builds a new database (see the package's docstring)."""

import argparse
from datetime import date
from pathlib import Path

from demo.build import build_database
from demo.program import DemoSize


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Build a synthetic fellowship program, or a society of them, in a new DuckDB file."
    )
    parser.add_argument("--db", required=True, type=Path, help="the DuckDB file to create (must not exist)")
    parser.add_argument("--today", type=date.fromisoformat, default=date.today(), help="reference date, YYYY-MM-DD")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--responses",
        type=int,
        help="about how many item responses to generate: the demo program and as many further programs as that needs "
        "(one smaller program when it is below the demo program's size); ignores the three below",
    )
    parser.add_argument("--fellows", type=int, default=DemoSize.fellows)
    parser.add_argument("--mentors", type=int, default=DemoSize.mentors)
    parser.add_argument("--years", type=int, default=DemoSize.years)
    args = parser.parse_args(argv)
    if args.db.exists():
        parser.error(f"{args.db} exists; choose a new file")
    if args.responses is not None and args.responses < 1:
        parser.error("--responses must be a positive number")
    size = None if args.responses is not None else DemoSize(args.fellows, args.mentors, args.years)
    print(build_database(args.db, args.today, args.responses, args.seed, size))


if __name__ == "__main__":
    main()
