"""The box under a patient's unsigned sessions when another is started (the new-session
page, the diary's Start session): "Start another session anyway", and the sessions the
page showed above it, so that ticking it acknowledges those and not one started since
(services.session_start's `acknowledge_drafts`). As the diary's AcknowledgesFlags."""

from django import forms


class AcknowledgesOpenDrafts(forms.Form):
    start_anyway = forms.BooleanField(
        required=False,
        label="Start another session anyway",
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    # The public ids of the drafts shown, written by the page (templates/treatments/
    # includes/open_drafts.html).
    drafts_shown = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    # The drafts the page shows (set by the view, or by drafts_raised).
    drafts: tuple = ()
    drafts_changed = False  # ticked under a page that did not show them all: shown unticked
    drafts_unticked = False  # sent from under these drafts with the box empty
    drafts_new = False  # sent from a page that showed none: one was started since

    def drafts_acknowledged(self) -> bool | frozenset[str]:
        """False: not ticked. The drafts shown (public ids), when ticked; True when the page
        sent none (a client that does not write them acknowledges whatever it is told)."""
        data = getattr(self, "cleaned_data", {})
        if not data.get("start_anyway"):
            return False
        shown = frozenset(filter(None, data.get("drafts_shown", "").split(",")))
        return shown or True

    def drafts_raised(self, refusal) -> None:
        """The start was refused (services.OtherDraftsOpen): the page shows the drafts, the
        box unticked when it was ticked under a page that did not show them all, and why
        nothing was started."""
        self.drafts = tuple(refusal.drafts)
        self.drafts_changed = refusal.changed
        sent_from_list = self.add_prefix("drafts_shown") in self.data
        self.drafts_unticked = not refusal.changed and sent_from_list
        self.drafts_new = not refusal.changed and not sent_from_list
        if refusal.changed:
            self.data = self.data.copy()
            self.data.pop(self.add_prefix("start_anyway"), None)

    @property
    def drafts_codes(self) -> str:
        """The drafts shown, as the box sends them back."""
        return ",".join(str(draft.public_id) for draft in self.drafts)


class OpenDraftsForm(AcknowledgesOpenDrafts):
    """The box alone: the diary's Start session (clinic.diary.views.appointment_start)."""
