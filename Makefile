# Two commands matter: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements-dev.lock | cksum | cut -d' ' -f1)
PORT ?= 8000

.PHONY: run test setup migrate lint bench bench-web clean load outage restore-drill e2e

$(STAMP): requirements-dev.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-dev.lock
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: $(STAMP)

migrate: setup
	$(PY) manage.py migrate --noinput --verbosity 0
	$(PY) manage.py createcachetable

run: migrate
	$(PY) manage.py load_demo --if-empty
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: setup
	$(PY) -m pytest

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(PY) manage.py makemigrations --check --dry-run

bench: setup
	$(PY) -m pytest tests/benchmarks -p no:cacheprovider -o addopts="" --benchmark-only

# Whole pages through production gunicorn on PostgreSQL at 100k articles / 10k readers,
# beside /healthz in the same run (scripts/load/bench_web.py; writes docs/benchmarks.md).
# REUSE=1 keeps the prepared scratch database newsapp_bench. Not part of make test.
bench-web: setup
	$(PY) scripts/load/bench_web.py $(if $(REUSE),--reuse,)

# Load, outage and restore drill on PostgreSQL (127.0.0.1:5432, scratch databases
# newsapp_load and newsapp_restore_drill) with gunicorn and production settings.
# SMALL=1 is the CI scale (10 readers, 15 s, 1,000 articles); see docs/operations.md.
LOAD_SCALE := $(if $(SMALL),--small,)

load: setup
	$(PY) scripts/load/run_load.py $(LOAD_SCALE)

outage: setup
	$(PY) scripts/load/outage.py $(LOAD_SCALE)

restore-drill: setup
	$(PY) scripts/restore_drill.py

# Browser tests (tests/e2e, left out of `make test`): Debian's chromium, never a downloaded
# browser; axe-core from npm (package-lock.json). Screenshots and axe results: var/screenshots/.
e2e: setup
	@test -x /usr/bin/chromium || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	$(PY) -m pytest tests/e2e

clean:
	rm -rf $(VENV) db.sqlite3* var staticfiles
