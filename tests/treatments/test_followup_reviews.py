"""Follow-up tasks (issue 13.18): a clinical review is completed with what was found, and
a task closed by mistake can be reopened the same day (not later)."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.factories import FollowUpFactory
from treatments import services
from treatments.models import FollowUp

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["bladder-review", "side-effect-review"])
def test_a_clinical_review_needs_what_was_found(practitioner, patient, kind):
    task = FollowUpFactory(patient=patient, kind=kind, assigned_to=practitioner)
    with pytest.raises(ValidationError, match="Say what was found"):
        services.followup_complete(task=task, done_by=practitioner, note="  ")
    done = services.followup_complete(task=task, done_by=practitioner, note="PVR 60 mL; no UTI")
    assert done.done_at and done.outcome_note == "PVR 60 mL; no UTI"


def test_a_review_call_can_still_be_closed_without_a_note(practitioner, patient):
    task = FollowUpFactory(patient=patient, kind="review-call")
    assert services.followup_complete(task=task, done_by=practitioner).done_at


def test_the_task_list_asks_for_findings_and_refuses_an_empty_review(
    practitioner_client, practitioner, patient
):
    task = FollowUpFactory(patient=patient, kind="bladder-review", assigned_to=practitioner)
    page = practitioner_client.get("/tasks/").content.decode()
    assert 'placeholder="What was found"' in page
    response = practitioner_client.post(
        reverse("treatments:task_done", args=[task.pk]), {"note": ""}, follow=True
    )
    assert "Say what was found" in response.content.decode()
    task.refresh_from_db()
    assert task.done_at is None


def test_a_task_closed_by_mistake_is_reopened_the_same_day(
    practitioner_client, practitioner, patient
):
    task = FollowUpFactory(patient=patient, kind="review-call", assigned_to=practitioner)
    practitioner_client.post(reverse("treatments:task_done", args=[task.pk]), {"note": "oops"})
    page = practitioner_client.get("/tasks/").content.decode()
    assert 'data-testid="done-today"' in page and "Reopen" in page
    practitioner_client.post(reverse("treatments:task_reopen", args=[task.pk]), _shown(page))
    task.refresh_from_db()
    assert task.done_at is None and task.done_by is None and task.outcome_note == ""
    assert task in FollowUp.objects.filter(done_at__isnull=True)


def _shown(page: str) -> dict:
    """The completion the task list's Reopen button carries."""
    (value,) = re.findall(r'name="shown_done_at" value="([^"]+)"', page)
    return {"shown_done_at": value, "next": "/tasks/"}


def test_a_stale_reopen_does_not_undo_a_colleagues_completion(
    practitioner_client, practitioner, patient
):
    """A completes and reopens a review; B completes it with a finding; A's old tab then
    presses Reopen: B's completion stands, and A is told whose it is."""
    from tests.conftest import client_for
    from tests.factories import UserFactory

    task = FollowUpFactory(patient=patient, kind="side-effect-review", assigned_to=practitioner)
    done, reopen = (reverse(f"treatments:task_{a}", args=[task.pk]) for a in ("done", "reopen"))
    practitioner_client.post(done, {"note": "no side effects"})
    stale = _shown(practitioner_client.get("/tasks/").content.decode())
    assert "Reopened:" in practitioner_client.post(reopen, stale, follow=True).content.decode()
    colleague = UserFactory(username="dr2", first_name="Bea", last_name="Lowe", role="Practitioner")
    client_for(colleague).post(done, {"note": "Ptosis L eyelid, refer to Dr X"})

    page = practitioner_client.post(reopen, stale, follow=True).content.decode()
    assert "Not reopened: Bea Lowe completed this task" in page
    assert "Reopened:" not in page
    task.refresh_from_db()
    assert task.done_by == colleague and task.outcome_note == "Ptosis L eyelid, refer to Dr X"
    with pytest.raises(ValidationError, match="Not reopened"):  # nor by a crafted form
        services.followup_reopen(
            task=task, reopened_by=practitioner, shown_done_at=task.done_at.isoformat()
        )


def test_a_double_click_on_reopen_reopens_once(practitioner_client, practitioner, patient):
    task = FollowUpFactory(patient=patient, kind="review-call", assigned_to=practitioner)
    practitioner_client.post(reverse("treatments:task_done", args=[task.pk]), {"note": "oops"})
    shown = _shown(practitioner_client.get("/tasks/").content.decode())
    for _ in range(2):
        page = practitioner_client.post(
            reverse("treatments:task_reopen", args=[task.pk]), shown, follow=True
        ).content.decode()
        assert "Reopened:" in page
    task.refresh_from_db()
    assert task.done_at is None


