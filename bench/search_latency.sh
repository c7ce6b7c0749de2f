#!/usr/bin/env bash
# Patient search latency over HTTP with a large seeded PostgreSQL database.
#
#   bash bench/search_latency.sh          (or: make bench-search)
#
# Knobs (environment):
#   SEARCH_PATIENTS  patients to seed (default 100000; 1000000 for issue 14.4's goal, a
#                    COPY seed of a few minutes); BENCH_PATIENTS is the older name
#   BENCH_PORT       gunicorn port on 127.0.0.1 (default 8765)
#   BENCH_REQUESTS   measured requests (default 600)
#   BENCH_WARMUP     warm-up requests, not measured (default 30)
#   BENCH_OUT        results JSON (default bench/results/search_latency.json)
#   DATABASE_URL     reuse this database instead of a throwaway cluster; seeding is
#                    skipped when it already holds >= BENCH_PATIENTS patients
# Prints each kind's p95 against the 100 ms goal; exits non-zero when any kind's p95 is
# >= 100 ms or a request fails.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
PY="$ROOT/.venv/bin/python"
GUNICORN="$ROOT/.venv/bin/gunicorn"
BENCH_PATIENTS=${SEARCH_PATIENTS:-${BENCH_PATIENTS:-100000}}
BENCH_PORT=${BENCH_PORT:-8765}
BENCH_REQUESTS=${BENCH_REQUESTS:-600}
BENCH_WARMUP=${BENCH_WARMUP:-30}
BENCH_OUT=${BENCH_OUT:-$ROOT/bench/results/search_latency.json}
RESULTS_DIR=$(dirname "$BENCH_OUT")
mkdir -p "$RESULTS_DIR"

export DJANGO_SETTINGS_MODULE=clinic.settings.dev
export DJANGO_DEBUG=false

STARTED_PG=0
GUNICORN_PID=""
cleanup() {
  local rc=$?
  if [ -n "$GUNICORN_PID" ] && kill -0 "$GUNICORN_PID" 2>/dev/null; then
    kill -TERM "$GUNICORN_PID" 2>/dev/null || true
    wait "$GUNICORN_PID" 2>/dev/null || true
  fi
  if [ "$STARTED_PG" = "1" ]; then
    pg_stop
  fi
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

count_patients() {
  "$PY" manage.py shell -c \
    "from patients.models import Patient; print(Patient.objects.count())" | tail -1
}
existing=$(count_patients)
SEED_SECONDS=""
if [ "$existing" -ge "$BENCH_PATIENTS" ]; then
  echo "Database already holds $existing patients (>= $BENCH_PATIENTS): not seeding"
else
  to_seed=$((BENCH_PATIENTS - existing))
  echo "Seeding $to_seed patients ($existing already present)..."
  seed_start=$(date +%s.%N)
  # Patients and questionnaires only (what search reads): no treatment history, even for
  # a small top-up, where seed_demo would otherwise add sessions.
  "$PY" manage.py seed_demo --patients "$to_seed" --no-sessions
  seed_end=$(date +%s.%N)
  SEED_SECONDS=$(awk -v a="$seed_start" -v b="$seed_end" 'BEGIN { printf "%.1f", b - a }')
  echo "Seed took ${SEED_SECONDS}s (wall clock; load average $(cut -d' ' -f1-3 /proc/loadavg))"
fi

# Fresh statistics for the planner; VACUUM too, so autovacuum does not wake up mid-run
# after the bulk inserts and the visibility map allows index-only scans.
echo "VACUUM (ANALYZE)..."
as_owner "$PY" manage.py shell -c \
  "from django.db import connection; connection.cursor().execute('VACUUM (ANALYZE)')"

if (exec 3<>"/dev/tcp/127.0.0.1/$BENCH_PORT") 2>/dev/null; then
  echo "Port $BENCH_PORT is already in use: set BENCH_PORT" >&2
  exit 2
fi
echo "Starting gunicorn (2 workers) on 127.0.0.1:$BENCH_PORT"
DATABASE_CONN_MAX_AGE=600 "$GUNICORN" clinic.wsgi -w 2 -b "127.0.0.1:$BENCH_PORT" \
  --log-level warning >"$RESULTS_DIR/gunicorn.log" 2>&1 &
GUNICORN_PID=$!

BASE_URL="http://127.0.0.1:$BENCH_PORT"
for _ in $(seq 1 100); do
  if curl -fsS -o /dev/null "$BASE_URL/healthz" 2>/dev/null; then
    break
  fi
  if ! kill -0 "$GUNICORN_PID" 2>/dev/null; then
    echo "gunicorn exited; see $RESULTS_DIR/gunicorn.log" >&2
    cat "$RESULTS_DIR/gunicorn.log" >&2
    exit 1
  fi
  sleep 0.2
done
curl -fsS "$BASE_URL/healthz" >/dev/null

args=(--base-url "$BASE_URL" --requests "$BENCH_REQUESTS" --warmup "$BENCH_WARMUP"
  --out "$BENCH_OUT")
if [ -n "$SEED_SECONDS" ]; then args+=(--seed-seconds "$SEED_SECONDS"); fi
rc=0
"$PY" bench/search_latency.py "${args[@]}" || rc=$?
echo "Results written to $BENCH_OUT (gunicorn log: $RESULTS_DIR/gunicorn.log)"
exit "$rc"
