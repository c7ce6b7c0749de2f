"""Four simulated staff over HTTP while the database stalls or restarts (issue 12).

Run by bench/stall.sh (which starts PostgreSQL and gunicorn); see bench/README.md
"Stalls and restarts (issue 12)". Scenarios:

- lock: an ACCESS EXCLUSIVE lock on patients_patient, held by a psql session as the
  owner for --lock-seconds. Checks: /healthz/live and pages that do not touch patients
  keep answering; requests that need the patient table end within the lock timeout with
  the friendly busy page (503 "The record is busy", or a create form re-shown with "the
  database was busy"); no other 5xx; no gunicorn WORKER TIMEOUT.
- restart: `pg_ctl restart -m fast` while staff work. Checks: every failed request got
  the clinic's own error page with a request id (the X-Request-ID header's), at most one
  log record per failed request, every request succeeds again soon after without
  restarting the app (no worker booted, the master still running).

Only 127.0.0.1; every loop ends at a deadline.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shlex
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from registration_races import Client, find_form, hidden_fields, invent_person, page_title

LOCK_TIMEOUT_S = int(os.environ.get("DATABASE_LOCK_TIMEOUT_MS", "5000")) / 1000
BUSY_MARKERS = (b"The record is busy", b"database was busy")
CLINIC_MARKERS = (b"bg-clinic", b"data-request-id")
# Pages that never read the patient table, and the ones that do.
NON_PATIENT = {"live", "account", "staff", "vials"}
STAFF = {
    "stall_rec_a": ["patients", "search", "home", "register", "account", "live"],
    "stall_rec_b": ["search", "register", "home", "account", "patients", "live"],
    "stall_prac": ["vials", "tasks", "account", "live", "search"],
    "stall_mgr": ["staff", "dashboard", "account", "live"],
}
PATHS = {
    "live": "/healthz/live",
    "ready": "/healthz/ready",
    "account": "/accounts/",
    "staff": "/staff/",
    "vials": "/vials/",
    "patients": "/patients/",
    "search": "/patients/?q=",
    "home": "/",
    "tasks": "/tasks/",
    "dashboard": "/dashboard/",
}


def _form_error(body: bytes) -> str:
    match = re.search(
        rb'class="[^"]*(?:alert-danger|invalid-feedback|alert-warning)[^"]*"[^>]*>(.*?)<',
        body,
        re.S,
    )
    return " ".join(match.group(1).decode("utf-8", "replace").split())[:120] if match else ""


@dataclass
class Hit:
    t: float  # seconds since the scenario started, at the request's start
    who: str
    page: str
    status: int
    ms: float
    busy: bool
    styled: bool
    request_id: str
    body_id: bool  # the page shows the same request id as the header
    title: str = ""
    note: str = ""  # a form error shown instead of a redirect (first 120 characters)


class Staff(threading.Thread):
    def __init__(self, name, password, base_url, start, deadline, hits, lock, seed):
        super().__init__(daemon=True)
        self.name_, self.password, self.pages = name, password, STAFF[name]
        self.client = Client(base_url)
        self.start_at, self.deadline, self.hits, self.lock = start, deadline, hits, lock
        self.rng = random.Random(seed)
        self.registered = 0

    def record(self, page, response, t0):
        body = response.body
        rid = response.headers.get("x-request-id", "")
        hit = Hit(
            t=round(t0 - self.start_at, 3),
            who=self.name_,
            page=page,
            status=response.status,
            ms=round(response.ms, 1),
            busy=any(m in body for m in BUSY_MARKERS),
            styled=all(m in body for m in CLINIC_MARKERS),
            request_id=rid,
            body_id=bool(rid) and rid.encode() in body,
            title=page_title(body) if body.lstrip().startswith(b"<") else "",
            note=_form_error(body) if page == "register" and response.status == 200 else "",
        )
        with self.lock:
            self.hits.append(hit)

    def one(self, page):
        t0 = time.perf_counter()
        try:
            if page == "register":
                form_page = self.client.request("GET", "/patients/new/")
                if form_page.status != 200:
                    self.record("register_form", form_page, t0)
                    return
                self.registered += 1
                person = invent_person(self.rng, self.name_[-1], self.registered + 1000)
                data = {**hidden_fields(find_form(form_page.body, "family_name")), **person}
                t0 = time.perf_counter()
                response = self.client.request("POST", "/patients/new/", data)
            elif page == "search":
                term = self.rng.choice(["sm", "jon", "tay", "wil", "bro", "dav"])
                response = self.client.request("GET", PATHS["search"] + term)
            else:
                response = self.client.request("GET", PATHS[page])
        except (OSError, RuntimeError) as exc:  # a refused connection, a page without its form
            with self.lock:
                self.hits.append(
                    Hit(
                        round(t0 - self.start_at, 3),
                        self.name_,
                        page,
                        0,
                        0,
                        False,
                        False,
                        "",
                        False,
                    )
                )
            print(f"  {self.name_} {page}: {type(exc).__name__}", file=sys.stderr)
            return
        self.record(page, response, t0)

    def run(self):
        while time.perf_counter() < self.deadline:
            for page in self.pages:
                if time.perf_counter() >= self.deadline:
                    return
                self.one(page)
                time.sleep(self.rng.uniform(0.05, 0.25))


class Monitor(threading.Thread):
    """Polls live and ready every 0.5 s, as a load balancer would."""

    def __init__(self, base_url, start, deadline, hits, lock):
        super().__init__(daemon=True)
        self.client = Client(base_url)
        self.start_at, self.deadline, self.hits, self.lock = start, deadline, hits, lock
        self.ready = []

    def run(self):
        while time.perf_counter() < self.deadline:
            for page in ("live", "ready"):
                t0 = time.perf_counter()
                try:
                    response = self.client.request("GET", PATHS[page])
                except OSError:
                    continue
                hit = Hit(
                    round(t0 - self.start_at, 3),
                    "monitor",
                    page,
                    response.status,
                    round(response.ms, 1),
                    False,
                    False,
                    response.headers.get("x-request-id", ""),
                    False,
                )
                with self.lock:
                    self.hits.append(hit)
                if page == "ready":
                    try:
                        state = json.loads(response.body).get("status", "?")
                    except ValueError:
                        state = f"HTTP {response.status}"
                    self.ready.append((hit.t, state))
            time.sleep(0.5)


def login_all(base_url, password):
    clients = {}
    for name in STAFF:
        client = Client(base_url)
        client.login(name, password)
        clients[name] = client
    return clients


def run_staff(args, seconds, during):
    """Staff and the monitor work for `seconds`; `during(start)` runs in this thread and
    returns its own timing marks."""
    hits, lock = [], threading.Lock()
    start = time.perf_counter()
    deadline = start + seconds
    clients = login_all(args.base_url, args.password)
    staff = []
    for i, name in enumerate(STAFF):
        worker = Staff(name, args.password, args.base_url, start, deadline, hits, lock, i)
        worker.client = clients[name]
        staff.append(worker)
    monitor = Monitor(args.base_url, start, deadline, hits, lock)
    monitor.client.tls_proxy = clients["stall_mgr"].tls_proxy
    for thread in [*staff, monitor]:
        thread.start()
    marks = during(start)
    for thread in [*staff, monitor]:
        thread.join(timeout=max(1.0, deadline - time.perf_counter() + 70))
    return sorted(hits, key=lambda h: h.t), monitor.ready, marks


def log_since(path: Path, offset: int) -> str:
    with path.open("rb") as handle:
        handle.seek(offset)
        return handle.read().decode("utf-8", "replace")


def summary(hits):
    if not hits:
        return {"n": 0}
    ms = [h.ms for h in hits]
    statuses = {}
    for h in hits:
        statuses[str(h.status)] = statuses.get(str(h.status), 0) + 1
    return {
        "n": len(hits),
        "statuses": statuses,
        "p50_ms": round(statistics.median(ms), 1),
        "max_ms": round(max(ms), 1),
    }


def scenario_lock(args):
    log = Path(args.gunicorn_log)
    offset = log.stat().st_size
    seconds = args.lock_seconds
    marks = {}

    def during(start):
        time.sleep(5)
        sql = (
            "BEGIN; LOCK TABLE patients_patient IN ACCESS EXCLUSIVE MODE; "
            f"SELECT pg_sleep({seconds}); COMMIT;"
        )
        marks["lock_start"] = round(time.perf_counter() - start, 3)
        subprocess.run(  # noqa: S603 (our own psql, from bench/stall.sh)
            [args.psql, args.owner_url, "-q", "-c", sql],
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=seconds + 30,
        )
        marks["lock_end"] = round(time.perf_counter() - start, 3)
        return marks

    hits, ready, marks = run_staff(args, seconds + 12, during)
    text = log_since(log, offset)
    in_lock = [h for h in hits if marks["lock_start"] + 0.2 <= h.t <= marks["lock_end"] - 0.2]
    staff_in_lock = [h for h in in_lock if h.who != "monitor"]
    non_patient = [h for h in staff_in_lock if h.page in NON_PATIENT]
    patient = [h for h in staff_in_lock if h.page not in NON_PATIENT]
    live = [h for h in in_lock if h.who == "monitor" and h.page == "live"]
    blocked = [h for h in patient if h.busy]
    bad_5xx = [h for h in hits if h.status >= 500 and not h.busy and h.page != "ready"]
    ready_in_lock = [s for t, s in ready if marks["lock_start"] <= t <= marks["lock_end"]]
    figures = {
        "lock_seconds": seconds,
        "marks": marks,
        "requests_total": len(hits),
        "during_lock": {
            "live": summary(live),
            "non_patient_pages": summary(non_patient),
            "patient_pages": summary(patient),
            "patient_pages_busy": len(blocked),
            "busy_max_ms": max((h.ms for h in blocked), default=0),
            "ready_states": {s: ready_in_lock.count(s) for s in sorted(set(ready_in_lock))},
        },
        "other_5xx": len(bad_5xx),
        "worker_timeouts": text.count("WORKER TIMEOUT"),
        "workers_booted": text.count("Booting worker"),
        "busy_log_records": len(re.findall(r"busy=(lock_timeout|statement_timeout)", text)),
    }
    limit_ms = (LOCK_TIMEOUT_S + 2.5) * 1000
    checks = {
        "live answered throughout": bool(live)
        and all(h.status == 200 for h in live)
        and max(h.ms for h in live) < 1000,
        "non-patient pages answered": bool(non_patient)
        and all(h.status < 400 for h in non_patient),
        "blocked requests ended in time with the busy page": bool(blocked)
        and all(h.ms <= limit_ms for h in patient)
        and all(h.busy or h.status < 400 for h in patient),
        "no other 5xx": not bad_5xx,
        "no worker killed": figures["worker_timeouts"] == 0 and figures["workers_booted"] == 0,
    }
    return figures, checks, hits


def scenario_restart(args):
    log = Path(args.gunicorn_log)
    offset = log.stat().st_size
    marks = {}

    def during(start):
        time.sleep(5)
        marks["restart_start"] = round(time.perf_counter() - start, 3)
        subprocess.run(  # noqa: S603 (our own pg_ctl, from bench/stall.sh)
            [*shlex.split(args.pg_ctl), "-m", "fast", "-w", "restart"],
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=60,
        )
        marks["restart_end"] = round(time.perf_counter() - start, 3)
        return marks

    hits, _ready, marks = run_staff(args, 25, during)
    text = log_since(log, offset)
    failed = [h for h in hits if h.status >= 500 or h.status == 0]
    # Pages people see; /healthz/ready's 503 is JSON for the load balancer.
    http_failed = [h for h in failed if h.status >= 500 and h.page != "ready"]
    per_request = {}
    for h in http_failed:
        if h.request_id:
            per_request[h.request_id] = len(
                [line for line in text.splitlines() if f"request_id={h.request_id}" in line]
            )
    after = [h for h in hits if h.t > marks["restart_end"]]
    first_ok = next((h.t for h in after if 200 <= h.status < 400 and h.who != "monitor"), None)
    recovered_at = max((h.t for h in failed), default=marks["restart_start"])
    figures = {
        "marks": marks,
        "requests_total": len(hits),
        "failed": len(failed),
        "failed_http": summary(http_failed),
        "connection_refused": sum(h.status == 0 for h in hits),
        "ready_503": sum(h.status == 503 and h.page == "ready" for h in hits),
        "failed_pages_clinic_styled": sum(h.styled for h in http_failed),
        "failed_pages_showing_their_request_id": sum(h.body_id for h in http_failed),
        "log_records_per_failed_request": sorted(set(per_request.values())),
        "log_lines_written": len(text.splitlines()),
        "last_failure_s_after_restart_start": round(recovered_at - marks["restart_start"], 2),
        "first_success_s_after_restart_end": None
        if first_ok is None
        else round(first_ok - marks["restart_end"], 2),
        "after_recovery": summary([h for h in hits if h.t > recovered_at]),
        "workers_booted": text.count("Booting worker"),
        "worker_timeouts": text.count("WORKER TIMEOUT"),
    }
    checks = {
        "error pages clinic-styled with their request id": all(
            h.styled and h.body_id for h in http_failed
        ),
        "at most one log record per failed request": all(n <= 1 for n in per_request.values()),
        "recovered without restarting the app": first_ok is not None
        and figures["workers_booted"] == 0
        and all(h.status < 500 for h in hits if h.t > recovered_at),
    }
    return figures, checks, hits


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--owner-url", required=True)
    parser.add_argument("--psql", required=True)
    parser.add_argument("--pg-ctl", required=True)
    parser.add_argument("--gunicorn-log", required=True)
    parser.add_argument("--gunicorn-pid", type=int, required=True)
    parser.add_argument("--lock-seconds", type=int, default=50)
    parser.add_argument("--scenarios", default="lock restart")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    if not args.base_url.startswith("http://127.0.0.1:"):
        raise SystemExit("Only http://127.0.0.1 is benchmarked")
    results, passed = {}, True
    for name in args.scenarios.split():
        print(f"Scenario {name} ...", flush=True)
        figures, checks, hits = {"lock": scenario_lock, "restart": scenario_restart}[name](args)
        figures["gunicorn_master_alive"] = _alive(args.gunicorn_pid)
        results[name] = {"figures": figures, "checks": checks, "hits": [asdict(h) for h in hits]}
        print(json.dumps(figures, indent=2))
        for check, ok in checks.items():
            print(f"  {'PASS' if ok else 'FAIL'}  {check}")
            passed = passed and ok
        passed = passed and figures["gunicorn_master_alive"]
    Path(args.out).write_text(json.dumps(results, indent=1))
    print(f"Results: {args.out}")
    return 0 if passed else 1


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
