"""Compare two new databases migrated two ways (bench/migrate_check.sh): the rows of every
table but their timestamps, permissions and group permissions by their names, and on
SQLite each table's columns and constraints (as a set: SQLite rebuilt some tables on the
way, in its own column order) and every index and trigger. PostgreSQL's schema is
compared by the shell script with pg_dump. Exits 1 on a difference.

    python bench/migrate_compare.py postgresql URL_A URL_B
    python bench/migrate_compare.py sqlite PATH_A PATH_B
"""

import re
import sqlite3
import sys

TIMESTAMPS = {"created_at", "updated_at", "history_date"}
# Tables whose rows are compared without their id, and why.
RENUMBERED = {
    # The same 24 parameters; the diary's consent validity (diary 0007) was seeded between
    # treatments 0027 and 0028, and the diary's squash runs after treatments' whole squash.
    "treatments_safetyparameter": "id",
}
NUMBERED = {"auth_permission", "django_content_type", "auth_group_permissions"}
PERMISSIONS = (
    "SELECT ct.app_label, ct.model, p.codename FROM auth_permission p "
    "JOIN django_content_type ct ON ct.id = p.content_type_id"
)
GROUP_PERMISSIONS = (
    "SELECT g.name, ct.app_label, p.codename FROM auth_group_permissions gp "
    "JOIN auth_group g ON g.id = gp.group_id JOIN auth_permission p ON p.id = gp.permission_id "
    "JOIN django_content_type ct ON ct.id = p.content_type_id"
)


def _rows(query, tables, columns) -> dict:
    found = {}
    for table in tables:
        if table == "django_migrations" or table in NUMBERED:
            continue
        left_out = TIMESTAMPS | {RENUMBERED.get(table)}
        names = sorted(c for c in columns(table) if c not in left_out)
        quoted = ", ".join(f'"{c}"' for c in names)
        found[table] = sorted(map(repr, query(f'SELECT {quoted} FROM "{table}"')))  # noqa: S608
    found["permissions"] = sorted(map(repr, query(PERMISSIONS)))
    found["group permissions"] = sorted(map(repr, query(GROUP_PERMISSIONS)))
    return found


def postgresql(url: str) -> dict:
    import psycopg

    with psycopg.connect(url) as connection:

        def query(sql, params=()):
            return connection.execute(sql, params).fetchall()

        tables = [
            r[0] for r in query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ]
        return _rows(
            query,
            tables,
            lambda t: [
                r[0]
                for r in query(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = %s",
                    [t],
                )
            ],
        )


def sqlite(path: str) -> dict:
    connection = sqlite3.connect(path)

    def query(sql, params=()):
        return connection.execute(sql, params).fetchall()

    found = {}
    for kind, name, sql in query("SELECT type, name, sql FROM sqlite_master"):
        if name.startswith("sqlite_") or name == "django_migrations" or not sql:
            continue
        if kind == "table":
            inner = sql[sql.index("(") + 1 : sql.rindex(")")]
            sql = sorted(p.strip() for p in re.split(r',\s*(?=(?:"|CONSTRAINT ))', inner))
        found[f"{kind} {name}"] = sql
    tables = [r[0] for r in query("SELECT name FROM sqlite_master WHERE type = 'table'")]
    tables = [t for t in tables if not t.startswith("sqlite_")]
    found.update(_rows(query, tables, lambda t: [r[1] for r in query(f'PRAGMA table_info("{t}")')]))
    return found


def _items(value) -> set:
    """A table's rows or definition parts, or an index's or trigger's SQL, as a set."""
    if value is None:
        return set()
    return {value} if isinstance(value, str) else set(value)


def main(engine: str, a: str, b: str) -> int:
    read = postgresql if engine == "postgresql" else sqlite
    first, second = read(a), read(b)
    differ = sorted(k for k in first.keys() | second.keys() if first.get(k) != second.get(k))
    rows = sum(
        len(v)
        for k, v in first.items()
        if isinstance(v, list) and not k.startswith(("table ", "index ", "trigger "))
    )
    for key in differ:
        print(f"  differs: {key}")
        a_items, b_items = (_items(found.get(key)) for found in (first, second))
        only_a, only_b = a_items - b_items, b_items - a_items
        for line in sorted(only_a)[:3]:
            print(f"    originals only: {str(line)[:150]}")
        for line in sorted(only_b)[:3]:
            print(f"    squashed only:  {str(line)[:150]}")
    print(f"{engine}: {len(first)} tables and objects compared, {rows} rows; {len(differ)} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
