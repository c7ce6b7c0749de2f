"""The patient banner shows clinical roles the allergies and contraindications of the latest
reviewed questionnaire (issue 13.18); reception and managers see none of it (DOMAIN §7.3)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from patients.choices import YesNoNotApplicable
from tests import clock
from tests.conftest import client_for
from tests.factories import (
    QuestionnaireFactory,
    SideEffectFactory,
    TreatmentSessionFactory,
    _term,
    reviewed_questionnaire,
)

TODAY = timezone.localdate()
# TODAY is read at import and the banner reads the clock: midday that day whenever the run
# gets here (a run started at 23:59 got here after midnight: "1 day ago").
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(clock.london(TODAY))]


def reviewed(patient, practitioner, *, days_ago=10, **answers):
    return reviewed_questionnaire(patient, practitioner, days_ago=days_ago, **answers)


def banner(client, url) -> str:
    page = client.get(url).content.decode()
    start = page.find('data-testid="banner-screening"')
    if start == -1:
        return ""
    return page[start : page.index("</div>\n</div>", start)]


def patient_url(patient):
    return reverse("patients:detail", args=[patient.public_id])


def test_practitioner_sees_allergies_and_contraindications(patient, practitioner):
    reviewed(
        patient,
        practitioner,
        allergy_cows_milk_protein=True,
        allergy_details="Penicillin: rash",
        neuromuscular_disorder=True,
        neuromuscular_details="Myasthenia gravis",
        pregnant_or_breastfeeding=YesNoNotApplicable.YES,
    )
    text = banner(client_for(practitioner), patient_url(patient))
    assert "Cow&#x27;s milk protein" in text and "Penicillin: rash" in text
    assert "Nerve or muscle disease (Myasthenia gravis)" in text
    assert "Pregnant, trying to conceive or breastfeeding" in text
    assert "Heart disease" not in text
    assert f"questionnaire of {(TODAY - timedelta(days=10)):%d/%m/%Y} " in text
    assert '<span data-testid="screening-age">(1\xa0week, 3\xa0days ago)</span>, reviewed' in text


def test_a_ticked_allergy_the_details_name_is_said_once(patient, practitioner):
    """Practitioner review (07/12/2026): "Cow's milk protein" and "Cow's milk protein:
    hives" side by side."""
    reviewed(
        patient,
        practitioner,
        allergy_cows_milk_protein=True,
        allergy_details="Cow's milk protein: hives",
    )
    text = banner(client_for(practitioner), patient_url(patient))
    assert text.count("Cow&#x27;s milk protein") == 1
    assert "Cow&#x27;s milk protein: hives" in text


def test_a_ticked_allergy_the_details_only_mention_is_still_said(patient, practitioner):
    """Review (07/12/2026): details that mention the allergy without naming it as such."""
    reviewed(
        patient,
        practitioner,
        allergy_cows_milk_protein=True,
        allergy_details="Lactose intolerant, not a cow's milk protein allergy per GP",
    )
    text = banner(client_for(practitioner), patient_url(patient))
    assert "Cow&#x27;s milk protein</" in text or "Cow&#x27;s milk protein<" in text


def test_the_banner_says_how_old_the_answers_are(patient, practitioner):
    """Browser review (07/12/2026): answers years old read as today's, "Toxin elsewhere in
    the last 4 months" among them. The banner says when they were given, and that the 4
    months were those before the questionnaire."""
    reviewed(patient, practitioner, days_ago=400, toxin_in_last_4_months=True)
    text = banner(client_for(practitioner), patient_url(patient))
    assert "(1\xa0year, 1\xa0month ago)</span>, reviewed" in text
    assert "Toxin elsewhere in the 4 months before the questionnaire" in text
    reviewed(patient, practitioner, days_ago=0)
    assert "(today)</span>, reviewed" in banner(client_for(practitioner), patient_url(patient))


@pytest.mark.parametrize("role", ["reception", "manager"])
def test_reception_and_managers_do_not_see_them(request, patient, practitioner, role):
    reviewed(patient, practitioner, allergy_toxin_or_albumin=True, allergy_details="Albumin")
    SideEffectFactory(session__patient=patient, term=_term("anaphylaxis"))
    user = request.getfixturevalue(role)
    page = client_for(user).get(patient_url(patient)).content.decode()
    assert escape(patient.display_name) in page  # the banner itself is there (O'Brien escaped)
    assert 'data-testid="banner-screening"' not in page
    assert "Albumin" not in page and "Allergies" not in page
    assert "Recorded reaction" not in page and "Anaphylaxis" not in page


