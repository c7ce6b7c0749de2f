"""A form's crispy layout and its plain widgets written in Python (issue 14.3).

The registration page took 16 ms of Django CPU, three quarters of it rendering the
24-field patient form through crispy-forms: crispy renders every field through its
bootstrap5 `field.html`, a template of nested conditions and includes, and compiles a
template from each fieldset's legend on every render; then each widget renders through
Django's widget templates (an include per `<option>`). With what is here the page takes
3 ms (bench/README.md, "Registration form"). Each piece is checked against what it
replaces (tests/clinic/test_form_rendering.py compares the markup of every field in
every state):

- `render_layout(form)` (`{% render_layout form %}`, clinic/templatetags/layout_forms.py)
  walks the form's crispy layout (still declared next to the fields, STYLE 14) and writes
  the markup crispy-bootstrap5 writes for it (vertical form, labels shown, errors inline):
  the same wrapper ids and classes, required marks, help texts and error ids that the
  widgets' `aria-describedby` points at, the `textinput form-control is-invalid` classes,
  the non-field errors above the fields and the unmentioned hidden fields after them.
  Radio buttons and tick boxes (RadioSelect, CheckboxSelectMultiple) are written as
  crispy's radio_checkbox_select.html writes them. Layout objects other than Layout,
  Fieldset, Row, Column, Div, Field (default template) and HTML without template syntax
  raise TypeError: a form that needs them keeps `{% crispy %}`. A form class
  with `layout_cache = True` has its empty layout written once per process. A form
  without a helper is written as crispy's `|crispy` filter writes it: its fields in
  order, each error in a <p> (the vial's forms, the archive, the password and two-step
  sign-in pages).
- `WidgetRenderer`, the project's form renderer (settings.FORM_RENDERER: every form, the
  reports' filters, crispy forms' widgets, the patient form's), writes Django's own
  `<input>`, `<select>` and `<option>` templates in Python from the widget's context
  (`Widget.get_context`: values, `required`, `aria-*`, attributes all still Django's);
  any other template, or one a project or app overrides, renders as before. A report
  page with hostile filters: 32.5 -> 24.2 ms of CPU (06/12/2026).
"""

from collections.abc import Callable
from html import escape as _html_escape
from pathlib import Path

from crispy_forms.layout import HTML, Column, Div, Field, Fieldset, Layout, Row
from crispy_forms.templatetags.crispy_forms_filters import optgroups
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

REQUIRED_MARK = '<span class="asteriskField">*</span>'


def _html(template: str, *args) -> SafeString:
    """format_html(): the arguments escaped unless safe (a bound field renders its
    widget), with a fast path for plain strings (format_html's conditional_escape goes
    through keep_lazy's check of every argument, a third of the layout's time)."""
    return SafeString(
        template.format(
            *(_html_escape(a) if type(a) is str else conditional_escape(a) for a in args)
        )
    )


def render_layout(form) -> SafeString:
    helper = getattr(form, "helper", None)  # None: a form the `|crispy` filter rendered
    parts = []
    if errors := form.non_field_errors():
        items = format_html_join("", "<li>{}</li>", ((error,) for error in errors))
        parts.append(
            _html(
                '<div class="alert alert-block alert-danger"><ul class="m-0">{}</ul></div>', items
            )
        )
    key = _unbound_key(form)
    if key is None or (cached := _UNBOUND_LAYOUTS.get(key)) is None:
        rendered: set[str] = set()
        # No layout (or no helper): every field in the form's order, hidden ones in place,
        # as crispy's display_form.html and uni_form.html (the `|crispy` filter) write them.
        layout = getattr(helper, "layout", None)
        if layout is None:
            layout = Layout(*form.fields)
        cached = (_render(layout, form, rendered), frozenset(rendered))
        if key is not None:
            if len(_UNBOUND_LAYOUTS) >= 64:  # a handful of forms and variants in practice
                _UNBOUND_LAYOUTS.clear()
            _UNBOUND_LAYOUTS[key] = cached
    layout, rendered = cached
    parts.append(layout)
    # The hidden fields the layout left out, fresh each time (the one-time token is one).
    if helper is not None and helper.render_hidden_fields:
        parts.extend(
            str(form[name])
            for name, field in form.fields.items()
            if name not in rendered and field.widget.is_hidden
        )
    # Every part is escaped (_html, format_html_join) or a widget's own markup.
    return mark_safe(" ".join(parts))  # noqa: S308


