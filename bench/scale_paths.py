"""Everyday paths on a clinic group's history, over HTTP (issue 14). Usually run by
bench/scale_paths.sh (`make bench-scale`), which seeds and serves.

- The lot-tracked administration, as `make bench-peer` times it (bench/peer_compare.py
  Ours.administration: start a PREEMPT session, save the draft drawing from a vial, sign;
  the three POSTs timed), on `--admin`'s patients: p50 of the three together, and of the
  first and second half of the runs.
- The session editor of a new draft (GET) and its live re-check (POST .../check/).
- The pages staff open all day, each the median of 5 after one unmeasured: the home page
  of each role, the task list, the patient with the longest history and one of their
  signed sessions, the vials, the side-effect queue, the dashboard, the diary.

Standard library only (plus our bench helpers). Writes bench/results/scale_paths.json.
"""

import argparse
import json
import statistics
import sys
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from http_client import find_form
from peer_compare import Ours, http_client
from results_io import figure, verdict, write

REPEATS = 5
EDITOR_RENDER_GOAL_MS = 150  # issue 14's table: the session editor (31 points)
RECHECK_GOAL_MS = 60


def median_get(client, path: str) -> float:
    answers = [client.request("GET", path) for _ in range(REPEATS + 1)]
    if answers[-1].status != 200:
        raise RuntimeError(f"GET {path}: HTTP {answers[-1].status}")
    return statistics.median(a.ms for a in answers[1:])


def editor(practitioner: Ours, patient: str, setup: dict) -> tuple[float, float]:
    """A new draft's editor page and its live re-check, medians."""
    http = practitioner.http
    path = f"/patients/{patient}/sessions/new/"
    form = find_form(http.request("GET", path).body, "indication")["fields"]
    done = http.request(
        "POST", path, {**form, "indication": setup["indication"], "product": setup["product"]}
    )
    edit = urllib.parse.urlsplit(done.location).path
    render = median_get(http, edit)
    fields = find_form(http.request("GET", edit).body, "vial")["fields"]
    checks = [http.request("POST", edit.replace("/edit/", "/check/"), fields) for _ in range(6)]
    if checks[-1].status != 200:
        raise RuntimeError(f"live re-check: HTTP {checks[-1].status}")
    return render, statistics.median(c.ms for c in checks[1:])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--admin", required=True, help="JSON from bench/peer/ours_setup.py")
    parser.add_argument("--subjects", required=True, help="JSON: patient, session")
    parser.add_argument("--label", default="")
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    setup = json.loads(Path(args.admin).read_text())
    subjects = json.loads(Path(args.subjects).read_text())
    patients = list(setup["patients"])
    editor_patient = patients.pop()

    practitioner = Ours(args.base, "bench_peer_practitioner", args.password)
    runs = []
    for number, patient in enumerate(patients, 1):
        runs.append(practitioner.administration(patient, setup["indication"], setup["product"]))
        if number % 10 == 0 or number == len(patients):
            print(f"  administrations: {number}/{len(patients)}", flush=True)
    sums = [sum(run) for run in runs]
    half = len(sums) // 2
    render, recheck = editor(practitioner, editor_patient, setup)

    manager, reception = http_client(args.base), http_client(args.base)
    manager.login("scale_manager", args.password)
    reception.login("scale_reception", args.password)
    patient, session = subjects["patient"], subjects["session"]
    pages = [
        ("practitioner", practitioner.http, "home", "/"),
        ("practitioner", practitioner.http, "task list", "/tasks/"),
        ("practitioner", practitioner.http, "patient, longest history", f"/patients/{patient}/"),
        ("practitioner", practitioner.http, "signed session", f"/sessions/{session}/"),
        ("practitioner", practitioner.http, "vials", "/vials/"),
        ("practitioner", practitioner.http, "side-effect queue", "/side-effects/"),
        ("manager", manager, "home", "/"),
        ("manager", manager, "dashboard", "/dashboard/"),
        ("reception", reception, "home", "/"),
        ("reception", reception, "diary", "/diary/"),
        ("reception", reception, "patient list", "/patients/"),
    ]
    rows = [
        figure(
            "at scale: administration p50, 3 POSTs",
            statistics.median(sums),
            "ms",
            note=f"{len(sums)} runs; first / second half "
            f"{statistics.median(sums[:half]):.1f} / {statistics.median(sums[half:]):.1f} ms",
        ),
        figure("at scale: session editor render p50", render, "ms", goal=EDITOR_RENDER_GOAL_MS),
        figure("at scale: session editor live re-check p50", recheck, "ms", goal=RECHECK_GOAL_MS),
    ]
    for role, client, name, path in pages:
        rows.append(figure(f"at scale: {role}: {name}", median_get(client, path), "ms"))

    print(f"\nEveryday paths at {args.label} ({subjects['sessions']} sessions on the patient page)")
    print(f"{'path':<56} {'ms':>8}  goal")
    print("-" * 74)
    for row in rows:
        goal = "" if row["goal"] is None else f"<= {row['goal']:g} ({verdict(row)})"
        print(f"{row['figure']:<56} {row['value']:8.1f}  {goal}")
        if row.get("note"):
            print(f"  {row['note']}")
    path = write("scale_paths", rows, path=args.out, label=args.label, samples=runs)
    print(f"\nwrote {path}")
    return 1 if any(verdict(row) == "fail" for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
