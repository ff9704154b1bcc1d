"""Applicant codenames: the only secret a person at risk holds.

A codename is 16 random digits (53 bits), shown in groups of four so it can be saved as
a phone contact, or, as an option, six words (60 bits). It goes through one Argon2id
call with an organisation-wide salt; the 64-byte output is split into a lookup id (what
the database stores to find the thread) and the seed of the applicant's X25519 key (to
which the thread's key is sealed). The codename itself is never stored.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from dataclasses import dataclass

from shamir_mnemonic.wordlist import WORD_INDEX_MAP, WORDLIST

from corridor.crypto.kdf import Argon2Cost, derive_key
from corridor.crypto.keys import KeyPair, keypair_from_seed

DIGITS = 16
WORDS = 6


class InvalidCodename(ValueError):
    """The text cannot be a codename (wrong length or characters)."""


def generate_digits() -> str:
    """Sixteen random digits, grouped in fours: `4821 0937 5512 6604`."""
    raw = "".join(secrets.choice("0123456789") for _ in range(DIGITS))
    return " ".join(raw[i : i + 4] for i in range(0, DIGITS, 4))


def generate_words() -> str:
    """Six random words from a 1024-word list."""
    return " ".join(secrets.choice(WORDLIST) for _ in range(WORDS))


def canonical(text: str) -> str:
    """The canonical form a typed codename is derived from; raises InvalidCodename.

    Digits: separators ignored (spaces, dashes, plus signs, brackets), full-width and
    other scripts' decimal digits accepted. Words: case and spacing ignored; every word
    must be in the list.
    """
    folded = unicodedata.normalize("NFKC", text).strip().lower()
    # Any script's decimal digits count as those digits (a phone may type ٤٨٢١ for 4821).
    digits = "".join(str(unicodedata.decimal(ch)) for ch in folded if ch.isdecimal())
    letters = [w for w in "".join(ch if ch.isalpha() else " " for ch in folded).split() if w]
    if letters and not digits:
        if len(letters) != WORDS or any(w not in WORD_INDEX_MAP for w in letters):
            raise InvalidCodename("not a codename")
        return "w:" + " ".join(letters)
    if len(digits) != DIGITS or letters:
        raise InvalidCodename("not a codename")
    return "d:" + digits


@dataclass(frozen=True)
class CodenameKeys:
    """What one Argon2id call over a codename yields."""

    lookup_id: str
    keypair: KeyPair


def derive(text: str, *, salt: bytes, cost: Argon2Cost) -> CodenameKeys:
    """One Argon2id call: a lookup id for the database and the applicant's key pair."""
    material = derive_key(canonical(text).encode(), salt, cost, size=64)
    lookup = hashlib.sha256(b"corridor.codename-lookup.v1" + material[:32]).hexdigest()
    return CodenameKeys(lookup_id=lookup, keypair=keypair_from_seed(material[32:]))
