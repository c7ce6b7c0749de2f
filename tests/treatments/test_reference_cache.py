"""The per-process copy of the reference data (treatments.selectors.reference_cache): one
query when current, and a change to the reference tables is seen on the next request,
whichever process made it."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from treatments import selectors
from treatments.models import DoseLimit, Product, SafetyParameter

pytestmark = pytest.mark.django_db


def test_a_current_copy_costs_one_query():
    first = selectors.reference_snapshot()
    with CaptureQueriesContext(connection) as ctx:
        again = selectors.reference_snapshot()
    assert again is first
    assert len(ctx.captured_queries) == 1


def test_a_changed_parameter_is_read_at_once():
    before = selectors.reference_snapshot()
    parameter = SafetyParameter.objects.get(key="side_effect_review_days")
    parameter.value = before.parameters["side_effect_review_days"] + 1
    parameter.save()
    after = selectors.reference_snapshot()
    assert after.parameters["side_effect_review_days"] == parameter.value


def test_a_new_dose_limit_is_applied_and_forgotten_when_removed():
    botox = Product.objects.get(slug="botox")
    count = len(selectors.reference_snapshot().limits_by_family[botox.unit_family])
    limit = DoseLimit.objects.filter(unit_family=botox.unit_family).first()
    limit.pk = None
    limit.code = "test.extra-limit"
    limit.save()
    assert len(selectors.reference_snapshot().limits_by_family[botox.unit_family]) == count + 1
    limit.delete()
    assert len(selectors.reference_snapshot().limits_by_family[botox.unit_family]) == count


@pytest.mark.skipif(connection.vendor != "postgresql", reason="xmin is PostgreSQL's")
def test_on_postgresql_even_a_queryset_update_is_seen():
    # No signal and no updated_at: the rows' xmin still changes.
    selectors.reference_snapshot()
    SafetyParameter.objects.filter(key="side_effect_review_days").update(value=Decimal("99"))
    assert selectors.reference_snapshot().parameters["side_effect_review_days"] == 99


def test_the_fingerprint_read_with_a_session_or_a_patient_sees_a_change_at_once():
    """The editor's session and the patient a session starts for carry the fingerprint
    (reference_stamp): a copy built before a change is not used after it, and a current
    one costs no query."""
    from tests.factories import PatientFactory, TreatmentSessionFactory

    session = TreatmentSessionFactory()
    patient = PatientFactory()

    def stamps():
        return (
            selectors.session_get_for_editor(user=None, public_id=session.public_id),
            selectors.patient_for_session_start(user=None, public_id=patient.public_id),
        )

    first = selectors.reference_snapshot()
    for read in stamps():
        with CaptureQueriesContext(connection) as ctx:
            assert selectors.reference_snapshot(stamp=read.reference_stamp) is first
        assert len(ctx.captured_queries) == 0
    parameter = SafetyParameter.objects.get(key="side_effect_review_days")
    parameter.value = first.parameters["side_effect_review_days"] + 1
    parameter.save()
    for read in stamps():
        after = selectors.reference_snapshot(stamp=read.reference_stamp)
        assert after.parameters["side_effect_review_days"] == parameter.value


def test_the_editors_site_choices_are_built_once_per_copy_and_anew_after_a_change():
    """The site list (and its option HTML, FastSelect's cache) is derived once per copy and
    indication: a renamed site shows on the next request, as the copy is rebuilt."""
    from treatments.forms import PointFormSet, SiteChoices
    from treatments.models import AnatomicalSite, Indication

    migraine = Indication.objects.get(slug="chronic-migraine")
    snapshot = selectors.reference_snapshot()
    sites = SiteChoices.load(indication=migraine, snapshot=snapshot)
    assert SiteChoices.load(indication=migraine, snapshot=snapshot) is sites
    assert SiteChoices.load(indication=None, snapshot=snapshot) is not sites
    formset = PointFormSet(initial=[{"site": None}], prefix="points", sites=sites)
    assert "Procerus" in str(formset.forms[0]["site"])  # the option HTML, now kept
    assert "html" in sites.option_cache
    procerus = AnatomicalSite.objects.get(name="Procerus")
    procerus.name = "Procerus (renamed)"
    procerus.save()
    renamed = SiteChoices.load(indication=migraine, snapshot=selectors.reference_snapshot())
    assert renamed is not sites
    formset = PointFormSet(initial=[{"site": None}], prefix="points", sites=renamed)
    assert "Procerus (renamed)" in str(formset.forms[0]["site"])
