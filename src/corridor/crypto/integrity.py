"""MACs over security rows and key commitments, under a key held in configuration.

A database writer who has not read the server's configuration cannot compute these, so
a row they changed or inserted (a public key, a password wrap, a role, a wrapped key)
fails its check instead of being trusted::

    tag = HMAC-SHA256(key, len ‖ label ‖ len ‖ part 1 ‖ … ‖ len ‖ part n)

Each part is length-prefixed (u32, big-endian), so no two different lists of parts
encode alike.
"""

from __future__ import annotations

import hashlib
import hmac
import struct

TAG_BYTES = 32


def derive_integrity_key(base: bytes) -> bytes:
    """The MAC key, domain-separated from every other use of the same configuration secret."""
    return hashlib.sha256(b"corridor.integrity-key.v1\x00" + base).digest()


def _encode(label: str, parts: tuple[bytes | str | int, ...]) -> bytes:
    out = [label.encode()]
    for part in parts:
        if isinstance(part, bool):
            out.append(b"\x01" if part else b"\x00")
        elif isinstance(part, int):
            out.append(str(part).encode())
        elif isinstance(part, str):
            out.append(part.encode())
        else:
            out.append(bytes(part))
    return b"".join(struct.pack(">I", len(p)) + p for p in out)


def row_tag(key: bytes, label: str, *parts: bytes | str | int) -> bytes:
    """The 32-byte MAC of one row's security-relevant columns."""
    if len(key) != 32:
        raise ValueError("integrity keys are 32 bytes")
    return hmac.new(key, _encode(label, parts), hashlib.sha256).digest()


def row_tag_ok(key: bytes, tag: bytes, label: str, *parts: bytes | str | int) -> bool:
    """Whether `tag` is the MAC of these parts (constant-time comparison)."""
    return hmac.compare_digest(bytes(tag), row_tag(key, label, *parts))
