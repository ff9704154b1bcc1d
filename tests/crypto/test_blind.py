"""Blind indexes: what counts as "the same" identifier, and nothing more."""

import hashlib
import hmac
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.crypto.blind import IndexKind, blind_index, normalise, normalise_email, normalise_phone

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
        if not normalise(kind, value):  # no digits for a phone (or a bare "00"), no letters for a name
            continue
        assert index(kind, value) != index(kind, value, OTHER_KEY)
        assert len(index(kind, value)) == 16


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (IndexKind.PHONE, "no digits"),
        (IndexKind.PHONE, ""),
        (IndexKind.PHONE, "00"),  # an international prefix and no number
        (IndexKind.PHONE, "+ ( ) -"),
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


# --- Phones -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # "00" is the international prefix in most of the world.
        ("00995555123456", "+995555123456"),
        ("00 995 555 12 34 56", "+995555123456"),
        ("(00) 995-555-123-456", "+995555123456"),
        ("\uff10\uff10995555123456", "+995555123456"),  # full-width zeros
        ("\u0660\u0660995555123456", "+995555123456"),  # Arabic-Indic zeros
        ("00 7 928 123 45 67", "+79281234567"),
        # "810" is Russia's own international prefix; libphonenumber reads it for RU.
        ("810 995 555 123456", "+995555123456"),
        ("8~10 995 555 123456", "+995555123456"),
        ("+995 555 123 456", "+995555123456"),
    ],
)
def test_international_prefixes_become_plus(value: str, expected: str) -> None:
    assert normalise_phone(value) == expected


def test_double_zero_is_read_as_plus_in_any_region() -> None:
    assert normalise_phone("00 995 555 123456", default_region="GB") == "+995555123456"
    assert normalise_phone("00 995 555 123456", default_region="US") == "+995555123456"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # Incomplete: the same digits with +7, with the trunk prefix 8, without a prefix.
        (["+7 928 123", "8 928 123", "928 123", "7 928 123", "+7 8 928 123"], "+7928123"),
        # Ten digits, so "possible", but no +7 number begins with 89: one digit short.
        (["8 912 345 678", "+7 912 345 678", "912 345 678"], "+7912345678"),
        # No +7 number begins with 88: the first 8 is the trunk prefix of 8712 (Grozny).
        (["8 8712 22 3", "8712 22 3", "+7 8712 22 3"], "+78712223"),
        # Valid numbers are E.164 however they are written.
        (["8 (928) 123-45-67", "+7 928 123 45 67", "7 928 123 45 67", "00 7 928 1234567"], "+79281234567"),
    ],
)
def test_numbers_agree_with_and_without_prefix(values: list[str], expected: str) -> None:
    assert {normalise_phone(value) for value in values} == {expected}


def test_an_ambiguous_trunk_prefix_is_kept() -> None:
    # "8 343 …" is Yekaterinburg (343) after the trunk prefix, or Mordovia (834) without.
    assert normalise_phone("8 343 123") == "+78343123"
    assert normalise_phone("343 123") == "+7343123"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("8", "8"), ("+7 8", "+78"), ("+999 123", "+999123"), ("999 123", "+7999123")],
)
def test_unparsable_numbers_keep_their_digits_and_plus(value: str, expected: str) -> None:
    assert normalise_phone(value) == expected


# --- Names --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        # Ё after a consonant is romanised "yo" or "io" and often written Е.
        ["Pyotr", "Пётр", "Петр", "Petr", "Piotr"],
        ["Semyon", "Семён", "Семен", "Semen", "Semion"],
        ["Fyodor", "Фёдор", "Федор", "Fedor"],
        ["Alyona", "Алёна", "Алена", "Alena", "Aliona"],
        ["Solovyov", "Соловьёв", "Соловьев", "Solovev"],
        # Word-initially or after a vowel "yo"/"io" is Йо.
        ["Йосиф", "Yosif", "Iosif", "Иосиф"],
        ["Майоров", "Mayorov", "Maiorov"],
        # The examples that already matched still match.
        ["Хасан", "Khasan", "Hasan"],
        ["Юсуп", "Yusup", "Iusup"],
        ["Джабраил", "Jabrail", "Dzhabrail"],
        ["Ахмадов Магомед", "Magomed Ahmadov", "Akhmadov Magomed"],
    ],
)
def test_yo_spellings_match(values: list[str]) -> None:
    assert len({index(IndexKind.NAME, value) for value in values}) == 1


