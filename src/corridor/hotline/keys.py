"""A thread's two keys: creation, sealing to their holders, and opening them for staff or the applicant.

- The **conversation key** encrypts what the person and staff both read (the person's
  messages, replies, the staff copies of photos). It is sealed to the hotline key, to
  the person's codename key and to the recovery key.
- The **staff key** encrypts what only staff read (triage answers, contact details,
  internal notes). It is sealed to the hotline key and the recovery key, never to the
  person: a leaked codename and a copy of the database do not open it.

Every wrap carries a commitment to its key under the integrity key held in
configuration, and is sealed only to public keys that match their pins.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction

from corridor.accounts import keyring
from corridor.accounts.integrity import IntegrityFailure, key_check
from corridor.accounts.models import OrgKeyKind, User
from corridor.audit.services import record_event
from corridor.cases import keys as data_keys
from corridor.cases.models import DataKey, DataKeyWrap, KeyPurpose, WrapRecipient
from corridor.crypto import keys
from corridor.crypto.envelope import generate_key, open_field, seal_field
from corridor.crypto.errors import DecryptionFailed
from corridor.crypto.files import decrypt_chunks
from corridor.hotline.models import Attachment, Message, MessageKind, Thread, ThreadLayout

# Opening a key that this person does not hold.
ThreadLocked = data_keys.KeyLocked


@dataclass(frozen=True)
class ThreadKeys:
    conversation: bytes
    # None when the thread became a case and this person holds no grant of the case key.
    staff: bytes | None


def codename_salt() -> bytes:
    """Organisation-wide Argon2id salt for codenames: pinned in configuration, not secret."""
    return keyring.codename_salt()


def codename_tag_key() -> bytes:
    """The key of codename tags (corridor.crypto.codename): from configuration, like the integrity key.

    Changing it (CORRIDOR_AUDIT_KEY, or SECRET_KEY when that is unset) leaves every codename
    valid; codenames issued before the change merely take the pool's slow lane.
    """
    base = (settings.CORRIDOR_AUDIT_KEY or settings.SECRET_KEY).encode()
    return hmac.new(base, b"corridor.codename-tag-key.v1", hashlib.sha256).digest()


def owner_of(thread_id: object) -> str:
    """The owner bound into the commitments of a thread's two keys."""
    return f"hotline.Thread:{thread_id}"


def new_thread_keys(thread_id: object) -> tuple[DataKey, DataKey, ThreadKeys]:
    """Identity rows and values of a new thread's conversation and staff keys."""
    conversation_row, conversation = data_keys.new_data_key(
        owner=owner_of(thread_id), purpose=KeyPurpose.CONVERSATION
    )
    staff_row, staff = data_keys.new_data_key(owner=owner_of(thread_id), purpose=KeyPurpose.CASE)
    return conversation_row, staff_row, ThreadKeys(conversation=conversation, staff=staff)


def seal_thread_keys(thread: Thread, thread_keys: ThreadKeys, applicant_public: bytes) -> None:
    """Seal a new thread's keys: the conversation key to hotline, applicant and recovery; the staff key
    to hotline and recovery only. Only pinned public keys are sealed to."""
    org = [WrapRecipient.HOTLINE, WrapRecipient.RECOVERY]
    data_keys.seal_to_org(
        thread.conversation_key, thread_keys.conversation, org, applicant_public=applicant_public
    )
    assert thread_keys.staff is not None
    data_keys.seal_to_org(thread.staff_key, thread_keys.staff, org)


def conversation_key_for_applicant(thread: Thread, applicant_private: bytes) -> bytes:
    return data_keys.open_org_wrap(
        thread.conversation_key,
        WrapRecipient.APPLICANT,
        applicant_private,
        unchecked=thread.layout == ThreadLayout.LEGACY,
    )


