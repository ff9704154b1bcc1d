"""Hotline services: behaviour that matters beyond any one page."""

from __future__ import annotations

from corridor.accounts.models import OrgKey, OrgKeyKind, User
from corridor.audit.models import AuditEvent
from corridor.crypto import keys
from corridor.hotline import services
from corridor.hotline.models import Thread, ThreadStatus
from tests.hotline.helpers import open_web_thread, private_key


def test_a_person_writing_again_reopens_a_closed_thread(olga: User) -> None:
    created = open_web_thread()
    services.set_status(operator=olga, thread=created.thread, status=ThreadStatus.CLOSED_SPAM)
    access = services.find_thread_by_codename(created.codename)
    assert access is not None
    services.add_applicant_message(
        thread=access.thread, applicant_private=access.private_key, text="I was detained", files=[]
    )
    thread = Thread.objects.get(pk=created.thread.pk)
    assert thread.status == ThreadStatus.IN_CONVERSATION
    assert thread.unread
    event = AuditEvent.objects.filter(action="hotline.applicant_wrote").latest("seq")
    assert event.data["reopened"] is True


def test_replies_and_notes_open_the_thread_key_on_the_record(olga: User) -> None:
    created = open_web_thread()
    key = private_key(olga)
    services.post_reply(operator=olga, user_private_key=key, thread=created.thread, text="We read you.")
    services.add_note(operator=olga, user_private_key=key, thread=created.thread, text="Check the story.")
    purposes = set(
        AuditEvent.objects.filter(action="hotline.thread_decrypted", actor_id=olga.pk).values_list(
            "data__purpose", flat=True
        )
    )
    assert purposes == {"reply", "note"}


def test_codenames_survive_a_new_hotline_key(olga: User) -> None:
    created = open_web_thread()
    OrgKey.objects.create(kind=OrgKeyKind.HOTLINE, version=2, public_key=keys.generate_keypair().public)
    access = services.find_thread_by_codename(created.codename)
    assert access is not None
    assert access.thread.pk == created.thread.pk