def test_a_note_too_long_is_refused_with_the_note_kept(practitioner_client, practitioner, patient):
    """The list's field stops at 500 characters; a longer note (a script, a paste through
    another client) is refused, not dropped with the task marked done."""
    task = FollowUpFactory(patient=patient, kind="review-call", assigned_to=practitioner)
    note = "Spoke to the patient. " * 25 + "END"
    response = practitioner_client.post(
        reverse("treatments:task_done", args=[task.pk]), {"note": note, "next": "/tasks/"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="task-not-done"' in page and "at most 500 characters" in page
    assert "Spoke to the patient." in page and "END</textarea>" in page
    assert "Done:" not in page
    task.refresh_from_db()
    assert task.done_at is None and task.outcome_note == ""


@pytest.mark.parametrize("typed", ["01/01/0001", "31/12/9999", "01/01/1990"])
def test_a_task_due_date_with_a_mistyped_year_is_refused(typed):
    from treatments.forms import FollowUpForm

    form = FollowUpForm({"kind": "review-call", "title": "Call", "due_on": typed})
    assert not form.is_valid() and "Check the year" in str(form.errors["due_on"])
    ok = FollowUpForm({"kind": "review-call", "title": "Call", "due_on": "01/01/2027"})
    assert ok.is_valid(), ok.errors


def test_a_task_done_yesterday_is_not_reopened(practitioner, patient):
    task = FollowUpFactory(
        patient=patient, done_at=timezone.now() - timedelta(days=1), done_by=practitioner
    )
    with pytest.raises(ValidationError, match="completed today"):
        services.followup_reopen(task=task, reopened_by=practitioner)


def test_one_other_reaction_term_in_the_side_effect_form(patient):
    from treatments import selectors
    from treatments.forms import SideEffectForm

    form = SideEffectForm(patient=patient, terms=selectors.side_effect_terms())
    labels = [label for _, label in form.fields["term"].choices] + [
        str(field.label) for field in form.fields.values()
    ]
    assert sum("Other (describe)" in label for label in labels) == 1


def test_the_outcome_form_offers_the_patients_own_instruments_first_each_once(
    practitioner, patient
):
    from tests.factories import TreatmentSessionFactory
    from treatments.forms import OutcomeAssessmentForm
    from treatments.models import Indication

    TreatmentSessionFactory(
        patient=patient,
        practitioner=practitioner,
        indication=Indication.objects.get(slug="cervical-dystonia"),
        signed=True,
    )
    choices = OutcomeAssessmentForm(patient=patient).fields["instrument"].choices
    first_group, _ = choices[1]
    assert first_group == "Cervical dystonia (this patient)"
    listed = [pk for _, options in choices[1:] for pk, _ in options]
    assert len(listed) == len(set(listed))


def test_a_task_completed_meanwhile_by_someone_else_keeps_the_second_note(
    practitioner_client, practitioner, patient
):
    """Dr A completes a side-effect review; Dr B, on a stale task list, completes it again
    with another finding: B is told who completed it and when, and B's note is on the page
    to act on; nothing is written."""
    from clinic.models import AccessEvent
    from tests.conftest import client_for
    from tests.factories import UserFactory

    task = FollowUpFactory(
        patient=patient, kind="side-effect-review", title="SE review", assigned_to=practitioner
    )
    url = reverse("treatments:task_done", args=[task.pk])
    first = practitioner_client.post(url, {"note": "no side effects", "next": "/tasks/"})
    assert first.status_code == 302
    task.refresh_from_db()
    done_at, updated_at = task.done_at, task.updated_at
    other = client_for(UserFactory(username="dr2", role="Practitioner"))
    response = other.post(url, {"note": "ptosis left eye, reported", "next": "/tasks/"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "already completed" in page
    assert practitioner.get_full_name() in page
    assert timezone.localtime(done_at).strftime("%d/%m/%Y %H:%M") in page
    assert "ptosis left eye, reported" in page  # B's note, to act on
    assert "Done:" not in page
    task.refresh_from_db()
    assert task.outcome_note == "no side effects" and task.done_by == practitioner
    assert task.updated_at == updated_at
    assert AccessEvent.objects.filter(patient=patient, object_ref=f"pk={task.pk}").exists()


def test_a_double_click_on_done_is_done_once(practitioner_client, practitioner, patient):
    task = FollowUpFactory(patient=patient, kind="bladder-review", assigned_to=practitioner)
    url = reverse("treatments:task_done", args=[task.pk])
    for _ in range(2):
        response = practitioner_client.post(url, {"note": "PVR 60 mL"}, follow=True)
        assert "Done:" in response.content.decode()
    task.refresh_from_db()
    assert task.outcome_note == "PVR 60 mL"


def test_the_task_list_links_the_session_by_its_indication(practitioner_client, practitioner):
    from tests.factories import TreatmentSessionFactory
    from treatments.forms.sessions import top_up_label
    from treatments.models import Indication

    session = TreatmentSessionFactory(
        practitioner=practitioner, indication=Indication.objects.get(slug="spasticity-ul-adult")
    )
    FollowUpFactory(patient=session.patient, session=session, assigned_to=practitioner)
    page = practitioner_client.get("/tasks/").content.decode()
    assert ">Session for Upper limb spasticity, adult</a>" in page
    # The editor's "Top-up of" choices: the indication last, after the date.
    on = timezone.localtime(session.performed_at)
    assert top_up_label(session) == f"BOTOX on {on:%d/%m/%Y} for Upper limb spasticity, adult"


def test_the_session_page_keeps_a_follow_up_due_date_apart_from_its_indication(
    practitioner_client, practitioner
):
    # "...for Upper limb spasticity, adult, due 11/08/2026" read as a list of three.
    from tests.factories import TreatmentSessionFactory
    from treatments.models import Indication

    session = TreatmentSessionFactory(
        practitioner=practitioner, indication=Indication.objects.get(slug="spasticity-ul-adult")
    )
    task = FollowUpFactory(
        patient=session.patient,
        session=session,
        title="Side-effect review after treatment for Upper limb spasticity, adult",
    )
    page = practitioner_client.get(f"/sessions/{session.public_id}/").content.decode()
    due = f"{task.due_on:%d/%m/%Y}"
    assert f"Upper limb spasticity, adult · due {due}" in page
    assert f"adult, due {due}" not in page


def test_the_task_list_shows_fifty_tasks_a_page_overdue_first(
    practitioner_client, practitioner, patient
):
    """A clinic group's open tasks can number thousands (4,733 unassigned ones took the
    page 1.8 s at 400,000 sessions): the list shows 50 a page, soonest due first, with
    page links that keep "Mine" or "Everyone's"."""
    today = timezone.localdate()
    soon = today + timedelta(days=3)
    FollowUpFactory.create_batch(49, patient=patient, assigned_to=practitioner, due_on=soon)
    overdue = FollowUpFactory(
        patient=patient, assigned_to=None, due_on=today - timedelta(days=2), title="Call back"
    )
    FollowUpFactory(
        patient=patient, assigned_to=practitioner, due_on=today + timedelta(days=9), title="Last"
    )
    first = practitioner_client.get("/tasks/").content.decode()
    assert first.count('name="note"') == 50
    assert first.index("Call back") < first.index(f"{soon:%d/%m/%Y}")
    assert "Last" not in first
    assert 'href="?page=2"' in first
    everyone = practitioner_client.get("/tasks/?who=all").content.decode()
    assert 'href="?who=all&amp;page=2"' in everyone
    second = practitioner_client.get("/tasks/?page=2").content.decode()
    assert second.count('name="note"') == 1 and "Last" in second
    assert overdue.title not in second


def test_the_patients_tasks_are_listed_open_soonest_first_then_done(practitioner):
    """Browser review (07/12/2026): the record listed a task due 01/03/2027 above one due
    14/12/2026 (latest due first, open and done alike)."""
    from tests.conftest import client_for
    from treatments import selectors

    today = timezone.localdate()
    later = FollowUpFactory(title="Three-month review", due_on=today + timedelta(days=84))
    patient = later.patient
    soon = FollowUpFactory(patient=patient, title="Two-week review", due_on=today + timedelta(7))
    done, older = (
        FollowUpFactory(
            patient=patient,
            title=title,
            due_on=today - timedelta(days=days),
            done_at=timezone.now(),
            done_by=practitioner,
        )
        for title, days in (("Day-one call", 13), ("Old call", 90))
    )
    listed = selectors.followup_list_for_patient(patient=patient)
    assert [t.title for t in listed] == [soon.title, later.title, done.title, older.title]
    # On the record the done ones are folded away under the open ones (a patient treated
    # for years has dozens: they pushed the contact details two screens down).
    page = client_for(practitioner).get(patient.get_absolute_url()).content.decode()
    shown = page.split('data-testid="tasks-open"', 1)[1].split("</ul>", 1)[0]
    assert soon.title in shown and later.title in shown and done.title not in shown
    folded = page.split('data-testid="tasks-done"', 1)[1].split("</details>", 1)[0]
    assert "<summary" in folded and "2 done</summary>" in folded
    assert done.title in folded and older.title in folded


def test_done_comes_back_to_the_next_row_or_to_the_tasks_done_today(
    practitioner_client, practitioner, patient
):
    """Browser review (07/12/2026): after each Done the 50-row list reloaded at its top,
    and the only Reopen was far below."""
    today = timezone.localdate()
    first, second = (
        FollowUpFactory(patient=patient, assigned_to=practitioner, due_on=today + timedelta(n))
        for n in (0, 1)
    )
    page = practitioner_client.get("/tasks/").content.decode()
    assert f'id="task-{first.pk}" data-return-to' in page
    assert f'name="next" value="/tasks/#task-{second.pk}"' in page  # first's Done: to second
    assert 'name="next" value="/tasks/#done-today"' in page  # the last row's
    done = practitioner_client.post(
        reverse("treatments:task_done", args=[first.pk]), {"next": f"/tasks/#task-{second.pk}"}
    )
    assert done["Location"] == f"/tasks/#task-{second.pk}"
    page = practitioner_client.get("/tasks/").content.decode()
    assert 'id="done-today" data-return-to' in page
