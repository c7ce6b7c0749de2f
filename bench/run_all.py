"""`make bench`: every figure of issue 14's table, one command, one table.

    .venv/bin/python bench/run_all.py                     # BENCH_SCALE=full (1M patients)
    BENCH_SCALE=small .venv/bin/python bench/run_all.py   # a quick check at 10k patients
    .venv/bin/python bench/run_all.py --only search,editor --with-test

Runs each measurer in turn (each starts its own throwaway PostgreSQL cluster and server
unless DATABASE_URL is set), shows its output as it goes and keeps it in
bench/results/run-<time>/<step>.log, then reads the figures every measurer wrote to that
directory (bench/results_io.py: `BENCH_RESULTS_DIR`, or `BENCH_OUT` for the shell
measurers) and prints ONE table: figure | measured | goal | pass/fail. A measurer that is
missing, fails to run or writes no figures shows as such in the table. The summary is
written to bench/results/run-<time>/summary.json and bench/results/bench_summary.json.

Exit status: 0 when every figure with a goal passes, 1 otherwise, 2 when a step could not
run at all.
"""

import argparse
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from results_io import figure, read, verdict  # noqa: E402

PY = str(ROOT / ".venv/bin/python")
SCALES = {
    # patients for search and seeding; the dashboard's patients and sessions; patients for
    # the peer and throughput steps; registrations per client and phase (throughput)
    "small": {"patients": 10_000, "report_patients": 10_000, "report_sessions": 50_000,
              "peer_patients": 10_000, "registrations": 100,
              "scale_patients": 10_000, "scale_sessions": 50_000},
    "full": {"patients": 1_000_000, "report_patients": 1_000_000, "report_sessions": 5_000_000,
             "peer_patients": 100_000, "registrations": 300,
             "scale_patients": 60_000, "scale_sessions": 400_000},
}  # fmt: skip
SEED_GOAL_S_PER_MILLION = 300  # issue 14: seed_demo --patients 1000000 in <= 5 min
MAKE_TEST_GOAL_S = 360  # issue 14: make test in <= 6 min on a quiet 2-core machine


@dataclass
class Step:
    name: str
    what: str
    command: list[str]
    needs: str  # the file that must exist for the step to run
    env: dict = field(default_factory=dict)
    out: str | None = None  # the file a BENCH_OUT measurer writes (legacy adapters read it)
    optional: bool = False


def steps(scale: dict, run_dir: Path) -> list[Step]:
    pg = f"source {ROOT}/.ci/postgres.sh start >/dev/null && trap pg_stop EXIT && "
    return [
        Step(
            "peer",
            "GNU Health 5.0.6 side by side: registration, search, administration",
            ["bash", "bench/peer_compare.sh"],
            "bench/peer_compare.sh",
            {"BENCH_PATIENTS": scale["peer_patients"], "BENCH_PORT": 8941},
            out="peer_compare.json",
        ),
        Step(
            "throughput",
            "registration POST/s and flow/s (2 clients); patient list req/s vs a bare page "
            "vs the admin changelist",
            ["bash", "bench/throughput.sh"],
            "bench/throughput.sh",
            {
                "BENCH_PATIENTS": scale["peer_patients"],
                "BENCH_PORT": 8944,
                "BENCH_REGISTRATIONS": scale["registrations"],
            },
        ),
        Step(
            "search",
            f"search over HTTP at {scale['patients']:,} patients, p95 per kind (+ seed time)",
            ["bash", "bench/search_latency.sh"],
            "bench/search_latency.sh",
            {
                "SEARCH_PATIENTS": scale["patients"],
                "BENCH_PATIENTS": scale["patients"],
                "BENCH_PORT": 8943,
            },
            out="search_latency.json",
        ),
        Step(
            "reports",
            f"dashboard, 12 months, at {scale['report_patients']:,} patients / "
            f"{scale['report_sessions']:,} sessions",
            ["bash", "bench/reports_latency.sh"],
            "bench/reports_latency.sh",
            {
                "REPORT_PATIENTS": scale["report_patients"],
                "REPORT_SESSIONS": scale["report_sessions"],
            },
            out="reports_latency.json",
        ),
        Step(
            "scale",
            f"the administration, the editor and everyday pages on "
            f"{scale['scale_patients']:,} patients' {scale['scale_sessions']:,} sessions",
            ["bash", "bench/scale_paths.sh"],
            "bench/scale_paths.sh",
            {
                "SCALE_PATIENTS": scale["scale_patients"],
                "SCALE_SESSIONS": scale["scale_sessions"],
                "BENCH_PORT": 8945,
            },
            out="scale_paths.json",
        ),
        Step(
            "editor",
            "session editor render, live re-check, lot-tracked administration (PostgreSQL)",
            [
                "bash",
                "-c",
                pg + f"{ROOT}/.venv/bin/pytest bench/session_editor_timing.py -q -s "
                "-p no:randomly -p no:cacheprovider",
            ],
            "bench/session_editor_timing.py",
            out="session_editor.json",
        ),
        Step(
            "test",
            "make test under CI=true (wall clock)",
            ["make", "test"],
            "Makefile",
            {"CI": "true"},
            optional=True,
        ),
    ]


