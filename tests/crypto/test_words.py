"""Fingerprints as words people read aloud."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shamir_mnemonic.wordlist import WORDLIST

from corridor.crypto.words import bytes_to_words, fingerprint_words

# Ed25519 verify key of seed 00..1f (see test_keys); the words were computed independently
# as the first 120 bits of SHA-256("corridor.fingerprint.v1" ‖ key), ten bits per word.
PUBLIC = bytes.fromhex("03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8")
KAT_WORDS = "testify item temple extra · worthy best random cowboy · spill swimming playoff piece"


def test_fingerprint_words_known_answer() -> None:
    assert fingerprint_words(PUBLIC) == KAT_WORDS


def test_fingerprint_words_shape() -> None:
    groups = fingerprint_words(PUBLIC).split(" · ")
    assert [len(group.split(" ")) for group in groups] == [4, 4, 4]
    assert all(word in WORDLIST for group in groups for word in group.split(" "))


def test_one_bit_of_key_changes_the_words() -> None:
    other = bytes([PUBLIC[0] ^ 1]) + PUBLIC[1:]
    assert fingerprint_words(other) != KAT_WORDS


def test_wordlist_has_1024_distinct_words() -> None:
    assert len(set(WORDLIST)) == 1024


@settings(max_examples=50)
@given(data=st.binary(min_size=1, max_size=40), count=st.integers(0, 32))
def test_bytes_to_words_encodes_the_leading_bits(data: bytes, count: int) -> None:
    if count * 10 > len(data) * 8:
        with pytest.raises(ValueError):
            bytes_to_words(data, count)
        return
    words = bytes_to_words(data, count)
    assert len(words) == count
    decoded = 0
    for word in words:
        decoded = decoded << 10 | WORDLIST.index(word)
    assert decoded == int.from_bytes(data, "big") >> (len(data) * 8 - count * 10)
