"""How the treatments forms render: the UK date input, the crispy helper for fields
shown inside a page's own <form>, and a Select rendered without a template per option."""

from decimal import Decimal
from html import escape  # Django's escape() is this, behind a lazy-string wrapper

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.utils.safestring import mark_safe


def date_input():
    return forms.DateInput(
        format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "autocomplete": "off"}
    )


def no_tag_helper(*fields) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    # Hidden fields outside the layout still render (the one-time submission token).
    helper.render_hidden_fields = True
    if fields:
        helper.layout = Layout(*fields)
    return helper


def flatatt(attrs: dict) -> str:
    """Django's flatatt (True: the bare name; False and None: left out), without a
    format_html per attribute."""
    return "".join(
        f" {key}" if value is True else f' {key}="{escape(str(value))}"'
        for key, value in attrs.items()
        if value is not False and value is not None
    )


class FastSelect(forms.Select):
    """A Select that writes its options in Python instead of one template render per
    option: the session editor shows 31 PREEMPT rows, each with every anatomical site
    (3,000+ option templates per page otherwise). Same HTML as Django's Select, less
    whitespace. `option_cache`, when set (a dict shared by the rows of the formsets built
    from one SiteChoices, across requests and threads), keeps the options' HTML."""

    option_cache: dict | None = None

    def _options_html(self) -> tuple[str, dict[str, int]]:
        """The options without a selection, and where each value's " selected" would go."""
        cache = self.option_cache
        if cache is not None and "html" in cache:
            return cache["html"]
        parts: list[str] = []
        at: dict[str, int] = {}
        length = 0

        def add(text: str) -> None:
            nonlocal length
            parts.append(text)
            length += len(text)

        def option(value, label) -> None:
            value = "" if value is None else str(value)
            add(f'<option value="{escape(value)}"')
            at.setdefault(value, length)
            add(f">{escape(str(label))}</option>")

        for value, label in self.choices:
            if isinstance(label, (list, tuple)):
                add(f'<optgroup label="{escape(str(value))}">')
                for sub_value, sub_label in label:
                    option(sub_value, sub_label)
                add("</optgroup>")
            else:
                option(value, label)
        html = "".join(parts)
        if cache is not None:
            # One item, so that another thread never sees the HTML without its positions.
            cache["html"] = (html, at)
        return html, at

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        html, at = self._options_html()
        selected = self.format_value(value)
        position = at.get(selected[0]) if selected else None
        if position is not None:
            html = f"{html[:position]} selected{html[position:]}"
        return mark_safe(f'<select name="{escape(name)}"{flatatt(final)}>{html}</select>')  # noqa: S308 - every part escaped above


class FastInputMixin:
    """An <input> written in Python, with the attributes Django's own template would give
    it (the point rows' units, volume, points and remove box: 124 template renders on a
    PREEMPT page otherwise)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        html = f'<input type="{escape(str(widget["type"]))}" name="{escape(name)}"'
        if widget["value"] is not None:
            html += f' value="{escape(str(widget["value"]))}"'
        return mark_safe(f"{html}{flatatt(widget['attrs'])}>")  # noqa: S308 - escaped above


def plain_number(value):
    """A Decimal as a person writes it: "150" and "3", not the column's "150.00" and
    "3.000" (practitioner review 07/12/2026); "0.062" stays. Other values as they are."""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return value


class FastNumberInput(FastInputMixin, forms.NumberInput):
    def format_value(self, value):
        return super().format_value(plain_number(value))


class FastCheckboxInput(FastInputMixin, forms.CheckboxInput):
    pass
