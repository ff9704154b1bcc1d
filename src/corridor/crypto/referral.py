"""Referral packets: a minimal record signed by the organisation and sealed to one partner.

A packet is one file a partner organisation opens with its own key, without Corridor's
database::

    packet = "CRP1" ‖ sealed_box(partner public key, inner)
    inner  = verify key (32) ‖ signature (64) ‖ body
    body   = canonical JSON: {"v": 1, "recipient": hex fingerprint of the partner's key,
                              "id": …, "created_at": …, "payload": {…}}
    signature = Ed25519(signing key, "corridor.referral.v1" ‖ 0x00 ‖ body)

Sign-then-seal, with the recipient named inside what is signed: a partner cannot pass a
packet off as sent to someone else, and the sealed box (ephemeral X25519 +
XSalsa20-Poly1305) hides even who signed it from anyone but the partner. The opener
checks, in order: the magic, the box (wrong key or any changed byte fails here), the
signer's fingerprint against the one the organisation published, the signature, and
that the packet names the opener's own key as its recipient.

Partner key files are text: a header line and the base64 X25519 private key, or, with a
passphrase, the key wrapped under Argon2id(passphrase) exactly as staff keys are
(corridor.crypto.kdf, bound to the key's public half). Public keys travel as
``corridor-partner-v1:`` followed by the base64url key.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from shamir_mnemonic.wordlist import WORD_INDEX_MAP

from corridor.crypto import kdf, keys
from corridor.crypto.errors import CryptoError, DecryptionFailed, UnknownFormat
from corridor.crypto.words import FINGERPRINT_WORDS, bytes_to_numbers

MAGIC = b"CRP1"
_SIGN_LABEL = b"corridor.referral.v1\x00"
_VERSION = 1
PUBLIC_PREFIX = "corridor-partner-v1:"
KEY_FILE_HEADER = "corridor-partner-private-key-v1"
PROTECTED_KEY_FILE_HEADER = "corridor-partner-private-key-v1-passphrase"
_KEY_FILE_CONTEXT = b"corridor.partner-key-file.v1"
MAX_PACKET = 1024 * 1024  # a referral is a few kilobytes; refuse anything absurd before unsealing


class PacketRefused(CryptoError):
    """The packet does not open, or is not what it claims: the message says which check failed."""


@dataclass(frozen=True)
class OpenedPacket:
    id: str
    created_at: str
    payload: dict[str, Any]
    signer_key: bytes


def _canonical(value: dict[str, Any]) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def recipient_id(partner_public: bytes) -> str:
    """How a packet names its recipient: the hex fingerprint of the partner's public key."""
    return keys.fingerprint(partner_public).hex()


def build_packet(
    *,
    signing_seed: bytes,
    partner_public: bytes,
    packet_id: str,
    created_at: str,
    payload: dict[str, Any],
) -> bytes:
    """Sign the body with the organisation's key and seal it to the partner."""
    if len(partner_public) != keys.KEY_BYTES:
        raise ValueError("a partner public key is 32 bytes")
    body = _canonical(
        {
            "v": _VERSION,
            "recipient": recipient_id(partner_public),
            "id": packet_id,
            "created_at": created_at,
            "payload": payload,
        }
    )
    signature = keys.sign(signing_seed, _SIGN_LABEL + body)
    inner = keys.verify_key_of(signing_seed) + signature + body
    return MAGIC + keys.seal_to(partner_public, inner)


def fingerprint_numbers(text: str) -> list[int]:
    """A published fingerprint in words or in digits, as its twelve 10-bit numbers.

    Raises ValueError if it is neither form.
    """
    items = text.replace("·", " ").replace("-", " ").split()
    if len(items) != FINGERPRINT_WORDS:
        raise ValueError("a fingerprint has twelve words or twelve groups of digits")
    numbers = []
    for item in items:
        if item.isdigit():
            number = int(item)
        elif item.lower() in WORD_INDEX_MAP:
            number = WORD_INDEX_MAP[item.lower()]
        else:
            raise ValueError(f"not a fingerprint word: {item}")
        if not 0 <= number < 1024:
            raise ValueError(f"not a fingerprint number: {item}")
        numbers.append(number)
    return numbers


def key_matches_fingerprint(public: bytes, published: str) -> bool:
    """Whether a public key (X25519 or Ed25519) has this published fingerprint (words or digits)."""
    try:
        expected = fingerprint_numbers(published)
    except ValueError:
        return False
    return bytes_to_numbers(keys.fingerprint(public), FINGERPRINT_WORDS) == expected


