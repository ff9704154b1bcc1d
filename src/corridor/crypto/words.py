"""Word encodings: fingerprints people can read aloud and compare."""

from __future__ import annotations

from shamir_mnemonic.wordlist import WORDLIST

from corridor.crypto.keys import fingerprint

_BITS_PER_WORD = 10  # the list has 1024 words
FINGERPRINT_WORDS = 12  # 120 bits: far beyond what a forger could match by trial


def bytes_to_words(data: bytes, count: int) -> list[str]:
    """Encode the first count*10 bits of `data` as words."""
    if count * _BITS_PER_WORD > len(data) * 8:
        raise ValueError("not enough bytes for that many words")
    value = int.from_bytes(data, "big") >> (len(data) * 8 - count * _BITS_PER_WORD)
    out = []
    for i in range(count):
        shift = (count - 1 - i) * _BITS_PER_WORD
        out.append(WORDLIST[(value >> shift) & 0x3FF])
    return out


def fingerprint_words(public_key: bytes) -> str:
    """The public key's fingerprint as twelve words, grouped in fours for reading aloud."""
    words = bytes_to_words(fingerprint(public_key), FINGERPRINT_WORDS)
    return " · ".join(" ".join(words[i : i + 4]) for i in range(0, FINGERPRINT_WORDS, 4))
