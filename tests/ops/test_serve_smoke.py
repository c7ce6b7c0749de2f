"""`make serve` smoke test (issue 12.1), in CI: deploy/serve.sh on a free port with its
var dir in a temporary folder (a new PostgreSQL cluster with the two roles, migrate as
the owner, collectstatic, gunicorn with production settings, the task worker), then over
HTTP as staff do: a receptionist signs in, registers a patient and finds them; a
practitioner signs in with password + TOTP (production requires it), answers the
screening questionnaire, starts a PREEMPT session and signs it. Then Ctrl+C-equivalent
(SIGTERM) stops everything, PostgreSQL included."""

import importlib.util
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse
from pathlib import Path

import pytest

from tests.ops.conftest import PYTHON, ROOT, base_env, pg_bin, requires_pg_binaries, run

pytestmark = [pytest.mark.serve, pytest.mark.postgres, requires_pg_binaries]


def _bench(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    spec.loader.exec_module(module)
    return module


http_client = _bench("http_client")  # the benches' HTTP client and form parser


class Browser:
    """One signed-in browser over bench/http_client.py's client, answering
    (status, location, body, ms)."""

    def __init__(self, base_url: str):
        self.client = http_client.Client(base_url, keep_alive=True, user_agent="smoke/1")

    @property
    def cookies(self) -> dict:
        return self.client.cookies

    def login(self, username: str, password: str) -> None:
        self.client.login(username, password)

    def request(self, method: str, path: str, data: dict | None = None):
        response = self.client.request(method, path, data)
        return response.status, response.location, response.body, response.ms


races = _bench("registration_races")  # invent_person

SETUP = """
import json, os
from datetime import timedelta
from decimal import Decimal
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from treatments import services
from treatments.models import Indication, Product

User = get_user_model()
out = {}
for username, group in (("smoke_reception", "Reception"), ("smoke_practitioner", "Practitioner")):
    user = User.objects.create_user(username, password=os.environ["SMOKE_PASSWORD"],
                                    first_name="Smoke", last_name=group)
    user.groups.add(Group.objects.get(name=group))
    out[group] = user
TOTPDevice.objects.create(user=out["Practitioner"], name="smoke", confirmed=True,
                          key=os.environ["SMOKE_TOTP_KEY"])
botox = Product.objects.get(slug="botox")
vial = services.vial_receive(product=botox, presentation_units=200, lot="SMOKE1",
                             supplier="Smoke Pharma", delivery_note="DN-SMOKE",
                             expiry=timezone.localdate() + timedelta(days=200),
                             received_by=out["Practitioner"])
services.vial_reconstitute(vial=vial, diluent_ml=Decimal("4"),
                           reconstituted_by=out["Practitioner"])
migraine = Indication.objects.get(name="Chronic migraine prophylaxis")
print(json.dumps({"indication": migraine.pk, "product": botox.pk, "vial": vial.pk}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_postgres(var: Path) -> None:
    pgdata = var / "postgres" / "data"
    if (pgdata / "postmaster.pid").exists():
        as_pg = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        subprocess.run(  # noqa: S603 - pg_ctl of the cluster this test made
            [*as_pg, str(pg_bin() / "pg_ctl"), "-D", str(pgdata), "-m", "fast", "-w", "stop"],
            capture_output=True,
            check=False,
        )


@pytest.fixture(scope="module")
def served():
    var = Path(tempfile.mkdtemp(prefix="serve.", dir="/tmp"))
    var.chmod(0o755)  # the postgres user (when run as root) must reach its data dir
    port = free_port()
    password = secrets.token_urlsafe(16)
    totp_key = secrets.token_hex(20)
    env = base_env(SERVE_VAR_DIR=str(var), PORT=str(port), PGBIN_DIR=str(pg_bin()))
    started = time.monotonic()
    proc = None
    log = open(var / "serve.log", "w")  # noqa: SIM115 - closed below
    try:
        # Started once, as an operator starts it (a new cluster, migrate, collectstatic,
        # gunicorn, the task worker); the staff and the stock below are made meanwhile, as
        # the runtime role. One gunicorn worker: the test is one client at a time.
        proc = subprocess.Popen(
            ["/bin/bash", "deploy/serve.sh"],
            cwd=ROOT,
            env={**env, "GUNICORN_WORKERS": "1"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        for _ in range(2400):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail("make serve exited:\n" + (var / "serve.log").read_text()[-3000:])
                time.sleep(0.25)
        else:
            pytest.fail("make serve did not answer in 600 s")
        ready_after = time.monotonic() - started
        serve_env = dict(
            line.split("=", 1) for line in (var / "serve.env").read_text().splitlines() if line
        )
        django_env = base_env(
            DJANGO_SETTINGS_MODULE="serve_settings",
            PYTHONPATH=str(var / "settings"),
            DJANGO_SECRET_KEY=(var / "secrets" / "django_secret_key").read_text().strip(),
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            DATABASE_URL=serve_env["DATABASE_URL"],  # the runtime role, as the app
            SMOKE_PASSWORD=password,
            SMOKE_TOTP_KEY=totp_key,
        )
        setup = run([PYTHON, "manage.py", "shell", "-c", SETUP], django_env)
        ids = json.loads(setup.stdout.strip().splitlines()[-1])
        yield {
            "url": f"http://127.0.0.1:{port}",
            "password": password,
            "totp_key": totp_key,
            "ids": ids,
            "var": var,
            "proc": proc,
            "ready_after": ready_after,
        }
    finally:
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        log.close()
        # serve.sh stops the PostgreSQL it started; a leftover one is stopped here.
        stop_postgres(var)
        shutil.rmtree(var, ignore_errors=True)


def test_make_serve_registers_finds_and_signs_a_session(served):
    from django_otp.oath import totp

    url, ids = served["url"], served["ids"]
    print(f"\nmake serve answered {served['ready_after']:.1f} s after the start")
    var = served["var"]
    assert oct((var / "secrets" / "django_secret_key").stat().st_mode & 0o777) == "0o600"

    # Production settings over plain HTTP on localhost: no redirect to https://, but the
    # production headers and cookies.
    reception = Browser(url)
    status, _, body, _ = reception.request("GET", "/accounts/login/")
    assert status == 200
    reception.login("smoke_reception", served["password"])
    assert "__Host-sessionid" in reception.cookies

    # Register a patient.
    status, _, body, _ = reception.request("GET", "/patients/new/")
    assert status == 200
    form = http_client.find_form(body, "family_name")
    person = races.invent_person(__import__("random").Random(), "Smoke", 1)
    person["family_name"] = "Smoketest"
    status, location, _, _ = reception.request(
        "POST", "/patients/new/", {**form["fields"], **person}
    )
    assert status == 302, status
    # To the new patient's record (or straight on to their screening questionnaire).
    registered = re.match(r"/patients/[0-9a-f-]{36}/", urllib.parse.urlsplit(location).path)
    assert registered, location
    patient_path = registered.group(0)

    # Find them.
    status, location, body, _ = reception.request("GET", "/patients/?q=Smoketest")
    assert status in (200, 302)
    assert patient_path in (location if status == 302 else body.decode())

    # The practitioner: password, then the TOTP code (required in production).
    practitioner = Browser(url)
    status, _, body, _ = practitioner.request("GET", "/accounts/login/")
    form = http_client.find_form(body, "username")
    status, location, _, _ = practitioner.request(
        "POST",
        "/accounts/login/",
        {**form["fields"], "username": "smoke_practitioner", "password": served["password"]},
    )
    assert status == 302, status
    # Signed in with the password; the next page asks for the second factor.
    for _ in range(3):
        if "two-factor" in location:
            break
        status, location, _, _ = practitioner.request("GET", urllib.parse.urlsplit(location).path)
        assert status == 302, (status, location)
    assert "two-factor" in location, location
    verify = urllib.parse.urlsplit(location)
    status, _, body, _ = practitioner.request(
        "GET", verify.path + (f"?{verify.query}" * bool(verify.query))
    )
    assert status == 200, (status, location)
    form = http_client.find_form(body, "token")
    code = f"{totp(bytes.fromhex(served['totp_key'])):06d}"
    status, location, _, _ = practitioner.request(
        "POST", verify.path, {**form["fields"], "token": code}
    )
    assert status == 302 and "two-factor" not in location, (status, location)

    # The screening questionnaire, every answer "no".
    path = f"{patient_path}questionnaire/new/"
    status, _, body, _ = practitioner.request("GET", path)
    assert status == 200
    form = http_client.find_form(body, "completed_on")
    answers = {
        name: next((v for v in ("False", "no", "n/a") if v in values), values[0])
        for name, values in form["radios"].items()
    }
    texts = dict.fromkeys(form.get("textareas", []), "None")
    status, _, body, _ = practitioner.request("POST", path, {**form["fields"], **texts, **answers})
    assert status == 302, re.findall(r"invalid-feedback[^>]*>([^<]*)", body.decode())

    # A PREEMPT session: start it from the template, tick the confirmations, sign.
    path = f"{patient_path}sessions/new/"
    status, _, body, _ = practitioner.request("GET", path)
    assert status == 200
    form = http_client.find_form(body, "indication")
    status, location, _, _ = practitioner.request(
        "POST",
        path,
        {**form["fields"], "indication": ids["indication"], "product": ids["product"]},
    )
    assert status == 302 and location.endswith("/edit/"), (status, location)
    edit = urllib.parse.urlsplit(location).path
    status, _, body, _ = practitioner.request("GET", edit)
    assert status == 200
    form = http_client.find_form(body, "vial")  # the session form (unticked boxes are not sent)
    assert form["fields"].get("vial") == str(ids["vial"])
    fields = {
        **form["fields"],
        "screening_reviewed": "on",
        "consent_taken": "on",
        "spread_advice_given": "on",
        "acknowledge": "on",
        "action": "sign",
    }
    status, location, body, _ = practitioner.request("POST", edit, fields)
    assert status == 302, re.findall(
        r'class="[^"]*(?:invalid|danger)[^"]*"[^>]*>([^<]+)', body.decode()
    )
    assert re.fullmatch(r"/sessions/[0-9a-f-]{36}/", urllib.parse.urlsplit(location).path)
    status, _, body, _ = practitioner.request("GET", urllib.parse.urlsplit(location).path)
    assert status == 200 and "Session signed." in body.decode()

    # Ctrl+C (SIGTERM here) stops gunicorn, the worker and PostgreSQL.
    proc = served["proc"]
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) in (0, 143)
    assert not (var / "postgres" / "data" / "postmaster.pid").exists()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])), timeout=1)
