#!/usr/bin/env bash
# Stalls and restarts (issue 12, acceptance): gunicorn with production settings in front
# of a throwaway PostgreSQL cluster, four simulated staff working over HTTP, and
#   lock     an ACCESS EXCLUSIVE lock held on the patient table for BENCH_LOCK_SECONDS
#            (50) by a psql session as the owner;
#   restart  PostgreSQL restarted (pg_ctl restart -m fast) while they work.
# bench/stall.py drives the staff and writes the figures; see bench/README.md
# "Stalls and restarts (issue 12)".
#
#   bash bench/stall.sh              (or: make bench-stall)
#   BENCH_SCENARIOS=lock bash bench/stall.sh
#
# Knobs: BENCH_SCENARIOS ("lock restart"), BENCH_LOCK_SECONDS (50), BENCH_PORT (8781),
# BENCH_OUT (bench/results/stall.json). Only 127.0.0.1; every loop is bounded.
# Server log: bench/results/stall-gunicorn.log. Exits non-zero when a check fails.
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BENCH_SCENARIOS=${BENCH_SCENARIOS:-lock restart}
BENCH_LOCK_SECONDS=${BENCH_LOCK_SECONDS:-50}
BENCH_PORT=${BENCH_PORT:-8781}
BENCH_OUT=${BENCH_OUT:-$ROOT/bench/results/stall.json}
mkdir -p "$(dirname "$BENCH_OUT")"
LOG="$(dirname "$BENCH_OUT")/stall-gunicorn.log"

bench_workdir stall
bench_port_free "$BENCH_PORT"

# A cluster of our own: the restart scenario restarts it.
unset DATABASE_URL DATABASE_OWNER_URL
bench_cluster
AS_PG=()
[ "$(id -u)" = "0" ] && AS_PG=(runuser -u postgres --)

bench_production_settings stall_production
PASSWORD=$(bench_password)
ENV=(env -u DJANGO_DEBUG DJANGO_SETTINGS_MODULE=stall_production PYTHONPATH="$SETTINGS_PATH:$ROOT"
  DJANGO_SECRET_KEY="$BENCH_SECRET_KEY" DJANGO_ALLOWED_HOSTS=127.0.0.1 OTP_REQUIRED=false)

echo "Migrate (as the owner), collectstatic, staff and 40 patients"
"${ENV[@]}" DATABASE_URL="$DATABASE_OWNER_URL" DATABASE_RUNTIME_URL="$DATABASE_URL" \
  "$PY" manage.py migrate --no-input -v 0
"${ENV[@]}" DATABASE_URL="$DATABASE_URL" "$PY" manage.py collectstatic --no-input -v 0
bench_staff "$PASSWORD" "stall_rec_a:Reception stall_rec_b:Reception stall_prac:Practitioner \
stall_mgr:Manager" "${ENV[@]}" DATABASE_URL="$DATABASE_URL"
"${ENV[@]}" DATABASE_URL="$DATABASE_URL" "$PY" manage.py shell --no-imports -c '
from django.contrib.auth import get_user_model
from tests.factories import PatientFactory
manager = get_user_model().objects.get(username="stall_mgr")
PatientFactory.create_batch(40, registered_by=manager)
'

echo "gunicorn -c gunicorn.conf.py (2 workers x 4 threads, production settings) on 127.0.0.1:$BENCH_PORT"
bench_serve "$LOG" "${ENV[@]}" DATABASE_URL="$DATABASE_URL" GUNICORN_BIND="127.0.0.1:$BENCH_PORT" \
  GUNICORN_WORKERS=2 GUNICORN_THREADS=4 GUNICORN_TIMEOUT=30 \
  "$GUNICORN" -c gunicorn.conf.py clinic.wsgi
GUNICORN_PID=$SERVER_PID
bench_wait_http "http://127.0.0.1:$BENCH_PORT/healthz/live" "$GUNICORN_PID" "$LOG"

"$PY" bench/stall.py --base-url "http://127.0.0.1:$BENCH_PORT" --password "$PASSWORD" \
  --owner-url "$DATABASE_OWNER_URL" --psql "$PGBIN_DIR/psql" \
  --pg-ctl "${AS_PG[*]:+${AS_PG[*]} }$PGBIN_DIR/pg_ctl -D $PGTMP/data -l $PGTMP/log" \
  --gunicorn-log "$LOG" --gunicorn-pid "$GUNICORN_PID" --lock-seconds "$BENCH_LOCK_SECONDS" \
  --scenarios "$BENCH_SCENARIOS" --out "$BENCH_OUT"
