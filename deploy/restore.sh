#!/usr/bin/env bash
# `make restore FILE=var/backups/<name>.dump[.age]` (issue 12.7; docs/operations.md).
#
# Restores a backup written by deploy/backup.sh into a NEW database (never over the live
# one) and proves it is whole:
#   1. the checksum file (<name>.sha256) matches the dump and its manifest;
#   2. an .age dump is decrypted with BACKUP_AGE_IDENTITY (into a private temp dir);
#   3. CREATE DATABASE <RESTORE_DB> (default <live>_restore_<UTC time>) owned by the owner
#      role, then pg_restore as the owner, stopping at the first error;
#   4. checks against the manifest taken at backup time: the row count of every table,
#      every trigger (the access log's append-only, chain and no-truncate guards, the
#      signed-session guards), the runtime role's grants on every table, and explicitly
#      that the access log is INSERT/SELECT only for that role;
#   5. `manage.py verify_access_log` on the restored database (the hash chain, up to the
#      last event the manifest recorded).
# Exit status 0 only when every check passed. The restored database is left in place for
# inspection or to be switched to (docs/operations.md "Restoring"), unless
# RESTORE_DROP_AFTER=1 (restore drills).
# Environment: DATABASE_OWNER_URL (else DATABASE_URL): the owner, on the live database;
# DATABASE_URL: the runtime role's URL (used for verify_access_log), RESTORE_ADMIN_URL
# (a role that may CREATE DATABASE, default the owner), RESTORE_DB, BACKUP_AGE_IDENTITY,
# PGBIN_DIR, PYTHON (default .venv/bin/python, else python3... in the container: python).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FILE=${1:?usage: deploy/restore.sh var/backups/<name>.dump[.age]}
[ -f "$FILE" ] || { echo "restore: no such file: $FILE" >&2; exit 2; }
# Nothing configured: the database of `make serve`, when there is one.
if [ -z "${DATABASE_OWNER_URL:-}${DATABASE_URL:-}" ] && [ -f "$ROOT/var/serve.env" ]; then
  set -a
  # shellcheck disable=SC1091
  . "$ROOT/var/serve.env"
  set +a
fi
OWNER_URL=${DATABASE_OWNER_URL:-${DATABASE_URL:-}}
case "$OWNER_URL" in
  postgres://* | postgresql://*) ;;
  *) echo "restore: set DATABASE_OWNER_URL (or DATABASE_URL) to the owner's URL." >&2; exit 2 ;;
esac
RUNTIME_URL=${DATABASE_RUNTIME_URL:-${DATABASE_URL:-$OWNER_URL}}
ADMIN_URL=${RESTORE_ADMIN_URL:-$OWNER_URL}
PGBIN=${PGBIN_DIR:-}
if [ -z "$PGBIN" ]; then
  if command -v pg_restore >/dev/null 2>&1; then
    PGBIN=$(dirname "$(command -v pg_restore)")
  else
    PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  fi
fi
[ -x "$PGBIN/pg_restore" ] || { echo "restore: pg_restore not found (PGBIN_DIR)" >&2; exit 1; }
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
[ -x "$PYTHON" ] || PYTHON=python
say() { printf 'restore: %s\n' "$*" >&2; }
url() { # URL PART [NEW_DB]: print a part of a PostgreSQL URL, or the URL on another database
  python3 - "$@" <<'EOF'
import sys, urllib.parse
url, part = sys.argv[1], sys.argv[2]
parts = urllib.parse.urlsplit(url)
if part == "db":
    print(urllib.parse.unquote(parts.path.lstrip("/")))
elif part == "user":
    print(urllib.parse.unquote(parts.username or ""))
elif part == "with-db":
    print(urllib.parse.urlunsplit(parts._replace(path="/" + urllib.parse.quote(sys.argv[3]))))
EOF
}

