"""Helpers shared by the browser tests: sign in like a user, save screenshots, run axe."""

import os
import re
import time
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import Page, expect

from clinic.middleware import SEEN_AT
from clinic.session_store import SessionStore

PASSWORD = "correct-horse-battery"  # the factories' password for every persona
SCREENSHOT_DIR = Path(__file__).resolve().parent / "screenshots"  # git-ignored
# Copied from node_modules by `npm run build` (clinic/static_build.mjs), never committed.
AXE_PATH = Path(__file__).resolve().parents[2] / "clinic/static/vendor/axe-core/axe.min.js"
AXE_FAILING_IMPACTS = ("serious", "critical")
DEFAULT_TIMEOUT_MS = 10_000
# Playwright's assertions wait 5 s by default, whatever the page's timeout: on a busy CI
# machine a page that hashes a password (sign-in, a new password) took longer, once. They
# wait as long as the page's actions do; a failing assertion still fails, 5 s later.
expect.set_options(timeout=DEFAULT_TIMEOUT_MS)


def login(
    page: Page,
    live_server,
    username: str,
    password: str = PASSWORD,
    *,
    through_form: bool = False,
) -> Page:
    """Sign in and wait for the home page.

    Through the login form when `through_form` (the tests about signing in, the idle
    sign-out and its drafts, the login page itself) or with another password than the
    personas'. Otherwise the session is made on the server as Django's test client's
    force_login makes it (django.contrib.auth.login: the same signals, session store and
    middleware checks afterwards) and its cookie handed to the browser: the form's three
    page loads cost about a second of Chromium and server time per test, and the login
    form has its own tests (test_navigation, test_draft_restore, test_staff_flow,
    test_session_screens, tests/clinic/test_auth*)."""
    page.set_default_timeout(DEFAULT_TIMEOUT_MS)
    if through_form or password != PASSWORD:
        page.goto(f"{live_server.url}/accounts/login/")
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
    else:
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        page.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                    "httpOnly": True,
                    "sameSite": "Lax",
                }
            ]
        )
        page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server.url)}/?$"))
    expect(account_menu(page, include_hidden=True)).to_be_attached()  # collapsed when narrow
    return page


def account_menu(page: Page, *, include_hidden: bool = False):
    """The navbar's account menu (the user's name), which holds Sign out."""
    return page.get_by_role("navigation", name="Main").get_by_role(
        "button", name=re.compile(r"\(account menu\)$"), include_hidden=include_hidden
    )


MENU_SHOWN = re.compile(r"(^|\s)show(\s|$)")


def open_menu(page: Page) -> None:
    """Open the navbar where it is collapsed (narrow screens) and wait until Bootstrap's
    collapse has finished: a click on the account menu while the navbar is still
    "collapsing" can be lost (CI on a loaded machine, 03/12/2026)."""
    toggle = page.get_by_role("button", name="Toggle navigation")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
        expect(page.locator("#nav-main")).to_have_class(MENU_SHOWN)


def sign_out(page: Page) -> None:
    """Open the menu (collapsed on narrow screens), then the account menu; Sign out."""
    open_menu(page)
    account_menu(page).click()
    page.get_by_role("button", name="Sign out").click()


def idle_for_longer_than_the_limit(page: Page) -> None:
    """Set the server-side session's idle clock back, as if 16 minutes had passed."""
    cookie = next(c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    session = SessionStore(session_key=cookie["value"])
    session[SEEN_AT] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT - 60
    session.save()


def staff_name_pattern(user) -> str:
    """Regex for how a page names a staff member: full name, or username when it has none."""
    names = {user.get_username()}
    if user.get_full_name():
        names.add(user.get_full_name())
    return "(?:" + "|".join(re.escape(name) for name in sorted(names)) + ")"


def phone_pattern(digits: str) -> str:
    """Regex for a stored phone number shown as stored or in groups (07700 900123)."""
    return r"\s?".join(re.escape(d) for d in digits)


def shot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as tests/e2e/screenshots/<name>.png (not under CI=true,
    whose clone is thrown away), then check the page with axe-core: every page worth a
    screenshot is checked for accessibility."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    if os.environ.get("CI") != "true":  # CI keeps no files: ~0.25 s of Chromium each
        page.screenshot(path=str(path), full_page=True)
    check_accessibility(page, name)
    return path


@cache
def _axe_source() -> str:
    if not AXE_PATH.is_file():
        raise FileNotFoundError(f"{AXE_PATH} is missing: run `npm ci && npm run build`.")
    return AXE_PATH.read_text(encoding="utf-8")


def axe_violations(page: Page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now (the rules that
    can report nothing worse than "moderate" are left out: they could not fail the test).

    axe is evaluated, not injected: the app's CSP refuses an inline script tag, but
    page.evaluate() runs outside it.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    violations = page.evaluate(
        """async () => {
            // Rules whose violations are at most "moderate" cannot fail the test: not run
            // (about a quarter of axe's time on the session editor). Every rule runs if
            // the rules' impacts cannot be read.
            const low = new Set(["minor", "moderate"]);
            const rules = (axe._audit && axe._audit.rules) || [];
            const skipped = Object.fromEntries(
                rules.filter((r) => low.has(r.impact)).map((r) => [r.id, { enabled: false }])
            );
            const results = await axe.run(document, {
                resultTypes: ["violations"], rules: skipped,
            });
            return results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map((n) => ({ target: n.target, summary: n.failureSummary })),
            }));
        }"""
    )
    return [v for v in violations if v["impact"] in AXE_FAILING_IMPACTS]


def check_accessibility(page: Page, where: str = "") -> None:
    """Fail on any serious or critical axe-core violation, naming each with its elements."""
    violations = axe_violations(page)
    if not violations:
        return
    lines = [f"axe-core: {len(violations)} serious/critical violation(s) on {where or page.url}"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"][:10]:
            lines.append(f"  at {node['target']}: {node['summary']}")
    raise AssertionError("\n".join(lines))
