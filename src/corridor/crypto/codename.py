"""Applicant codenames: the only secret a person at risk holds.

A codename is 16 random digits (53 bits) and a 4-digit tag, shown in groups of four so it
can be saved as a phone contact, or, as an option, six random words (60 bits) and a tag
word. It goes through one Argon2id call with an organisation-wide salt; the 64-byte output
is split into a lookup id (what the database stores to find the thread) and the seed of the
applicant's X25519 key (to which the thread's key is sealed). The codename itself is never
stored.

The tag is an HMAC of the random part under a key from the server's configuration. It
adds no secrecy and takes none away (it is a function of the random part), but it lets
the server tell, before any Argon2id call, a codename it issued from a guess: a flood of
made-up codenames goes to the slow lane of the pool and cannot keep a person with a real
one waiting. Codenames issued before tags existed (16 digits, six words) stay valid;
they have no tag and take the slow lane.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass

from shamir_mnemonic.wordlist import WORD_INDEX_MAP, WORDLIST

from corridor.crypto.kdf import Argon2Cost, derive_key
from corridor.crypto.keys import KeyPair, keypair_from_seed

RANDOM_DIGITS = 16
TAG_DIGITS = 4
DIGITS = RANDOM_DIGITS + TAG_DIGITS
RANDOM_WORDS = 6
WORDS = RANDOM_WORDS + 1
_TAG_LABEL = b"corridor.codename-tag.v1\x00"
_LANE_LABEL = b"corridor.codename-lane.v1\x00"


class InvalidCodename(ValueError):
    """The text cannot be a codename (wrong length or characters)."""


def _tag(key: bytes, body: str, modulus: int) -> int:
    mac = hmac.new(key, _TAG_LABEL + body.encode(), hashlib.sha256).digest()
    # 64 bits reduced modulo 10^4 or 1024: the bias is far below anything measurable.
    return int.from_bytes(mac[:8], "big") % modulus


def _digit_tag(key: bytes, body: str) -> str:
    return f"{_tag(key, body, 10**TAG_DIGITS):0{TAG_DIGITS}d}"


def _word_tag(key: bytes, words: list[str]) -> str:
    return WORDLIST[_tag(key, " ".join(words), len(WORDLIST))]


def generate_digits(tag_key: bytes) -> str:
    """Sixteen random digits and their tag, grouped in fours: `4821 0937 5512 6604 3318`."""
    body = "".join(secrets.choice("0123456789") for _ in range(RANDOM_DIGITS))
    raw = body + _digit_tag(tag_key, body)
    return " ".join(raw[i : i + 4] for i in range(0, DIGITS, 4))


def generate_words(tag_key: bytes) -> str:
    """Six random words from a 1024-word list and their tag word."""
    words = [secrets.choice(WORDLIST) for _ in range(RANDOM_WORDS)]
    return " ".join([*words, _word_tag(tag_key, words)])


def has_valid_tag(text: str, tag_key: bytes) -> bool:
    """Whether `text` is a codename this server issued with `tag_key`; no Argon2id call.

    False for anything else: a typo, a guess, a codename from before tags, a key changed since.
    """
    try:
        form, _, value = canonical(text).partition(":")
    except InvalidCodename:
        return False
    if form == "d" and len(value) == DIGITS:
        return hmac.compare_digest(value[RANDOM_DIGITS:], _digit_tag(tag_key, value[:RANDOM_DIGITS]))
    words = value.split()
    if form == "w" and len(words) == WORDS:
        return hmac.compare_digest(words[-1], _word_tag(tag_key, words[:RANDOM_WORDS]))
    return False


def lane_token(text: str, tag_key: bytes) -> str:
    """A short-lived name for the codename in the pool's fast lane, so one codename cannot hog it.

    Kept only in the pool's memory for a minute; it is keyed, so it says nothing without the key.
    """
    try:
        value = canonical(text)
    except InvalidCodename:
        value = text
    return hmac.new(tag_key, _LANE_LABEL + value.encode(), hashlib.sha256).hexdigest()[:32]


def canonical(text: str) -> str:
    """The canonical form a typed codename is derived from; raises InvalidCodename.

    Digits: 20, or 16 for a codename from before tags; separators ignored (spaces, dashes,
    plus signs, brackets), full-width and other scripts' decimal digits accepted. Words:
    seven, or six from before tags; case and spacing ignored; every word must be in the list.
    """
    folded = unicodedata.normalize("NFKC", text).strip().lower()
    # Any script's decimal digits count as those digits (a phone may type ٤٨٢١ for 4821).
    digits = "".join(str(unicodedata.decimal(ch)) for ch in folded if ch.isdecimal())
    letters = [w for w in "".join(ch if ch.isalpha() else " " for ch in folded).split() if w]
    if letters and not digits:
        if len(letters) not in (RANDOM_WORDS, WORDS) or any(w not in WORD_INDEX_MAP for w in letters):
            raise InvalidCodename("not a codename")
        return "w:" + " ".join(letters)
    if len(digits) not in (RANDOM_DIGITS, DIGITS) or letters:
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
