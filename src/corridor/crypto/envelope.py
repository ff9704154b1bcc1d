"""Versioned AEAD envelopes for individual database fields.

Layout of an envelope (all integers big-endian)::

    0      1            5                 29
    | 0x01 | key version | nonce (24 bytes) | XChaCha20-Poly1305 ciphertext + tag |

The associated data binds the envelope to one field of one row of one model and to
the key version, so a ciphertext copied to another row, field or model, or relabelled
with another key version, fails authentication instead of decrypting.
"""

from __future__ import annotations

import struct

from nacl import bindings
from nacl.exceptions import CryptoError as NaclCryptoError
from nacl.utils import random as random_bytes

from corridor.crypto.errors import DecryptionFailed, UnknownFormat

VERSION = 0x01
KEY_BYTES = bindings.crypto_aead_xchacha20poly1305_ietf_KEYBYTES
NONCE_BYTES = bindings.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
_HEADER = struct.Struct(">BI")
_AD_LABEL = b"corridor.field.v1"


def generate_key() -> bytes:
    """Return a fresh random 32-byte data-encryption key."""
    return random_bytes(KEY_BYTES)


def associated_data(*, model: str, row: str, field: str, key_version: int) -> bytes:
    """Encode the binding context unambiguously (each part length-prefixed)."""
    parts = [_AD_LABEL, model.encode(), row.encode(), field.encode(), str(key_version).encode()]
    return b"".join(struct.pack(">H", len(p)) + p for p in parts)


def seal_field(
    key: bytes,
    plaintext: bytes,
    *,
    model: str,
    row: str,
    field: str,
    key_version: int = 1,
    nonce: bytes | None = None,
) -> bytes:
    """Encrypt one field value; `nonce` is for known-answer tests only."""
    if len(key) != KEY_BYTES:
        raise ValueError("field keys are 32 bytes")
    nonce = random_bytes(NONCE_BYTES) if nonce is None else nonce
    if len(nonce) != NONCE_BYTES:
        raise ValueError("nonces are 24 bytes")
    header = _HEADER.pack(VERSION, key_version)
    ad = associated_data(model=model, row=row, field=field, key_version=key_version)
    ct = bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, header + ad, nonce, key)
    return header + nonce + ct


def envelope_key_version(envelope: bytes) -> int:
    """Return the key version an envelope claims, so the caller can pick the key."""
    _version, key_version = _parse_header(envelope)
    return key_version


def open_field(key: bytes, envelope: bytes, *, model: str, row: str, field: str) -> bytes:
    """Decrypt one field value, or raise DecryptionFailed."""
    _version, key_version = _parse_header(envelope)
    header = envelope[: _HEADER.size]
    nonce = envelope[_HEADER.size : _HEADER.size + NONCE_BYTES]
    ct = envelope[_HEADER.size + NONCE_BYTES :]
    ad = associated_data(model=model, row=row, field=field, key_version=key_version)
    try:
        return bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(ct, header + ad, nonce, key)
    except NaclCryptoError as exc:
        raise DecryptionFailed("field envelope does not authenticate") from exc


def _parse_header(envelope: bytes) -> tuple[int, int]:
    if len(envelope) < _HEADER.size + NONCE_BYTES + 16:
        raise DecryptionFailed("envelope too short")
    version, key_version = _HEADER.unpack_from(envelope)
    if version != VERSION:
        raise UnknownFormat(f"unknown envelope version {version}")
    return version, key_version
