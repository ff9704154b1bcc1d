"""The thread page and its four writes: reply, internal note, status, assignment."""

from __future__ import annotations

import base64
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from corridor.accounts import keyring
from corridor.accounts.models import OrgKeyKind, User
from corridor.audit.models import AuditEvent
from corridor.hotline import keys as thread_keys
from corridor.hotline import reading, services
from corridor.hotline.models import Message, MessageKind, Thread, ThreadStatus
from corridor.hotline.triage import Triage
from tests.hotline.helpers import ROLES_WITHOUT_HOTLINE, make_keyless_operator, open_web_thread, private_key

WRITES = ["reply", "note", "status", "assign"]
NOTE_INTRO = "Internal note — the person never sees this"


@pytest.fixture
def new(olga: User) -> services.NewThread:
    triage = Triage(
        region="RU-CE",
        threatened_by=["relatives", "police"],
        outed_to_family="yes",
        has_internal_passport="no",
        safe_contact="Evenings only, after 21:00",
    )
    return open_web_thread("My uncle found messages on my phone.", triage=triage)


@pytest.fixture
def thread(new: services.NewThread) -> Thread:
    return new.thread


def url(name: str, thread: Thread | uuid.UUID) -> str:
    return reverse(f"hotline_staff:{name}", args=[getattr(thread, "pk", thread)])


def fresh(thread: Thread) -> Thread:
    return Thread.objects.get(pk=thread.pk)


