"""Word and digit encodings: fingerprints people can read aloud and compare.

The fingerprint is the first 120 bits of the key's SHA-256 fingerprint, read as twelve
10-bit numbers. The word form names each number by its word in a 1024-word English
list; the digit form writes each number as four digits (0000-1023), for people whose
pages are not in English. Both carry the same 120 bits in the same order, so the n-th
group of digits is the n-th word's place in the list and staff can check one against
the other.
"""

from __future__ import annotations

from shamir_mnemonic.wordlist import WORD_INDEX_MAP, WORDLIST

from corridor.crypto.keys import fingerprint

_BITS_PER_WORD = 10  # the list has 1024 words
FINGERPRINT_WORDS = 12  # 120 bits: far beyond what a forger could match by trial
_DIGITS_PER_NUMBER = 4  # 0000-1023: every 10-bit number in the same width
_GROUP = 4  # numbers or words per printed group, so a group fits a phone's line


def bytes_to_numbers(data: bytes, count: int) -> list[int]:
    """The first count*10 bits of `data` as 10-bit numbers (0-1023), most significant first."""
    if count * _BITS_PER_WORD > len(data) * 8:
        raise ValueError("not enough bytes for that many words")
    value = int.from_bytes(data, "big") >> (len(data) * 8 - count * _BITS_PER_WORD)
    return [(value >> ((count - 1 - i) * _BITS_PER_WORD)) & 0x3FF for i in range(count)]


def bytes_to_words(data: bytes, count: int) -> list[str]:
    """Encode the first count*10 bits of `data` as words."""
    return [WORDLIST[number] for number in bytes_to_numbers(data, count)]


def _digits(number: int) -> str:
    return f"{number:0{_DIGITS_PER_NUMBER}d}"


def _grouped(items: list[str]) -> str:
    return " · ".join(" ".join(items[i : i + _GROUP]) for i in range(0, len(items), _GROUP))


def fingerprint_words(public_key: bytes) -> str:
    """The public key's fingerprint as twelve words, grouped in fours for reading aloud."""
    return _grouped(bytes_to_words(fingerprint(public_key), FINGERPRINT_WORDS))


def fingerprint_digits(public_key: bytes) -> str:
    """The same fingerprint as twelve four-digit numbers, grouped in fours: no language needed."""
    return _grouped([_digits(n) for n in bytes_to_numbers(fingerprint(public_key), FINGERPRINT_WORDS)])


def words_to_digits(text: str) -> str:
    """A fingerprint's word form rewritten as its digit form; raises ValueError on an unknown word."""
    words = text.replace("·", " ").split()
    if len(words) != FINGERPRINT_WORDS or any(word not in WORD_INDEX_MAP for word in words):
        raise ValueError("not a fingerprint in words")
    return _grouped([_digits(WORD_INDEX_MAP[word]) for word in words])
