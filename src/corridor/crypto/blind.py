"""Blind indexes: keyed hashes of normalised identifiers for exact-match search.

A blind index lets Corridor find "the same phone number" or "the same name" across
cases and the provocateur blocklist without storing the identifier. Normalisation
decides what counts as the same; it must be deterministic and stable, because changing
it orphans every stored index.

    index = HMAC-SHA256(K, kind ‖ 0x00 ‖ UTF-8(normalise(kind, value)))[:16]
    K = the index key, or HMAC-SHA256(pepper, "corridor.blind-pepper.v1" ‖ index key)
        when a pepper (at least 32 bytes) is configured

Every value is first checked to be valid Unicode text (no lone surrogates) and put in
NFKC form. Then, by kind:

- phone: every decimal digit becomes its ASCII digit; a leading "00" (no "+" and only
  spaces or punctuation before and between the two zeros) is read as "+"; the number
  is parsed with libphonenumber in the default region ("810" is the international
  prefix it knows for RU). A valid number is written in E.164. A number that parses
  but is not valid is written "+" country code, national significant number; in the
  +7 zone, where no national number begins with 88, 89 or 79, such a leading 8 (trunk
  prefix) or 7 (country code without "+") is dropped, repeatedly. Text that does not
  parse is reduced to its ASCII digits (after a "+" if one came before the first
  digit, a leading "00" again read as "+") and parsed again; if that fails too, those
  digits are the result. The result is re-read until it no longer changes.
- email: lower-case; the local part loses any "+tag"; the domain loses one trailing
  root dot and is encoded with IDNA (punycode); an empty label or a domain that IDNA
  refuses is refused.
- handle: trimmed, leading "@" removed, case-folded (then NFKC again).
- document: "№" removed, upper-case, Cyrillic look-alikes А В Е З І Ӏ К М Н О Р С Т У Х
  become A B E 3 I I K M H O P C T Y X, digits ASCII, only letters and digits kept.
- name: see `normalise_name`.

Anything that cannot be indexed raises ValueError; no other exception escapes.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from enum import StrEnum

import phonenumbers

INDEX_BYTES = 16
PEPPER_LABEL = b"corridor.blind-pepper.v1"
MIN_PEPPER_BYTES = 32


class IndexKind(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    HANDLE = "handle"
    DOCUMENT = "document"
    NAME = "name"


# Russian and other Cyrillic letters in a simple, unambiguous romanisation; the folds
# below then merge the spelling variants that different romanisations produce. (Й and
# Ё never reach this table: dropping diacritics has already made them И and Е.)
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "і": "i", "ї": "i", "є": "e", "ґ": "g", "ә": "a", "ө": "o", "ү": "u",
    "һ": "h", "ӏ": "", "қ": "k", "ғ": "g", "ң": "n",
}  # fmt: skip

# Lower-case Latin letters and the Cyrillic letters they cannot be told apart from on
# screen. A word typed in both scripts (by a keyboard switch, autocorrect, OCR or on
# purpose to dodge a blocklist) is read in one script before it is romanised.
_LATIN_TWINS = "abcehikmoptxy"
_CYRILLIC_TWINS = "авсенікмортху"
_LATIN_TO_CYRILLIC = str.maketrans(_LATIN_TWINS, _CYRILLIC_TWINS)
_CYRILLIC_TO_LATIN = str.maketrans(_CYRILLIC_TWINS, _LATIN_TWINS)
_LETTER_RUN = re.compile(r"[^\W\d_]+")

# Applied in order to each romanised, lower-case word: variant spellings of the same
# sound collapse to one form ("Khasan"/"Hasan"/"Хасан", "Yusup"/"Iusup"/"Юсуп"). Ж and
# Дж are consonants of their own: they become placeholders first so that the vowel
# folds below cannot swallow them ("Жанна" must not equal "Анна"). Latin "j" is read
# as Дж, as in the usual English spelling of Chechen names ("Jabrail"). "yo"/"io"
# after a consonant is how Ё is romanised there ("Pyotr" = "Пётр" = "Петр"); elsewhere
# it is Йо ("Yosif" = "Йосиф", "Mayorov" = "Майоров").
_CONSONANTS = "bcdfghjklmnpqrstvwxzJZ"
_FOLDS = [
    (re.compile(pattern), replacement)
    for pattern, replacement in [
        ("shch|sch", "sh"), ("tch", "ch"),
        ("dzh|dj|j", "J"), ("zh", "Z"),
        ("kh", "h"), ("ts|tz", "c"), ("ks", "x"), ("ph", "f"), ("w", "v"), ("q", "k"),
        ("yu|iu", "u"), ("ya|ia", "a"),
        (f"(?<=[{_CONSONANTS}])[yi]o", "e"), ("[yi]o", "o"),
        ("ye|ie", "e"), ("y", "i"), ("ee", "i"), ("ou", "u"),
        ("J", "dj"), ("Z", "zh"),
        (r"(.)\1+", r"\1"),
    ]
]  # fmt: skip
_DOC_LOOKALIKES = str.maketrans("АВЕЗІӀКМНОРСТУХ", "ABE3IIKMHOPCTYX")

# No national significant number in the +7 zone (Russia, Kazakhstan) begins with these,
# so on an incomplete number a leading 8 can only be the trunk prefix and a leading 7
# only the country code typed without its "+".
_PLUS7_IMPOSSIBLE_STARTS = frozenset({"88", "89", "79"})
_FIRST_DIGIT_OR_PLUS = re.compile(r"[+\d]")
_DOUBLE_ZERO = re.compile(r"0[^\w+]*0")


def blind_index(
    key: bytes, kind: IndexKind, value: str, *, default_region: str = "RU", pepper: bytes = b""
) -> bytes:
    """HMAC of the normalised value, domain-separated by kind and truncated to 16 bytes.

    With a pepper the HMAC key is HMAC-SHA256(pepper, PEPPER_LABEL ‖ key), so the index
    key alone (a staff member's copy of it) cannot compute or enumerate indexes; the
    empty pepper keeps the index key itself.
    """
    if len(key) != 32:
        raise ValueError("index keys are 32 bytes")
    if pepper and len(pepper) < MIN_PEPPER_BYTES:
        raise ValueError(f"a pepper is at least {MIN_PEPPER_BYTES} bytes")
    normalised = normalise(kind, value, default_region=default_region)
    if not normalised:
        raise ValueError("nothing left to index after normalisation")
    mac_key = hmac.new(pepper, PEPPER_LABEL + key, hashlib.sha256).digest() if pepper else key
    message = kind.value.encode() + b"\x00" + normalised.encode()
    return hmac.new(mac_key, message, hashlib.sha256).digest()[:INDEX_BYTES]


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


def _nfkc(value: str) -> str:
    """NFKC form of text that is valid Unicode; lone surrogates are refused."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("not valid Unicode text") from None
    return unicodedata.normalize("NFKC", value)


def _ascii_digits(text: str) -> str:
    """Every decimal digit of any script as its ASCII digit."""
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


def normalise_phone(value: str, *, default_region: str = "RU") -> str:
    """E.164 for a valid number, the same shape for a parsable one, else its digits.

    1. NFKC, trim, every decimal digit as ASCII.
    2. If the first digit or "+" is a "0" followed by another "0" with only spaces or
       punctuation between, those two zeros become "+" ("00 995 …" = "+995 …").
    3. Parse with libphonenumber in `default_region` (for RU it reads the "810"
       international prefix and the "8" trunk prefix of complete numbers). If the text
       does not parse, parse its ASCII digits instead, after a "+" if one came before
       the first digit, with a leading "00" again read as "+"; if they do not parse
       either, those digits are the result.
    4. Valid (phonenumbers.is_valid_number): E.164.
    5. Parsed but not valid: "+", country code, national significant number; for
       country code 7, while that number begins with 88, 89 or 79, its first digit is
       dropped, so "+7 928 123", "8 928 123", "7 928 123" and "928 123" agree. Where
       the 8 could also begin an area code ("8 343 …") it is kept.
    6. Steps 3-5 are repeated on the result until it no longer changes.
    """
    text = _ascii_digits(_nfkc(value).strip())
    first = _FIRST_DIGIT_OR_PLUS.search(text)
    if first is not None and (zeros := _DOUBLE_ZERO.match(text, first.start())) is not None:
        text = text[: first.start()] + "+" + text[zeros.end() :]
    digits = _phone_digits(text)
    # Reading the bare digits when the text does not parse keeps the result a fixed
    # point: "0:1" and its normal form "+701" both read as the digits "01".
    number = _parse_phone(text, default_region) or _parse_phone(digits, default_region)
    if number is None:
        return digits
    result = _format_phone(number)
    # libphonenumber may strip from "+7 8…" a trunk prefix it kept in "8 8…", so the
    # result is read again until it is its own normal form.
    for _ in range(8):
        again = _parse_phone(result, default_region)
        reformatted = result if again is None else _format_phone(again)
        if reformatted == result:
            break
        result = reformatted
    return result


def _format_phone(number: phonenumbers.PhoneNumber) -> str:
    """E.164 if valid, else "+" country code and national number without a +7 zone prefix."""
    if phonenumbers.is_valid_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    national = phonenumbers.national_significant_number(number)
    if number.country_code == 7:
        while national[:2] in _PLUS7_IMPOSSIBLE_STARTS:
            national = national[1:]
    return f"+{number.country_code}{national}"


def _parse_phone(text: str, region: str) -> phonenumbers.PhoneNumber | None:
    """The number libphonenumber reads in the text, or None."""
    try:
        return phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None


def _phone_digits(text: str) -> str:
    """The ASCII digits of a number, after "+" if one was written or they begin with 00."""
    digits = "".join(ch for ch in text if "0" <= ch <= "9")
    first = _FIRST_DIGIT_OR_PLUS.search(text)
    international = first is not None and first.group() == "+"
    if not international and digits.startswith("00"):
        international, digits = True, digits[2:]
    return f"+{digits}" if international and digits else digits


def normalise_email(value: str) -> str:
    """Lower-case, trimmed, NFKC; sub-addresses ("+tag") dropped; the domain in IDNA form."""
    text = _nfkc(value).strip().lower()
    local, sep, domain = text.rpartition("@")
    if not sep:
        return text
    local = local.split("+", 1)[0]
    return f"{local}@{_ascii_domain(domain)}"


def _ascii_domain(domain: str) -> str:
    """The domain as IDNA (punycode) ASCII, without the root's trailing dot."""
    # U+3002 is a label separator in IDNA but survives NFKC.
    domain = domain.replace("\u3002", ".").removesuffix(".")
    if not domain:
        return ""
    if "" in domain.split("."):
        raise ValueError("the e-mail domain has an empty label")
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError("the e-mail domain cannot be encoded as IDNA") from None


def normalise_handle(value: str) -> str:
    """Messenger handles: case-folded, without a leading @ or surrounding space."""
    text = _nfkc(value).strip().lstrip("@").strip()
    # Case-folding can leave text that NFKC changes again (U+0345 becomes ι).
    return unicodedata.normalize("NFKC", text.casefold())


def normalise_document(value: str) -> str:
    """Passport and ID numbers: upper-case letters and ASCII digits, Cyrillic look-alikes as Latin."""
    text = _nfkc(value.replace("№", "")).upper().translate(_DOC_LOOKALIKES)
    return "".join(ch for ch in _ascii_digits(text) if ch.isalnum())


def _unmix_scripts(match: re.Match[str]) -> str:
    """One word written in Latin and Cyrillic look-alikes, read in a single script."""
    word = match.group()
    cyrillic = {ch for ch in word if unicodedata.name(ch, "").startswith("CYRILLIC")}
    latin = {ch for ch in word if unicodedata.name(ch, "").startswith("LATIN")}
    if not cyrillic or not latin:
        return word
    if latin <= set(_LATIN_TWINS) or not cyrillic <= set(_CYRILLIC_TWINS):
        # Cyrillic wins a tie and a word neither script can take whole ("Xасан").
        return word.translate(_LATIN_TO_CYRILLIC)
    return word.translate(_CYRILLIC_TO_LATIN)


def romanise(value: str) -> str:
    """Case-fold, drop diacritics, read mixed-script words in one script, romanise Cyrillic."""
    text = unicodedata.normalize("NFKD", _nfkc(value).casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _LETTER_RUN.sub(_unmix_scripts, unicodedata.normalize("NFC", text))
    return "".join(_CYRILLIC.get(ch, ch) for ch in text)


def _fold_word(word: str) -> str:
    """Apply the folds until nothing changes, so a normalised name normalises to itself."""
    # Every pass that changes the word shortens it or replaces w, q or y, so the bound
    # is never reached; it only guarantees termination.
    for _ in range(2 * len(word) + 4):
        folded = word
        for pattern, replacement in _FOLDS:
            folded = pattern.sub(replacement, folded)
        if folded == word:
            break
        word = folded
    return word


def normalise_name(value: str) -> str:
    """Names: romanised, spelling variants folded, doubled letters merged, word order ignored.

    1. NFKC, case-fold, drop diacritics (so Й→И, Ё→Е).
    2. A word (run of letters) holding both Latin and Cyrillic letters is read in one
       script through the look-alike pairs a/а b/в c/с e/е h/н i/і k/к m/м o/о p/р t/т
       x/х y/у: Cyrillic if all its Latin letters have twins, else Latin if all its
       Cyrillic letters have twins, else its Latin look-alikes become Cyrillic.
    3. Cyrillic is romanised letter by letter (`_CYRILLIC`); the text is split into
       words on anything but a-z, dropping letters of other scripts.
    4. Each word goes through `_FOLDS`, in order, ending with doubled letters merged,
       repeated until it no longer changes.
    5. The words are sorted and joined with single spaces.
    """
    words = (_fold_word(word) for word in re.split(r"[^a-z]+", romanise(value)) if word)
    return " ".join(sorted(words))
