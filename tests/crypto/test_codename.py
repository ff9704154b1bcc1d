"""Codenames: their canonical form and their one derivation are fixed for good.

Changing either makes every existing codename unknown, so the derivation has a
known-answer test.
"""

from __future__ import annotations

import re

import pytest

from corridor.crypto import codename
from corridor.crypto.kdf import Argon2Cost

CHEAP = Argon2Cost(opslimit=1, memlimit=8192)
SALT = bytes(range(16))


TAG_KEY = bytes(range(32))


def test_generated_digits_are_twenty_in_groups_of_four() -> None:
    text = codename.generate_digits(TAG_KEY)
    assert re.fullmatch(r"\d{4} \d{4} \d{4} \d{4} \d{4}", text)
    assert codename.generate_digits(TAG_KEY) != text


def test_generated_words_are_seven_listed_words() -> None:
    words = codename.generate_words(TAG_KEY).split()
    assert len(words) == codename.WORDS == 7
    assert codename.canonical(" ".join(words)) == "w:" + " ".join(words)


def test_issued_codenames_carry_a_valid_tag_under_their_key_only() -> None:
    for text in (codename.generate_digits(TAG_KEY), codename.generate_words(TAG_KEY)):
        assert codename.has_valid_tag(text, TAG_KEY)
        assert codename.has_valid_tag(text.upper().replace(" ", "-"), TAG_KEY)
        assert not codename.has_valid_tag(text, bytes(32))


def test_tag_known_answer() -> None:
    # Fixed for good: changing the tag sends every issued codename to the slow lane.
    assert codename.has_valid_tag("4821 0937 5512 6604 " + KNOWN_TAG, TAG_KEY)


@pytest.mark.parametrize(
    "typed",
    [
        "4821 0937 5512 6604",  # from before tags: valid, but in the slow lane
        "academic acid acne academic acid acne",
        "not a codename",
        "4821 0937 5512 6604 0000",
    ],
)
def test_guesses_and_old_codenames_have_no_valid_tag(typed: str) -> None:
    assert KNOWN_TAG != "0000"
    assert not codename.has_valid_tag(typed, TAG_KEY)


def test_a_typo_in_the_random_part_breaks_the_tag() -> None:
    text = codename.generate_digits(TAG_KEY)
    first = str((int(text[0]) + 1) % 10)
    assert not codename.has_valid_tag(first + text[1:], TAG_KEY)


def test_lane_tokens_are_the_same_for_the_same_codename_however_typed() -> None:
    text = codename.generate_digits(TAG_KEY)
    assert codename.lane_token(text, TAG_KEY) == codename.lane_token(text.replace(" ", ""), TAG_KEY)
    assert codename.lane_token(text, TAG_KEY) != codename.lane_token(text, bytes(32))


@pytest.mark.parametrize(
    "typed",
    [
        "4821 0937 5512 6604",
        "4821-0937-5512-6604",
        "+4821093755126604",
        "４８２１０９３７５５１２６６０４",
        " 4821093755126604\n",
        "٤٨٢١ ٠٩٣٧ ٥٥١٢ ٦٦٠٤",
    ],
)
def test_separators_and_full_width_digits_do_not_matter(typed: str) -> None:
    assert codename.canonical(typed) == "d:4821093755126604"


def test_words_ignore_case_and_spacing() -> None:
    assert (
        codename.canonical("  Academic ACID  acne academic acid acne ")
        == "w:academic acid acne academic acid acne"
    )


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "1234",
        "4821 0937 5512 66041",
        "4821 0937 5512 6604 123",
        "4821 0937 5512 660a",
        "academic acid",
        "notaword " * 6,
        "academic " * 8,
        "x",
    ],
)
def test_anything_else_is_not_a_codename(typed: str) -> None:
    with pytest.raises(codename.InvalidCodename):
        codename.canonical(typed)


def test_derivation_known_answer() -> None:
    derived = codename.derive("4821 0937 5512 6604", salt=SALT, cost=CHEAP)
    again = codename.derive("4821-0937-5512-6604", salt=SALT, cost=CHEAP)
    assert derived == again
    assert derived.lookup_id == KNOWN_LOOKUP
    assert derived.keypair.public.hex() == KNOWN_PUBLIC


def test_salt_and_codename_both_change_the_result() -> None:
    base = codename.derive("4821 0937 5512 6604", salt=SALT, cost=CHEAP)
    assert codename.derive("4821 0937 5512 6605", salt=SALT, cost=CHEAP).lookup_id != base.lookup_id
    assert codename.derive("4821 0937 5512 6604", salt=bytes(16), cost=CHEAP).lookup_id != base.lookup_id


KNOWN_LOOKUP = "7eba5598b5fe64df1c4d06ad59eb0f4df442784cf0adc165a1a8cab5dbd4f79c"
KNOWN_PUBLIC = "2de9e5874bc9530fb7f52abd7e01555d7e0d5bba8d8abd8621f5d2ee00e7715f"
KNOWN_TAG = "3393"