def thread_keys_for_staff(
    *,
    user: User,
    user_private_key: bytes,
    thread: Thread,
    purpose: str,
    attachment: str = "",
    opener: data_keys.StaffOpener | None = None,
) -> ThreadKeys:
    """Open both keys (the holder's own wrap first, else the hotline key); every opening is audited.

    The staff key is None when the thread became a case this person holds no grant of.
    A legacy thread (one key for everything) is upgraded on the way: from then on the
    person's codename no longer opens its notes and intake.
    """
    opener = opener or data_keys.StaffOpener(user=user, user_private_key=user_private_key)
    legacy = thread.layout == ThreadLayout.LEGACY
    conversation = opener.open(thread.conversation_key, unchecked=legacy)
    record_event(
        action="hotline.thread_decrypted",
        actor_id=user.pk,
        target_type="thread",
        target_id=thread.pk,
        data={"purpose": purpose, **({"attachment": attachment} if attachment else {})},
    )
    if legacy:
        upgraded = upgrade_legacy_thread(thread=thread, conversation_key=conversation, actor=user)
        if upgraded is not None:
            return upgraded
        thread.layout = ThreadLayout.SPLIT
    try:
        staff: bytes | None = opener.open(thread.staff_key)
    except ThreadLocked:
        staff = None
    return ThreadKeys(conversation=conversation, staff=staff)


# --- envelopes and what they bind ---------------------------------------------------


def message_context(message: Message) -> dict[str, str]:
    """The plain columns a message's meaning depends on: a note cannot become a reply, nor move."""
    return {"thread": str(message.thread_id), "kind": message.kind, "author": str(message.author_id or "")}


def message_key(thread_keys: ThreadKeys, kind: str) -> bytes:
    if kind != MessageKind.NOTE:
        return thread_keys.conversation
    if thread_keys.staff is None:
        raise ThreadLocked("the case key is not granted to this person")
    return thread_keys.staff


def intake_context(thread: Thread) -> dict[str, str]:
    return {"channel": thread.channel}


def attachment_context(attachment: Attachment) -> dict[str, str]:
    return {"thread": str(attachment.thread_id), "message": str(attachment.message_id)}


def seal_json(
    key: bytes,
    value: Mapping[str, Any],
    *,
    model: str,
    row: str,
    field: str,
    version: int,
    context: Mapping[str, str],
) -> bytes:
    return seal_field(
        key,
        json.dumps(value, ensure_ascii=False).encode(),
        model=model,
        row=row,
        field=field,
        key_version=version,
        context=context,
    )


def open_json(
    key: bytes,
    envelope: bytes,
    *,
    model: str,
    row: str,
    field: str,
    context: Mapping[str, str],
    legacy: bool = False,
) -> dict[str, Any]:
    """Decrypt a JSON envelope; a legacy thread's envelopes (which bind no context) only when `legacy`."""
    plaintext = open_field(
        key, envelope, model=model, row=row, field=field, context=context, accept_legacy=legacy
    )
    try:
        value = json.loads(plaintext)
    except (UnicodeDecodeError, ValueError) as exc:
        raise DecryptionFailed("the envelope does not hold JSON") from exc
    if not isinstance(value, dict):
        raise DecryptionFailed("the envelope does not hold an object")
    return value


def seal_evidence(*, attachment_id: str, thread_id: str, original_key: bytes, sha256: str) -> bytes:
    """The original's file key, sealed to the evidence key (fewer holders than the thread's keys).

    Sealed boxes carry no associated data, so the ids go inside and are checked on opening.
    """
    payload = {
        "attachment": attachment_id,
        "thread": thread_id,
        "key": base64.b64encode(original_key).decode(),
        "sha256": sha256,
    }
    return keys.seal_to(keyring.pinned_public_key(OrgKeyKind.EVIDENCE), json.dumps(payload).encode())


def open_evidence(
    *, reader: User | None, evidence_private: bytes, attachment: Attachment
) -> tuple[bytes, str]:
    """The original's file key and hash, for a holder of the evidence key (audited); refused if moved."""
    payload = json.loads(keys.unseal(evidence_private, bytes(attachment.evidence)))
    if payload.get("attachment") != str(attachment.pk) or payload.get("thread") != str(attachment.thread_id):
        raise IntegrityFailure("evidence", str(attachment.pk))
    record_event(
        action="hotline.original_opened",
        actor_id=reader.pk if reader else None,
        target_type="thread",
        target_id=attachment.thread_id,
        data={"attachment": str(attachment.pk)},
    )
    return base64.b64decode(payload["key"]), str(payload["sha256"])


