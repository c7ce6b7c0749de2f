"""A new session for a patient who already has an unsigned one (browser review 07/12/2026:
DAVEY's Dysport draft was joined, without a word, by a BOTOX draft from Patient page →
New session). The new-session page lists the patient's drafts (anyone's, any indication)
before anything is created, the editor's link only for a draft's own practitioner, and a
start beside them needs "Start another session anyway" ticked under the drafts it showed;
the choice is the new session's first history row's reason. The diary's Start session:
tests/clinic/test_diary_start_beside_drafts.py."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from clinic.idempotency import REPLAYED_MESSAGE
from tests.conftest import client_for
from tests.treatments.session_helpers import indication, product, start
from treatments import services
from treatments.choices import SessionStatus
from treatments.models import TreatmentSession

pytestmark = pytest.mark.django_db
HistoricalSession = TreatmentSession.history.model


@pytest.fixture
def dysport_draft(ready_patient, practitioner):
    """The review's draft: Dysport for cervical dystonia, unsigned."""
    return start(ready_patient, practitioner, "cervical-dystonia", "dysport")


def new_url(patient) -> str:
    return reverse("treatments:session_new", args=[patient.public_id])


def start_data(client, patient, **more) -> dict:
    """The new-session page's form as sent for cervical dystonia with BOTOX: its one-time
    token and the drafts it showed, as the page wrote them."""
    form = client.get(new_url(patient)).context["form"]
    data = {
        "indication": indication("cervical-dystonia").pk,
        "product": product("botox").pk,
        "submission_token": form["submission_token"].value(),
    }
    if form.drafts:
        data["drafts_shown"] = form.drafts_codes
    return data | more


def drafts_of(patient) -> list[TreatmentSession]:
    return list(TreatmentSession.objects.filter(patient=patient, status=SessionStatus.DRAFT))


# The service -----------------------------------------------------------------------------


def _start_beside(patient, practitioner, drafts, acknowledge):
    return services.session_start(
        patient=patient,
        practitioner=practitioner,
        indication=indication("cervical-dystonia"),
        product=product("botox"),
        other_drafts=drafts,
        acknowledge_drafts=acknowledge,
    )


def test_a_start_beside_a_draft_not_acknowledged_writes_nothing(
    ready_patient, practitioner, dysport_draft
):
    with pytest.raises(services.OtherDraftsOpen) as refused:
        _start_beside(ready_patient, practitioner, [dysport_draft], False)
    assert refused.value.drafts == [dysport_draft] and not refused.value.changed
    assert drafts_of(ready_patient) == [dysport_draft]


def test_a_tick_under_a_page_that_did_not_show_every_draft_is_not_enough(
    ready_patient, practitioner, colleague, dysport_draft
):
    since = start(ready_patient, colleague, "blepharospasm", "botox", vial=False)
    with pytest.raises(services.OtherDraftsOpen) as refused:
        _start_beside(
            ready_patient, practitioner, [dysport_draft, since], {str(dysport_draft.public_id)}
        )
    assert refused.value.changed
    assert len(drafts_of(ready_patient)) == 2
    # Both shown and ticked: started, the first named and the others counted.
    session = _start_beside(
        ready_patient,
        practitioner,
        [dysport_draft, since],
        {str(d.public_id) for d in (dysport_draft, since)},
    )
    created = HistoricalSession.objects.get(id=session.pk, history_type="+")
    assert created.history_change_reason == (
        "Started anyway beside 2 unsigned sessions (Dysport for Cervical dystonia, …)"
    )


def test_a_start_acknowledged_beside_a_draft_records_the_choice(
    ready_patient, practitioner, dysport_draft
):
    session = _start_beside(
        ready_patient, practitioner, [dysport_draft], {str(dysport_draft.public_id)}
    )
    assert session.status == SessionStatus.DRAFT
    created = HistoricalSession.objects.get(id=session.pk, history_type="+")
    assert created.history_change_reason == (
        "Started anyway beside an unsigned session (Dysport for Cervical dystonia)"
    )
    assert created.history_user == practitioner
    # A start beside nothing records no reason.
    first = HistoricalSession.objects.get(id=dysport_draft.pk, history_type="+")
    assert first.history_change_reason is None


# The new-session page --------------------------------------------------------------------


