"""The session editor's point rows as the live check reads them while the form is being
filled: the rows that count, as the engine's facts, and the rows with a dose typed that
do not count yet, with what each still needs (practitioner review 07/12/2026: 500 U typed
over two rows, 300 U shown and no limit finding)."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from treatments import safety, services

# What a row still needs before it counts, by the field whose error says so.
_MISSING = {
    "site": "choose the site",
    "side": "choose the side",
    "units": "check the units",
    "volume_ml": "check the volume",
    "points": "check the number of points",
}


@dataclass(frozen=True)
class UncountedPoint:
    """A point row with a dose typed that the live totals and findings leave out."""

    number: int  # 1-based, as the rows are seen
    site: str  # the site chosen, or "" when none is
    missing: str  # what to do for it to count


def live_point_facts(formset, *, vial=None) -> tuple[list[safety.PointFacts], list[UncountedPoint]]:
    """Rows that validate, for totals and findings while the form is being filled. Units
    and volume are completed at `vial`'s dilution exactly as saving does (rule 6), so a
    point where only the mL was typed counts as the units signing will see. With them,
    the rows with units or a volume typed that do not count yet, and why."""
    facts, uncounted = [], []
    for number, form in enumerate(formset.forms, start=1):
        missing, data = _point_checked(form, vial)
        if missing is None:
            site = data["site"]
            facts.append(
                safety.PointFacts(
                    site_slug=site.slug,
                    site_name=site.name,
                    muscle_group=site.muscle_group,
                    side=data["side"],
                    units=data["units"],
                    volume_ml=data.get("volume_ml"),
                    points=data.get("points") or 1,
                )
            )
        elif missing and _dose_typed(form):
            site = (getattr(form, "cleaned_data", None) or {}).get("site")
            uncounted.append(UncountedPoint(number, site.name if site else "", missing))
    return facts, uncounted


def _point_checked(form, vial) -> tuple[str | None, dict]:
    """(None, the row's units and volume completed) when the row counts; else (what it
    still needs, {}), "" for a row removed or left empty, which is not a point."""
    if not form.is_valid():
        if form.data.get(form.add_prefix("DELETE")):
            return "", {}
        return "; ".join(dict.fromkeys(_MISSING.get(name, "check it") for name in form.errors)), {}
    data = form.cleaned_data
    if not data or data.get("DELETE"):
        return "", {}
    if not data.get("site"):
        return _MISSING["site"], {}
    try:
        data = services.point_units_and_volume(data, vial)
    except ValidationError:
        return "choose the vial (a volume needs its dilution), or enter the units", {}
    if data.get("units") is None:
        return _MISSING["units"], {}
    return None, data


def _dose_typed(form) -> bool:
    return any(
        str(form.data.get(form.add_prefix(name), "")).strip() for name in ("units", "volume_ml")
    )
