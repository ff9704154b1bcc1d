"""Every write of evidence: taking a file in (uploaded, or promoted from the hotline), opening it
(viewed, exported) and making a copy without metadata, each with its custody entry and audit event.

Every file is stored as secretstream ciphertext under a fresh file key; the key is sealed
in the item's `meta` under the collection key. A file is checked against its hashes each
time it is opened: the stored ciphertext against the hash taken at receipt, the bytes
against the SHA-256 taken when they first arrived.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import re
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, BinaryIO

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from corridor.accounts import keyring
from corridor.accounts.integrity import IntegrityFailure
from corridor.accounts.models import OrgKeyKind, User
from corridor.audit.services import record_event
from corridor.cases import keys as data_keys
from corridor.crypto.envelope import generate_key
from corridor.crypto.errors import CryptoError
from corridor.crypto.files import decrypt_chunks, encrypt_bytes
from corridor.documentation import access as doc_access
from corridor.documentation.evidence import custody, sealing
from corridor.documentation.evidence.models import CustodyAction, EvidenceItem, ItemKind, Origin
from corridor.documentation.keys import open_collection_key
from corridor.documentation.models import Event, Information
from corridor.documentation.services import DocumentationRefused, clean_text
from corridor.hotline import keys as thread_keys
from corridor.hotline.models import Attachment, Thread
from corridor.hotline.services import unused_code
from corridor.hotline.uploads import EncryptedUpload, UploadRejected, strip_image

MAX_NOTE = 2_000
READ_CHUNK = 64 * 1024
# Types recognised from the bytes themselves; anything else is kept as an opaque file.
_MAGIC = ((b"%PDF-", "application/pdf"),)
_IMAGE_TYPES = {
    "JPEG": "image/jpeg",
    "MPO": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "GIF": "image/gif",
}
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/gif": "gif",
    "application/pdf": "pdf",
}
_DECLARED_TYPE = re.compile(r"^[a-z0-9][a-z0-9.+-]{0,40}/[a-z0-9][a-z0-9.+-]{0,60}$")


class EvidenceRefused(DocumentationRefused):
    """The input is not valid or the action not allowed; the message says why, in the user's language."""


class EvidenceDamaged(EvidenceRefused):
    """A stored file or its sealed record no longer matches its hashes: it is not shown."""


def _now() -> datetime:
    return datetime.now(UTC)


def _require_documenter(user: User) -> None:
    if not doc_access.can_document(user):
        raise EvidenceRefused(_("Only documenters record documentation."))


def _check_information(event: Event, information: Information | None) -> None:
    if information is not None and information.event_id != event.pk:
        raise EvidenceRefused(_("Choose what the file belongs to from the list."))


def _clean_note(note: str, *, required: bool) -> str:
    """The note, or a refusal the evidence pages show (a control character, too long, missing)."""
    try:
        return clean_text(note, required=required, limit=MAX_NOTE)
    except EvidenceRefused:
        raise
    except DocumentationRefused as exc:
        raise EvidenceRefused(str(exc)) from None


def is_image(content_type: str) -> bool:
    return content_type in _IMAGE_TYPES.values()


def recognised_type(data: bytes, declared: str) -> str:
    """The type from the bytes (photos are checked by decoding them); an opaque type otherwise.

    A photo that Pillow recognises but cannot decode safely (a decompression bomb, a
    damaged file) is refused, so that every image kept as evidence can be shown stripped.
    """
    with warnings.catch_warnings():
        # Only identified here; strip_image below decodes it, with its own size limits.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as image:
                fmt = image.format or ""
        except Image.DecompressionBombError:
            raise EvidenceRefused(_("This picture is too large. Send a smaller photo.")) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            fmt = ""
    if fmt in _IMAGE_TYPES:
        try:
            strip_image(data)
        except UploadRejected as exc:
            raise EvidenceRefused(str(exc)) from None
        return _IMAGE_TYPES[fmt]
    for magic, content_type in _MAGIC:
        if data.startswith(magic):
            return content_type
    declared = (declared or "").strip().lower()
    if _DECLARED_TYPE.match(declared) and not declared.startswith(("image/", "text/html")):
        return declared
    return "application/octet-stream"


def _hash_stream(handle: BinaryIO) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    handle.seek(0)
    for piece in iter(lambda: handle.read(READ_CHUNK), b""):
        digest.update(piece)
        size += len(piece)
    handle.seek(0)
    return digest.hexdigest(), size


def _store(item_id: uuid.UUID, ciphertext: BinaryIO) -> tuple[str, str, int]:
    """Save ciphertext; its storage name, SHA-256 and size."""
    sha256, size = _hash_stream(ciphertext)
    name = default_storage.save(f"evidence/{item_id}.bin", File(ciphertext))
    return name, sha256, size


