"""Login, logout, healthz, error pages, security headers and production settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD, client_for

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def test_healthz_reports_database(client):
    # /healthz is /healthz/ready (issue 12; tests/clinic/test_resilience.py).
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] in {"ok", "degraded"}
    assert response.json()["database"] == "ok"


def test_pages_need_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_home_page_gives_how_many_questionnaires_await_review(practitioner):
    """Ten are listed, oldest first; past them the card gives the total and how many more
    (it stopped at ten in silence)."""
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import QuestionnaireFactory

    today = timezone.localdate()
    for days in range(12, 0, -1):
        QuestionnaireFactory(completed_on=today - timedelta(days=days))
    home = client_for(practitioner).get("/").content.decode()
    card = home.split('id="review-heading"', 1)[1].split("</section>", 1)[0]
    assert '<span class="badge text-bg-secondary">12</span>' in card
    assert card.count("answered ") == 10
    assert (today - timedelta(days=12)).strftime("%d/%m/%Y") in card  # the oldest first
    assert (today - timedelta(days=1)).strftime("%d/%m/%Y") not in card
    assert "and 2 more" in card


def test_login_with_wrong_password_shows_one_message(client, reception):
    response = client.post(reverse("login"), {"username": "rita", "password": "nope"})
    assert "The username or password is not right" in response.content.decode()
    response = client.post(reverse("login"), {"username": "nobody", "password": "nope"})
    assert "The username or password is not right" in response.content.decode()


def test_login_and_role_aware_home(client, reception, practitioner, manager):
    assert (
        client.post(reverse("login"), {"username": "rita", "password": PASSWORD}).status_code == 302
    )
    home = client.get("/").content.decode()
    assert "Recently registered" in home and 'data-role="Reception"' in home
    assert "awaiting clinical review" not in home
    practitioner_home = client_for(practitioner).get("/").content.decode()
    assert "awaiting clinical review" in practitioner_home
    assert "Recently registered" not in practitioner_home
    manager_home = client_for(manager).get("/").content.decode()
    assert "Patients at a glance" in manager_home


def test_home_names_an_unsigned_session_as_product_for_indication(practitioner):
    # "BOTOX, Upper limb spasticity, adult" read as a list of three; the session page's
    # heading says "BOTOX for ...", and the home page now does too.
    from tests.factories import TreatmentSessionFactory
    from treatments.models import Indication

    TreatmentSessionFactory(
        practitioner=practitioner, indication=Indication.objects.get(slug="spasticity-ul-adult")
    )
    home = client_for(practitioner).get("/").content.decode()
    assert "BOTOX for Upper limb spasticity, adult · " in home
    assert "BOTOX, Upper limb" not in home


def test_logout_is_post_only_and_ends_the_session(reception):
    client = client_for(reception)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert client.get("/").status_code == 302


def test_friendly_404(reception_client):
    response = reception_client.get("/no/such/page/")
    assert response.status_code == 404
    assert "We couldn't find that page" in response.content.decode()


def test_security_headers_and_no_store(reception_client, patient):
    response = reception_client.get(patient.get_absolute_url())
    csp = response["Content-Security-Policy"]
    # No inline script anywhere: the nonce is only added to pages that would need one.
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "no-store" in response["Cache-Control"]


def _production_env(**overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env |= {
        "DJANGO_SETTINGS_MODULE": "clinic.settings.production",
        "DJANGO_SECRET_KEY": "x" * 20 + "production-secret-key-for-the-deploy-check-only-0123",
        "DJANGO_ALLOWED_HOSTS": "clinic.example.org",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://app:app@localhost/app"),
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def _manage(*args, env):
    return subprocess.run(  # noqa: S603 - fixed arguments, our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_refuses_to_start_without_secrets(missing):
    result = _manage("check", env=_production_env(**{missing: None}))
    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


def test_production_deploy_check_passes():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env())
    assert result.returncode == 0, result.stdout + result.stderr
