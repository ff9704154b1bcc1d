"""Fingerprints as words and as digits people read aloud."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shamir_mnemonic.wordlist import WORDLIST

from corridor.crypto.words import bytes_to_words, fingerprint_digits, fingerprint_words, words_to_digits

# Ed25519 verify key of seed 00..1f (see test_keys); the words were computed independently
# as the first 120 bits of SHA-256("corridor.fingerprint.v1" ‖ key), ten bits per word.
PUBLIC = bytes.fromhex("03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8")
KAT_WORDS = "testify item temple extra · worthy best random cowboy · spill swimming playoff piece"
# The same twelve 10-bit numbers written in decimal, four digits each (hashlib by hand:
# int(first 15 bytes) >> (110 - 10 i) & 1023).
KAT_DIGITS = "0906 0481 0901 0321 · 1014 0077 0726 0165 · 0851 0883 0680 0670"


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


def test_fingerprint_digits_known_answer() -> None:
    assert fingerprint_digits(PUBLIC) == KAT_DIGITS


def test_digit_groups_are_the_words_places_in_the_list() -> None:
    words = KAT_WORDS.replace(" · ", " ").split(" ")
    numbers = KAT_DIGITS.replace(" · ", " ").split(" ")
    assert [f"{WORDLIST.index(word):04d}" for word in words] == numbers
    assert words_to_digits(KAT_WORDS) == KAT_DIGITS


def test_digits_carry_at_least_the_bits_of_the_words() -> None:
    groups = fingerprint_digits(PUBLIC).split(" · ")
    numbers = [n for group in groups for n in group.split(" ")]
    assert [len(group.split(" ")) for group in groups] == [4, 4, 4]
    assert all(len(n) == 4 and n.isdigit() and int(n) < 1024 for n in numbers)
    assert len(numbers) * 10 >= 120  # twelve numbers of 10 bits each, nothing dropped


@settings(max_examples=50)
@given(key=st.binary(min_size=32, max_size=32))
def test_digits_and_words_always_agree(key: bytes) -> None:
    assert words_to_digits(fingerprint_words(key)) == fingerprint_digits(key)


@pytest.mark.parametrize("text", ["", "testify item", "testify " * 12, KAT_WORDS.replace("piece", "pieza")])
def test_words_to_digits_refuses_what_is_not_a_fingerprint(text: str) -> None:
    if text == "testify " * 12:
        assert words_to_digits(text) == " · ".join(["0906 0906 0906 0906"] * 3)
        return
    with pytest.raises(ValueError):
        words_to_digits(text)
