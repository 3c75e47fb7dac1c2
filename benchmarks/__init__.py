"""Speed at scale: `python -m benchmarks.run` (or `make bench`). Not part of the test run."""
