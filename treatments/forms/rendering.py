"""How the treatments forms render: the UK date input, and the crispy helper for fields
shown inside a page's own <form>."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms


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
