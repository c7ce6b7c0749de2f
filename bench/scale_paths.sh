#!/usr/bin/env bash
# Everyday paths on a clinic group's history (issue 14: "at clinic-group scale").
#
#   bash bench/scale_paths.sh             (or: make bench-scale)
#
# The other benches time the administration and the pages on patients with no treatment
# history (make bench-peer seeds patients only). Here the same three writes and the pages
# staff open all day run on years of records: SCALE_PATIENTS patients (seed_demo, COPY)
# and SCALE_SESSIONS signed sessions with their points, vials, draws, follow-ups, side
# effects and outcome scores (bench/seed_reports.py), then VACUUM (ANALYZE).
#
# 1. A throwaway PostgreSQL cluster (.ci/postgres.sh), or DATABASE_URL/DATABASE_OWNER_URL
#    (the seed tops up: a database that holds enough already is not seeded again).
# 2. bench/peer/ours_setup.py: SCALE_ADMINS screened patients, each with a reconstituted
#    vial, and the practitioner who treats them; a manager and a receptionist.
# 3. gunicorn, 2 workers (bench_gunicorn), then bench/scale_paths.py: the administrations
#    (start a PREEMPT session, save the draft, sign), then each page (median of 5 after
#    one unmeasured).
#
# Knobs: SCALE_PATIENTS (60000), SCALE_SESSIONS (400000), SCALE_ADMINS (40), BENCH_PORT
# (8951), BENCH_OUT. Takes about 4 minutes at the defaults, most of it seeding.
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SCALE_PATIENTS=${SCALE_PATIENTS:-60000}
SCALE_SESSIONS=${SCALE_SESSIONS:-400000}
SCALE_ADMINS=${SCALE_ADMINS:-40}
BENCH_PORT=${BENCH_PORT:-8951}
RESULTS_DIR=${BENCH_RESULTS_DIR:-$ROOT/bench/results}
BENCH_OUT=${BENCH_OUT:-$RESULTS_DIR/scale_paths.json}
mkdir -p "$RESULTS_DIR"
bench_workdir scale-bench
step() { echo "[$(date +%H:%M:%S)] $*"; }

bench_port_free "$BENCH_PORT"
bench_postgres
step "Patients"
bench_seed_patients "$SCALE_PATIENTS"
sessions=$("$PY" manage.py shell -c \
  "from treatments.models import TreatmentSession; print(TreatmentSession.objects.count())" | tail -1)
if [ "$sessions" -lt "$SCALE_SESSIONS" ]; then
  step "Treatment history: $((SCALE_SESSIONS - sessions)) sessions ($sessions already present)"
  as_owner "$PY" bench/seed_reports.py --sessions "$((SCALE_SESSIONS - sessions))"
else
  step "Database already holds $sessions sessions (>= $SCALE_SESSIONS): not seeding"
fi
bench_vacuum

step "$SCALE_ADMINS screened patients and vials for the administrations; staff"
PASSWORD=$(bench_password)
bench_administration_fixtures "$SCALE_ADMINS" "$PASSWORD" "$BENCH_WORK/admin.json"
bench_staff "$PASSWORD" "scale_manager:Manager scale_reception:Reception"
# The pages' subjects: the patient with the longest history, one of their signed sessions.
"$PY" manage.py shell --no-imports -c '
import json
from django.db.models import Count
from patients.models import Patient
from treatments.models import TreatmentSession
patient = Patient.objects.annotate(n=Count("treatment_sessions")).order_by("-n").first()
session = TreatmentSession.objects.filter(patient=patient, status="signed").latest("performed_at")
print(json.dumps({"patient": str(patient.public_id), "sessions": patient.n,
                  "session": str(session.public_id)}))
' | grep '^{' >"$BENCH_WORK/subjects.json"

bench_gunicorn "$BENCH_PORT" "$RESULTS_DIR/scale-gunicorn.log"
step "Measuring (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
"$PY" bench/scale_paths.py --base "$BASE_URL" --password "$PASSWORD" \
  --admin "$BENCH_WORK/admin.json" --subjects "$BENCH_WORK/subjects.json" \
  --label "$SCALE_PATIENTS patients, $SCALE_SESSIONS sessions" --out "$BENCH_OUT"
