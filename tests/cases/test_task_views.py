"""Task pages: my tasks, adding a task to a case, marking one done."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.cases import services, tasks, workflow
from corridor.cases.jobs import propose_lost_contact_at
from corridor.cases.models import Case, Stage, Task
from tests.hotline.helpers import open_web_thread, private_key

SignedIn = Callable[[User], Client]
TITLE = "Book the night bus for Zarema"


def open_case(olga: User, caseworker: User) -> Case:
    thread = open_web_thread("help").thread
    new = services.open_case_from_thread(
        actor=olga, user_private_key=private_key(olga), thread=thread, caseworker=caseworker
    )
    return Case.objects.select_related("key").get(pk=new.case.pk)


def add_url(case: Case) -> str:
    return reverse("cases:task_add", kwargs={"case_id": case.pk})


def form(assignee: User, **changes: str) -> dict[str, str]:
    return {"title": TITLE, "assignee": str(assignee.pk), "due_at": "2026-12-24T18:30", **changes}


def test_adding_a_task_then_seeing_it_and_marking_it_done(
    olga: User, alice: User, signed_in: SignedIn
) -> None:
    case = open_case(olga, alice)
    client = signed_in(alice)
    response = client.post(add_url(case), form(alice))
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case", kwargs={"case_id": case.pk})
    task = Task.objects.get()
    assert task.assignee == alice
    # The wall-clock time typed is the staff time zone's (Europe/Moscow, UTC+3).
    assert task.due_at == datetime(2026, 12, 24, 15, 30, tzinfo=UTC)
    assert AuditEvent.objects.filter(action="cases.task_added", target_id=str(case.pk)).exists()

    page = client.get(reverse("cases:tasks"))
    assert page.status_code == 200
    assert TITLE in page.content.decode()
    assert case.code in page.content.decode()

    done = client.post(reverse("cases:task_done", kwargs={"task_id": task.pk}))
    assert done.status_code == 302
    assert done["Location"] == reverse("cases:tasks")
    task.refresh_from_db()
    assert task.done_by == alice
    assert AuditEvent.objects.filter(action="cases.task_done", target_id=str(case.pk)).exists()
    assert TITLE not in client.get(reverse("cases:tasks")).content.decode()


def test_the_lost_contact_proposal_shows_its_kind(olga: User, alice: User, signed_in: SignedIn) -> None:
    case = open_case(olga, alice)
    workflow.move_case(actor=alice, user_private_key=private_key(alice), case=case, to_stage=Stage.SCREENING)
    propose_lost_contact_at(now=datetime.now(UTC) + timedelta(days=8))
    page = signed_in(alice).get(reverse("cases:tasks")).content.decode()
    assert "decide on the lost-contact flag" in page


def test_another_persons_case_or_task_is_not_found(
    olga: User, alice: User, bob: User, signed_in: SignedIn
) -> None:
    case = open_case(olga, alice)
    task = tasks.add_task(
        actor=alice,
        user_private_key=private_key(alice),
        case=case,
        title=TITLE,
        assignee=alice,
        due_at=datetime.now(UTC),
    )
    client = signed_in(bob)
    assert client.post(add_url(case), form(bob)).status_code == 404
    assert client.post(reverse("cases:task_done", kwargs={"task_id": task.pk})).status_code == 404
    assert TITLE not in client.get(reverse("cases:tasks")).content.decode()
    task.refresh_from_db()
    assert task.done_at is None
    assert Task.objects.count() == 1


def test_a_colleague_without_the_case_cannot_be_given_a_task(
    olga: User, alice: User, bob: User, signed_in: SignedIn
) -> None:
    case = open_case(olga, alice)
    response = signed_in(alice).post(add_url(case), form(bob))
    assert response.status_code == 400
    assert "Choose someone from the list." in response.content.decode()
    assert not Task.objects.exists()


@pytest.mark.parametrize("name", ["dave", "judy"])
def test_roles_that_read_no_case_are_refused(
    name: str, olga: User, alice: User, signed_in: SignedIn, request: pytest.FixtureRequest
) -> None:
    case = open_case(olga, alice)
    user = request.getfixturevalue(name)
    client = signed_in(user)
    assert client.get(reverse("cases:tasks")).status_code == 403
    assert client.post(add_url(case), form(alice)).status_code == 403
    assert client.post(reverse("cases:task_done", kwargs={"task_id": case.pk})).status_code == 403
    assert not Task.objects.exists()


def test_writes_refuse_get(olga: User, alice: User, signed_in: SignedIn) -> None:
    case = open_case(olga, alice)
    client = signed_in(alice)
    assert client.get(add_url(case)).status_code == 405
    assert client.get(reverse("cases:task_done", kwargs={"task_id": case.pk})).status_code == 405
    assert client.post(reverse("cases:tasks")).status_code == 405


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "call\x00back"}, "Null characters are not allowed."),
        ({"title": "x" * 301}, "at most 300 characters"),
        ({"title": ""}, "Write what has to be done."),
        ({"due_at": "24/12/2026"}, "year-month-day"),
        ({"due_at": "2026-02-30T10:00"}, "year-month-day"),
        ({"due_at": ""}, "Give the date the task is due."),
    ],
)
def test_bad_input_is_explained_and_nothing_changes(
    olga: User, alice: User, signed_in: SignedIn, changes: dict[str, str], message: str
) -> None:
    case = open_case(olga, alice)
    before = AuditEvent.objects.filter(action="cases.task_added").count()
    response = signed_in(alice).post(add_url(case), form(alice, **changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Task.objects.exists()
    assert AuditEvent.objects.filter(action="cases.task_added").count() == before


def test_a_second_done_changes_nothing(olga: User, alice: User, signed_in: SignedIn) -> None:
    case = open_case(olga, alice)
    task = tasks.add_task(
        actor=alice,
        user_private_key=private_key(alice),
        case=case,
        title=TITLE,
        assignee=alice,
        due_at=datetime.now(UTC),
    )
    client = signed_in(alice)
    url = reverse("cases:task_done", kwargs={"task_id": task.pk})
    client.post(url)
    response = client.post(url, follow=True)
    assert "This task is already done." in response.content.decode()
    assert AuditEvent.objects.filter(action="cases.task_done").count() == 1


def test_a_task_form_sent_twice_adds_one_task(olga: User, alice: User, signed_in: SignedIn) -> None:
    case = open_case(olga, alice)
    client = signed_in(alice)
    page = client.get(reverse("cases:case", kwargs={"case_id": case.pk})).content.decode()
    token = re.search(r'class="task-form"[^>]*>.*?name="submission" value="([^"]+)"', page, re.S)
    assert token is not None
    fields = form(alice, submission=token.group(1))
    assert client.post(add_url(case), fields).status_code == 302
    assert client.post(add_url(case), fields).status_code == 302
    assert Task.objects.filter(case=case).count() == 1