def events(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


# --- reading --------------------------------------------------------------------------


def test_operator_reads_the_thread(signed_in, olga: User, thread: Thread) -> None:  # type: ignore[no-untyped-def]
    response = signed_in(olga).get(url("thread", thread))
    assert response.status_code == 200
    html = response.content.decode()
    assert thread.code in html
    assert "My uncle found messages on my phone." in html
    assert "Chechnya" in html
    assert "Relatives, Police or security services" in html
    assert "Evenings only, after 21:00" in html
    assert "From the person" in html
    assert AuditEvent.objects.filter(
        action="hotline.thread_decrypted", actor_id=olga.pk, target_id=str(thread.pk), data__purpose="read"
    ).exists()


def test_reading_marks_the_thread_read(signed_in, olga: User, thread: Thread) -> None:  # type: ignore[no-untyped-def]
    assert thread.unread
    signed_in(olga).get(url("thread", thread))
    assert not fresh(thread).unread


def test_what_the_person_wrote_cannot_run_as_script(signed_in, olga: User) -> None:  # type: ignore[no-untyped-def]
    thread = open_web_thread('<script>alert("x")</script><img src=x onerror=alert(1)>').thread
    html = signed_in(olga).get(url("thread", thread)).content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert" in html


def test_unknown_thread_is_404(signed_in, olga: User, thread: Thread) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(olga)
    missing = uuid.uuid4()
    assert client.get(url("thread", missing)).status_code == 404
    for name in WRITES:
        assert (
            client.post(url(name, missing), {"reply": "x", "note": "x", "status": "new"}).status_code == 404
        )


def test_operator_without_the_hotline_key_gets_404(signed_in, thread: Thread, org) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(make_keyless_operator(org))
    assert client.get(url("thread", thread)).status_code == 404
    for name in WRITES:
        assert client.post(url(name, thread), {"reply": "x", "note": "x", "status": "new"}).status_code == 404
    assert Message.objects.filter(thread=thread).count() == 1
    assert not AuditEvent.objects.filter(action="hotline.thread_decrypted").exists()


@pytest.mark.parametrize("persona", ROLES_WITHOUT_HOTLINE)
def test_other_roles_get_403(signed_in, request, persona: str, thread: Thread) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(request.getfixturevalue(persona))
    assert client.get(url("thread", thread)).status_code == 403
    for name in WRITES:
        assert (
            client.post(url(name, thread), {"reply": "x", "note": "x", "status": "closed_spam"}).status_code
            == 403
        )
    assert Message.objects.filter(thread=thread).count() == 1
    assert fresh(thread).status == ThreadStatus.NEW
    assert not AuditEvent.objects.filter(action="hotline.thread_decrypted").exists()


@pytest.mark.parametrize("name", WRITES)
def test_writes_are_post_only(signed_in, olga: User, thread: Thread, name: str) -> None:  # type: ignore[no-untyped-def]
    assert signed_in(olga).get(url(name, thread)).status_code == 405


def test_thread_page_is_get_only(signed_in, olga: User, thread: Thread) -> None:  # type: ignore[no-untyped-def]
    assert signed_in(olga).post(url("thread", thread)).status_code == 405


def test_anonymous_is_sent_to_sign_in(client: Client, thread: Thread) -> None:
    assert client.get(url("thread", thread))["Location"].startswith(reverse("accounts:login"))
    assert client.post(url("reply", thread), {"reply": "x"})["Location"].startswith(reverse("accounts:login"))
    assert Message.objects.filter(thread=thread).count() == 1


def test_a_session_without_its_key_half_is_signed_out(  # type: ignore[no-untyped-def]
    signed_in, olga: User, thread: Thread, settings
) -> None:
    client = signed_in(olga)
    del client.cookies[settings.CORRIDOR_UNLOCK_COOKIE]
    response = client.get(url("thread", thread))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert AuditEvent.objects.filter(
        action="auth.logout", actor_id=olga.pk, data__reason="key_locked"
    ).exists()
    assert not AuditEvent.objects.filter(action="hotline.thread_decrypted").exists()
    assert client.get(url("thread", thread))["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", WRITES)
def test_writes_need_the_csrf_token(signed_in, olga: User, thread: Thread, name: str) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(olga)
    client.handler.enforce_csrf_checks = True
    data = {"reply": "x", "note": "x", "status": "closed_spam", "assignee": str(olga.pk)}
    response = client.post(url(name, thread), data)
    assert response.status_code == 403
    assert b"expired" in response.content
    assert Message.objects.filter(thread=thread).count() == 1
    current = fresh(thread)
    assert (current.status, current.assigned_to_id) == (ThreadStatus.NEW, None)


# --- reply ----------------------------------------------------------------------------


def test_reply_is_sent_signed_and_answers_the_thread(signed_in, olga: User, new: services.NewThread) -> None:  # type: ignore[no-untyped-def]
    thread = new.thread
    client = signed_in(olga)
    response = client.post(url("reply", thread), {"reply": "We read you. Are you safe right now?"})
    assert response.status_code == 302
    assert response["Location"] == url("thread", thread)
    current = fresh(thread)
    assert current.status == ThreadStatus.IN_CONVERSATION
    assert current.first_response_at is not None
    assert AuditEvent.objects.filter(
        action="hotline.reply_sent", actor_id=olga.pk, target_id=str(thread.pk)
    ).exists()

    page = client.get(url("thread", thread)).content.decode()
    assert "We read you. Are you safe right now?" in page
    assert "signed</span>" in page
    assert "The reply is sent." in page

    # The person sees it too, and it verifies.
    found = services.find_thread_by_codename(new.codename)
    assert found is not None
    seen = reading.thread_for_applicant(thread=found.thread, applicant_private=found.private_key)
    (reply,) = [m for m in seen if m.kind == MessageKind.REPLY]
    assert reply.text == "We read you. Are you safe right now?"
    assert reply.signed


def test_a_tampered_signature_shows(signed_in, olga: User, thread: Thread) -> None:  # type: ignore[no-untyped-def]
    key = private_key(olga)
    message = services.post_reply(operator=olga, user_private_key=key, thread=thread, text="Genuine reply.")
    thread_key = thread_keys.thread_keys_for_staff(
        user=olga, user_private_key=key, thread=thread, purpose="test"
    ).conversation
    fields = {"model": "hotline.Message", "row": str(message.pk), "field": "body"}
    context = thread_keys.message_context(message)
    body = thread_keys.open_json(thread_key, bytes(message.body), context=context, **fields)
    signature = bytearray(base64.b64decode(body["sig"]))
    signature[0] ^= 0xFF
    body["sig"] = base64.b64encode(bytes(signature)).decode()
    Message.objects.filter(pk=message.pk).update(
        body=thread_keys.seal_json(
            thread_key, body, version=thread.conversation_key.version, context=context, **fields
        )
    )

    view = reading.thread_for_staff(user=olga, user_private_key=key, thread=fresh(thread))
    (reply,) = [m for m in view.messages if m.kind == MessageKind.REPLY]
    assert not reply.signed
    page = signed_in(olga).get(url("thread", thread)).content.decode()
    assert "signature does not verify" in page
    assert "signed</span>" not in page


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "Write the reply first."),
        ("   \n  ", "Write the reply first."),
        ("x" * 20_001, "too long"),
        ("hello\x00world", "Null characters are not allowed."),
        ("bell\x07", "characters that cannot be accepted"),
    ],
)
def test_bad_reply_is_400_and_nothing_is_stored(  # type: ignore[no-untyped-def]
    signed_in, olga: User, thread: Thread, text: str, error: str
) -> None:
    response = signed_in(olga).post(url("reply", thread), {"reply": text})
    assert response.status_code == 400
    assert error in response.content.decode()
    assert thread.code in response.content.decode()
    assert Message.objects.filter(thread=thread).count() == 1
    current = fresh(thread)
    assert (current.status, current.first_response_at) == (ThreadStatus.NEW, None)
    assert events("hotline.reply_sent") == 0


def test_reply_of_exactly_the_limit_is_accepted(signed_in, olga: User, thread: Thread) -> None:  # type: ignore[no-untyped-def]
    assert signed_in(olga).post(url("reply", thread), {"reply": "я" * 20_000}).status_code == 302
    assert Message.objects.filter(thread=thread, kind=MessageKind.REPLY).count() == 1


