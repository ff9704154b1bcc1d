"""Blind indexes: keyed hashes of normalised identifiers for exact-match search.

A blind index lets Corridor find "the same phone number" or "the same name" across
cases and the provocateur blocklist without storing the identifier. Normalisation
decides what counts as the same; it must be deterministic and stable, because changing
it orphans every stored index.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from enum import StrEnum

import phonenumbers

INDEX_BYTES = 16


class IndexKind(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    HANDLE = "handle"
    DOCUMENT = "document"
    NAME = "name"


# Russian and other Cyrillic letters in a simple, unambiguous romanisation; the folds
# below then merge the spelling variants that different romanisations produce.
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "і": "i", "ї": "i", "є": "e", "ґ": "g", "ә": "a", "ө": "o", "ү": "u",
    "һ": "h", "ӏ": "", "қ": "k", "ғ": "g", "ң": "n",
}  # fmt: skip

# Applied in order to the romanised, lower-case name: variant spellings of the same
# sound collapse to one form ("Khasan"/"Hasan"/"Хасан", "Yusup"/"Iusup"/"Юсуп"). Ж and
# Дж are consonants of their own: they become placeholders first so that the vowel
# folds below cannot swallow them ("Жанна" must not equal "Анна"). Latin "j" is read
# as Дж, as in the usual English spelling of Chechen names ("Jabrail").
_FOLDS = [
    ("shch", "sh"), ("sch", "sh"), ("tch", "ch"),
    ("dzh", "J"), ("dj", "J"), ("zh", "Z"), ("j", "J"),
    ("kh", "h"), ("ts", "c"), ("tz", "c"), ("ks", "x"), ("ph", "f"), ("w", "v"), ("q", "k"),
    ("yu", "u"), ("iu", "u"), ("ya", "a"), ("ia", "a"), ("yo", "o"), ("io", "o"),
    ("ye", "e"), ("ie", "e"), ("y", "i"), ("ee", "i"), ("ou", "u"),
    ("J", "dj"), ("Z", "zh"),
]  # fmt: skip
_DOC_LOOKALIKES = str.maketrans("АВЕКМНОРСТУХ", "ABEKMHOPCTYX")


def blind_index(key: bytes, kind: IndexKind, value: str, *, default_region: str = "RU") -> bytes:
    """HMAC of the normalised value, domain-separated by kind and truncated to 16 bytes."""
    if len(key) != 32:
        raise ValueError("index keys are 32 bytes")
    normalised = normalise(kind, value, default_region=default_region)
    if not normalised:
        raise ValueError("nothing left to index after normalisation")
    message = kind.value.encode() + b"\x00" + normalised.encode()
    return hmac.new(key, message, hashlib.sha256).digest()[:INDEX_BYTES]


def normalise(kind: IndexKind, value: str, *, default_region: str = "RU") -> str:
    """Normalise an identifier of the given kind."""
    match kind:
        case IndexKind.PHONE:
            return normalise_phone(value, default_region=default_region)
        case IndexKind.EMAIL:
            return normalise_email(value)
        case IndexKind.HANDLE:
            return normalise_handle(value)
        case IndexKind.DOCUMENT:
            return normalise_document(value)
        case IndexKind.NAME:
            return normalise_name(value)


def normalise_phone(value: str, *, default_region: str = "RU") -> str:
    """E.164 where the number parses ("8 (928) …" and "+7 928 …" agree), else its digits."""
    text = unicodedata.normalize("NFKC", value).strip()
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_possible_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return "".join(ch for ch in text if ch.isdigit())


def normalise_email(value: str) -> str:
    """Lower-case, trimmed, NFKC; sub-addresses ("+tag") dropped."""
    text = unicodedata.normalize("NFKC", value).strip().lower()
    local, sep, domain = text.rpartition("@")
    if not sep:
        return text
    local = local.split("+", 1)[0]
    return f"{local}@{domain}"


def normalise_handle(value: str) -> str:
    """Messenger handles: case-folded, without a leading @ or surrounding space."""
    return unicodedata.normalize("NFKC", value).strip().lstrip("@").casefold()


def normalise_document(value: str) -> str:
    """Passport and ID numbers: upper-case letters and digits only, Cyrillic look-alikes as Latin."""
    text = unicodedata.normalize("NFKC", value.replace("№", "")).upper().translate(_DOC_LOOKALIKES)
    return "".join(ch for ch in text if ch.isalnum())


def romanise(value: str) -> str:
    """Case-fold, drop diacritics and romanise Cyrillic letters."""
    text = unicodedata.normalize("NFKD", value.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = unicodedata.normalize("NFC", text)
    return "".join(_CYRILLIC.get(ch, ch) for ch in text)


def normalise_name(value: str) -> str:
    """Names: romanised, spelling variants folded, doubled letters merged, word order ignored."""
    tokens = re.split(r"[^a-z]+", romanise(value))  # placeholders are added after this split
    folded = []
    for token in tokens:
        if not token:
            continue
        for old, new in _FOLDS:
            token = token.replace(old, new)
        token = re.sub(r"(.)\1+", r"\1", token)
        folded.append(token)
    return " ".join(sorted(folded))
