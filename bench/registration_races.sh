#!/usr/bin/env bash
# Registration races over HTTP (issue 10: "Registering is idempotent and serialised").
# Double-clicks on "Register" and two receptionists registering the same person at the
# same moment, against the two ways the clinic is served:
#   postgresql/gunicorn  throwaway PostgreSQL, gunicorn with 3 sync workers, production
#                        settings (spoken to as behind a TLS-terminating proxy)
#   sqlite/runserver     the `make run` demo: manage.py runserver (threaded), dev settings,
#                        a fresh SQLite file
#
#   bash bench/registration_races.sh          (or: make bench-races)
#
# Knobs (environment):
#   BENCH_ROUNDS       rounds of each type per engine (default 20)
#   BENCH_ENGINES      which engines (default "postgresql sqlite")
#   BENCH_REV          measure this commit (exported with `git archive` into a temp dir)
#                      instead of the working tree, e.g. BENCH_REV=HEAD
#   BENCH_GAP_MS       delay of the second POST of a round (default 0: same moment)
#   BENCH_DROP_TOKEN   1: never send the form's submission_token back (default 0)
#   BENCH_PG_PORT      gunicorn port on 127.0.0.1 (default 8771)
#   BENCH_SQLITE_PORT  runserver port on 127.0.0.1 (default 8772)
#   BENCH_OUT          results JSON (default bench/results/registration_races.json)
#   DATABASE_URL       reuse this PostgreSQL database instead of a throwaway cluster
#                      (migrations run with DATABASE_OWNER_URL when that is set)
# Server logs: bench/results/registration_races-{gunicorn,runserver}.log.
# Exits non-zero when any round left other than one patient, got a 5xx, or (two
# receptionists) the second answer was neither the duplicate warning nor the same patient.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
PY="$ROOT/.venv/bin/python"
GUNICORN="$ROOT/.venv/bin/gunicorn"
BENCH_ROUNDS=${BENCH_ROUNDS:-20}
BENCH_ENGINES=${BENCH_ENGINES:-postgresql sqlite}
BENCH_GAP_MS=${BENCH_GAP_MS:-0}
BENCH_DROP_TOKEN=${BENCH_DROP_TOKEN:-0}
BENCH_PG_PORT=${BENCH_PG_PORT:-8771}
BENCH_SQLITE_PORT=${BENCH_SQLITE_PORT:-8772}
BENCH_OUT=${BENCH_OUT:-$ROOT/bench/results/registration_races.json}
RESULTS_DIR=$(dirname "$BENCH_OUT")
mkdir -p "$RESULTS_DIR"
GUNICORN_LOG="$RESULTS_DIR/registration_races-gunicorn.log"
RUNSERVER_LOG="$RESULTS_DIR/registration_races-runserver.log"

