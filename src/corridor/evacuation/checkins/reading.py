"""What staff see of check-ins: the case page's panel, a case's history, the missed check-ins list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db.models import QuerySet

from corridor.accounts.models import User
from corridor.cases import access as case_access
from corridor.cases import sealing
from corridor.cases.models import Case, Stage
from corridor.cases.panels import PanelContext
from corridor.crypto.errors import CryptoError
from corridor.evacuation.checkins import forms
from corridor.evacuation.checkins.models import Answer, CheckIn, CheckInSchedule, Escalation, Step
from corridor.hotline import receipts

PANEL_ENTRIES = 5


@dataclass(frozen=True)
class Entry:
    check_in: CheckIn
    note: str
    unreadable: bool


def entries(key: bytes, check_ins: list[CheckIn]) -> list[Entry]:
    """Check-ins with their notes opened under the case key (already opened by the caller)."""
    shown = []
    for check_in in check_ins:
        try:
            note, bad = sealing.open_text(key, check_in, "note"), False
        except (CryptoError, ValueError, KeyError, TypeError):
            note, bad = "", True
        shown.append(Entry(check_in=check_in, note=note, unreadable=bad))
    return shown


def recent(case: Case, limit: int | None = None) -> list[CheckIn]:
    qs = CheckIn.objects.filter(case=case).select_related("logged_by").order_by("-at")
    return list(qs[:limit] if limit else qs)


@dataclass(frozen=True)
class State:
    """Where a schedule stands now, in plain words for the template."""

    overdue: bool
    steps: list[str]
    unsafe_open: bool
    interval: str = ""
    grace: str = ""


def state_of(schedule: CheckInSchedule | None, now: datetime | None = None) -> State:
    if schedule is None:
        return State(overdue=False, steps=[], unsafe_open=False)
    now = now or datetime.now(UTC)
    taken = list(
        Escalation.objects.filter(schedule=schedule, due_at=schedule.next_due_at)
        .exclude(step=Step.UNSAFE)
        .order_by("at")
        .values_list("step", flat=True)
    )
    last = CheckIn.objects.filter(case_id=schedule.case_id).order_by("-at").values_list("answer", flat=True)
    return State(
        overdue=schedule.active and schedule.next_due_at < now,
        steps=[str(Step(step).label) for step in taken],
        unsafe_open=last.first() == Answer.UNSAFE,
        interval=forms.duration(schedule.interval_minutes),
        grace=forms.duration(schedule.grace_minutes),
    )


def page_forms(
    case: Case,
    schedule: CheckInSchedule | None,
    *,
    log_form: forms.LogCheckInForm | None = None,
    schedule_form: forms.ScheduleForm | None = None,
) -> dict[str, Any]:
    """The two forms of the panel and the case's check-in page (bound ones kept), each with its own ids."""
    token = receipts.new_token()
    log = log_form or forms.LogCheckInForm(initial={"submission": token})
    plan = schedule_form or forms.ScheduleForm.for_schedule(schedule, case, token)
    log.auto_id, plan.auto_id = "id_checkin_%s", "id_schedule_%s"
    return {"log_form": log, "schedule_form": plan}


def build_panel(ctx: PanelContext) -> dict[str, Any] | None:
    """The case page's section: schedule, last check-in, next due, the two forms."""
    case = ctx.case
    schedule = CheckInSchedule.objects.filter(case=case).first()
    if case.stage == Stage.CLOSED and schedule is None:
        return None
    return {
        "case": case,
        "schedule": schedule,
        "state": state_of(schedule),
        "entries": entries(ctx.key, recent(case, PANEL_ENTRIES)),
        "closed": case.stage == Stage.CLOSED,
        **page_forms(case, schedule),
    }


def missed_for(user: User, now: datetime | None = None) -> QuerySet[CheckInSchedule]:
    """Overdue running schedules, longest overdue first: coordinators see all, others their cases.

    Plain columns only (the case's code, stage and caseworker), as on the pipeline board.
    """
    now = now or datetime.now(UTC)
    qs = (
        CheckInSchedule.objects.filter(active=True, next_due_at__lt=now)
        .exclude(case__stage=Stage.CLOSED)
        .select_related("case", "case__caseworker")
        .only(
            "id",
            "next_due_at",
            "escalated_steps",
            "last_check_in_at",
            "case__id",
            "case__code",
            "case__stage",
            "case__caseworker__username",
        )
        .order_by("next_due_at")
    )
    if not case_access.is_coordinator(user):
        qs = qs.filter(case__in=case_access.readable_cases(user).values("pk"))
    return qs


def unsafe_since(user: User, since: datetime) -> QuerySet[CheckIn]:
    """ "Not safe" answers since `since` on the cases this person may see in the list."""
    qs = CheckIn.objects.filter(answer=Answer.UNSAFE, at__gte=since).select_related("case").order_by("-at")
    if not case_access.is_coordinator(user):
        qs = qs.filter(case__in=case_access.readable_cases(user).values("pk"))
    return qs.exclude(case__stage=Stage.CLOSED)
