#!/usr/bin/env bash
# `make backup` (issue 12.7; docs/operations.md "Backups"): one consistent logical backup.
#
#   deploy/backup.sh                # writes into $BACKUP_DIR (default var/backups)
#
# As the database OWNER (DATABASE_OWNER_URL, else DATABASE_URL), in one snapshot:
#   <name>.manifest.tsv   the row count of every table, the triggers, the runtime role's
#                         grants and the access log's last link, taken in the exported
#                         snapshot that pg_dump then dumps (so the counts match the dump
#                         exactly, however busy the clinic is)
#   <name>.dump[.age]     pg_dump -Fc (compressed custom format); encrypted with age to
#                         BACKUP_AGE_RECIPIENT (a public key, age1...) when that is set:
#                         the plain dump never touches the disk then
#   <name>.sha256         sha256sum of the two files above (`sha256sum -c` checks them)
# Progress (each table as pg_dump reaches it) goes to stderr; the last line printed on
# stdout is the dump's path, for scripts. Files are 0600 in a 0700 directory.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Nothing configured: the database of `make serve`, when there is one.
if [ -z "${DATABASE_OWNER_URL:-}${DATABASE_URL:-}" ] && [ -f "$ROOT/var/serve.env" ]; then
  set -a
  # shellcheck disable=SC1091
  . "$ROOT/var/serve.env"
  set +a
fi
URL=${DATABASE_OWNER_URL:-${DATABASE_URL:-}}
case "$URL" in
  postgres://* | postgresql://*) ;;
  *)
    echo "backup: set DATABASE_OWNER_URL (or DATABASE_URL) to the PostgreSQL owner's URL." >&2
    exit 2
    ;;
esac
BACKUP_DIR=${BACKUP_DIR:-$ROOT/var/backups}
PGBIN=${PGBIN_DIR:-}
if [ -z "$PGBIN" ]; then
  if command -v pg_dump >/dev/null 2>&1; then
    PGBIN=$(dirname "$(command -v pg_dump)")
  else
    PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  fi
fi
[ -x "$PGBIN/pg_dump" ] || { echo "backup: pg_dump not found (PGBIN_DIR)" >&2; exit 1; }
RUNTIME_ROLE=${DATABASE_RUNTIME_ROLE:-$(python3 -c 'import sys, urllib.parse
print(urllib.parse.urlsplit(sys.argv[1]).username or "")' "${DATABASE_RUNTIME_URL:-${DATABASE_URL:-}}")}
if [ -n "${BACKUP_AGE_RECIPIENT:-}" ] && ! command -v age >/dev/null 2>&1; then
  echo "backup: BACKUP_AGE_RECIPIENT is set but age is not installed (apt-get install age)." >&2
  exit 1
fi

DB=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.urlsplit(sys.argv[1]).path.lstrip("/"))' "$URL")
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
NAME=${BACKUP_NAME:-$DB-$STAMP}
umask 077
mkdir -p "$BACKUP_DIR"
chmod 700 "$BACKUP_DIR"
MANIFEST="$BACKUP_DIR/$NAME.manifest.tsv"
DUMP="$BACKUP_DIR/$NAME.dump"
[ -n "${BACKUP_AGE_RECIPIENT:-}" ] && DUMP="$DUMP.age"
PART="$DUMP.part"
say() { printf 'backup: %s\n' "$*" >&2; }

TAB=$'\t'
# One transaction holds the snapshot open while pg_dump reads it (psql as a coprocess).
coproc SNAP { "$PGBIN/psql" -X -q -At -F "$TAB" -v ON_ERROR_STOP=1 "$URL" 2>&1; }
SNAP_PID=$SNAP_PID
cleanup() {
  local rc=$?
  if kill -0 "$SNAP_PID" 2>/dev/null; then
    echo "ROLLBACK;" >&"${SNAP[1]}" 2>/dev/null || true
    echo '\q' >&"${SNAP[1]}" 2>/dev/null || true
    wait "$SNAP_PID" 2>/dev/null || true
  fi
  rm -f "$PART"
  [ $rc -ne 0 ] && rm -f "$MANIFEST" "$DUMP"
  exit $rc
}
trap cleanup EXIT
ask() { # SQL: send to the snapshot's session, read lines until the end marker
  printf '%s\nSELECT %s;\n' "$1" "'--end--'" >&"${SNAP[1]}"
  local line
  while IFS= read -r -t 120 line <&"${SNAP[0]}"; do
    [ "$line" = "--end--" ] && return 0
    printf '%s\n' "$line"
  done
  echo "backup: no answer from psql" >&2
  return 1
}
SNAPSHOT=$(ask "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SELECT pg_export_snapshot();")
case "$SNAPSHOT" in
  [0-9A-F]*-*) ;;
  *) echo "backup: could not export a snapshot: $SNAPSHOT" >&2; exit 1 ;;