def _discard_blob(name: str) -> None:
    if name:
        default_storage.delete(name)


def _new_item(
    *,
    actor: User,
    event: Event,
    information: Information | None,
    kind: str,
    origin: str,
    parent: EvidenceItem | None = None,
    source_tag: str = "",
) -> EvidenceItem:
    return EvidenceItem(
        id=uuid.uuid4(),
        collection_id=event.collection_id,
        event=event,
        information=information,
        code=unused_code("V-", EvidenceItem),
        kind=kind,
        origin=origin,
        parent=parent,
        parent_hash=parent.blob_sha256 if parent else "",
        source_tag=source_tag,
        created_by=actor,
        created_at=_now(),
    )


def _finish(
    *,
    item: EvidenceItem,
    key: bytes,
    meta: dict[str, Any],
    actor: User,
    detail: dict[str, Any],
) -> EvidenceItem:
    item.meta = sealing.seal_meta(key, item.collection.key.version, item, meta)
    item.save(force_insert=True)
    entry = custody.append(
        item=item, actor_id=actor.pk, action=CustodyAction.RECEIVED, at=item.created_at, detail=detail
    )
    record_event(
        action="evidence.received",
        actor_id=actor.pk,
        target_type="evidence",
        target_id=item.pk,
        data={"origin": item.origin, "event": str(item.event_id), "custody": entry.hash},
    )
    return item


# --- taking files in ---------------------------------------------------------------------


@transaction.atomic
def receive_upload(
    *,
    actor: User,
    user_private_key: bytes,
    event: Event,
    information: Information | None,
    upload: EncryptedUpload,
    note: str = "",
) -> EvidenceItem:
    """An uploaded file, kept exactly as received (a photo with its metadata), under a fresh file key."""
    _require_documenter(actor)
    _check_information(event, information)
    note = _clean_note(note, required=False)
    content_type = recognised_type(upload.plaintext(), upload.content_type or "")
    key = open_collection_key(
        user=actor, user_private_key=user_private_key, collection=event.collection, purpose="evidence_receive"
    )
    item = _new_item(
        actor=actor, event=event, information=information, kind=ItemKind.ORIGINAL, origin=Origin.UPLOAD
    )
    # The handler already encrypted the file as it streamed in, under a key of its own: that
    # ciphertext is what is kept, and the key goes into the sealed record.
    item.blob, item.blob_sha256, item.blob_size = _store(item.id, upload.ciphertext)
    upload.discard()
    meta = {
        "key": base64.b64encode(upload.key).decode(),
        "name": upload.name,
        "type": content_type,
        "size": upload.size,
        "sha256": upload.sha256,
        "note": note,
        "received_at": item.created_at.isoformat(),
    }
    try:
        return _finish(item=item, key=key, meta=meta, actor=actor, detail={"origin": Origin.UPLOAD})
    except BaseException:
        _discard_blob(item.blob)
        raise


def _source_tag(key: bytes, attachment: Attachment) -> str:
    return hmac.new(key, f"hotline-attachment:{attachment.pk}".encode(), hashlib.sha256).hexdigest()


def _taken_in_before_a_rekey(key: bytes, event: Event, attachment: Attachment) -> EvidenceItem | None:
    """The item this attachment became under an earlier key of the collection (its tag was keyed with it)."""
    for item in EvidenceItem.objects.filter(collection_id=event.collection_id, origin=Origin.HOTLINE):
        try:
            if sealing.open_meta(key, item).get("attachment") == str(attachment.pk):
                return item
        except CryptoError:
            continue
    return None


@dataclass(frozen=True)
class HotlineFile:
    attachment: Attachment
    name: str
    content_type: str
    size: int
    sha256: str
    received_at: datetime


def hotline_files(*, actor: User, user_private_key: bytes, thread: Thread) -> list[HotlineFile]:
    """The files of a thread whose key this documenter holds (the opening is audited); refused otherwise."""
    _require_documenter(actor)
    opener = data_keys.StaffOpener(user=actor, user_private_key=user_private_key)
    if not opener.can_open(thread.conversation_key):
        raise EvidenceRefused(_("There is no hotline thread with this code whose key you hold."))
    opened = thread_keys.thread_keys_for_staff(
        user=actor, user_private_key=user_private_key, thread=thread, purpose="evidence", opener=opener
    )
    files = []
    for attachment in Attachment.objects.filter(thread=thread).order_by("created_at"):
        try:
            meta = thread_keys.open_json(
                opened.conversation,
                bytes(attachment.meta),
                model="hotline.Attachment",
                row=str(attachment.pk),
                field="meta",
                context=thread_keys.attachment_context(attachment),
            )
        except CryptoError:
            continue
        files.append(
            HotlineFile(
                attachment=attachment,
                name=str(meta.get("name", "")),
                content_type=str(meta.get("type", "")),
                size=int(meta.get("size", 0)),
                sha256=str(meta.get("sha256", "")),
                received_at=attachment.created_at,
            )
        )
    return files


