#!/usr/bin/env bash
# Where a lot-tracked administration's time goes, served: bench/admin_breakdown.py.
#
#   bash bench/admin_breakdown.sh        (or: make bench-admin-breakdown)
#
# A throwaway PostgreSQL cluster (or DATABASE_URL), BENCH_PATIENTS patients (default 2,000),
# BENCH_ADMINS screened patients and vials (default 45: one vial each, as make bench-peer's),
# ours served by gunicorn as make bench-peer serves it (2 workers, DEBUG off,
# DATABASE_CONN_MAX_AGE=600), each POST timed in the worker. Prints the table.
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BENCH_PATIENTS=${BENCH_PATIENTS:-2000}
BENCH_ADMINS=${BENCH_ADMINS:-45}
BENCH_PORT=${BENCH_PORT:-8941}
bench_workdir admin-breakdown
PASSWORD="bench-breakdown-$(date +%s)"

bench_port_free "$BENCH_PORT"
bench_postgres
bench_seed_patients "$BENCH_PATIENTS"
echo "Ours: $BENCH_ADMINS screened patients and vials for the administrations"
bench_administration_fixtures "$BENCH_ADMINS" "$PASSWORD" "$BENCH_WORK/setup.json"
bench_vacuum

LOG="$BENCH_WORK/gunicorn.log"
echo "Serving ours on 127.0.0.1:$BENCH_PORT (gunicorn, 2 workers), each POST timed"
bench_serve "$LOG" env DATABASE_CONN_MAX_AGE=600 BREAKDOWN_DIR="$BENCH_WORK/timings" \
  "$GUNICORN" --pythonpath bench admin_breakdown:application -w 2 \
  -b "127.0.0.1:$BENCH_PORT" --log-level warning
bench_wait_http "http://127.0.0.1:$BENCH_PORT/healthz" "$SERVER_PID" "$LOG" 60
"$PY" bench/admin_breakdown.py "http://127.0.0.1:$BENCH_PORT" "$BENCH_WORK/setup.json" \
  "$PASSWORD" "$BENCH_WORK/timings"
