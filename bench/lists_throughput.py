"""Requests per second of the patient list beside a bare signed-in page and Django
admin's patient changelist (issue 14.2), over HTTP against a running server (started by
bench/throughput.sh: gunicorn, 2 sync workers, PostgreSQL, DEBUG off).

Each target is hammered by --clients threads (one signed-in browser each, a new
connection per request) for --seconds, the targets interleaved, --rounds times; the
median round counts. Prints req/s, the ratios and the goals:
  patient list >= 50% of the bare page, >= 10x the admin changelist.
Credentials: BENCH_PASSWORD for bench_reception_a/b and bench_admin (the .sh makes them).
"""

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from http_client import Client
from results_io import figure, write

TARGETS = {
    # The account page: the session, the user, one query of its own (its TOTP devices).
    "bare": ("/accounts/", "reception"),
    "patient_list": ("/patients/", "reception"),  # 25 rows, sorted by name, page 1
    "admin_changelist": ("/admin/patients/patient/", "admin"),  # 100 rows
}


def hammer(clients: list[Client], path: str, seconds: float) -> tuple[float, int]:
    done, errors = [0], [0]
    stop = time.perf_counter() + seconds
    lock = threading.Lock()

    def run(client):
        while time.perf_counter() < stop:
            response = client.request("GET", path)
            with lock:
                done[0] += 1
                if response.status != 200:
                    errors[0] += 1

    start = time.perf_counter()
    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done[0] / (time.perf_counter() - start), errors[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--base-url", help="a running server; without it bench/throughput.sh starts one"
    )
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not args.base_url:  # make bench: PostgreSQL, seed, gunicorn, then back here
        env = {**os.environ, "BENCH_ONLY": "lists"}
        if "BENCH_PATIENTS" not in env:
            env["BENCH_PATIENTS"] = "10000" if env.get("BENCH_SCALE") == "small" else "100000"
        script = str(Path(__file__).resolve().parent / "throughput.sh")
        os.execvpe("/bin/bash", ["bash", script], env)  # noqa: S606
    password = os.environ["BENCH_PASSWORD"]
    pools = {
        "reception": [Client(args.base_url) for _ in range(args.clients)],
        "admin": [Client(args.base_url) for _ in range(args.clients)],
    }
    for i, client in enumerate(pools["reception"]):
        client.login("bench_reception_a" if i % 2 == 0 else "bench_reception_b", password)
    for client in pools["admin"]:
        client.login("bench_admin", password)
    for name, (path, who) in TARGETS.items():  # warm-up, and the page must answer 200
        status = pools[who][0].request("GET", path).status
        if status != 200:
            print(f"{name}: GET {path} answered {status}", file=sys.stderr)
            return 1
        hammer(pools[who], path, 1)
    rates: dict[str, list[float]] = {name: [] for name in TARGETS}
    errors = 0
    for _ in range(args.rounds):
        for name, (path, who) in TARGETS.items():
            rate, failed = hammer(pools[who], path, args.seconds)
            rates[name].append(rate)
            errors += failed
    median = {name: statistics.median(values) for name, values in rates.items()}
    print(f"Lists throughput: {args.clients} clients, {args.rounds} rounds x {args.seconds}s")
    for name, values in rates.items():
        runs = ", ".join(f"{v:.0f}" for v in values)
        print(f"  {name:18} {median[name]:7.1f} req/s (rounds: {runs})")
    of_bare = median["patient_list"] / median["bare"]
    vs_admin = median["patient_list"] / median["admin_changelist"]
    ok = of_bare >= 0.5 and vs_admin >= 10 and errors == 0
    print(f"  patient list / bare page      {of_bare:6.0%}   goal >= 50%")
    print(f"  patient list / admin list     {vs_admin:6.1f}x  goal >= 10x")
    if errors:
        print(f"  {errors} requests did not answer 200")
    print("  goals:", "met" if ok else "NOT met")
    write(
        "lists_throughput",
        [
            figure("bare signed-in page req/s", round(median["bare"], 1), "req/s"),
            figure("patient list req/s (25 rows)", round(median["patient_list"], 1), "req/s"),
            figure("admin patient changelist req/s", round(median["admin_changelist"], 1), "req/s"),
            figure("patient list / bare page", round(of_bare, 3), "x", goal=0.5, better="higher"),
            figure(
                "patient list / admin changelist", round(vs_admin, 2), "x", goal=10, better="higher"
            ),
        ],
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
