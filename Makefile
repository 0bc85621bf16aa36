# Convene: `make run` starts the whole app on the embedded default; `make test` runs every check.
# Override the interpreter with `make PYTHON=/path/to/python3.12 run`.

.DEFAULT_GOAL := help
SHELL := /bin/bash

# The first interpreter on PATH that is Python 3.12 or newer (pyenv shims honour .python-version).
PYTHON ?= $(shell for p in python3.12 python3.13 python3.14 python3; do \
	command -v $$p >/dev/null 2>&1 && \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && \
	{ echo $$p; break; }; done)

VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: help install run test lint format test-postgres test-e2e

help:
	@echo "make run    start Convene, its task worker and the Unified sandbox on http://127.0.0.1:8000"
	@echo "make test   ruff check, ruff format --check and the whole pytest suite"
	@echo "make test-postgres  the pytest suite again, on a throwaway PostgreSQL cluster"
	@echo "make test-e2e       browser journeys (tests/e2e) in headless Chromium"

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then \
		echo "Convene needs Python 3.12 or newer, and none was found on PATH."; \
		echo "Install one (e.g. 'apt-get install python3.12 python3.12-venv', or 'pyenv install 3.12')"; \
		echo "or point at it: make PYTHON=/path/to/python3.12 $(MAKECMDGOALS)"; \
		exit 1; \
	fi
	@test -x $(BIN)/python || { echo "Creating $(VENV) with $$($(PYTHON) --version)"; $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet ".[test]"
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py dev

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# --- Test tiers beyond the quick run (used by .ci/run) ---------------------------------------
# Each tier installs its own extra on top of the test environment, with its own stamp, so
# `make test` never waits for a database driver or a browser it does not use.

PG_STAMP := $(VENV)/.installed-postgres-stamp

$(PG_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet ".[test,postgres]"
	@touch $(PG_STAMP)

# The same suite as `make test` (without ruff), on PostgreSQL; bin/with-postgres installs the
# server with apt-get if needed and removes the cluster afterwards.
test-postgres: $(PG_STAMP)
	bin/with-postgres $(BIN)/python -m pytest

E2E_STAMP := $(VENV)/.installed-e2e-stamp

$(E2E_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet ".[test,e2e]"
	@touch $(E2E_STAMP)

# Playwright drives Debian's Chromium (never `playwright install`: it downloads a browser).
# Screenshots and HTML of failed journeys land in test-results/.
test-e2e: $(E2E_STAMP)
	@command -v chromium >/dev/null 2>&1 || bin/apt-install chromium
	$(BIN)/python -m pytest -m e2e tests/e2e
