"""Lost contact: the worker proposes the flag once per silence, to the caseworker, and never raises it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from pytest_django.fixtures import Settings as SettingsWrapper

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.cases import services, tasks, workflow
from corridor.cases.jobs import propose_lost_contact, propose_lost_contact_at
from corridor.cases.models import Case, CaseFlag, FlagKind, FlagReason, Stage, Task, TaskKind
from corridor.hotline import services as hotline
from tests.hotline.helpers import open_web_thread, private_key

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def screening_case(olga: User, alice: User, codenames: list[str] | None = None) -> Case:
    created = open_web_thread("help")
    if codenames is not None:
        codenames.append(created.codename)
    new = services.open_case_from_thread(
        actor=olga, user_private_key=private_key(olga), thread=created.thread, caseworker=alice
    )
    case = Case.objects.select_related("key").get(pk=new.case.pk)
    workflow.move_case(actor=alice, user_private_key=private_key(alice), case=case, to_stage=Stage.SCREENING)
    case.refresh_from_db()
    return case


def proposals(case: Case) -> list[Task]:
    return list(Task.objects.filter(case=case, kind=TaskKind.PROPOSE_LOST_CONTACT))


def test_a_silent_case_gets_one_proposal_for_its_caseworker(olga: User, alice: User) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        case = screening_case(olga, alice)
        clock.shift(timedelta(days=6, hours=23))
        assert propose_lost_contact_at() == 0
        assert proposals(case) == []

        clock.shift(timedelta(hours=2))
        propose_lost_contact.call()
        [task] = proposals(case)
        assert task.assignee == alice
        assert task.due_at == T0 + timedelta(days=7, hours=1)
        assert bytes(task.title) == b""
        assert task.created_by is None
        # The caseworker sees it in their list, with nothing to decrypt.
        assert list(tasks.tasks_for_user(alice)) == [task]
        assert tasks.task_rows(user=alice, user_private_key=b"", tasks=[task])[0].title == ""

        event = AuditEvent.objects.filter(action="cases.lost_contact_proposed").get()
        assert event.target_id == str(case.pk)
        assert event.data == {"days": 7}
        # The worker holds no key and opened nothing.
        assert not AuditEvent.objects.filter(action="cases.case_decrypted", actor_id__isnull=True).exists()


def test_running_again_makes_no_second_proposal_and_never_raises_the_flag(olga: User, alice: User) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        case = screening_case(olga, alice)
        clock.shift(timedelta(days=8))
        assert propose_lost_contact_at() == 1
        assert propose_lost_contact_at() == 0
        propose_lost_contact.call()
        clock.shift(timedelta(days=30))
        assert propose_lost_contact_at() == 0
        assert len(proposals(case)) == 1
        assert AuditEvent.objects.filter(action="cases.lost_contact_proposed").count() == 1
        assert not CaseFlag.objects.filter(case=case).exists()


def test_after_the_decision_a_new_silence_makes_a_new_proposal(olga: User, alice: User) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        case = screening_case(olga, alice)
        clock.shift(timedelta(days=8))
        assert propose_lost_contact_at() == 1
        [first] = proposals(case)
        tasks.complete_task(actor=alice, task=first)
        # Still silent, decision taken (no flag): the next run asks again.
        assert propose_lost_contact_at() == 1
        assert len(proposals(case)) == 2


def test_an_open_lost_contact_flag_means_no_proposal(olga: User, alice: User) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        case = screening_case(olga, alice)
        workflow.raise_flag(
            actor=alice,
            user_private_key=private_key(alice),
            case=case,
            kind=FlagKind.LOST_CONTACT,
            reason=FlagReason.NO_CONTACT,
        )
        clock.shift(timedelta(days=30))
        assert propose_lost_contact_at() == 0
        assert proposals(case) == []


def test_a_logged_contact_or_a_message_is_a_sign_of_life(olga: User, alice: User) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        case = screening_case(olga, alice)
        clock.shift(timedelta(days=5))
        services.log_contact(actor=alice, user_private_key=private_key(alice), case=case, channel="call")
        clock.shift(timedelta(days=5))  # 10 days after opening, 5 after the call
        assert propose_lost_contact_at() == 0

        codenames: list[str] = []
        other = screening_case(olga, alice, codenames)
        clock.shift(timedelta(days=4))
        access = hotline.find_thread_by_codename(codenames[0])
        assert access is not None
        hotline.add_applicant_message(
            thread=access.thread, applicant_private=access.private_key, text="still here", files=[]
        )
        clock.shift(timedelta(days=4))  # 8 days after opening, 4 after the person wrote
        assert propose_lost_contact_at() == 1  # only the first case: its call was 13 days ago
        assert len(proposals(case)) == 1
        assert proposals(other) == []


def test_the_days_per_stage_come_from_settings(olga: User, alice: User, settings: SettingsWrapper) -> None:
    settings.CORRIDOR_LOST_CONTACT_DAYS = {"default": 7, "screening": 2}
    with time_machine.travel(T0, tick=False) as clock:
        case = screening_case(olga, alice)
        clock.shift(timedelta(days=2, minutes=1))
        assert propose_lost_contact_at() == 1
        event = AuditEvent.objects.filter(action="cases.lost_contact_proposed").get()
        assert event.data == {"days": 2}
        assert len(proposals(case)) == 1


def test_unwatched_stages_are_left_alone(olga: User, alice: User) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        thread = open_web_thread("help").thread
        services.open_case_from_thread(
            actor=olga, user_private_key=private_key(olga), thread=thread, caseworker=alice
        )  # stays in intake: the hotline's first-response deadline covers it
        clock.shift(timedelta(days=60))
        assert propose_lost_contact_at() == 0
        assert not Task.objects.exists()