def read_original(
    *, reader: User | None, evidence_private: bytes, attachment: Attachment
) -> tuple[bytes, str]:
    """An upload's original bytes, decrypted in memory, and the SHA-256 taken when it arrived.

    Audited as `open_evidence` is. Raises CryptoError, IntegrityFailure, OSError, ValueError or
    KeyError when the original cannot be opened; comparing the bytes with the hash is the caller's.
    """
    file_key, sha256 = open_evidence(reader=reader, evidence_private=evidence_private, attachment=attachment)
    with default_storage.open(attachment.original_blob, "rb") as handle:
        data = b"".join(decrypt_chunks(file_key, iter(lambda: handle.read(65536), b"")))
    return data, sha256


# --- threads written before the staff key --------------------------------------------


@transaction.atomic
def upgrade_legacy_thread(
    *, thread: Thread, conversation_key: bytes, actor: User | None
) -> ThreadKeys | None:
    """Re-key a thread written with one key: a new staff key for intake and notes, bound envelopes
    for every row, originals' keys sealed to the evidence key, and commitments on the old wraps.

    Returns None when another request upgraded the thread first (its staff key is then in the wraps).
    """
    thread = (
        Thread.objects.select_for_update().select_related("conversation_key", "staff_key").get(pk=thread.pk)
    )
    if thread.layout != ThreadLayout.LEGACY:
        return None
    staff_key = generate_key()
    new = ThreadKeys(conversation=conversation_key, staff=staff_key)
    version = thread.conversation_key.version

    def reseal(row: Any, field: str, key: bytes, context: Mapping[str, str], change: Any = None) -> None:
        """Open one legacy envelope under the old key and seal it again, bound, under `key`."""
        model = f"hotline.{type(row).__name__}"
        value = open_json(
            conversation_key,
            bytes(getattr(row, field)),
            model=model,
            row=str(row.pk),
            field=field,
            context={},
            legacy=True,
        )
        if change is not None:
            change(value)
        setattr(
            row,
            field,
            seal_json(
                key, value, model=model, row=str(row.pk), field=field, version=version, context=context
            ),
        )

    reseal(thread, "intake", staff_key, intake_context(thread))
    for message in Message.objects.filter(thread=thread):
        reseal(message, "body", message_key(new, message.kind), message_context(message))
        message.save(update_fields=["body"])
    for attachment in Attachment.objects.filter(thread=thread):

        def move_original_key(meta: dict[str, Any], attachment: Attachment = attachment) -> None:
            attachment.evidence = seal_evidence(
                attachment_id=str(attachment.pk),
                thread_id=str(thread.pk),
                original_key=base64.b64decode(meta.pop("original_key")),
                sha256=str(meta.get("sha256", "")),
            )

        reseal(attachment, "meta", conversation_key, attachment_context(attachment), move_original_key)
        attachment.save(update_fields=["meta", "evidence"])
    conversation_row = thread.conversation_key
    DataKeyWrap.objects.filter(key=conversation_row, version=conversation_row.version).update(
        key_check=key_check(conversation_row.owner, conversation_row.purpose, version, conversation_key)
    )
    staff_row = thread.staff_key
    DataKeyWrap.objects.filter(key=staff_row).delete()
    data_keys.seal_to_org(
        staff_row, staff_key, [WrapRecipient.HOTLINE, WrapRecipient.RECOVERY], version=staff_row.version
    )
    thread.layout = ThreadLayout.SPLIT
    thread.save(update_fields=["intake", "layout"])
    record_event(
        action="hotline.thread_upgraded",
        actor_id=actor.pk if actor else None,
        target_type="thread",
        target_id=thread.pk,
    )
    return new
