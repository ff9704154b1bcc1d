"""The worker's periodic jobs on cases: lost-contact proposals and overdue-task reminders.

Neither decrypts anything: they read plain columns (stage, timestamps, assignee) only.
Lost contact is a human decision, so the job never raises the flag; it gives the
caseworker a task to decide. Reminders are the fixed staff alert, which names no case
and no task (corridor.hotline.alerts).
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce, Greatest
from django.tasks import task

from corridor.audit.services import record_event
from corridor.cases import rules
from corridor.cases.models import Case, CaseFlag, FlagKind, Task, TaskKind

logger = logging.getLogger("corridor.cases")


def lost_contact_days(stage: str) -> int:
    days = settings.CORRIDOR_LOST_CONTACT_DAYS
    return int(days.get(stage, days["default"]))


def _open_flag() -> Exists:
    return Exists(
        CaseFlag.objects.filter(case=OuterRef("pk"), kind=FlagKind.LOST_CONTACT, cleared_at__isnull=True)
    )


def _open_proposal() -> Exists:
    return Exists(
        Task.objects.filter(case=OuterRef("pk"), kind=TaskKind.PROPOSE_LOST_CONTACT, done_at__isnull=True)
    )


def silent_cases(now: datetime) -> list[uuid.UUID]:
    """Watched cases silent for longer than their stage allows, with no flag or proposal open."""
    overdue = Q()
    for stage in rules.WATCHED_STAGES:
        overdue |= Q(stage=stage, last_sign__lt=now - timedelta(days=lost_contact_days(stage)))
    return list(
        Case.objects.annotate(
            last_sign=Greatest(
                F("last_contact_at"), Coalesce(F("thread__last_applicant_at"), F("last_contact_at"))
            )
        )
        .filter(overdue)
        .exclude(_open_flag())
        .exclude(_open_proposal())
        .values_list("pk", flat=True)
    )


@transaction.atomic
def _propose(case_id: uuid.UUID, now: datetime) -> bool:
    """One proposal for one case; re-checked under the case's row lock so two runs never make two."""
    case = Case.objects.select_for_update().filter(pk=case_id).first()
    if case is None or case.stage not in rules.WATCHED_STAGES:
        return False
    open_flag = CaseFlag.objects.filter(case=case, kind=FlagKind.LOST_CONTACT, cleared_at__isnull=True)
    open_task = Task.objects.filter(case=case, kind=TaskKind.PROPOSE_LOST_CONTACT, done_at__isnull=True)
    if open_flag.exists() or open_task.exists():
        return False
    days = lost_contact_days(case.stage)
    Task.objects.create(
        id=uuid.uuid4(),
        case=case,
        kind=TaskKind.PROPOSE_LOST_CONTACT,
        title=b"",
        assignee_id=case.caseworker_id,
        due_at=now,
        created_at=now,
    )
    record_event(
        action="cases.lost_contact_proposed",
        target_type="case",
        target_id=case.pk,
        data={"days": days},
    )
    return True


def propose_lost_contact_at(*, now: datetime | None = None) -> int:
    """Give each silent case's caseworker one task to decide on the flag; returns how many were made."""
    now = now or datetime.now(UTC)
    made = sum(_propose(case_id, now) for case_id in silent_cases(now))
    if made:
        logger.info("proposed the lost-contact flag on %d case(s)", made)
    return made


@task
def propose_lost_contact() -> None:
    """The periodic job: lost-contact proposals (idempotent)."""
    propose_lost_contact_at()


@transaction.atomic
def send_task_reminders_at(*, now: datetime | None = None) -> int:
    """Mark overdue, unreminded tasks as reminded and, if any, send the fixed staff alert once."""
    from corridor.hotline.alerts import send_staff_alert_digest

    now = now or datetime.now(UTC)
    due = list(
        Task.objects.select_for_update()
        .filter(done_at__isnull=True, reminded_at__isnull=True, due_at__lte=now)
        .values_list("pk", flat=True)
    )
    if not due:
        return 0
    reminded = Task.objects.filter(pk__in=due, reminded_at__isnull=True).update(reminded_at=now)
    if not reminded:
        return 0
    record_event(action="cases.task_reminders_sent", data={"tasks": reminded})
    transaction.on_commit(send_staff_alert_digest.enqueue)
    return reminded


@task
def send_task_reminders() -> None:
    """The periodic job: remind of overdue tasks (each task once)."""
    send_task_reminders_at()
