"""Every write to the hotline: new threads, messages, files, replies, notes, status and assignment."""

from __future__ import annotations

import base64
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from corridor.accounts import keyring
from corridor.accounts.models import OrgKeyKind, Role, User
from corridor.audit.services import record_event
from corridor.crypto import codename, keys
from corridor.crypto.envelope import generate_key
from corridor.crypto.kdf import Argon2Cost
from corridor.hotline import keys as thread_keys
from corridor.hotline import photos, receipts
from corridor.hotline.models import (
    OPEN_STATUSES,
    Attachment,
    Channel,
    CopyState,
    Message,
    MessageKind,
    Thread,
    ThreadStatus,
    Urgency,
    UrgencyReason,
)
from corridor.hotline.triage import Triage, first_response_window, urgency_for
from corridor.hotline.uploads import EncryptedUpload, photo_copy_type
from corridor.limits import pool, throttle

logger = logging.getLogger("corridor.hotline")

MAX_TEXT = 20_000
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class InvalidSubmission(ValueError):
    """Input that cannot be accepted; the message is safe to show."""


def codename_cost() -> Argon2Cost:
    """The Argon2id cost of codenames: fixed for an installation (see settings)."""
    return Argon2Cost(
        opslimit=settings.CORRIDOR_CODENAME_OPSLIMIT, memlimit=settings.CORRIDOR_CODENAME_MEMLIMIT
    )


def _now() -> datetime:
    return datetime.now(UTC)


def unused_code(prefix: str, model: type[models.Model]) -> str:
    """A random short code (thread "H-…", case "C-…") that no row of `model` has yet."""
    while True:
        code = prefix + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(6))
        if not model._default_manager.filter(code=code).exists():
            return code


def _new_code() -> str:
    return unused_code("H-", Thread)


def clean_text(text: str, *, required: bool) -> str:
    """Messages keep their line breaks; NUL and other control characters are refused."""
    text = text.replace("\r\n", "\n").strip()
    if any(ch in text for ch in "\x00\x0b\x0c") or any(ord(ch) < 32 and ch not in "\n\t" for ch in text):
        raise InvalidSubmission(_("The text contains characters that cannot be accepted."))
    if len(text) > MAX_TEXT:
        raise InvalidSubmission(_("The text is too long (at most 20,000 characters)."))
    if required and not text:
        raise InvalidSubmission(_("Write a few words about what is happening."))
    return text


@dataclass(frozen=True)
class PreparedFile:
    """An upload checked, ready to store once the thread exists: its copy is made afterwards."""

    upload: EncryptedUpload
    plaintext: bytes
    copy_type: str


def prepare_files(uploads: list[EncryptedUpload]) -> list[PreparedFile]:
    """Check every file before anything is written: one bad file rejects the whole request."""
    prepared = []
    for upload in uploads:
        plaintext = upload.plaintext()
        prepared.append(PreparedFile(upload, plaintext, photo_copy_type(plaintext)))
    return prepared


def _store_files(
    thread: Thread, message: Message, conversation_key: bytes, files: list[PreparedFile]
) -> None:
    copies = []
    for prepared in files:
        upload = prepared.upload
        attachment_id = uuid.uuid4()
        original_name = f"hotline/{attachment_id}.orig"
        stripped_name = f"hotline/{attachment_id}.view"
        stripped_key = generate_key()
        upload.ciphertext.seek(0)
        original_name = default_storage.save(original_name, File(upload.ciphertext))
        upload.discard()
        # The original's key (with the photo's GPS and camera data behind it) goes to the
        # evidence key only; the conversation key opens just the metadata-free copy, which
        # is made under the key chosen here once the rows are written (corridor.hotline.photos).
        meta = {
            "name": upload.name,
            "type": upload.content_type,
            "size": upload.size,
            "sha256": upload.sha256,
            "view_key": base64.b64encode(stripped_key).decode(),
            "view_type": prepared.copy_type,
        }
        attachment = Attachment(
            id=attachment_id,
            thread=thread,
            message=message,
            created_at=message.created_at,
            evidence=thread_keys.seal_evidence(
                attachment_id=str(attachment_id),
                thread_id=str(thread.pk),
                original_key=upload.key,
                sha256=upload.sha256,
            ),
            original_blob=original_name,
            stripped_blob=stripped_name,
            view_state=CopyState.PREPARING,
        )
        attachment.meta = thread_keys.seal_json(
            conversation_key,
            meta,
            model="hotline.Attachment",
            row=str(attachment_id),
            field="meta",
            version=thread.conversation_key.version,
            context=thread_keys.attachment_context(attachment),
        )
        attachment.save(force_insert=True)
        copies.append(photos.CopyJob(str(attachment_id), stripped_name, stripped_key, prepared.plaintext))
    photos.schedule(copies)