@dataclass(frozen=True)
class Promoted:
    item: EvidenceItem
    created: bool


@transaction.atomic
def promote_attachment(
    *,
    actor: User,
    user_private_key: bytes,
    event: Event,
    information: Information | None,
    thread: Thread,
    attachment_id: uuid.UUID,
    note: str = "",
) -> Promoted:
    """A hotline file taken in as evidence without uploading it again, with the SHA-256 it had on arrival.

    The documenter must hold the thread's key (to know what the file is) and the evidence
    key (which alone opens originals). The original is checked against its first-contact
    hash and encrypted again under a key of its own, so that holders of the evidence key
    do not read the collection's copy. Taken in once per collection.
    """
    _require_documenter(actor)
    _check_information(event, information)
    note = _clean_note(note, required=False)
    chosen = {
        f.attachment.pk: f
        for f in hotline_files(actor=actor, user_private_key=user_private_key, thread=thread)
    }
    found = chosen.get(attachment_id)
    if found is None:
        raise EvidenceRefused(_("Choose a file of this thread from the list."))
    attachment = found.attachment
    key = open_collection_key(
        user=actor, user_private_key=user_private_key, collection=event.collection, purpose="evidence_promote"
    )
    tag = _source_tag(key, attachment)
    existing = EvidenceItem.objects.filter(collection_id=event.collection_id, source_tag=tag).first()
    if existing is None and event.collection.key.version > 1:
        existing = _taken_in_before_a_rekey(key, event, attachment)
    if existing is not None:
        return Promoted(existing, created=False)
    try:
        evidence_private = keyring.unseal_org_key(
            user=actor, user_private_key=user_private_key, kind=OrgKeyKind.EVIDENCE
        )
    except keyring.KeyUnavailable:
        raise EvidenceRefused(
            _("You do not hold the evidence key, which alone opens the originals of hotline files.")
        ) from None
    try:
        data, first_sha256 = thread_keys.read_original(
            reader=actor, evidence_private=evidence_private, attachment=attachment
        )
    except (CryptoError, IntegrityFailure, OSError, ValueError, KeyError):
        raise EvidenceDamaged(_("The original of this file cannot be opened: it was not taken in.")) from None
    if hashlib.sha256(data).hexdigest() != first_sha256 or first_sha256 != found.sha256:
        raise EvidenceDamaged(
            _("The original no longer matches the hash recorded when it arrived: it was not taken in.")
        )
    content_type = recognised_type(data, found.content_type)
    item = _new_item(
        actor=actor,
        event=event,
        information=information,
        kind=ItemKind.ORIGINAL,
        origin=Origin.HOTLINE,
        source_tag=tag,
    )
    new_key = generate_key()
    item.blob, item.blob_sha256, item.blob_size = _store(item.id, io.BytesIO(encrypt_bytes(new_key, data)))
    meta = {
        "key": base64.b64encode(new_key).decode(),
        "name": found.name,
        "type": content_type,
        "size": len(data),
        "sha256": first_sha256,
        "note": note,
        "received_at": item.created_at.isoformat(),
        "first_contact": attachment.created_at.isoformat(),
        "thread": thread.code,
        "attachment": str(attachment.pk),
    }
    try:
        _finish(item=item, key=key, meta=meta, actor=actor, detail={"origin": Origin.HOTLINE})
    except BaseException:
        _discard_blob(item.blob)
        raise
    record_event(
        action="evidence.promoted",
        actor_id=actor.pk,
        target_type="evidence",
        target_id=item.pk,
        # Which thread it came from stays under the collection key (meta), as for links to threads.
        data={"origin": Origin.HOTLINE},
    )
    return Promoted(item, created=True)


# --- opening files -----------------------------------------------------------------------


@dataclass(frozen=True)
class OpenedFile:
    data: bytes
    content_type: str
    name: str
    sha256: str


def _stored_chunks(item: EvidenceItem) -> Iterator[bytes]:
    with default_storage.open(item.blob, "rb") as handle:
        yield from iter(lambda: handle.read(READ_CHUNK), b"")


