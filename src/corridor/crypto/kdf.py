"""Argon2id key derivation and password-wrapped secrets.

A password-wrapped blob records its own cost, so raising the cost setting later does
not lock anyone out; the next password change re-wraps at the new cost::

    | version | opslimit u32 | memlimit u64 | salt (16) | nonce (24) | ciphertext + tag |

Version 2 binds an owner context into the associated data (for a staff key: the user's
id and public key), so a wrap copied onto another user's row does not open there.
Version 1 blobs (no context) are still read, for wraps made before; the caller
re-wraps them at the next successful unwrap.
"""

from __future__ import annotations

import struct
import unicodedata
from dataclasses import dataclass

from nacl import bindings, pwhash
from nacl.exceptions import CryptoError as NaclCryptoError
from nacl.utils import random as random_bytes

from corridor.crypto.errors import UnknownFormat, WrongPassword

VERSION = 0x02
LEGACY_VERSION = 0x01
SALT_BYTES = pwhash.argon2id.SALTBYTES
_HEADER = struct.Struct(">BIQ")
_AD = {LEGACY_VERSION: b"corridor.password-wrap.v1", VERSION: b"corridor.password-wrap.v2"}
NONCE_BYTES = bindings.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES


@dataclass(frozen=True)
class Argon2Cost:
    """Argon2id work factors; libsodium always uses one lane."""

    opslimit: int
    memlimit: int

    def __post_init__(self) -> None:
        if self.opslimit < pwhash.argon2id.OPSLIMIT_MIN:
            raise ValueError("Argon2id opslimit below libsodium's minimum")
        if self.memlimit < pwhash.argon2id.MEMLIMIT_MIN:
            raise ValueError("Argon2id memlimit below libsodium's minimum")


# About 0.5 s on one core of a small server; the settings module may override it.
PRODUCTION_COST = Argon2Cost(opslimit=3, memlimit=256 * 1024 * 1024)
# The cost in a blob's header is read before anything authenticates it, so it is
# bounded: a tampered header must not make the server spend minutes or gigabytes.
MAX_OPSLIMIT = 16
MAX_MEMLIMIT = 1024 * 1024 * 1024


def normalise_secret(secret: str) -> bytes:
    """NFKC-normalise a typed secret so the same characters always derive the same key."""
    return unicodedata.normalize("NFKC", secret).encode()


def derive_key(secret: bytes, salt: bytes, cost: Argon2Cost, size: int = 32) -> bytes:
    """Run Argon2id once."""
    if len(salt) != SALT_BYTES:
        raise ValueError("Argon2id salts are 16 bytes")
    return pwhash.argon2id.kdf(size, secret, salt, opslimit=cost.opslimit, memlimit=cost.memlimit)


def owner_context(*parts: bytes) -> bytes:
    """Encode the owner a wrap belongs to unambiguously (each part length-prefixed)."""
    return b"".join(struct.pack(">H", len(p)) + p for p in parts)


def _ad(version: int, header: bytes, context: bytes) -> bytes:
    return header + _AD[version] + (context if version == VERSION else b"")


def wrap_with_password(secret: bytes, password: str, cost: Argon2Cost, *, context: bytes) -> bytes:
    """Encrypt `secret` under a key derived from `password`, bound to `context` (its owner)."""
    salt = random_bytes(SALT_BYTES)
    nonce = random_bytes(NONCE_BYTES)
    kek = derive_key(normalise_secret(password), salt, cost)
    header = _HEADER.pack(VERSION, cost.opslimit, cost.memlimit)
    ct = bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(
        secret, _ad(VERSION, header, context), nonce, kek
    )
    return header + salt + nonce + ct


def wrap_version(blob: bytes) -> int:
    """The format version of a password-wrapped blob (1: made before owner binding)."""
    version, _ops, _mem = _parse(blob)
    return version


def wrapped_cost(blob: bytes) -> Argon2Cost:
    """Return the cost a password-wrapped blob was made with."""
    _version, ops, mem = _parse(blob)
    return Argon2Cost(opslimit=ops, memlimit=mem)


def unwrap_with_password(blob: bytes, password: str, *, context: bytes) -> bytes:
    """Return the wrapped secret, or raise WrongPassword (also when `context` is not its owner)."""
    version, ops, mem = _parse(blob)
    offset = _HEADER.size
    salt = blob[offset : offset + SALT_BYTES]
    nonce = blob[offset + SALT_BYTES : offset + SALT_BYTES + NONCE_BYTES]
    ct = blob[offset + SALT_BYTES + NONCE_BYTES :]
    kek = derive_key(normalise_secret(password), salt, Argon2Cost(opslimit=ops, memlimit=mem))
    try:
        return bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(
            ct, _ad(version, blob[:offset], context), nonce, kek
        )
    except NaclCryptoError as exc:
        raise WrongPassword("password does not unwrap this key") from exc


def _parse(blob: bytes) -> tuple[int, int, int]:
    if len(blob) < _HEADER.size + SALT_BYTES + NONCE_BYTES + 16:
        raise WrongPassword("wrapped key too short")
    version, ops, mem = _HEADER.unpack_from(blob)
    if version not in _AD:
        raise UnknownFormat(f"unknown password-wrap version {version}")
    if not (
        pwhash.argon2id.OPSLIMIT_MIN <= ops <= MAX_OPSLIMIT
        and pwhash.argon2id.MEMLIMIT_MIN <= mem <= MAX_MEMLIMIT
    ):
        raise UnknownFormat("password-wrap cost outside the accepted range")
    return version, ops, mem