def _add_message(
    *,
    thread: Thread,
    key: bytes,
    kind: str,
    author: User | None,
    text: str,
    signature: bytes | None = None,
    files: list[PreparedFile] | None = None,
    message_id: uuid.UUID | None = None,
    at: datetime | None = None,
) -> Message:
    """Store one message under `key` (the staff key for notes, the conversation key otherwise)."""
    message_id = message_id or uuid.uuid4()
    body: dict[str, str] = {"text": text}
    if signature is not None:
        body["sig"] = base64.b64encode(signature).decode()
    message = Message(id=message_id, thread=thread, kind=kind, author=author, created_at=at or _now())
    message.body = thread_keys.seal_json(
        key,
        body,
        model="hotline.Message",
        row=str(message_id),
        field="body",
        version=(thread.staff_key if kind == MessageKind.NOTE else thread.conversation_key).version,
        context=thread_keys.message_context(message),
    )
    message.save(force_insert=True)
    if files:
        _store_files(thread, message, key, files)
    return message


@dataclass(frozen=True)
class NewThread:
    thread: Thread
    codename: str
    # The same form was sent before: nothing new was created, this is the first answer.
    repeated: bool = False


def _derive_unused_codename(words: bool) -> tuple[str, codename.CodenameKeys]:
    salt, tag_key = thread_keys.codename_salt(), thread_keys.codename_tag_key()
    while True:
        text = codename.generate_words(tag_key) if words else codename.generate_digits(tag_key)
        derived = pool.derive_codename(text, salt=salt, cost=codename_cost())
        if not Thread.objects.filter(lookup_id=derived.lookup_id).exists():
            return text, derived


def open_thread(
    *,
    triage: Triage,
    text: str,
    files: list[PreparedFile],
    channel: str = Channel.WEB,
    contact: str = "",
    operator: User | None = None,
    codename_in_words: bool = False,
    submission: list[receipts.ReceiptKey] | None = None,
) -> NewThread:
    """A new thread with its own key, sealed to the hotline, the applicant's codename key and recovery.

    With `submission` keys, sending the same form again returns the first answer and
    creates nothing (corridor.hotline.receipts). Raises pool.Busy when the Argon2id
    pool has no room within its wait: nothing is stored.
    """
    keys_of_submission = submission or []
    if earlier := receipts.find_receipt(keys_of_submission):
        return NewThread(thread=earlier.thread, codename=earlier.codename, repeated=True)
    try:
        return _open_thread(
            triage=triage,
            text=text,
            files=files,
            channel=channel,
            contact=contact,
            operator=operator,
            codename_in_words=codename_in_words,
            submission=keys_of_submission,
        )
    except IntegrityError:
        # A double tap: the other request stored its receipt first, and this one rolled back.
        earlier = receipts.find_receipt(keys_of_submission)
        if earlier is None:
            raise
        return NewThread(thread=earlier.thread, codename=earlier.codename, repeated=True)


