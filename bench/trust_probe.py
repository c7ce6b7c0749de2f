"""Issue 10's attacks, tried again from outside over HTTP against a running demo
(`make run`, or any server with the demo accounts): each role signs in through the login
page and tries what the issue found possible. Prints one line per attempt and exits 1
when any attempt got through.

    .venv/bin/python bench/trust_probe.py http://127.0.0.1:8000 db.sqlite3

The second argument (a SQLite file or a PostgreSQL URL) is read to find ids and to count
access events before and after each patient page; nothing is written to it.
"""

import re
import sqlite3
import sys

import requests

PASSWORD = "clinic-demo-2026"  # noqa: S105 - the demo accounts' published password


class Database:
    def __init__(self, target: str):
        if target.startswith("postgres"):
            import psycopg

            self.conn = psycopg.connect(target, autocommit=True)
        else:
            self.conn = sqlite3.connect(f"file:{target}?mode=ro", uri=True)

    def one(self, sql: str):
        cursor = self.conn.cursor()
        cursor.execute(sql)
        return cursor.fetchone()


def signed_in(base: str, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(
        f"{base}/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=10,
    )
    assert "/accounts/login/" not in response.url, f"{username} could not sign in"
    return session


def csrf(session: requests.Session, base: str, path: str) -> str:
    page = session.get(f"{base}{path}", timeout=10)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    return match.group(1) if match else session.cookies.get("csrftoken", "")


def main(base: str, database: str) -> int:
    db = Database(database)
    manager_id = db.one("SELECT id FROM auth_user WHERE username = 'manager'")[0]
    admin_id = db.one("SELECT id FROM auth_user WHERE username = 'admin'")[0]
    patient_pk, public_id = db.one("SELECT id, public_id FROM patients_patient ORDER BY id")
    public_id = str(public_id)
    if "-" not in public_id:
        public_id = "-".join(
            (public_id[:8], public_id[8:12], public_id[12:16], public_id[16:20], public_id[20:])
        )
    questionnaire = db.one("SELECT id FROM patients_intakequestionnaire ORDER BY id")[0]
    vial = db.one("SELECT id FROM treatments_vial WHERE reconstituted_at IS NULL ORDER BY id")
    failures = 0

    def check(label: str, got_through: bool, detail: str) -> None:
        nonlocal failures
        failures += got_through
        print(f"{'GOT THROUGH' if got_through else 'refused    '}  {label}  ({detail})")

    manager = signed_in(base, "manager")
    token = csrf(manager, base, "/staff/")
    response = manager.post(
        f"{base}/admin/auth/user/{manager_id}/change/",
        data={
            "username": "manager",
            "is_superuser": "on",
            "is_staff": "on",
            "is_active": "on",
            "csrfmiddlewaretoken": token,
        },
        headers={"Referer": f"{base}/admin/"},
        timeout=10,
        allow_redirects=False,
    )
    is_superuser = db.one(f"SELECT is_superuser FROM auth_user WHERE id = {manager_id}")[0]  # noqa: S608
    check(
        "manager makes themselves superuser in the user admin",
        bool(is_superuser),
        f"HTTP {response.status_code}",
    )
    response = manager.get(f"{base}/admin/auth/user/{admin_id}/password/", timeout=10)
    check(
        "manager opens another account's set-password form",
        response.status_code == 200 and 'name="password1"' in response.text,
        f"HTTP {response.status_code}",
    )
    for path in (
        f"/patients/{public_id}/subject-access/copy.json",
        f"/patients/{public_id}/subject-access/{10**9}/copy.json",
        f"/patients/{public_id}/subject-access/{10**9}/copy/",
    ):
        response = manager.get(f"{base}{path}", timeout=10)
        check(
            f"manager downloads a subject-access copy without a request: {path}",
            response.status_code == 200,
            f"HTTP {response.status_code}",
        )
    for path in (
        f"/admin/patients/patient/{patient_pk}/change/",
        f"/admin/patients/intakequestionnaire/{questionnaire}/change/",
        "/admin/patients/patient/?q=a",
        "/admin/treatments/treatmentsession/",
    ):
        response = manager.get(f"{base}{path}", timeout=10)
        check(
            f"manager reads patient data in the admin: {path}",
            response.status_code == 200,
            f"HTTP {response.status_code}",
        )
    if vial is not None:
        token = csrf(manager, base, f"/vials/{vial[0]}/")
        manager.post(
            f"{base}/vials/{vial[0]}/reconstitute/",
            data={"diluent_ml": "2", "csrfmiddlewaretoken": token},
            headers={"Referer": f"{base}/vials/{vial[0]}/"},
            timeout=10,
        )
        done = db.one(f"SELECT reconstituted_at FROM treatments_vial WHERE id = {vial[0]}")[0]  # noqa: S608
        check("manager reconstitutes a vial", done is not None, "vial row read back")

    # Every page showing the patient writes an access event, forms included.
    for username, paths in (
        ("reception", [f"/patients/{public_id}/edit/", f"/patients/{public_id}/archive/"]),
        (
            "practitioner",
            [
                f"/patients/{public_id}/questionnaire/new/",
                f"/patients/{public_id}/sessions/new/",
                f"/patients/{public_id}/tasks/new/",
                f"/patients/{public_id}/outcomes/new/",
            ],
        ),
        ("admin", [f"/admin/patients/patient/{patient_pk}/change/"]),
    ):
        session = signed_in(base, username)
        for path in paths:
            count = f"SELECT count(*) FROM clinic_accessevent WHERE patient_id = {patient_pk}"  # noqa: S608
            before = db.one(count)[0]
            response = session.get(f"{base}{path}", timeout=10)
            after = db.one(count)[0]
            check(
                f"{username} sees the patient unlogged: {path}",
                response.status_code == 200 and after != before + 1,
                f"HTTP {response.status_code}, {after - before} access event(s)",
            )
    print(f"\n{failures} attempt(s) got through")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1].rstrip("/"), sys.argv[2]))