# The layout of an empty form whose class sets `layout_cache = True`, by form class,
# layout object, fields, prefix, ids and language: written once per process. Such a
# form promises that, unbound and without initial data, its fields render the same on
# every request (no per-request labels, choices or initial values: the patient form).
# Hidden fields, the non-field errors, a bound form and one with initial data (the edit
# form) are written every time.
_UNBOUND_LAYOUTS: dict[tuple, tuple[str, frozenset[str]]] = {}


def _unbound_key(form) -> tuple | None:
    if not getattr(form, "layout_cache", False) or form.is_bound or form.initial:
        return None
    for field in form.fields.values():
        if not field.widget.is_hidden and (
            callable(field.initial) or isinstance(field, forms.ModelChoiceField)
        ):
            return None
    # The layout object itself (hashed by identity, kept alive by the key), not its id.
    layout = form.helper.layout
    return (type(form), layout, tuple(form.fields), form.prefix, form.auto_id, get_language())


# Python writers of an app's own crispy field templates (`Field(name, template=...)`), by
# template name: `@writes_field_template(name)` next to the layout that uses it, and a test
# that compares its markup with the template's.
FIELD_WRITERS: dict[str, Callable[[forms.BoundField], str]] = {}


def writes_field_template(template_name: str):
    def register(writer: Callable[[forms.BoundField], str]):
        FIELD_WRITERS[template_name] = writer
        return writer

    return register


def _render(node, form, rendered: set[str], attrs: dict | None = None) -> str:
    if isinstance(node, str):
        return _field(form, node, rendered, attrs or {})
    kind = type(node)
    if kind is HTML and not any(mark in node.html for mark in ("{{", "{%", "{#")):
        return node.html  # the layout's own markup, with nothing for a template to fill in
    if kind is Field and node.template == Field.template and not node.wrapper_class:
        return " ".join(_render(name, form, rendered, node.attrs) for name in node.fields)
    if kind is Field and node.template in FIELD_WRITERS and not (node.wrapper_class or node.attrs):
        rendered.update(node.fields)
        write = FIELD_WRITERS[node.template]
        return " ".join(write(form[name]) for name in node.fields)
    if kind not in (Layout, Fieldset, Row, Column, Div):
        raise TypeError(f"render_layout cannot write {node!r}: use {{% crispy %}} for this form")
    inner = " ".join(_render(child, form, rendered) for child in node.fields)
    if kind is Layout:
        return inner
    if kind is Fieldset and not (node.css_id or node.css_class or node.flat_attrs):
        legend = _html("<legend>{}</legend> ", node.legend) if node.legend else ""
        return f"<fieldset>{legend}{inner} </fieldset>"
    if kind in (Row, Column, Div) and not (node.css_id or node.flat_attrs):
        css = node.css_class or ""
        if kind is Row:
            css = f"row {css}"
        elif kind is Column and "col" not in css:
            css = f"col-md {css}"
        opening = _html('<div class="{}">', css) if css else "<div>"
        return f"{opening}{inner} </div>"
    raise TypeError(f"render_layout cannot write {node!r}: use {{% crispy %}} for this form")


