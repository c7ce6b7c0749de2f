#!/usr/bin/env bash
# Shared set-up of the HTTP benchmarks (search_latency.sh, throughput.sh): a throwaway
# PostgreSQL cluster (or DATABASE_URL), migrations as the owner role, seeded patients,
# VACUUM (ANALYZE), gunicorn with 2 sync workers and DEBUG off, and a trap that stops
# gunicorn and the cluster on exit. Source it from a script that `set -euo pipefail`:
#
#   source bench/lib.sh
#   bench_postgres                      # cluster or DATABASE_URL, then migrate
#   bench_seed_patients 100000          # tops up to N patients; sets SEED_SECONDS
#   bench_vacuum
#   bench_gunicorn 8765 "$LOG"          # sets GUNICORN_PID and BASE_URL, waits for /healthz

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
PY="$ROOT/.venv/bin/python"
GUNICORN="$ROOT/.venv/bin/gunicorn"
export DJANGO_SETTINGS_MODULE=clinic.settings.dev
export DJANGO_DEBUG=false

STARTED_PG=0
GUNICORN_PID=""
SEED_SECONDS=""
bench_cleanup() {
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
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

# Migrations (and VACUUM) run as the owner role when there is one (docs/operations.md).
as_owner() { DATABASE_RUNTIME_URL="$DATABASE_URL" DATABASE_URL="${DATABASE_OWNER_URL:-$DATABASE_URL}" "$@"; }

bench_postgres() {
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
  as_owner "$PY" manage.py migrate --no-input -v 0
}

bench_count_patients() {
  "$PY" manage.py shell -c \
    "from patients.models import Patient; print(Patient.objects.count())" | tail -1
}

# Patients and questionnaires only (what search and the lists read): no treatment history,
# even for a small top-up, where seed_demo would otherwise add sessions.
bench_seed_patients() {
  local wanted=$1 existing
  existing=$(bench_count_patients)
  if [ "$existing" -ge "$wanted" ]; then
    echo "Database already holds $existing patients (>= $wanted): not seeding"
    return
  fi
  echo "Seeding $((wanted - existing)) patients ($existing already present)..."
  local start end
  start=$(date +%s.%N)
  "$PY" manage.py seed_demo --patients "$((wanted - existing))" --no-sessions
  end=$(date +%s.%N)
  SEED_SECONDS=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
  echo "Seed took ${SEED_SECONDS}s (wall clock; load average $(cut -d' ' -f1-3 /proc/loadavg))"
}

# Fresh statistics for the planner; VACUUM too, so autovacuum does not wake up mid-run
# after the bulk inserts and the visibility map allows index-only scans.
bench_vacuum() {
  echo "VACUUM (ANALYZE)..."
  as_owner "$PY" manage.py shell -c \
    "from django.db import connection; connection.cursor().execute('VACUUM (ANALYZE)')"
}

bench_gunicorn() {
  local port=$1 log=$2
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "Port $port is already in use: set BENCH_PORT" >&2
    exit 2
  fi
  echo "Starting gunicorn (2 sync workers) on 127.0.0.1:$port"
  DATABASE_CONN_MAX_AGE=600 "$GUNICORN" clinic.wsgi -w 2 -b "127.0.0.1:$port" \
    --log-level warning >"$log" 2>&1 &
  GUNICORN_PID=$!
  BASE_URL="http://127.0.0.1:$port"
  for _ in $(seq 1 150); do
    if curl -fsS -o /dev/null "$BASE_URL/healthz" 2>/dev/null; then return; fi
    if ! kill -0 "$GUNICORN_PID" 2>/dev/null; then
      echo "gunicorn exited; see $log" >&2
      cat "$log" >&2
      exit 1
    fi
    sleep 0.2
  done
  curl -fsS "$BASE_URL/healthz" >/dev/null
}