DIR=$(cd "$(dirname "$FILE")" && pwd)
BASE=$(basename "$FILE")
NAME=${BASE%.age}
NAME=${NAME%.dump}
MANIFEST="$DIR/$NAME.manifest.tsv"
SUMS="$DIR/$NAME.sha256"

# 1. Checksums.
[ -f "$SUMS" ] || { echo "restore: no checksum file $SUMS" >&2; exit 1; }
(cd "$DIR" && sha256sum --check --strict --quiet "$NAME.sha256") ||
  { echo "restore: CHECKSUM MISMATCH: the backup is damaged or was changed." >&2; exit 1; }
say "checksums OK ($NAME.sha256)"

WORK=$(mktemp -d)
chmod 700 "$WORK"
trap 'rm -rf "$WORK"' EXIT
# 2. Decrypt.
DUMP="$DIR/$BASE"
if [[ "$BASE" == *.age ]]; then
  : "${BACKUP_AGE_IDENTITY:?restore: set BACKUP_AGE_IDENTITY to the age identity file for $BASE}"
  command -v age >/dev/null || { echo "restore: age is not installed" >&2; exit 1; }
  (umask 077 && age -d -i "$BACKUP_AGE_IDENTITY" -o "$WORK/$NAME.dump" "$DUMP")
  DUMP="$WORK/$NAME.dump"
  say "decrypted with $(basename "$BACKUP_AGE_IDENTITY")"
fi
"$PGBIN/pg_restore" --list "$DUMP" >/dev/null || { echo "restore: not a pg_dump archive" >&2; exit 1; }

# 3. A new database, owned by the owner role.
LIVE_DB=$(url "$OWNER_URL" db)
OWNER=$(url "$OWNER_URL" user)
TARGET=${RESTORE_DB:-${LIVE_DB}_restore_$(date -u +%Y%m%d%H%M%S)}
if [ "$TARGET" = "$LIVE_DB" ] || [ "$TARGET" = "$(awk -F'\t' '$1=="meta" && $2=="database"{print $3}' "$MANIFEST")" ]; then
  echo "restore: refusing to restore over the live database '$TARGET'; choose a new RESTORE_DB." >&2
  exit 2
fi
[[ "$TARGET" =~ ^[A-Za-z_][A-Za-z0-9_]{0,62}$ ]] || { echo "restore: bad RESTORE_DB name" >&2; exit 2; }
psql_on() { "$PGBIN/psql" -X -q -At -F $'\t' -v ON_ERROR_STOP=1 "$@"; }
if [ -n "$(psql_on "$ADMIN_URL" -c "SELECT 1 FROM pg_database WHERE datname = '$TARGET'")" ]; then
  echo "restore: database $TARGET already exists; choose a new RESTORE_DB." >&2
  exit 2
fi
psql_on "$ADMIN_URL" -c "CREATE DATABASE \"$TARGET\" OWNER \"$OWNER\" TEMPLATE template0 ENCODING 'UTF8'"
say "created database $TARGET (owner $OWNER)"
NEW_OWNER_URL=$(url "$OWNER_URL" with-db "$TARGET")
NEW_RUNTIME_URL=$(url "$RUNTIME_URL" with-db "$TARGET")
TABLES=$(grep -c '^rows' "$MANIFEST" || true)
n=0
"$PGBIN/pg_restore" -v --exit-on-error --no-password -d "$NEW_OWNER_URL" "$DUMP" 2>&1 |
  while IFS= read -r line; do
    case "$line" in
      *"processing data for table"*)
        n=$((n + 1))
        printf 'restore: [%3d/%d] %s\n' "$n" "$TABLES" "${line##*processing data for table }" >&2
        ;;
      *error* | *ERROR* | *FATAL*) printf '%s\n' "$line" >&2 ;;
    esac
  done
say "pg_restore done"

