"""The dead man's switch: a missed check-in escalates step by step, each once; a check-in resets it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django_tasks_db.models import DBTaskResult
from pytest_django.fixtures import Settings as SettingsWrapper

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.cases import services as case_services
from corridor.cases import workflow
from corridor.cases.models import CaseFlag, FlagKind, FlagReason, Task, TaskKind
from corridor.evacuation.checkins import jobs, services
from corridor.evacuation.checkins.models import CheckIn, CheckInSchedule, Escalation, Step
from tests.evacuation.checkins.helpers import case_with_thread, person_checks_in, start
from tests.hotline.helpers import open_web_thread, private_key

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DIGEST = "corridor.hotline.alerts.send_staff_alert_digest"


def alerts_queued() -> int:
    return DBTaskResult.objects.filter(task_path=DIGEST).count()


def steps(schedule: CheckInSchedule) -> list[str]:
    return list(
        Escalation.objects.filter(schedule=schedule).order_by("at", "pk").values_list("step", flat=True)
    )


def test_a_missed_check_in_escalates_to_the_caseworker_then_the_coordinators_then_proposes_lost_contact(
    olga: User, alice: User, carol: User
) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        person = case_with_thread(olga, alice, coordinator=carol)
        schedule = start(person.case, alice, interval=180, grace=30)
        assert schedule.next_due_at == T0 + timedelta(hours=3)
        assert schedule.next_step_at == T0 + timedelta(hours=3, minutes=30)

        clock.shift(timedelta(hours=3, minutes=29))
        assert jobs.sweep_at() == 0
        assert alerts_queued() == 0

        clock.shift(timedelta(minutes=1))
        assert jobs.sweep_at() == 1
        [task] = Task.objects.filter(case=person.case, kind=services.TASK_MISSED)
        assert (task.assignee, bytes(task.title), task.created_by) == (alice, b"", None)
        assert alerts_queued() == 1
        assert jobs.sweep_at() == 0  # nothing new: no second task, no second alert
        assert alerts_queued() == 1

        clock.shift(timedelta(minutes=30))
        assert jobs.sweep_at() == 1
        coordinator_tasks = Task.objects.filter(case=person.case, kind=services.TASK_MISSED, assignee=carol)
        assert coordinator_tasks.count() == 1
        assert alerts_queued() == 2

        clock.shift(timedelta(minutes=30))
        assert jobs.sweep_at() == 1
        [proposal] = Task.objects.filter(case=person.case, kind=TaskKind.PROPOSE_LOST_CONTACT)
        assert proposal.assignee == alice
        assert not CaseFlag.objects.filter(case=person.case).exists()  # proposed, never raised

        clock.shift(timedelta(days=3))
        assert jobs.sweep_at() == 0
        schedule.refresh_from_db()
        assert schedule.next_step_at is None
        assert steps(schedule) == [Step.CASEWORKER, Step.COORDINATORS, Step.LOST_CONTACT]
        events = AuditEvent.objects.filter(action="checkins.escalated").order_by("seq")
        assert [e.data["step"] for e in events] == ["caseworker", "coordinators", "lost_contact"]
        assert all(e.target_id == str(person.case.pk) and e.actor_id is None for e in events)
        assert AuditEvent.objects.filter(action="checkins.alert_queued").count() == 3
        # The worker holds no key and opened nothing.
        assert not AuditEvent.objects.filter(action="cases.case_decrypted", actor_id__isnull=True).exists()


def test_a_worker_that_was_down_takes_every_due_step_in_order_and_alerts_once(
    olga: User, alice: User
) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        person = case_with_thread(olga, alice)
        schedule = start(person.case, alice, interval=60, grace=15)
        clock.shift(timedelta(hours=5))
        assert jobs.sweep_at() == 3
        assert steps(schedule) == [Step.CASEWORKER, Step.COORDINATORS, Step.LOST_CONTACT]
        assert alerts_queued() == 1


def test_a_check_in_resets_the_switch_and_the_next_miss_escalates_afresh(olga: User, alice: User) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        person = case_with_thread(olga, alice)
        schedule = start(person.case, alice, interval=180, grace=30)
        clock.shift(timedelta(hours=3, minutes=45))
        assert jobs.sweep_at() == 1
        person_checks_in(person.codename, "safe")
        schedule.refresh_from_db()
        due = T0 + timedelta(hours=6, minutes=45)
        assert schedule.next_due_at == due
        assert (schedule.escalated_steps, schedule.next_step_at) == (0, due + timedelta(minutes=30))
        assert schedule.last_check_in_at == T0 + timedelta(hours=3, minutes=45)

        clock.shift(timedelta(hours=3, minutes=31))
        assert jobs.sweep_at() == 1
        assert Escalation.objects.filter(schedule=schedule, step=Step.CASEWORKER).count() == 2
        assert Task.objects.filter(case=person.case, kind=services.TASK_MISSED).count() == 2


def test_paused_and_closed_schedules_do_not_escalate(olga: User, alice: User, carol: User) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        paused = case_with_thread(olga, alice)
        start(paused.case, alice)
        services.set_schedule(
            actor=alice, case=paused.case, interval_minutes=None, grace_minutes=None, active=False
        )
        closed = case_with_thread(olga, alice, coordinator=carol)
        start(closed.case, alice)
        closure = workflow.request_approval(
            actor=alice,
            user_private_key=private_key(alice),
            case=closed.case,
            kind="closure",
            subject="declined",
        )
        workflow.decide_approval(
            actor=carol, user_private_key=private_key(carol), approval=closure, decision="approve"
        )
        workflow.close_case(
            actor=alice, user_private_key=private_key(alice), case=closed.case, outcome="declined"
        )
        with pytest.raises(services.CheckInRefused, match="closed"):
            services.set_schedule(
                actor=alice, case=closed.case, interval_minutes=None, grace_minutes=None, active=True
            )
        running = case_with_thread(olga, alice)
        start(running.case, alice)
        clock.shift(timedelta(days=10))
        assert jobs.due_schedules(datetime.now(UTC)) == [running.case.check_in_schedule.pk]
        assert jobs.sweep_at() == 3
        assert not Escalation.objects.filter(schedule__case__in=[paused.case, closed.case]).exists()


def test_not_safe_alerts_at_once_and_keeps_the_switch_running(olga: User, alice: User, carol: User) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        person = case_with_thread(olga, alice, coordinator=carol)
        schedule = start(person.case, alice, interval=180, grace=30)
        clock.shift(timedelta(hours=1))
        person_checks_in(person.codename, "unsafe")
        [check_in] = CheckIn.objects.filter(case=person.case)
        assert (check_in.source, check_in.answer, check_in.channel) == ("person", "unsafe", "thread")
        urgent = Task.objects.filter(case=person.case, kind=services.TASK_UNSAFE)
        assert {t.assignee for t in urgent} == {alice, carol}
        assert alerts_queued() == 1
        assert steps(schedule) == [Step.UNSAFE]
        schedule.refresh_from_db()
        assert schedule.next_due_at == T0 + timedelta(hours=3)  # not moved: silence still escalates
        clock.shift(timedelta(hours=2, minutes=30))
        assert jobs.sweep_at() == 1
        assert alerts_queued() == 2


def test_an_open_lost_contact_flag_means_no_second_proposal(olga: User, alice: User) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        person = case_with_thread(olga, alice)
        workflow.raise_flag(
            actor=alice,
            user_private_key=private_key(alice),
            case=person.case,
            kind=FlagKind.LOST_CONTACT,
            reason=FlagReason.NO_CONTACT,
        )
        schedule = start(person.case, alice, interval=60, grace=15)
        clock.shift(timedelta(hours=2))
        assert jobs.sweep_at() == 3
        assert steps(schedule)[-1] == Step.LOST_CONTACT
        assert not Task.objects.filter(case=person.case, kind=TaskKind.PROPOSE_LOST_CONTACT).exists()
        event = AuditEvent.objects.filter(action="checkins.escalated", data__step="lost_contact").get()
        assert event.data["lost_contact_proposed"] is False


def test_the_stage_defaults_come_from_settings(settings: SettingsWrapper, olga: User, alice: User) -> None:
    settings.CORRIDOR_CHECKIN_INTERVAL_MINUTES = {"default": 600, "in_transit": 120}
    settings.CORRIDOR_CHECKIN_GRACE_MINUTES = {"default": 60, "in_transit": 20}
    assert services.stage_defaults("in_transit") == (120, 20)
    assert services.stage_defaults("sheltered") == (600, 60)
    with time_machine.travel(T0, tick=False):
        person = case_with_thread(olga, alice)
        schedule = start(person.case, alice)
        assert (schedule.interval_minutes, schedule.grace_minutes, schedule.follows_stage) == (600, 60, True)
        assert schedule.next_due_at == T0 + timedelta(hours=10)


def test_changing_the_schedule_counts_from_the_last_check_in_and_never_from_before_now(
    olga: User, alice: User
) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        person = case_with_thread(olga, alice)
        start(person.case, alice, interval=1440, grace=240)
        clock.shift(timedelta(hours=2))
        person_checks_in(person.codename, "safe")
        clock.shift(timedelta(hours=2))
        shorter = services.set_schedule(
            actor=alice, case=person.case, interval_minutes=180, grace_minutes=30, active=True
        )
        assert shorter.next_due_at == T0 + timedelta(hours=5)  # three hours after the check-in
        clock.shift(timedelta(hours=1, minutes=40))  # due at 5 h, one grace passed: one step
        assert jobs.sweep_at() == 1
        # Only the grace changes: the due time and the step taken stand.
        graced = services.set_schedule(
            actor=alice, case=person.case, interval_minutes=180, grace_minutes=60, active=True
        )
        assert (graced.next_due_at, graced.escalated_steps) == (T0 + timedelta(hours=5), 1)
        assert graced.next_step_at == T0 + timedelta(hours=7)
        # A shorter interval than what has already passed: due now, not in the past.
        now = datetime.now(UTC)
        sooner = services.set_schedule(
            actor=alice, case=person.case, interval_minutes=60, grace_minutes=60, active=True
        )
        assert (sooner.next_due_at, sooner.escalated_steps) == (now, 0)
        # Paused, then resumed: a fresh interval from the moment it runs again.
        paused = services.set_schedule(
            actor=alice, case=person.case, interval_minutes=60, grace_minutes=60, active=False
        )
        assert paused.next_step_at is None
        clock.shift(timedelta(days=2))
        assert jobs.sweep_at() == 0
        resumed = services.set_schedule(
            actor=alice, case=person.case, interval_minutes=60, grace_minutes=60, active=True
        )
        assert resumed.next_due_at == datetime.now(UTC) + timedelta(hours=1)
        assert AuditEvent.objects.filter(action="checkins.schedule_set").count() == 6


def test_out_of_range_schedules_are_refused(olga: User, alice: User) -> None:
    person = case_with_thread(olga, alice)
    for interval, grace in ((14, 30), (60 * 24 * 8, 30), (60, 4), (60, 60 * 24 * 4)):
        with pytest.raises(services.CheckInRefused):
            services.set_schedule(
                actor=alice, case=person.case, interval_minutes=interval, grace_minutes=grace, active=True
            )
    assert not CheckInSchedule.objects.exists()


def test_staff_logging_not_safe_alerts_the_coordinators_at_once(olga: User, alice: User, carol: User) -> None:
    person = case_with_thread(olga, alice, coordinator=carol)
    start(person.case, alice)
    services.log_check_in(
        actor=alice, user_private_key=private_key(alice), case=person.case, answer="unsafe", channel="call"
    )
    assert {t.assignee for t in Task.objects.filter(kind=services.TASK_UNSAFE)} == {alice, carol}
    assert alerts_queued() == 1
    # No note: the case key was not opened.
    assert not AuditEvent.objects.filter(action="cases.case_decrypted", data__purpose="check_in").exists()


def test_an_unassigned_case_alerts_the_coordinators_who_read_it_through_the_hotline_key(
    olga: User, carol: User, alice: User
) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        thread = open_web_thread("help").thread
        case = case_services.open_case_from_thread(
            actor=olga, user_private_key=private_key(olga), thread=thread
        ).case
        schedule = start(case, olga, interval=60, grace=15)
        clock.shift(timedelta(hours=1, minutes=31))
        assert jobs.sweep_at() == 2
        assert steps(schedule) == [Step.CASEWORKER, Step.COORDINATORS]
        missed = Task.objects.filter(case=case, kind=services.TASK_MISSED)
        # No caseworker: an unassigned task (and the alert); olga holds the case but is no coordinator.
        assert sorted(str(t.assignee) for t in missed) == ["None", "carol"]


def test_a_schedule_that_follows_the_stage_takes_its_new_stage_interval_at_the_next_sweep(
    settings: SettingsWrapper, olga: User, alice: User
) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        person = case_with_thread(olga, alice)
        followed = start(person.case, alice)  # the stage's 24 hours and 4 hours' grace
        chosen = case_with_thread(olga, alice)
        start(chosen.case, alice, interval=1440, grace=240)
        clock.shift(timedelta(hours=5))
        # What a move into transit does to the defaults of the case's stage (here, by configuration).
        settings.CORRIDOR_CHECKIN_INTERVAL_MINUTES = {"default": 180, "in_transit": 180}
        settings.CORRIDOR_CHECKIN_GRACE_MINUTES = {"default": 30, "in_transit": 30}
        assert jobs.off_stage(datetime.now(UTC)) == [followed.pk]
        assert jobs.sweep_at() == 0
        followed.refresh_from_db()
        # Not heard from for five hours, three allowed now: due at once, alerted after the grace.
        assert (followed.interval_minutes, followed.grace_minutes) == (180, 30)
        assert followed.next_due_at == T0 + timedelta(hours=5)
        event = AuditEvent.objects.get(action="checkins.stage_followed")
        assert event.data["interval_minutes"] == 180
        clock.shift(timedelta(minutes=30))
        assert jobs.sweep_at() == 1
        assert jobs.off_stage(datetime.now(UTC)) == []
        assert not Escalation.objects.filter(schedule__case=chosen.case).exists()


def test_a_step_row_written_outside_corridor_stops_only_its_own_schedule(
    olga: User, alice: User, caplog: pytest.LogCaptureFixture
) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        tampered, other = case_with_thread(olga, alice), case_with_thread(olga, alice)
        first = start(tampered.case, alice, interval=60, grace=15)
        start(other.case, alice, interval=60, grace=15)
        Escalation.objects.create(schedule=first, due_at=first.next_due_at, step=Step.CASEWORKER, at=T0)
        clock.shift(timedelta(hours=1, minutes=16))
        assert jobs.sweep_at() == 1  # the other schedule's step; nothing done twice for the first
        assert Task.objects.filter(case=tampered.case).count() == 0
        assert Task.objects.filter(case=other.case, kind=services.TASK_MISSED).count() == 1
        assert f"check-in schedule {first.pk}: a step was already taken" in caplog.text
