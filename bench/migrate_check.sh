#!/usr/bin/env bash
# A new database migrated two ways (issue 14.6), on PostgreSQL and on SQLite: through the
# squashed migrations, as every new database is (the suite's, `make run`'s, `make
# serve`'s), and through the originals they replace (a copy of the tree without the
# squashed files). Prints each one's time and compares the two databases: pg_dump's
# schema (tables and their column order, constraints, indexes, triggers, functions,
# grants) must be identical, and so must every row but its timestamps
# (bench/migrate_compare.py). Exits 1 on a difference.
#
#   bash bench/migrate_check.sh        (or: make bench-migrate)
set -euo pipefail

# Two databases of its own are created and dumped as the cluster's superuser: always a
# throwaway cluster (bench/lib.sh: stopped and the work folder removed on exit).
unset DATABASE_URL DATABASE_OWNER_URL DATABASE_RUNTIME_ROLE
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export DJANGO_SETTINGS_MODULE=clinic.settings.test
bench_workdir clinic-migrate-check
WORK=$BENCH_WORK
bench_cluster

echo "Copying the tree without the squashed migrations into $WORK/originals"
mkdir "$WORK/originals"
git ls-files -z | xargs -0 cp --parents -t "$WORK/originals"
find "$WORK/originals" -path '*/migrations/*_squashed_*.py' -print -delete | sed 's/^/  left out: /'
# Compiled now, as the tree's own modules are, so that neither side's time includes it.
"$PY" -m compileall -q "$WORK/originals" "$ROOT/clinic" "$ROOT/patients" "$ROOT/treatments" >/dev/null

host=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$PGTMP")
TIMEFORMAT="    %R s wall, %U s user CPU, %S s system"
status=0
for way in squashed originals; do
  "$PGBIN_DIR/psql" -q -h "$PGTMP" -U postgres -c "CREATE DATABASE $way OWNER app"
done
for way in squashed originals; do
  tree=$ROOT label="squashed migrations"
  [ "$way" = originals ] && tree=$WORK/originals label="original migrations"
  echo "PostgreSQL, through the $label:"
  (cd "$tree" && time DATABASE_OWNER_URL="postgres://app:app@$host/$way" \
    DATABASE_URL="postgres://app_runtime:app_runtime@$host/$way" \
    DATABASE_RUNTIME_ROLE=app_runtime "$PY" manage.py migrate -v0)
  "$PGBIN_DIR/pg_dump" -h "$PGTMP" -U postgres -s "$way" |
    grep -v '^\\\(un\)\?restrict ' >"$WORK/$way.sql"
  echo "SQLite, through the $label:"
  (cd "$tree" && time DATABASE_URL="sqlite:///$WORK/$way.sqlite3" "$PY" manage.py migrate -v0)
done

if diff -u "$WORK/originals.sql" "$WORK/squashed.sql" >"$WORK/schema.diff"; then
  echo "postgresql: pg_dump's schemas identical ($(grep -c '^CREATE' "$WORK/squashed.sql") CREATE statements)"
else
  head -40 "$WORK/schema.diff"
  echo "postgresql: the schemas differ" >&2
  status=1
fi
"$PY" bench/migrate_compare.py postgresql "postgresql://app:app@/originals?host=$PGTMP" \
  "postgresql://app:app@/squashed?host=$PGTMP" || status=1
"$PY" bench/migrate_compare.py sqlite "$WORK/originals.sqlite3" "$WORK/squashed.sqlite3" || status=1
exit $status
