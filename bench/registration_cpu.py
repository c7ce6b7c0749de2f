"""CPU per registration flow over HTTP (issue 14.3): the machine's CPU milliseconds per
GET form + POST, split into the gunicorn workers, the PostgreSQL cluster and this client,
from /proc. On a shared machine the flows per second move with everyone else's load;
the CPU a flow costs moves much less, so A/B comparisons use it.

Against a running server (gunicorn 2 sync workers, as bench/throughput.sh starts it) and
the PostgreSQL cluster it uses; two clients (bench_reception_a and _b, password
BENCH_PASSWORD) each run --count flows after 5 unmeasured ones:

    .venv/bin/python bench/registration_cpu.py --base-url http://127.0.0.1:8794 \
        --gunicorn-pid "$GUNICORN_PID" --pgdata "$PGTMP/data" --count 150

Prints flows/s and CPU ms per flow: django (the master's children), postgres (the
postmaster and its children), client (this process), total. Linux only (reads /proc).
"""

import argparse
import os
import random
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from http_client import Client
from registration_throughput import get_form, post_form

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None


def cpu_seconds(pid: int) -> float:
    fields = _stat(pid)
    return 0.0 if fields is None else (int(fields[11]) + int(fields[12])) / TICKS


def children(parent: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat(int(entry))) and int(fields[1]) == parent:
            found.append(int(entry))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--gunicorn-pid", type=int, required=True, help="the master")
    parser.add_argument("--pgdata", required=True, help="the cluster's data directory")
    parser.add_argument("--count", type=int, default=150, help="flows per client")
    args = parser.parse_args()
    postmaster = int(Path(args.pgdata, "postmaster.pid").read_text().split()[0])

    def sample() -> tuple[float, float]:
        django = sum(cpu_seconds(pid) for pid in children(args.gunicorn_pid))
        postgres = cpu_seconds(postmaster) + sum(cpu_seconds(p) for p in children(postmaster))
        return django, postgres

    clients = [Client(args.base_url), Client(args.base_url)]
    for client, name in zip(clients, ("bench_reception_a", "bench_reception_b"), strict=True):
        client.login(name, os.environ["BENCH_PASSWORD"])
    warm = random.Random(f"warm-{time.time()}")
    for client in clients:
        for _ in range(5):
            post_form(client, get_form(client)[0], warm)

    def flows(client, seed):
        rng = random.Random(seed)
        for _ in range(args.count):
            post_form(client, get_form(client)[0], rng)

    django0, postgres0 = sample()
    client0, wall0 = time.process_time(), time.perf_counter()
    threads = [
        threading.Thread(target=flows, args=(c, f"{time.time()}-{i}"))
        for i, c in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - wall0
    client_cpu = time.process_time() - client0
    django1, postgres1 = sample()
    n = 2 * args.count
    per = {
        "django": (django1 - django0) * 1000 / n,
        "postgres": (postgres1 - postgres0) * 1000 / n,
        "client": client_cpu * 1000 / n,
    }
    print(
        f"{n} flows, {n / wall:.1f}/s; CPU ms per flow: "
        + ", ".join(f"{name} {ms:.2f}" for name, ms in per.items())
        + f", total {sum(per.values()):.2f}; load average {os.getloadavg()[0]:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
