"""`{% own_account_history %}`: the signed-in user's own staff-account history (created,
role changes, password links...) on their account page, in one query."""

from django import template

from clinic.staff.selectors import staff_changes_of

register = template.Library()

OWN_HISTORY_ROWS = 20


@register.inclusion_tag("staff/includes/change_table.html", takes_context=True)
def own_account_history(context):
    user = context["request"].user
    return {"changes": list(staff_changes_of(user=user)[:OWN_HISTORY_ROWS])}
