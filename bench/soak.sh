#!/usr/bin/env bash
# Soak checks of issue 12 (acceptance; not in make test). `make soak` runs both:
#   demo   the `make run` demo: runserver on SQLite (dev settings, a copy of the seeded
#          demo database, or a fresh seed), SOAK_DEMO_CLIENTS (16) signed-in clients
#          for SOAK_DEMO_SECONDS (120), think time 0-0.2 s: no 5xx
#   serve  `make serve` (gunicorn + worker + PostgreSQL, production settings) in a
#          temporary var dir, seeded with SOAK_SERVE_PATIENTS (100) demo patients,
#          SOAK_SERVE_CLIENTS (40) simulated staff for SOAK_SERVE_SECONDS (600), think
#          time 0.2-1.5 s; gunicorn workers' RSS sampled every 10 s: no 5xx, memory flat
# SOAK=demo|serve|both (default both). Only 127.0.0.1 is targeted. Results:
# bench/results/soak-{demo,serve}.json and the servers' logs beside them.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
PY="$ROOT/.venv/bin/python"
SOAK=${SOAK:-both}
RESULTS="$ROOT/bench/results"
mkdir -p "$RESULTS"
WORK=$(mktemp -d /tmp/soak.XXXXXX)
chmod 755 "$WORK"
PASSWORD=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
PIDS=()
cleanup() {
  local rc=$?
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for() { # URL PID LOG
  for _ in $(seq 1 600); do
    if curl -s -o /dev/null "$1/accounts/login/" 2>/dev/null; then return 0; fi
    if ! kill -0 "$2" 2>/dev/null; then echo "server exited; see $3" >&2; tail -30 "$3" >&2; exit 1; fi
    sleep 0.5
  done
  echo "no answer from $1" >&2
  exit 1
}
# shellcheck disable=SC2016
USERS_PY='
import os
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
group = Group.objects.get(name="Reception")
for n in range(1, 9):
    user, _ = get_user_model().objects.get_or_create(username=f"soak_reception_{n}")
    user.set_password(os.environ["SOAK_PASSWORD"])
    user.is_active = True
    user.save()
    user.groups.add(group)
'
USER_ARGS=()
for n in 1 2 3 4 5 6 7 8; do USER_ARGS+=(--user "soak_reception_$n:$PASSWORD"); done
rc=0

if [ "$SOAK" = "demo" ] || [ "$SOAK" = "both" ]; then
  PORT=$(free_port)
  DB="$WORK/demo.sqlite3"
  DEMO_ENV=(env -u DATABASE_URL -u DATABASE_OWNER_URL -u DJANGO_SECRET_KEY -u PYTHONPATH
    DJANGO_SETTINGS_MODULE=clinic.settings.dev DATABASE_URL="sqlite:///$DB" SOAK_PASSWORD="$PASSWORD")
  if [ -s "$ROOT/db.sqlite3" ] && [ -z "${SOAK_FRESH_SEED:-}" ]; then
    echo "demo: a copy of the seeded demo database (db.sqlite3)"
    "$PY" -c 'import sqlite3, sys; s = sqlite3.connect(sys.argv[1]); d = sqlite3.connect(sys.argv[2]); s.backup(d)' \
      "$ROOT/db.sqlite3" "$DB"
  fi
  "${DEMO_ENV[@]}" "$PY" manage.py migrate --no-input -v 0
  "${DEMO_ENV[@]}" "$PY" manage.py seed_demo --if-empty >/dev/null
  "${DEMO_ENV[@]}" "$PY" manage.py shell -c "$USERS_PY"
  echo "demo: manage.py runserver 127.0.0.1:$PORT (as make run; --noreload to stop it by pid)"
  "${DEMO_ENV[@]}" "$PY" manage.py runserver --noreload "127.0.0.1:$PORT" \
    >"$RESULTS/soak-demo-runserver.log" 2>&1 &
  PIDS+=($!)
  wait_for "http://127.0.0.1:$PORT" "${PIDS[-1]}" "$RESULTS/soak-demo-runserver.log"
  "$PY" bench/soak.py --label "make run demo (runserver, SQLite)" \
    --base-url "http://127.0.0.1:$PORT" --clients "${SOAK_DEMO_CLIENTS:-16}" \
    --duration "${SOAK_DEMO_SECONDS:-120}" --think-min 0 --think-max 0.2 \
    "${USER_ARGS[@]}" --out "$RESULTS/soak-demo.json" || rc=1
  kill -TERM "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true
  echo "5xx lines in the runserver log: $(grep -cE '" 5[0-9][0-9] ' "$RESULTS/soak-demo-runserver.log" || true)"
fi

if [ "$SOAK" = "serve" ] || [ "$SOAK" = "both" ]; then
  PORT=$(free_port)
  VAR="$WORK/var"
  LOG="$RESULTS/soak-serve.log"
  echo "serve: deploy/serve.sh in $VAR on 127.0.0.1:$PORT"
  SERVE_VAR_DIR="$VAR" SERVE_SETUP_ONLY=1 SERVE_KEEP_POSTGRES=1 PORT=$PORT bash deploy/serve.sh >"$LOG" 2>&1
  set -a
  # shellcheck disable=SC1091
  . "$VAR/serve.env"
  set +a
  SERVE_ENV=(env DJANGO_SETTINGS_MODULE=serve_settings PYTHONPATH="$VAR/settings"
    DJANGO_SECRET_KEY="$(cat "$VAR/secrets/django_secret_key")" DJANGO_ALLOWED_HOSTS=127.0.0.1
    SOAK_PASSWORD="$PASSWORD")
  echo "serve: seed_demo --patients ${SOAK_SERVE_PATIENTS:-100} (as the owner)"
  # A throwaway database: the demo logins are allowed on it (production settings refuse).
  "${SERVE_ENV[@]}" DEMO_SEED_ALLOWED=1 DATABASE_RUNTIME_URL="$DATABASE_URL" \
    DATABASE_URL="$DATABASE_OWNER_URL" \
    "$PY" manage.py seed_demo --patients "${SOAK_SERVE_PATIENTS:-100}" >/dev/null
  "${SERVE_ENV[@]}" "$PY" manage.py shell -c "$USERS_PY"
  SERVE_VAR_DIR="$VAR" PORT=$PORT bash deploy/serve.sh >>"$LOG" 2>&1 &
  SERVE_PID=$!
  PIDS+=("$SERVE_PID")
  wait_for "http://127.0.0.1:$PORT" "$SERVE_PID" "$LOG"
  MASTER=$(pgrep -P "$SERVE_PID" -f "gunicorn -c gunicorn.conf.py" | head -1)
  "$PY" bench/soak.py --label "make serve (gunicorn, PostgreSQL)" \
    --base-url "http://127.0.0.1:$PORT" --clients "${SOAK_SERVE_CLIENTS:-40}" \
    --duration "${SOAK_SERVE_SECONDS:-600}" --think-min 0.2 --think-max 1.5 \
    --server-pid "$MASTER" "${USER_ARGS[@]}" --out "$RESULTS/soak-serve.json" || rc=1
  kill -TERM "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true
  echo "gunicorn worker restarts (max_requests) during the soak: $(grep -c 'Autorestarting worker' "$LOG" || true)"
  echo "errors logged by the app: $(grep -cE ' ERROR | status=5[0-9][0-9]' "$LOG" || true)"
fi
exit $rc
