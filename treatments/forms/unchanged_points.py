"""The session editor's points, unchanged since the page was made (issue 14.3).

Every save of the editor (Save draft, Sign) posts all its point rows: 31 for a PREEMPT
session. Validating them through 31 Django forms costs about 5 ms a request, although
most saves change none of them: the page shows the stored rows, the practitioner ticks
the confirmations and signs.

So the page carries `points_signature`: an HMAC (the project's SECRET_KEY, salted) over
the session, its version and the rows exactly as the page rendered them. When a
submission's rows are those same strings, at the version the page was opened at, they
are the stored rows, already checked when they were saved: `unchanged_points` returns
them parsed, and the formset is not validated. Anything else (a row edited, added,
removed, reordered or deleted; another version; a missing or wrong signature; a site no
longer on the list) returns None, and the formset validates the rows as always. The
version is checked again under the row lock when the draft is saved (SessionConflict).
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

from django.utils.crypto import constant_time_compare, salted_hmac

from treatments.forms.rendering import plain_number
from treatments.models import InjectionPoint

POINT_FIELDS = InjectionPoint.ROW_FIELDS
SIGNATURE_FIELD = "points_signature"
MAX_ROWS = 80  # PointFormSet's max_num
_SALT = "treatments.forms.unchanged_points"


def _digest(session_pk: int, version: int, rows: list[list[str]]) -> str:
    text = json.dumps([session_pk, version, rows], separators=(",", ":"))
    return salted_hmac(_SALT, text, algorithm="sha256").hexdigest()


def _shown(value) -> str:
    """A value as the row's widget renders it (FastSelect: str; FastNumberInput: a
    Decimal's plain_number)."""
    return "" if value is None else str(plain_number(getattr(value, "pk", value)))


def points_signature(*, session_pk: int, version: int, initial: list[dict]) -> str:
    """The signature for the editor page showing `initial` (the stored points' rows)."""
    rows = [[_shown(row[name]) for name in POINT_FIELDS] for row in initial]
    return _digest(session_pk, version, rows)


def unchanged_points(data, *, session_pk: int, sites) -> list[dict] | None:
    """The submitted points, parsed, when they are exactly the rows the page was made with
    (see the module's docstring); None when they must be validated by the formset.
    `sites`: the form's SiteChoices (its `by_pk`)."""
    signature = data.get(SIGNATURE_FIELD, "")
    try:
        total = int(data.get("points-TOTAL_FORMS", ""))
        version = int(data.get("version", ""))
    except (TypeError, ValueError):
        return None
    if not signature or not 0 < total <= MAX_ROWS:
        return None
    rows = []
    for index in range(total):
        if data.get(f"points-{index}-DELETE"):
            return None
        rows.append([data.get(f"points-{index}-{name}", "") for name in POINT_FIELDS])
    if not constant_time_compare(signature, _digest(session_pk, version, rows)):
        return None
    try:
        return [
            {
                "site": sites.by_pk[int(site)],
                "side": side,
                "units": Decimal(units) if units else None,
                "volume_ml": Decimal(volume) if volume else None,
                "points": int(points),
            }
            for site, side, units, volume, points in rows
        ]
    except (KeyError, ValueError, InvalidOperation):
        return None  # e.g. a site taken off the list since: the formset says so
