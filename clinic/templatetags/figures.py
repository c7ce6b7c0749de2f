"""Counts and units as staff read them on a page: `{{ value|figure }}`; rates and shares
to one decimal: `{{ value|rate }}`, `{{ value|rate:"%" }}`.

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


@register.filter
def rate(value, suffix: str = "") -> str:
    """A rate or a share to one decimal, kept so that a column reads alike ("19.0", "5.9";
    "0.0" when nothing happened), `suffix` after it; None (no figure: nothing to divide
    by): a dash, without the suffix."""
    if value is None:
        return DASH
    return f"{value:,.1f}{suffix}"