esac
say "database $DB, snapshot $SNAPSHOT"

# The manifest: what `make restore` compares the restored database against.
{
  printf 'meta\tdatabase\t%s\n' "$DB"
  printf 'meta\ttaken_at\t%s\n' "$STAMP"
  printf 'meta\tserver_version\t%s\n' "$(ask 'SHOW server_version;')"
  printf 'meta\truntime_role\t%s\n' "$RUNTIME_ROLE"
  # Exact row counts, in the snapshot (query_to_xml: one query for every table).
  ask "SELECT 'rows', c.relname, (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname;"
  ask "SELECT 'trigger', c.relname, t.tgname
         FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND NOT t.tgisinternal ORDER BY 2, 3;"
  if [ -n "$RUNTIME_ROLE" ]; then
    ask "SELECT 'grant', table_name, string_agg(privilege_type, ',' ORDER BY privilege_type)
           FROM information_schema.role_table_grants
          WHERE grantee = '$RUNTIME_ROLE' AND table_schema = 'public'
          GROUP BY table_name ORDER BY table_name;"
  fi
  ask "SELECT 'meta', 'access_log_last', coalesce(max(chain_seq)::text, '0')
         FROM clinic_accessevent;"
} >"$MANIFEST"
TABLES=$(grep -c '^rows' "$MANIFEST" || true)
say "manifest: $TABLES tables, $(awk -F'\t' '$1=="rows"{s+=$3} END{print s+0}' "$MANIFEST") rows"

# The dump, in the same snapshot. -v names each table as it is dumped: the progress.
n=0
progress() {
  while IFS= read -r line; do
    case "$line" in
      *"dumping contents of table"*)
        n=$((n + 1))
        printf 'backup: [%3d/%d] %s\n' "$n" "$TABLES" "${line##*dumping contents of table }" >&2
        ;;
      *"error"* | *"ERROR"* | *"FATAL"*) printf '%s\n' "$line" >&2 ;;
    esac
  done
}
if [ -n "${BACKUP_AGE_RECIPIENT:-}" ]; then
  say "pg_dump -Fc | age -r ${BACKUP_AGE_RECIPIENT:0:16}... -> $DUMP"
  { "$PGBIN/pg_dump" -Fc -Z 6 -v --snapshot="$SNAPSHOT" "$URL" 2>&3 |
    age -r "$BACKUP_AGE_RECIPIENT" -o "$PART"; } 3>&1 | progress
else
  say "pg_dump -Fc -> $DUMP (not encrypted: set BACKUP_AGE_RECIPIENT)"
  "$PGBIN/pg_dump" -Fc -Z 6 -v --snapshot="$SNAPSHOT" -f "$PART" "$URL" 2>&1 | progress
fi
mv "$PART" "$DUMP"
ask "COMMIT;" >/dev/null

(cd "$BACKUP_DIR" && sha256sum "$(basename "$DUMP")" "$(basename "$MANIFEST")" >"$NAME.sha256")
say "done: $(du -h "$DUMP" | cut -f1) in $DUMP; checksum $NAME.sha256"
echo "$DUMP"
