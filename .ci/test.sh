#!/usr/bin/env bash
# What `make test` runs once the virtualenv and static files exist.
# Lint, Django checks, migrations check, then pytest on PostgreSQL (a throwaway cluster
# when the server binaries exist; required under CI) and, under CI, once more on SQLite.
set -uo pipefail
cd "$(dirname "$0")/.."
VENV=.venv/bin
status=0

step() { echo; echo "==> $*"; }
run_pytest() {
  # pytest exits 5 when it collected no test: that is a failure here.
  "$VENV/pytest" "$@"
  local rc=$?
  if [ $rc -eq 5 ]; then echo "pytest collected no tests: failing." >&2; return 1; fi
  return $rc
}

step "ruff check"; "$VENV/ruff" check . || status=1
step "ruff format --check"; "$VENV/ruff" format --check . || status=1
step "manage.py check"; DJANGO_SETTINGS_MODULE=clinic.settings.test "$VENV/python" manage.py check --fail-level WARNING || status=1
step "makemigrations --check"; DJANGO_SETTINGS_MODULE=clinic.settings.test "$VENV/python" manage.py makemigrations --check --dry-run || status=1

if [ -z "${DATABASE_URL:-}" ]; then
  # shellcheck source=postgres.sh
  source .ci/postgres.sh
  if pg_start; then
    trap pg_stop EXIT
  elif [ "${CI:-}" = "true" ]; then
    echo "CI requires PostgreSQL: install the postgresql package." >&2
    exit 1
  else
    echo "No PostgreSQL server binaries: running the suite on SQLite only." >&2
  fi
fi

engine=SQLite
[ -n "${DATABASE_URL:-}" ] && engine=PostgreSQL
step "pytest on $engine"
run_pytest "$@" || status=1

if [ "${CI:-}" = "true" ] && [ -n "${DATABASE_URL:-}" ]; then
  step "pytest on SQLite (CI runs the suite on both engines)"
  (unset DATABASE_URL; run_pytest -m "not postgres and not e2e" "$@") || status=1
fi

echo
if [ $status -eq 0 ]; then echo "All checks passed."; else echo "Some checks FAILED." >&2; fi
exit $status
