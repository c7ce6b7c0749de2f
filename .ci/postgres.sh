#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for tests and benchmarks (see shared TOOLCHAIN notes).
#   source .ci/postgres.sh start   -> exports DATABASE_URL, DATABASE_OWNER_URL, PGTMP
#   DATABASE_URL: the runtime role app_runtime (LOGIN, owns nothing; granted by
#   clinic.db_roles after each migrate); DATABASE_OWNER_URL: the owner role app (LOGIN
#   CREATEDB, owns the database, runs the migrations). docs/operations.md.
#   source .ci/postgres.sh stop
# Does nothing (returns 1) when the server binaries are not installed.
pg_start() {
  local pgbin
  pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$pgbin" ] || [ ! -x "$pgbin/initdb" ]; then
    echo "PostgreSQL server binaries not found" >&2
    return 1
  fi
  PGTMP=$(mktemp -d /tmp/pg.XXXXXX)
  local as=()
  if [ "$(id -u)" = "0" ]; then chown postgres:postgres "$PGTMP"; as=(runuser -u postgres --); fi
  "${as[@]}" "$pgbin/initdb" -D "$PGTMP/data" -U postgres --auth=trust -E UTF8 \
    --locale=C.UTF-8 --no-sync >/dev/null
  "${as[@]}" "$pgbin/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/log" -w \
    -o "-k $PGTMP -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50" \
    start >/dev/null
  "$pgbin/psql" -q -h "$PGTMP" -U postgres \
    -c "CREATE ROLE app LOGIN CREATEDB PASSWORD 'app'" -c "CREATE DATABASE app OWNER app" \
    -c "CREATE ROLE app_runtime LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD 'app_runtime'" \
    >/dev/null
  local host
  host=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$PGTMP")
  export PGTMP PGBIN_DIR="$pgbin"
  export DATABASE_OWNER_URL="postgres://app:app@${host}/app"
  export DATABASE_URL="postgres://app_runtime:app_runtime@${host}/app"
  export DATABASE_RUNTIME_ROLE=app_runtime
  echo "PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') running in $PGTMP"
}
pg_stop() {
  if [ -n "${PGTMP:-}" ] && [ -d "$PGTMP/data" ]; then
    local as=()
    [ "$(id -u)" = "0" ] && as=(runuser -u postgres --)
    "${as[@]}" "$PGBIN_DIR/pg_ctl" -D "$PGTMP/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$PGTMP"
  fi
}
case "${1:-}" in
  start) pg_start ;;
  stop) pg_stop ;;
esac
