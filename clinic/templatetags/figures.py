"""Counts and units as staff read them on a page: `{{ value|figure }}`.

"1,234.5", not "1234.50": thousands separated (a year's units at a clinic group run to
six figures) and no trailing zeros, the same in the report tables (FigureColumn) and on
the dashboard. CSV files keep plain numbers, which a spreadsheet reads as numbers. A
global USE_THOUSAND_SEPARATOR would also group the ids that templates put into URLs.
"""

from decimal import Decimal

from django import template

register = template.Library()

DASH = "—"


@register.filter
def figure(value) -> str:
    """An int or a Decimal, grouped by thousands, without trailing zeros; None: a dash;
    anything else (a text such as "17 days") as it is."""
    if value is None:
        return DASH
    if isinstance(value, Decimal):
        return f"{value.normalize():,f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)
