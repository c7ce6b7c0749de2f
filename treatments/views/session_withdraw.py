"""Withdraw a draft session: the treatment was not given (started in error, the wrong
patient or indication, the patient declined, or it was deferred). A POST from the editor
(the draft's own practitioner) or from the draft's page (a colleague, for a forgotten
draft). Thin: access, form, the service."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from clinic.flash import NAMES_NOBODY
from clinic.permissions import require_perm
from treatments import selectors, services
from treatments.forms import WithdrawForm
from treatments.views.session_record import page_again

WITHDRAWN_MESSAGE = (
    "Draft withdrawn (treatment not given). It stays in the record, counts nowhere, and its "
    "vial is free for other patients."
)
ALREADY_WITHDRAWN_MESSAGE = "This draft was already withdrawn: nothing more was changed."
SIGNED_MESSAGE = "This session is signed: it cannot be withdrawn. Corrections are made by addendum."


@require_perm("treatments.change_treatmentsession")
@require_POST
def session_withdraw(request, public_id):
    session = selectors.session_get_for_user(user=request.user, public_id=public_id)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.session_withdraw(
                session=session,
                by=request.user,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except services.SessionWithdrawn:
            # A second click, or another tab: the withdrawal stands as first recorded.
            messages.info(request, ALREADY_WITHDRAWN_MESSAGE, extra_tags=NAMES_NOBODY)
        except services.SessionLocked:
            messages.error(request, SIGNED_MESSAGE, extra_tags=NAMES_NOBODY)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, WITHDRAWN_MESSAGE, extra_tags=NAMES_NOBODY)
        if not form.errors:
            return redirect("treatments:session_detail", public_id=public_id)
    # Refused (no reason): the draft's page again with the form open and why.
    return page_again(request, session, withdraw_form=form)