def open_packet(*, partner_private: bytes, signer_fingerprint: str, packet: bytes) -> OpenedPacket:
    """Open a packet as its partner: every check of the module docstring, or PacketRefused."""
    fingerprint_numbers(signer_fingerprint)  # a malformed fingerprint is the caller's mistake: ValueError
    if len(packet) > MAX_PACKET:
        raise PacketRefused("the file is far too large to be a referral packet")
    if not packet.startswith(MAGIC):
        raise PacketRefused("this is not a Corridor referral packet")
    try:
        inner = keys.unseal(partner_private, packet[len(MAGIC) :])
    except DecryptionFailed:
        raise PacketRefused(
            "the packet does not open with this key: it was sealed to another key, or changed"
        ) from None
    if len(inner) < keys.KEY_BYTES + 64:
        raise PacketRefused("the packet is malformed")
    signer, signature, body = inner[:32], inner[32:96], inner[96:]
    if not key_matches_fingerprint(signer, signer_fingerprint):
        raise PacketRefused("the packet was signed by a key that does not have the published fingerprint")
    if not keys.verify(signer, _SIGN_LABEL + body, signature):
        raise PacketRefused("the signature does not verify")
    try:
        content = json.loads(body.decode())
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise PacketRefused("the packet is malformed") from None
    if not isinstance(content, dict) or content.get("v") != _VERSION:
        raise UnknownFormat("unknown referral packet version")
    if content.get("recipient") != recipient_id(keys.public_key_of(partner_private)):
        raise PacketRefused("the packet was signed for another recipient")
    payload = content.get("payload")
    if not isinstance(payload, dict):
        raise PacketRefused("the packet is malformed")
    return OpenedPacket(
        id=str(content.get("id", "")),
        created_at=str(content.get("created_at", "")),
        payload=payload,
        signer_key=signer,
    )


# --- partner keys as text -------------------------------------------------------------


def encode_public(public: bytes) -> str:
    return PUBLIC_PREFIX + base64.urlsafe_b64encode(public).decode().rstrip("=")


def decode_public(text: str) -> bytes:
    """A partner's public key from its text form; ValueError if it is not one."""
    text = "".join(text.split())
    if not text.startswith(PUBLIC_PREFIX):
        raise ValueError("a partner key starts with " + PUBLIC_PREFIX)
    encoded = text[len(PUBLIC_PREFIX) :]
    try:
        public = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("the partner key is not valid base64") from None
    if len(public) != keys.KEY_BYTES:
        raise ValueError("a partner key is 32 bytes")
    return public


def _file_context(public: bytes) -> bytes:
    return kdf.owner_context(_KEY_FILE_CONTEXT, public)


def encode_private(
    private: bytes, *, passphrase: str | None = None, cost: kdf.Argon2Cost = kdf.PRODUCTION_COST
) -> str:
    """A key file; with a passphrase, the key is wrapped under Argon2id(passphrase)."""
    if passphrase is None:
        return f"{KEY_FILE_HEADER}\n{base64.b64encode(private).decode()}\n"
    public = keys.public_key_of(private)
    blob = kdf.wrap_with_password(private, passphrase, cost, context=_file_context(public))
    return f"{PROTECTED_KEY_FILE_HEADER}\n{base64.b64encode(public + blob).decode()}\n"


def key_file_is_protected(text: str) -> bool:
    lines = text.strip().splitlines()
    return bool(lines) and lines[0].strip() == PROTECTED_KEY_FILE_HEADER


def decode_private(text: str, *, passphrase: str | None = None) -> bytes:
    """A partner's private key from its key file; ValueError if the file is not one, WrongPassword
    (a DecryptionFailed) if its passphrase is wrong or missing."""
    lines = text.strip().splitlines()
    if len(lines) != 2 or lines[0].strip() not in (KEY_FILE_HEADER, PROTECTED_KEY_FILE_HEADER):
        raise ValueError("not a Corridor partner key file")
    try:
        raw = base64.b64decode(lines[1].strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the key file is damaged") from None
    if lines[0].strip() == KEY_FILE_HEADER:
        if len(raw) != keys.KEY_BYTES:
            raise ValueError("the key file is damaged")
        return raw
    public, blob = raw[: keys.KEY_BYTES], raw[keys.KEY_BYTES :]
    try:
        kdf.wrapped_cost(blob)  # the cost is bounded before Argon2id runs
    except (ValueError, CryptoError):
        raise ValueError("the key file is damaged") from None
    private = kdf.unwrap_with_password(blob, passphrase or "", context=_file_context(public))
    if keys.public_key_of(private) != public:
        raise ValueError("the key file is damaged")
    return private