# Adapters for measurers that write their own JSON without a `figures` list ---------------
def legacy_figures(step: Step, path: Path, scale: dict, seconds: float) -> list[dict]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        data = {}
    rows = []
    if step.name == "search" and "per_kind" in data:
        size = f"{data.get('patients_total', scale['patients']):,}"
        kinds = {**data["per_kind"], "overall": data["overall"]}
        for kind, stats in kinds.items():
            p95 = stats.get("p95_ms")
            rows.append(figure(f"search p95 at {size}: {kind}", p95, "ms", goal=100))
    if step.name == "reports" and "pages" in data:
        twelve = data["pages"].get("dashboard, last 12 months", {})
        size = f"{data['data'].get('patients', 0):,}/{data['data'].get('sessions', 0):,}"
        p95 = twelve.get("p95_ms")
        rows.append(figure(f"dashboard 12 months p95 at {size}", p95, "ms", goal=300))
    if step.name == "test":
        rows.append(figure("make test (CI=true)", seconds, "s", goal=MAKE_TEST_GOAL_S))
    return rows


def seed_figure(rows: list[dict], out: Path, scale: dict) -> list[dict]:
    """The seed time from the search step (seed_demo --no-sessions from an empty database),
    with the 5 min per million goal scaled to the size seeded."""
    try:
        data = json.loads(out.read_text())
    except (OSError, ValueError):
        return []
    seconds = data.get("seed_seconds")
    if seconds is None or any(r["figure"].startswith("seed ") for r in rows):
        return []
    goal = SEED_GOAL_S_PER_MILLION * scale["patients"] / 1_000_000
    note = None if scale["patients"] == 1_000_000 else "goal scaled from 5 min per million"
    return [figure(f"seed {scale['patients']:,} patients", seconds, "s", goal=goal, note=note)]


def stop_group(proc: subprocess.Popen, why: str) -> None:
    """SIGTERM to the step's own process group (its traps stop its servers and cluster),
    SIGKILL 60 s later if it is still there."""
    print(f"\n== stopping the step ({why})", flush=True)
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def run_step(
    step: Step, run_dir: Path, scale_name: str, timeout: float | None
) -> tuple[int | None, float]:
    env = {
        **os.environ,
        "BENCH_SCALE": scale_name,
        "BENCH_RESULTS_DIR": str(run_dir),
        **{k: str(v) for k, v in step.env.items()},
    }
    if step.out:
        env["BENCH_OUT"] = str(run_dir / step.out)
    log = run_dir / f"{step.name}.log"
    started = time.monotonic()
    with log.open("w") as handle:
        proc = subprocess.Popen(  # noqa: S603 - our own measurers, fixed arguments
            step.command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            start_new_session=True,  # its own process group: stopped as a whole below
        )
        timer = None
        if timeout:
            timer = threading.Timer(timeout, stop_group, args=(proc, f"{timeout:.0f} s"))
            timer.start()
        try:
            for line in proc.stdout:
                handle.write(line)
                print(f"  {step.name}| {line}", end="", flush=True)
            returncode = proc.wait()
        except KeyboardInterrupt:
            stop_group(proc, "Ctrl+C")
            raise
        finally:
            if timer:
                timer.cancel()
    return returncode, time.monotonic() - started


def fmt(value, unit) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and value < 10:
        text = f"{value:.3g}"
    else:
        text = f"{value:,.1f}" if isinstance(value, float) else f"{value:,}"
    return f"{text} {unit}"


def goal_text(row) -> str:
    if row.get("goal") is None:
        return ""
    sign = ">=" if row.get("better") == "higher" else "<="
    goal = row["goal"]
    shown = f"{goal:.3g}" if isinstance(goal, float) and goal < 10 else f"{goal:,.0f}"
    return f"{sign} {shown} {row.get('unit', '')}"


