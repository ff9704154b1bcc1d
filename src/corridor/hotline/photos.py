"""The staff's copy of a photo, made after the person's request has been answered.

Removing a photo's metadata means decoding its pixels and encoding them again: tens of
milliseconds for a phone's photo, which a frightened person on a slow connection should not
wait for. So the request only checks the photo (uploads.photo_copy_type), seals the
original to the evidence key, chooses the copy's key, seals it with the attachment's
description under the conversation key, and answers. The copy is then made by a thread of
the same web process, from the plaintext the request already held in memory: no key and no
plaintext is handed to another process or written anywhere. The row's `view_state` says
whether the copy exists yet.

If the process dies first (killed, out of memory, restarted), the copy is never made: the
worker's sweep marks such rows "could not be made" after `ABANDONED_AFTER`, and someone
holding the evidence key makes the copy again from the original (`remake_copy`).

The queue is bounded: when more photos wait than `CORRIDOR_PHOTO_QUEUE_BYTES` allows, the
request makes its copies itself, as it did before, rather than holding more plaintext.
With `CORRIDOR_PHOTO_COPIES_IN_BACKGROUND` off, every request makes its copies itself.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import close_old_connections, connections, transaction
from django.tasks import task
from django.utils.translation import gettext as _

from corridor.accounts import keyring
from corridor.accounts.integrity import IntegrityFailure
from corridor.accounts.models import OrgKeyKind, User
from corridor.audit.services import record_event
from corridor.crypto.errors import CryptoError
from corridor.crypto.files import encrypt_bytes
from corridor.hotline import keys as thread_keys
from corridor.hotline.models import Attachment, CopyState, ThreadLayout
from corridor.hotline.uploads import UploadRejected, strip_image

logger = logging.getLogger("corridor.hotline")

# Far beyond any queue: a copy takes tens of milliseconds, so a row still "being prepared"
# after this long belongs to a process that died.
ABANDONED_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class CopyJob:
    """One photo's copy to make: where it goes, under which key, from which plaintext."""

    attachment_id: str
    blob_name: str
    key: bytes
    plaintext: bytes


class _Queue:
    """One background thread per web process, and the plaintext bytes waiting for it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid = 0
        self._executor: ThreadPoolExecutor | None = None
        self._pending: set[Future[None]] = set()
        self._pending_bytes = 0

    def _executor_here(self) -> ThreadPoolExecutor:
        # A process forked from one that had started the thread inherits no thread: start anew.
        if self._executor is None or self._pid != os.getpid():
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="photo-copies")
            self._pid = os.getpid()
            self._pending, self._pending_bytes = set(), 0
        return self._executor

    def offer(self, jobs: list[CopyJob]) -> bool:
        """Queue the jobs if there is room for their plaintext; False leaves them to the caller."""
        size = sum(len(job.plaintext) for job in jobs)
        with self._lock:
            if self._pending_bytes + size > settings.CORRIDOR_PHOTO_QUEUE_BYTES:
                return False
            executor = self._executor_here()
            self._pending_bytes += size
            for job in jobs:
                future = executor.submit(_run_in_background, job)
                self._pending.add(future)
                future.add_done_callback(partial(self._done, size=len(job.plaintext)))
        return True

    def _done(self, future: Future[None], *, size: int) -> None:
        with self._lock:
            self._pending.discard(future)
            self._pending_bytes -= size

    def wait(self) -> None:
        """Until every queued copy is made (for shutdown, benchmarks and tests)."""
        with self._lock:
            pending = list(self._pending)
        for future in pending:
            future.result()


_queue = _Queue()


def make_copy(job: CopyJob) -> str:
    """Strip, encrypt and store one copy; record whether it exists. Returns the new state."""
    try:
        stripped = strip_image(job.plaintext)
    except UploadRejected:
        # Passed the request's checks but does not decode: the original is kept as evidence.
        Attachment.objects.filter(pk=job.attachment_id, view_state=CopyState.PREPARING).update(
            view_state=CopyState.FAILED
        )
        return CopyState.FAILED
    name = default_storage.save(job.blob_name, ContentFile(encrypt_bytes(job.key, stripped.data)))
    Attachment.objects.filter(pk=job.attachment_id).exclude(view_state=CopyState.READY).update(
        view_state=CopyState.READY, stripped_blob=name
    )
    return CopyState.READY


def _run_in_background(job: CopyJob) -> None:
    close_old_connections()
    try:
        make_copy(job)
    except Exception:
        # Left "being prepared"; the sweep marks it, and the original remains.
        logger.exception("a photo's copy could not be made")
    finally:
        connections.close_all()


def schedule(jobs: list[CopyJob]) -> None:
    """Make the copies once the rows are committed: in the background when allowed, else now.

    Called inside the request's transaction. Without background copies (or with a full
    queue), the copies are made at once, inside the transaction, as before.
    """
    if not jobs:
        return
    if settings.CORRIDOR_PHOTO_COPIES_IN_BACKGROUND:

        def start() -> None:
            if not _queue.offer(jobs):
                for job in jobs:
                    make_copy(job)

        transaction.on_commit(start)
        return
    for job in jobs:
        make_copy(job)


def wait() -> None:
    """Until this process has made every copy it queued."""
    _queue.wait()


def effective_state(attachment: Attachment, *, now: datetime | None = None) -> str:
    """The copy's state as staff should see it: "being prepared" for too long means not made."""
    now = now or datetime.now(UTC)
    if attachment.view_state == CopyState.PREPARING and attachment.created_at < now - ABANDONED_AFTER:
        return CopyState.FAILED
    return attachment.view_state


