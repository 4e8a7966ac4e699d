# Egis: `make run` starts the demo, `make test` runs the whole suite. Both install what they need.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
STAMP := $(VENV)/.installed

.PHONY: setup run test lint bench bench-postgres scale-check deploy-files clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the lock file or pyproject changes; safe to run any number of times.
$(STAMP): requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check -q --require-hashes -r requirements.lock
	$(BIN)/pip install --disable-pip-version-check -q --no-deps --no-build-isolation -e .
	touch $(STAMP)

setup: $(STAMP)
	@scripts/setup-extras.sh

run: setup
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/egis demo
	@scripts/run.sh $(HOST) $(PORT)

test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy egis bench/*.py
	npm run --silent typecheck
	npm run --silent lint
	npm run --silent format:check
	npm test --silent
	EGIS_TESTING=1 $(BIN)/pytest -n 2 --dist loadgroup

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy egis bench/*.py

# Benchmarks print figures (never part of `make test`); see docs/BENCHMARKS.md.
bench: setup
	$(BIN)/python bench/run_all.py

# Throwaway PostgreSQL cluster on 127.0.0.1 (Debian packages installed if missing): 1, 4 and 5 (races).
bench-postgres: setup
	$(BIN)/python bench/postgres.py

# Two web instances and two workers on a throwaway PostgreSQL + Redis, one of each killed mid-run
# (issue 14; Debian packages installed if missing). SCALE_SECONDS=30 for a short run.
scale-check: setup
	$(BIN)/python bench/scale.py $(if $(SCALE_SECONDS),--seconds $(SCALE_SECONDS))

# Regenerate deploy/compose.yaml, the Caddyfiles and the systemd units from deploy/processes.toml.
deploy-files: setup
	$(BIN)/python -m deploy.processes

clean:
	rm -rf $(VENV) node_modules staticfiles egis/static/build