def test_operator_without_the_signing_key_cannot_reply(signed_in, org, olga: User, thread: Thread) -> None:  # type: ignore[no-untyped-def]
    newop = make_keyless_operator(org)
    keyring.grant_org_key(
        actor=olga, actor_private_key=private_key(olga), recipient=newop, kind=OrgKeyKind.HOTLINE
    )
    response = signed_in(newop).post(url("reply", thread), {"reply": "Hello"})
    assert response.status_code == 403
    assert "signing key" in response.content.decode()
    assert Message.objects.filter(thread=thread).count() == 1
    assert events("hotline.reply_sent") == 0


# --- internal note --------------------------------------------------------------------


def test_note_is_internal(signed_in, olga: User, new: services.NewThread) -> None:  # type: ignore[no-untyped-def]
    thread = new.thread
    client = signed_in(olga)
    response = client.post(url("note", thread), {"note": "Voice sounded coached; check with Moscow."})
    assert response.status_code == 302
    assert response["Location"] == url("thread", thread)
    assert AuditEvent.objects.filter(action="hotline.note_added", actor_id=olga.pk).exists()
    assert fresh(thread).status == ThreadStatus.NEW  # a note is not an answer
    assert fresh(thread).first_response_at is None

    page = client.get(url("thread", thread)).content.decode()
    assert "Voice sounded coached; check with Moscow." in page
    assert NOTE_INTRO in page

    found = services.find_thread_by_codename(new.codename)
    assert found is not None
    seen = reading.thread_for_applicant(thread=found.thread, applicant_private=found.private_key)
    assert [m.kind for m in seen] == [MessageKind.APPLICANT]
    assert all("coached" not in m.text for m in seen)


@pytest.mark.parametrize("text", ["", "x" * 20_001, "a\x00b"])
def test_bad_note_is_400_and_nothing_is_stored(signed_in, olga: User, thread: Thread, text: str) -> None:  # type: ignore[no-untyped-def]
    response = signed_in(olga).post(url("note", thread), {"note": text})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert Message.objects.filter(thread=thread).count() == 1
    assert events("hotline.note_added") == 0


# --- status and assignment ------------------------------------------------------------


def test_status_changes(signed_in, olga: User, thread: Thread) -> None:  # type: ignore[no-untyped-def]
    response = signed_in(olga).post(url("status", thread), {"status": ThreadStatus.CLOSED_OUT_OF_MANDATE})
    assert response.status_code == 302
    assert fresh(thread).status == ThreadStatus.CLOSED_OUT_OF_MANDATE
    assert AuditEvent.objects.filter(
        action="hotline.status_changed", actor_id=olga.pk, data__to="closed_out_of_mandate"
    ).exists()


@pytest.mark.parametrize("status", ["", "deleted", "closed_spam\x00"])
def test_unknown_status_is_400(signed_in, olga: User, thread: Thread, status: str) -> None:  # type: ignore[no-untyped-def]
    response = signed_in(olga).post(url("status", thread), {"status": status})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert fresh(thread).status == ThreadStatus.NEW
    assert events("hotline.status_changed") == 0


def test_assign_and_unassign(signed_in, olga: User, thread: Thread) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(olga)
    assert client.post(url("assign", thread), {"assignee": str(olga.pk)}).status_code == 302
    assert fresh(thread).assigned_to_id == olga.pk
    assert AuditEvent.objects.filter(action="hotline.assigned", data__assignee=str(olga.pk)).exists()
    assert client.post(url("assign", thread), {"assignee": ""}).status_code == 302
    assert fresh(thread).assigned_to_id is None
    assert AuditEvent.objects.filter(action="hotline.assigned", data__assignee=None).exists()


def test_the_assign_form_lists_operators_only(signed_in, olga: User, alice: User, thread: Thread) -> None:  # type: ignore[no-untyped-def]
    page = signed_in(olga).get(url("thread", thread)).content.decode()
    assert f'value="{olga.pk}"' in page
    assert f'value="{alice.pk}"' not in page
    assert "Unassigned" in page


@pytest.mark.parametrize("who", ["alice", "carol", "dave", "nobody", "not-a-uuid"])
def test_assigning_to_a_non_operator_is_400(signed_in, request, olga: User, thread: Thread, who: str) -> None:  # type: ignore[no-untyped-def]
    if who == "nobody":
        value = str(uuid.uuid4())
    elif who == "not-a-uuid":
        value = "olga"
    else:
        value = str(request.getfixturevalue(who).pk)
    response = signed_in(olga).post(url("assign", thread), {"assignee": value})
    assert response.status_code == 400
    assert "Threads can only be assigned to hotline operators." in response.content.decode()
    assert fresh(thread).assigned_to_id is None
    assert events("hotline.assigned") == 0
