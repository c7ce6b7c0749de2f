"""The one results format every issue-14 measurer writes, and `make bench` reads.

A measurer writes `bench/results/<name>.json` (or the path in its `BENCH_OUT`), a JSON
object with a `figures` list; anything else in the object (samples, load average, the
measurer's own tables) is kept and ignored by the reader:

    {"name": "registration_throughput", "written_at": "...", "git": "abc1234",
     "loadavg": [1.2, 0.9, 0.8], "scale": "full",
     "figures": [
        {"figure": "registration POST/s, 2 clients", "value": 212.4, "unit": "req/s",
         "goal": 154.0, "better": "higher", "note": "3x GNU Health's 51.3/s"},
        {"figure": "administration queries", "value": 19, "unit": "queries",
         "goal": 25, "better": "lower"}]}

`better` says which way passes: "higher" passes when value >= goal, "lower" when
value <= goal. `goal` may be null (measured for the record, no verdict). Ratios are
figures like any other (unit "x" or "%").

Standard library only: the HTTP measurers run without Django. Usage from a measurer:

    from results_io import figure, write          # bench/ is on sys.path for scripts in it
    write("registration_throughput", [figure("registration POST/s", 212.4, "req/s",
                                             goal=154, better="higher")])

or, for a measurer that already writes its own JSON: `data["figures"] = [...]` through
`with_figures(data, figures)` before dumping it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
BETTER = ("lower", "higher")


def results_dir() -> Path:
    """`BENCH_RESULTS_DIR` when set (make bench gives each run its own), else bench/results."""
    return Path(os.environ.get("BENCH_RESULTS_DIR") or BENCH_DIR / "results")


def figure(
    figure: str,
    value: float | None,
    unit: str,
    *,
    goal: float | None = None,
    better: str = "lower",
    note: str | None = None,
) -> dict:
    """One row. `value` None means it could not be measured (shown as such, counted as a fail
    when a goal is set)."""
    if better not in BETTER:
        raise ValueError(f"better must be one of {BETTER}, not {better!r}")
    row = {"figure": figure, "value": value, "unit": unit, "goal": goal, "better": better}
    if note:
        row["note"] = note
    return row


def _git(*args: str) -> str:
    """A read-only git command's output in this checkout ("" when git is not there)."""
    try:
        done = subprocess.run(  # noqa: S603 - fixed arguments
            ["git", "--no-optional-locks", *args],  # noqa: S607 - git from PATH
            cwd=BENCH_DIR,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout


def _git_commit() -> str | None:
    return _git("rev-parse", "--short", "HEAD").strip() or None


def git_state() -> dict:
    """The code measured: commit and uncommitted files."""
    changed = [line[3:] for line in _git("status", "--porcelain").splitlines() if line]
    return {"commit": _git("rev-parse", "--short", "HEAD").strip(), "uncommitted": changed}


def machine(load_before: tuple[float, ...] | list[float]) -> dict:
    """The machine a run measured on, with its load average before and after."""
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }


def with_figures(data: dict, figures: list[dict]) -> dict:
    """Adds the `figures` list and the common metadata to a measurer's own JSON object."""
    for row in figures:
        figure(**row)  # validates the keys and `better`
    data.setdefault("written_at", dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    data.setdefault("git", _git_commit())
    data.setdefault("loadavg", list(os.getloadavg()))
    data.setdefault("scale", os.environ.get("BENCH_SCALE"))
    data["figures"] = figures
    return data


def write(name: str, figures: list[dict], *, path: str | Path | None = None, **extra) -> Path:
    """Writes `figures` (and `extra` keys) to `path` when given (a measurer passes its
    `BENCH_OUT`), else to `<results_dir>/<name>.json`. Returns the path written."""
    target = Path(path) if path else results_dir() / f"{name}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    data = with_figures({"name": name, **extra}, figures)
    target.write_text(json.dumps(data, indent=2, default=str) + "\n")
    return target


def verdict(row: dict) -> str:
    """ "pass", "fail" or "-" (no goal)."""
    goal, value = row.get("goal"), row.get("value")
    if goal is None:
        return "-"
    if value is None:
        return "fail"
    ok = value >= goal if row.get("better") == "higher" else value <= goal
    return "pass" if ok else "fail"


def read(path: str | Path) -> list[dict]:
    """The figures of one results file ([] when it has none or is not JSON)."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return []
    rows = data.get("figures") if isinstance(data, dict) else data
    if not isinstance(rows, list):
        return []
    return [row for row in rows if isinstance(row, dict) and "figure" in row]


def read_all(directory: str | Path | None = None, *, since: float | None = None) -> dict:
    """{file stem: figures} for every results file in `directory` (default results_dir()),
    written at or after `since` (a time.time()) when given."""
    directory = Path(directory) if directory else results_dir()
    found = {}
    for path in sorted(directory.glob("*.json")):
        if since is not None and path.stat().st_mtime < since:
            continue
        rows = read(path)
        if rows:
            found[path.stem] = rows
    return found
