# Stadtwerk-Portal. `make run` starts the portal with demo data; `make test` runs lint and the whole test suite.
# Both install what they need first: .venv from requirements-dev.txt, node_modules from package-lock.json.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
PYTEST_ARGS ?=

.PHONY: install run test lint format migrate seed bench-tariffs bench-dashboard bench-notices clean

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.11 or run make PYTHON=python3"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

migrate: install
	mkdir -p var
	$(MANAGE) migrate --noinput

seed: migrate
	$(MANAGE) seed_demo

run: seed
	$(PY) scripts/run_portal.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djlint templates */templates --lint
	DJANGO_SETTINGS_MODULE=stadtwerk_portal.settings.test $(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports
	DJANGO_SETTINGS_MODULE=stadtwerk_portal.settings.test $(MANAGE) makemigrations --check --dry-run

test: lint
	mkdir -p var
	$(VENV)/bin/pytest $(PYTEST_ARGS)

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	$(VENV)/bin/djlint templates */templates --reformat --quiet || true

bench-tariffs: install
	$(PY) benchmarks/bench_tariffs.py

# PostgreSQL: creates and drops a database of its own (DATABASE_URL when its name contains "bench", else
# postgres://postgres@127.0.0.1:5432/bench_dashboard); prints page time, floor and ratio at 10,000 and 100,000 customers.
bench-dashboard: install
	$(PY) benchmarks/bench_dashboard.py $(BENCH_ARGS)

# Needs DATABASE_URL to a PostgreSQL database of its own (created and dropped by the benchmark), e.g.
# DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_notices make bench-notices
bench-notices: install
	$(PY) benchmarks/bench_notices.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules var staticfiles