def test_recorded_hypersensitivity_reactions_are_on_the_allergy_line(patient, practitioner):
    """Practitioner review (07/12/2026): Lucy Peters' urticaria with swollen lips after
    BOTOX was on no banner; the engine's block (rule 21) was the first anyone saw of it.
    The banner shows what rule 21 reads: each hypersensitivity reaction, and a report no
    practitioner has reviewed yet; not another kind of reaction, nor another patient's.
    On each page's way of reading it: the patient page (with its header's side effects),
    the session editor (with the questionnaires) and the questionnaire list (alone)."""
    reaction = SideEffectFactory(
        session__patient=patient,
        term=_term("hypersensitivity"),
        onset_date=TODAY - timedelta(days=5),
    )
    brand = reaction.session.product.brand
    SideEffectFactory(session__patient=patient, term=_term("eyelid-ptosis"))
    SideEffectFactory(term=_term("anaphylaxis"))  # another patient's
    SideEffectFactory(
        session__patient=patient, term=None, status="unreviewed", causality="", onset_date=TODAY
    )
    draft = TreatmentSessionFactory(patient=patient, practitioner=practitioner)
    recorded = (
        f"Recorded reaction: Hypersensitivity (urticaria, oedema) on "
        f"{TODAY - timedelta(days=5):%d/%m/%Y} after {brand}"
    )
    awaiting = f"Reported reaction awaiting a practitioner's review: onset {TODAY:%d/%m/%Y}"
    client = client_for(practitioner)
    editor = reverse("treatments:session_edit", args=[draft.public_id])
    text = banner(client, editor)  # no questionnaire reviewed: a line of their own
    assert "Recorded reactions:" in text and recorded in text and awaiting in text
    assert "questionnaire not completed" in text

    reviewed(patient, practitioner)  # no allergy answered
    for url in (
        patient_url(patient),
        editor,
        reverse("patients:questionnaires", args=[patient.public_id]),
    ):
        text = banner(client, url)
        allergies = text[text.index("Allergies:") : text.index("Contraindications")]
        assert recorded in allergies and awaiting in allergies, url
        assert reaction.get_absolute_url() in allergies
        assert text.count("none recorded") == 1  # the contraindications only
        assert "ptosis" not in text and "Anaphylaxis" not in text


def test_none_recorded_is_not_the_same_as_not_completed(patient, practitioner):
    client = client_for(practitioner)
    text = banner(client, patient_url(patient))
    assert "questionnaire not completed" in text and "none recorded" not in text
    QuestionnaireFactory(patient=patient, completed_on=TODAY)  # entered, not reviewed
    text = banner(client, patient_url(patient))
    assert f"questionnaire of {TODAY:%d/%m/%Y} is not reviewed yet" in text
    assert "not completed" not in text
    reviewed(patient, practitioner)
    text = banner(client, patient_url(patient))
    assert text.count("none recorded") == 2  # allergies, contraindications
    assert f"A newer one ({TODAY:%d/%m/%Y}) awaits review" in text


def test_the_latest_reviewed_questionnaire_is_the_one_shown(patient, practitioner):
    reviewed(patient, practitioner, days_ago=200, heart_disease=True)
    reviewed(patient, practitioner, days_ago=20, bleeding_risk=True)
    text = banner(client_for(practitioner), patient_url(patient))
    assert "Blood thinners or a bleeding disorder" in text and "Heart disease" not in text


def test_the_session_editor_shows_the_banner(patient, practitioner):
    reviewed(patient, practitioner, allergy_toxin_or_albumin=True)
    session = TreatmentSessionFactory(patient=patient, practitioner=practitioner)
    text = banner(
        client_for(practitioner), reverse("treatments:session_edit", args=[session.public_id])
    )
    assert "Botulinum toxin or human albumin" in text


def test_free_text_is_escaped(patient, practitioner):
    reviewed(patient, practitioner, allergy_details="<script>alert(1)</script>")
    text = banner(client_for(practitioner), patient_url(patient))
    assert "<script>" not in text and "&lt;script&gt;" in text


def test_the_banner_costs_one_query_whatever_the_questionnaires(patient, practitioner):
    """Pinned: one query for the practitioner's banner, with 1 or 30 questionnaires;
    none for reception."""
    client = client_for(practitioner)
    url = reverse("patients:history", args=[patient.public_id])  # a page with the banner
    client.get(url)  # the session's access snapshot written once

    def count(user_client) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert user_client.get(url).status_code == 200
        return sum("patients_intakequestionnaire" in q["sql"] for q in ctx.captured_queries)

    reviewed(patient, practitioner)
    assert count(client) == 1
    for days in range(30):
        QuestionnaireFactory(patient=patient, completed_on=TODAY - timedelta(days=days))
    assert count(client) == 1


# Not called `page`: that is pytest-playwright's fixture, and the name pulled its browser
# parameter into this test, which made pytest regroup the browser tests beside it.
@pytest.mark.parametrize("url_name", ["patients:detail", "patients:questionnaires"])
def test_pages_that_list_questionnaires_read_them_once(patient, practitioner, url_name):
    """The patient page and the questionnaire list build the banner's line from the
    questionnaires they read anyway: one read of the table, not one more for the banner."""
    reviewed(patient, practitioner, days_ago=40, heart_disease=True)
    QuestionnaireFactory(patient=patient, completed_on=TODAY)  # newer, not reviewed
    client = client_for(practitioner)
    url = reverse(url_name, args=[patient.public_id])
    client.get(url)  # the session's access snapshot written once
    with CaptureQueriesContext(connection) as ctx:
        text = client.get(url).content.decode()
    reads = [
        q["sql"] for q in ctx.captured_queries if 'FROM "patients_intakequestionnaire"' in q["sql"]
    ]
    assert len(reads) == 1, reads
    assert "Heart disease" in text and f"A newer one ({TODAY:%d/%m/%Y}) awaits review" in text
