"""Follow-up task pages: the task list, a new task for a patient, mark one done (a clinical
review with what was found), reopen one completed today."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from clinic.audit import audited, patient_from_url, record_access
from clinic.idempotency import submit_once, without_token
from clinic.inputs import local_next
from clinic.listing import fast_page
from clinic.permissions import require_perm
from patients.selectors import patient_get_for_user
from treatments import selectors, services
from treatments.choices import FINDINGS_REQUIRED_KINDS
from treatments.forms import CompleteTaskForm, FollowUpForm, ReopenTaskForm

TASKS_PER_PAGE = 50


@require_perm("treatments.view_followup")
@audited("task.list")
def task_list(request):
    mine = request.GET.get("who") != "all"
    # Overdue first, a page at a time (a clinic group's open tasks can number thousands).
    tasks = fast_page(
        request,
        selectors.followups_open(user=request.user if mine else None),
        order_by=("due_on",),
        per_page=TASKS_PER_PAGE,
    )
    # Done comes back to where the list was: the row after the one done (which leaves the
    # list), or the tasks done today, where it can be reopened (a 50-row list reloaded at
    # its top: browser review, 07/12/2026).
    rows = list(tasks.rows)
    for index, row in enumerate(rows):
        row.back_to = f"task-{rows[index + 1].pk}" if index + 1 < len(rows) else "done-today"
    return render(
        request,
        "treatments/task_list.html",
        {
            "tasks": tasks,
            "done_today": selectors.followup_list_done_today(user=request.user),
            "mine": mine,
            "today": selectors.today(),
            "findings_required": FINDINGS_REQUIRED_KINDS,
        },
    )


@require_perm("treatments.add_followup")
@audited("task.new", patient=patient_from_url())
def task_new(request, public_id):
    patient = patient_get_for_user(user=request.user, public_id=public_id)
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = without_token(form.cleaned_data)

        def create() -> str:
            services.followup_create(
                patient=patient, created_by=request.user, assigned_to=request.user, **fields
            )
            messages.success(request, "Task added.")
            return patient.get_absolute_url()

        outcome = submit_once(request, form, create)
        if outcome is not None:
            return redirect(outcome.url)
    return render(request, "treatments/task_form.html", {"patient": patient, "form": form})


@require_perm("treatments.change_followup")
@require_POST
def task_done(request, pk):
    task = selectors.followup_get(pk=pk)
    form = CompleteTaskForm(request.POST)
    if not form.is_valid():  # a note too long: refused, never completed without it
        return _not_done(request, task, form, problem=" ".join(form.errors.get("note", [])))
    try:
        services.followup_complete(task=task, done_by=request.user, note=form.cleaned_data["note"])
    except services.TaskAlreadyDone as exc:
        # Completed meanwhile (a stale page): say by whom and when, and keep this note on
        # the page to act on; nothing was written.
        return _not_done(request, exc.task, form, refusal=exc.message)
    except ValidationError as exc:  # a review completed without what was found
        return _not_done(request, task, form, problem=" ".join(exc.messages))
    messages.success(request, f"Done: {task.title} ({task.patient.full_name}).")
    return redirect(_back(request))


def _not_done(request, task, form, *, refusal: str = "", problem: str = ""):
    """The task page again, nothing written, with the note as typed: `refusal`, completed
    meanwhile by someone else (shown with their note); `problem`, this note cannot complete
    it (to mend and send again). The page shows the patient and the task's note: an access
    event, as for any page that shows a patient."""
    record_access(request, action="task.view", patient=task.patient_id, object_ref=f"pk={task.pk}")
    return render(
        request,
        "treatments/task_done.html",
        {
            "task": task,
            "patient": task.patient,
            "form": form,
            "refusal": refusal,
            "problem": problem,
            "findings_required": FINDINGS_REQUIRED_KINDS,
            "next": _back(request),
        },
    )


@require_perm("treatments.change_followup")
@require_POST
def task_reopen(request, pk):
    task = selectors.followup_get(pk=pk)
    form = ReopenTaskForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.refusal("This task could not be reopened."))
        return redirect(_back(request))
    try:
        services.followup_reopen(
            task=task, reopened_by=request.user, shown_done_at=form.cleaned_data["shown_done_at"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Reopened: {task.title} ({task.patient.full_name}).")
    return redirect(_back(request))


def _back(request) -> str:
    """Where the task's form came from (the task list, a patient's record), else the list."""
    return local_next(request, reverse("treatments:tasks"))
