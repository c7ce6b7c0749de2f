#!/usr/bin/env bash
# Dashboard and report latency on a large seeded PostgreSQL database (issue 5).
#
#   bash bench/reports_latency.sh          (or: make bench-reports)
#
# Knobs (environment):
#   REPORT_PATIENTS  patients to seed (default 100000; BENCH_PATIENTS also read)
#   REPORT_SESSIONS  treatment sessions to seed (default 500000; BENCH_SESSIONS also
#                    read). Issue 14's scale: REPORT_PATIENTS=1000000 REPORT_SESSIONS=5000000
#   BENCH_REQUESTS   measured requests per page (default 40)
#   BENCH_WARMUP     warm-up requests per page, not measured (default 3)
#   BENCH_OUT        results JSON (default bench/results/reports_latency.json)
#   DATABASE_URL     reuse this database instead of a throwaway cluster; seeding is
#                    skipped when it already holds enough patients / sessions
# Exits non-zero when a dashboard or report page has p95 >= 300 ms or the one-year CSV's
# first byte takes >= 1 s. Prints the 12-month dashboard (one request) against issue 14's
# goal of 300 ms; the seed fills the dashboard's rollups (bench/seed_reports.py).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
PY="$ROOT/.venv/bin/python"
BENCH_PATIENTS=${REPORT_PATIENTS:-${BENCH_PATIENTS:-100000}}
BENCH_SESSIONS=${REPORT_SESSIONS:-${BENCH_SESSIONS:-500000}}
export BENCH_REQUESTS=${BENCH_REQUESTS:-40}
export BENCH_WARMUP=${BENCH_WARMUP:-3}
export BENCH_OUT=${BENCH_OUT:-$ROOT/bench/results/reports_latency.json}
mkdir -p "$(dirname "$BENCH_OUT")"

export DJANGO_SETTINGS_MODULE=clinic.settings.dev
export DJANGO_DEBUG=false

STARTED_PG=0
cleanup() {
  local rc=$?
  if [ "$STARTED_PG" = "1" ]; then pg_stop; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -n "${DATABASE_URL:-}" ]; then
  echo "Using the existing database from DATABASE_URL"
else
  # shellcheck source=../.ci/postgres.sh
  source .ci/postgres.sh start
  STARTED_PG=1
fi
case "$DATABASE_URL" in
  postgres://* | postgresql://*) ;;
  *) echo "DATABASE_URL must point at PostgreSQL" >&2; exit 2 ;;
esac

# Migrations (and VACUUM) run as the owner role when there is one (docs/operations.md).
as_owner() { DATABASE_RUNTIME_URL="$DATABASE_URL" DATABASE_URL="${DATABASE_OWNER_URL:-$DATABASE_URL}" "$@"; }
as_owner "$PY" manage.py migrate --no-input -v 0

count() {
  "$PY" manage.py shell -c "from $1 import $2; print($2.objects.count())" | tail -1
}
patients=$(count patients.models Patient)
if [ "$patients" -lt "$BENCH_PATIENTS" ]; then
  echo "Seeding $((BENCH_PATIENTS - patients)) patients..."
  time "$PY" manage.py seed_demo --patients "$((BENCH_PATIENTS - patients))" --no-sessions
fi
sessions=$(count treatments.models TreatmentSession)
if [ "$sessions" -lt "$BENCH_SESSIONS" ]; then
  echo "Seeding $((BENCH_SESSIONS - sessions)) sessions..."
  # Without the web requests' statement timeout: one COPY of a million rows takes longer.
  time as_owner env DATABASE_STATEMENT_TIMEOUT_MS=0 "$PY" bench/seed_reports.py \
    --sessions "$((BENCH_SESSIONS - sessions))"
fi

# Fresh planner statistics (without them the first runs after a bulk load plan badly).
echo "VACUUM (ANALYZE)..."
as_owner "$PY" manage.py shell -c \
  "from django.db import connection; connection.cursor().execute('VACUUM (ANALYZE)')"

"$PY" bench/reports_latency.py
