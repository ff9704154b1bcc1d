"""Every write to check-ins: schedules, check-ins by staff and by the person, and the urgent path.

A check-in moves the next due time one interval on and resets the escalation. An answer
"not safe" moves nothing: the missed-check-in steps keep running as if it had not come, and
it raises its own urgent step at once (tasks for the caseworker and the coordinators who
hold the case, and the fixed staff alert), recorded like the others so it happens once.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from corridor.accounts.models import OrgKeyKind, Role, User
from corridor.audit.services import record_event
from corridor.cases import keys as data_keys
from corridor.cases import sealing
from corridor.cases import services as case_services
from corridor.cases.models import Case, ContactChannel, Stage, Task, TaskKind
from corridor.evacuation.checkins.models import (
    MISSED_STEPS,
    Answer,
    Channel,
    CheckIn,
    CheckInSchedule,
    Escalation,
    Source,
    Step,
)
from corridor.hotline import services as hotline
from corridor.hotline.models import Thread

# Corridor's own tasks carry no title (the worker holds no key); their kind says what to do.
TASK_MISSED = TaskKind.MISSED_CHECK_IN
TASK_UNSAFE = TaskKind.UNSAFE_CHECK_IN
# What staff may choose (minutes): from a quarter of an hour to a week, graces up to three days.
INTERVAL_RANGE = (15, 7 * 24 * 60)
GRACE_RANGE = (5, 3 * 24 * 60)
MAX_NOTE = 2_000


class CheckInRefused(ValueError):
    """The request is not allowed or not valid; the message says why, in the user's language."""


def _now() -> datetime:
    return datetime.now(UTC)


def stage_defaults(stage: str) -> tuple[int, int]:
    """The interval and grace (minutes) of a stage, as configured."""
    intervals, graces = settings.CORRIDOR_CHECKIN_INTERVAL_MINUTES, settings.CORRIDOR_CHECKIN_GRACE_MINUTES
    return int(intervals.get(stage, intervals["default"])), int(graces.get(stage, graces["default"]))


def step_time(due_at: datetime, grace_minutes: int, steps_taken: int) -> datetime | None:
    """When the next step of a missed check-in comes: one grace after the due time per step."""
    if steps_taken >= len(MISSED_STEPS):
        return None
    return due_at + timedelta(minutes=grace_minutes * (steps_taken + 1))


def set_due(schedule: CheckInSchedule, due_at: datetime) -> None:
    schedule.next_due_at = due_at
    schedule.escalated_steps = 0
    schedule.next_step_at = step_time(due_at, schedule.grace_minutes, 0) if schedule.active else None


def _locked_schedule(case: Case) -> CheckInSchedule | None:
    return CheckInSchedule.objects.select_for_update(of=("self",)).filter(case=case).first()


def _check_range(value: int | None, bounds: tuple[int, int], message: str) -> None:
    if value is not None and not bounds[0] <= value <= bounds[1]:
        raise CheckInRefused(message)


@transaction.atomic
def set_schedule(
    *, actor: User, case: Case, interval_minutes: int | None, grace_minutes: int | None, active: bool
) -> CheckInSchedule:
    """Start, change, pause or resume the case's check-ins. None follows the stage's default."""
    _check_range(interval_minutes, INTERVAL_RANGE, _("Choose an interval from the list."))
    _check_range(grace_minutes, GRACE_RANGE, _("Choose a grace period from the list."))
    case = Case.objects.get(pk=case.pk)  # the stage as it is now
    if case.stage == Stage.CLOSED:
        raise CheckInRefused(_("The case is closed: it has no check-ins."))
    now = _now()
    default_interval, default_grace = stage_defaults(case.stage)
    interval = interval_minutes or default_interval
    grace = grace_minutes or default_grace
    schedule = _locked_schedule(case)
    started = schedule is None
    if schedule is None:
        schedule = CheckInSchedule(
            id=uuid.uuid4(), case=case, created_by=actor, created_at=now, next_due_at=now
        )
    resumed = active and not schedule.active
    changed_interval = not started and interval != schedule.interval_minutes
    schedule.active = active
    schedule.follows_stage = interval_minutes is None and grace_minutes is None
    schedule.interval_minutes, schedule.grace_minutes = interval, grace
    schedule.changed_at = now
    if started or resumed:
        set_due(schedule, now + timedelta(minutes=interval))
    elif changed_interval:
        # A new interval counts from the last check-in, but never from before now: shortening
        # it does not fire steps for a past that was not overdue when it passed.
        base = schedule.last_check_in_at or schedule.created_at
        set_due(schedule, max(base + timedelta(minutes=interval), now))
    else:
        # Same due time: the steps already taken stand, the next one follows the new grace.
        schedule.next_step_at = (
            step_time(schedule.next_due_at, grace, schedule.escalated_steps) if active else None
        )
    schedule.save()
    record_event(
        action="checkins.schedule_set",
        actor_id=actor.pk,
        target_type="case",
        target_id=case.pk,
        data={
            "schedule": str(schedule.pk),
            "interval_minutes": interval,
            "grace_minutes": grace,
            "follows_stage": schedule.follows_stage,
            "active": active,
        },
    )
    return schedule


