"""What every report table shares: ReportTable, FigureColumn and the cell formatters the
tables and the CSV columns use (yes/no, ages, choice labels, local times, lots).
"""

from datetime import date

import django_tables2 as tables
from django.utils import timezone

from clinic.templatetags.figures import DASH, figure
from treatments.choices import UnitFamily

TABLE_ATTRS = {"class": "table table-sm table-hover align-middle report-table"}
# A column of figures: heading and cells right-aligned.
NUMBER = {"th": {"class": "text-end"}, "td": {"class": "text-end"}}
# Left out below 992 px (an iPad upright), so that a table's last figures stay on the
# screen; shown from 992 px, and always printed.
_WIDE_ONLY = {"class": "d-none d-lg-table-cell d-print-table-cell"}
WIDE_ONLY = {"th": _WIDE_ONLY, "td": _WIDE_ONLY}


def yes_no(value) -> str:
    return "Yes" if value else "No"


def age_on(born: date | None, on: date | None) -> int | None:
    if born is None or on is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def family_label(value) -> str:
    try:
        return UnitFamily(value).label
    except ValueError:
        return value or DASH


def label_of(choices, value) -> str:
    if value in (None, ""):
        return DASH
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def local_dt(value) -> str:
    if value is None:
        return DASH
    return f"{timezone.localtime(value):%d/%m/%Y %H:%M}"


def seriousness(row) -> str:
    reasons = [
        label
        for key, label in (
            ("serious_death", "death"),
            ("serious_life_threatening", "life-threatening"),
            ("serious_hospitalisation", "hospitalisation"),
            ("serious_disability", "disability"),
            ("serious_congenital", "congenital anomaly"),
            ("serious_medically_important", "medically important"),
        )
        if row.get(key)
    ]
    return "Yes: " + ", ".join(reasons) if row.get("is_serious") else "No"


def reaction(row) -> str:
    """The coded term, or what was described when the term is "Other"."""
    return row.get("term_other") or row.get("term_name") or DASH


def lots(row, first="lot", second="second_lot") -> str:
    values = [v for v in (row.get(first), row.get(second)) if v]
    return " + ".join(values) or DASH


class UnitFamilyColumn(tables.Column):
    """The product's unit family ("Allergan (onabotulinumtoxinA)"): left out on an iPad
    upright (WIDE_ONLY), where each row's product brand names it."""

    def __init__(self, **kwargs):
        kwargs.setdefault("accessor", "product__unit_family")
        super().__init__("Unit family", orderable=False, attrs=WIDE_ONLY, **kwargs)

    def render(self, value):
        return family_label(value)


class FigureColumn(tables.Column):
    """A column of counts or units: right-aligned, thousands separated (clinic.templatetags.
    figures)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", NUMBER)
        super().__init__(*args, **kwargs)

    def render(self, value):
        return figure(value)


class ReportTable(tables.Table):
    class Meta:
        attrs = TABLE_ATTRS
        empty_text = "Nothing matches these filters in this period."
        template_name = "django_tables2/bootstrap5.html"

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