def _field(form, name: str, rendered: set[str], attrs: dict) -> str:
    bound = form[name]  # KeyError for a name the form does not have
    rendered.add(name)
    widget = bound.field.widget
    if bound.is_hidden:
        return str(bound)
    if isinstance(widget, forms.RadioSelect):  # CheckboxSelectMultiple is one too
        if attrs:  # crispy writes a Field's attributes on the options' <div> here
            raise TypeError(f"render_layout does not write {name} with attributes")
        return _choices(bound)
    if isinstance(widget, forms.FileInput):
        raise TypeError(f"render_layout does not write {type(widget).__name__} ({name})")
    widget.attrs.update(attrs)  # a Field's attributes, as crispy's render_field
    checkbox = isinstance(widget, forms.CheckboxInput)
    if checkbox:
        control = "form-check-input"
    elif isinstance(widget, forms.Select):
        control = "form-select"
    else:
        control = "form-control"
    # crispy's crispy_field: the widget's class name, then the pack's classes.
    css = widget.attrs.get("class", "")
    kind = type(widget).__name__.lower()
    if kind not in css:
        css = f"{css} {kind}" if css else kind
    for extra in (control, "is-invalid") if bound.errors else (control,):
        if extra not in css.split():
            css = f"{css} {extra}"
    widget.attrs["class"] = css

    required = bound.field.required
    mark = mark_safe(REQUIRED_MARK) if required else ""  # noqa: S308 (a constant)
    label_css = " requiredField" if required else ""
    tail = _errors_and_help(bound)
    wrapper = " ".join(c for c in ("form-check" if checkbox else "mb-3", bound.css_classes()) if c)
    if checkbox:
        return _html(
            '<div class="mb-3"> <div id="div_{}" class="{}"> {} '
            '<label for="{}" class="form-check-label{}">{}{}</label>{} </div> </div>',
            bound.auto_id, wrapper, bound, bound.id_for_label, label_css, bound.label, mark, tail,
        )  # fmt: skip
    return _html(
        '<div id="div_{}" class="{}"> <label for="{}" class="form-label{}">{}{}</label> '
        "{}{} </div>",
        bound.auto_id, wrapper, bound.id_for_label, label_css, bound.label, mark, bound, tail,
    )  # fmt: skip


def _choices(bound) -> str:
    """Radio buttons and tick boxes, as crispy-bootstrap5's field.html and
    layout/radio_checkbox_select.html write them (not inline): the label as the legend of a
    fieldset, one form-check per option, the errors under the last option, then the help."""
    required = bound.field.required
    use_fieldset = bound.use_fieldset
    wrapper = " ".join(c for c in ("mb-3", bound.css_classes()) if c)
    out = [_html('<div id="div_{}" class="{}">', bound.auto_id, wrapper)]
    if bound.label:
        tag = "legend" if use_fieldset else "label"
        if use_fieldset:
            described = bound.aria_describedby
            out.append(
                _html('<fieldset aria-describedby="{}">', described) if described else "<fieldset>"
            )
        css = "form-label"
        css += " requiredField" if required else ""
        css += " fs-6" if use_fieldset else ""
        target = _html(' for="{}"', bound.id_for_label) if bound.id_for_label else ""
        mark = REQUIRED_MARK if required else ""
        out.append(
            _html("<" + tag + '{} class="{}">{}', target, css, bound.label) + f"{mark}</{tag}>"
        )
    errors = bound.errors
    invalid = " is-invalid" if errors else ""
    out.append("<div>")
    groups = optgroups(bound)
    for number, (group, options, _index) in enumerate(groups, start=1):
        if group:
            out.append(_html("<strong>{}</strong>", group))
        for position, option in enumerate(options, start=1):
            out.append(
                f'<div class="form-check"><input type="{_esc(option["type"])}" '
                f'class="form-check-input{invalid}" name="{_esc(bound.html_name)}" '
                f'value="{_esc(str(option["value"]))}"{_attrs(option["attrs"])}>'
                f'<label for="{_esc(_s(option["attrs"].get("id", "")))}" class="form-check-label">'
                f"{conditional_escape(str(option['label']))}</label>"
            )
            if errors and position == len(options) and number == len(groups):
                out.append(
                    _html('<div id="{}_error" class="invalid-feedback">', bound.auto_id)
                    + "".join(
                        _html('<p id="error_{}_{}"><strong>{}</strong></p>', i, bound.auto_id, e)
                        for i, e in enumerate(errors, start=1)
                    )
                    + "</div>"
                )
            out.append("</div>")
    out.append("</div>")
    out.append(_help(bound))
    if use_fieldset and bound.label:
        out.append("</fieldset>")
    out.append("</div>")
    return "".join(out)


def _errors_and_help(bound) -> SafeString:
    """crispy-bootstrap5's layout/help_text_and_errors.html: each error in a <span> when the
    form's helper says error_text_inline (its default), in a <p> without a helper (the
    `|crispy` filter's field_errors_block.html)."""
    out = ""
    if bound.errors:
        helper = getattr(bound.form, "helper", None)
        tag = "span" if helper is not None and helper.error_text_inline else "p"
        each = format_html_join(
            " ",
            f'<{tag} id="error_{{}}_{{}}"><strong>{{}}</strong></{tag}>',
            ((i, bound.auto_id, error) for i, error in enumerate(bound.errors, start=1)),
        )
        out += _html(' <div id="{}_error" class="invalid-feedback"> {} </div>', bound.auto_id, each)
    out += _help(bound)
    return mark_safe(out)  # noqa: S308 (built with _html)