def _open_thread(
    *,
    triage: Triage,
    text: str,
    files: list[PreparedFile],
    channel: str,
    contact: str,
    operator: User | None,
    codename_in_words: bool,
    submission: list[receipts.ReceiptKey],
) -> NewThread:
    text = clean_text(text, required=not files)
    # The one Argon2id call runs in the pool, before the transaction, so the database
    # write lock is never held while it runs (on SQLite that would stall every other writer).
    codename_text, derived = _derive_unused_codename(codename_in_words)
    urgency = urgency_for(triage)
    with transaction.atomic():
        if Thread.objects.filter(lookup_id=derived.lookup_id).exists():  # pragma: no cover - 2**-53
            raise InvalidSubmission(_("Please send the request again."))
        now = _now()
        thread_id = uuid.uuid4()
        conversation_row, staff_row, keys_of_thread = thread_keys.new_thread_keys(thread_id)
        thread = Thread(
            id=thread_id,
            conversation_key=conversation_row,
            staff_key=staff_row,
            code=_new_code(),
            lookup_id=derived.lookup_id,
            channel=channel,
            urgency=urgency,
            region=triage.region,
            created_at=now,
            last_applicant_at=now,
            first_response_due_at=now + first_response_window(urgency),
        )
        intake = {"triage": triage.as_dict(), "contact": contact}
        assert keys_of_thread.staff is not None
        thread.intake = thread_keys.seal_json(
            keys_of_thread.staff,
            intake,
            model="hotline.Thread",
            row=str(thread.id),
            field="intake",
            version=staff_row.version,
            context=thread_keys.intake_context(thread),
        )
        thread.save()
        thread_keys.seal_thread_keys(thread, keys_of_thread, derived.keypair.public)
        message = _add_message(
            thread=thread,
            key=keys_of_thread.conversation,
            kind=MessageKind.APPLICANT,
            author=operator,
            text=text,
            files=files,
            at=now,
        )
        record_event(
            action="hotline.thread_opened",
            actor_id=operator.pk if operator else None,
            target_type="thread",
            target_id=thread.pk,
            data={
                "channel": channel,
                "urgency": int(urgency),
                "files": len(files),
                "message": str(message.pk),
            },
        )
        receipts.record_receipt(keys=submission, thread=thread, codename=codename_text)
    return NewThread(thread=thread, codename=codename_text)


# --- the applicant's side -------------------------------------------------------------


# Failed look-ups are counted site-wide (without addresses there is no per-person key),
# to notice a flood, never to refuse anyone: a lockout would shut out every returning
# person along with the flood. What a flood costs is bounded by the Argon2id pool.
_LOOKUP_KEY = ("codename-lookup", "site")


def _record_lookup_failure() -> None:
    failures = throttle.record_failure(
        throttle.throttle_key(*_LOOKUP_KEY), window_seconds=settings.CORRIDOR_LOOKUP_WINDOW_SECONDS
    )
    if failures == settings.CORRIDOR_LOOKUP_FAILURE_LIMIT:
        # Once per window; a count, never a codename.
        logger.warning(
            "%d failed codename look-ups in the last %d s: a flood of guesses may be under way",
            failures,
            settings.CORRIDOR_LOOKUP_WINDOW_SECONDS,
        )


@dataclass(frozen=True)
class ApplicantAccess:
    thread: Thread
    private_key: bytes


def find_thread_by_codename(text: str) -> ApplicantAccess | None:
    """One Argon2id call (in the pool: may raise pool.Busy) whether or not the codename exists."""
    try:
        canonical_ok = True
        codename.canonical(text)
    except codename.InvalidCodename:
        canonical_ok = False
    # A codename this server issued goes in the pool's fast lane (once a minute); anything
    # that may be a guess, in the slow one, so a flood of guesses cannot keep a person out.
    tag_key = thread_keys.codename_tag_key()
    lane = (
        pool.Lane(slow=False, token=codename.lane_token(text, tag_key))
        if canonical_ok and codename.has_valid_tag(text, tag_key)
        else pool.SLOW
    )
    # A malformed codename still costs the same derivation, so timing tells nothing.
    derived = pool.derive_codename(
        text if canonical_ok else "0" * codename.DIGITS,
        salt=thread_keys.codename_salt(),
        cost=codename_cost(),
        lane=lane,
    )
    thread = (
        Thread.objects.select_related("conversation_key").filter(lookup_id=derived.lookup_id).first()
        if canonical_ok
        else None
    )
    if thread is None:
        _record_lookup_failure()
        return None
    try:
        thread_keys.conversation_key_for_applicant(thread, derived.keypair.private)
    except thread_keys.ThreadLocked:
        _record_lookup_failure()
        return None
    return ApplicantAccess(thread=thread, private_key=derived.keypair.private)


