"""Browser tests (Playwright + the system's Chromium) against Django's live_server.

Every test in this folder is marked `e2e`. Run them alone with
`pytest tests/e2e` or leave them out with `pytest -m "not e2e"`.
"""

import os
from datetime import date
from pathlib import Path

import pytest

from clinic.roles import Role
from tests.e2e.helpers import login as _login
from tests.e2e.helpers import shot as _shot
from tests.factories import PatientFactory, QuestionnaireFactory, UserFactory

# pytest-playwright's sync API runs an asyncio loop in the test thread, which makes Django
# refuse ORM calls there (SynchronousOnlyOperation). Only this folder needs the escape hatch.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

E2E_DIR = Path(__file__).resolve().parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(config, items):
    # Hooks in a conftest see every collected item, not only this folder's: filter by path.
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


# Debian's old headless shell (package chromium-headless-shell, the same build as chromium):
# what Playwright itself runs for headless Chromium. The full browser in its new headless
# mode builds a whole browser profile per test's context and starts about twice as many
# renderer processes: on 2 cores, tests/e2e took ~30% more CPU and ~20% more wall time.
HEADLESS_SHELL = "/usr/bin/chromium-headless-shell"


def chromium_path() -> str:
    if os.environ.get("CHROMIUM_PATH"):
        return os.environ["CHROMIUM_PATH"]
    if os.access(HEADLESS_SHELL, os.X_OK):
        return HEADLESS_SHELL
    return "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Use the distribution's Chromium (its headless shell when installed): `playwright
    install` cannot download browsers here."""
    executable = chromium_path()
    if not (os.path.isfile(executable) and os.access(executable, os.X_OK)):
        message = (
            f"Chromium not found at {executable}: install it (apt-get install "
            "chromium-headless-shell, or chromium) or set CHROMIUM_PATH to the browser binary."
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return {
        **browser_type_launch_args,
        "executable_path": executable,
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A UK desktop: dates typed dd/mm/yyyy, wide enough that the navbar is not collapsed."""
    return {
        **browser_context_args,
        "locale": "en-GB",
        "timezone_id": "Europe/London",
        "viewport": {"width": 1280, "height": 900},
    }


@pytest.fixture
def login():
    """`login(page, live_server, username)`: signed in on the home page (helpers.login:
    through the login form with `through_form=True`)."""
    return _login


@pytest.fixture
def shot():
    """`shot(page, name)`: full-page screenshot to tests/e2e/screenshots/<name>.png."""
    return _shot


@pytest.fixture
def second_reception(db):
    return UserFactory(username="rosa", first_name="Rosa", role=Role.RECEPTION)


@pytest.fixture
def adult_patient(reception):
    """An adult with a questionnaire on file, every answer "no" (the session flows' patient)."""
    patient = PatientFactory(
        family_name="Okafor",
        given_names="Grace",
        date_of_birth=date(1979, 4, 12),
        registered_by=reception,
    )
    QuestionnaireFactory(patient=patient, entered_by=reception)
    return patient