def test_the_page_says_nothing_when_the_patient_has_no_draft(ready_patient, practitioner):
    start(ready_patient, practitioner, "cervical-dystonia", "dysport")  # signed below
    TreatmentSession.objects.update(status=SessionStatus.SIGNED, signed_at=timezone.now())
    page = client_for(practitioner).get(new_url(ready_patient))
    assert page.context["form"].drafts == ()
    html = page.content.decode()
    assert 'data-testid="open-drafts"' not in html and 'name="start_anyway"' not in html


def test_the_page_lists_the_owners_draft_with_the_editors_link(
    ready_patient, practitioner, dysport_draft
):
    page = client_for(practitioner).get(new_url(ready_patient)).content.decode()
    started = timezone.localtime(dysport_draft.created_at)
    assert "This patient already has an unsigned session" in page
    assert (
        f"Dysport for Cervical dystonia · {practitioner.get_full_name()} · "
        f"started {started:%d/%m/%Y %H:%M}"
    ) in page
    editor = reverse("treatments:session_edit", args=[dysport_draft.public_id])
    assert f'href="{editor}"' in page and "Open this draft" in page
    assert 'name="start_anyway"' in page and "Start another session anyway" in page
    assert f'name="drafts_shown" value="{dysport_draft.public_id}"' in page


def test_anothers_draft_is_named_but_not_linked_to_the_editor(
    ready_patient, practitioner, colleague, dysport_draft
):
    page = client_for(colleague).get(new_url(ready_patient)).content.decode()
    assert f"Dysport for Cervical dystonia · {practitioner.get_full_name()}" in page
    assert f"(only {practitioner.get_full_name()} can edit it)" in page
    assert reverse("treatments:session_edit", args=[dysport_draft.public_id]) not in page
    assert "Open this draft" not in page
    # Its page, read only, is linked.
    assert f'href="{reverse("treatments:session_detail", args=[dysport_draft.public_id])}"' in page


def test_start_without_the_tick_starts_nothing_and_says_why(
    ready_patient, practitioner, dysport_draft
):
    client = client_for(practitioner)
    response = client.post(new_url(ready_patient), start_data(client, ready_patient))
    assert response.status_code == 200
    assert drafts_of(ready_patient) == [dysport_draft]
    page = response.content.decode()
    assert 'data-testid="drafts-unticked"' in page
    assert "Not started: tick this box to start another session anyway." in page
    assert "Open this draft" in page  # the draft still listed, the choices kept
    assert response.context["form"]["indication"].value() == str(indication("cervical-dystonia").pk)


def test_start_with_the_tick_starts_the_second_and_records_the_choice(
    ready_patient, practitioner, dysport_draft
):
    client = client_for(practitioner)
    data = start_data(client, ready_patient, start_anyway="on")
    response = client.post(new_url(ready_patient), data)
    assert response.status_code == 302
    (session,) = [d for d in drafts_of(ready_patient) if d != dysport_draft]
    assert response.url == reverse("treatments:session_edit", args=[session.public_id])
    assert session.product.slug == "botox"
    created = HistoricalSession.objects.get(id=session.pk, history_type="+")
    assert created.history_change_reason.startswith("Started anyway beside an unsigned session")
    # The same form sent again (a double-click): the first result, no third draft.
    again = client.post(new_url(ready_patient), data)
    assert again.status_code == 302 and again.url == response.url
    assert len(drafts_of(ready_patient)) == 2


def test_a_tick_under_the_page_does_not_cover_a_draft_started_since(
    ready_patient, practitioner, colleague, dysport_draft
):
    client = client_for(practitioner)
    data = start_data(client, ready_patient, start_anyway="on")
    since = start(ready_patient, colleague, "blepharospasm", "botox", vial=False)
    response = client.post(new_url(ready_patient), data)
    assert response.status_code == 200
    assert set(drafts_of(ready_patient)) == {dysport_draft, since}
    page = response.content.decode()
    assert 'data-testid="drafts-changed"' in page
    assert response.context["form"].drafts == (dysport_draft, since)
    assert not response.context["form"]["start_anyway"].value()  # shown unticked


def test_a_draft_started_after_a_page_that_showed_none_stops_the_start(
    ready_patient, practitioner, colleague
):
    client = client_for(practitioner)
    data = start_data(client, ready_patient)
    assert "drafts_shown" not in data  # the page showed no draft
    start(ready_patient, colleague, "blepharospasm", "botox")
    response = client.post(new_url(ready_patient), data)
    assert response.status_code == 200
    assert len(drafts_of(ready_patient)) == 1
    assert 'data-testid="drafts-new"' in response.content.decode()


