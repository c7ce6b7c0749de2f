"""The session editor's "I have read the warnings" box, and the warnings it was ticked for.

The box's value names the warnings shown beside it when the page (or the live check's
panel) was drawn, as their codes, a code once for each warning of it (two vials discarded
since are two warnings of one code). The live check keeps the box as it is while the
practitioner types (hx-preserve), value and all: a warning that comes up after the tick
is not in it, and signing refuses it until it is read and the box ticked again (a vial
discarded meanwhile, a second one among them, an answer changed in the screening). A
client that sends "on" names none and acknowledges every warning
(services.session_sign's `acknowledge_warnings`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from treatments import safety
from treatments.services.signing import unacknowledged_warnings

ACKNOWLEDGE = "acknowledge"


def warning_codes(findings: Iterable[safety.Finding]) -> str:
    """The box's value: the codes of the warnings shown, sorted, comma-separated, each as
    many times as it is shown."""
    return ",".join(sorted(f.code for f in findings if f.level == safety.Level.WARN))


def acknowledged_warnings(data) -> bool | Counter[str]:
    """What the submission acknowledges: the warnings its box was ticked for (each code
    with how many of its warnings were shown), every one ("on", a client that names
    none), or none (not ticked)."""
    value = (data.get(ACKNOWLEDGE) or "").strip()
    if value == "on":
        return True
    return Counter(code for code in value.split(",") if code)


def ticked_for(data, findings: Iterable[safety.Finding]) -> bool:
    """Whether the box stays ticked on the page drawn again: ticked, and for every warning
    shown now (none come up since the tick), as signing counts them."""
    acknowledged = acknowledged_warnings(data)
    return bool(acknowledged) and not unacknowledged_warnings(list(findings), acknowledged)
