"""Registration races over HTTP (issue 10): "Registering is idempotent and serialised".

Two kinds of round against a running server, each with an invented person nobody else
has (unique surname, date of birth and phone; no NHS number):

- double-click: one receptionist GETs /patients/new/, fills the form and sends the same
  POST body twice at the same moment (two threads released by a barrier, sockets
  already connected). With a hidden `submission_token` in the form, both POSTs carry
  the same token; without one, it is simply the same body twice.
- two receptionists: two users each GET the form (each with their own token, if any)
  and POST the same person at the same moment.

After each round the database is asked directly (psycopg / sqlite3, read-only) how many
patients have that surname (case-insensitive) and date of birth.

Success: double-click = exactly one patient and no 5xx; two receptionists = exactly one
patient, no 5xx, one response a redirect to that patient and the other either the form
again with the "may already be registered" warning (HTTP 200) or a redirect to the same
patient. Usually run by bench/registration_races.sh, which starts the servers:

    .venv/bin/python bench/registration_races.py \\
        --engine postgresql/gunicorn http://127.0.0.1:8771 "$DATABASE_URL" gunicorn.log \\
        --user race_reception_a:PASSWORD --user race_reception_b:PASSWORD

A server that redirects plain HTTP to https:// (production settings) is spoken to as a
TLS-terminating proxy would: X-Forwarded-Proto: https on every request, https Referer and
Origin, Secure cookies sent back anyway. Standard library only, plus psycopg for
PostgreSQL. Prints progress and a table, writes JSON (default
bench/results/registration_races.json) and exits 1 when any round failed.
"""

import argparse
import itertools
import json
import os
import random
import re
import sqlite3
import statistics
import sys
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGISTER_PATH = "/patients/new/"
LOGIN_PATH = "/accounts/login/"
TOKEN_FIELD = "submission_token"  # noqa: S105 - a form field name
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# How the registration page says "this patient may already be registered".
WARNING_MARKERS = (b'id="duplicate-warning"', b"may already be registered")
ROUND_TYPES = {"double-click": "double-click", "two-receptionists": "two receptionists"}


from http_client import Client, Response, find_form, hidden_fields, page_title  # noqa: E402
from results_io import git_state, machine  # noqa: E402

GIVEN = ["Alice", "Bronwen", "Catriona", "Deborah", "Eleri", "Fiona", "Gwen", "Harriet"]


def letters(number: int, width: int) -> str:
    out = ""
    for _ in range(width):
        number, digit = divmod(number, 26)
        out = chr(ord("a") + digit) + out
    return out


# Invented registrants' mobile numbers: 079 and eight digits, counted from a random start
# for each run (unique within it, and unlikely to meet an earlier run's on a reused
# database). The demo seed never gives a patient an 079 number (clinic.demo.patients), so
# no registration meets the duplicate warning through a seeded patient's phone: with
# random 07 numbers, 100,000 seeded patients made about one run in ten stop there.
PHONE_START = random.randrange(10**8)


def invented_phone(index: int) -> str:
    return f"079{(PHONE_START + index) % 10**8:08d}"


def invent_person(rng: random.Random, run_tag: str, index: int) -> dict:
    # A date of birth of its own per index (a run registers far fewer than 64 years of
    # days): the duplicate check flags the same date of birth with a surname one letter
    # away, which "Race<tag>aab" and "Race<tag>aac" are, as it should for real people.
    dob = date(1940, 1, 1) + timedelta(days=(index * 7919) % (365 * 64))
    return {
        "title": "Ms",
        "given_names": rng.choice(GIVEN),
        # Letters only, unique per run and round: "Race" + run tag + round letters.
        "family_name": f"Race{run_tag}{letters(index, 3)}".capitalize(),
        "preferred_name": "",
        "date_of_birth": dob.strftime("%d/%m/%Y"),
        "sex": "female",
        "nhs_number": "",
        # A unique mobile number: the duplicate check also matches on phone.
        "phone": invented_phone(index),
        "email": "",
        "address_line_1": f"{rng.randrange(1, 200)} Harbour Road",
        "address_line_2": "",
        "town": "Penzance",
        "postcode": "TR18 4AA",
        "gp_practice": "Morrab Surgery",
        "gp_name": "",
        "emergency_contact_name": "Sam Trevithick",
        "emergency_contact_relationship": "Partner",
        "emergency_contact_phone": f"07{rng.randrange(10**9):09d}",
        "referral_source": "self",
        "referral_detail": "",
    }


