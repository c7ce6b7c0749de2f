"""A form's fields copied per instance without `copy.deepcopy`'s generic machinery.

Every form instance deep-copies its class's `base_fields` (django.forms.BaseForm), and
for the 26-field patient form that copy was the larger part of building the form: about
0.5 ms of CPU per request, on the registration page's GET and again on its POST (issue
14.3). `CheapFieldCopyMetaclass` gives a form class `base_fields` whose deep copy does
what Django's own `__deepcopy__` methods do (Field, ChoiceField, Widget, ChoiceWidget: a
shallow copy of the field and of its widget, and new attrs, error_messages, validators
and choices lists), without going through `copy.deepcopy`'s memo and reduce protocol. A
field or widget of any other class (its own `__deepcopy__`: MultiValueField,
ModelChoiceField, MultiWidget...) is deep-copied as before.

    class PatientForm(forms.ModelForm, metaclass=CheapFieldCopyMetaclass): ...
"""

import copy

from django import forms
from django.forms.models import ModelFormMetaclass
from django.forms.widgets import ChoiceWidget, Widget
from django.utils.functional import Promise

_PLAIN_FIELD_COPIES = (forms.Field.__deepcopy__, forms.ChoiceField.__deepcopy__)
_PLAIN_WIDGET_COPIES = (Widget.__deepcopy__, ChoiceWidget.__deepcopy__)


def _shallow(obj):
    """copy.copy() of an object that keeps its state in __dict__ (what copy.copy does for
    these classes: no __copy__, __reduce__ or __getstate__ of their own)."""
    new = object.__new__(type(obj))
    new.__dict__.update(obj.__dict__)
    return new


def _is_flat(choices) -> bool:
    """Choices whose deep copy is a new list of the same tuples: (value, label) pairs of
    strings, numbers, None or lazy strings (copy.deepcopy returns each such tuple
    itself). Grouped choices hold lists and are deep-copied."""
    return type(choices) is list and all(
        type(choice) is tuple
        and all(item is None or isinstance(item, (str, int, Promise)) for item in choice)
        for choice in choices
    )


def _copy_widget(widget, memo):
    if type(widget).__deepcopy__ not in _PLAIN_WIDGET_COPIES:
        return copy.deepcopy(widget, memo)
    new = _shallow(widget)
    new.attrs = widget.attrs.copy()
    if isinstance(widget, ChoiceWidget):
        new.choices = copy.copy(widget.choices)
    memo[id(widget)] = new
    return new


def _copy_field(field, memo):
    if type(field).__deepcopy__ not in _PLAIN_FIELD_COPIES:
        return copy.deepcopy(field, memo)
    new = _shallow(field)
    memo[id(field)] = new
    new.widget = _copy_widget(field.widget, memo)
    new.error_messages = field.error_messages.copy()
    new.validators = field.validators[:]
    if isinstance(field, forms.ChoiceField):
        choices = field._choices
        new._choices = list(choices) if _is_flat(choices) else copy.deepcopy(choices, memo)
    return new


class CheaplyCopiedFields(dict):
    def __deepcopy__(self, memo):
        return {name: _copy_field(field, memo) for name, field in self.items()}


class CheapFieldCopyMetaclass(ModelFormMetaclass):
    def __new__(mcs, name, bases, attrs):
        new_class = super().__new__(mcs, name, bases, attrs)
        new_class.base_fields = CheaplyCopiedFields(new_class.base_fields)
        return new_class