def test_a_double_click_on_start_for_a_patient_without_a_draft_makes_one(
    ready_patient, practitioner
):
    """The first click's draft is there when the second arrives: the second is the first's
    replay (its editor), not refused for the draft it made."""
    client = client_for(practitioner)
    data = start_data(client, ready_patient)
    first = client.post(new_url(ready_patient), data)
    second = client.post(new_url(ready_patient), data)
    assert first.status_code == second.status_code == 302
    assert second.url == first.url
    assert len(drafts_of(ready_patient)) == 1
    assert REPLAYED_MESSAGE in [str(m) for m in get_messages(second.wsgi_request)]


def test_the_start_form_fields_the_benchmark_posts_are_there(ready_patient, practitioner):
    """bench/peer_compare.py (Ours.administration) posts the form with an `indication`
    field as the page gives it, with an indication and a product: its patients have no
    draft, so nothing more is asked."""
    client = client_for(practitioner)
    form = client.get(new_url(ready_patient)).context["form"]
    data = {
        "indication": indication("cervical-dystonia").pk,
        "product": product("botox").pk,
        "submission_token": form["submission_token"].value(),
    }
    response = client.post(new_url(ready_patient), data)
    assert response.status_code == 302 and response.url.endswith("/edit/")


# What the patient must not have, said beside the product --------------------------------


def _products(page) -> dict[str, str]:
    """Each product's line on the new-session page: brand -> its badges' text."""
    html = page.content.decode()
    lines = {}
    for chunk in html.split('<label class="form-check-label" for="product-')[1:]:
        label = chunk.split("</label>", 1)[0]
        brand = label.split(">", 1)[1].split("<", 1)[0].strip()
        lines[brand] = label
    return lines


def _ticked(page, brand) -> bool:
    """Whether the product's radio button comes ticked."""
    html = page.content.decode()
    for chunk in html.split('name="product"')[1:]:
        tag, label = chunk.split(">", 1)  # the input's attributes; then its label
        if label.split("</label>", 1)[0].split(">", 1)[-1].strip().startswith(brand):
            return "checked" in tag
    raise AssertionError(f"{brand} is not listed")


def test_a_product_the_patient_must_not_have_is_marked_and_not_chosen_for_them(
    ready_patient, practitioner
):
    """Practitioner review (07/12/2026): Dysport was offered as "licensed for this
    indication", first and ticked, to a patient with a cow's milk protein allergy; the
    editor's block came later."""
    from tests.factories import reviewed_questionnaire

    reviewed_questionnaire(
        ready_patient,
        practitioner,
        allergy_cows_milk_protein=True,
    )
    client = client_for(practitioner)
    query = f"?indication={indication('cervical-dystonia').pk}"
    page = client.get(new_url(ready_patient) + query)
    lines = _products(page)
    assert "contraindicated: cow&#x27;s milk protein allergy" in lines["Dysport"]
    assert "contraindicated" not in lines["BOTOX"]
    # Listed after every product the patient may have (it came second, before Xeomin).
    assert list(lines)[-1] in ("Dysport", "Azzalure") and list(lines).index("Dysport") > list(
        lines
    ).index("Xeomin")
    # The list as the indication's choice redraws it.
    partial = client.get(new_url(ready_patient) + query, headers={"HX-Request": "true"})
    assert "contraindicated: cow" in _products(partial)["Dysport"]


def test_after_a_recorded_reaction_the_list_says_do_not_treat(ready_patient, practitioner):
    from tests.factories import SideEffectFactory, _term

    SideEffectFactory(patient=ready_patient, term=_term("anaphylaxis"))
    page = client_for(practitioner).get(
        new_url(ready_patient) + f"?indication={indication('cervical-dystonia').pk}"
    )
    html = page.content.decode()
    assert 'data-testid="reaction-rules-out"' in html
    said = html.split('data-testid="reaction-rules-out"', 1)[1].split("</div>", 1)[0]
    assert "Do not treat:</strong> Anaphylaxis on" in said
    assert "contraindicates every toxin product" in said
    assert " checked" not in html.split('name="product"', 1)[1].split("</fieldset>", 1)[0]


