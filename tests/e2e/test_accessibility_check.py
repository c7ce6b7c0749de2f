"""The browser tests' accessibility check (helpers.check_accessibility) can fail: it reports
serious and critical axe-core violations, and leaves out only what cannot be worse than
"moderate" (the rules it does not run)."""

import pytest
from playwright.sync_api import Page

from tests.e2e.helpers import axe_violations, check_accessibility

FLAWED = """<!doctype html><html lang="en"><head><title>Flawed</title></head><body>
<h1>Flawed page</h1>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<input type="text" name="surname">
<p style="color:#bbb;background:#fff">Pale text nobody can read</p>
</body></html>"""


def test_serious_and_critical_violations_are_reported(page: Page):
    page.set_content(FLAWED)
    found = {v["id"]: v["impact"] for v in axe_violations(page)}
    assert found.get("image-alt") == "critical"
    assert found.get("label") == "critical"
    assert found.get("color-contrast") == "serious"
    # Every rule run, nothing left out: the same serious and critical violations (the rules
    # left out report only "moderate" ones, such as this page's missing <main>).
    everything = page.evaluate(
        """async () => (await axe.run(document, { resultTypes: ["violations"] }))
            .violations.map((v) => [v.id, v.impact])"""
    )
    assert {i: v for i, v in everything if v in ("serious", "critical")} == found
    assert any(v == "moderate" for _, v in everything)
    with pytest.raises(AssertionError, match="image-alt"):
        check_accessibility(page, "flawed page")


def test_a_page_without_serious_violations_passes(page: Page):
    page.set_content(
        '<!doctype html><html lang="en"><head><title>Fine</title></head>'
        "<body><main><h1>Fine</h1><p>Readable.</p></main></body></html>"
    )
    assert axe_violations(page) == []
    check_accessibility(page, "fine page")