@pytest.mark.parametrize(("one", "two"), [("Pyotr", "Potr"), ("Семён", "Сомон"), ("Yosif", "Esif")])
def test_yo_does_not_merge_everything(one: str, two: str) -> None:
    assert index(IndexKind.NAME, one) != index(IndexKind.NAME, two)


def scripts(text: str) -> set[str]:
    return {unicodedata.name(ch).split()[0] for ch in text if ch.isalpha()}


@pytest.mark.parametrize(
    ("mixed", "plain"),
    [
        ("X" + "\u0430\u0441\u0430\u043d", "Хасан"),  # Latin X, Cyrillic асан
        ("\u041c" + "a" + "\u0433" + "o" + "\u043c" + "e" + "\u0434", "Магомед"),  # Latin a, o, e
        ("MA" + "\u0413" + "OME" + "\u0414", "МАГОМЕД"),  # capitals: Latin M, A, O, E
        ("\u0425" + "ac" + "\u0430\u043d", "Хасан"),  # Latin a and c inside
        ("\u042e" + "cy" + "\u043f", "Юсуп"),  # Latin c and y
        ("\u0410\u0445\u043c\u0430\u0434\u043e" + "B", "Ахмадов"),  # Latin capital B for В
        ("H" + "\u0430" + "san", "Hasan"),  # a Latin word with a Cyrillic а
        ("Mag" + "\u043e" + "med", "Magomed"),  # a Latin word with a Cyrillic о
    ],
)
def test_mixed_script_words_read_in_one_script(mixed: str, plain: str) -> None:
    assert scripts(mixed) == {"LATIN", "CYRILLIC"}
    assert index(IndexKind.NAME, mixed) == index(IndexKind.NAME, plain)


# --- Documents ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        ["AB 12\u0417456", "AB 123456"],  # Cyrillic Ze for the digit three
        ["\u0406V 123456", "\u0456v 123456", "IV 123456"],  # Ukrainian І for Latin I
        ["\u0410\u0412 \u0661\u0662\u0663\u0664\u0665\u0666", "AB 123456"],  # Arabic-Indic digits
    ],
)
def test_more_document_look_alikes_match(values: list[str]) -> None:
    assert len({index(IndexKind.DOCUMENT, value) for value in values}) == 1


# --- E-mails ------------------------------------------------------------------------


def test_internationalised_domains_become_punycode() -> None:
    assert normalise_email("user@пример.рф") == "user@xn--e1afmkfd.xn--p1ai"
    values = [
        "user@пример.рф",
        "User+tag@ПРИМЕР.РФ",
        "user@xn--e1afmkfd.xn--p1ai",
        "USER@XN--E1AFMKFD.XN--P1AI",
        "user@пример\u3002рф",  # ideographic full stop
        "user@пример.рф.",  # the root's trailing dot
    ]
    assert len({index(IndexKind.EMAIL, value) for value in values}) == 1


@pytest.mark.parametrize(
    "value",
    ["user@a..example.org", "user@example.org..", "user@" + "x" * 64 + ".org", "user@\u0661\u0627.org"],
)
def test_domains_that_cannot_be_encoded_are_refused(value: str) -> None:
    with pytest.raises(ValueError, match="domain"):
        index(IndexKind.EMAIL, value)


# --- Pepper -------------------------------------------------------------------------

