"""Checking every evidence item without any documenter's key: what `corridor evidence verify` runs.

Without the collection key nothing can be decrypted, so the check is what the plain
columns and the stored ciphertext allow: each stored file against the SHA-256 and size
taken at receipt, each custody chain link by link (sequence, link to the previous
entry, the entry's own hash, the file hash it names), the chain's head against its MAC
under the configuration's chain key, and each copy against its parent by hash. The
SHA-256 of the bytes as received is sealed with the file, and is checked each time a
documenter opens it.

The audit log anchors the items themselves: every item taken in has its `evidence.received`
event, naming the item and its first custody entry's hash. Corridor never deletes an
evidence item, so an item named there that no longer exists was removed behind its back
(its row, its custody log and its file), and an item without that event, or whose first
entry is not the one the event names, was put in or rewritten outside Corridor.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from corridor.audit.models import AuditEvent
from corridor.documentation.evidence import custody
from corridor.documentation.evidence.models import CustodyAction, CustodyEntry, EvidenceItem

READ_CHUNK = 256 * 1024


@dataclass(frozen=True)
class Problem:
    item: str  # the item's code
    text: str

    def __str__(self) -> str:
        return f"{self.item}: {self.text}"


def _stored_file_problems(item: EvidenceItem) -> Iterator[str]:
    digest = hashlib.sha256()
    size = 0
    try:
        with default_storage.open(item.blob, "rb") as handle:
            for piece in iter(lambda: handle.read(READ_CHUNK), b""):
                digest.update(piece)
                size += len(piece)
    except OSError:
        yield _("the stored file %(name)s is missing") % {"name": item.blob}
        return
    if digest.hexdigest() != item.blob_sha256 or size != item.blob_size:
        yield _("the stored file does not match the hash taken when it was received")


def _chain_problems(item: EvidenceItem, entries: list[CustodyEntry]) -> Iterator[str]:
    if not entries:
        yield _("the custody log is empty")
        return
    if entries[0].seq != 1 or entries[0].action != CustodyAction.RECEIVED:
        yield _("the custody log does not begin with the file's receipt")
    expected_seq = 1
    prev_hash = custody.GENESIS
    for entry in entries:
        if entry.seq != expected_seq:
            yield _("custody entry #%(seq)d is missing or out of place") % {"seq": expected_seq}
        if entry.prev_hash != prev_hash:
            yield _("custody entry #%(seq)d does not follow the entry before it") % {"seq": entry.seq}
        if custody.hash_of(entry) != entry.hash:
            yield _("custody entry #%(seq)d was changed after it was written") % {"seq": entry.seq}
        if entry.file_hash != item.blob_sha256:
            yield _("custody entry #%(seq)d names another file than the one received") % {"seq": entry.seq}
        expected_seq = entry.seq + 1
        prev_hash = entry.hash
    last = entries[-1]
    if not custody.head_mac_valid(item, seq=last.seq, digest=last.hash):
        yield _("the custody log's last entry fails its MAC: entries were cut off or rewritten")


def _derivative_problems(item: EvidenceItem, made: dict[str, set[str]]) -> Iterator[str]:
    parent = item.parent
    if parent is None:
        return
    if item.parent_hash != parent.blob_sha256:
        yield _("it no longer matches its parent %(code)s by hash") % {"code": parent.code}
    if item.blob_sha256 not in made.get(str(item.pk), set()):
        yield _("its parent %(code)s's custody log does not record making it") % {"code": parent.code}


@dataclass(frozen=True)
class Receipt:
    """An item's `evidence.received` audit event: its number, time and the first custody entry's hash."""

    seq: int
    at: datetime
    custody: str


def _receipts() -> dict[str, Receipt]:
    """Every item the audit log says was taken in, by the item's id."""
    receipts: dict[str, Receipt] = {}
    events = AuditEvent.objects.filter(action="evidence.received", target_type="evidence").order_by("seq")
    for seq, at, target_id, data in events.values_list("seq", "at", "target_id", "data").iterator():
        custody_hash = data.get("custody", "") if isinstance(data, dict) else ""
        receipts.setdefault(_item_id(target_id), Receipt(seq, at, str(custody_hash)))
    return receipts


def _item_id(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return value


def _receipt_problems(receipt: Receipt | None, entries: list[CustodyEntry]) -> Iterator[str]:
    if receipt is None:
        yield _("the audit log has no record of it being received: it was added outside Corridor")
    elif entries and entries[0].seq == 1 and entries[0].hash != receipt.custody:
        yield _(
            "its first custody entry is not the one the audit log recorded when it was received "
            "(audit event #%(seq)d)"
        ) % {"seq": receipt.seq}


def _missing(item_id: str, receipt: Receipt) -> Problem:
    return Problem(
        item_id,
        _(
            "received on %(date)s (audit event #%(seq)d), but the item no longer exists: it was deleted "
            "outside Corridor"
        )
        % {"date": receipt.at.date().isoformat(), "seq": receipt.seq},
    )


def verify_all(*, batch_size: int = 500) -> tuple[int, list[Problem]]:
    """How many items were checked, and every problem found (empty when all holds)."""
    problems: list[Problem] = []
    checked = 0
    receipts = _receipts()
    items = EvidenceItem.objects.select_related("parent").order_by("created_at", "pk")
    for item in items.iterator(chunk_size=batch_size):
        checked += 1
        entries = list(CustodyEntry.objects.filter(item=item).order_by("seq", "pk"))
        # The derivatives this item's own log says it made: derivative id -> their stored hashes.
        made: dict[str, set[str]] = {}
        if item.parent_id is not None:
            for entry in CustodyEntry.objects.filter(
                item_id=item.parent_id, action=CustodyAction.DERIVATIVE_MADE
            ):
                made.setdefault(str(entry.detail.get("derivative", "")), set()).add(
                    str(entry.detail.get("derivative_hash", ""))
                )
        for text in (
            *_stored_file_problems(item),
            *_chain_problems(item, entries),
            *_derivative_problems(item, made),
            *_receipt_problems(receipts.pop(str(item.pk), None), entries),
        ):
            problems.append(Problem(item.code, text))
    # What is left was received and is gone.
    problems.extend(_missing(item_id, receipt) for item_id, receipt in receipts.items())
    return checked, problems