# 4. Checks against the manifest.
RUNTIME_ROLE=$(awk -F'\t' '$1=="meta" && $2=="runtime_role"{print $3}' "$MANIFEST")
{
  psql_on "$NEW_OWNER_URL" -c "SELECT 'rows', c.relname, (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname;"
  psql_on "$NEW_OWNER_URL" -c "SELECT 'trigger', c.relname, t.tgname
         FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND NOT t.tgisinternal ORDER BY 2, 3;"
  if [ -n "$RUNTIME_ROLE" ]; then
    psql_on "$NEW_OWNER_URL" -c "SELECT 'grant', table_name, string_agg(privilege_type, ',' ORDER BY privilege_type)
           FROM information_schema.role_table_grants
          WHERE grantee = '$RUNTIME_ROLE' AND table_schema = 'public'
          GROUP BY table_name ORDER BY table_name;"
  fi
} >"$WORK/restored.tsv"
failed=0
check() { # KIND LABEL
  if diff <(grep "^$1"$'\t' "$MANIFEST") <(grep "^$1"$'\t' "$WORK/restored.tsv") >"$WORK/$1.diff"; then
    say "OK   $2: $(grep -c "^$1"$'\t' "$MANIFEST") identical"
  else
    say "FAIL $2 differ (< backup manifest, > restored):"
    sed 's/^/restore:      /' "$WORK/$1.diff" >&2
    failed=1
  fi
}
check rows "row counts of every table"
check trigger "triggers"
[ -n "$RUNTIME_ROLE" ] && check grant "grants to the runtime role $RUNTIME_ROLE"
# Explicitly: the access log is protected, whatever the manifest said.
guards=$(grep -c $'^trigger\tclinic_accessevent\t' "$WORK/restored.tsv" || true)
if [ "$guards" -ge 2 ]; then
  say "OK   the access log's triggers are in place ($guards)"
else
  say "FAIL the access log has $guards triggers"; failed=1
fi
if [ -n "$RUNTIME_ROLE" ]; then
  access=$(awk -F'\t' '$1=="grant" && $2=="clinic_accessevent"{print $3}' "$WORK/restored.tsv")
  if [ "$access" = "INSERT,SELECT" ]; then
    say "OK   $RUNTIME_ROLE may only INSERT and SELECT the access log"
  else
    say "FAIL $RUNTIME_ROLE has '$access' on the access log (expected INSERT,SELECT)"; failed=1
  fi
fi

# 5. The access log's hash chain, read as the runtime role when there is one.
VERIFY_URL=$NEW_RUNTIME_URL
[ "$(url "$RUNTIME_URL" user)" = "$OWNER" ] && VERIFY_URL=$NEW_OWNER_URL
last=$(awk -F'\t' '$1=="meta" && $2=="access_log_last"{print $3}' "$MANIFEST")
if out=$(cd "$ROOT" && env -u DATABASE_OWNER_URL -u DATABASE_RUNTIME_URL DATABASE_URL="$VERIFY_URL" \
  "$PYTHON" manage.py verify_access_log 2>"$WORK/verify.err"); then
  say "OK   verify_access_log: $out"
  case "$out" in
    *"last: $last:"* | "0 events"*) ;;
    *) say "FAIL the chain does not end at chain_seq $last as the manifest recorded"; failed=1 ;;
  esac
else
  say "FAIL verify_access_log:"; sed 's/^/restore:      /' "$WORK/verify.err" | tail -5 >&2
  failed=1
fi

if [ "${RESTORE_DROP_AFTER:-0}" = "1" ]; then
  psql_on "$ADMIN_URL" -c "DROP DATABASE \"$TARGET\""
  say "dropped $TARGET (RESTORE_DROP_AFTER=1)"
fi
if [ $failed -ne 0 ]; then
  say "RESTORE CHECKS FAILED for $BASE (database $TARGET)"
  exit 1
fi
say "PASSED: $BASE restored into $TARGET; every check passed"
echo "$TARGET"