# Counting in the database ----------------------------------------------------------------
class Database:
    """Read-only: the public ids of the patients with this surname and date of birth."""

    SQL = (
        "SELECT public_id FROM patients_patient "
        "WHERE lower(family_name) = lower({p}) AND date_of_birth = {p}"
    )

    def __init__(self, url: str):
        self.url = url
        if url.startswith(("postgres://", "postgresql://")):
            import psycopg

            self.conn = psycopg.connect(url, autocommit=True)
            self.param = "%s"
        elif url.startswith("sqlite:///"):
            # sqlite:////abs/path (four slashes) or sqlite:///relative/path
            path = Path(urllib.parse.unquote(url.removeprefix("sqlite:///"))).resolve()
            self.conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=30)
            self.conn.isolation_level = None
            self.param = "?"
        else:
            raise SystemExit(f"Unsupported DATABASE_URL: {url.split(':', 1)[0]}")

    def patients(self, family_name: str, dob_ddmmyyyy: str) -> list[str]:
        day, month, year = (int(part) for part in dob_ddmmyyyy.split("/"))
        dob = date(year, month, day).isoformat()
        cursor = self.conn.execute(self.SQL.format(p=self.param), (family_name, dob))
        return [str(uuid.UUID(str(row[0]))) for row in cursor.fetchall()]

    def close(self) -> None:
        self.conn.close()


# A round ------------------------------------------------------------------------------
def classify(resp: Response) -> dict:
    """What a POST answered: created / replayed (redirect to a patient), the warning, ..."""
    out = {"status": resp.status, "ms": round(resp.ms, 2)}
    if resp.status >= 500:
        out["kind"] = "5xx"
        out["title"] = page_title(resp.body)
    elif resp.status in (301, 302, 303):
        found = UUID_RE.search(resp.location)
        if found:
            out["kind"], out["patient"] = "redirect", found.group(0)
        else:
            out["kind"] = "redirect-elsewhere"
        out["location"] = resp.location
    elif resp.status == 200:
        if any(marker in resp.body for marker in WARNING_MARKERS):
            out["kind"] = "warning"
        else:
            out["kind"] = "form"  # the form again without the warning (errors, "busy")
            alert = re.search(rb'class="alert alert-[a-z]+"[^>]*>(.*?)</div>', resp.body, re.S)
            if alert:
                text = re.sub(r"<[^>]+>", " ", alert.group(1).decode("utf-8", "replace"))
                out["message"] = " ".join(text.split())[:160]
    else:
        out["kind"] = f"http-{resp.status}"
        out["title"] = page_title(resp.body)
    return out


def short(response: dict, patients: list[str]) -> str:
    kind = response["kind"]
    if kind == "redirect":
        found = response["patient"]
        which = f"P{patients.index(found) + 1}" if found in patients else "unknown patient"
        return f"{response['status']}->{which}"
    if kind == "warning":
        return "200 warning"
    if kind == "form":
        return "200 form"
    return f"{response['status']} {kind}"


