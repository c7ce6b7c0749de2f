#!/usr/bin/env bash
# Ours against GNU Health 5.0.6, same PostgreSQL, same Python, same worker count (issue 14.7).
#
#   bash bench/peer_compare.sh          (or: make bench-peer)
#
# 1. A throwaway PostgreSQL cluster (.ci/postgres.sh), or DATABASE_URL/DATABASE_OWNER_URL.
# 2. GNU Health 5.0.6 from PyPI into var/peer/venv (git-ignored), built with the Python of
#    .venv (bench/peer/requirements.txt: gnuhealth, gnuhealth-stock-nursing, gunicorn).
# 3. Ours: migrate, seed BENCH_PATIENTS patients (seed_demo --no-sessions), VACUUM.
# 4. The peer: database `gnuhealth` on the same cluster, `trytond-admin` activating
#    health_stock_nursing and its dependencies (health, health_nursing, health_stock,
#    stock_lot, ...), bench/peer/gnuhealth_setup.py (company, institution, professional,
#    medicament, lot in stock), bench/peer/gnuhealth_seed.py (our patients' names, SQL).
# 5. Both served by gunicorn on 127.0.0.1, two worker processes a side: ours clinic.wsgi
#    (dev settings, DEBUG off, DATABASE_CONN_MAX_AGE=600; gunicorn.conf.py's gthread), the
#    peer trytond.application:app (sync). Each side runs as two servers of one worker, and
#    each of its two clients has its own: with one server of two workers, which process
#    took a client's connection was the kernel's accept() lottery, and in some runs one
#    process served both clients while the other idled (half the rate, on either side;
#    bench/README.md, "Two clients, two workers, one lottery").
# 6. bench/peer_compare.py, interleaved; results in bench/results/peer_compare.json.
#
# Knobs: BENCH_PATIENTS (100000; BENCH_SCALE=small: 10000), BENCH_ROUNDS (5),
# BENCH_REG_PER_BLOCK (20), BENCH_SEARCHES (20), BENCH_ADMINS (4), BENCH_PORT (8931 and
# +2: ours; +1 and +3: the peer), BENCH_OUT, BENCH_LIKE_INDICATION (hyperhidrosis-axillary:
# ours also administers this session, 2 points, as a figure beside the goal's; "none": not).
# Exits 1 when a goal is missed.
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PEER="$ROOT/var/peer"
PEER_PY="$PEER/venv/bin/python"
case "${BENCH_SCALE:-}" in
  small) DEFAULT_PATIENTS=10000 ;;
  *) DEFAULT_PATIENTS=100000 ;;
esac
BENCH_PATIENTS=${BENCH_PATIENTS:-$DEFAULT_PATIENTS}
BENCH_ROUNDS=${BENCH_ROUNDS:-5}
BENCH_REG_PER_BLOCK=${BENCH_REG_PER_BLOCK:-20}
BENCH_SEARCHES=${BENCH_SEARCHES:-20}
BENCH_ADMINS=${BENCH_ADMINS:-4}
BENCH_LIKE_INDICATION=${BENCH_LIKE_INDICATION:-hyperhidrosis-axillary}
BENCH_PORT=${BENCH_PORT:-8931}
PEER_PORT=$((BENCH_PORT + 1))
OURS_PORT_2=$((BENCH_PORT + 2))
PEER_PORT_2=$((BENCH_PORT + 3))
RESULTS_DIR=${BENCH_RESULTS_DIR:-$ROOT/bench/results}
BENCH_OUT=${BENCH_OUT:-$RESULTS_DIR/peer_compare.json}
mkdir -p "$RESULTS_DIR" "$PEER"
bench_workdir peer-bench
WORK=$BENCH_WORK
PEER_PASSWORD="bench-peer-admin-$(date +%s)"
OURS_PASSWORD="bench-peer-prac-$(date +%s)"

step() { echo "[$(date +%H:%M:%S)] $*"; }

