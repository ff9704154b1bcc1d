"""The thread key: creation, sealing to its holders, and opening it for staff or the applicant."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from corridor.accounts import keyring
from corridor.accounts.models import OrgKey, OrgKeyKind, User
from corridor.audit.services import record_event
from corridor.crypto import keys
from corridor.crypto.envelope import open_field, seal_field
from corridor.crypto.errors import DecryptionFailed
from corridor.hotline.models import Thread, ThreadKeyWrap, WrapRecipient


class ThreadLocked(Exception):
    """The thread key cannot be opened with what this person holds."""


def codename_salt() -> bytes:
    """Organisation-wide Argon2id salt for codenames: fixed per installation, not secret.

    It comes from the first hotline key ever made, so rotating the hotline key later
    does not make every codename unknown.
    """
    first = OrgKey.objects.filter(kind=OrgKeyKind.HOTLINE).order_by("version").first()
    if first is None:
        raise keyring.KeyUnavailable("the organisation has no hotline key: run `corridor init`")
    return hashlib.sha256(b"corridor.codename-salt.v1" + bytes(first.public_key)).digest()[:16]


def seal_thread_key(thread: Thread, thread_key: bytes, applicant_public: bytes) -> None:
    """Seal a new thread's key to the hotline key, the applicant's codename key and the recovery key."""
    holders = {
        WrapRecipient.HOTLINE: bytes(keyring.current_key(OrgKeyKind.HOTLINE).public_key),
        WrapRecipient.APPLICANT: applicant_public,
        WrapRecipient.RECOVERY: bytes(keyring.current_key(OrgKeyKind.RECOVERY).public_key),
    }
    ThreadKeyWrap.objects.bulk_create(
        ThreadKeyWrap(
            thread=thread,
            recipient=recipient,
            key_version=thread.key_version,
            sealed=keys.seal_to(public, thread_key),
        )
        for recipient, public in holders.items()
    )


def _open_wrap(thread: Thread, recipient: str, private: bytes) -> bytes:
    wrap = ThreadKeyWrap.objects.filter(
        thread=thread, recipient=recipient, key_version=thread.key_version
    ).first()
    if wrap is None:
        raise ThreadLocked("no wrap for this holder")
    try:
        return keys.unseal(private, bytes(wrap.sealed))
    except DecryptionFailed as exc:
        raise ThreadLocked("the wrap does not open") from exc


def thread_key_for_applicant(thread: Thread, applicant_private: bytes) -> bytes:
    return _open_wrap(thread, WrapRecipient.APPLICANT, applicant_private)


def thread_key_for_staff(
    *, user: User, user_private_key: bytes, thread: Thread, purpose: str, attachment: str = ""
) -> bytes:
    """Open the thread key through the hotline key; every opening is an audit event."""
    try:
        hotline_private = keyring.unseal_org_key(
            user=user, user_private_key=user_private_key, kind=OrgKeyKind.HOTLINE
        )
    except keyring.KeyUnavailable as exc:
        raise ThreadLocked("this user holds no hotline key") from exc
    thread_key = _open_wrap(thread, WrapRecipient.HOTLINE, hotline_private)
    record_event(
        action="hotline.thread_decrypted",
        actor_id=user.pk,
        target_type="thread",
        target_id=thread.pk,
        data={"purpose": purpose, **({"attachment": attachment} if attachment else {})},
    )
    return thread_key


def seal_json(
    thread_key: bytes, value: dict[str, Any], *, model: str, row: str, field: str, version: int
) -> bytes:
    return seal_field(
        thread_key,
        json.dumps(value, ensure_ascii=False).encode(),
        model=model,
        row=row,
        field=field,
        key_version=version,
    )


def open_json(thread_key: bytes, envelope: bytes, *, model: str, row: str, field: str) -> dict[str, Any]:
    return dict(json.loads(open_field(thread_key, envelope, model=model, row=row, field=field)))