def race(posts: list[tuple[Client, bytes]], gap_ms: float) -> list[Response]:
    """Send the POSTs at the same moment: sockets connected first, then a barrier."""
    barrier = threading.Barrier(len(posts), timeout=30)
    results: list[Response | BaseException | None] = [None] * len(posts)

    def worker(i: int, client: Client, body: bytes) -> None:
        try:
            conn = client.connect()
            barrier.wait()
            if i and gap_ms:
                time.sleep(gap_ms * i / 1000)
            results[i] = client.send(conn, "POST", REGISTER_PATH, body)
        except BaseException as exc:  # noqa: BLE001 - reported with the round
            results[i] = exc
            barrier.abort()

    threads = [
        threading.Thread(target=worker, args=(i, c, b), daemon=True)
        for i, (c, b) in enumerate(posts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    for result in results:
        if not isinstance(result, Response):
            raise RuntimeError(f"a POST did not complete: {result!r}")
    return results  # type: ignore[return-value]


def fill_form(client: Client, person: dict, drop_token: bool) -> tuple[bytes, bool]:
    page = client.request("GET", REGISTER_PATH)
    if page.status != 200:
        raise RuntimeError(f"GET {REGISTER_PATH}: HTTP {page.status} {page.location}")
    hidden = hidden_fields(find_form(page.body, "family_name"))
    if drop_token:  # a client that does not send it back (an old cached page, a script)
        hidden.pop(TOKEN_FIELD, None)
    return urllib.parse.urlencode({**hidden, **person}).encode(), TOKEN_FIELD in hidden


def run_round(kind: str, clients: list[Client], db: Database, person: dict, args) -> dict:
    if kind == "double-click":
        body, has_token = fill_form(clients[0], person, args.drop_token)
        posts = [(clients[0], body), (clients[0], body)]
        tokens = [has_token]
    else:
        filled = [fill_form(client, person, args.drop_token) for client in clients[:2]]
        posts = [(client, body) for client, (body, _) in zip(clients, filled, strict=False)]
        tokens = [has for _, has in filled]
    responses = [classify(r) for r in race(posts, args.gap_ms)]
    patients = db.patients(person["family_name"], person["date_of_birth"])
    five_xx = sum(r["kind"] == "5xx" for r in responses)
    reasons = []
    if len(patients) != 1:
        reasons.append(f"{len(patients)} patients")
    if five_xx:
        reasons.append(f"{five_xx} x 5xx")
    if kind == "two-receptionists" and len(patients) == 1:
        to_patient = [r for r in responses if r["kind"] == "redirect" and r["patient"] in patients]
        warned = [r for r in responses if r["kind"] == "warning"]
        if not to_patient or len(to_patient) + len(warned) != len(responses):
            reasons.append("the other answer is neither the warning nor the same patient")
    return {
        "type": kind,
        "family_name": person["family_name"],
        "date_of_birth": person["date_of_birth"],
        "submission_token": all(tokens),
        "responses": responses,
        "patients": patients,
        "ok": not reasons,
        "reason": "; ".join(reasons),
    }


# Server log: what the 5xx were -----------------------------------------------------------
EXC_LINE = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Interrupted|Locked)\w*)(?:: (.*))?$")
FRAME = re.compile(r'^\s*File "([^"]+)", line (\d+), in (\S+)')


def log_offset(path: str | None) -> int:
    try:
        return Path(path).stat().st_size if path else 0
    except OSError:
        return 0


def errors_in_log(path: str | None, offset: int) -> tuple[Counter, str]:
    """Each "Internal Server Error" record written to the server log since `offset`: its
    final exception line and the project's own frames (not site-packages, not the standard
    library). Returns their counts and the first whole traceback."""
    found: Counter = Counter()
    if not path:
        return found, ""
    try:
        with open(path, "rb") as handle:
            handle.seek(offset)
            text = handle.read().decode("utf-8", "replace")
    except OSError:
        return found, ""
    blocks = text.split("Internal Server Error:")[1:]
    for block in blocks:
        final, frames = "", []
        for line in block.splitlines():
            frame = FRAME.match(line)
            if frame and "site-packages" not in frame[1] and "/lib/python3" not in frame[1]:
                short_path = "/".join(Path(frame[1]).parts[-2:])
                frames.append(f"{short_path}:{frame[2]} {frame[3]}")
            elif frame is None and (match := EXC_LINE.match(line)):
                final, last_frames = f"{match[1]}: {(match[2] or '')[:120]}", frames
                frames = []
        if final:
            found[f"{final}  [{' > '.join(last_frames)}]"] += 1
    sample = ("Internal Server Error:" + blocks[0])[:8000] if blocks else ""
    return found, sample