@transaction.atomic
def add_applicant_message(
    *, thread: Thread, applicant_private: bytes, text: str, files: list[PreparedFile]
) -> Message:
    text = clean_text(text, required=not files)
    conversation_key = thread_keys.conversation_key_for_applicant(thread, applicant_private)
    message = _add_message(
        thread=thread, key=conversation_key, kind=MessageKind.APPLICANT, author=None, text=text, files=files
    )
    updates: dict[str, object] = {"last_applicant_at": message.created_at}
    # A person writing again must be seen, even on a thread someone closed (wrongly, perhaps).
    reopened = thread.status not in OPEN_STATUSES
    if reopened:
        updates["status"] = ThreadStatus.IN_CONVERSATION
    Thread.objects.filter(pk=thread.pk).update(**updates)
    record_event(
        action="hotline.applicant_wrote",
        target_type="thread",
        target_id=thread.pk,
        data={"files": len(files), "reopened": reopened, "message": str(message.pk)},
    )
    return message


# --- the operators' side --------------------------------------------------------------


def _signing_payload(thread: Thread, message_id: uuid.UUID, text: str) -> bytes:
    return (
        b"corridor.reply.v1\x00"
        + str(thread.pk).encode()
        + b"\x00"
        + str(message_id).encode()
        + b"\x00"
        + (text.encode())
    )


def signing_verify_key() -> bytes:
    """The pinned verify key: a signing key row written into the database verifies nothing."""
    return keyring.pinned_public_key(OrgKeyKind.SIGNING)


def verify_reply(thread: Thread, message: Message, text: str, signature: bytes, verify_key: bytes) -> bool:
    return keys.verify(verify_key, _signing_payload(thread, message.pk, text), signature)


@transaction.atomic
def post_reply(*, operator: User, user_private_key: bytes, thread: Thread, text: str) -> Message:
    """A reply the applicant will see, signed with the organisation's signing key."""
    text = clean_text(text, required=True)
    # The signing key first: an operator without it must not open the thread key for nothing.
    signing_seed = keyring.unseal_org_key(
        user=operator, user_private_key=user_private_key, kind=OrgKeyKind.SIGNING
    )
    opened = thread_keys.thread_keys_for_staff(
        user=operator, user_private_key=user_private_key, thread=thread, purpose="reply"
    )
    message_id = uuid.uuid4()
    signature = keys.sign(signing_seed, _signing_payload(thread, message_id, text))
    message = _add_message(
        thread=thread,
        key=opened.conversation,
        kind=MessageKind.REPLY,
        author=operator,
        text=text,
        signature=signature,
        message_id=message_id,
    )
    updates: dict[str, object] = {"staff_read_at": message.created_at}
    if thread.first_response_at is None:
        updates["first_response_at"] = message.created_at
    if thread.status == ThreadStatus.NEW:
        updates["status"] = ThreadStatus.IN_CONVERSATION
    Thread.objects.filter(pk=thread.pk).update(**updates)
    record_event(
        action="hotline.reply_sent",
        actor_id=operator.pk,
        target_type="thread",
        target_id=thread.pk,
        data={"message": str(message.pk)},
    )
    return message


@transaction.atomic
def add_note(*, operator: User, user_private_key: bytes, thread: Thread, text: str) -> Message:
    """An internal note: staff only, never shown to the applicant."""
    text = clean_text(text, required=True)
    opened = thread_keys.thread_keys_for_staff(
        user=operator, user_private_key=user_private_key, thread=thread, purpose="note"
    )
    if opened.staff is None:
        raise thread_keys.ThreadLocked("the case key is not granted to this person")
    # Notes go under the staff key, which the person's codename never opens.
    message = _add_message(thread=thread, key=opened.staff, kind=MessageKind.NOTE, author=operator, text=text)
    record_event(
        action="hotline.note_added",
        actor_id=operator.pk,
        target_type="thread",
        target_id=thread.pk,
        data={"message": str(message.pk)},
    )
    return message


def _locked(thread: Thread) -> Thread:
    """The thread as the database holds it now, locked until the transaction ends."""
    return Thread.objects.select_for_update().get(pk=thread.pk)


