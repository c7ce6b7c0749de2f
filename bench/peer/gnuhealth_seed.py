"""Seeds GNU Health patients in bulk with SQL (run with the peer's Python: psycopg2).

    var/peer/venv/bin/python bench/peer/gnuhealth_seed.py CONFIG DBNAME PATIENTS.tsv N

PATIENTS.tsv holds our seeded patients (given names, family name, date of birth, sex),
so both sides search the same names. Creating them through GNU Health's ORM works
(bench/peer/gnuhealth_setup.py does it for a few) but ran at ~10 patients/s here: its
`Party.create` takes one party per call. So the rows that one ORM registration writes
(checked against it: party_party, gnuhealth_person_name, party_party_lang,
party_party_location, gnuhealth_patient; the PUID in `ref`, the federation account, the
code `<uuid>-<company>`, the official person name, the company's customer and supplier
locations) are written with COPY + INSERT ... SELECT, 10,000 patients per transaction,
with progress. Tops up: seeds N minus the patients already there.
"""

import io
import sys
import time
import urllib.parse
import uuid

import psycopg2
from trytond.config import config

CONFIG, DBNAME, TSV, TARGET = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
CHUNK = 10_000
GENDER = {"female": "f", "male": "m", "indeterminate": "other", "not-known": "u"}
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def puid(n: int) -> str:
    """GNU Health's PUID shape (3 letters, 3 digits, 3 letters), unique per n. The ORM
    draws its own at random: a clash with one of these (about 1 in 300 million per
    registration at 100,000 patients) would be a unique violation, not a wrong row."""
    digits = n % 1000
    rest = n // 1000
    letters = []
    for _ in range(5):
        rest, r = divmod(rest, 26)
        letters.append(LETTERS[r])
    return f"Z{letters[0]}{letters[1]}{digits:03d}{''.join(letters[2:])}"


def connect():
    config.update_etc(CONFIG)
    uri = urllib.parse.urlparse(config.get("database", "uri"))
    return psycopg2.connect(uri._replace(path="/" + DBNAME).geturl())


def main():
    conn = connect()
    cur = conn.cursor()
    cur.execute("SELECT count(*) FROM gnuhealth_patient")
    (existing,) = cur.fetchone()
    todo = max(0, TARGET - existing)
    print(f"peer seed: {existing} patients already, {todo} to seed", flush=True)
    if not todo:
        return
    cur.execute("SELECT id, party FROM company_company ORDER BY id LIMIT 1")
    company, company_party = cur.fetchone()
    cur.execute("SELECT name FROM party_party WHERE id = %s", (company_party,))
    (company_name,) = cur.fetchone()
    cur.execute("SELECT id FROM stock_location WHERE code = 'CUS'")
    (customer,) = cur.fetchone()
    cur.execute("SELECT id FROM stock_location WHERE code = 'SUP'")
    (supplier,) = cur.fetchone()
    cur.execute("SELECT coalesce(max(id), 0) FROM party_party")
    (offset,) = cur.fetchone()
    with open(TSV, encoding="utf-8") as handle:
        rows = [line.rstrip("\n").split("\t") for line in handle if line.strip()]
    rows = [rows[i % len(rows)] for i in range(existing, existing + todo)]
    started = time.monotonic()
    for start in range(0, todo, CHUNK):
        chunk = rows[start : start + CHUNK]
        buf = io.StringIO()
        for i, (given, family, dob, sex) in enumerate(chunk):
            ref = puid(offset + start + i)
            code = f"{uuid.uuid4()}-{company_name}"
            fields = [code, given, family, dob, GENDER.get(sex, "u"), ref, "GBR" + ref]
            buf.write("\t".join(f.replace("\t", " ") for f in fields) + "\n")
        buf.seek(0)
        cur.execute(
            "CREATE TEMP TABLE seed (code varchar, given varchar, family varchar, dob date,"
            " gender varchar, ref varchar, fed varchar) ON COMMIT DROP"
        )
        cur.copy_from(
            buf, "seed", columns=("code", "given", "family", "dob", "gender", "ref", "fed")
        )
        cur.execute(
            """
            WITH party AS (
                INSERT INTO party_party (active, code, create_date, create_uid, name, lastname,
                    activation_date, alternative_identification, create_target, deceased, dob,
                    est_dob, fed_country, federation_account, gender, homeless, is_healthprof,
                    is_institution, is_insurance_company, is_patient, is_person, is_pharmacy,
                    ref, unidentified)
                SELECT true, code, now() AT TIME ZONE 'UTC', 1, given, family, current_date,
                    false, true, false, dob, false, 'GBR', fed, gender, false, false, false,
                    false, true, true, false, ref, false
                FROM seed
                RETURNING id, name, lastname
            ), pname AS (
                INSERT INTO gnuhealth_person_name (create_date, create_uid, family, given,
                    party, use)
                SELECT now() AT TIME ZONE 'UTC', 1, lastname, name, id, 'official' FROM party
            ), lang AS (
                INSERT INTO party_party_lang (create_date, create_uid, party, company)
                SELECT now() AT TIME ZONE 'UTC', 1, id, %(company)s FROM party
            ), loc AS (
                INSERT INTO party_party_location (create_date, create_uid, party,
                    customer_location, supplier_location, write_date, write_uid)
                SELECT now() AT TIME ZONE 'UTC', 1, id, %(customer)s, %(supplier)s,
                    now() AT TIME ZONE 'UTC', 1 FROM party
            )
            INSERT INTO gnuhealth_patient (active, create_date, create_uid, party,
                crit_allergic, crit_cancer, crit_cardio, crit_cognitive, crit_dbt, crit_hbp,
                crit_immuno, crit_mental, crit_nutrition, crit_social)
            SELECT true, now() AT TIME ZONE 'UTC', 1, id, false, false, false, false, false,
                false, false, false, false, false FROM party
            """,
            {"company": company, "customer": customer, "supplier": supplier},
        )
        conn.commit()
        made = start + len(chunk)
        elapsed = time.monotonic() - started
        print(
            f"peer seed: {existing + made}/{TARGET} patients"
            f" ({made / elapsed:.0f}/s, {elapsed:.0f} s)",
            flush=True,
        )
    conn.autocommit = True
    cur.execute("VACUUM (ANALYZE)")
    print(f"peer seed: done in {time.monotonic() - started:.0f} s (VACUUM ANALYZE included)")


if __name__ == "__main__":
    main()
