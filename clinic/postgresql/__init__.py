"""Django's PostgreSQL backend with a health check that needs no round trip when the
connection plainly is fine (clinic/postgresql/base.py; ENGINE "clinic.postgresql")."""
