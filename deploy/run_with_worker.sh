#!/usr/bin/env bash
# `make run`: Django's development server with the background worker beside it
# (clinic/background.py). The worker starts first, in the background; when runserver
# stops (Ctrl+C, or it fails) the worker gets SIGTERM, finishes the task in hand and
# exits, so nothing is left running. Arguments go to runserver (e.g. 127.0.0.1:8000).
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}

"$PY" manage.py worker --no-reload --no-startup-delay &
worker=$!

stop_worker() {
  if kill -0 "$worker" 2>/dev/null; then
    kill -TERM "$worker" 2>/dev/null
    wait "$worker" 2>/dev/null
  fi
}
trap stop_worker EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$PY" manage.py runserver "$@"