def mark_abandoned(*, now: datetime | None = None) -> int:
    """Rows still "being prepared" long after their request: their process died. Marked, not deleted."""
    now = now or datetime.now(UTC)
    stale = Attachment.objects.filter(view_state=CopyState.PREPARING, created_at__lt=now - ABANDONED_AFTER)
    marked = 0
    for attachment in stale.only("pk", "thread_id"):
        if Attachment.objects.filter(pk=attachment.pk, view_state=CopyState.PREPARING).update(
            view_state=CopyState.FAILED
        ):
            record_event(
                action="hotline.photo_copy_abandoned",
                target_type="thread",
                target_id=attachment.thread_id,
                data={"attachment": str(attachment.pk)},
            )
            marked += 1
    if marked:
        logger.info("marked %d photo cop(ies) whose process stopped first", marked)
    return marked


@task
def mark_abandoned_copies() -> None:
    """The periodic job: copies whose process died are marked, so staff can have them made again."""
    mark_abandoned()


class RemakeRefused(Exception):
    """The copy cannot be made again; the message is safe to show to staff."""


def remake_copy(
    *, actor: User, user_private_key: bytes, attachment: Attachment, conversation_key: bytes
) -> str:
    """Make the copy again from the original, for a holder of the evidence key (audited).

    The original's key is opened with the evidence key, the original checked against the
    hash taken when it arrived, and the copy written under the key already sealed in the
    attachment's description. Returns the new state ("ready", or "failed" if the
    original's pixels do not decode either).
    """
    if effective_state(attachment) != CopyState.FAILED:
        return attachment.view_state
    try:
        evidence_private = keyring.unseal_org_key(
            user=actor, user_private_key=user_private_key, kind=OrgKeyKind.EVIDENCE
        )
    except keyring.KeyUnavailable:
        raise RemakeRefused(
            _("Only a holder of the evidence key can make the copy again from the original.")
        ) from None
    try:
        data, sha256 = thread_keys.read_original(
            reader=actor, evidence_private=evidence_private, attachment=attachment
        )
        meta = thread_keys.open_json(
            conversation_key,
            bytes(attachment.meta),
            model="hotline.Attachment",
            row=str(attachment.pk),
            field="meta",
            context=thread_keys.attachment_context(attachment),
            legacy=attachment.thread.layout == ThreadLayout.LEGACY,
        )
        view_key = base64.b64decode(meta["view_key"])
    except (CryptoError, IntegrityFailure, OSError, ValueError, KeyError):
        raise RemakeRefused(_("The original of this file cannot be opened.")) from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise RemakeRefused(_("The original no longer matches the hash recorded when it arrived."))
    Attachment.objects.filter(pk=attachment.pk).update(view_state=CopyState.PREPARING)
    state = make_copy(
        CopyJob(
            attachment_id=str(attachment.pk),
            blob_name=f"hotline/{attachment.pk}.view",
            key=view_key,
            plaintext=data,
        )
    )
    record_event(
        action="hotline.photo_copy_remade",
        actor_id=actor.pk,
        target_type="thread",
        target_id=attachment.thread_id,
        data={"attachment": str(attachment.pk), "state": state},
    )
    return state
