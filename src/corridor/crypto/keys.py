"""X25519 sealing, Ed25519 signatures and the split-key session unlock."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from nacl import bindings
from nacl.exceptions import BadSignatureError
from nacl.exceptions import CryptoError as NaclCryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.signing import SigningKey, VerifyKey
from nacl.utils import random as random_bytes

from corridor.crypto.errors import DecryptionFailed

KEY_BYTES = 32
_SESSION_AD = b"corridor.session-unlock.v1"


@dataclass(frozen=True)
class KeyPair:
    """Raw X25519 key pair bytes."""

    private: bytes
    public: bytes


def generate_keypair() -> KeyPair:
    """Return a fresh X25519 key pair."""
    sk = PrivateKey.generate()
    return KeyPair(private=bytes(sk), public=bytes(sk.public_key))


def keypair_from_seed(seed: bytes) -> KeyPair:
    """Derive an X25519 key pair deterministically from a 32-byte seed."""
    sk = PrivateKey.from_seed(seed)
    return KeyPair(private=bytes(sk), public=bytes(sk.public_key))


def public_key_of(private: bytes) -> bytes:
    """Return the X25519 public key for a private key."""
    return bytes(PrivateKey(private).public_key)


def seal_to(public: bytes, secret: bytes) -> bytes:
    """Anonymously encrypt `secret` so only the holder of `public`'s private key opens it."""
    return bytes(SealedBox(PublicKey(public)).encrypt(secret))


def unseal(private: bytes, sealed: bytes) -> bytes:
    """Open a sealed box, or raise DecryptionFailed."""
    try:
        return bytes(SealedBox(PrivateKey(private)).decrypt(sealed))
    except NaclCryptoError as exc:
        raise DecryptionFailed("sealed box does not open with this key") from exc


def generate_signing_seed() -> bytes:
    """Return a fresh Ed25519 seed (the private half of a signing key)."""
    return random_bytes(KEY_BYTES)


def verify_key_of(signing_seed: bytes) -> bytes:
    """Return the Ed25519 public key for a seed."""
    return bytes(SigningKey(signing_seed).verify_key)


def sign(signing_seed: bytes, message: bytes) -> bytes:
    """Return a detached 64-byte Ed25519 signature."""
    return bytes(SigningKey(signing_seed).sign(message).signature)


def verify(verify_key: bytes, message: bytes, signature: bytes) -> bool:
    """Return whether `signature` is valid for `message` under `verify_key`."""
    try:
        VerifyKey(verify_key).verify(message, signature)
    except (BadSignatureError, ValueError):
        return False
    return True


def fingerprint(public: bytes) -> bytes:
    """SHA-256 of a public key: what staff and applicants compare."""
    return hashlib.sha256(b"corridor.fingerprint.v1" + public).digest()


def split_for_session(secret: bytes) -> tuple[bytes, bytes]:
    """Split-key session unlock.

    Returns (cookie_half, session_half): a random 32-byte key for the browser cookie,
    and `secret` encrypted under it for the server-side session. Neither alone reveals
    anything about `secret`.
    """
    cookie_half = random_bytes(KEY_BYTES)
    nonce = random_bytes(bindings.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES)
    ct = bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(secret, _SESSION_AD, nonce, cookie_half)
    return cookie_half, nonce + ct


def join_session_halves(cookie_half: bytes, session_half: bytes) -> bytes:
    """Recover the secret from both halves, or raise DecryptionFailed."""
    n = bindings.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
    if len(cookie_half) != KEY_BYTES or len(session_half) < n + 16:
        raise DecryptionFailed("session unlock halves are malformed")
    try:
        return bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(
            session_half[n:], _SESSION_AD, session_half[:n], cookie_half
        )
    except NaclCryptoError as exc:
        raise DecryptionFailed("session unlock halves do not match") from exc
