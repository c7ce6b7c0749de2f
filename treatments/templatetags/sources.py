"""`{{ finding.source|source_links }}`: a source text ("DOMAIN §10 rule 40; S89; S56") as
staff read it ("rule 40; S89; S56"), each source code linked to its row on the sources page
(treatments.views.reference), in a new tab."""

import re

from django import template
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()

# A source code as the reference data writes them: "S89", "S3b", "S19b".
CODE = re.compile(r"\bS\d{1,3}[a-z]?\b")


# The clinic's rule list is DOMAIN.md §10 to its developers; to staff it is "rule 40",
# "rules 9-11" (after "DOMAIN §10 " or a bare "§10 "). The document's other sections
# keep their number without the document's name ("§1.4").
RULE = re.compile(r"(?:DOMAIN )?§10 (rules? )")
DOCUMENT = re.compile(r"DOMAIN (§)")


def staff_wording(text: str) -> str:
    return _once_each(DOCUMENT.sub(r"\1", RULE.sub(r"\1", text)))


def _once_each(text: str) -> str:
    """Each source code once: a rule's own codes followed by its reference row's ("rule 30;
    S30; S32; S40; S30, S32, S40" read as the same codes twice: browser check 07/12/2026).
    A part made only of codes already named is left out; other text is kept as written."""
    seen: set[str] = set()
    kept = []
    for part in (p.strip() for p in text.split(";")):
        codes = [c.strip() for c in part.split(",")]
        if part and all(CODE.fullmatch(c) for c in codes):
            new = [c for c in codes if c not in seen]
            seen.update(new)
            if new:
                kept.append(", ".join(new))
            continue
        seen.update(CODE.findall(part))
        kept.append(part)
    return "; ".join(kept)


@register.filter
def source_links(text) -> str:
    text = staff_wording("" if text is None else str(text))
    page = reverse("treatments:sources")
    parts, last = [], 0
    for match in CODE.finditer(text):
        code = match.group()
        parts.append(escape(text[last : match.start()]))
        # In a new tab: from the session editor, a draft being typed stays as it is.
        parts.append(
            format_html(
                '<a href="{}#{}" target="_blank" rel="noopener">{}'
                '<span class="visually-hidden"> (source, opens in a new tab)</span></a>',
                page,
                code,
                code,
            )
        )
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))  # noqa: S308 (each part escaped or built by format_html)
