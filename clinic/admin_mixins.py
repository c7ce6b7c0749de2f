"""Shared admin behaviour.

The admin is for reference data (managers) and for support (superusers). Rows about
patients are shown to superusers only, and every admin page that shows them writes an
access event like any other page (issue 10): listing, searching, opening a record and
reading its change history.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from clinic.audit import record_access
from clinic.inputs import AsShownField, RefusesStalePage


class ReadOnlyAdminMixin:
    """Nothing added, changed or deleted through the admin, whoever asks: clinical rows
    are written by the services, the access log by clinic.audit. Viewing follows the
    usual view permission.

    That includes django-simple-history's page for one past version of a row: it saves
    its form on POST ("Revert") after checking only the view permission, so a signed
    session could be reverted to its draft, or a patient's name changed, from there."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied("Read-only: a past version is shown, never restored.")
        return super().history_form_view(request, object_id, version_id, extra_context)


class SuperuserOnlyAdminMixin:
    """Patient and clinical rows: superusers only. A manager's model permissions (which
    the app's own pages use) never open them in the admin."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


class AuditedAdminMixin:
    """Every page of this model's admin that shows data writes one access event.

    `audit_patient_path` is the lookup from the model to its patient's pk ("pk" for the
    Patient itself, "patient" for a row that belongs to a patient, "" for none); the
    patient becomes a subquery inside the access event's INSERT, as in clinic.audit.
    """

    audit_patient_path = "patient"

    def _audit(self, request, response, action, object_id=None):
        if response.status_code != 200:  # refused, missing (a redirect), or an error
            return response
        patient = None
        if object_id is not None and self.audit_patient_path:
            try:
                pk = self.model._meta.pk.to_python(object_id)
            except Exception:  # noqa: BLE001 - a malformed id shows nothing to log
                return response
            patient = self.model._default_manager.filter(pk=pk).values(self.audit_patient_path)[:1]
        ref = self.model._meta.label_lower + (f"={object_id}" if object_id is not None else "")
        record_access(request, action=action, patient=patient, object_ref=ref)
        return response

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        action = "admin.search" if request.GET.get("q") else "admin.list"
        return self._audit(request, response, action)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        return self._audit(request, response, "admin.view", object_id)

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        return self._audit(request, response, "admin.history", object_id)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # django-simple-history's page for one past version of the row.
        response = super().history_form_view(request, object_id, version_id, extra_context)
        return self._audit(request, response, "admin.history", object_id)


class ChangedSinceOpenedForm(RefusesStalePage, forms.ModelForm):
    """An admin change form for settings managers edit (reference data, the diary's rooms,
    appointment types and hours): two managers never silently overwrite each other. The
    form carries when the row was last changed (its `updated_at`) as it was opened, and a
    save is refused when the row has changed since (a stale form would put back every
    value it shows, a safety threshold among them)."""

    opened_at = AsShownField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:  # a new row: nothing to have changed since
            self.fields["opened_at"] = forms.CharField(widget=forms.HiddenInput, required=False)
        elif not self.is_bound:
            # As stored now (the history's "revert" page shows an older copy).
            self.initial["opened_at"] = _stamp(self._stored_updated_at())

    def _stored_updated_at(self, *, lock: bool = False):
        rows = type(self.instance)._default_manager.filter(pk=self.instance.pk)
        if lock:
            rows = rows.select_for_update()  # the admin saves in this transaction
        return rows.values_list("updated_at", flat=True).first()

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None or self.is_out_of_date():
            return cleaned
        stored = self._stored_updated_at(lock=True)
        if stored is not None and cleaned.get("opened_at") != _stamp(stored):
            when = timezone.localtime(stored)
            raise forms.ValidationError(
                f"Someone else changed this record at {when:%H:%M} on {when:%d/%m/%Y}, "
                "after you opened it, and nothing was saved. Your entries are still below: "
                "reload the page to see their change, then make yours again."
            )
        return cleaned


def _stamp(value) -> str:
    return value.isoformat() if value is not None else ""
