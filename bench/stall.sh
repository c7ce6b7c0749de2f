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

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
PY="$ROOT/.venv/bin/python"
GUNICORN="$ROOT/.venv/bin/gunicorn"
BENCH_SCENARIOS=${BENCH_SCENARIOS:-lock restart}
BENCH_LOCK_SECONDS=${BENCH_LOCK_SECONDS:-50}
BENCH_PORT=${BENCH_PORT:-8781}
BENCH_OUT=${BENCH_OUT:-$ROOT/bench/results/stall.json}
mkdir -p "$(dirname "$BENCH_OUT")"
LOG="$(dirname "$BENCH_OUT")/stall-gunicorn.log"

WORK=$(mktemp -d /tmp/stall.XXXXXX)
GUNICORN_PID=""
cleanup() {
  local rc=$?
  if [ -n "$GUNICORN_PID" ] && kill -0 "$GUNICORN_PID" 2>/dev/null; then
    kill -TERM "$GUNICORN_PID" 2>/dev/null || true
    wait "$GUNICORN_PID" 2>/dev/null || true
  fi
  pg_stop 2>/dev/null || true
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if (exec 3<>"/dev/tcp/127.0.0.1/$BENCH_PORT") 2>/dev/null; then
  echo "Port $BENCH_PORT is in use: set BENCH_PORT" >&2
  exit 2
fi

# A cluster of our own: the restart scenario restarts it.
unset DATABASE_URL DATABASE_OWNER_URL
# shellcheck source=../.ci/postgres.sh
source .ci/postgres.sh start
AS_PG=()
[ "$(id -u)" = "0" ] && AS_PG=(runuser -u postgres --)

mkdir -p "$WORK/settings"
cat >"$WORK/settings/stall_production.py" <<EOF
from clinic.settings.production import *  # noqa: F403

STATIC_ROOT = "$WORK/static"
EOF
PASSWORD=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
SECRET=$(python3 -c 'import secrets; print(secrets.token_urlsafe(60))')
ENV=(env -u DJANGO_DEBUG DJANGO_SETTINGS_MODULE=stall_production PYTHONPATH="$WORK/settings:$ROOT"
  DJANGO_SECRET_KEY="$SECRET" DJANGO_ALLOWED_HOSTS=127.0.0.1 OTP_REQUIRED=false
  STALL_PASSWORD="$PASSWORD")

echo "Migrate (as the owner), collectstatic, staff and 40 patients"
"${ENV[@]}" DATABASE_URL="$DATABASE_OWNER_URL" DATABASE_RUNTIME_URL="$DATABASE_URL" \
  "$PY" manage.py migrate --no-input -v 0
"${ENV[@]}" DATABASE_URL="$DATABASE_URL" "$PY" manage.py collectstatic --no-input -v 0
# shellcheck disable=SC2016
"${ENV[@]}" DATABASE_URL="$DATABASE_URL" "$PY" manage.py shell --no-imports -c '
import os
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from tests.factories import PatientFactory
staff = {"stall_rec_a": "Reception", "stall_rec_b": "Reception",
         "stall_prac": "Practitioner", "stall_mgr": "Manager"}
for name, role in staff.items():
    user, _ = get_user_model().objects.get_or_create(username=name)
    user.set_password(os.environ["STALL_PASSWORD"])
    user.save()
    user.groups.add(Group.objects.get(name=role))
PatientFactory.create_batch(40, registered_by=user)
'

echo "gunicorn -c gunicorn.conf.py (2 workers x 4 threads, production settings) on 127.0.0.1:$BENCH_PORT"
(exec "${ENV[@]}" DATABASE_URL="$DATABASE_URL" GUNICORN_BIND="127.0.0.1:$BENCH_PORT" \
  GUNICORN_WORKERS=2 GUNICORN_THREADS=4 GUNICORN_TIMEOUT=30 \
  "$GUNICORN" -c gunicorn.conf.py clinic.wsgi) >"$LOG" 2>&1 &
GUNICORN_PID=$!
for _ in $(seq 1 100); do
  curl -s -o /dev/null "http://127.0.0.1:$BENCH_PORT/healthz/live" && break
  kill -0 "$GUNICORN_PID" 2>/dev/null || { cat "$LOG" >&2; exit 1; }
  sleep 0.2
done

"$PY" bench/stall.py --base-url "http://127.0.0.1:$BENCH_PORT" --password "$PASSWORD" \
  --owner-url "$DATABASE_OWNER_URL" --psql "$PGBIN_DIR/psql" \
  --pg-ctl "${AS_PG[*]:+${AS_PG[*]} }$PGBIN_DIR/pg_ctl -D $PGTMP/data -l $PGTMP/log" \
  --gunicorn-log "$LOG" --gunicorn-pid "$GUNICORN_PID" --lock-seconds "$BENCH_LOCK_SECONDS" \
  --scenarios "$BENCH_SCENARIOS" --out "$BENCH_OUT"
