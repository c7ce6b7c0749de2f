"""Django's own request loggers write nothing (security review 07/12/2026): with no handler
at all, Python's last-resort handler printed their warnings to stderr, a patient's address
and its traceback on every 403, and runserver's lines with a search's query string. Run in
a child process with the real settings' LOGGING (the tests' settings replace it)."""

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import logging
import django
django.setup()
logging.getLogger("django.request").warning(
    "Forbidden (Permission denied): %s", "/patients/4a9dcd0a-path/questionnaire/"
)
logging.getLogger("django.request").error("Internal Server Error: %s", "/patients/?q=Elliott")
logging.getLogger("django.server").warning('"GET /patients/?q=Charlotte%%20Elliott HTTP/1.1" 400')
logging.getLogger("clinic.request").warning("still-logged status=403")
"""


def test_djangos_request_loggers_print_nothing():
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DATABASE_OWNER_URL", "DATABASE_RUNTIME_ROLE"}
    }
    env["DJANGO_SETTINGS_MODULE"] = "clinic.settings.dev"
    done = subprocess.run(  # noqa: S603 - this interpreter, our own script
        [sys.executable, "-c", SCRIPT],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    printed = done.stdout + done.stderr
    assert "still-logged status=403" in printed  # the app's own line is written
    assert "/patients/" not in printed
    assert "Elliott" not in printed
