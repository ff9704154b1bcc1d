"""Synthetic check-ins for `corridor demo`: schedules on the cases on the move, overdue check-ins.

The schedules and check-ins go through the services. To show missed check-ins at once, the
demo then moves two schedules' clocks back (its own rows, demo data only) and runs the sweep,
as the worker would have run it while those hours passed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from corridor.cases.demo import MARK, Staff
from corridor.cases.models import Case, Stage
from corridor.evacuation.checkins import jobs, services
from corridor.evacuation.checkins.models import CheckInSchedule

WATCHED = [Stage.IN_TRANSIT, Stage.SHELTERED, Stage.RELOCATING, Stage.DEPARTED]


def _backdate(schedule: CheckInSchedule, *, missed_by: timedelta) -> None:
    """As if the last check-in was one interval plus `missed_by` ago."""
    now = datetime.now(UTC)
    due = now - missed_by
    last = due - timedelta(minutes=schedule.interval_minutes)
    CheckInSchedule.objects.filter(pk=schedule.pk).update(
        created_at=last,
        last_check_in_at=last,
        next_due_at=due,
        escalated_steps=0,
        next_step_at=services.step_time(due, schedule.grace_minutes, 0),
    )


def populate(staff: Staff) -> None:
    """Check-ins on every demo case on the move or in hiding; two missed, one "not safe"."""
    alice, key = staff.alice, staff.key(staff.alice)
    cases = list(
        Case.objects.filter(stage__in=WATCHED, caseworker=alice).select_related("key").order_by("stage")
    )
    schedules = {}
    for case in cases:
        schedules[case.stage] = services.set_schedule(
            actor=alice, case=case, interval_minutes=None, grace_minutes=None, active=True
        )
        services.log_check_in(
            actor=alice,
            user_private_key=key,
            case=case,
            answer="safe",
            channel="call",
            note=f"{MARK} Созвонились, всё спокойно, хозяева не задают вопросов.",
        )
    by_stage = {case.stage: case for case in cases}
    if Stage.RELOCATING in by_stage:
        services.log_check_in(
            actor=staff.bob,
            user_private_key=staff.key(staff.bob),
            case=by_stage[Stage.RELOCATING],
            answer="unsafe",
            channel="messenger",
            note=f"{MARK} Пишет, что у дома стоит машина с местными номерами.",
        )
    # In transit, the bus should have arrived an hour ago and nobody has heard from him: the
    # caseworker and the coordinators are alerted. Sheltered, a day's check-in is five hours late.
    if Stage.IN_TRANSIT in schedules:
        _backdate(schedules[Stage.IN_TRANSIT], missed_by=timedelta(hours=1, minutes=5))
    if Stage.SHELTERED in schedules:
        _backdate(schedules[Stage.SHELTERED], missed_by=timedelta(hours=5))
    jobs.sweep_at()