# Statistics and output -----------------------------------------------------------------
def percentile(values: list[float], pct: int) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def summarise(engine: str, kind: str, rounds: list[dict]) -> dict:
    times = [r["ms"] for rnd in rounds for r in rnd["responses"]]
    answers = Counter(
        " + ".join(sorted(short(r, rnd["patients"]) for r in rnd["responses"])) for rnd in rounds
    )
    return {
        "engine": engine,
        "type": kind,
        "rounds": len(rounds),
        "exactly_one": sum(len(r["patients"]) == 1 for r in rounds),
        "duplicates": sum(len(r["patients"]) > 1 for r in rounds),
        "none": sum(not r["patients"] for r in rounds),
        "five_xx": sum(x["kind"] == "5xx" for r in rounds for x in r["responses"]),
        "passed_rounds": sum(r["ok"] for r in rounds),
        "p50_ms": round(percentile(times, 50), 1) if times else None,
        "p95_ms": round(percentile(times, 95), 1) if times else None,
        "submission_token": all(r["submission_token"] for r in rounds),
        "answers": dict(answers.most_common()),
    }


def print_table(summaries: list[dict]) -> None:
    header = (
        f"{'engine':<22}{'round type':<19}{'rounds':>7}{'exactly 1':>10}{'dupes':>7}"
        f"{'none':>6}{'5xx':>5}{'p50 ms':>8}{'p95 ms':>8}  token  result"
    )
    print(header)
    print("-" * len(header))
    for s in summaries:
        verdict = "PASS" if s["passed_rounds"] == s["rounds"] else "FAIL"
        print(
            f"{s['engine']:<22}{ROUND_TYPES[s['type']]:<19}{s['rounds']:>7}{s['exactly_one']:>10}"
            f"{s['duplicates']:>7}{s['none']:>6}{s['five_xx']:>5}{s['p50_ms']:>8.1f}"
            f"{s['p95_ms']:>8.1f}  {'yes' if s['submission_token'] else 'no':<5}  {verdict}"
        )
    print("-" * len(header))
    print(
        "exactly 1 / dupes / none = rounds that left 1 / 2+ / 0 patients with that surname "
        "and date of birth;\n5xx = responses; p50/p95 = POST latency, client side, both "
        "POSTs of every round; token = the form carried a submission_token."
    )
    print("\nAnswers per round (P1, P2 = the patients created; warning = the duplicate warning):")
    for s in summaries:
        for answer, count in s["answers"].items():
            print(f"  {s['engine']:<22}{ROUND_TYPES[s['type']]:<19}{count:>3} x  {answer}")


