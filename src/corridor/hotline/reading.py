"""Decrypting threads for display: to operators (audited) and to the applicant."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from django.core.files.storage import default_storage

from corridor.accounts.models import User
from corridor.crypto.files import decrypt_chunks
from corridor.hotline import keys as thread_keys
from corridor.hotline import services
from corridor.hotline.models import Attachment, Message, MessageKind, Thread
from corridor.hotline.triage import Triage


@dataclass(frozen=True)
class AttachmentView:
    id: str
    name: str
    size: int
    sha256: str
    view_type: str


@dataclass(frozen=True)
class MessageView:
    id: str
    kind: str
    author: str
    created_at: Any
    text: str
    signed: bool
    attachments: list[AttachmentView] = field(default_factory=list)


@dataclass(frozen=True)
class ThreadView:
    thread: Thread
    triage: Triage
    contact: str
    messages: list[MessageView]


def _attachment_meta(thread_key: bytes, attachment: Attachment) -> dict[str, Any]:
    return thread_keys.open_json(
        thread_key, bytes(attachment.meta), model="hotline.Attachment", row=str(attachment.pk), field="meta"
    )


def _messages(thread: Thread, thread_key: bytes, *, include_notes: bool) -> list[MessageView]:
    qs = Message.objects.filter(thread=thread).select_related("author").prefetch_related("attachments")
    if not include_notes:
        qs = qs.exclude(kind=MessageKind.NOTE)
    out = []
    verify_key = b""
    for message in qs.order_by("created_at"):
        body = thread_keys.open_json(
            thread_key, bytes(message.body), model="hotline.Message", row=str(message.pk), field="body"
        )
        signed = False
        if message.kind == MessageKind.REPLY and "sig" in body:
            verify_key = verify_key or services.signing_verify_key()
            signed = services.verify_reply(
                thread, message, body["text"], base64.b64decode(body["sig"]), verify_key
            )
        attachments = []
        for attachment in message.attachments.all():
            meta = _attachment_meta(thread_key, attachment)
            attachments.append(
                AttachmentView(
                    id=str(attachment.pk),
                    name=meta["name"],
                    size=meta["size"],
                    sha256=meta["sha256"],
                    view_type=meta["view_type"],
                )
            )
        out.append(
            MessageView(
                id=str(message.pk),
                kind=message.kind,
                author=message.author.username if message.author else "",
                created_at=message.created_at,
                text=body["text"],
                signed=signed,
                attachments=attachments,
            )
        )
    return out


def thread_for_staff(*, user: User, user_private_key: bytes, thread: Thread) -> ThreadView:
    """Everything in the thread, notes included (one audited decryption)."""
    thread_key = thread_keys.thread_key_for_staff(
        user=user, user_private_key=user_private_key, thread=thread, purpose="read"
    )
    intake = thread_keys.open_json(
        thread_key, bytes(thread.intake), model="hotline.Thread", row=str(thread.pk), field="intake"
    )
    return ThreadView(
        thread=thread,
        triage=Triage.from_dict(intake.get("triage", {})),
        contact=intake.get("contact", ""),
        messages=_messages(thread, thread_key, include_notes=True),
    )


def thread_for_applicant(*, thread: Thread, applicant_private: bytes) -> list[MessageView]:
    """What the person sees: their messages and the replies, never internal notes."""
    thread_key = thread_keys.thread_key_for_applicant(thread, applicant_private)
    return _messages(thread, thread_key, include_notes=False)


def attachment_view_copy(*, thread_key: bytes, attachment: Attachment) -> tuple[bytes, str]:
    """The metadata-free copy, decrypted in memory."""
    meta = _attachment_meta(thread_key, attachment)
    key = base64.b64decode(meta["view_key"])
    with default_storage.open(attachment.stripped_blob, "rb") as handle:
        data = b"".join(decrypt_chunks(key, iter(lambda: handle.read(65536), b"")))
    return data, meta["view_type"]