def _clean_note(text: str) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in text) or "\x7f" in text:
        raise CheckInRefused(_("The text contains characters that cannot be accepted."))
    if len(text) > MAX_NOTE:
        raise CheckInRefused(_("The note is too long (at most %(n)d characters).") % {"n": MAX_NOTE})
    return text


def _system_task(case: Case, kind: TaskKind, assignee: User | None, now: datetime) -> Task:
    # Corridor's own task, as corridor.cases.jobs makes its lost-contact proposals: no title.
    return Task.objects.create(
        id=uuid.uuid4(), case=case, kind=kind, title=b"", assignee=assignee, due_at=now, created_at=now
    )


def readers(case: Case) -> list[User]:
    """Active staff who can read the case, in name order: two queries, whatever the number of staff.

    Those the case key is sealed to and, while it is still sealed to the hotline key
    (no caseworker yet), the coordinators who hold that key: the same rule as
    corridor.cases.access, so a task is only ever given to someone who can read its case.
    """
    people = {user.pk: user for user in data_keys.user_holders(case.key) if user.is_active}
    if data_keys.has_hotline_wrap(case.key):
        through_hotline = User.objects.filter(
            is_active=True,
            role_assignments__role=Role.COORDINATOR,
            key_wraps__org_key__kind=OrgKeyKind.HOTLINE,
        ).prefetch_related("role_assignments")
        people.update({user.pk: user for user in through_hotline})
    return sorted(people.values(), key=lambda user: user.username)


def _caseworker_reads(case: Case) -> bool:
    """The caseworker holds the case key (assigning one seals the key to them): one query."""
    caseworker = case.caseworker
    return caseworker is not None and data_keys.user_wrap(case.key, caseworker) is not None


def record_step(
    *, schedule: CheckInSchedule, case: Case, due_at: datetime, step: str, now: datetime
) -> Escalation:
    """Take one step: its row, its tasks and its audit event, in the caller's transaction.

    The row is unique per schedule, due time and step: a second taking of the same step
    fails with IntegrityError and the caller's transaction, with everything in it, is undone.
    """
    escalation = Escalation.objects.create(schedule=schedule, due_at=due_at, step=step, at=now)
    step_effects(schedule=schedule, case=case, due_at=due_at, step=step, now=now)
    return escalation


def step_effects(
    *,
    schedule: CheckInSchedule,
    case: Case,
    due_at: datetime,
    step: str,
    now: datetime,
    caseworker_reads: bool | None = None,
) -> None:
    """A step's tasks and audit event (its row is the caller's); `caseworker_reads` if already known."""
    assigned: list[User | None] = []
    if step in (Step.CASEWORKER, Step.UNSAFE):
        reads = _caseworker_reads(case) if caseworker_reads is None else caseworker_reads
        assigned.append(case.caseworker if reads else None)
    if step in (Step.COORDINATORS, Step.UNSAFE):
        assigned += [u for u in readers(case) if u.has_role(Role.COORDINATOR) and u not in assigned]
    kind = TASK_UNSAFE if step == Step.UNSAFE else TASK_MISSED
    for person in assigned:
        _system_task(case, kind, person, now)
    proposed = False
    if step == Step.LOST_CONTACT:
        proposed = propose_lost_contact(case=case, now=now)
    record_event(
        action="checkins.escalated",
        target_type="case",
        target_id=case.pk,
        data={
            "schedule": str(schedule.pk),
            "step": step,
            "due_at": due_at.isoformat(),
            "tasks": len(assigned),
            "lost_contact_proposed": proposed,
        },
    )


def propose_lost_contact(*, case: Case, now: datetime) -> bool:
    """A task for the caseworker to decide on the lost-contact flag (never the flag itself).

    Nothing new when the flag is up or a proposal is already waiting (corridor.cases.jobs
    makes the same proposal for long silences).
    """
    from corridor.cases.models import CaseFlag, FlagKind

    if CaseFlag.objects.filter(case=case, kind=FlagKind.LOST_CONTACT, cleared_at__isnull=True).exists():
        return False
    if Task.objects.filter(case=case, kind=TaskKind.PROPOSE_LOST_CONTACT, done_at__isnull=True).exists():
        return False
    _system_task(case, TaskKind.PROPOSE_LOST_CONTACT, case.caseworker, now)
    return True


def alert_now(now: datetime) -> int:
    """Queue the fixed staff alert for every step not yet alerted; in the caller's transaction.

    The queue lives in the same database, so the alert is queued exactly when the steps
    commit: a worker killed in between leaves steps unalerted, and the next sweep alerts.
    """
    from corridor.hotline.alerts import send_staff_alert_digest

    pending = Escalation.objects.select_for_update().filter(alerted_at__isnull=True)
    count = Escalation.objects.filter(pk__in=list(pending.values_list("pk", flat=True))).update(
        alerted_at=now
    )
    if count:
        send_staff_alert_digest.enqueue()
        record_event(action="checkins.alert_queued", data={"steps": count})
    return count