PEPPER = bytes(range(0x40, 0x60))
# HMAC-SHA256(HMAC-SHA256(PEPPER, label ‖ KEY), kind ‖ 0x00 ‖ normalised)[:16], computed
# independently with hmac.
PEPPERED_KAT = [
    (IndexKind.PHONE, "8 (928) 123-45-67", "843e7d1b697e088e72a45f7e66495b65"),
    (IndexKind.NAME, "Хасан Магомедов", "878791842db36ac81d6e6d3edb24089d"),
    (IndexKind.EMAIL, "User@Пример.рф", "60b28e661a29e2cff38c145dd0186d45"),
]


@pytest.mark.parametrize(("kind", "value", "expected"), PEPPERED_KAT)
def test_peppered_known_answer(kind: IndexKind, value: str, expected: str) -> None:
    assert blind_index(KEY, kind, value, pepper=PEPPER).hex() == expected


def test_pepper_derives_the_hmac_key_from_pepper_and_index_key() -> None:
    derived = hmac.new(PEPPER, b"corridor.blind-pepper.v1" + KEY, hashlib.sha256).digest()
    expected = hmac.new(derived, b"name\x00hasan magomedov", hashlib.sha256).digest()[:16]
    assert blind_index(KEY, IndexKind.NAME, "Хасан Магомедов", pepper=PEPPER) == expected


def test_an_empty_pepper_changes_nothing() -> None:
    for kind, value, expected in KAT:
        assert blind_index(KEY, kind, value, pepper=b"").hex() == expected


def test_the_index_key_alone_cannot_compute_peppered_indexes() -> None:
    peppered = blind_index(KEY, IndexKind.NAME, "Хасан", pepper=PEPPER)
    assert peppered != index(IndexKind.NAME, "Хасан")
    assert peppered != blind_index(KEY, IndexKind.NAME, "Хасан", pepper=bytes(32))
    assert peppered != blind_index(OTHER_KEY, IndexKind.NAME, "Хасан", pepper=PEPPER)


@pytest.mark.parametrize("length", [1, 16, 31])
def test_short_peppers_are_refused(length: int) -> None:
    with pytest.raises(ValueError, match="pepper"):
        blind_index(KEY, IndexKind.NAME, "Хасан", pepper=bytes(length))


# --- Properties ---------------------------------------------------------------------

# Any code point, lone surrogates included.
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=40)
PHONE_LIKE = st.text(st.sampled_from("0123456789+ -()~.78800\u0660\uff10x#*"), max_size=24)
MIXED_NAMES = st.text(
    st.sampled_from("abcehikmoptxyjzsdwqu АВСЕНІКМОРТХУЁЙЖЗЬЪЮЯЦЩабвгдеёжзийклмнопрстуфхцчшщъыьэюя-'")
)


@settings(max_examples=300)
@given(kind=st.sampled_from(IndexKind), value=ANY_TEXT)
def test_arbitrary_text_indexes_or_raises_value_error(kind: IndexKind, value: str) -> None:
    try:
        result = blind_index(KEY, kind, value, pepper=PEPPER)
    except ValueError:
        return
    assert len(result) == 16


@settings(max_examples=300)
@given(kind=st.sampled_from(IndexKind), value=st.one_of(ANY_TEXT, PHONE_LIKE, MIXED_NAMES))
def test_normalisation_is_idempotent(kind: IndexKind, value: str) -> None:
    try:
        once = normalise(kind, value)
    except ValueError:
        return
    assert normalise(kind, once) == once


@settings(max_examples=100)
@given(value=PHONE_LIKE, region=st.sampled_from(["RU", "KZ", "GB", "US", "DE", "ZZ", ""]))
def test_phones_in_any_region_are_idempotent(value: str, region: str) -> None:
    try:
        once = normalise_phone(value, default_region=region)
    except ValueError:
        return
    assert normalise_phone(once, default_region=region) == once
