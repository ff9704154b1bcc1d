"""Coordinators who hold the hotline key read and answer the hotline like operators."""

from __future__ import annotations

import pytest
from django.urls import reverse

from corridor.accounts import keyring
from corridor.accounts.models import KeyWrap, OrgKeyKind, Role, User
from corridor.audit.models import AuditEvent
from corridor.hotline import services
from corridor.hotline.models import Message, MessageKind, Thread, ThreadStatus, Urgency
from tests.conftest import make_user
from tests.hotline.helpers import open_web_thread

INBOX = reverse("hotline_staff:inbox")


@pytest.fixture
def new(carol: User) -> services.NewThread:
    return open_web_thread("They are looking for me at my parents' house.")


def url(name: str, thread: Thread) -> str:
    return reverse(f"hotline_staff:{name}", args=[thread.pk])


def test_the_hotline_key_is_a_coordinator_entitlement(carol: User) -> None:
    assert OrgKeyKind.HOTLINE in keyring.entitled_kinds(carol)
    assert OrgKeyKind.HOTLINE.value in keyring.held_kinds(carol)


def test_a_coordinator_without_the_key_is_listed_as_waiting_for_it(org) -> None:  # type: ignore[no-untyped-def]
    newcomer = make_user({"secrets": {}}, "newcoord", {Role.COORDINATOR})
    assert (newcomer, OrgKeyKind.HOTLINE) in {(p.user, p.kind) for p in keyring.pending_grants()}


def test_a_coordinator_reads_the_inbox_and_the_thread(
    signed_in, carol: User, new: services.NewThread
) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(carol)

    home = client.get(reverse("web:home")).content.decode()
    assert f'href="{INBOX}"' in home  # the navigation offers the hotline
    inbox = client.get(INBOX)
    assert inbox.status_code == 200
    assert new.thread.code in inbox.content.decode()
    page = client.get(url("thread", new.thread))
    assert page.status_code == 200
    assert "They are looking for me at my parents&#x27; house." in page.content.decode()
    assert AuditEvent.objects.filter(
        action="hotline.thread_decrypted",
        actor_id=carol.pk,
        target_id=str(new.thread.pk),
        data__purpose="read",
    ).exists()


def test_a_coordinator_replies_notes_and_settles(signed_in, carol: User, new: services.NewThread) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(carol)
    thread = new.thread

    assert client.post(url("reply", thread), {"reply": "We hear you. Are you safe now?"}).status_code == 302
    assert client.post(url("note", thread), {"note": "Supervisor: call back tonight."}).status_code == 302
    assert (
        client.post(url("urgency", thread), {"urgency": "1", "reason": "coordinator_decision"}).status_code
        == 302
    )
    assert client.post(url("status", thread), {"status": ThreadStatus.REFERRED}).status_code == 302

    reply = Message.objects.get(thread=thread, kind=MessageKind.REPLY)
    assert reply.author_id == carol.pk
    assert Message.objects.filter(thread=thread, kind=MessageKind.NOTE, author=carol).exists()
    current = Thread.objects.get(pk=thread.pk)
    assert (current.urgency, current.status) == (Urgency.CRITICAL, ThreadStatus.REFERRED)
    for action in (
        "hotline.reply_sent",
        "hotline.note_added",
        "hotline.urgency_changed",
        "hotline.status_changed",
    ):
        assert AuditEvent.objects.filter(action=action, actor_id=carol.pk).exists(), action
    # The person sees a signed reply, whoever of the staff wrote it.
    found = services.find_thread_by_codename(new.codename)
    assert found is not None
    from corridor.hotline import reading

    seen = reading.thread_for_applicant(thread=found.thread, applicant_private=found.private_key)
    assert [m.signed for m in seen if m.kind == MessageKind.REPLY] == [True]


def test_threads_are_still_assigned_to_operators_only(
    signed_in, carol: User, olga: User, new: services.NewThread
) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(carol)
    assert client.post(url("assign", new.thread), {"assignee": str(carol.pk)}).status_code == 400
    assert client.post(url("assign", new.thread), {"assignee": str(olga.pk)}).status_code == 302
    assert Thread.objects.get(pk=new.thread.pk).assigned_to_id == olga.pk


def test_a_coordinator_without_the_hotline_key_sees_nothing(
    signed_in, carol: User, new: services.NewThread
) -> None:  # type: ignore[no-untyped-def]
    KeyWrap.objects.filter(user=carol, org_key__kind=OrgKeyKind.HOTLINE).delete()
    client = signed_in(carol)

    inbox = client.get(INBOX)
    assert inbox.status_code == 200
    assert inbox.context["rows"] == []
    assert "You do not hold the hotline key yet" in inbox.content.decode()
    assert client.get(url("thread", new.thread)).status_code == 404
    assert client.post(url("reply", new.thread), {"reply": "x"}).status_code == 404
    assert not AuditEvent.objects.filter(action="hotline.thread_decrypted").exists()


def test_a_coordinator_logs_a_phone_contact(signed_in, carol: User) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(carol)
    form = client.get(reverse("hotline_staff:intake"))
    assert form.status_code == 200
    # Whatever the form carries besides its questions (a one-time token) goes back with it.
    data = {
        name: field.value()
        for name, field in ((n, form.context["form"][n]) for n in form.context["form"].fields)
    }
    data |= {
        "channel": "phone",
        "contact": "+7 900 000-00-00",
        "outed_to_family": "unsure",
        "has_internal_passport": "unsure",
        "has_foreign_passport": "unsure",
        "text": "Called from a neighbour's phone.",
    }
    data = {k: v for k, v in data.items() if v is not None and v != []}
    assert client.post(reverse("hotline_staff:intake"), data).status_code == 200
    assert AuditEvent.objects.filter(
        action="hotline.thread_opened", actor_id=carol.pk, data__channel="phone"
    ).exists()