def run_engine(spec: list[str], users: list[tuple[str, str]], args, rng, run_tag, counter) -> dict:
    label, base_url, database_url = spec[:3]
    log_path = spec[3] if len(spec) > 3 else None
    parts = urllib.parse.urlsplit(base_url)
    if parts.scheme != "http" or parts.hostname != "127.0.0.1":
        raise SystemExit("base URLs must be http://127.0.0.1:port: this benchmark is local only")
    clients = [Client(base_url) for _ in users]
    for client, (username, password) in zip(clients, users, strict=True):
        client.login(username, password)
    mode = "as behind a TLS proxy (X-Forwarded-Proto: https)" if clients[0].tls_proxy else ""
    print(f"\n== {label}: {base_url} {mode}".rstrip())
    db = Database(database_url)
    offset = log_offset(log_path)
    rounds: dict[str, list[dict]] = {kind: [] for kind in ROUND_TYPES}
    try:
        for kind in ROUND_TYPES:
            for n in range(1, args.rounds + 1):
                person = invent_person(rng, run_tag, next(counter))
                rnd = run_round(kind, clients, db, person, args)
                rnd["round"] = n
                rounds[kind].append(rnd)
                answers = " + ".join(short(r, rnd["patients"]) for r in rnd["responses"])
                times = "/".join(f"{r['ms']:.0f}" for r in rnd["responses"])
                print(
                    f"  {label} {ROUND_TYPES[kind]:<18} {n:>3}/{args.rounds}  "
                    f"{'ok  ' if rnd['ok'] else 'FAIL'}  {len(rnd['patients'])} patient(s)  "
                    f"{answers:<28} {times} ms  {rnd['family_name']} {rnd['date_of_birth']}"
                    + (f"  ({rnd['reason']})" if rnd["reason"] else ""),
                    flush=True,
                )
                time.sleep(args.pause_ms / 1000)
    finally:
        db.close()
    time.sleep(0.3)  # let the server finish writing its log
    errors, sample = errors_in_log(log_path, offset)
    return {
        "engine": label,
        "base_url": base_url,
        "tls_proxy": clients[0].tls_proxy,
        "server_log": log_path,
        "server_errors": dict(errors.most_common()),
        "server_traceback_sample": sample,
        "summaries": [summarise(label, kind, rounds[kind]) for kind in ROUND_TYPES],
        "rounds": rounds,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--engine",
        nargs="+",
        action="append",
        required=True,
        metavar="LABEL URL DATABASE_URL [SERVER_LOG]",
        help="a running server and its database (repeatable)",
    )
    parser.add_argument(
        "--user", action="append", required=True, help="USERNAME:PASSWORD (two reception users)"
    )
    parser.add_argument("--rounds", type=int, default=20, help="rounds of each type per engine")
    parser.add_argument("--gap-ms", type=float, default=0.0, help="delay of the second POST")
    parser.add_argument("--drop-token", action="store_true", help=f"never send {TOKEN_FIELD} back")
    parser.add_argument("--pause-ms", type=float, default=50.0, help="pause between rounds")
    parser.add_argument("--seed", type=int, help="random seed (default: from the clock)")
    parser.add_argument("--code", default="", help="what code the servers run (for the JSON)")
    parser.add_argument(
        "--out", default=str(ROOT / "bench" / "results" / "registration_races.json")
    )
    args = parser.parse_args(argv)
    for spec in args.engine:
        if len(spec) not in (3, 4):
            parser.error("--engine takes LABEL URL DATABASE_URL [SERVER_LOG]")
    users = [tuple(u.split(":", 1)) for u in args.user]
    if len(users) != 2 or any(len(u) != 2 for u in users):
        parser.error("give exactly two --user USERNAME:PASSWORD")
    if args.rounds < 1:
        parser.error("--rounds must be >= 1")

    seed = args.seed if args.seed is not None else time.time_ns() % 2**32
    rng = random.Random(seed)
    run_tag = letters(seed, 5)  # surnames unique across runs on a reused database
    code = git_state()
    print(
        f"Registration races: {args.rounds} rounds of each type per engine, seed {seed}, "
        f"code {args.code or code['commit']}"
        + (f", second POST {args.gap_ms:g} ms later" if args.gap_ms else "")
        + (f", {TOKEN_FIELD} never sent" if args.drop_token else "")
    )
    load_before = os.getloadavg()
    print(f"Load average before the run: {load_before[0]:.2f} ({os.cpu_count()} CPUs)")

    counter = itertools.count()  # one invented person per round, across engines
    engines = [run_engine(spec, users, args, rng, run_tag, counter) for spec in args.engine]

    summaries = [s for engine in engines for s in engine["summaries"]]
    passed = all(s["passed_rounds"] == s["rounds"] for s in summaries)
    result = {
        "benchmark": "registration races over HTTP (issue 10)",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "rounds_per_type": args.rounds,
        "gap_ms": args.gap_ms,
        "drop_token": args.drop_token,
        "random_seed": seed,
        "code": args.code,
        "git": code,
        "machine": machine(load_before),
        "passed": passed,
        "summaries": summaries,
        "engines": engines,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")

    print()
    print_table(summaries)
    for engine in engines:
        if engine["server_errors"]:
            print(
                f"\n500s logged by the {engine['engine']} server ({engine['server_log']}; "
                "a DEBUG server logs each twice): final exception [project frames]"
            )
            for line, count in engine["server_errors"].items():
                print(f"  {count:>3} x  {line}")
    failed = sum(s["rounds"] - s["passed_rounds"] for s in summaries)
    total = sum(s["rounds"] for s in summaries)
    print(f"\n{'PASS' if passed else 'FAIL'}: {total - failed} of {total} rounds passed")
    print(f"JSON: {out}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
