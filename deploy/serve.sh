#!/usr/bin/env bash
# `make serve`: the production stack without containers (issue 12; docs/operations.md).
#
#   PostgreSQL   a persistent cluster in var/postgres (initdb once, started if stopped;
#                fsync on: this is the real recipe, not the test suite's), reached over a
#                Unix socket in a private directory only; no TCP port. Two roles as in
#                production: the owner (clinic_owner, runs migrations) and the runtime
#                role (clinic_app, owns nothing) with generated passwords.
#   migrate      as the owner, which then grants the runtime role (clinic/db_roles.py)
#   collectstatic into var/static
#   gunicorn     production settings, gunicorn.conf.py, on 127.0.0.1:$PORT (plain HTTP:
#                DJANGO_SECURE_SSL_REDIRECT=false, nothing else relaxed)
#   worker       the task worker beside it
# Ctrl+C (or SIGTERM) stops gunicorn, the worker and the PostgreSQL it started.
#
# Secrets are generated once into var/secrets/ (0600): the Django secret key and the
# database passwords. Environment:
#   PORT                 default 8000
#   SERVE_VAR_DIR        default ./var (tests use a temporary one)
#   SERVE_KEEP_POSTGRES  1: leave PostgreSQL running on exit
#   SERVE_SETUP_ONLY     1: prepare the database (initdb, migrate, collectstatic), then stop
#   SERVE_NO_WORKER      1: do not start the task worker
#   GUNICORN_*           see gunicorn.conf.py
#   SERVE_ENV_FILE       written with the URLs (0600) for scripts that want them:
#                        default var/serve.env (DATABASE_URL, DATABASE_OWNER_URL, ...)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
PY="$ROOT/.venv/bin/python"
PORT=${PORT:-8000}
VAR_DIR=$(mkdir -p "${SERVE_VAR_DIR:-$ROOT/var}" && cd "${SERVE_VAR_DIR:-$ROOT/var}" && pwd)
PG_DIR="$VAR_DIR/postgres"
PGDATA="$PG_DIR/data"
PGSOCK="$PG_DIR/run"
SECRETS="$VAR_DIR/secrets"
DB_NAME=clinic
DB_OWNER=clinic_owner
DB_APP=clinic_app
say() { printf '==> %s\n' "$*"; }

