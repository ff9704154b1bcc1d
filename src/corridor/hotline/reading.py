"""Decrypting threads for display: to operators (audited) and to the applicant.

A row that does not decrypt (a damaged or tampered envelope, a bound column changed
outside Corridor) is shown as unreadable and put on the audit record; the rest of the
page is shown as usual.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any

from django.core.files.storage import default_storage

from corridor.accounts.models import User
from corridor.audit.services import record_event
from corridor.crypto.errors import CryptoError
from corridor.crypto.files import decrypt_chunks
from corridor.hotline import keys as thread_keys
from corridor.hotline import photos, services
from corridor.hotline.models import Attachment, CopyState, Message, MessageKind, Thread, ThreadLayout
from corridor.hotline.triage import Triage


@dataclass(frozen=True)
class AttachmentView:
    id: str
    name: str
    size: int
    sha256: str
    view_type: str
    unreadable: bool = False
    # Whether the copy without metadata exists yet (corridor.hotline.photos.effective_state).
    state: str = CopyState.READY


@dataclass(frozen=True)
class MessageView:
    id: str
    kind: str
    author: str
    created_at: Any
    text: str
    signed: bool
    attachments: list[AttachmentView] = field(default_factory=list)
    unreadable: bool = False


@dataclass(frozen=True)
class ThreadView:
    thread: Thread
    triage: Triage
    contact: str
    messages: list[MessageView]
    intake_unreadable: bool = False
    # The thread became a case and this reader holds no grant of its key: intake and
    # notes are not shown (the conversation still is).
    withheld: bool = False


def _record_unreadable(*, reader: User | None, thread: Thread, row_type: str, row_id: str) -> None:
    record_event(
        action="hotline.row_unreadable",
        actor_id=reader.pk if reader else None,
        target_type="thread",
        target_id=thread.pk,
        data={row_type: row_id},
    )


def _attachment_meta(conversation_key: bytes, attachment: Attachment) -> dict[str, Any]:
    return thread_keys.open_json(
        conversation_key,
        bytes(attachment.meta),
        model="hotline.Attachment",
        row=str(attachment.pk),
        field="meta",
        context=thread_keys.attachment_context(attachment),
        legacy=attachment.thread.layout == ThreadLayout.LEGACY,
    )


def _attachment_view(conversation_key: bytes, attachment: Attachment, reader: User | None) -> AttachmentView:
    try:
        meta = _attachment_meta(conversation_key, attachment)
        return AttachmentView(
            id=str(attachment.pk),
            name=str(meta["name"]),
            size=int(meta["size"]),
            sha256=str(meta["sha256"]),
            view_type=str(meta["view_type"]),
            state=photos.effective_state(attachment),
        )
    except (CryptoError, KeyError, TypeError, ValueError):
        _record_unreadable(
            reader=reader, thread=attachment.thread, row_type="attachment", row_id=str(attachment.pk)
        )
        return AttachmentView(
            id=str(attachment.pk), name="", size=0, sha256="", view_type="", unreadable=True
        )


def _message_view(
    thread: Thread, message: Message, opened: thread_keys.ThreadKeys, reader: User | None, verify_key: bytes
) -> MessageView:
    author = message.author.username if message.author else ""
    try:
        body = thread_keys.open_json(
            thread_keys.message_key(opened, message.kind),
            bytes(message.body),
            model="hotline.Message",
            row=str(message.pk),
            field="body",
            context=thread_keys.message_context(message),
            legacy=thread.layout == ThreadLayout.LEGACY,
        )
        text = str(body["text"])
        signed = False
        if message.kind == MessageKind.REPLY and "sig" in body:
            signed = services.verify_reply(thread, message, text, base64.b64decode(body["sig"]), verify_key)
    except (CryptoError, KeyError, TypeError, ValueError, binascii.Error):
        _record_unreadable(reader=reader, thread=thread, row_type="message", row_id=str(message.pk))
        return MessageView(
            id=str(message.pk),
            kind=message.kind,
            author=author,
            created_at=message.created_at,
            text="",
            signed=False,
            unreadable=True,
        )
    attachments = [
        _attachment_view(opened.conversation, attachment, reader) for attachment in message.attachments.all()
    ]
    return MessageView(
        id=str(message.pk),
        kind=message.kind,
        author=author,
        created_at=message.created_at,
        text=text,
        signed=signed,
        attachments=attachments,
    )


def _messages(
    thread: Thread, opened: thread_keys.ThreadKeys, *, include_notes: bool, reader: User | None
) -> list[MessageView]:
    qs = (
        Message.objects.filter(thread=thread).select_related("author").prefetch_related("attachments__thread")
    )
    if not include_notes:
        qs = qs.exclude(kind=MessageKind.NOTE)
    verify_key = services.signing_verify_key()
    return [
        _message_view(thread, message, opened, reader, verify_key) for message in qs.order_by("created_at")
    ]


def thread_for_staff(*, user: User, user_private_key: bytes, thread: Thread) -> ThreadView:
    """Everything in the thread, notes included (one audited decryption)."""
    opened = thread_keys.thread_keys_for_staff(
        user=user, user_private_key=user_private_key, thread=thread, purpose="read"
    )
    thread.refresh_from_db()
    if opened.staff is None:
        return ThreadView(
            thread=thread,
            triage=Triage.from_dict({}),
            contact="",
            messages=_messages(thread, opened, include_notes=False, reader=user),
            withheld=True,
        )
    try:
        intake = thread_keys.open_json(
            opened.staff,
            bytes(thread.intake),
            model="hotline.Thread",
            row=str(thread.pk),
            field="intake",
            context=thread_keys.intake_context(thread),
        )
        triage, contact, unreadable = (
            Triage.from_dict(intake.get("triage", {})),
            str(intake.get("contact", "")),
            False,
        )
    except (CryptoError, TypeError, ValueError):
        _record_unreadable(reader=user, thread=thread, row_type="intake", row_id=str(thread.pk))
        triage, contact, unreadable = Triage.from_dict({}), "", True
    return ThreadView(
        thread=thread,
        triage=triage,
        contact=contact,
        messages=_messages(thread, opened, include_notes=True, reader=user),
        intake_unreadable=unreadable,
    )


def thread_for_applicant(*, thread: Thread, applicant_private: bytes) -> list[MessageView]:
    """What the person sees: their messages and the replies, never internal notes (nor the staff key)."""
    conversation = thread_keys.conversation_key_for_applicant(thread, applicant_private)
    # The person holds no staff key; notes are excluded before any key would be needed.
    opened = thread_keys.ThreadKeys(conversation=conversation, staff=b"")
    return _messages(thread, opened, include_notes=False, reader=None)


def attachment_view_copy(*, conversation_key: bytes, attachment: Attachment) -> tuple[bytes, str]:
    """The metadata-free copy, decrypted in memory."""
    meta = _attachment_meta(conversation_key, attachment)
    key = base64.b64decode(meta["view_key"])
    with default_storage.open(attachment.stripped_blob, "rb") as handle:
        data = b"".join(decrypt_chunks(key, iter(lambda: handle.read(65536), b"")))
    return data, meta["view_type"]
