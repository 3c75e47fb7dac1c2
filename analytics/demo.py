"""The old command, kept for scripts: `python -m analytics.demo ...` runs the demo generator, now `python -m demo`."""

from demo.__main__ import main

if __name__ == "__main__":
    main()
