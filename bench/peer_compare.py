"""Ours against GNU Health 5.0.6, over HTTP, interleaved in one run (issue 14.7).

Usually run by bench/peer_compare.sh (`make bench-peer`), which installs, seeds and serves
both sides. Standard library only (plus our bench helpers). For each of `--rounds` rounds,
in alternating order (ours first in odd rounds, the peer first in even ones):

- registration, POST only: 2 clients at once, each sending `--reg-per-block` registrations.
  Ours: POST /patients/new/ with the form (a fresh form, and so a fresh submission token,
  fetched before the block, not timed). Peer: what its client sends on saving a new
  patient: `model.party.party.create` (the person) then `model.gnuhealth.patient.create`.
- registration, whole flow: the same, with opening the form timed too. Ours: GET the form +
  POST. Peer: `default_get` of party and of patient (what the client asks when a new form
  opens), the two creates, and the `read` of the new patient (the client reloads a saved
  record).
- patient search, one request at a time, the two sides alternating: a surname, and a
  3-letter surname prefix, of our seeded patients (the peer holds the same names). Ours:
  GET /patients/?q=...&status=active as htmx sends it. Peer: its default patient search,
  `model.gnuhealth.patient.search_read` with `[('rec_name', 'ilike', '%term%')]`, 25 rows,
  the list's fields.
- lot-tracked administration, one at a time: ours = start a PREEMPT session (POST), save
  the draft drawing from a reconstituted vial (POST), sign (POST); the peer = ambulatory
  care `create`, `write` of a medicament line with its lot, and the `done` button (which
  writes the lot-tracked stock move from the care location to the patient). Only the
  three writes are timed on each side (the pages/reads between them are not).
  With `--ours-admin-like`, ours also administers a session with fewer points (axillary
  hyperhidrosis with BOTOX, 2 points, against PREEMPT's 31) in the same rounds: a figure
  beside the goal's, nearer the peer's one medicament line, not a goal.

Prints per-side figures and the ratios against the goals (registration >= 3x GNU Health,
administration <= 1/3 of its time) and writes them with bench/results_io.py.
"""

import argparse
import base64
import json
import random
import re
import statistics
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from http_client import Client, find_form, form_hidden
from registration_races import invent_person, letters
from results_io import figure, verdict, write

REGISTER_PATH = "/patients/new/"


def http_client(base_url: str) -> Client:
    """One client of either side: a keep-alive connection, cookies (bench/http_client.py)."""
    return Client(base_url, keep_alive=True, user_agent="peer-compare/1", timeout=120)


# Ours ----------------------------------------------------------------------------------
class Ours:
    def __init__(self, base_url, username, password):
        self.http = http_client(base_url)
        self.http.login(username, password)
        self.form_fields = None

    def register_form(self) -> tuple[dict, float]:
        """The form's fields: parsed in full from this client's first page, then only its
        hidden inputs (CSRF, one-time token) by a regular expression (http_client.form_hidden:
        the client shares the servers' 2 cores; the peer's client decodes JSON in C)."""
        page = self.http.request("GET", REGISTER_PATH)
        if page.status != 200:
            raise RuntimeError(f"ours: GET {REGISTER_PATH}: HTTP {page.status}")
        hidden = form_hidden(page.body, b"patient-form", "family_name")
        if hidden is None or self.form_fields is None:
            form = find_form(page.body, "family_name")
            if hidden != form["hidden"]:
                raise RuntimeError(f"ours: hidden inputs: regex {hidden} != {form['hidden']}")
            self.form_fields = form["fields"]
        return {**self.form_fields, **hidden}, page.ms

    def register_post(self, fields, person) -> float:
        done = self.http.request("POST", REGISTER_PATH, {**fields, **person})
        if done.status != 302:
            errors = re.findall(
                r"(?:invalid-feedback|alert)[^>]*>\s*([^<]*[^<\s][^<]{2,200})", done.body.decode()
            )
            if b"may already be registered" in done.body:
                errors.insert(0, "possible duplicate")
            raise RuntimeError(f"ours: registration answered HTTP {done.status}: {errors[:3]}")
        return done.ms

    def search(self, term) -> float:
        query = urllib.parse.urlencode({"q": term, "status": "active"})
        found = self.http.request("GET", f"/patients/?{query}", headers={"HX-Request": "true"})
        if found.status not in (200, 204):
            raise RuntimeError(f"ours: search answered HTTP {found.status}")
        return found.ms

    def administration(self, patient_id, indication, product) -> list[float]:
        path = f"/patients/{patient_id}/sessions/new/"
        form = find_form(self.http.request("GET", path).body, "indication")["fields"]
        done = self.http.request(
            "POST", path, {**form, "indication": indication, "product": product}
        )
        if done.status != 302 or not done.location.endswith("/edit/"):
            raise RuntimeError(f"ours: session start answered HTTP {done.status} {done.location}")
        edit = urllib.parse.urlsplit(done.location).path
        timings = [done.ms]
        for action in ("save", "sign"):
            fields = {
                **find_form(self.http.request("GET", edit).body, "vial")["fields"],
                "screening_reviewed": "on",
                "consent_taken": "on",
                "spread_advice_given": "on",
                "action": action,
            }
            if action == "sign":
                fields["acknowledge"] = "on"
            done = self.http.request("POST", edit, fields)
            if done.status != 302:
                raise RuntimeError(f"ours: {action} answered HTTP {done.status}")
            timings.append(done.ms)
        if not done.location.rstrip("/").split("/")[-2] == "sessions":
            raise RuntimeError(f"ours: signing did not lead to the session ({done.location})")
        return timings


