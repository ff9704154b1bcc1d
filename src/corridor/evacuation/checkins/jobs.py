"""The dead man's switch: the worker's sweep over the check-in schedules.

It reads plain columns only and opens no key. Each step of each missed check-in commits in
the same transaction as its effects: the step's row (unique per schedule, due time and
step), its tasks, its audit event and the schedule's new state commit together or not at
all (a few schedules share a transaction). So a worker killed at any point (kill -9
included) and started again takes every step exactly once: a step that committed is not
taken again, one that did not is taken by the next sweep. The fixed staff alert is queued,
once per sweep, in the same way (corridor.evacuation.checkins.services.alert_now).
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.tasks import task

from corridor.audit.services import record_event
from corridor.cases.models import Case, DataKeyWrap, Stage
from corridor.evacuation.checkins import services
from corridor.evacuation.checkins.models import MISSED_STEPS, CheckInSchedule, Escalation

logger = logging.getLogger("corridor.checkins")
# Schedules per transaction: fewer commits (each one a disk flush on PostgreSQL), while the
# write lock is never held for long (on SQLite it holds back every other writer).
CHUNK = 20


def due_schedules(now: datetime) -> list[uuid.UUID]:
    """Running schedules whose next step has come (one indexed query, no key, no join but the stage)."""
    return list(
        CheckInSchedule.objects.filter(active=True, next_step_at__lte=now)
        .exclude(case__stage=Stage.CLOSED)
        .order_by("next_step_at")
        .values_list("pk", flat=True)
    )


def off_stage(now: datetime) -> list[uuid.UUID]:
    """Running schedules that follow the stage but still carry another stage's interval or grace
    (the case moved on since): one query over plain columns."""
    # One condition per distinct default (two as configured: in transit, and every other stage).
    by_defaults: dict[tuple[int, int], list[str]] = {}
    for stage in Stage.values:
        by_defaults.setdefault(services.stage_defaults(stage), []).append(stage)
    stale = Q()
    for (interval, grace), stages in by_defaults.items():
        stale |= Q(case__stage__in=stages) & ~Q(interval_minutes=interval, grace_minutes=grace)
    return list(
        CheckInSchedule.objects.filter(active=True, follows_stage=True)
        .exclude(case__stage=Stage.CLOSED)
        .filter(stale)
        .values_list("pk", flat=True)
    )


@transaction.atomic
def follow_stage(schedule_id: uuid.UUID, now: datetime) -> bool:
    """Give a schedule its stage's interval and grace, counted from the last check-in but never
    from before now: a person just put in transit is due at once if not heard from lately."""
    schedule = CheckInSchedule.objects.select_for_update(of=("self",)).filter(pk=schedule_id).first()
    if schedule is None or not (schedule.active and schedule.follows_stage):
        return False
    stage = Case.objects.filter(pk=schedule.case_id).values_list("stage", flat=True).get()
    interval, grace = services.stage_defaults(stage)
    if (schedule.interval_minutes, schedule.grace_minutes) == (interval, grace) or stage == Stage.CLOSED:
        return False
    schedule.interval_minutes, schedule.grace_minutes = interval, grace
    base = schedule.last_check_in_at or schedule.changed_at
    due = max(base + timedelta(minutes=interval), now)
    if due != schedule.next_due_at:
        services.set_due(schedule, due)
    else:
        schedule.next_step_at = services.step_time(due, grace, schedule.escalated_steps)
    schedule.save(
        update_fields=["interval_minutes", "grace_minutes", "next_due_at", "escalated_steps", "next_step_at"]
    )
    record_event(
        action="checkins.stage_followed",
        target_type="case",
        target_id=schedule.case_id,
        data={
            "schedule": str(schedule.pk),
            "stage": stage,
            "interval_minutes": interval,
            "grace_minutes": grace,
        },
    )
    return True


@transaction.atomic
def _alert(now: datetime) -> int:
    return services.alert_now(now)


def take_due_steps(schedule_ids: list[uuid.UUID], now: datetime) -> int:
    """Every due step of these schedules, in order, in one transaction; returns how many.

    The schedules are locked and re-checked first, their cases and the caseworkers' wraps
    read in one query each, and the step rows and the schedules' new state written in one
    statement each; each step's tasks and audit event are its own.
    """
    with transaction.atomic():
        schedules = list(
            CheckInSchedule.objects.select_for_update(of=("self",))
            .filter(pk__in=schedule_ids, active=True, next_step_at__lte=now)
            .order_by("next_step_at")
        )
        cases = {
            case.pk: case
            for case in Case.objects.select_related("key", "caseworker")
            .filter(pk__in=[s.case_id for s in schedules])
            .exclude(stage=Stage.CLOSED)
        }
        wraps = set(
            DataKeyWrap.objects.filter(
                key_id__in=[c.key_id for c in cases.values()],
                user_id__in=[c.caseworker_id for c in cases.values() if c.caseworker_id],
            ).values_list("key_id", "user_id", "version")
        )
        rows, changed = [], []
        for schedule in schedules:
            case = cases.get(schedule.case_id)
            if case is None:
                continue
            reads = (case.key_id, case.caseworker_id, case.key.version) in wraps
            while schedule.next_step_at is not None and schedule.next_step_at <= now:
                step = MISSED_STEPS[schedule.escalated_steps]
                due = schedule.next_due_at
                rows.append(Escalation(schedule=schedule, due_at=due, step=step, at=now))
                services.step_effects(
                    schedule=schedule, case=case, due_at=due, step=step, now=now, caseworker_reads=reads
                )
                schedule.escalated_steps += 1
                schedule.next_step_at = services.step_time(
                    due, schedule.grace_minutes, schedule.escalated_steps
                )
            changed.append(schedule)
        # The unique constraint refuses a step taken before: the whole chunk is undone.
        Escalation.objects.bulk_create(rows)
        CheckInSchedule.objects.bulk_update(changed, ["escalated_steps", "next_step_at"])
    return len(rows)


def sweep_at(*, now: datetime | None = None) -> int:
    """Take every step that has come, then queue the fixed alert once; returns the steps taken.

    Schedules that follow the stage take their case's current stage's interval first. The
    due schedules are taken CHUNK at a time, each chunk one transaction: every step in it
    commits with its row, tasks and audit event, or none does. A worker that was down long
    enough finds several steps of one schedule due: they are taken in order.
    """
    now = now or datetime.now(UTC)
    for schedule_id in off_stage(now):
        follow_stage(schedule_id, now)
    taken = 0
    due = due_schedules(now)
    for start in range(0, len(due), CHUNK):
        chunk = due[start : start + CHUNK]
        try:
            taken += take_due_steps(chunk, now)
        except IntegrityError:
            # A step's row exists but its schedule says otherwise (written outside Corridor):
            # nothing was done twice. The chunk again one schedule at a time, that one logged.
            for schedule_id in chunk:
                try:
                    taken += take_due_steps([schedule_id], now)
                except IntegrityError:
                    logger.exception("check-in schedule %s: a step was already taken", schedule_id)
    # Also alerts steps a killed sweep committed without reaching this point.
    _alert(now)
    if taken:
        logger.info("took %d check-in escalation step(s)", taken)
    return taken


@task
def sweep_check_ins() -> None:
    """The periodic job: missed check-ins escalate (idempotent)."""
    sweep_at()


def sweep_needed() -> bool:
    """Whether any schedule runs: without one the sweep has nothing to do and is not queued."""
    return CheckInSchedule.objects.filter(active=True).exists()
