"""Showing plain export values (dates, booleans, empties) in the subject access copy.
Values stay strings for the autoescaper: nothing here is marked safe."""

import datetime as dt

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def field_value(row: dict, name: str) -> str:
    return plain_value(row.get(name))


@register.filter
def plain_value(value) -> str:
    """One value as the reader sees it: UK dates, Yes/No, a dash for nothing."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


@register.filter
def history_labels(section) -> dict:
    """Column labels of a section's history rows: when, how, who, then the fields."""
    base = {"history_date": "Changed at", "history_type": "Change", "history_user": "By"}
    return {**base, **section.labels}
