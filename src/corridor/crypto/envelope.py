"""Versioned AEAD envelopes for individual database fields.

Layout of an envelope (all integers big-endian)::

    0         1            5                 29
    | version | key version | nonce (24 bytes) | XChaCha20-Poly1305 ciphertext + tag |

Version 2 (written today) pads the plaintext to a size bucket and binds, besides the
model, row, field and key version, a context of plain columns that change what the
plaintext means or who sees it (a message's kind, author and thread). Version 1 (no
padding, no context) is still read where a caller accepts it, for rows written before.
A ciphertext copied to another row, field or model, relabelled with another key
version, or left in place while a bound column was changed, fails authentication.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping

from nacl import bindings
from nacl.exceptions import CryptoError as NaclCryptoError
from nacl.utils import random as random_bytes

from corridor.crypto.errors import DecryptionFailed, UnknownFormat

VERSION = 0x02
LEGACY_VERSION = 0x01
KEY_BYTES = bindings.crypto_aead_xchacha20poly1305_ietf_KEYBYTES
NONCE_BYTES = bindings.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
TAG_BYTES = 16
_HEADER = struct.Struct(">BI")
_LABELS = {LEGACY_VERSION: b"corridor.field.v1", VERSION: b"corridor.field.v2"}
# Every padded plaintext is at least this long, so short values ("yes", a region) all
# look alike; above it the Padmé rule leaks only O(log log n) bits of the length.
MIN_PADDED = 256


def generate_key() -> bytes:
    """Return a fresh random 32-byte data-encryption key."""
    return random_bytes(KEY_BYTES)


def padded_length(length: int) -> int:
    """The bucket a plaintext of `length` bytes (plus its one-byte pad marker) is padded to.

    Padmé (Nikitin et al., "Reducing metadata leakage from encrypted files and
    communication with PURBs", 2019): keep the exponent's significant bits and round
    the rest up, so the overhead stays under 12 % above the minimum bucket.
    """
    total = length + 1
    if total <= MIN_PADDED:
        return MIN_PADDED
    exponent = total.bit_length() - 1
    significant = exponent.bit_length()
    mask = (1 << (exponent - significant)) - 1
    return (total + mask) & ~mask


def pad(plaintext: bytes) -> bytes:
    """ISO/IEC 7816-4 padding (0x80 then zeros) up to the plaintext's bucket."""
    return plaintext + b"\x80" + b"\x00" * (padded_length(len(plaintext)) - len(plaintext) - 1)


def unpad(padded: bytes) -> bytes:
    """Remove the padding; it sits inside the authenticated plaintext, so it cannot be forged."""
    stripped = padded.rstrip(b"\x00")
    if not stripped.endswith(b"\x80"):
        raise DecryptionFailed("field padding is malformed")
    return stripped[:-1]


def associated_data(
    *,
    model: str,
    row: str,
    field: str,
    key_version: int,
    context: Mapping[str, str] | None = None,
    version: int = VERSION,
) -> bytes:
    """Encode the binding context unambiguously (each part length-prefixed, context sorted by name)."""
    parts = [_LABELS[version], model.encode(), row.encode(), field.encode(), str(key_version).encode()]
    if version >= VERSION:
        for name in sorted(context or {}):
            parts.extend([name.encode(), str((context or {})[name]).encode()])
    return b"".join(struct.pack(">H", len(p)) + p for p in parts)


def seal_field(
    key: bytes,
    plaintext: bytes,
    *,
    model: str,
    row: str,
    field: str,
    key_version: int = 1,
    context: Mapping[str, str] | None = None,
    nonce: bytes | None = None,
) -> bytes:
    """Encrypt one field value, padded; `nonce` is for known-answer tests only."""
    if len(key) != KEY_BYTES:
        raise ValueError("field keys are 32 bytes")
    nonce = random_bytes(NONCE_BYTES) if nonce is None else nonce
    if len(nonce) != NONCE_BYTES:
        raise ValueError("nonces are 24 bytes")
    header = _HEADER.pack(VERSION, key_version)
    ad = associated_data(model=model, row=row, field=field, key_version=key_version, context=context)
    ct = bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(pad(plaintext), header + ad, nonce, key)
    return header + nonce + ct


def envelope_key_version(envelope: bytes) -> int:
    """Return the key version an envelope claims, so the caller can pick the key."""
    _version, key_version = _parse_header(envelope)
    return key_version


def envelope_version(envelope: bytes) -> int:
    """Return the envelope format version (1: before padding and context binding)."""
    version, _key_version = _parse_header(envelope)
    return version


def open_field(
    key: bytes,
    envelope: bytes,
    *,
    model: str,
    row: str,
    field: str,
    context: Mapping[str, str] | None = None,
    accept_legacy: bool = False,
) -> bytes:
    """Decrypt one field value, or raise DecryptionFailed.

    A version-1 envelope binds no context, so it is refused unless the caller says the
    row predates version 2 (`accept_legacy`): otherwise a database writer could put an
    old-format envelope where a bound one is expected.
    """
    version, key_version = _parse_header(envelope)
    if version == LEGACY_VERSION and not accept_legacy:
        raise DecryptionFailed("an envelope of the old format where a bound one is required")
    header = envelope[: _HEADER.size]
    nonce = envelope[_HEADER.size : _HEADER.size + NONCE_BYTES]
    ct = envelope[_HEADER.size + NONCE_BYTES :]
    ad = associated_data(
        model=model, row=row, field=field, key_version=key_version, context=context, version=version
    )
    try:
        plaintext = bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(ct, header + ad, nonce, key)
    except NaclCryptoError as exc:
        raise DecryptionFailed("field envelope does not authenticate") from exc
    return plaintext if version == LEGACY_VERSION else unpad(plaintext)


def _parse_header(envelope: bytes) -> tuple[int, int]:
    if len(envelope) < _HEADER.size + NONCE_BYTES + TAG_BYTES:
        raise DecryptionFailed("envelope too short")
    version, key_version = _HEADER.unpack_from(envelope)
    if version not in _LABELS:
        raise UnknownFormat(f"unknown envelope version {version}")
    return version, key_version