def _apply(schedule: CheckInSchedule, case: Case, check_in: CheckIn) -> None:
    """A safe check-in moves the next due time on and resets the steps; "not safe" escalates at once."""
    schedule.last_check_in_at = check_in.at
    fields = ["last_check_in_at"]
    if check_in.answer == Answer.SAFE and schedule.active:
        if schedule.follows_stage:
            schedule.interval_minutes, schedule.grace_minutes = stage_defaults(case.stage)
        set_due(schedule, check_in.at + timedelta(minutes=schedule.interval_minutes))
        fields += ["interval_minutes", "grace_minutes", "next_due_at", "escalated_steps", "next_step_at"]
    schedule.save(update_fields=fields)
    if check_in.answer == Answer.UNSAFE:
        record_step(schedule=schedule, case=case, due_at=check_in.at, step=Step.UNSAFE, now=check_in.at)
        alert_now(check_in.at)


def _audit_check_in(check_in: CheckIn, schedule: CheckInSchedule, actor: User | None) -> None:
    record_event(
        action="checkins.checked_in",
        actor_id=actor.pk if actor else None,
        target_type="case",
        target_id=check_in.case_id,
        data={
            "schedule": str(schedule.pk),
            "check_in": str(check_in.pk),
            "source": check_in.source,
            "answer": check_in.answer,
            "channel": check_in.channel,
        },
    )


@transaction.atomic
def log_check_in(
    *, actor: User, user_private_key: bytes, case: Case, answer: str, channel: str, note: str = ""
) -> CheckIn:
    """Staff heard from the person: the check-in, and a contact on the case (a sign of life)."""
    if answer not in Answer.values:
        raise CheckInRefused(_("Choose how the person is."))
    if channel not in Channel.values:
        raise CheckInRefused(_("Choose how you heard from the person."))
    note = _clean_note(note)
    schedule = _locked_schedule(case)
    if schedule is None:
        raise CheckInRefused(_("Start the check-ins first."))
    case = Case.objects.select_related("key", "caseworker").get(pk=case.pk)
    check_in = CheckIn(
        id=uuid.uuid4(),
        case=case,
        source=Source.STAFF,
        answer=answer,
        channel=channel,
        logged_by=actor,
        at=_now(),
    )
    if note:
        key = case_services.open_case_key(
            user=actor, user_private_key=user_private_key, case=case, purpose="check_in"
        )
        check_in.note = sealing.seal_text(key, case.key.version, check_in, "note", note)
    check_in.save(force_insert=True)
    _audit_check_in(check_in, schedule, actor)
    if channel in ContactChannel.values:
        case_services.log_contact(actor=actor, user_private_key=user_private_key, case=case, channel=channel)
    _apply(schedule, case, check_in)
    return check_in


def schedule_for_thread(thread: Thread) -> CheckInSchedule | None:
    """The check-in schedule of the thread's case, if it has one (active or paused)."""
    return CheckInSchedule.objects.filter(case__thread=thread).select_related("case").first()


def offers_check_in(thread: Thread) -> bool:
    """Whether the person's page shows the two check-in choices: only while a schedule runs."""
    return (
        CheckInSchedule.objects.filter(case__thread=thread, active=True)
        .exclude(case__stage=Stage.CLOSED)
        .exists()
    )


def last_check_in_at(thread: Thread) -> datetime | None:
    """What the person's page says after a check-in, whatever the answer was."""
    schedule = schedule_for_thread(thread)
    return schedule.last_check_in_at if schedule else None


@transaction.atomic
def record_person_check_in(
    *, thread: Thread, applicant_private: bytes, answer: str, text: str = ""
) -> CheckIn:
    """The person pressed one of the two choices in their thread; no staff key is needed.

    An optional message goes into the thread as any message of theirs (under the
    conversation key). The case's last sign of life moves, as a message would move it.
    """
    if answer not in Answer.values:
        raise CheckInRefused(_("Choose one of the two answers."))
    try:
        text = hotline.clean_text(text or "", required=False)
    except hotline.InvalidSubmission as exc:
        raise CheckInRefused(str(exc)) from exc
    case = Case.objects.filter(thread=thread).select_related("key", "caseworker").first()
    schedule = _locked_schedule(case) if case is not None else None
    if case is None or schedule is None or case.stage == Stage.CLOSED:
        raise CheckInRefused(_("There is nothing to check in to here."))
    now = _now()
    check_in = CheckIn.objects.create(
        id=uuid.uuid4(), case=case, source=Source.PERSON, answer=answer, channel=Channel.THREAD, at=now
    )
    _audit_check_in(check_in, schedule, None)
    if text:
        hotline.add_applicant_message(thread=thread, applicant_private=applicant_private, text=text, files=[])
    # The same sign-of-life column a logged contact moves (corridor.cases.services.log_contact),
    # so a person who only checks in is not proposed as lost by the cases' own job.
    Case.objects.filter(pk=case.pk, last_contact_at__lt=now).update(last_contact_at=now)
    _apply(schedule, case, check_in)
    return check_in
