#!/usr/bin/env bash
# Throughput over HTTP (issue 14.1-14.3): gunicorn with 2 sync workers, PostgreSQL,
# DEBUG off, as bench/search_latency.sh. Runs bench/lists_throughput.py (a bare signed-in
# page, the patient list, Django admin's patient changelist) and
# bench/registration_throughput.py (registration POST and the whole GET+POST flow,
# 2 clients), each printing its figures against the issue's goals.
#
#   bash bench/throughput.sh              (make bench calls it)
#   BENCH_ONLY=lists bash bench/throughput.sh
#
# Knobs (environment):
#   BENCH_PATIENTS   patients to seed (default 100000; 10000 seeds in about a minute)
#   BENCH_PORT       gunicorn port on 127.0.0.1 (default 8766)
#   BENCH_ONLY       lists | registration (default: both)
#   BENCH_SECONDS    seconds per measured round of the lists bench (default 5)
#   BENCH_ROUNDS     interleaved rounds (default 3)
#   BENCH_REGISTRATIONS  registrations per client and phase (default 300)
#   DATABASE_URL     reuse this PostgreSQL database instead of a throwaway cluster
# Exits non-zero when a goal is missed or a request fails.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
PY="$ROOT/.venv/bin/python"
GUNICORN="$ROOT/.venv/bin/gunicorn"
BENCH_PATIENTS=${BENCH_PATIENTS:-100000}
BENCH_PORT=${BENCH_PORT:-8766}
BENCH_ONLY=${BENCH_ONLY:-}
RESULTS_DIR="$ROOT/bench/results"
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

as_owner() { DATABASE_RUNTIME_URL="$DATABASE_URL" DATABASE_URL="${DATABASE_OWNER_URL:-$DATABASE_URL}" "$@"; }
as_owner "$PY" manage.py migrate --no-input -v 0

existing=$("$PY" manage.py shell -c \
  "from patients.models import Patient; print(Patient.objects.count())" | tail -1)
if [ "$existing" -lt "$BENCH_PATIENTS" ]; then
  echo "Seeding $((BENCH_PATIENTS - existing)) patients ($existing present)..."
  seed_start=$(date +%s)
  "$PY" manage.py seed_demo --patients "$((BENCH_PATIENTS - existing))" --no-sessions
  echo "Seed took $(($(date +%s) - seed_start)) s"
fi
as_owner "$PY" manage.py shell -c \
  "from django.db import connection; connection.cursor().execute('VACUUM (ANALYZE)')"

export BENCH_PASSWORD
BENCH_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
# Two reception users (as tests/factories.py makes them) and a superuser for the admin.
"$PY" manage.py shell -c '
import os
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
reception = Group.objects.get(name="Reception")
for name, superuser in (("bench_reception_a", False), ("bench_reception_b", False),
                        ("bench_admin", True)):
    user, _ = get_user_model().objects.get_or_create(username=name)
    user.set_password(os.environ["BENCH_PASSWORD"])
    user.is_active = True
    user.is_superuser = user.is_staff = superuser
    user.save()
    if not superuser:
        user.groups.add(reception)
'

if (exec 3<>"/dev/tcp/127.0.0.1/$BENCH_PORT") 2>/dev/null; then
  echo "Port $BENCH_PORT is already in use: set BENCH_PORT" >&2
  exit 2
fi
echo "Starting gunicorn (2 sync workers) on 127.0.0.1:$BENCH_PORT"
DATABASE_CONN_MAX_AGE=600 "$GUNICORN" clinic.wsgi -w 2 -b "127.0.0.1:$BENCH_PORT" \
  --log-level warning >"$RESULTS_DIR/throughput-gunicorn.log" 2>&1 &
GUNICORN_PID=$!
BASE_URL="http://127.0.0.1:$BENCH_PORT"
for _ in $(seq 1 150); do
  if curl -fsS -o /dev/null "$BASE_URL/healthz" 2>/dev/null; then break; fi
  if ! kill -0 "$GUNICORN_PID" 2>/dev/null; then
    cat "$RESULTS_DIR/throughput-gunicorn.log" >&2
    exit 1
  fi
  sleep 0.2
done
echo "Patients: $("$PY" manage.py shell -c \
  "from patients.models import Patient; print(Patient.objects.count())" | tail -1); uptime:$(uptime)"

rc=0
if [ -z "$BENCH_ONLY" ] || [ "$BENCH_ONLY" = "lists" ]; then
  "$PY" bench/lists_throughput.py --base-url "$BASE_URL" \
    --seconds "${BENCH_SECONDS:-5}" --rounds "${BENCH_ROUNDS:-3}" || rc=$?
fi
if [ -z "$BENCH_ONLY" ] || [ "$BENCH_ONLY" = "registration" ]; then
  "$PY" bench/registration_throughput.py --base-url "$BASE_URL" \
    --count "${BENCH_REGISTRATIONS:-300}" || rc=$?
fi
exit "$rc"
