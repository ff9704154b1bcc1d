"""The sealed part of an evidence item, under its collection's key, bound to the row's plain columns.

`meta` holds the file key (a fresh random key per item: the stored file is secretstream
ciphertext under it), the name, type and size as received, the SHA-256 of the bytes as
received and, for a copy, its parent's SHA-256. The envelope binds the model, the row
id, the key version and every plain column that says what the file is or where it
belongs (collection, event, statement, code, kind, origin, parent and the parent's hash,
the storage name and the stored file's hash and size): a database write that moves an
item to another event, turns a copy into an original or points it at another stored
file makes the envelope fail to open.
"""

from __future__ import annotations

from typing import Any

from corridor.documentation.evidence.models import EvidenceItem
from corridor.hotline import keys as envelopes

MODEL = "evidence.EvidenceItem"
BOUND = (
    "collection_id",
    "event_id",
    "information_id",
    "code",
    "kind",
    "origin",
    "parent_id",
    "parent_hash",
    "blob",
    "blob_sha256",
    "blob_size",
)


def context_of(item: EvidenceItem) -> dict[str, str]:
    return {name: str(getattr(item, name) or "") for name in BOUND}


def seal_meta(key: bytes, version: int, item: EvidenceItem, meta: dict[str, Any]) -> bytes:
    return envelopes.seal_json(
        key, meta, model=MODEL, row=str(item.pk), field="meta", version=version, context=context_of(item)
    )


def open_meta(key: bytes, item: EvidenceItem) -> dict[str, Any]:
    return envelopes.open_json(
        key, bytes(item.meta), model=MODEL, row=str(item.pk), field="meta", context=context_of(item)
    )
