"""Blind indexes: what counts as "the same" identifier, and nothing more."""

import hashlib
import hmac

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.crypto.blind import IndexKind, blind_index

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
# HMAC-SHA256(KEY, kind ‖ 0x00 ‖ normalised)[:16], computed independently with hmac.
KAT = [
    (IndexKind.PHONE, "8 (928) 123-45-67", "d7294f59b14e7467ca949354360f7d15"),
    (IndexKind.NAME, "Хасан Магомедов", "6ff7d003148c071122cb5a3f1ac592d3"),
]


def index(kind: IndexKind, value: str, key: bytes = KEY) -> bytes:
    return blind_index(key, kind, value)


@pytest.mark.parametrize(("kind", "value", "expected"), KAT)
def test_blind_index_known_answer(kind: IndexKind, value: str, expected: str) -> None:
    assert index(kind, value).hex() == expected


def test_blind_index_is_hmac_of_kind_and_normalised_value() -> None:
    expected = hmac.new(KEY, b"email\x00hasan.m@example.org", hashlib.sha256).digest()[:16]
    assert index(IndexKind.EMAIL, " Hasan.M+hotline@Example.ORG ") == expected


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        (IndexKind.PHONE, ["8 (928) 123-45-67", "+7 928 123 45 67", "89281234567", "+7(928)1234567"]),
        (IndexKind.PHONE, ["８９２８１２３４５６７", "89281234567"]),  # full-width digits
        (
            IndexKind.EMAIL,
            [
                "hasan.m@example.org",
                " Hasan.M@Example.ORG ",
                "HASAN.M+hotline@example.org",
                "hasan.m+x@EXAMPLE.org\n",
            ],
        ),
        (IndexKind.HANDLE, ["@Hasan_M", "hasan_m", " HASAN_M "]),
        (IndexKind.NAME, ["Хасан Магомедов", "Khasan Magomedov", "Magomedov Hasan", "MAGOMEDOV, Khassan"]),
        (IndexKind.NAME, ["Юсуп", "Yusup", "Iusup", "ЮСУП"]),
        (IndexKind.NAME, ["Иван Петров", "Ivan Petrov", "петров иван"]),
        (IndexKind.NAME, ["Цой", "Tsoi", "Tsoy"]),
        (IndexKind.NAME, ["Щукин", "Shchukin"]),
        # Cyrillic А and В (escaped so an editor cannot silently turn them Latin).
        (IndexKind.DOCUMENT, ["\u0410\u0412 123456", "АВ 123456", "AB 123456", "ab-123456", "AB123456"]),
        (IndexKind.DOCUMENT, ["№ 45 06 123456", "4506 123456"]),
    ],
)
def test_variants_of_one_identifier_match(kind: IndexKind, values: list[str]) -> None:
    assert len({index(kind, value) for value in values}) == 1


@pytest.mark.parametrize(
    ("kind", "one", "two"),
    [
        (IndexKind.PHONE, "+7 928 123 45 67", "+7 928 123 45 68"),
        (IndexKind.PHONE, "+7 928 123 45 67", "+44 20 7946 0958"),
        (IndexKind.EMAIL, "hasan.m@example.org", "hasan.m@example.com"),
        (IndexKind.EMAIL, "hasan.m@example.org", "hasanm@example.org"),
        (IndexKind.HANDLE, "hasan_m", "hasan_n"),
        (IndexKind.NAME, "Иван Петров", "Хасан Магомедов"),
        (IndexKind.NAME, "Хасан Магомедов", "Хасан"),
        (IndexKind.NAME, "Timur", "Tamara"),
        (IndexKind.DOCUMENT, "AB 123456", "AB 123457"),
        (IndexKind.DOCUMENT, "AB 123456", "AC 123456"),
    ],
)
def test_different_identifiers_differ(kind: IndexKind, one: str, two: str) -> None:
    assert index(kind, one) != index(kind, two)


@pytest.mark.parametrize(
    ("one", "two"), [("Жанна Петрова", "Анна Петрова"), ("Джамал", "Амал"), ("Jamal", "Amal")]
)
def test_zh_and_dzh_do_not_vanish_from_names(one: str, two: str) -> None:
    assert index(IndexKind.NAME, one) != index(IndexKind.NAME, two)


def test_kinds_are_domain_separated() -> None:
    # "+79281234567" normalises to itself both as a phone and as a handle.
    assert index(IndexKind.PHONE, "+79281234567") != index(IndexKind.HANDLE, "+79281234567")
    assert index(IndexKind.NAME, "ivan") != index(IndexKind.HANDLE, "ivan")
    assert index(IndexKind.EMAIL, "ivan") != index(IndexKind.HANDLE, "ivan")


@settings(max_examples=50)
@given(value=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=20))
def test_another_key_gives_another_index(value: str) -> None:
    for kind in IndexKind:
        if kind is IndexKind.PHONE and not any(ch.isdigit() for ch in value):
            continue
        if kind is IndexKind.NAME and not any(ch.isalpha() for ch in value):
            continue
        assert index(kind, value) != index(kind, value, OTHER_KEY)
        assert len(index(kind, value)) == 16


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (IndexKind.PHONE, "no digits"),
        (IndexKind.PHONE, ""),
        (IndexKind.EMAIL, "   "),
        (IndexKind.HANDLE, " @ "),
        (IndexKind.NAME, "123 - ."),
        (IndexKind.NAME, "ЪЬ"),
        (IndexKind.DOCUMENT, "№ - "),
    ],
)
def test_nothing_left_after_normalisation_is_rejected(kind: IndexKind, value: str) -> None:
    with pytest.raises(ValueError, match="nothing left"):
        index(kind, value)


@pytest.mark.parametrize("length", [0, 16, 31, 33, 64])
def test_key_must_be_32_bytes(length: int) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        blind_index(bytes(length), IndexKind.NAME, "Хасан")