def print_table(rows: list[dict]) -> None:
    width = max([len(r["figure"]) for r in rows] + [6])
    header = f"{'figure':<{width}} | {'measured':>16} | {'goal':>18} | result"
    print(header)
    print("-" * len(header))
    for row in rows:
        result = row.get("result") or verdict(row)
        print(
            f"{row['figure']:<{width}} | {fmt(row.get('value'), row.get('unit', '')):>16} | "
            f"{goal_text(row):>18} | {result}"
        )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=SCALES, default=os.environ.get("BENCH_SCALE") or "full")
    parser.add_argument("--only", help="comma-separated steps (default: all but test)")
    parser.add_argument("--skip", default="", help="comma-separated steps to leave out")
    parser.add_argument("--with-test", action="store_true", help="also time make test")
    parser.add_argument(
        "--step-timeout",
        type=float,
        default=float(os.environ.get("BENCH_STEP_TIMEOUT") or 0) or None,
        help="stop a step after this many seconds (default: none; env BENCH_STEP_TIMEOUT)",
    )
    parser.add_argument("--list", action="store_true", help="list the steps and exit")
    parser.add_argument("--table-only", metavar="RUN_DIR", help="print the table of a past run")
    args = parser.parse_args(argv)
    scale = SCALES[args.scale]

    if args.table_only:
        summary = json.loads((Path(args.table_only) / "summary.json").read_text())
        print_table(summary["rows"])
        return 0

    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    run_dir = BENCH / "results" / f"run-{stamp}"
    all_steps = steps(scale, run_dir)
    if args.list:
        for step in all_steps:
            print(f"{step.name:<13} {step.what}{'  (optional: --with-test)' * step.optional}")
        return 0
    chosen = set(args.only.split(",")) if args.only else {s.name for s in all_steps}
    if not args.only and not args.with_test:
        chosen.discard("test")
    if args.with_test:
        chosen.add("test")
    chosen -= set(filter(None, args.skip.split(",")))
    unknown = chosen - {s.name for s in all_steps}
    if unknown:
        parser.error(f"unknown steps: {', '.join(sorted(unknown))}")

    run_dir.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    started = time.monotonic()
    print(f"make bench: scale {args.scale} ({scale}), results in {run_dir.relative_to(ROOT)}")
    print(f"load average before: {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}")
    rows, broken = [], 0
    for step in all_steps:
        if step.name not in chosen:
            continue
        if not (ROOT / step.needs).exists():
            print(f"\n== {step.name}: {step.needs} does not exist (yet): not measured")
            rows.append({"figure": f"{step.name}: {step.what}", "value": None, "unit": "",
                         "goal": None, "result": "missing"})  # fmt: skip
            continue
        print(f"\n== {step.name}: {step.what}", flush=True)
        before = set(run_dir.glob("*.json"))
        step_started = time.time()
        returncode, seconds = run_step(step, run_dir, args.scale, args.step_timeout)
        print(f"== {step.name}: exit {returncode} after {seconds:.0f} s", flush=True)
        found = []
        for path in sorted(set(run_dir.glob("*.json")) - before) or sorted(
            p for p in run_dir.glob("*.json") if p.stat().st_mtime >= step_started
        ):
            found += read(path)
        out = run_dir / step.out if step.out else None
        if not found and (out or step.name == "test"):
            found = legacy_figures(step, out or run_dir / "none", scale, seconds)
        if step.name == "search" and out:
            found += seed_figure(found, out, scale)
        if not found:
            broken += 1
            result = "no figures" if returncode == 0 else f"failed (exit {returncode})"
            rows.append({"figure": f"{step.name}: {step.what}", "value": None, "unit": "",
                         "goal": None, "result": f"{result}, see {step.name}.log"})  # fmt: skip
        rows += found

    elapsed = time.monotonic() - started
    print(f"\nIssue 14, scale {args.scale}, {elapsed / 60:.1f} min, load average before "
          f"{load_before[0]:.2f}, after {os.getloadavg()[0]:.2f}\n")  # fmt: skip
    print_table(rows)
    failed = [r for r in rows if (r.get("result") or verdict(r)) == "fail"]
    print(f"\n{len(rows)} figures, {len(failed)} fail, {broken} steps without figures")
    summary = {
        "scale": args.scale,
        "sizes": scale,
        "started": stamp,
        "minutes": round(elapsed / 60, 1),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "rows": rows,
    }
    for path in (run_dir / "summary.json", BENCH / "results" / "bench_summary.json"):
        path.write_text(json.dumps(summary, indent=2, default=str) + "\n")
    print(f"written to {run_dir.relative_to(ROOT)}/summary.json")
    if broken:
        return 2
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