@transaction.atomic
def set_status(*, operator: User, thread: Thread, status: str) -> bool:
    """Change the status; the status it already has changes nothing and is not audited."""
    if status not in ThreadStatus.values:
        raise InvalidSubmission(_("Unknown status."))
    before = _locked(thread).status
    if before == status:
        return False
    Thread.objects.filter(pk=thread.pk).update(status=status)
    record_event(
        action="hotline.status_changed",
        actor_id=operator.pk,
        target_type="thread",
        target_id=thread.pk,
        data={"from": before, "to": status},
    )
    return True


def flag_security_concern(*, thread: Thread) -> bool:
    """Mark a thread whose contact details match the blocklist; the blocked case is not named."""
    changed = Thread.objects.filter(pk=thread.pk, security_concern_at__isnull=True).update(
        security_concern_at=_now()
    )
    if changed:
        record_event(action="hotline.security_concern", target_type="thread", target_id=thread.pk)
    return bool(changed)


def mark_case_opened(*, actor: User, thread: Thread) -> None:
    """The thread became a case: it leaves the inbox (a new message from the person reopens it)."""
    before = _locked(thread).status
    Thread.objects.filter(pk=thread.pk).update(status=ThreadStatus.CASE_OPENED)
    record_event(
        action="hotline.status_changed",
        actor_id=actor.pk,
        target_type="thread",
        target_id=thread.pk,
        data={"from": before, "to": ThreadStatus.CASE_OPENED.value},
    )


@transaction.atomic
def set_urgency(*, operator: User, thread: Thread, urgency: int, reason: str) -> bool:
    """Change the urgency for a coded reason; an unanswered thread's deadline follows the new urgency.

    The urgency it already has changes nothing and is not audited. Only the reason's
    code is recorded: an explanation in words belongs in an internal note, encrypted.
    """
    if urgency not in Urgency.values:
        raise InvalidSubmission(_("Unknown urgency."))
    if reason not in UrgencyReason.values:
        raise InvalidSubmission(_("Choose why the urgency changes."))
    current = _locked(thread)
    if current.urgency == urgency:
        return False
    updates: dict[str, object] = {"urgency": urgency}
    if current.first_response_at is None:
        # The deadline counts from when the person first wrote, as at triage.
        updates["first_response_due_at"] = current.created_at + first_response_window(urgency)
    Thread.objects.filter(pk=thread.pk).update(**updates)
    record_event(
        action="hotline.urgency_changed",
        actor_id=operator.pk,
        target_type="thread",
        target_id=thread.pk,
        data={"from": int(current.urgency), "to": int(urgency), "reason": reason},
    )
    return True


@transaction.atomic
def assign_thread(*, operator: User, thread: Thread, assignee: User | None) -> bool:
    """Assign to an operator, or to nobody; the assignment it already has is not audited again."""
    if assignee is not None and not assignee.has_role(Role.OPERATOR):
        raise InvalidSubmission(_("Threads are assigned to operators."))
    if _locked(thread).assigned_to_id == (assignee.pk if assignee else None):
        return False
    Thread.objects.filter(pk=thread.pk).update(assigned_to=assignee)
    record_event(
        action="hotline.assigned",
        actor_id=operator.pk,
        target_type="thread",
        target_id=thread.pk,
        data={"assignee": str(assignee.pk) if assignee else None},
    )
    return True


def mark_read(thread: Thread, *, shown_at: datetime) -> None:
    """Read up to `shown_at`: a message that arrived while the page was built stays unread."""
    Thread.objects.filter(pk=thread.pk).update(staff_read_at=shown_at)


def record_intake(
    *,
    operator: User,
    channel: str,
    contact: str,
    triage: Triage,
    text: str,
    submission: list[receipts.ReceiptKey] | None = None,
) -> NewThread:
    """An operator logs a phone, e-mail or messenger contact; the person gets a codename to come back with."""
    if channel not in (Channel.PHONE, Channel.EMAIL, Channel.MESSENGER):
        raise InvalidSubmission(_("Choose how the person made contact."))
    contact = clean_text(contact, required=False)[:500]
    return open_thread(
        triage=triage,
        text=text,
        files=[],
        channel=channel,
        contact=contact,
        operator=operator,
        submission=submission,
    )
