#!/usr/bin/env bash
# Throughput over HTTP (issue 14.1-14.3): gunicorn with 2 sync workers, PostgreSQL,
# DEBUG off, as bench/search_latency.sh. Runs bench/lists_throughput.py (a bare signed-in
# page, the patient list, Django admin's patient changelist) and
# bench/registration_throughput.py (registration POST and the whole GET+POST flow,
# 2 clients), each printing its figures (the lists against the issue's goals; registration
# beside a reference: its goal is peer_compare's same-run ratio).
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
# Exits non-zero when a list goal is missed or a request fails.
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BENCH_PATIENTS=${BENCH_PATIENTS:-100000}
BENCH_PORT=${BENCH_PORT:-8766}
BENCH_ONLY=${BENCH_ONLY:-}
RESULTS_DIR="$ROOT/bench/results"
mkdir -p "$RESULTS_DIR"

bench_postgres
bench_seed_patients "$BENCH_PATIENTS"
bench_vacuum

export BENCH_PASSWORD
BENCH_PASSWORD=$(bench_password)
# Two reception users and a superuser for the admin.
bench_staff "$BENCH_PASSWORD" "bench_reception_a:Reception bench_reception_b:Reception \
bench_admin:superuser"

bench_gunicorn "$BENCH_PORT" "$RESULTS_DIR/throughput-gunicorn.log"
echo "Patients: $(bench_count_patients); uptime:$(uptime)"

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
