"""Changing a thread's urgency (with a coded reason), its outcomes, and writes that change nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.hotline import services
from corridor.hotline.models import Thread, ThreadStatus, Urgency
from corridor.hotline.triage import Triage, first_response_window
from tests.hotline.helpers import ROLES_WITHOUT_HOTLINE, make_keyless_operator, open_web_thread, private_key

PRIVATE_WORDS = "hiding in his cousin's cellar"


@pytest.fixture
def thread(olga: User) -> Thread:
    # Threatened by others only: normal urgency.
    return open_web_thread(
        "Someone threatens me online.", triage=Triage(region="RU-CE", threatened_by=["others"])
    ).thread


def url(name: str, thread: Thread) -> str:
    return reverse(f"hotline_staff:{name}", args=[thread.pk])


def fresh(thread: Thread) -> Thread:
    return Thread.objects.get(pk=thread.pk)


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


# --- urgency --------------------------------------------------------------------------


def test_an_operator_raises_the_urgency_and_the_deadline_follows(
    signed_in, olga: User, thread: Thread
) -> None:  # type: ignore[no-untyped-def]
    assert thread.urgency == Urgency.NORMAL
    client = signed_in(olga)

    response = client.post(url("urgency", thread), {"urgency": Urgency.CRITICAL, "reason": "danger_grew"})

    assert response.status_code == 302
    assert response["Location"] == url("thread", thread)
    current = fresh(thread)
    assert current.urgency == Urgency.CRITICAL
    assert current.first_response_due_at == current.created_at + first_response_window(Urgency.CRITICAL)
    (event,) = events("hotline.urgency_changed")
    assert (event.actor_id, event.target_type, event.target_id) == (olga.pk, "thread", str(thread.pk))
    assert event.data == {"from": 3, "to": 1, "reason": "danger_grew"}
    assert "The urgency is changed." in client.get(url("thread", thread)).content.decode()


def test_an_answered_thread_keeps_its_deadline(olga: User, thread: Thread) -> None:
    services.post_reply(operator=olga, user_private_key=private_key(olga), thread=thread, text="We read you.")
    before = fresh(thread).first_response_due_at

    assert services.set_urgency(operator=olga, thread=thread, urgency=Urgency.LOW, reason="danger_eased")

    assert fresh(thread).first_response_due_at == before
    assert fresh(thread).urgency == Urgency.LOW


def test_the_urgency_it_already_has_changes_nothing(signed_in, olga: User, thread: Thread) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(olga)
    due = thread.first_response_due_at

    response = client.post(
        url("urgency", thread), {"urgency": Urgency.NORMAL, "reason": "other"}, follow=True
    )

    assert response.status_code == 200
    assert "already had this urgency: nothing changed" in response.content.decode()
    assert events("hotline.urgency_changed") == []
    assert fresh(thread).first_response_due_at == due


@pytest.mark.parametrize(
    "data",
    [
        {"urgency": "1"},
        {"urgency": "1", "reason": ""},
        {"urgency": "1", "reason": PRIVATE_WORDS},
        {"urgency": "9", "reason": "danger_grew"},
        {"urgency": "critical", "reason": "danger_grew"},
        {"reason": "danger_grew"},
    ],
)
def test_a_change_without_a_listed_reason_or_urgency_is_400(
    signed_in, olga: User, thread: Thread, data: dict[str, str]
) -> None:  # type: ignore[no-untyped-def]
    response = signed_in(olga).post(url("urgency", thread), data)

    assert response.status_code == 400
    assert fresh(thread).urgency == Urgency.NORMAL
    assert events("hotline.urgency_changed") == []
    assert not AuditEvent.objects.filter(data__icontains="cellar").exists()


def test_the_urgency_form_offers_coded_reasons_only(signed_in, olga: User, thread: Thread) -> None:  # type: ignore[no-untyped-def]
    page = signed_in(olga).get(url("thread", thread)).content.decode()
    assert 'name="reason"' in page
    assert 'value="danger_grew"' in page
    assert "<textarea" in page  # the reply and note fields; none belongs to the urgency form
    form = page.split(url("urgency", thread))[1].split("</form>")[0]
    assert "<textarea" not in form
    assert "add an internal note" in form


def test_urgency_is_post_only(signed_in, olga: User, thread: Thread) -> None:  # type: ignore[no-untyped-def]
    assert signed_in(olga).get(url("urgency", thread)).status_code == 405


@pytest.mark.parametrize("persona", ROLES_WITHOUT_HOTLINE)
def test_other_roles_cannot_change_the_urgency(signed_in, request, persona: str, thread: Thread) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(request.getfixturevalue(persona))
    assert client.post(url("urgency", thread), {"urgency": "1", "reason": "danger_grew"}).status_code == 403
    assert fresh(thread).urgency == Urgency.NORMAL
    assert events("hotline.urgency_changed") == []


def test_an_operator_without_the_hotline_key_gets_404(signed_in, org, thread: Thread) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(make_keyless_operator(org))
    assert client.post(url("urgency", thread), {"urgency": "1", "reason": "danger_grew"}).status_code == 404
    assert fresh(thread).urgency == Urgency.NORMAL


# --- statuses -------------------------------------------------------------------------


@pytest.mark.parametrize("status", [ThreadStatus.HELPED, ThreadStatus.REFERRED])
def test_helped_and_referred_settle_the_thread(signed_in, olga: User, thread: Thread, status: str) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(olga)

    assert client.post(url("status", thread), {"status": status}).status_code == 302

    assert fresh(thread).status == status
    (event,) = events("hotline.status_changed")
    assert event.data == {"from": "new", "to": status}
    inbox = reverse("hotline_staff:inbox")
    assert thread.code not in client.get(inbox).content.decode()
    closed = client.get(inbox, {"closed": "on"}).content.decode()
    assert thread.code in closed
    assert "closed unanswered" in closed


def test_a_person_writing_again_reopens_a_helped_thread(olga: User) -> None:
    new = open_web_thread()
    services.set_status(operator=olga, thread=new.thread, status=ThreadStatus.HELPED)
    found = services.find_thread_by_codename(new.codename)
    assert found is not None

    services.add_applicant_message(
        thread=found.thread, applicant_private=found.private_key, text="Again.", files=[]
    )

    assert fresh(new.thread).status == ThreadStatus.IN_CONVERSATION


def test_the_status_it_already_has_changes_nothing(signed_in, olga: User, thread: Thread) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(olga)

    response = client.post(url("status", thread), {"status": ThreadStatus.NEW}, follow=True)

    assert response.status_code == 200
    assert "already had this status: nothing changed" in response.content.decode()
    assert events("hotline.status_changed") == []
    assert not services.set_status(operator=olga, thread=thread, status=ThreadStatus.NEW)
    assert events("hotline.status_changed") == []


def test_a_stale_page_compares_with_the_database_not_with_itself(olga: User, thread: Thread) -> None:
    stale = Thread.objects.get(pk=thread.pk)
    services.set_status(operator=olga, thread=thread, status=ThreadStatus.HELPED)

    # The stale copy still says "new"; setting "helped" again must not be recorded twice.
    assert not services.set_status(operator=olga, thread=stale, status=ThreadStatus.HELPED)
    assert len(events("hotline.status_changed")) == 1


def test_the_assignment_it_already_has_changes_nothing(signed_in, olga: User, thread: Thread) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(olga)
    assert client.post(url("assign", thread), {"assignee": str(olga.pk)}).status_code == 302
    assert client.post(url("assign", thread), {"assignee": str(olga.pk)}).status_code == 302
    assert client.post(url("assign", thread), {"assignee": ""}).status_code == 302
    assert client.post(url("assign", thread), {"assignee": ""}).status_code == 302
    assert [e.data["assignee"] for e in events("hotline.assigned")] == [str(olga.pk), None]
