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

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
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

bench_workdir races
WORK=$BENCH_WORK

wants() { [[ " $BENCH_ENGINES " == *" $1 "* ]]; }

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

PASSWORD=$(bench_password)
USERS=(race_reception_a race_reception_b)
STAFF="${USERS[0]}:Reception ${USERS[1]}:Reception"

ENGINE_ARGS=()

if wants postgresql; then
  bench_port_free "$BENCH_PG_PORT" BENCH_PG_PORT
  bench_cluster
  PG_URL=$DATABASE_URL
  PG_OWNER_URL=${DATABASE_OWNER_URL:-$DATABASE_URL}
  bench_production_settings races_production
  # In the source tree measured (env -C: no subshell, so a server's pid is its own).
  PG_ENV=(env -C "$SRC" -u DJANGO_DEBUG DJANGO_SETTINGS_MODULE=races_production
    PYTHONPATH="$SETTINGS_PATH" DJANGO_SECRET_KEY="$BENCH_SECRET_KEY"
    DJANGO_ALLOWED_HOSTS=127.0.0.1)
  pg_django() { # DATABASE_URL COMMAND...: in the source tree, production environment
    "${PG_ENV[@]}" DATABASE_URL="$1" "${@:2}"
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
  bench_staff "$PASSWORD" "$STAFF" pg_django "$PG_URL"
  echo "Starting gunicorn (3 sync workers, production settings) on 127.0.0.1:$BENCH_PG_PORT"
  # One fork, then exec: the pid is gunicorn's master, which the trap stops.
  bench_serve "$GUNICORN_LOG" "${PG_ENV[@]}" DATABASE_URL="$PG_URL" "$GUNICORN" clinic.wsgi \
    -w 3 -k sync -b "127.0.0.1:$BENCH_PG_PORT" --log-level warning
  bench_wait_http "http://127.0.0.1:$BENCH_PG_PORT/healthz" "$SERVER_PID" "$GUNICORN_LOG"
  ENGINE_ARGS+=(--engine postgresql/gunicorn "http://127.0.0.1:$BENCH_PG_PORT" "$PG_URL"
    "$GUNICORN_LOG")
fi

if wants sqlite; then
  bench_port_free "$BENCH_SQLITE_PORT" BENCH_SQLITE_PORT
  mkdir -p "$WORK/sqlite"
  SQLITE_URL="sqlite:///$WORK/sqlite/db.sqlite3"
  # As `make run`: dev settings (DEBUG on), here with a fresh SQLite file.
  SQLITE_ENV=(env -C "$SRC" -u DJANGO_DEBUG -u DJANGO_SECRET_KEY -u PYTHONPATH
    DJANGO_SETTINGS_MODULE=clinic.settings.dev DATABASE_URL="$SQLITE_URL")
  sqlite_django() { "${SQLITE_ENV[@]}" "$@"; }
  echo "SQLite: migrate, users"
  sqlite_django "$PY" manage.py migrate --no-input -v 0
  bench_staff "$PASSWORD" "$STAFF" sqlite_django
  # --noreload only so that the trap can stop it by PID; requests are served the same
  # way (one thread per request).
  echo "Starting manage.py runserver (threaded) on 127.0.0.1:$BENCH_SQLITE_PORT"
  bench_serve "$RUNSERVER_LOG" "${SQLITE_ENV[@]}" "$PY" manage.py runserver --noreload \
    "127.0.0.1:$BENCH_SQLITE_PORT"
  bench_wait_http "http://127.0.0.1:$BENCH_SQLITE_PORT/healthz" "$SERVER_PID" "$RUNSERVER_LOG"
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