PGBIN=${PGBIN_DIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
  echo "make serve needs the PostgreSQL server binaries (apt-get install postgresql)." >&2
  exit 1
fi
AS_PG=()
if [ "$(id -u)" = "0" ]; then AS_PG=(runuser -u postgres --); fi
# The Unix socket path is limited to ~107 bytes.
if [ ${#PGSOCK} -gt 80 ]; then
  echo "The var directory path is too long for a PostgreSQL socket: $PGSOCK" >&2
  exit 1
fi

secret() { # NAME BYTES: a generated-once secret in var/secrets/NAME (0600)
  local file="$SECRETS/$1"
  if [ ! -s "$file" ]; then
    (umask 077 && python3 -c 'import secrets, sys; print(secrets.token_hex(int(sys.argv[1])))' \
      "$2" >"$file")
  fi
  chmod 600 "$file"
  cat "$file"
}
mkdir -p "$SECRETS" && chmod 700 "$SECRETS"
SECRET_KEY=$(secret django_secret_key 40)
PG_SUPER_PW=$(secret postgres_superuser_password 24)
OWNER_PW=$(secret db_owner_password 24)
APP_PW=$(secret db_app_password 24)

pg() { "${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" "$@"; }
psql_super() { PGPASSWORD=$PG_SUPER_PW "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PGSOCK" -U postgres "$@"; }

# 1. PostgreSQL: initdb once (trust only until the roles have passwords, and only over a
#    socket in a directory nobody else can enter), then scram-sha-256 for everyone.
STARTED_PG=0
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  say "initdb: a new PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') cluster in $PGDATA"
  mkdir -p "$PGDATA" "$PGSOCK"
  chmod 700 "$PG_DIR" "$PGDATA" "$PGSOCK"
  if [ "$(id -u)" = "0" ]; then chown -R postgres:postgres "$PG_DIR"; fi
  "${AS_PG[@]}" "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth-local=trust --auth-host=reject \
    -E UTF8 --locale=C.UTF-8 >/dev/null
  cat >>"$PGDATA/postgresql.conf" <<EOF

# make serve (deploy/serve.sh): Unix socket only, in a private directory.
listen_addresses = ''
unix_socket_directories = '$PGSOCK'
max_connections = 100
EOF
  pg -l "$PG_DIR/log" -w start >/dev/null
  STARTED_PG=1
  PGPASSWORD='' "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PGSOCK" -U postgres \
    -v super_pw="$PG_SUPER_PW" -v owner_pw="$OWNER_PW" -v app_pw="$APP_PW" <<'SQL'
ALTER ROLE postgres PASSWORD :'super_pw';
CREATE ROLE clinic_owner LOGIN NOSUPERUSER NOCREATEROLE CREATEDB PASSWORD :'owner_pw';
CREATE ROLE clinic_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD :'app_pw';
CREATE DATABASE clinic OWNER clinic_owner;
\c clinic
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
  printf '# make serve: passwords for every role (deploy/serve.sh)\nlocal all all scram-sha-256\n' \
    >"$PGDATA/pg_hba.conf"
  pg reload >/dev/null
elif ! pg status >/dev/null 2>&1; then
  say "Starting PostgreSQL ($PGDATA)"
  pg -l "$PG_DIR/log" -w start >/dev/null
  STARTED_PG=1
else
  say "PostgreSQL already running ($PGDATA)"
fi

HOST=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$PGSOCK")
export DATABASE_URL="postgres://$DB_APP:$APP_PW@$HOST/$DB_NAME"
export DATABASE_OWNER_URL="postgres://$DB_OWNER:$OWNER_PW@$HOST/$DB_NAME"
export DATABASE_RUNTIME_ROLE=$DB_APP
(umask 077 && cat >"${SERVE_ENV_FILE:-$VAR_DIR/serve.env}" <<EOF
DATABASE_URL=$DATABASE_URL
DATABASE_OWNER_URL=$DATABASE_OWNER_URL
DATABASE_RUNTIME_ROLE=$DB_APP
PGBIN_DIR=$PGBIN
EOF
)

# 2. Production settings; static files under var/ rather than in the source tree.
mkdir -p "$VAR_DIR/settings"
cat >"$VAR_DIR/settings/serve_settings.py" <<EOF
# Written by deploy/serve.sh: the production settings, static files under var/.
from clinic.settings.production import *  # noqa: F403

STATIC_ROOT = "$VAR_DIR/static"
EOF
export DJANGO_SETTINGS_MODULE=serve_settings
export PYTHONPATH="$VAR_DIR/settings${PYTHONPATH:+:$PYTHONPATH}"
export DJANGO_SECRET_KEY=$SECRET_KEY
export DJANGO_ALLOWED_HOSTS=${DJANGO_ALLOWED_HOSTS:-localhost,127.0.0.1}
export DJANGO_CSRF_TRUSTED_ORIGINS=${DJANGO_CSRF_TRUSTED_ORIGINS:-http://localhost:$PORT,http://127.0.0.1:$PORT}
export DJANGO_SECURE_SSL_REDIRECT=false
export GUNICORN_BIND="127.0.0.1:$PORT"
export GUNICORN_WORKERS=${GUNICORN_WORKERS:-3}
unset DJANGO_DEBUG

PIDS=()
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$STARTED_PG" = "1" ] && [ "${SERVE_KEEP_POSTGRES:-0}" != "1" ]; then
    say "Stopping PostgreSQL"
    pg -m fast -w stop >/dev/null 2>&1 || true
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# 3. Migrate as the owner (the app's URL goes along so that the grants reach its role).
say "migrate (as $DB_OWNER)"
DATABASE_RUNTIME_URL="$DATABASE_URL" DATABASE_URL="$DATABASE_OWNER_URL" \
  "$PY" manage.py migrate --no-input -v 0
say "collectstatic"
"$PY" manage.py collectstatic --no-input -v 0
if [ "${SERVE_SETUP_ONLY:-0}" = "1" ]; then
  say "Setup done (SERVE_SETUP_ONLY=1)"
  exit 0
fi

# 4. The task worker: the project's own `manage.py worker` (clinic/jobs) if there, else
#    django-tasks-db's db_worker when it is installed.
WORKER=()
if [ "${SERVE_NO_WORKER:-0}" != "1" ]; then
  if [ -f clinic/jobs/management/commands/worker.py ]; then
    WORKER=("$PY" manage.py worker)  # db_worker with a heartbeat (/healthz/ready)
  elif "$PY" -c 'import django_tasks_db' 2>/dev/null; then
    WORKER=("$PY" manage.py db_worker)
  else
    say "No task worker installed (django-tasks-db): serving without one"
  fi
fi
if [ ${#WORKER[@]} -gt 0 ]; then
  say "Task worker: ${WORKER[*]:1}"
  "${WORKER[@]}" &
  PIDS+=($!)
fi

say "gunicorn on http://127.0.0.1:$PORT (production settings; Ctrl+C stops everything)"
"$PY" -m gunicorn -c gunicorn.conf.py &
PIDS+=($!)
# Whichever stops first (gunicorn, or the worker) stops the rest.
wait -n "${PIDS[@]}"
