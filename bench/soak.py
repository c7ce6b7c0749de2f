"""Soak over HTTP (issue 12 acceptance): N signed-in staff for a fixed time, reads and
writes mixed, against a running server on 127.0.0.1 only. Usually run by bench/soak.sh.

Each client is one browser (its own cookies, keep-alive connection) signed in as a
reception user and repeats, with a random think time, one of:
  search      GET /patients/?q=<3 letters>                      (collects patient links)
  patient     GET a patient's page
  home        GET /
  register    GET /patients/new/ then POST an invented person  (a write)
  questionnaire  GET .../questionnaire/new/ then POST it, every answer "no" (a write)

Bounded: --duration seconds and --max-requests per client, whichever comes first.
With --server-pid (gunicorn's master) the RSS of every worker process is sampled every
--sample-every seconds. Prints a table; writes JSON; exits 1 on any 5xx or transport
error.

    .venv/bin/python bench/soak.py --base-url http://127.0.0.1:8790 --clients 16 \\
        --duration 120 --user soak_reception_1:PASSWORD ...
"""

import argparse
import json
import os
import random
import re
import statistics
import sys
import threading
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from http_client import Client, find_form
from registration_races import invent_person, letters

ROOT = Path(__file__).resolve().parent.parent
PATIENT_RE = re.compile(r'href="(/patients/[0-9a-f-]{36}/)"')
PREFIXES = [
    "smi",
    "jon",
    "wil",
    "bro",
    "tay",
    "dav",
    "eva",
    "tho",
    "joh",
    "rob",
    "wal",
    "whi",
    "har",
    "cla",
    "lew",
    "hug",
    "gre",
    "mar",
    "kin",
    "oka",
    "pat",
    "all",
    "mor",
    "bak",
]
ACTIONS = {"search": 30, "patient": 30, "home": 10, "register": 15, "questionnaire": 15}


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.status = defaultdict(Counter)
        self.ms = defaultdict(list)
        self.errors: list[str] = []
        self.patients: set[str] = set()

    def add(self, action, status, ms):
        with self.lock:
            self.status[action][status] += 1
            self.ms[action].append(ms)


def client_loop(n, args, user, stats: Stats, deadline, rng: random.Random):
    browser = Client(args.base_url, keep_alive=True, user_agent="soak/1")
    browser.login(*user)
    actions, weights = zip(*ACTIONS.items(), strict=True)
    for i in range(args.max_requests):
        if time.monotonic() >= deadline:
            break
        action = rng.choices(actions, weights)[0]
        if action in {"patient", "questionnaire"} and not stats.patients:
            action = "search"
        try:
            if action == "search":
                q = rng.choice(PREFIXES)
                page = browser.request("GET", f"/patients/?q={q}")
                status, ms = page.status, page.ms
                found = PATIENT_RE.findall(page.body.decode("utf-8", "replace"))
                with stats.lock:
                    stats.patients.update(found[:10])
            elif action == "patient":
                page = browser.request("GET", rng.choice(sorted(stats.patients)))
                status, ms = page.status, page.ms
            elif action == "home":
                page = browser.request("GET", "/")
                status, ms = page.status, page.ms
            elif action == "register":
                page = browser.request("GET", "/patients/new/")
                status, ms = page.status, page.ms
                if status == 200:
                    form = find_form(page.body, "family_name")
                    person = invent_person(rng, args.tag, n * 100_000 + i)
                    person["family_name"] = f"Soak{args.tag}{letters(n * 100_000 + i, 4)}"
                    done = browser.request("POST", "/patients/new/", {**form["fields"], **person})
                    status, ms = done.status, ms + done.ms
            else:  # questionnaire
                patient = rng.choice(sorted(stats.patients))
                path = f"{patient}questionnaire/new/"
                page = browser.request("GET", path)
                status, ms = page.status, page.ms
                if status == 200:
                    form = find_form(page.body, "completed_on")
                    answers = {
                        name: next((v for v in ("False", "no", "n/a") if v in values), values[0])
                        for name, values in form["radios"].items()
                    }
                    texts = dict.fromkeys(form["textareas"], "None")
                    fields = {**form["fields"], **texts, **answers}
                    done = browser.request("POST", path, fields)
                    status, ms = done.status, ms + done.ms
        except Exception as exc:  # noqa: BLE001 - counted and reported
            status, ms = 599, 0.0
            with stats.lock:
                stats.errors.append(f"{action}: {type(exc).__name__}: {exc}"[:200])
        stats.add(action, status, ms)
        time.sleep(rng.uniform(args.think_min, args.think_max))


