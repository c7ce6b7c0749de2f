"""How findings read: UK dates, numbers without trailing zeros, spans of days in weeks,
prior doses and points in words, and the source keys joined without repeats.

A leading underscore marks a name internal to treatments.safety (used by its rules, not
exported)."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from treatments.safety.facts import PointFacts, PriorDose, ReferenceFacts
from treatments.safety.levels import Finding, Level


def _source_key(item: str) -> str:
    """What makes two source items the same: "DOMAIN §10 rule 2" is "§10 rule 2", and
    "S58 (NICE TA260)" is "S58"."""
    item = item.removeprefix("DOMAIN ").strip()
    first = item.split(" ", 1)[0]
    if first[:1] == "S" and first[1:2].isdigit():
        return first
    return item


def _source(*parts: str) -> str:
    """Join source parts with "; ", dropping blanks and repeats: each part may itself be
    a "; " list (a reference row's source), and an item already given is not repeated."""
    kept: list[str] = []
    keys: set[str] = set()
    for part in parts:
        for item in (part or "").split(";"):
            item = item.strip()
            if item and _source_key(item) not in keys:
                keys.add(_source_key(item))
                kept.append(item)
    return "; ".join(kept)


def _param_source(reference: ReferenceFacts, *keys: str) -> str:
    return _source(*(reference.parameter_sources.get(key, "") for key in keys))


def _d(value: date) -> str:
    """UK date format."""
    return value.strftime("%d/%m/%Y")


def _num(value: Decimal | int) -> str:
    """A number for a message: 5 not 5.00, 6.67 not 6.666..."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize(), "f")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _span(days: int) -> str:
    """Days as text: 12 weeks, 83 days (11 weeks 6 days), 3 days (7 days per week)."""
    weeks, rest = divmod(days, 7)
    if weeks and not rest:
        return _plural(weeks, "week")
    if not weeks:
        return _plural(days, "day")
    return f"{days} days ({_plural(weeks, 'week')} {_plural(rest, 'day')})"


def _ago(days: int) -> str:
    return "today" if days == 0 else f"{_span(days)} ago"


def _dose_text(dose: PriorDose) -> str:
    """A prior dose as "BOTOX 100 U on 24/11/2026 at another clinic, for Upper limb spasticity,
    adult": the indication last, as its name may hold a comma (texts are joined by "; ")."""
    units = f" {_num(dose.units)} U" if dose.units is not None else " (dose unknown)"
    name = dose.indication_name or dose.indication_slug
    indication = f"for {name}" if name else "indication not recorded"
    where = f" at {dose.clinic_name or 'another clinic'}" if dose.elsewhere else ""
    return f"{dose.brand}{units} on {_d(dose.on)}{where}, {indication}"


def _point_name(point: PointFacts) -> str:
    return f"{point.site_name} ({point.side})"


def _finding(code: str, level: Level, message: str, source: str) -> list[Finding]:
    return [Finding(code, level, message, source)]


def _range(low, high, unit: str) -> str:
    if low is None:
        return f"at most {_num(high)}{unit}"
    if high is None:
        return f"at least {_num(low)}{unit}"
    return f"{_num(low)}-{_num(high)}{unit}"