bench_port_free "$BENCH_PORT"
for port in "$PEER_PORT" "$OURS_PORT_2" "$PEER_PORT_2"; do
  bench_port_free "$port" "BENCH_PORT (the servers listen on BENCH_PORT to BENCH_PORT + 3)"
done
bench_cluster
OWNER_URL=${DATABASE_OWNER_URL:-$DATABASE_URL}
# The owner's URL without its database: libpq URIs, socket directory percent-encoded.
# trytond picks its backend by the scheme: postgresql://, not postgres://.
CLUSTER_URI=$("$PY" -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(p._replace(scheme="postgresql", path="/").geturl())' "$OWNER_URL")
PSQL=$(command -v psql || echo "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/psql")
psql_owner() { PGOPTIONS="-c client_min_messages=error" "$PSQL" "${OWNER_URL}" -v ON_ERROR_STOP=1 -Atq "$@"; }
psql_peer() { "$PSQL" "${CLUSTER_URI}gnuhealth" -v ON_ERROR_STOP=1 -Atq "$@"; }

# 2. The peer's virtualenv ------------------------------------------------------------------
if [ ! -f "$PEER/venv/.installed" ] || ! cmp -s bench/peer/requirements.txt "$PEER/venv/.installed"; then
  BASE_PY=$("$PY" -c 'import sys; print(sys._base_executable)')
  step "Installing GNU Health into var/peer/venv with $("$BASE_PY" --version) ($BASE_PY)"
  rm -rf "$PEER/venv"
  "$BASE_PY" -m venv "$PEER/venv"
  "$PEER/venv/bin/python" -m pip install -q --disable-pip-version-check uv
  UV_PYTHON_DOWNLOADS=never "$PEER/venv/bin/uv" pip install -q --python "$PEER_PY" \
    -r bench/peer/requirements.txt
  cp bench/peer/requirements.txt "$PEER/venv/.installed"
fi
step "Peer: $("$PEER_PY" --version), trytond $("$PEER_PY" -c 'import trytond; print(trytond.__version__)'), gnuhealth $("$PEER_PY" -m pip show gnuhealth 2>/dev/null | awk '/^Version/ {print $2}')"

# 3. Ours ------------------------------------------------------------------------------------
step "Ours: migrate, seed"
as_owner "$PY" manage.py migrate --no-input -v 0
bench_seed_patients "$BENCH_PATIENTS"
if [ -n "$SEED_SECONDS" ]; then bench_vacuum; fi
psql_owner -c "\\copy (SELECT given_names, family_name, date_of_birth, sex FROM patients_patient ORDER BY id LIMIT $BENCH_PATIENTS) TO '$WORK/names.tsv'"

# 4. The peer's database -----------------------------------------------------------------------
cat >"$WORK/trytond.conf" <<EOF
[database]
uri = $CLUSTER_URI
[web]
listen = 127.0.0.1:$PEER_PORT
EOF
if [ "$(psql_owner -c "SELECT count(*) FROM pg_database WHERE datname = 'gnuhealth'")" = "0" ]; then
  psql_owner -c "CREATE DATABASE gnuhealth"
fi
echo "$PEER_PASSWORD" >"$WORK/adminpass"
activated=$(psql_peer -c "SELECT count(*) FROM ir_module WHERE name = 'health_stock_nursing' AND state = 'activated'" 2>/dev/null || echo 0)
if [ "$activated" != "1" ]; then
  step "Peer: trytond-admin: initialise and activate health_stock_nursing (a minute or two)"
  TRYTONPASSFILE="$WORK/adminpass" "$PEER/venv/bin/trytond-admin" -c "$WORK/trytond.conf" \
    -d gnuhealth --all --email admin@example.invalid -u health_stock_nursing \
    --activate-dependencies </dev/null >"$RESULTS_DIR/peer-trytond-admin.log" 2>&1
fi
TRYTONPASSFILE="$WORK/adminpass" "$PEER/venv/bin/trytond-admin" -c "$WORK/trytond.conf" \
  -d gnuhealth -p </dev/null >>"$RESULTS_DIR/peer-trytond-admin.log" 2>&1
step "Peer: modules $(psql_peer -c "SELECT string_agg(name, ' ' ORDER BY name) FROM ir_module WHERE state = 'activated'")"
PEER_IDS=$("$PEER_PY" bench/peer/gnuhealth_setup.py "$WORK/trytond.conf" gnuhealth | sed -n 's/^ids: //p')
step "Peer: set up $PEER_IDS"
"$PEER_PY" bench/peer/gnuhealth_seed.py "$WORK/trytond.conf" gnuhealth "$WORK/names.tsv" "$BENCH_PATIENTS"
PEER_PATIENTS=$(psql_peer -c "SELECT min(id) || '..' || max(id) FROM gnuhealth_patient")

step "Ours: $((BENCH_ROUNDS * BENCH_ADMINS)) screened patients and vials for the administrations"
bench_administration_fixtures "$((BENCH_ROUNDS * BENCH_ADMINS))" "$OURS_PASSWORD" \
  "$WORK/ours_admin.json"
# The same administrations of a session with fewer points (axillary hyperhidrosis with
# BOTOX: 2), closer to the peer's one medicament line: for the record, beside the goal's
# 31-point figure.
like_args=()
if [ "$BENCH_LIKE_INDICATION" != "none" ]; then
  step "Ours: $((BENCH_ROUNDS * BENCH_ADMINS)) more for $BENCH_LIKE_INDICATION sessions"
  (export BENCH_INDICATION=$BENCH_LIKE_INDICATION
    bench_administration_fixtures "$((BENCH_ROUNDS * BENCH_ADMINS))" "$OURS_PASSWORD" \
      "$WORK/ours_admin_like.json")
  like_args=(--ours-admin-like "$WORK/ours_admin_like.json")
fi

# 5. Serve both --------------------------------------------------------------------------------
step "Serving ours on :$BENCH_PORT and :$OURS_PORT_2, GNU Health on :$PEER_PORT and :$PEER_PORT_2 (gunicorn, one worker each: a worker per client)"
bench_gunicorn "$BENCH_PORT" "$RESULTS_DIR/peer-ours-gunicorn.log" 1
bench_gunicorn "$OURS_PORT_2" "$RESULTS_DIR/peer-ours-gunicorn-2.log" 1
for port in "$PEER_PORT" "$PEER_PORT_2"; do
  log="$RESULTS_DIR/peer-gnuhealth-gunicorn-$port.log"
  bench_serve "$log" env TRYTOND_CONFIG="$WORK/trytond.conf" TRYTOND_DATABASE_NAMES=gnuhealth \
    "$PEER/venv/bin/gunicorn" trytond.application:app -k sync -w 1 -b "127.0.0.1:$port" \
    --log-level warning
  bench_wait_http "http://127.0.0.1:$port/" "$SERVER_PID" "$log" 60
done

# 6. Measure ----------------------------------------------------------------------------------
step "Measuring (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
"$PY" bench/peer_compare.py \
  --ours "http://127.0.0.1:$BENCH_PORT,http://127.0.0.1:$OURS_PORT_2" \
  --peer "http://127.0.0.1:$PEER_PORT,http://127.0.0.1:$PEER_PORT_2" \
  --peer-password "$PEER_PASSWORD" --peer-ids "$PEER_IDS" --peer-patients "$PEER_PATIENTS" \
  --practitioner "bench_peer_practitioner:$OURS_PASSWORD" --ours-admin "$WORK/ours_admin.json" \
  --names "$WORK/names.tsv" --rounds "$BENCH_ROUNDS" --reg-per-block "$BENCH_REG_PER_BLOCK" \
  --searches "$BENCH_SEARCHES" --admins "$BENCH_ADMINS" --out "$BENCH_OUT" "${like_args[@]}"
