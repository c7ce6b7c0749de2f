#!/usr/bin/env bash
# Shared set-up of the HTTP benchmarks (search_latency, throughput, reports_latency, stall,
# registration_races, peer_compare): a throwaway PostgreSQL cluster (or DATABASE_URL),
# migrations as the owner role, seeded patients, VACUUM (ANALYZE), staff accounts,
# gunicorn (2 workers by default, gunicorn.conf.py's gthread) with DEBUG off, and a trap that stops the servers and the
# cluster and removes the work directory on exit. Source it from a script that
# `set -euo pipefail`:
#
#   source bench/lib.sh
#   bench_postgres                      # cluster or DATABASE_URL, then migrate
#   bench_seed_patients 100000          # tops up to N patients; sets SEED_SECONDS
#   bench_vacuum
#   bench_gunicorn 8765 "$LOG" [WORKERS] # sets GUNICORN_PID and BASE_URL, waits for /healthz
#   bench_administration_fixtures N "$PASSWORD" "$FILE"   # patients and vials to treat
#
# For servers of their own (production settings, runserver, the peer): bench_workdir,
# bench_port_free, bench_serve and bench_wait_http; bench_production_settings and
# bench_staff for what they need before starting.

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
PY="$ROOT/.venv/bin/python"
GUNICORN="$ROOT/.venv/bin/gunicorn"
export DJANGO_SETTINGS_MODULE=clinic.settings.dev
export DJANGO_DEBUG=false

STARTED_PG=0
GUNICORN_PID=""
SEED_SECONDS=""
BENCH_PIDS=() # every server started by bench_serve; the trap stops them
BENCH_WORK="" # bench_workdir's temporary directory; the trap removes it
bench_cleanup() {
  local rc=$? pid
  for pid in "${BENCH_PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  if [ "$STARTED_PG" = "1" ]; then
    pg_stop || true
  fi
  if [ -n "$BENCH_WORK" ]; then rm -rf "$BENCH_WORK"; fi
  exit "$rc"
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

# Migrations (and VACUUM) run as the owner role when there is one (docs/operations.md).
as_owner() { DATABASE_RUNTIME_URL="$DATABASE_URL" DATABASE_URL="${DATABASE_OWNER_URL:-$DATABASE_URL}" "$@"; }

# A throwaway cluster, unless DATABASE_URL names a PostgreSQL database already.
bench_cluster() {
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
}

bench_postgres() {
  bench_cluster
  as_owner "$PY" manage.py migrate --no-input -v 0
}

bench_count_patients() {
  "$PY" manage.py shell -c \
    "from patients.models import Patient; print(Patient.objects.count())" | tail -1
}

# Patients and questionnaires only (what search and the lists read): no treatment history,
# even for a small top-up, where seed_demo would otherwise add sessions. As the owner role
# (docs/operations.md: data loaders run as the owner), so that a large seed can set the
# tables' indexes aside and build them after the load.
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
  as_owner "$PY" manage.py seed_demo --patients "$((wanted - existing))" --no-sessions
  end=$(date +%s.%N)
  SEED_SECONDS=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
  echo "Seed took ${SEED_SECONDS}s (wall clock; load average $(cut -d' ' -f1-3 /proc/loadavg))"
}

# Fresh statistics for the planner; VACUUM too, so autovacuum does not wake up mid-run
# after the bulk inserts and the visibility map allows index-only scans.
bench_vacuum() {
  echo "VACUUM (ANALYZE)..."
  # Without the web requests' statement timeout: at 1M patients / 5M sessions the VACUUM
  # takes longer than a request may (it was cancelled there, 03/12/2026).
  as_owner env DATABASE_STATEMENT_TIMEOUT_MS=0 "$PY" manage.py shell -c \
    "from django.db import connection; connection.cursor().execute('VACUUM (ANALYZE)')"
}

# For the lot-tracked administrations (bench/peer/ours_setup.py, as the owner): COUNT
# screened patients, a reconstituted vial each and the practitioner bench_peer_practitioner
# (PASSWORD); the JSON the clients read (indication, product, patients) into FILE.
bench_administration_fixtures() { # COUNT PASSWORD FILE
  as_owner "$PY" bench/peer/ours_setup.py "$1" "$2" 2>/dev/null | grep '^{' >"$3"
}