def read_checked(key: bytes, item: EvidenceItem) -> tuple[dict[str, Any], bytes]:
    """The sealed record and the file's bytes, refused unless both of its hashes still hold."""
    try:
        meta = sealing.open_meta(key, item)
        ciphertext = b"".join(_stored_chunks(item))
    except (CryptoError, OSError):
        raise EvidenceDamaged(_("This file's record or stored copy is damaged; it is not shown.")) from None
    if hashlib.sha256(ciphertext).hexdigest() != item.blob_sha256:
        raise EvidenceDamaged(_("The stored file no longer matches the hash taken when it was received."))
    try:
        data = b"".join(decrypt_chunks(base64.b64decode(meta["key"]), iter([ciphertext])))
    except (CryptoError, KeyError, ValueError):
        raise EvidenceDamaged(_("This file's record or stored copy is damaged; it is not shown.")) from None
    if hashlib.sha256(data).hexdigest() != meta.get("sha256"):
        raise EvidenceDamaged(_("The file no longer matches the SHA-256 recorded when it arrived."))
    return meta, data


def _locked(item: EvidenceItem) -> EvidenceItem:
    return EvidenceItem.objects.select_for_update().select_related("collection__key").get(pk=item.pk)


@transaction.atomic
def open_for_viewing(*, actor: User, user_private_key: bytes, item: EvidenceItem) -> OpenedFile:
    """A photo for the browser: re-encoded from its pixels, without EXIF, GPS or any other metadata."""
    _require_documenter(actor)
    item = _locked(item)
    key = open_collection_key(
        user=actor, user_private_key=user_private_key, collection=item.collection, purpose="evidence_view"
    )
    meta, data = read_checked(key, item)
    if not is_image(str(meta.get("type", ""))):
        raise EvidenceRefused(_("Only photos can be shown in the browser; download the file instead."))
    try:
        stripped = strip_image(data)
    except UploadRejected as exc:
        raise EvidenceRefused(str(exc)) from None
    entry = custody.append(
        item=item, actor_id=actor.pk, action=CustodyAction.VIEWED, at=_now(), detail={"shown": "stripped"}
    )
    record_event(
        action="evidence.viewed",
        actor_id=actor.pk,
        target_type="evidence",
        target_id=item.pk,
        data={"custody": entry.hash},
    )
    return OpenedFile(
        stripped.data, stripped.content_type, str(meta.get("name", "")), str(meta.get("sha256", ""))
    )


@transaction.atomic
def export_file(*, actor: User, user_private_key: bytes, item: EvidenceItem) -> OpenedFile:
    """The item's bytes as kept (an original with its metadata, a copy as made), recorded as exported."""
    _require_documenter(actor)
    item = _locked(item)
    key = open_collection_key(
        user=actor, user_private_key=user_private_key, collection=item.collection, purpose="evidence_export"
    )
    meta, data = read_checked(key, item)
    entry = custody.append(
        item=item, actor_id=actor.pk, action=CustodyAction.EXPORTED, at=_now(), detail={"as": item.kind}
    )
    record_event(
        action="evidence.exported",
        actor_id=actor.pk,
        target_type="evidence",
        target_id=item.pk,
        data={"custody": entry.hash, "kind": item.kind},
    )
    return OpenedFile(data, str(meta.get("type", "")), str(meta.get("name", "")), str(meta.get("sha256", "")))


def _stripped_name(name: str, content_type: str) -> str:
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem or 'file'}-stripped.{EXTENSIONS.get(content_type, 'bin')}"


@transaction.atomic
def make_stripped_copy(*, actor: User, user_private_key: bytes, item: EvidenceItem) -> Promoted:
    """A copy of a photo without metadata, linked to its original by hash; made once per original."""
    _require_documenter(actor)
    parent = _locked(item)
    if parent.kind != ItemKind.ORIGINAL:
        raise EvidenceRefused(_("Copies are made from originals only."))
    existing = EvidenceItem.objects.filter(parent=parent, kind=ItemKind.STRIPPED).first()
    if existing is not None:
        return Promoted(existing, created=False)
    key = open_collection_key(
        user=actor, user_private_key=user_private_key, collection=parent.collection, purpose="evidence_derive"
    )
    meta, data = read_checked(key, parent)
    if not is_image(str(meta.get("type", ""))):
        raise EvidenceRefused(_("Only photos have a copy without metadata."))
    try:
        stripped = strip_image(data)
    except UploadRejected as exc:
        raise EvidenceRefused(str(exc)) from None
    child = _new_item(
        actor=actor,
        event=parent.event,
        information=parent.information,
        kind=ItemKind.STRIPPED,
        origin=Origin.DERIVATIVE,
        parent=parent,
    )
    child.collection = parent.collection
    file_key = generate_key()
    child.blob, child.blob_sha256, child.blob_size = _store(
        child.id, io.BytesIO(encrypt_bytes(file_key, stripped.data))
    )
    child_meta = {
        "key": base64.b64encode(file_key).decode(),
        "name": _stripped_name(str(meta.get("name", "")), stripped.content_type),
        "type": stripped.content_type,
        "size": len(stripped.data),
        "sha256": hashlib.sha256(stripped.data).hexdigest(),
        "note": "",
        "received_at": child.created_at.isoformat(),
        "parent_sha256": meta.get("sha256", ""),
    }
    _finish_derivative(
        parent=parent, child=child, key=key, meta=child_meta, actor=actor, kind=ItemKind.STRIPPED
    )
    return Promoted(child, created=True)


