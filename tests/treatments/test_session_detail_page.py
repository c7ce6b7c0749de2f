"""A signed session's page as a practitioner reads it."""

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import TreatmentSessionFactory

pytestmark = pytest.mark.django_db


def test_a_signed_sessions_confirmations_are_listed_without_a_trailing_separator(practitioner):
    """Browser review (07/12/2026): "screening · consent ·" when the last was not ticked."""
    session = TreatmentSessionFactory(
        practitioner=practitioner,
        signed=True,
        screening_reviewed=True,
        consent_taken=True,
        spread_advice_given=False,
    )
    page = client_for(practitioner).get(
        reverse("treatments:session_detail", args=[session.public_id])
    )
    assert '<dd class="col-7">screening · consent</dd>' in page.content.decode()


def test_a_signed_session_prints_without_its_forms_and_says_who_printed_it(practitioner):
    """Browser review (07/12/2026): the print of a signed session carried the empty
    addendum form and the aftercare button, and no line saying who printed it when."""
    session = TreatmentSessionFactory(practitioner=practitioner, signed=True)
    page = client_for(practitioner).get(
        reverse("treatments:session_detail", args=[session.public_id])
    )
    html = page.content.decode()
    assert 'type="button" data-print>' in html
    assert 'class="small text-body-secondary print-only" data-testid="printed-by">Printed ' in html
    assert f"by {practitioner.get_full_name()} · confidential" in html
    form = html.split('action="' + reverse("treatments:session_addendum", args=[session.public_id]))
    assert 'class="card-body border-top no-print"' in form[1].split(">", 1)[0]


def test_the_records_interval_is_since_the_last_session_for_the_same_indication(practitioner):
    """Browser review (07/12/2026): glabellar lines and crow's feet treated the same day
    read "0 days" since the previous, as if re-treated at once. The interval counts London
    days, so the sessions are at 10:00 on the days 100 and 2 days back (now minus 100 x 24
    hours was the next day in summer time after 23:00 GMT: 97 days, red at night)."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from tests.factories import _indication
    from treatments import selectors

    today = timezone.localdate()

    def days_ago(days):
        return timezone.make_aware(datetime.combine(today - timedelta(days=days), time(10)))

    first = TreatmentSessionFactory(
        practitioner=practitioner,
        signed=True,
        indication=_indication("glabellar-lines"),
        performed_at=days_ago(100),
    )
    patient = first.patient
    for slug in ("glabellar-lines", "lateral-canthal-lines"):
        TreatmentSessionFactory(
            patient=patient, practitioner=practitioner, signed=True,
            indication=_indication(slug), performed_at=days_ago(2),
        )  # fmt: skip
    entries = selectors.patient_timeline(patient=patient).entries
    by_indication = [(e.session.indication.slug, e.days_since_previous) for e in entries]
    assert sorted(by_indication[:2]) == [("glabellar-lines", 98), ("lateral-canthal-lines", None)]
    assert by_indication[2] == ("glabellar-lines", None)


def test_the_record_marks_a_session_corrected_by_an_addendum(practitioner):
    """Browser review (07/12/2026): an addendum showed only on the session's own page."""
    from treatments.models import SessionAddendum

    corrected = TreatmentSessionFactory(practitioner=practitioner, signed=True)
    TreatmentSessionFactory(patient=corrected.patient, practitioner=practitioner, signed=True)
    SessionAddendum.objects.create(
        session=corrected, reason="Wrong side", text="Right, not left.", author=practitioner
    )
    page = client_for(practitioner).get(corrected.patient.get_absolute_url()).content.decode()
    url = reverse("treatments:session_detail", args=[corrected.public_id])
    assert page.count('data-testid="has-addendum"') == 1
    assert f'href="{url}#addenda" data-testid="has-addendum">addendum</a>' in page


def test_a_long_sessions_points_are_summed_per_muscle_and_side(practitioner):
    """Browser review (07/12/2026): 39 rows to check one by one, with the same muscle and
    side in separate runs. The page sums them per muscle and per side, as the editor does."""
    from tests.factories import InjectionPointFactory, _site

    session = TreatmentSessionFactory(practitioner=practitioner, signed=True, points=4)
    InjectionPointFactory(session=session, side="right", units=7)  # temporalis, as the 4
    InjectionPointFactory(session=session, site=_site("procerus"), side="midline", units=5)
    html = (
        client_for(practitioner)
        .get(reverse("treatments:session_detail", args=[session.public_id]))
        .content.decode()
    )
    totals = html.split('data-testid="point-totals"', 1)[1].split("</table>", 1)[0]
    rows = [
        " ".join(cell.split(">")[-1] for cell in row.split("</td>")[:2])
        for row in totals.split("<tr")[1:]
    ]
    assert rows == ["Procerus 5 U", "Temporalis 27 U", "Left 20 U", "Midline 5 U", "Right 7 U"]
