#!/usr/bin/env bash
# The session editor's generic plans (clinic/postgresql/plan_cache.py), on and off, served
# side by side and measured interleaved: one gunicorn (1 worker, gunicorn.conf.py's
# gthread) with them, one with DATABASE_GENERIC_PLANS=off, on the same database; the
# client alternates lot-tracked administrations (start, draft, sign: make bench-peer's)
# between the two, the order swapped each time. Fresh servers, so their connections start
# cold as a clinic's mostly are: BENCH_ADMINS per side (default 20, make bench-peer's
# 10 per worker twice over) are medians of all, first half, second half.
#
#   bash bench/plan_cache_ab.sh         (BENCH_ADMINS, BENCH_PATIENTS: 2,000, BENCH_PORT)
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BENCH_PATIENTS=${BENCH_PATIENTS:-2000}
BENCH_ADMINS=${BENCH_ADMINS:-20}
BENCH_PORT=${BENCH_PORT:-8945}
bench_workdir plan-cache-ab
PASSWORD="bench-plan-cache-$(date +%s)"

bench_port_free "$BENCH_PORT"
bench_port_free "$((BENCH_PORT + 1))"
bench_postgres
bench_seed_patients "$BENCH_PATIENTS"
echo "Ours: $((2 * BENCH_ADMINS)) screened patients and vials for the administrations"
bench_administration_fixtures "$((2 * BENCH_ADMINS))" "$PASSWORD" "$BENCH_WORK/setup.json"
bench_vacuum

for side in on off; do
  port=$BENCH_PORT
  [ "$side" = off ] && port=$((BENCH_PORT + 1))
  echo "Serving generic plans $side on 127.0.0.1:$port (gunicorn, 1 worker)"
  bench_serve "$BENCH_WORK/gunicorn-$side.log" env DATABASE_CONN_MAX_AGE=600 \
    DATABASE_GENERIC_PLANS=$side "$GUNICORN" clinic.wsgi -w 1 -b "127.0.0.1:$port" \
    --log-level warning
  bench_wait_http "http://127.0.0.1:$port/healthz" "$SERVER_PID" "$BENCH_WORK/gunicorn-$side.log" 60
done
"$PY" - "$BENCH_PORT" "$BENCH_WORK/setup.json" "$PASSWORD" <<'PY'
import json, statistics, sys
sys.path.insert(0, "bench")
from peer_compare import Ours

port, setup, password = int(sys.argv[1]), json.load(open(sys.argv[2])), sys.argv[3]
sides = {"on": Ours(f"http://127.0.0.1:{port}", "bench_peer_practitioner", password),
         "off": Ours(f"http://127.0.0.1:{port + 1}", "bench_peer_practitioner", password)}
times = {"on": [], "off": []}
patients = iter(setup["patients"])
count = len(setup["patients"]) // 2
for number in range(count):
    for side in (("on", "off") if number % 2 == 0 else ("off", "on")):
        times[side].append(sum(sides[side].administration(next(patients), setup["indication"], setup["product"])))
    if (number + 1) % 5 == 0:
        print(f"  {number + 1}/{count} administrations a side", flush=True)
half = count // 2
print(f"\nadministration (3 writes) over HTTP, p50 ms   all   first {half}   last {count - half}")
for side, values in times.items():
    print(f"generic plans {side:3}                       {statistics.median(values):6.1f}"
          f"   {statistics.median(values[:half]):6.1f}   {statistics.median(values[half:]):6.1f}")
PY
