"""The organisation's key fingerprints and codename salt, pinned in configuration.

`corridor init` writes one line to the pins file (`CORRIDOR_KEY_PINS_FILE`, by default
`key_pins` in the data directory) or the installer copies it to `CORRIDOR_KEY_PINS`::

    corridor-pins-v1 evidence=1:<hex> hotline=1:<hex> index=1:<hex> recovery=1:<hex> signing=1:<hex> salt=<h>

Each entry is the key's version and a SHA-256 fingerprint: of the public key for the
recovery, hotline, evidence and signing keys, and a check value of the secret for the
index key, which has no public half. Nothing is sealed to, or verified with, a key
whose row does not match its pin.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from corridor.accounts.integrity import IntegrityFailure
from corridor.crypto import keys

HEADER = "corridor-pins-v1"
_ENTRY = re.compile(r"^([a-z]+)=([0-9]+):([0-9a-f]{64})$")
_SALT = re.compile(r"^salt=([0-9a-f]{32})$")
# Kinds whose pin is the fingerprint of a public key; the index key's is a check of its secret.
PUBLIC_KINDS = frozenset({"recovery", "hotline", "signing", "evidence"})


@dataclass(frozen=True)
class Pins:
    keys: dict[str, tuple[int, str]]
    salt: bytes

    def text(self) -> str:
        entries = [f"{kind}={version}:{fp}" for kind, (version, fp) in sorted(self.keys.items())]
        return " ".join([HEADER, *entries, f"salt={self.salt.hex()}"])


def public_fingerprint(public: bytes) -> str:
    return keys.fingerprint(public).hex()


def secret_check(secret: bytes) -> str:
    """A check value of a secret key (the index key): SHA-256 of a 32-byte random key reveals nothing."""
    return hashlib.sha256(b"corridor.index-check.v1" + secret).hexdigest()


def parse(text: str) -> Pins:
    """Read the one-line pins format, refusing anything unexpected."""
    words = text.split()
    if not words or words[0] != HEADER:
        raise IntegrityFailure("pins", "the pins do not start with " + HEADER)
    found: dict[str, tuple[int, str]] = {}
    salt = b""
    for word in words[1:]:
        if match := _ENTRY.match(word):
            kind, version = match.group(1), int(match.group(2))
            if version < 1 or kind in found:
                raise IntegrityFailure("pins", f"bad entry for {kind}")
            found[kind] = (version, match.group(3))
        elif match := _SALT.match(word):
            salt = bytes.fromhex(match.group(1))
        else:
            raise IntegrityFailure("pins", "unreadable entry")
    if not salt:
        raise IntegrityFailure("pins", "no codename salt")
    return Pins(keys=found, salt=salt)


def pins_path() -> Path:
    return Path(settings.CORRIDOR_KEY_PINS_FILE)


def configured() -> Pins | None:
    """The pins from `CORRIDOR_KEY_PINS`, else from the pins file; None when neither exists."""
    inline = settings.CORRIDOR_KEY_PINS
    if inline:
        return parse(inline)
    path = pins_path()
    try:
        text = path.read_text()
    except FileNotFoundError:
        return None
    return parse(text)


def require() -> Pins:
    pins = configured()
    if pins is None:
        raise IntegrityFailure("pins", "no key pins configured: run `corridor pin-keys`")
    return pins


def write(pins: Pins) -> Path | None:
    """Write the pins file once (never over an existing one); None when pins come from the environment."""
    if settings.CORRIDOR_KEY_PINS:
        return None
    path = pins_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: pins are written once; replacing them is a deliberate act, not a side effect.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "w") as handle:
        handle.write(pins.text() + "\n")
    return path
