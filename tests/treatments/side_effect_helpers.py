"""Helpers for the side-effect tests: a signed session with a vial lot and a draw, the
practitioner's form for it, the fields of a review, and the review form as its page sends it."""

from datetime import timedelta

from django.utils import timezone

from tests.factories import TreatmentSessionFactory, VialFactory
from treatments.models import SideEffectTerm, VialDraw

TODAY = timezone.localdate()


def signed_session(patient, practitioner, *, days_ago=7, lot="LOT-A1"):
    session = TreatmentSessionFactory(
        patient=patient,
        practitioner=practitioner,
        signed=True,
        signed_at=timezone.now(),
        performed_at=timezone.now() - timedelta(days=days_ago),
        vial=VialFactory(lot=lot),
    )
    VialDraw.objects.create(session=session, vial=session.vial, units=20)
    return session


def practitioner_report(session, **overrides) -> dict:
    """The practitioner's side-effect form for `session`: neck ache three days ago,
    recovered today, a possible reaction, reported by the clinician."""
    return {
        "session": session.pk,
        "term": SideEffectTerm.objects.get(slug="neck-pain").pk,
        "description": "Neck ache for three days",
        "onset_date": (TODAY - timedelta(days=3)).strftime("%d/%m/%Y"),
        "severity": "1",
        "serious": "no",
        "outcome": "recovered",
        "resolution_date": TODAY.strftime("%d/%m/%Y"),
        "causality": "possible",
        "action_taken": "advice",
        "reporter": "clinician",
        "regulator_decision": "",
    } | overrides


def review_fields(suspect, **overrides):
    return {
        "session": suspect,
        "term": SideEffectTerm.objects.get(slug="eyelid-ptosis"),
        "term_other": "",
        "description": "Left eyelid drooping",
        "onset_date": TODAY - timedelta(days=2),
        "resolution_date": None,
        "severity": 2,
        "outcome": "recovering",
        "causality": "probable",
        "action_taken": "advice",
        "treatment_given": "",
        "reporter": "patient",
        "reporter_name": "",
        "serious_death": False,
        "serious_life_threatening": False,
        "serious_hospitalisation": False,
        "serious_disability": False,
        "serious_congenital": False,
        "serious_medically_important": False,
    } | overrides


def review_data(client, url, **changes) -> dict:
    """The review form as its page sends it, with `changes` typed in."""
    form = client.get(url).context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = getattr(value, "pk", value)
    return data | changes
