"""`{% render_layout form %}`: the form's crispy layout written in Python, with the markup
crispy-bootstrap5 gives it (clinic/form_rendering.py; issue 14.3)."""

from django import template

from clinic.form_rendering import render_layout as _render_layout

register = template.Library()


@register.simple_tag
def render_layout(form):
    return _render_layout(form)
