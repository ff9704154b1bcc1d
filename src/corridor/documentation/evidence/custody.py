"""The custody chain of an evidence item: appending links and checking them.

Each entry's hash is SHA-256 over a canonical encoding of the item, its sequence number,
time, actor, action, the stored file's hash, its details and the previous entry's hash:
anyone given the log (a court, with a legal package) can recompute it without any key.
A chain rewritten from the start would still be consistent, so the item row also keeps
a MAC of the last entry under the configuration's chain key (the audit log's): without
that key nobody can cut entries off the end or rewrite the chain unnoticed.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime
from typing import Any

from django.utils.crypto import constant_time_compare, salted_hmac

from corridor.audit.chain import chain_secret
from corridor.documentation.evidence.models import CustodyEntry, EvidenceItem

GENESIS = "0" * 64


def entry_hash(
    *,
    item_id: str,
    seq: int,
    at: datetime,
    actor_id: str,
    action: str,
    file_hash: str,
    detail: dict[str, Any],
    prev_hash: str,
) -> str:
    body = json.dumps(
        {
            "item": item_id,
            "seq": seq,
            "at": at.isoformat(timespec="microseconds"),
            "actor": actor_id,
            "action": action,
            "file": file_hash,
            "detail": detail,
            "prev": prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return hashlib.sha256(b"corridor.evidence-custody.v1\n" + body.encode()).hexdigest()


def hash_of(entry: CustodyEntry) -> str:
    """What the entry's hash should be, from its stored columns."""
    return entry_hash(
        item_id=str(entry.item_id),
        seq=entry.seq,
        at=entry.at,
        actor_id=str(entry.actor_id or ""),
        action=entry.action,
        file_hash=entry.file_hash,
        detail=entry.detail,
        prev_hash=entry.prev_hash,
    )


def head_mac(*, item_id: str, seq: int, digest: str) -> str:
    return salted_hmac(
        "corridor.evidence-custody-head.v1",
        f"{item_id}:{seq}:{digest}",
        secret=chain_secret(),
        algorithm="sha256",
    ).hexdigest()


def head_mac_valid(item: EvidenceItem, *, seq: int, digest: str) -> bool:
    return constant_time_compare(head_mac(item_id=str(item.pk), seq=seq, digest=digest), item.custody_mac)


def append(
    *,
    item: EvidenceItem,
    actor_id: uuid.UUID | None,
    action: str,
    at: datetime,
    detail: dict[str, Any] | None = None,
) -> CustodyEntry:
    """The next link of the item's chain; the caller holds the item's row lock (or just created it)."""
    last = CustodyEntry.objects.filter(item=item).order_by("-seq").first()
    seq = last.seq + 1 if last else 1
    entry = CustodyEntry(
        item=item,
        seq=seq,
        at=at,
        actor_id=actor_id or None,
        action=action,
        file_hash=item.blob_sha256,
        detail=dict(detail or {}),
        prev_hash=last.hash if last else GENESIS,
    )
    entry.hash = hash_of(entry)
    entry.save(force_insert=True)
    item.custody_mac = head_mac(item_id=str(item.pk), seq=seq, digest=entry.hash)
    EvidenceItem.objects.filter(pk=item.pk).update(custody_mac=item.custody_mac)
    return entry
