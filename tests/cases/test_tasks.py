"""Tasks on cases: adding (sealed, only for someone who can read the case), completing, reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django_tasks_db.models import DBTaskResult

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.cases import grants, services, tasks
from corridor.cases.jobs import send_task_reminders, send_task_reminders_at
from corridor.cases.models import Case, Task
from tests.hotline.helpers import open_web_thread, private_key

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DIGEST = "corridor.hotline.alerts.send_staff_alert_digest"
TITLE = "Call Ruslan's sister in Grozny about the train"


def open_case(olga: User, alice: User) -> Case:
    thread = open_web_thread("help").thread
    new = services.open_case_from_thread(
        actor=olga, user_private_key=private_key(olga), thread=thread, caseworker=alice
    )
    return Case.objects.select_related("key").get(pk=new.case.pk)


def add(alice: User, case: Case, *, assignee: User | None = None, due: datetime | None = None) -> Task:
    return tasks.add_task(
        actor=alice,
        user_private_key=private_key(alice),
        case=case,
        title=TITLE,
        assignee=assignee or alice,
        due_at=due or datetime.now(UTC) + timedelta(days=1),
    )


def test_a_task_is_sealed_audited_and_listed_for_its_assignee(olga: User, alice: User, bob: User) -> None:
    case = open_case(olga, alice)
    grants.grant_case_access(actor=alice, user_private_key=private_key(alice), case=case, grantee=bob)
    task = add(alice, case, assignee=bob)

    assert TITLE.encode() not in bytes(task.title)
    event = AuditEvent.objects.filter(action="cases.task_added").get()
    assert event.target_id == str(case.pk)
    assert "Ruslan" not in str(event.data)
    assert AuditEvent.objects.filter(action="cases.case_decrypted", data__purpose="task").count() == 1

    assert list(tasks.tasks_for_user(bob)) == [task]
    assert list(tasks.tasks_for_user(alice)) == []
    rows = tasks.task_rows(user=bob, user_private_key=private_key(bob), tasks=[task])
    assert rows[0].title == TITLE
    assert not rows[0].overdue


def test_the_title_cannot_be_moved_to_another_kind_of_task(olga: User, alice: User) -> None:
    case = open_case(olga, alice)
    task = add(alice, case)
    Task.objects.filter(pk=task.pk).update(kind="propose_lost_contact")
    task.refresh_from_db()
    with pytest.raises(Exception, match=r"(?i)decrypt|authenticat|fail"):
        tasks.task_rows(user=alice, user_private_key=private_key(alice), tasks=[task])


def test_nobody_who_cannot_read_the_case_gets_the_task(olga: User, alice: User, bob: User) -> None:
    case = open_case(olga, alice)
    with pytest.raises(services.CaseRefused):
        add(alice, case, assignee=bob)
    assert not Task.objects.exists()
    assert not AuditEvent.objects.filter(action="cases.task_added").exists()


def test_a_revoked_assignee_no_longer_sees_the_task(olga: User, alice: User, bob: User) -> None:
    case = open_case(olga, alice)
    ka = private_key(alice)
    grants.grant_case_access(actor=alice, user_private_key=ka, case=case, grantee=bob)
    add(alice, case, assignee=bob)
    grants.revoke_case_access(actor=alice, user_private_key=ka, case=case, user=bob, rekey=False)
    assert list(tasks.tasks_for_user(bob)) == []


@pytest.mark.parametrize(
    ("title", "message"),
    [("", "Write"), ("   ", "Write"), ("a\x00b", "characters"), ("x" * 301, "too long")],
)
def test_bad_titles_are_refused_and_nothing_is_stored(
    olga: User, alice: User, title: str, message: str
) -> None:
    case = open_case(olga, alice)
    with pytest.raises(services.CaseRefused, match=message):
        tasks.add_task(
            actor=alice,
            user_private_key=private_key(alice),
            case=case,
            title=title,
            assignee=alice,
            due_at=datetime.now(UTC),
        )
    assert not Task.objects.exists()


def test_a_naive_due_date_is_refused(olga: User, alice: User) -> None:
    case = open_case(olga, alice)
    with pytest.raises(services.CaseRefused):
        add(alice, case, due=datetime(2026, 3, 2, 9, 0))  # naive on purpose
    assert not Task.objects.exists()


def test_open_tasks_are_listed_soonest_first_and_done_ones_drop_out(olga: User, alice: User) -> None:
    case = open_case(olga, alice)
    now = datetime.now(UTC)
    later = add(alice, case, due=now + timedelta(days=3))
    sooner = add(alice, case, due=now + timedelta(hours=2))
    assert list(tasks.tasks_for_user(alice)) == [sooner, later]

    done = tasks.complete_task(actor=alice, task=sooner)
    assert done.done_at is not None
    assert done.done_by == alice
    assert list(tasks.tasks_for_user(alice)) == [later]
    event = AuditEvent.objects.filter(action="cases.task_done").get()
    assert event.data == {"task": str(sooner.pk), "kind": "custom"}
    with pytest.raises(services.CaseRefused):
        tasks.complete_task(actor=alice, task=sooner)
    assert AuditEvent.objects.filter(action="cases.task_done").count() == 1


# --- reminders ------------------------------------------------------------------------


def queued_digests() -> int:
    return DBTaskResult.objects.filter(task_path=DIGEST).count()


def test_an_overdue_task_is_reminded_once_with_the_fixed_alert(
    olga: User, alice: User, django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        case = open_case(olga, alice)
        task = add(alice, case, due=T0 + timedelta(hours=1))
        on_time = add(alice, case, due=T0 + timedelta(days=2))

        with django_capture_on_commit_callbacks(execute=True):
            assert send_task_reminders_at() == 0
        assert queued_digests() == 0

        clock.shift(timedelta(hours=2))
        with django_capture_on_commit_callbacks(execute=True):
            send_task_reminders.call()
        task.refresh_from_db()
        on_time.refresh_from_db()
        assert task.reminded_at == T0 + timedelta(hours=2)
        assert on_time.reminded_at is None
        assert queued_digests() == 1
        # The queued alert takes no arguments: it cannot name the case or the task.
        assert DBTaskResult.objects.get(task_path=DIGEST).args_kwargs == {"args": [], "kwargs": {}}
        event = AuditEvent.objects.filter(action="cases.task_reminders_sent").get()
        assert event.data == {"tasks": 1}

        clock.shift(timedelta(hours=2))
        with django_capture_on_commit_callbacks(execute=True):
            assert send_task_reminders_at() == 0
        assert queued_digests() == 1


def test_done_tasks_are_not_reminded(
    olga: User, alice: User, django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        case = open_case(olga, alice)
        task = add(alice, case, due=T0 + timedelta(hours=1))
        tasks.complete_task(actor=alice, task=task)
        clock.shift(timedelta(hours=2))
        with django_capture_on_commit_callbacks(execute=True):
            assert send_task_reminders_at() == 0
        assert queued_digests() == 0
