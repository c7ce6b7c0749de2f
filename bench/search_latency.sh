#!/usr/bin/env bash
# Patient search latency over HTTP with a large seeded PostgreSQL database.
#
#   bash bench/search_latency.sh          (or: make bench-search)
#
# Knobs (environment):
#   SEARCH_PATIENTS  patients to seed (default 100000; 1000000 for issue 14.4's goal, a
#                    COPY seed of a few minutes); BENCH_PATIENTS is the older name
#   BENCH_PORT       gunicorn port on 127.0.0.1 (default 8765)
#   BENCH_REQUESTS   measured requests (default 600)
#   BENCH_WARMUP     warm-up requests, not measured (default 30)
#   BENCH_OUT        results JSON (default bench/results/search_latency.json)
#   DATABASE_URL     reuse this database instead of a throwaway cluster; seeding is
#                    skipped when it already holds >= BENCH_PATIENTS patients
# Prints each kind's p95 against the 100 ms goal; exits non-zero when any kind's p95 is
# >= 100 ms or a request fails.
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BENCH_PATIENTS=${SEARCH_PATIENTS:-${BENCH_PATIENTS:-100000}}
BENCH_PORT=${BENCH_PORT:-8765}
BENCH_REQUESTS=${BENCH_REQUESTS:-600}
BENCH_WARMUP=${BENCH_WARMUP:-30}
BENCH_OUT=${BENCH_OUT:-$ROOT/bench/results/search_latency.json}
RESULTS_DIR=$(dirname "$BENCH_OUT")
mkdir -p "$RESULTS_DIR"

bench_postgres
bench_seed_patients "$BENCH_PATIENTS"
bench_vacuum
bench_gunicorn "$BENCH_PORT" "$RESULTS_DIR/gunicorn.log"

args=(--base-url "$BASE_URL" --requests "$BENCH_REQUESTS" --warmup "$BENCH_WARMUP"
  --out "$BENCH_OUT")
if [ -n "$SEED_SECONDS" ]; then args+=(--seed-seconds "$SEED_SECONDS"); fi
rc=0
"$PY" bench/search_latency.py "${args[@]}" || rc=$?
echo "Results written to $BENCH_OUT (gunicorn log: $RESULTS_DIR/gunicorn.log)"
exit "$rc"
