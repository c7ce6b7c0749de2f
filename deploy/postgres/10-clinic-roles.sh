#!/usr/bin/env bash
# PostgreSQL container, first start only (/docker-entrypoint-initdb.d, as the superuser):
# the owner and runtime roles and the clinic database (docs/operations.md "Database roles").
#   owner   (CLINIC_DB_OWNER, default clinic_owner): owns the database and every table, runs
#           the migrations, backups and restores (CREATEDB: restores go into a new database)
#   runtime (CLINIC_DB_APP, default clinic_app): the app and the worker; owns nothing, is
#           granted what it needs after each migrate (clinic/db_roles.py)
# Passwords come from the environment (compose.yaml, from .env). An existing volume is
# never touched by this script: the image runs it only when the data directory is empty.
set -euo pipefail
: "${CLINIC_DB_OWNER_PASSWORD:?set CLINIC_DB_OWNER_PASSWORD in .env}"
: "${CLINIC_DB_APP_PASSWORD:?set CLINIC_DB_APP_PASSWORD in .env}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v db="${CLINIC_DB_NAME:-clinic}" \
  -v owner="${CLINIC_DB_OWNER:-clinic_owner}" -v owner_pw="$CLINIC_DB_OWNER_PASSWORD" \
  -v app="${CLINIC_DB_APP:-clinic_app}" -v app_pw="$CLINIC_DB_APP_PASSWORD" <<'SQL'
CREATE ROLE :"owner" LOGIN NOSUPERUSER NOCREATEROLE CREATEDB PASSWORD :'owner_pw';
CREATE ROLE :"app" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD :'app_pw';
CREATE DATABASE :"db" OWNER :"owner";
\c :"db"
-- PostgreSQL 15+ already does this; say it anyway (restored dumps, older clusters).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
-- Never GRANT the owner role TO the runtime role: membership would let the app SET ROLE.
SQL
echo "clinic roles created: owner ${CLINIC_DB_OWNER:-clinic_owner}, runtime ${CLINIC_DB_APP:-clinic_app}"