def test_a_screened_toxin_allergy_marks_every_product_and_ticks_none(ready_patient, practitioner):
    """Rule 21 from the reviewed screening (an allergy to a botulinum toxin or human
    albumin) rules out every product, as a recorded reaction does: the list said nothing
    and ticked the first licensed product, beside a milk allergy's marked Dysport."""
    from tests.factories import reviewed_questionnaire

    reviewed_questionnaire(
        ready_patient,
        practitioner,
        allergy_toxin_or_albumin=True,
    )
    client = client_for(practitioner)
    query = f"?indication={indication('cervical-dystonia').pk}"
    for page in (
        client.get(new_url(ready_patient) + query),
        client.get(new_url(ready_patient) + query, headers={"HX-Request": "true"}),
    ):
        lines = _products(page)
        assert lines and all(
            "contraindicated: allergy to a botulinum toxin or human albumin" in line
            for line in lines.values()
        )
        html = page.content.decode()
        assert " checked" not in html.split('name="product"', 1)[1].split("</fieldset>", 1)[0]


def test_the_list_says_nothing_of_screening_to_one_who_may_not_read_it(ready_patient):
    """Review (07/12/2026): the badges and the "Do not treat" line are read from the
    screening and the reactions; only those who may read both see them, as the banner."""
    from django.contrib.auth.models import Permission

    from tests.factories import QuestionnaireFactory, UserFactory

    QuestionnaireFactory(
        patient=ready_patient,
        allergy_cows_milk_protein=True,
        reviewed_at=timezone.now(),
        completed_on=timezone.localdate(),
    )
    starter = UserFactory(username="starter")
    starter.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["add_treatmentsession", "view_treatmentsession", "view_patient"]
        )
    )
    page = client_for(starter).get(
        new_url(ready_patient) + f"?indication={indication('cervical-dystonia').pk}"
    )
    assert page.status_code == 200
    assert "contraindicated" not in page.content.decode()


def test_a_neuromuscular_disorder_marks_the_aesthetic_products_for_cosmetic_use_only(
    ready_patient, practitioner
):
    """Rule 24 (code review 07/12/2026): for cosmetic use the engine blocks Vistabel,
    Bocouture and Azzalure after a neuromuscular disorder, but the list offered them as
    licensed, first and ticked; for a therapeutic use it asks for a reason instead, and
    the list marks nothing."""
    from tests.factories import reviewed_questionnaire

    reviewed_questionnaire(
        ready_patient,
        practitioner,
        neuromuscular_disorder=True,
        neuromuscular_details="Myasthenia gravis",
    )
    client = client_for(practitioner)
    said = "contraindicated: neuromuscular disorder, not for cosmetic use"
    cosmetic = f"?indication={indication('glabellar-lines').pk}"
    for page in (
        client.get(new_url(ready_patient) + cosmetic),
        client.get(new_url(ready_patient) + cosmetic, headers={"HX-Request": "true"}),
    ):
        lines = _products(page)
        marked = {brand for brand, line in lines.items() if said in line}
        assert marked == {"Vistabel", "Bocouture", "Azzalure"}
        assert list(lines)[-3:] == sorted(marked)  # listed last
        assert not any(_ticked(page, brand) for brand in marked)
    therapeutic = client.get(
        new_url(ready_patient) + f"?indication={indication('cervical-dystonia').pk}"
    )
    assert "contraindicated" not in therapeutic.content.decode()


def test_a_newer_screening_not_yet_reviewed_marks_the_products_too(ready_patient, practitioner):
    """Code review (07/12/2026): the list read the reviewed questionnaire only, the engine
    the newest answers: a newer "yes" not yet reviewed (a milk allergy, a nerve or muscle
    disease) left the list offering, first and ticked, what the editor then blocked. The
    banner still shows the reviewed answers."""

    from tests.factories import QuestionnaireFactory, reviewed_questionnaire

    reviewed_questionnaire(ready_patient, practitioner, days_ago=30)
    QuestionnaireFactory(
        patient=ready_patient,
        allergy_cows_milk_protein=True,
        neuromuscular_disorder=True,
        neuromuscular_details="Myasthenia gravis",
        completed_on=timezone.localdate(),
    )
    client = client_for(practitioner)
    cosmetic = _products(
        client.get(new_url(ready_patient) + f"?indication={indication('glabellar-lines').pk}")
    )
    for brand in ("Vistabel", "Bocouture", "Azzalure"):
        assert "contraindicated: " in cosmetic[brand], brand
    therapeutic = _products(
        client.get(new_url(ready_patient) + f"?indication={indication('cervical-dystonia').pk}")
    )
    assert "contraindicated: cow&#x27;s milk protein allergy" in therapeutic["Dysport"]
    assert "contraindicated" not in therapeutic["BOTOX"]