# GNU Health ----------------------------------------------------------------------------
class Peer:
    """GNU Health's JSON-RPC, as its client speaks it: session auth, the user's context."""

    def __init__(self, base_url, database, password):
        self.http = http_client(base_url)
        self.path = f"/{database}/"
        self.auth = None
        uid, session = self.call("common.db.login", "admin", {"password": password}, "en")
        token = base64.b64encode(f"admin:{uid}:{session}".encode()).decode()
        self.auth = f"Session {token}"
        self.context = self.call("model.res.user.get_preferences", True, {})
        self.ms = 0.0

    def call(self, method, *params):
        headers = {"Content-Type": "application/json"}
        if self.auth:
            headers["Authorization"] = self.auth
        body = json.dumps({"id": 1, "method": method, "params": list(params)}).encode()
        done = self.http.request("POST", self.path, body=body, headers=headers)
        self.ms = done.ms
        answer = json.loads(done.body) if done.body else {}
        if done.status != 200 or answer.get("error"):
            raise RuntimeError(f"peer: {method} answered HTTP {done.status} {str(answer)[:300]}")
        return answer["result"]

    def model(self, name, method, *params):
        result = self.call(f"model.{name}.{method}", *params, self.context)
        return result, self.ms

    PARTY_FIELDS = ["name", "lastname", "dob", "gender", "is_person", "is_patient", "fed_country"]

    def register_form(self) -> float:
        _, a = self.model("party.party", "default_get", [*self.PARTY_FIELDS, "create_target"])
        _, b = self.model("gnuhealth.patient", "default_get", ["party", "active"])
        return a + b

    def register_post(self, person) -> tuple[int, float]:
        day, month, year = person["date_of_birth"].split("/")
        party = {
            "name": person["given_names"],
            "lastname": person["family_name"],
            "dob": {"__class__": "date", "year": int(year), "month": int(month), "day": int(day)},
            "gender": "f" if person["sex"] == "female" else "m",
            "is_person": True,
            "is_patient": True,
            "fed_country": "GBR",
        }
        (party_id,), a = self.model("party.party", "create", [party])
        (patient_id,), b = self.model("gnuhealth.patient", "create", [{"party": party_id}])
        return patient_id, a + b

    def register_read(self, patient_id) -> float:
        _, ms = self.model("gnuhealth.patient", "read", [patient_id], ["rec_name", "puid"])
        return ms

    LIST_FIELDS = ["rec_name", "puid", "gender", "age", "dob"]

    def search(self, term) -> float:
        _, ms = self.model(
            "gnuhealth.patient",
            "search_read",
            [["rec_name", "ilike", f"%{term}%"]],
            0,
            25,
            None,
            self.LIST_FIELDS,
        )
        return ms

    def administration(self, patient_id, ids) -> tuple[list[float], int]:
        model = "gnuhealth.patient.ambulatory_care"
        (care_id,), start_ms = self.model(
            model,
            "create",
            [
                {
                    "patient": patient_id,
                    "health_professional": ids["professional"],
                    "care_location": ids["care_location"],
                }
            ],
        )
        line = {
            "medicament": ids["medicament"],
            "product": ids["product"],
            "lot": ids["lot"],
            "quantity": 1,
        }
        _, draft_ms = self.model(model, "write", [care_id], {"medicaments": [["create", [line]]]})
        _, sign_ms = self.model(model, "done", [care_id])
        return [start_ms, draft_ms, sign_ms], care_id