def worker_rss(master_pid: int) -> dict[int, int]:
    """RSS (KiB) of each child of the gunicorn master."""
    out = {}
    for child in Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split():
        try:
            status = Path(f"/proc/{child}/status").read_text()
        except OSError:
            continue
        rss = re.search(r"VmRSS:\s+(\d+)", status)
        if rss:
            out[int(child)] = int(rss.group(1))
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--base-url", required=True)
    p.add_argument("--label", default="soak")
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--duration", type=float, default=120.0, help="seconds")
    p.add_argument("--max-requests", type=int, default=20_000, help="per client")
    p.add_argument("--user", action="append", required=True, help="USERNAME:PASSWORD")
    p.add_argument("--think-min", type=float, default=0.0)
    p.add_argument("--think-max", type=float, default=0.2)
    p.add_argument("--server-pid", type=int, help="gunicorn master: sample worker RSS")
    p.add_argument("--sample-every", type=float, default=10.0)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--out", default=str(ROOT / "bench" / "results" / "soak.json"))
    args = p.parse_args(argv)
    if args.duration > 3600 or args.clients > 200:
        p.error("bounded: at most 3600 s and 200 clients")
    seed = args.seed if args.seed is not None else time.time_ns() % 2**32
    args.tag = letters(seed, 5).capitalize()
    users = [tuple(u.split(":", 1)) for u in args.user]
    stats = Stats()
    rng = random.Random(seed)
    print(
        f"{args.label}: {args.clients} clients for {args.duration:g} s against "
        f"{args.base_url} (think {args.think_min}-{args.think_max} s, seed {seed})",
        flush=True,
    )
    start = time.monotonic()
    deadline = start + args.duration
    threads = [
        threading.Thread(
            target=client_loop,
            args=(n, args, users[n % len(users)], stats, deadline, random.Random(rng.random())),
            daemon=True,
        )
        for n in range(args.clients)
    ]
    for thread in threads:
        thread.start()
    samples = []
    next_sample = start
    while any(t.is_alive() for t in threads):
        now = time.monotonic()
        if args.server_pid and now >= next_sample:
            rss = worker_rss(args.server_pid)
            samples.append({"t": round(now - start, 1), "rss_kib": rss})
            with stats.lock:
                done = sum(sum(c.values()) for c in stats.status.values())
            print(
                f"  t={now - start:5.0f}s requests={done:6d} workers={len(rss)} "
                f"rss MiB={[round(v / 1024) for v in rss.values()]}",
                flush=True,
            )
            next_sample += args.sample_every
        time.sleep(0.5)
    for thread in threads:
        thread.join(120)
    elapsed = time.monotonic() - start

    rows = []
    total = Counter()
    for action in ACTIONS:
        codes = stats.status.get(action, Counter())
        total.update(codes)
        ms = sorted(stats.ms.get(action, [])) or [0.0]
        rows.append(
            {
                "action": action,
                "requests": sum(codes.values()),
                "statuses": {str(k): v for k, v in sorted(codes.items())},
                "p50_ms": round(statistics.median(ms), 1),
                "p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 1),
                "max_ms": round(ms[-1], 1),
            }
        )
    fivexx = sum(v for k, v in total.items() if k >= 500)
    memory = {}
    if samples:
        per_sample = [list(s["rss_kib"].values()) for s in samples if s["rss_kib"]]
        first, last = (
            per_sample[: max(1, len(per_sample) // 6)],
            per_sample[-max(1, len(per_sample) // 6) :],
        )
        memory = {
            "samples": len(samples),
            "worker_rss_mib_first_minute_median": round(
                statistics.median(v for s in first for v in s) / 1024, 1
            ),
            "worker_rss_mib_last_minute_median": round(
                statistics.median(v for s in last for v in s) / 1024, 1
            ),
            "worker_rss_mib_max": round(max(v for s in per_sample for v in s) / 1024, 1),
            "worker_pids_seen": len({pid for s in samples for pid in s["rss_kib"]}),
        }
    result = {
        "benchmark": f"soak (issue 12): {args.label}",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "clients": args.clients,
        "duration_s": round(elapsed, 1),
        "think_s": [args.think_min, args.think_max],
        "requests": sum(total.values()),
        "requests_per_s": round(sum(total.values()) / elapsed, 1),
        "status_counts": {str(k): v for k, v in sorted(total.items())},
        "5xx": fivexx,
        "transport_errors": stats.errors[:20],
        "actions": rows,
        "memory": memory,
        "rss_samples": samples,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\n{'action':<14}{'requests':>9}  {'p50 ms':>8}{'p95 ms':>9}{'max ms':>9}  statuses")
    for r in rows:
        print(
            f"{r['action']:<14}{r['requests']:>9}  {r['p50_ms']:>8}{r['p95_ms']:>9}"
            f"{r['max_ms']:>9}  {r['statuses']}"
        )
    print(
        f"total {result['requests']} requests in {elapsed:.0f} s "
        f"({result['requests_per_s']}/s); 5xx: {fivexx}; transport errors: {len(stats.errors)}"
    )
    if memory:
        print(
            f"worker RSS median: first {memory['worker_rss_mib_first_minute_median']} MiB, "
            f"last {memory['worker_rss_mib_last_minute_median']} MiB, "
            f"max {memory['worker_rss_mib_max']} MiB ({memory['worker_pids_seen']} pids seen)"
        )
    print(f"JSON: {out}")
    ok = fivexx == 0 and not stats.errors
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
