"""Sessions through the services for tests: a patient ready to treat (screened, assessed by a
prescriber), a session started on the seeded template with a vial to draw from, a draft
saved with the screening, consent and advice confirmed, and the seeded rows by slug."""

from datetime import timedelta

from django.utils import timezone

from tests.factories import (
    PatientFactory,
    PrescriberAssessmentFactory,
    QuestionnaireFactory,
    VialFactory,
)
from treatments import selectors, services
from treatments.models import AnatomicalSite, Indication, Product, Vial

CONFIRMED = {"screening_reviewed": True, "consent_taken": True, "spread_advice_given": True}


def product(slug):
    return Product.objects.get(slug=slug)


def indication(slug):
    return Indication.objects.get(slug=slug)


def site(slug_part):
    return AnatomicalSite.objects.filter(slug__contains=slug_part).order_by("id").first()


def ready_patient_for(practitioner):
    patient = PatientFactory()
    # Answered before any session in these tests (screening is read as of the session date).
    QuestionnaireFactory(
        patient=patient,
        entered_by=practitioner,
        completed_on=timezone.localdate() - timedelta(days=120),
    )
    # Seen face to face by a prescriber before any cosmetic treatment (rule 34).
    PrescriberAssessmentFactory(patient=patient, prescriber=practitioner)
    return patient


def start(patient, practitioner, indication_slug, product_slug, *, vial=True):
    ind, prod = indication(indication_slug), product(product_slug)
    if vial:
        VialFactory(
            product=prod,
            presentation_units=max(prod.presentations or [100]),
            received_by=practitioner,
        )
    template = selectors.site_template_for(indication=ind, product=prod)
    return services.session_start(
        patient=patient, practitioner=practitioner, indication=ind, product=prod, template=template
    )


def save(session, practitioner, points=None, **fields):
    if points is None:
        points = [
            {
                "site": p.site,
                "side": p.side,
                "units": p.units,
                "volume_ml": p.volume_ml,
                "points": p.points,
            }
            for p in selectors.session_points(session=session)
        ]
    return services.session_save_draft(
        session=session,
        saved_by=practitioner,
        expected_version=session.version,
        fields=CONFIRMED | fields,
        points=points,
    )


def backdate(session, performed_at):
    """The draft recorded as given at `performed_at`, its vials received by then and made
    up an hour before (a vial received or made up on a later day than the session's cannot
    have been drawn from then: the engine's vial.received_later, vial.reconstituted_later).
    Returns the session as saved."""
    session.performed_at = performed_at
    session.save()
    made = performed_at - timedelta(hours=1)
    vials = Vial.objects.filter(pk__in=[v.pk for v in session.all_vials()])
    vials.update(reconstituted_at=made, use_by=made + timedelta(hours=24))
    # Received by then too (the engine's vial.received_later).
    vials.filter(received_on__gt=timezone.localdate(made)).update(
        received_on=timezone.localdate(made)
    )
    session.refresh_from_db()
    return session
