"""Tasks on cases: my open tasks, adding one to a case, marking one done."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from corridor.accounts import unlock
from corridor.accounts.decorators import role_required
from corridor.cases import access, grants, once, tasks
from corridor.cases.forms_tasks import TaskForm
from corridor.cases.keys import KeyLocked
from corridor.cases.models import Case
from corridor.cases.services import CaseRefused
from corridor.cases.views_common import staff_user
from corridor.hotline import receipts


def task_form(case: Case, data: dict[str, str] | None = None) -> TaskForm:
    """The add-a-task form of a case: its assignees are the people who can read it."""
    # Holders of the current key read the case by definition; their roles decide the rest.
    people = [user for user in grants.holders(case) if user.is_active and access.can_use_cases(user)]
    return TaskForm(data, people=people)


@role_required(*access.CASE_ROLES)
@require_GET
def tasks_view(request: HttpRequest) -> HttpResponse:
    """My open tasks, soonest due first, with their titles opened."""
    user = staff_user(request)
    mine = list(tasks.tasks_for_user(user))
    try:
        rows = tasks.task_rows(user=user, user_private_key=unlock.user_private_key(request), tasks=mine)
    except KeyLocked:
        raise PermissionDenied from None
    return render(request, "cases/tasks.html", {"rows": rows})


@role_required(*access.CASE_ROLES)
@require_POST
def task_add_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    case = access.get_case_for_staff(user, case_id)
    form = task_form(case, request.POST)
    token = request.POST.get("submission", "")
    if form.is_valid():
        try:
            done = once.carry_out_once(
                token,
                lambda: tasks.add_task(
                    actor=user,
                    user_private_key=unlock.user_private_key(request),
                    case=case,
                    title=form.cleaned_data["title"],
                    assignee=form.assignee_user(),
                    due_at=form.cleaned_data["due_at"],
                ),
            )
        except CaseRefused as exc:
            form.add_error(None, str(exc))
        except KeyLocked:
            raise PermissionDenied from None
        else:
            if done.repeated:
                messages.info(request, once.REPEATED)
            else:
                messages.success(request, _("The task is added."))
            return redirect("cases:case", case_id=case.pk)
    # Nothing was done: the corrected form may use the same token.
    context = {"case": case, "form": form, "submission_token": token or receipts.new_token()}
    return render(request, "cases/task_add.html", context, status=400)


@role_required(*access.CASE_ROLES)
@require_POST
def task_done_view(request: HttpRequest, task_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    task = tasks.get_task_for_staff(user, task_id)
    if task is None:
        raise Http404
    try:
        tasks.complete_task(actor=user, task=task)
    except CaseRefused as exc:
        messages.info(request, str(exc))
    else:
        messages.success(request, _("The task is done."))
    return redirect("cases:tasks")
