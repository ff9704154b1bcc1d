"""Tasks on cases: what someone has to do, by when, and Corridor's own proposals.

A task's title is free text, so it is an envelope under the case key; who, when and
what kind stay plain so the worker can remind without decrypting anything. A task is
only ever assigned to someone who can read its case.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from corridor.accounts.models import User
from corridor.audit.services import record_event
from corridor.cases import access, sealing
from corridor.cases.models import Case, Task, TaskKind
from corridor.cases.services import CaseRefused, open_case_key

MAX_TITLE = 300


def _now() -> datetime:
    return datetime.now(UTC)


def clean_title(title: str) -> str:
    """One line of text: control characters are refused, not silently dropped."""
    title = (title or "").strip()
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in title):
        raise CaseRefused(_("The task contains characters that cannot be accepted."))
    if not title:
        raise CaseRefused(_("Write what has to be done."))
    if len(title) > MAX_TITLE:
        raise CaseRefused(_("The task is too long (at most %(n)d characters).") % {"n": MAX_TITLE})
    return title


def can_be_assigned(user: User, case: Case) -> bool:
    return user.is_active and access.readable_cases(user).filter(pk=case.pk).exists()


@transaction.atomic
def add_task(
    *,
    actor: User,
    user_private_key: bytes,
    case: Case,
    title: str,
    assignee: User,
    due_at: datetime,
) -> Task:
    """A task on the case for someone who can read it; the title is sealed under the case key."""
    title = clean_title(title)
    if due_at.tzinfo is None:
        raise CaseRefused(_("Give the due date with its time zone."))
    if not can_be_assigned(assignee, case):
        raise CaseRefused(_("This person cannot read the case, so the task cannot be theirs."))
    case = Case.objects.select_related("key").get(pk=case.pk)
    key = open_case_key(user=actor, user_private_key=user_private_key, case=case, purpose="task")
    task = Task(
        id=uuid.uuid4(),
        case=case,
        kind=TaskKind.CUSTOM,
        assignee=assignee,
        due_at=due_at,
        created_by=actor,
        created_at=_now(),
    )
    task.title = sealing.seal_text(key, case.key.version, task, "title", title)
    task.save(force_insert=True)
    record_event(
        action="cases.task_added",
        actor_id=actor.pk,
        target_type="case",
        target_id=case.pk,
        data={"task": str(task.pk), "assignee": str(assignee.pk)},
    )
    return task


@transaction.atomic
def complete_task(*, actor: User, task: Task) -> Task:
    """Mark the task done; done once (a second click changes nothing and says so)."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.done_at is not None:
        raise CaseRefused(_("This task is already done."))
    task.done_at, task.done_by = _now(), actor
    task.save(update_fields=["done_at", "done_by"])
    record_event(
        action="cases.task_done",
        actor_id=actor.pk,
        target_type="case",
        target_id=task.case_id,
        data={"task": str(task.pk), "kind": task.kind},
    )
    return task


def tasks_for_user(user: User) -> QuerySet[Task]:
    """Open tasks assigned to this person on cases they can still read, soonest due first."""
    return (
        Task.objects.filter(assignee=user, done_at__isnull=True, case__in=access.readable_cases(user))
        .select_related("case")
        .order_by("due_at", "created_at")
    )


def get_task_for_staff(user: User, task_id: uuid.UUID) -> Task | None:
    """A task on a case this person can read; None for both "missing" and "not yours"."""
    return (
        Task.objects.filter(pk=task_id, case__in=access.readable_cases(user)).select_related("case").first()
    )


@dataclass(frozen=True)
class TaskRow:
    task: Task
    title: str
    overdue: bool


def task_rows(*, user: User, user_private_key: bytes, tasks: list[Task]) -> list[TaskRow]:
    """The tasks with their titles opened: each case key once, and only where a title exists."""
    keys: dict[uuid.UUID, bytes] = {}
    now = _now()
    rows = []
    for task in tasks:
        title = ""
        if bytes(task.title):
            if task.case_id not in keys:
                case = Case.objects.select_related("key").get(pk=task.case_id)
                keys[task.case_id] = open_case_key(
                    user=user, user_private_key=user_private_key, case=case, purpose="task"
                )
            title = sealing.open_text(keys[task.case_id], task, "title")
        rows.append(TaskRow(task=task, title=title, overdue=task.due_at < now))
    return rows
