# The two commands a newcomer needs: `make run` (demo on SQLite) and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# Migrations and data loaders run as the database owner when DATABASE_OWNER_URL is set
# (PostgreSQL with two roles: docs/operations.md "Database roles"); the app does not.
AS_OWNER = $(if $(DATABASE_OWNER_URL),DATABASE_RUNTIME_URL="$$DATABASE_URL" DATABASE_URL="$$DATABASE_OWNER_URL")
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test static lint format seed bench bench-peer bench-admin-breakdown bench-migrate bench-search bench-reports bench-races bench-stall bench-scale serve backup restore soak clean help

help:
	@echo "make run    - install everything, migrate, seed demo data once, serve http://127.0.0.1:8000"
	@echo "make test   - lint, checks and the whole test suite (PostgreSQL + Chromium when present)"
	@echo "make serve  - production-like: PostgreSQL under var/, gunicorn + worker on 127.0.0.1:\$${PORT:-8000}"
	@echo "make backup - pg_dump -Fc (+ age, sha256, manifest) into var/backups/; make restore FILE=..."
	@echo "make soak   - issue 12 soak checks (SOAK=demo|serve|both, ~13 min for both)"
	@echo "make bench  - issue 14's whole table: every figure, its goal, pass/fail (BENCH_SCALE=small: 10k patients, minutes; full: 1M, hours; BENCH_ARGS=--with-test adds make test)"
	@echo "make bench-peer - GNU Health 5.0.6 from PyPI beside ours (same PostgreSQL, Python, 2 workers): registration, search, administration ratios"
	@echo "make bench-admin-breakdown - where an administration's time goes, served: each of the three POSTs timed in the worker (SQL, reads, forms, services)"
	@echo "make bench-migrate - a new database through the squashed migrations and through the originals (PostgreSQL and SQLite): times, and the two compared"
	@echo "make bench-search - seed 100,000 patients on PostgreSQL and measure search over HTTP"
	@echo "make bench-reports - seed 100,000 patients and 500,000 sessions; dashboard and report p50/p95"
	@echo "make bench-races - double-clicks and simultaneous registrations over HTTP (PostgreSQL + SQLite)"
	@echo "make bench-stall - a 50 s lock on the patient table and a PostgreSQL restart under four staff (gunicorn)"
	@echo "make bench-scale - 60,000 patients with 400,000 sessions of history: the administration and the everyday pages"

# No --compile-bytecode: compiling every installed module took ~6 s of a fresh machine's
# make test; the modules actually imported are compiled on first use (and written: .ci/test.sh).
$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(PY) || "$$(bash .ci/find-python.sh)" -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check uv
	@$(VENV)/bin/uv pip install -q --python $(PY) -r requirements-dev.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

clinic/static/vendor/.built: node_modules/.installed clinic/static_build.mjs
	@npm run --silent build
	@touch $@

static: clinic/static/vendor/.built

run: $(VENV)/.installed static
	$(AS_OWNER) $(PY) manage.py migrate --no-input -v 1
	$(AS_OWNER) $(PY) manage.py seed_demo --if-empty
	@echo; echo "Serving on http://127.0.0.1:$${PORT:-8000}, the background worker beside it (Ctrl+C stops both)"; echo
	PY=$(PY) bash deploy/run_with_worker.sh 127.0.0.1:$${PORT:-8000}

test: $(VENV)/.installed static
	@bash .ci/test.sh

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format:
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Issue 14: one table of every figure (bench/run_all.py; bench/README.md "make bench").
bench: $(VENV)/.installed static
	@$(PY) bench/run_all.py $(BENCH_ARGS)

bench-peer: $(VENV)/.installed static
	@bash bench/peer_compare.sh

bench-admin-breakdown: $(VENV)/.installed static
	@bash bench/admin_breakdown.sh

# A new database through the squashed migrations and through the originals: times, and the
# two databases compared (bench/migrate_check.sh).
bench-migrate: $(VENV)/.installed
	@bash bench/migrate_check.sh

bench-search: $(VENV)/.installed static
	@bash bench/search_latency.sh

bench-reports: $(VENV)/.installed static
	@bash bench/reports_latency.sh

bench-races: $(VENV)/.installed static
	@bash bench/registration_races.sh

bench-stall: $(VENV)/.installed static
	@bash bench/stall.sh

bench-scale: $(VENV)/.installed static
	@bash bench/scale_paths.sh

# The production stack without containers (issue 12): PostgreSQL under var/, gunicorn, worker.
serve: $(VENV)/.installed static
	@bash deploy/serve.sh

# Backups (docs/operations.md "Backups"): pg_dump -Fc as the owner into var/backups/.
backup:
	@bash deploy/backup.sh

restore:
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/<name>.dump[.age]"; exit 2; }
	@bash deploy/restore.sh "$(FILE)"

# Soak (issue 12 acceptance; not in make test): SOAK=demo (make run) or SOAK=serve.
soak: $(VENV)/.installed static
	@bash bench/soak.sh

clean:
	rm -rf $(VENV) node_modules clinic/static/vendor .staticfiles db.sqlite3
