# Two commands do all the set-up: `make run` and `make test`. Each creates .venv and installs the
# pinned requirements the first time (and again whenever requirements.txt changes).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

.PHONY: install run test lint demo-db demo-reset clean bench

install: $(BIN)/.installed

## Run the app in demo mode on data/demo.duckdb (filled with a synthetic program on first start).
run: install
	MENTORSHIP_DEMO=1 $(BIN)/streamlit run serve.py --server.port $(PORT)

## Start the demo afresh: delete the demo database (stop the app first); the next `make run` builds it again.
demo-reset:
	rm -f data/demo.duckdb data/demo.duckdb.wal
	rm -rf data/demo.duckdb.tmp

## Run every check and test: `make lint`, then pytest (browser tests included).
test: lint
	$(BIN)/python -m pytest -q -n 2

## Measure speed at scale (issue 7): pages, dashboard aggregates, writes, a server's peak memory.
## Not part of `make test`. A quick run: make bench BENCH_ARGS="--sizes 10000,100000 --no-memory"
bench: install
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

## The checks that keep the house: formatting, ruff's rules, the import contracts, mypy. The same run on each
## commit after `.venv/bin/pre-commit install` (.pre-commit-config.yaml).
lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
