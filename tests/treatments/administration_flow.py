"""A lot-tracked administration as the practitioner does it, request by request: start a
chronic-migraine BOTOX session (PREEMPT, 31 points) that draws from a reconstituted vial,
save the draft, sign it. Shared by the pinned query budgets
(tests/treatments/test_session_write_queries.py) and the bench
(bench/session_editor_timing.py), so both measure the same three POSTs."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.forms import CheckboxInput
from django.test import Client

from tests.factories import PatientFactory, QuestionnaireFactory, VialFactory
from treatments.forms.rendering import plain_number
from treatments.models import Indication, Product, TreatmentSession


@dataclass
class Administration:
    client: Client
    patient: object
    indication: Indication
    product: Product


def administration_setup(practitioner) -> Administration:
    """A screened patient and a reconstituted 200 U BOTOX vial in the fridge."""
    patient = PatientFactory(registered_by=practitioner)
    QuestionnaireFactory(patient=patient, entered_by=practitioner)
    VialFactory(received_by=practitioner, presentation_units=200, diluent_ml=4)
    client = Client()
    client.force_login(practitioner)
    return Administration(
        client=client,
        patient=patient,
        indication=Indication.objects.get(slug="chronic-migraine"),
        product=Product.objects.get(slug="botox"),
    )


def start_data(flow: Administration) -> tuple[str, dict]:
    """The start form's URL and what the practitioner submits (GET first, for the token)."""
    url = f"/patients/{flow.patient.public_id}/sessions/new/"
    form = flow.client.get(url).context["form"]
    return url, {
        "indication": flow.indication.pk,
        "product": flow.product.pk,
        "submission_token": form["submission_token"].value(),
    }


def start_draft(flow: Administration) -> TreatmentSession:
    """Start the flow's session through the new-session page: its draft."""
    url, data = start_data(flow)
    assert flow.client.post(url, data).status_code == 302
    return TreatmentSession.objects.get(patient=flow.patient)


def editor_data(client: Client, session: TreatmentSession) -> dict:
    """The editor's form as the browser would submit it unchanged, with the
    confirmations ticked (what a practitioner does before signing)."""
    page = client.get(f"/sessions/{session.public_id}/edit/")
    assert page.status_code == 200
    form, formset = page.context["form"], page.context["formset"]
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if name == "further_vials":
            data[name] = [getattr(v, "pk", v) for v in value or []]
        elif isinstance(field.widget, CheckboxInput):
            if value:  # an unticked box is not submitted
                data[name] = "on"
        else:  # a select or text input is, empty or not
            data[name] = "" if value is None else getattr(value, "pk", value)
    if hasattr(data.get("performed_at"), "strftime"):
        data["performed_at"] = data["performed_at"].strftime("%d/%m/%Y %H:%M")
    for name in ("screening_reviewed", "consent_taken", "spread_advice_given"):
        if name in form.fields:
            data[name] = "on"
    data["points-TOTAL_FORMS"] = len(formset.forms)
    data["points-INITIAL_FORMS"] = len(formset.forms)
    for index, row in enumerate(formset.forms):
        for name in ("site", "side", "units", "volume_ml", "points"):
            value = plain_number(row[name].value())  # as the page writes it: "150", not "150.00"
            data[f"points-{index}-{name}"] = "" if value is None else getattr(value, "pk", value)
    # The page's hidden signature of its rows, posted as the browser posts every input
    # (treatments.forms.unchanged_points).
    data["points_signature"] = formset.signature
    for finding in page.context["findings"]:
        if finding.level == "override":
            data[f"override__{finding.code}"] = "Bench: reason recorded"
    return data


def sign_data(client: Client, session: TreatmentSession) -> dict:
    data = editor_data(client, session)
    data.update({"action": "sign", "acknowledge": "on"})
    return data


def save_data(client: Client, session: TreatmentSession) -> dict:
    data = editor_data(client, session)
    data["action"] = "save"
    return data


def post_form(client: Client, url: str, data: dict, **headers):
    """POST as a browser form or htmx does (application/x-www-form-urlencoded), not as the
    test client's default multipart."""
    return client.post(
        url,
        urlencode(data, doseq=True),
        content_type="application/x-www-form-urlencoded",
        **headers,
    )
