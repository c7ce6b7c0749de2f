"""Crawler (issue 6): for each role, start at home and follow every same-site link (GET,
bounded); every response carries the security headers, every signed-in page is
`no-store`, and no page has an inline script or inline event handler (CSP)."""

import re
from collections import deque
from datetime import date
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from tests.conftest import client_for
from tests.factories import (
    FollowUpFactory,
    InjectionPointFactory,
    OutcomeAssessmentFactory,
    PatientFactory,
    QuestionnaireFactory,
    SideEffectFactory,
    TreatmentSessionFactory,
)

# Which pages audit (or set the headers) is the same code on either engine: the first pass
# only (CONTRIBUTING.md, 7).
pytestmark = [pytest.mark.django_db, pytest.mark.engine_independent]

MAX_PAGES_PER_ROLE = 150
HREF = re.compile(r'href="([^"#]+)')
SKIP_PREFIXES = ("/accounts/logout/", "/admin/", "/static/")
# Executable inline scripts (json_script data blocks are type="application/json": inert).
INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)(?![^>]*application/json)[^>]*>", re.I
)
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\s(on[a-z]+)\s*=", re.I)


TEMPLATE_SYNTAX = re.compile(r"\{[#%{].{0,40}")


def check_headers(url: str, response, *, signed_in: bool) -> list[str]:
    problems = []
    if response.status_code >= 500:
        problems.append(f"{url}: {response.status_code}")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"{url}: X-Content-Type-Options")
    if response.get("Referrer-Policy") != "same-origin":
        problems.append(f"{url}: Referrer-Policy")
    if response.get("X-Frame-Options") != "DENY":
        problems.append(f"{url}: X-Frame-Options")
    csp = response.get("Content-Security-Policy", "")
    if "frame-ancestors 'none'" not in csp or "unsafe-inline" in csp:
        problems.append(f"{url}: Content-Security-Policy {csp!r}")
    if signed_in and "no-store" not in response.get("Cache-Control", ""):
        problems.append(f"{url}: Cache-Control {response.get('Cache-Control')!r}")
    if "text/html" in response.get("Content-Type", "") and not response.streaming:
        html = response.content.decode()
        if INLINE_SCRIPT.search(html):
            problems.append(f"{url}: inline <script> without a nonce")
        if match := INLINE_HANDLER.search(html):
            problems.append(f"{url}: inline event handler {match.group(1)}")
        if match := TEMPLATE_SYNTAX.search(html):
            # A multi-line {# #} comment, or a tag mistyped, is shown to the user as text.
            problems.append(f"{url}: template syntax on the page: {match.group(0)!r}")
    return problems


def page_kind(url: str):
    """Pages of the same route with the same query parameter names are one kind of page:
    visiting one of each keeps the crawl bounded (3 patients, 1 visit per patient page)."""
    parts = urlsplit(url)
    try:
        route = resolve(parts.path).route
    except Resolver404:
        route = parts.path
    return route, frozenset(name for name, _ in parse_qsl(parts.query, keep_blank_values=True))


def crawl(
    client: Client, *, signed_in: bool = True, pages: dict[str, str] | None = None
) -> tuple[set[str], list[str]]:
    """(every URL reached, the header problems found). `pages`, when given, receives each
    HTML page's text by URL, as it was read (the hostile-input test looks for forms in
    them rather than reading every page again)."""
    seen, queue, problems = {"/"}, deque(["/"]), []
    kinds = {page_kind("/")}
    while queue and len(seen) <= MAX_PAGES_PER_ROLE:
        url = queue.popleft()
        response = client.get(url)
        problems += check_headers(url, response, signed_in=signed_in)
        if response.status_code in (301, 302):
            target = response["Location"]
            if target.startswith("/") and target not in seen:
                seen.add(target)
                queue.append(target)
            continue
        if response.streaming or "text/html" not in response.get("Content-Type", ""):
            continue
        text = response.content.decode()
        if pages is not None:
            pages[url] = text
        for href in HREF.findall(text):
            href = href.replace("&amp;", "&")
            if not href.startswith("/") or href.startswith("//") or href.startswith(SKIP_PREFIXES):
                continue
            if href not in seen and page_kind(href) not in kinds:
                kinds.add(page_kind(href))
                seen.add(href)
                queue.append(href)
    return seen, problems


@pytest.fixture
def clinic_data(reception, practitioner, manager):
    from patients.models import SubjectAccessRequest

    for n in range(3):
        patient = PatientFactory(registered_by=reception)
        QuestionnaireFactory(patient=patient, entered_by=reception)
        session = TreatmentSessionFactory(patient=patient, practitioner=practitioner)
        InjectionPointFactory(session=session)
        FollowUpFactory(patient=patient, assigned_to=practitioner)
        OutcomeAssessmentFactory(patient=patient, recorded_by=practitioner)
        SideEffectFactory(session=session)
        if n == 0:
            SubjectAccessRequest.objects.create(
                patient=patient, received_on=date(2026, 1, 5), recorded_by=manager
            )


@pytest.mark.parametrize("persona", ["reception", "practitioner", "manager"])
def test_crawl_every_page_a_role_reaches(persona, request, clinic_data):
    user = request.getfixturevalue(persona)
    seen, problems = crawl(client_for(user))
    assert len(seen) > 5, seen  # it did crawl
    assert not problems, "\n".join(problems)


def test_anonymous_pages_carry_the_headers():
    client = Client()
    for url in ("/", "/accounts/login/", "/healthz", "/patients/"):
        response = client.get(url)
        assert not check_headers(url, response, signed_in=False)
    assert "no-store" in client.get("/healthz").get("Cache-Control", "")


def test_crawler_detects_a_missing_header():
    """The checks above can fail."""
    from django.http import HttpResponse

    bare = HttpResponse(
        "<p>hi</p><script>alert(1)</script>{# a comment over\n two lines #}",
        content_type="text/html",
    )
    problems = check_headers("/x", bare, signed_in=True)
    assert any("template syntax on the page" in p for p in problems)
    assert any("nosniff" in p or "X-Content-Type-Options" in p for p in problems)
    assert any("inline <script>" in p for p in problems)
    assert any("Cache-Control" in p for p in problems)
