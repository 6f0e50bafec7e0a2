# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint typecheck pytest pytest-sqlite pytest-postgresql bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/slthub demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check crypto policies

typecheck: $(STAMP)
	$(BIN)/mypy crypto policies sqlbase hub alerts bench

# pytest exits 5 when it collects nothing; make treats any non-zero exit as failure,
# so an empty suite can never pass.
pytest-sqlite: $(STAMP)
	$(BIN)/pytest --db=sqlite

# Only the tests that touch the database run twice (they are marked `db` automatically by
# tests/conftest.py); a PostgreSQL run that selects none stops with a usage error (exit 4).
pytest-postgresql: $(STAMP)
	$(BIN)/pytest --db=postgresql -m db

pytest: pytest-sqlite pytest-postgresql

test: lint typecheck pytest

bench: $(STAMP)
	$(BIN)/slthub bench

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
