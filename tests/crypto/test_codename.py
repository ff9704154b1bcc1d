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


def test_generated_digits_are_sixteen_in_groups_of_four() -> None:
    text = codename.generate_digits()
    assert re.fullmatch(r"\d{4} \d{4} \d{4} \d{4}", text)
    assert codename.generate_digits() != text


def test_generated_words_are_six_listed_words() -> None:
    words = codename.generate_words().split()
    assert len(words) == codename.WORDS
    assert codename.canonical(" ".join(words)) == "w:" + " ".join(words)


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
    ["", "1234", "4821 0937 5512 66041", "4821 0937 5512 660a", "academic acid", "notaword " * 6, "x"],
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