def _help(bound) -> str:
    """crispy-bootstrap5's layout/help_text.html (not inline)."""
    if not bound.help_text:
        return ""
    # The form's own wording, not escaped (crispy's help_text|safe, Django's too).
    help_text = mark_safe(bound.help_text)  # noqa: S308
    if not bound.auto_id:
        return _html(' <div class="form-text">{}</div>', help_text)
    return _html(' <div id="{}_helptext" class="form-text">{}</div>', bound.auto_id, help_text)


# Widgets -------------------------------------------------------------------------------

DJANGO_WIDGETS = Path(forms.__file__).parent / "templates"
INPUTS = ("input", "text", "date", "email", "checkbox", "hidden", "number", "tel", "url")


def _esc(value) -> str:
    """{{ value }} in a Django template: localised, then escaped unless already safe."""
    if type(value) is str:  # neither safe nor lazy, and localize() returns it unchanged
        return _html_escape(value)  # what django.utils.html.escape does with it
    return conditional_escape(localize(value))


def _s(value):
    """|stringformat:'s', which keeps a safe string safe."""
    return value if isinstance(value, str) else str(value)


def _attrs(attrs: dict) -> str:
    # django/forms/widgets/attrs.html
    return "".join(
        f" {_esc(name)}" if value is True else f' {_esc(name)}="{_esc(_s(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:
    # django/forms/widgets/input.html
    value = widget["value"]
    shown = "" if value is None else f' value="{_esc(_s(value))}"'
    return (
        f'<input type="{_esc(widget["type"])}" name="{_esc(widget["name"])}"'
        f"{shown}{_attrs(widget['attrs'])}>"
    )


def _input_option(widget: dict) -> str:
    # django/forms/widgets/input_option.html (what radio_option.html and
    # checkbox_option.html include), the renderer's strip() applied
    if not widget.get("wrap_label"):
        return _input(widget)
    target = widget["attrs"].get("id")
    opening = f'<label for="{_esc(target)}">' if target else "<label>"
    return f"{opening}{_input(widget)}\n {_esc(widget['label'])}</label>"


def _option(option: dict) -> str:
    # django/forms/widgets/select_option.html
    value = _esc(_s(option["value"]))
    return f'<option value="{value}"{_attrs(option["attrs"])}>{_esc(option["label"])}</option>'


class WidgetRenderer(DjangoTemplates):
    """Django's default form renderer, with its own input, select and option templates
    written in Python (the same characters; tests/clinic/test_form_rendering.py)."""

    @cached_property
    def _written(self) -> frozenset[str]:
        # Only the templates that still resolve to Django's own files: an override in a
        # project or app template folder renders through the template, as it would.
        def own(*names: str) -> set[str]:
            paths = {f"django/forms/widgets/{n}.html" for n in names}
            return {
                p for p in paths if Path(self.get_template(p).origin.name) == DJANGO_WIDGETS / p
            }

        written = own(*INPUTS, "select", "select_option")
        # A radio button or tick box includes input_option.html, which includes input.html:
        # written here only while those are Django's too.
        if len(own("input", "input_option")) == 2:
            written |= own("radio_option", "checkbox_option")
        return frozenset(written)

    def render(self, template_name, context, request=None):
        if template_name not in self._written:
            return super().render(template_name, context, request=request)
        widget = context["widget"]
        if template_name.endswith("/select.html"):
            return self._select(widget, context, request)
        if template_name.endswith("/select_option.html"):
            return _option(widget)
        if template_name.endswith(("/radio_option.html", "/checkbox_option.html")):
            return _input_option(widget)
        return _input(widget)

    def _select(self, widget: dict, context, request) -> str:
        # django/forms/widgets/select.html
        out = [f'<select name="{_esc(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                out.append(f'\n  <optgroup label="{_esc(group_name)}">')
            for option in group_choices:
                if option["template_name"] not in self._written:  # another option template
                    return super().render(widget["template_name"], context, request=request)
                out.append(f"\n  {_option(option)}\n")  # the included file's last newline
            if group_name:
                out.append("\n  </optgroup>")
        out.append("\n</select>")
        return "".join(out)
