#!/usr/bin/env bash
# What `make test` runs once the virtualenv and static files exist.
# Lint, Django checks, migrations check, then pytest on PostgreSQL (a throwaway cluster
# when the server binaries exist; required under CI) and, under CI, once more on SQLite;
# the dependency audit runs meanwhile and is reported last.
set -uo pipefail
cd "$(dirname "$0")/.."
VENV=.venv/bin
status=0

step() { echo; echo "==> $*"; }
# pytest-xdist workers, one per core by default (issue 14.6); PYTEST_WORKERS=0 runs in one
# process. Bytecode is written (some machines set PYTHONDONTWRITEBYTECODE): every worker and
# every manage.py the ops tests start would otherwise compile the project and rewrite the
# test modules again (about 3 s of CPU each).
WORKERS=${PYTEST_WORKERS:-$(nproc 2>/dev/null || echo 2)}
unset PYTHONDONTWRITEBYTECODE
run_pytest() {
  # pytest exits 5 when it collected no test: that is a failure here.
  "$VENV/pytest" -n "$WORKERS" "$@"
  local rc=$?
  if [ $rc -eq 5 ]; then echo "pytest collected no tests: failing." >&2; return 1; fi
  return $rc
}

# Under CI, the SQLite pass's template database is migrated in the background from the
# start (about 7 s of CPU), niced, on the core the checks below leave idle; otherwise one
# of that pass's workers migrates it while the other waits (tests/worker_databases.py).
sqlite_template="" sqlite_template_pid="" audit_log=""
cleanup() {
  [ -n "$sqlite_template_pid" ] && kill "$sqlite_template_pid" 2>/dev/null
  [ -n "$sqlite_template" ] && rm -f "$sqlite_template"{,.log,-wal,-shm}
  [ -n "$audit_log" ] && rm -f "$audit_log"{,.rc}
  [ -n "${checks_out:-}" ] && rm -rf "$checks_out"  # the Django checks' output (below)
  return 0
}
trap cleanup EXIT
if [ "${CI:-}" = "true" ]; then
  sqlite_template=$(mktemp /tmp/clinic-sqlite-template-XXXXXX)
  (unset DATABASE_URL DATABASE_OWNER_URL DATABASE_RUNTIME_ROLE
    DJANGO_SETTINGS_MODULE=clinic.settings.test exec nice -n 10 "$VENV/python" \
      -m tests.worker_databases "$sqlite_template" >"$sqlite_template.log" 2>&1) &
  sqlite_template_pid=$!
fi

# Known vulnerabilities in the installed packages, looked up in the background (mostly
# waiting on the network) and reported after the tests. Offline-safe: when the
# vulnerability database cannot be reached (no network, or only a package mirror), say so
# and go on; fail only on vulnerabilities actually found.
audit_log=$(mktemp)
(timeout 120 "$VENV/pip-audit" --progress-spinner off --timeout 15 >"$audit_log" 2>&1
  echo $? >"$audit_log.rc") &
audit_pid=$!

step "ruff check"; "$VENV/ruff" check . || status=1
step "ruff format --check"; "$VENV/ruff" format --check . || status=1
step "import-linter"; "$VENV/lint-imports" || status=1
# The three Django checks run side by side, each in its own process, while the cluster
# below starts; their output is printed afterwards, in this order. One after the other
# they took 5-9 s of a fresh clone's run (the first also compiles the project's modules).
checks_out=$(mktemp -d) check_names=() check_pids=()
django_check() {
  check_names+=("$1")
  env "${@:2}" >"$checks_out/${#check_names[@]}" 2>&1 &
  check_pids+=($!)
}
django_check "manage.py check" DJANGO_SETTINGS_MODULE=clinic.settings.test \
  "$VENV/python" manage.py check --fail-level WARNING
django_check "makemigrations --check" DJANGO_SETTINGS_MODULE=clinic.settings.test \
  "$VENV/python" manage.py makemigrations --check --dry-run
# Production settings refuse to start without their secrets: dummy values, this step only.
django_check "manage.py check --deploy (production settings)" \
  DJANGO_SETTINGS_MODULE=clinic.settings.production \
  DJANGO_SECRET_KEY="deploy-check-only-$(printf 'x%.0s' {1..60})" \
  DJANGO_ALLOWED_HOSTS=clinic.example.org \
  DATABASE_URL=postgres://deploy:check@127.0.0.1:9/none \
  "$VENV/python" manage.py check --deploy --fail-level WARNING

if [ -z "${DATABASE_URL:-}" ]; then
  # shellcheck source=postgres.sh
  source .ci/postgres.sh
  if pg_start; then
    trap 'pg_stop; cleanup' EXIT
  elif [ "${CI:-}" = "true" ]; then
    echo "CI requires PostgreSQL: install the postgresql package." >&2
    exit 1
  else
    echo "No PostgreSQL server binaries: running the suite on SQLite only." >&2
  fi
fi

for i in "${!check_names[@]}"; do
  wait "${check_pids[$i]}"; rc=$?
  step "${check_names[$i]}"; cat "$checks_out/$((i + 1))"
  [ $rc -eq 0 ] || status=1
done

engine=SQLite
[ -n "${DATABASE_URL:-}" ] && engine=PostgreSQL
step "pytest on $engine"
run_pytest "$@" || status=1

if [ "${CI:-}" = "true" ] && [ -n "${DATABASE_URL:-}" ]; then
  step "pytest on SQLite (CI runs the suite on both engines)"
  prebuilt=""
  if [ -n "$sqlite_template_pid" ]; then
    if wait "$sqlite_template_pid"; then
      prebuilt=$sqlite_template
    else
      echo "(SQLite template not migrated ahead: $(tail -1 "$sqlite_template.log"); the pass migrates it)"
    fi
    sqlite_template_pid=""
  fi
  # The tests that use no database ran in the first pass: not again (tests/conftest.py).
  (unset DATABASE_URL DATABASE_OWNER_URL DATABASE_RUNTIME_ROLE; TESTS_NEEDING_A_DATABASE_ONLY=1 \
    CLINIC_PREBUILT_SQLITE_TEMPLATE=$prebuilt run_pytest -m "not postgres and not e2e" "$@") \
    || status=1
fi

step "dependency audit (pip-audit)"
wait "$audit_pid"
audit_rc=$(cat "$audit_log.rc" 2>/dev/null || echo 1)
audited_none=$(grep -c "could not be audited" "$audit_log")
installed=$("$VENV/python" -m pip list --format=freeze 2>/dev/null | grep -vc "^-e")
if grep -Eq "Found [0-9]+ known vulnerabilit" "$audit_log"; then
  cat "$audit_log"; status=1
elif [ "$audit_rc" -eq 124 ]; then
  echo "skipped: pip-audit timed out after 120 s (vulnerability database unreachable?)"
elif [ "$audit_rc" -ne 0 ]; then
  echo "skipped: vulnerability database unreachable ($(tail -1 "$audit_log" | cut -c1-160))"
elif [ "$audited_none" -gt 0 ] && [ "$audited_none" -ge $((installed - 1)) ]; then
  echo "skipped: vulnerability database unreachable ($audited_none packages could not be audited)"
else
  head -1 "$audit_log"
  [ "$audited_none" -gt 0 ] && echo "($audited_none packages could not be audited)"
fi
rm -f "$audit_log" "$audit_log.rc"

echo
if [ $status -eq 0 ]; then echo "All checks passed."; else echo "Some checks FAILED." >&2; fi
exit $status
