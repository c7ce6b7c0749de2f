"""Operations tests (issue 12): they drive the real scripts (deploy/*.sh) against
PostgreSQL in subprocesses, as an operator would, and need no Django test database."""

import os
import shutil
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
PYTHON = sys.executable


def pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: p.parts)
    found = [p for p in found if os.access(p, os.X_OK)]
    return found[-1].parent if found else None


def with_database(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def run(cmd, env, timeout=180, check=True, **kwargs) -> subprocess.CompletedProcess:
    """Run a command in the repository, output captured; on failure, show it."""
    result = subprocess.run(  # noqa: S603 - our own scripts
        cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, **kwargs
    )
    if check and result.returncode != 0:
        pytest.fail(
            f"{' '.join(map(str, cmd))} exited {result.returncode}\n"
            f"--- stdout\n{result.stdout[-4000:]}\n--- stderr\n{result.stderr[-4000:]}"
        )
    return result


def base_env(**extra) -> dict:
    """The environment of an operator's shell: no test settings, no Django test DB."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "PYTEST_", "GUNICORN_", "SERVE_"))
    }
    env.update({"PATH": f"{Path(PYTHON).parent}:{env.get('PATH', '')}", "DJANGO_DEBUG": "false"})
    env.update(extra)
    return env


requires_pg_binaries = pytest.mark.skipif(
    pg_bin() is None or shutil.which("bash") is None,
    reason="PostgreSQL server binaries not installed",
)
