"""Hashing rules of the audit chain, shared by appending and verifying."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

from django.conf import settings

GENESIS = "0" * 64


def chain_key() -> bytes:
    """The HMAC key of the chain: a separate secret if set, else derived from SECRET_KEY.

    Keying the chain means that someone who can write to the database but has not read
    the server's configuration cannot rewrite history and recompute valid hashes.
    """
    explicit = getattr(settings, "CORRIDOR_AUDIT_KEY", "")
    base = explicit or settings.SECRET_KEY
    return hashlib.sha256(b"corridor.audit-chain.v1" + base.encode()).digest()


def entry_hash(
    *,
    seq: int,
    at: datetime,
    actor_id: str | None,
    action: str,
    target_type: str,
    target_id: str,
    data: dict[str, Any],
    prev_hash: str,
) -> str:
    """HMAC-SHA256 over a canonical JSON encoding of the entry and its predecessor's hash."""
    body = json.dumps(
        {
            "seq": seq,
            "at": at.isoformat(timespec="microseconds"),
            "actor": actor_id,
            "action": action,
            "target_type": target_type,
            "target_id": target_id,
            "data": data,
            "prev": prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return hmac.new(chain_key(), body.encode(), hashlib.sha256).hexdigest()