# A temporary directory for settings, static files and data, removed on exit.
bench_workdir() { # PREFIX
  BENCH_WORK=$(mktemp -d "/tmp/$1.XXXXXX")
}

bench_port_free() { # PORT [the knob that moves it]
  if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
    echo "Port $1 is already in use: set ${2:-BENCH_PORT}" >&2
    exit 2
  fi
}

# Production settings with only STATIC_ROOT moved into the work directory, so that
# collectstatic does not write into the shared working tree: DJANGO_SETTINGS_MODULE=NAME
# with PYTHONPATH=$SETTINGS_PATH. Also sets BENCH_SECRET_KEY for DJANGO_SECRET_KEY.
bench_production_settings() { # NAME
  SETTINGS_PATH="$BENCH_WORK/settings"
  mkdir -p "$SETTINGS_PATH"
  cat >"$SETTINGS_PATH/$1.py" <<EOF
from clinic.settings.production import *  # noqa: F403

STATIC_ROOT = "$BENCH_WORK/static"
EOF
  BENCH_SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(60))')
}

bench_password() { python3 -c 'import secrets; print(secrets.token_urlsafe(18))'; }

# Staff accounts, as tests/factories.py UserFactory(role=...) makes them: each NAME:ROLE,
# ROLE a group (Reception, Practitioner, Manager) or "superuser". The optional command
# prefix runs manage.py in another environment or source tree (env ..., or a function
# that ends by running "$@").
bench_staff() { # PASSWORD "NAME:ROLE ..." [COMMAND PREFIX...]
  # shellcheck disable=SC2016
  "${@:3}" env BENCH_STAFF="$2" BENCH_STAFF_PASSWORD="$1" "$PY" manage.py shell --no-imports -c '
import os
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
for item in os.environ["BENCH_STAFF"].split():
    name, role = item.split(":")
    user, _ = get_user_model().objects.get_or_create(username=name)
    user.set_password(os.environ["BENCH_STAFF_PASSWORD"])
    user.is_active = True
    user.is_superuser = user.is_staff = role == "superuser"
    user.save()
    if role != "superuser":
        user.groups.add(Group.objects.get(name=role))
print("Staff:", os.environ["BENCH_STAFF"])
'
}

# Runs COMMAND in the background with its output in LOG; SERVER_PID is its pid, which the
# trap stops. A command that must change directory first: bash -c 'cd ... && exec ...'
# or a subshell function that execs.
bench_serve() { # LOG COMMAND...
  "${@:2}" >"$1" 2>&1 &
  SERVER_PID=$!
  BENCH_PIDS+=("$SERVER_PID")
}

# Waits until URL gives any HTTP answer (production settings answer plain HTTP with a 301
# to https); fails with the server's log when it exits or stays silent for SECONDS.
bench_wait_http() { # URL PID LOG [SECONDS, default 30]
  local seconds=${4:-30}
  for _ in $(seq 1 $((seconds * 5))); do
    if curl -sS -o /dev/null "$1" 2>/dev/null; then return 0; fi
    if ! kill -0 "$2" 2>/dev/null; then
      echo "The server exited; its log ($3):" >&2
      cat "$3" >&2
      exit 1
    fi
    sleep 0.2
  done
  echo "No answer from $1 after $seconds s; see $3" >&2
  exit 1
}

bench_gunicorn() { # PORT LOG [WORKERS, default 2]
  local port=$1 log=$2 workers=${3:-2}
  bench_port_free "$port"
  echo "Starting gunicorn ($workers worker(s); gunicorn.conf.py: gthread, 4 threads each) on 127.0.0.1:$port"
  bench_serve "$log" env DATABASE_CONN_MAX_AGE=600 "$GUNICORN" clinic.wsgi -w "$workers" \
    -b "127.0.0.1:$port" --log-level warning
  GUNICORN_PID=$SERVER_PID
  BASE_URL="http://127.0.0.1:$port"
  bench_wait_http "$BASE_URL/healthz" "$GUNICORN_PID" "$log"
  curl -fsS "$BASE_URL/healthz" >/dev/null
}