# A redacted copy is made in another program (a face blurred, a name blacked out) and shown to
# people who must not see the original: only the kinds Corridor reads from the bytes are taken.
_REDACTABLE_DOCUMENTS = {"application/pdf"}


def _redacted_type(parent_type: str, content_type: str) -> None:
    if is_image(parent_type):
        if not is_image(content_type):
            raise EvidenceRefused(
                _("A redacted copy of a photo must be a photo too (JPEG, PNG, WebP or GIF).")
            )
    elif not (is_image(content_type) or content_type in _REDACTABLE_DOCUMENTS):
        raise EvidenceRefused(_("A redacted copy must be a photo (JPEG, PNG, WebP or GIF) or a PDF."))


@transaction.atomic
def receive_redacted_copy(
    *,
    actor: User,
    user_private_key: bytes,
    item: EvidenceItem,
    upload: EncryptedUpload,
    note: str,
) -> EvidenceItem:
    """A redacted version of an original, made elsewhere and uploaded: kept exactly as received, as a
    copy linked to the original by hash (its row names the original's stored hash, the original's
    custody log names the copy's)."""
    _require_documenter(actor)
    parent = _locked(item)
    if parent.kind != ItemKind.ORIGINAL:
        raise EvidenceRefused(_("Copies are made from originals only."))
    note = _clean_note(note, required=True)
    content_type = recognised_type(upload.plaintext(), upload.content_type or "")
    key = open_collection_key(
        user=actor, user_private_key=user_private_key, collection=parent.collection, purpose="evidence_derive"
    )
    # The original must still be intact before anything is linked to it.
    parent_meta, _data = read_checked(key, parent)
    _redacted_type(str(parent_meta.get("type", "")), content_type)
    if upload.sha256 == parent_meta.get("sha256"):
        raise EvidenceRefused(_("This file is the original itself: nothing in it was redacted."))
    child = _new_item(
        actor=actor,
        event=parent.event,
        information=parent.information,
        kind=ItemKind.REDACTED,
        origin=Origin.DERIVATIVE,
        parent=parent,
    )
    child.collection = parent.collection
    child.blob, child.blob_sha256, child.blob_size = _store(child.id, upload.ciphertext)
    upload.discard()
    child_meta = {
        "key": base64.b64encode(upload.key).decode(),
        "name": upload.name,
        "type": content_type,
        "size": upload.size,
        "sha256": upload.sha256,
        "note": note,
        "received_at": child.created_at.isoformat(),
        "parent_sha256": parent_meta.get("sha256", ""),
    }
    _finish_derivative(
        parent=parent, child=child, key=key, meta=child_meta, actor=actor, kind=ItemKind.REDACTED
    )
    return child


def _finish_derivative(
    *, parent: EvidenceItem, child: EvidenceItem, key: bytes, meta: dict[str, Any], actor: User, kind: str
) -> None:
    """Seal a copy's record and start its log, then record on its original's log that it was made."""
    try:
        _finish(
            item=child,
            key=key,
            meta=meta,
            actor=actor,
            detail={"origin": Origin.DERIVATIVE, "parent": str(parent.pk), "parent_hash": parent.blob_sha256},
        )
    except BaseException:
        _discard_blob(child.blob)
        raise
    entry = custody.append(
        item=parent,
        actor_id=actor.pk,
        action=CustodyAction.DERIVATIVE_MADE,
        at=child.created_at,
        detail={"derivative": str(child.pk), "kind": kind, "derivative_hash": child.blob_sha256},
    )
    record_event(
        action="evidence.derivative_made",
        actor_id=actor.pk,
        target_type="evidence",
        target_id=parent.pk,
        data={"derivative": str(child.pk), "kind": kind, "custody": entry.hash},
    )
