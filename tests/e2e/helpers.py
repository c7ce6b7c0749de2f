"""Helpers shared by the browser tests: sign in like a user, save screenshots."""

import re
from pathlib import Path

from playwright.sync_api import Page, expect

PASSWORD = "correct-horse-battery"  # the factories' password for every persona
SCREENSHOT_DIR = Path(__file__).resolve().parent / "screenshots"  # git-ignored
DEFAULT_TIMEOUT_MS = 10_000


def login(page: Page, live_server, username: str, password: str = PASSWORD) -> Page:
    """Sign in through the login form and wait for the home page."""
    page.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server.url)}/?$"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return page


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
    """Save a full-page screenshot as tests/e2e/screenshots/<name>.png."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
