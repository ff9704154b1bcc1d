"""Hashing rules of the audit chain, shared by appending and verifying."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

GENESIS = "0" * 64


def chain_secret() -> str:
    """The chain's secret: CORRIDOR_AUDIT_KEY if set, else SECRET_KEY.

    Keying the chain means that someone who can write to the database but has not read
    the server's configuration cannot rewrite history and recompute valid hashes.
    """
    return settings.CORRIDOR_AUDIT_KEY or settings.SECRET_KEY


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
    # Django's salted_hmac: HMAC-SHA256 under SHA-256(salt ‖ secret).
    return salted_hmac("corridor.audit-chain.v1", body, secret=chain_secret(), algorithm="sha256").hexdigest()


def head_mac(*, seq: int, digest: str) -> str:
    """HMAC-SHA256 over the head's sequence number and hash, under the chain key.

    Its own salt gives it a key of its own, so no entry hash can ever pass for a head MAC
    or the reverse. Without the chain key, nobody can move the head back to an earlier
    entry after cutting the entries behind it.
    """
    return salted_hmac(
        "corridor.audit-head.v1", f"{seq}:{digest}", secret=chain_secret(), algorithm="sha256"
    ).hexdigest()


def head_mac_valid(*, seq: int, digest: str, mac: str) -> bool:
    """Whether a stored head MAC matches its sequence number and hash (constant time)."""
    return constant_time_compare(head_mac(seq=seq, digest=digest), mac)