# Measuring -----------------------------------------------------------------------------
def concurrently(clients, work):
    """Runs work(client) on each client in its own thread; returns the wall time (s)."""
    errors = []

    def run(client):
        try:
            work(client)
        except Exception as exc:  # noqa: BLE001 - reported after the block
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - start


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, round(q / 100 * (len(values) - 1)))]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ours", required=True, help="a URL, or one per client (comma)")
    parser.add_argument("--peer", required=True, help="a URL, or one per client (comma)")
    parser.add_argument("--peer-db", default="gnuhealth")
    parser.add_argument("--peer-password", required=True)
    parser.add_argument("--peer-ids", required=True, help="JSON from gnuhealth_setup.py")
    parser.add_argument("--peer-patients", required=True, help="first..last patient id")
    parser.add_argument("--ours-user", default="reception")
    parser.add_argument("--ours-password", default="clinic-demo-2026")
    parser.add_argument("--practitioner", required=True, help="user:password")
    parser.add_argument("--ours-admin", required=True, help="JSON from ours_setup.py")
    parser.add_argument("--ours-admin-like", help="JSON from ours_setup.py, fewer points")
    parser.add_argument("--names", required=True, help="our patients' TSV (names)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--reg-per-block", type=int, default=20)
    parser.add_argument("--searches", type=int, default=20, help="per side per round")
    parser.add_argument("--admins", type=int, default=4, help="per side per round")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)

    rng = random.Random(14)
    peer_ids = json.loads(args.peer_ids)
    ours_admin = json.loads(Path(args.ours_admin).read_text())
    first, last = (int(x) for x in args.peer_patients.split(".."))
    peer_admin_patients = iter(rng.sample(range(first, last + 1), args.rounds * args.admins))
    ours_admin_patients = iter(ours_admin["patients"])
    like_admin = None
    if args.ours_admin_like:
        like_admin = json.loads(Path(args.ours_admin_like).read_text())
    like_admin_patients = iter(like_admin["patients"] if like_admin else [])
    surnames = sorted({line.split("\t")[1] for line in Path(args.names).read_text().splitlines()})
    terms = []
    for _ in range(args.rounds * args.searches):
        name = rng.choice(surnames)
        terms.append(name if len(terms) % 2 == 0 else name[:3])

    print("Signing in (2 clients per side, a practitioner on ours)...", flush=True)
    # Client i talks to server i when each side gives one per client (peer_compare.sh).
    ours_urls, peer_urls = args.ours.split(","), args.peer.split(",")
    ours = [Ours(ours_urls[i % len(ours_urls)], args.ours_user, args.ours_password) for i in (0, 1)]
    peers = [Peer(peer_urls[i % len(peer_urls)], args.peer_db, args.peer_password) for i in (0, 1)]
    user, password = args.practitioner.split(":", 1)
    practitioner = Ours(ours_urls[0], user, password)
    admin_peer = peers[0]

    tag = letters(int(time.time()), 5)  # names are letters only
    counter = iter(range(10**9))
    people_rng = random.Random(time.time_ns())  # new phones every run: no duplicate warning

    def person():
        return invent_person(people_rng, f"Peer{tag}", next(counter))  # unique per run

    totals = {
        side: {"post_n": 0, "post_s": 0.0, "flow_n": 0, "flow_s": 0.0, "search": {}, "admin": []}
        for side in ("ours", "peer")
    }
    totals["ours"]["admin_like"] = []

    def ours_post_block(client):
        forms = [client.register_form()[0] for _ in range(args.reg_per_block)]
        client.ready = forms

    def ours_posts(client):
        for fields in client.ready:
            client.register_post(fields, person())

    def ours_flow(client):
        for _ in range(args.reg_per_block):
            fields, _ = client.register_form()
            client.register_post(fields, person())

    def peer_posts(client):
        for _ in range(args.reg_per_block):
            client.register_post(person())

    def peer_flow(client):
        for _ in range(args.reg_per_block):
            client.register_form()
            patient_id, _ = client.register_post(person())
            client.register_read(patient_id)

    def measure(side):
        t = totals[side]
        if side == "ours":
            for client in ours:
                ours_post_block(client)  # fresh forms (tokens), not timed
            t["post_s"] += concurrently(ours, ours_posts)
            t["flow_s"] += concurrently(ours, ours_flow)
        else:
            t["post_s"] += concurrently(peers, peer_posts)
            t["flow_s"] += concurrently(peers, peer_flow)
        t["post_n"] += 2 * args.reg_per_block
        t["flow_n"] += 2 * args.reg_per_block

    terms_iter = iter(terms)
    checked_move = False
    for round_no in range(1, args.rounds + 1):
        order = ("ours", "peer") if round_no % 2 else ("peer", "ours")
        for side in order:
            measure(side)
        for i in range(args.searches):
            term = next(terms_iter)
            kind = "surname" if i % 2 == 0 else "3-letter prefix"
            for side in order:
                ms = ours[0].search(term) if side == "ours" else peers[0].search(term)
                totals[side]["search"].setdefault(kind, []).append(ms)
        for _ in range(args.admins):
            for side in order:
                if side == "ours":
                    timings = practitioner.administration(
                        next(ours_admin_patients), ours_admin["indication"], ours_admin["product"]
                    )
                    if like_admin:
                        totals["ours"]["admin_like"].append(
                            practitioner.administration(
                                next(like_admin_patients),
                                like_admin["indication"],
                                like_admin["product"],
                            )
                        )
                else:
                    timings, care_id = admin_peer.administration(
                        next(peer_admin_patients), peer_ids
                    )
                    if not checked_move:
                        (care,), _ = admin_peer.model(
                            "gnuhealth.patient.ambulatory_care",
                            "read",
                            [care_id],
                            ["moves", "state"],
                        )
                        (move,), _ = admin_peer.model(
                            "stock.move", "read", care["moves"], ["lot", "state"]
                        )
                        if care["state"] != "done" or not move["lot"] or move["state"] != "done":
                            raise RuntimeError(f"peer: no lot-tracked move done: {care} {move}")
                        checked_move = True
                totals[side]["admin"].append(timings)
        o, p = totals["ours"], totals["peer"]
        print(
            f"round {round_no}/{args.rounds} ({'/'.join(order)}): "
            f"POST/s {o['post_n'] / o['post_s']:.1f} vs {p['post_n'] / p['post_s']:.1f}; "
            f"flow/s {o['flow_n'] / o['flow_s']:.1f} vs {p['flow_n'] / p['flow_s']:.1f}",
            flush=True,
        )

    o, p = totals["ours"], totals["peer"]
    post = (o["post_n"] / o["post_s"], p["post_n"] / p["post_s"])
    flow = (o["flow_n"] / o["flow_s"], p["flow_n"] / p["flow_s"])
    admin = [statistics.median(sum(t) for t in totals[s]["admin"]) for s in ("ours", "peer")]
    search = {
        kind: [pct(totals[s]["search"][kind], 95) for s in ("ours", "peer")]
        for kind in ("surname", "3-letter prefix")
    }
    table = [  # figure, unit, ours, peer, goal of ours/peer, better
        ("registration POST/s (2 clients)", "req/s", *post, 3, "higher"),
        ("registration GET+POST flow/s (2 clients)", "flows/s", *flow, 3, "higher"),
        ("search p95, surname", "ms", *search["surname"], None, "lower"),
        ("search p95, 3-letter prefix", "ms", *search["3-letter prefix"], None, "lower"),
        ("administration p50 (3 writes)", "ms", *admin, 1 / 3, "lower"),
    ]
    print(f"\n{'figure':<42} {'ours':>9} {'GNU Health':>11} {'ours/peer':>10}  goal")
    print("-" * 84)
    rows = []
    for name, unit, ours_v, peer_v, goal, better in table:
        ratio = ours_v / peer_v
        want = "-" if goal is None else f"{'>=' if better == 'higher' else '<='} {goal:.3g}x"
        print(f"{name:<42} {ours_v:9.1f} {peer_v:11.1f} {ratio:9.3f}x  {want}")
        rows += [
            figure(f"peer: {name}, ours", ours_v, unit),
            figure(f"peer: {name}, GNU Health", peer_v, unit),
            figure(f"peer: {name}, ours/GNU Health", ratio, "x", goal=goal, better=better),
        ]
    for side in ("ours", "peer"):
        parts = [statistics.median(t[i] for t in totals[side]["admin"]) for i in range(3)]
        print(f"  {side:<5} start / draft / sign p50 ms: " + " / ".join(f"{x:.1f}" for x in parts))
    if like := totals["ours"]["admin_like"]:
        # Not a goal: the goal's figure is the 31-point session above. The peer's work is
        # one medicament line; ours records each injection point and checks each dose.
        like_ms = statistics.median(sum(t) for t in like)
        name = "administration p50, 2-point session"
        print(
            f"  ours  {name}: {like_ms:.1f} ms = {like_ms / admin[1]:.3f}x the peer's"
            " (for the record, not the goal's figure)"
        )
        rows += [
            figure(f"peer: {name}, ours", like_ms, "ms"),
            figure(f"peer: {name}, ours/GNU Health", like_ms / admin[1], "x"),
        ]
    # Ours prepares a statement on a connection after it has run a few times, and PostgreSQL
    # keeps a generic plan after five (clinic/postgresql/prepared_statements.py): with 2
    # workers, the first half of the administrations runs mostly on statements not yet
    # prepared or planned, the second on warm ones. GNU Health prepares nothing.
    for side in ("ours", "peer"):
        sums = [sum(t) for t in totals[side]["admin"]]
        half = len(sums) // 2
        if half:
            print(
                f"  {side:<5} administration p50, first / second half of the runs: "
                f"{statistics.median(sums[:half]):.1f} / {statistics.median(sums[half:]):.1f} ms"
            )
    path = write("peer_compare", rows, path=args.out, samples=totals)
    print(f"\nwrote {path}")
    return 1 if any(verdict(row) == "fail" for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
