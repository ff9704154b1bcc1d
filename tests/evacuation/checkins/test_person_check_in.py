"""The person checks in from their thread: two plain choices, only while check-ins run, and afterwards
the page looks the same whichever was pressed."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django_tasks_db.models import DBTaskResult

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.cases.models import Case, Task
from corridor.evacuation.checkins import services
from corridor.evacuation.checkins.models import CheckIn, CheckInSchedule
from corridor.hotline import receipts
from corridor.hotline.models import Message, MessageKind
from tests.evacuation.checkins.helpers import Person, case_with_thread, start

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
THREAD = "/en/thread/messages/"
WRITE = "/en/thread/write/"
TOKEN = re.compile(r'name="submission" value="([^"]+)"')


def enter(client: Client, codename: str) -> None:
    response = client.post("/en/thread/", {"codename": codename})
    assert response.status_code == 302, response.content.decode()


def page(client: Client) -> str:
    response = client.get(THREAD)
    assert response.status_code == 200
    return response.content.decode()


def answer(client: Client, choice: str, **extra: str) -> tuple[int, str]:
    token = TOKEN.search(page(client))
    assert token, "the check-in form is not on the page"
    response = client.post(WRITE, {"check_in": choice, "submission": token.group(1), **extra})
    return response.status_code, response.get("Location", "")


@pytest.fixture
def person(olga: User, alice: User, carol: User) -> Person:
    return case_with_thread(olga, alice, coordinator=carol)


def test_the_choices_show_only_while_check_ins_run(person: Person, alice: User) -> None:
    client = Client()
    enter(client, person.codename)
    assert "I am not safe" not in page(client)
    schedule = start(person.case, alice)
    assert "I am safe" in page(client)
    assert "I am not safe" in page(client)
    services.set_schedule(
        actor=alice, case=person.case, interval_minutes=None, grace_minutes=None, active=False
    )
    assert "I am not safe" not in page(client)
    assert CheckInSchedule.objects.get() == schedule


def test_either_answer_is_recorded_and_the_page_afterwards_is_the_same(person: Person, alice: User) -> None:
    with time_machine.travel(T0, tick=False):
        start(person.case, alice)
    shown = {}
    for which in ("safe", "unsafe"):
        with time_machine.travel(T0 + timedelta(hours=1), tick=False):
            client = Client()
            enter(client, person.codename)
            assert answer(client, which) == (302, THREAD)
            shown[which] = TOKEN.sub("", page(client))
            assert "Received: 2 March, 13:00 MSK" in shown[which]
    # Nothing on the page says which answer was given (the one-time token aside).
    csrf = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert csrf.sub("", shown["safe"]) == csrf.sub("", shown["unsafe"])
    assert list(CheckIn.objects.order_by("at").values_list("answer", "source")) == [
        ("safe", "person"),
        ("unsafe", "person"),
    ]
    events = AuditEvent.objects.filter(action="checkins.checked_in").order_by("seq")
    assert [(e.actor_id, e.data["answer"]) for e in events] == [(None, "safe"), (None, "unsafe")]


def test_not_safe_gives_tasks_and_queues_the_alert(person: Person, alice: User, carol: User) -> None:
    start(person.case, alice)
    client = Client()
    enter(client, person.codename)
    assert answer(client, "unsafe")[0] == 302
    assert {t.assignee for t in Task.objects.filter(kind=services.TASK_UNSAFE)} == {alice, carol}
    assert (
        DBTaskResult.objects.filter(task_path="corridor.hotline.alerts.send_staff_alert_digest").count() == 1
    )


def test_a_message_goes_into_the_conversation_and_moves_the_sign_of_life(person: Person, alice: User) -> None:
    start(person.case, alice)
    later = datetime.now(UTC) + timedelta(days=2)
    with time_machine.travel(later, tick=False):
        client = Client()
        enter(client, person.codename)
        assert answer(client, "safe", message="In the new flat, all quiet.")[0] == 302
        [message] = Message.objects.filter(
            thread__case=person.case, kind=MessageKind.APPLICANT, created_at=later
        )
        assert b"all quiet" not in bytes(message.body)
        assert "In the new flat, all quiet." in page(client)
        assert Case.objects.get(pk=person.case.pk).last_contact_at == later


def test_the_same_form_sent_twice_records_one_check_in(person: Person, alice: User) -> None:
    start(person.case, alice)
    client = Client()
    enter(client, person.codename)
    token = TOKEN.search(page(client))
    assert token
    for _ in range(2):
        response = client.post(WRITE, {"check_in": "unsafe", "submission": token.group(1)})
        assert response.status_code == 302
    assert CheckIn.objects.count() == 1
    assert Task.objects.filter(kind=services.TASK_UNSAFE).count() == 2  # alice and carol, once each


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"check_in": "maybe"}, "Choose one of the two answers."),
        ({"check_in": "safe", "submission": "short"}, "The page was open too long."),
        ({"check_in": "safe", "message": "bad\x00text"}, "characters that cannot be accepted"),
        ({"check_in": "safe", "message": "bad\x0btext"}, "characters that cannot be accepted"),
        ({"check_in": "safe", "message": "x" * 20_001}, "it is too long"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_stored(
    person: Person, alice: User, data: dict[str, str], expected: str
) -> None:
    start(person.case, alice)
    client = Client()
    enter(client, person.codename)
    data = {"submission": receipts.new_token(), **data}
    response = client.post(WRITE, data)
    assert response.status_code == 400
    body = response.content.decode()
    assert expected in body, body[body.find('role="alert"') :][:300]
    assert not CheckIn.objects.exists()
    assert (
        not Message.objects.filter(thread__case=person.case, kind=MessageKind.APPLICANT)
        .exclude(created_at=person.case.created_at)
        .count()
        > 1
    )


def test_no_schedule_no_check_in(person: Person) -> None:
    client = Client()
    enter(client, person.codename)
    response = client.post(WRITE, {"check_in": "safe", "submission": receipts.new_token()})
    assert response.status_code == 400
    assert "There is nothing to check in to here." in response.content.decode()
    assert not CheckIn.objects.exists()


def test_outside_a_thread_a_check_in_goes_to_the_codename_page(org: dict[str, object]) -> None:
    response = Client().post(WRITE, {"check_in": "safe", "submission": receipts.new_token()})
    assert (response.status_code, response["Location"]) == (302, "/en/thread/")