WORK=$(mktemp -d /tmp/races.XXXXXX)
STARTED_PG=0
PIDS=()
cleanup() {
  local rc=$?
  for pid in "${PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  if [ "$STARTED_PG" = "1" ]; then pg_stop; fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wants() { [[ " $BENCH_ENGINES " == *" $1 "* ]]; }

port_free() {
  if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
    echo "Port $1 is already in use: set BENCH_PG_PORT / BENCH_SQLITE_PORT" >&2
    exit 2
  fi
}

wait_for() { # URL PID LOG
  for _ in $(seq 1 150); do
    # Any answer will do (production settings answer plain HTTP with a 301 to https).
    if curl -sS -o /dev/null "$1/healthz" 2>/dev/null; then return 0; fi
    if ! kill -0 "$2" 2>/dev/null; then
      echo "The server exited; its log ($3):" >&2
      cat "$3" >&2
      exit 1
    fi
    sleep 0.2
  done
  echo "No answer from $1 after 30 s; see $3" >&2
  exit 1
}

# The code measured: the working tree, or one commit exported beside it.
if [ -n "${BENCH_REV:-}" ]; then
  SRC="$WORK/src"
  mkdir -p "$SRC"
  git -C "$ROOT" archive --format=tar "$BENCH_REV" | tar -x -C "$SRC"
  # Built front-end files are git-ignored: take the working tree's.
  cp -a "$ROOT/clinic/static/vendor" "$SRC/clinic/static/"
  CODE="$(git -C "$ROOT" rev-parse --short "$BENCH_REV") (BENCH_REV=$BENCH_REV)"
else
  SRC="$ROOT"
  CODE="working tree at $(git -C "$ROOT" rev-parse --short HEAD)"
  dirty=$(git -C "$ROOT" --no-optional-locks status --porcelain | grep -v ' bench/' || true)
  if [ -n "$dirty" ]; then CODE="$CODE + uncommitted changes"; fi
fi
echo "Code: $CODE"

PASSWORD=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
USERS=(race_reception_a race_reception_b)
# Two reception users, as tests/factories.py UserFactory(role=...) makes them.
# shellcheck disable=SC2016
CREATE_USERS='
import os
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
reception = Group.objects.get(name="Reception")
for name in os.environ["RACES_USERS"].split():
    user, _ = get_user_model().objects.get_or_create(username=name)
    user.set_password(os.environ["RACES_PASSWORD"])
    user.is_active = True
    user.save()
    user.groups.add(reception)
print("Reception users:", os.environ["RACES_USERS"])
'

ENGINE_ARGS=()

if wants postgresql; then
  port_free "$BENCH_PG_PORT"
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
  PG_URL=$DATABASE_URL
  PG_OWNER_URL=${DATABASE_OWNER_URL:-$DATABASE_URL}
  # Production settings; only STATIC_ROOT moves, so collectstatic writes into the temp
  # dir and not into the shared working tree.
  mkdir -p "$WORK/settings"
  cat >"$WORK/settings/races_production.py" <<EOF
from clinic.settings.production import *  # noqa: F403

STATIC_ROOT = "$WORK/static"
EOF
  SECRET=$(python3 -c 'import secrets; print(secrets.token_urlsafe(60))')
  PG_ENV=(env -u DJANGO_DEBUG DJANGO_SETTINGS_MODULE=races_production
    PYTHONPATH="$WORK/settings" DJANGO_SECRET_KEY="$SECRET" DJANGO_ALLOWED_HOSTS=127.0.0.1
    RACES_USERS="${USERS[*]}" RACES_PASSWORD="$PASSWORD")
  pg_django() { # DATABASE_URL COMMAND...: in the source tree, production environment
    (cd "$SRC" && exec "${PG_ENV[@]}" DATABASE_URL="$1" "${@:2}")
  }
  echo "PostgreSQL: migrate (as the owner), collectstatic, users"
  # Migrations run as the owner, which then grants the runtime role (clinic.db_roles).
  pg_django "$PG_OWNER_URL" env DATABASE_RUNTIME_URL="$PG_URL" "$PY" manage.py migrate \
    --no-input -v 0
  if [ "$PG_URL" != "$PG_OWNER_URL" ] && ! "$PY" -c 'import sys, psycopg
psycopg.connect(sys.argv[1]).execute("SELECT 1 FROM patients_patient LIMIT 1")' \
    "$PG_URL" >/dev/null 2>&1; then
    # Code from before the runtime role existed grants it nothing.
    echo "Note: the runtime role cannot read patients_patient after this code's migrate:"
    echo "      the server and the checks connect as the owner (DATABASE_OWNER_URL)."
    PG_URL=$PG_OWNER_URL
  fi
  pg_django "$PG_URL" "$PY" manage.py collectstatic --no-input -v 0
  pg_django "$PG_URL" "$PY" manage.py shell -c "$CREATE_USERS"
  echo "Starting gunicorn (3 sync workers, production settings) on 127.0.0.1:$BENCH_PG_PORT"
  # One fork, then exec: $! is gunicorn's master, which the trap stops.
  (cd "$SRC" && exec "${PG_ENV[@]}" DATABASE_URL="$PG_URL" "$GUNICORN" clinic.wsgi \
    -w 3 -k sync -b "127.0.0.1:$BENCH_PG_PORT" --log-level warning) >"$GUNICORN_LOG" 2>&1 &
  PIDS+=($!)
  wait_for "http://127.0.0.1:$BENCH_PG_PORT" "${PIDS[-1]}" "$GUNICORN_LOG"
  ENGINE_ARGS+=(--engine postgresql/gunicorn "http://127.0.0.1:$BENCH_PG_PORT" "$PG_URL"
    "$GUNICORN_LOG")
fi

if wants sqlite; then
  port_free "$BENCH_SQLITE_PORT"
  mkdir -p "$WORK/sqlite"
  SQLITE_URL="sqlite:///$WORK/sqlite/db.sqlite3"
  # As `make run`: dev settings (DEBUG on), here with a fresh SQLite file.
  SQLITE_ENV=(env -u DJANGO_DEBUG -u DJANGO_SECRET_KEY -u PYTHONPATH
    DJANGO_SETTINGS_MODULE=clinic.settings.dev DATABASE_URL="$SQLITE_URL"
    RACES_USERS="${USERS[*]}" RACES_PASSWORD="$PASSWORD")
  sqlite_django() { (cd "$SRC" && exec "${SQLITE_ENV[@]}" "$@"); }
  echo "SQLite: migrate, users"
  sqlite_django "$PY" manage.py migrate --no-input -v 0
  sqlite_django "$PY" manage.py shell -c "$CREATE_USERS"
  # --noreload only so that the trap can stop it by PID; requests are served the same
  # way (one thread per request).
  echo "Starting manage.py runserver (threaded) on 127.0.0.1:$BENCH_SQLITE_PORT"
  (cd "$SRC" && exec "${SQLITE_ENV[@]}" "$PY" manage.py runserver --noreload \
    "127.0.0.1:$BENCH_SQLITE_PORT") >"$RUNSERVER_LOG" 2>&1 &
  PIDS+=($!)
  wait_for "http://127.0.0.1:$BENCH_SQLITE_PORT" "${PIDS[-1]}" "$RUNSERVER_LOG"
  ENGINE_ARGS+=(--engine sqlite/runserver "http://127.0.0.1:$BENCH_SQLITE_PORT" "$SQLITE_URL"
    "$RUNSERVER_LOG")
fi

if [ ${#ENGINE_ARGS[@]} -eq 0 ]; then
  echo "BENCH_ENGINES must name postgresql and/or sqlite" >&2
  exit 2
fi

if [ "$BENCH_DROP_TOKEN" = "1" ]; then ENGINE_ARGS+=(--drop-token); fi
rc=0
"$PY" "$ROOT/bench/registration_races.py" "${ENGINE_ARGS[@]}" \
  --user "${USERS[0]}:$PASSWORD" --user "${USERS[1]}:$PASSWORD" \
  --rounds "$BENCH_ROUNDS" --gap-ms "$BENCH_GAP_MS" --code "$CODE" --out "$BENCH_OUT" || rc=$?
echo "Server logs: $GUNICORN_LOG, $RUNSERVER_LOG"
exit "$rc"
