"""Field envelopes: exact format, round trips, tamper and context binding."""

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from corridor.crypto.envelope import (
    MIN_PADDED,
    associated_data,
    envelope_key_version,
    envelope_version,
    generate_key,
    open_field,
    pad,
    padded_length,
    seal_field,
    unpad,
)
from corridor.crypto.errors import DecryptionFailed, UnknownFormat

KEY = bytes(range(32))
NONCE = bytes(range(100, 124))
CONTEXT = {"model": "Case", "row": "42", "field": "full_name"}

# Computed once, independently of envelope.py, with raw
# nacl.bindings.crypto_aead_xchacha20poly1305_ietf_encrypt over the documented layout:
# header = 0x01 ‖ key_version u32 BE; AD = header ‖ u16-length-prefixed
# ("corridor.field.v1", model, row, field, str(key_version)); envelope = header ‖ nonce ‖ ct.
KAT_AD = bytes.fromhex(
    "0011636f727269646f722e6669656c642e763100044361736500023432000966756c6c5f6e616d65000137"
)
KAT_ENVELOPE = bytes.fromhex(
    "0100000007"
    "6465666768696a6b6c6d6e6f707172737475767778797a7b"
    "371b98c39e40a9cfe657f252c30bd2bfd5261fb3639ccae3266853eb6d79ab45"
)

# Version 2, computed the same independent way: header = 0x02 ‖ key_version; AD adds the
# context pairs sorted by name ("kind", "reply", "thread", "t1"); the plaintext is
# "Khasan Magomedov" ‖ 0x80 ‖ zeros up to 256 bytes. The envelope is 301 bytes.
KAT2_CONTEXT = {"thread": "t1", "kind": "reply"}
KAT2_AD = bytes.fromhex(
    "0011636f727269646f722e6669656c642e763200044361736500023432000966756c6c5f6e616d65000137"
    "00046b696e6400057265706c79000674687265616400027431"
)
KAT2_SHA256 = "80663bbe29d56e298d63bbb95d908f89438518b104bb562d6c770079a8cca9eb"

names = st.text(max_size=40)
few = settings(max_examples=50)


def test_associated_data_matches_documented_encoding() -> None:
    assert associated_data(**CONTEXT, key_version=7, version=1) == KAT_AD
    assert associated_data(**CONTEXT, key_version=7, context=KAT2_CONTEXT) == KAT2_AD


def test_seal_field_known_answer() -> None:
    import hashlib

    envelope = seal_field(
        KEY, b"Khasan Magomedov", **CONTEXT, key_version=7, context=KAT2_CONTEXT, nonce=NONCE
    )
    assert len(envelope) == 301
    assert hashlib.sha256(envelope).hexdigest() == KAT2_SHA256
    assert open_field(KEY, envelope, **CONTEXT, context=KAT2_CONTEXT) == b"Khasan Magomedov"
    assert envelope_version(envelope) == 2


def test_old_format_known_answer_opens_only_where_accepted() -> None:
    assert open_field(KEY, KAT_ENVELOPE, **CONTEXT, accept_legacy=True) == b"Khasan Magomedov"
    assert envelope_key_version(KAT_ENVELOPE) == 7
    assert envelope_version(KAT_ENVELOPE) == 1
    # Where a bound envelope is expected, an old one (which binds no context) is refused.
    with pytest.raises(DecryptionFailed):
        open_field(KEY, KAT_ENVELOPE, **CONTEXT)


def test_changed_bound_column_fails() -> None:
    """A note turned into a reply by a database write no longer decrypts."""
    envelope = seal_field(KEY, b"likely provocateur", **CONTEXT, context={"kind": "note", "thread": "t1"})
    assert (
        open_field(KEY, envelope, **CONTEXT, context={"kind": "note", "thread": "t1"})
        == b"likely provocateur"
    )
    for changed in (
        {"kind": "reply", "thread": "t1"},
        {"kind": "note", "thread": "t2"},
        {"kind": "note"},
        None,
    ):
        with pytest.raises(DecryptionFailed):
            open_field(KEY, envelope, **CONTEXT, context=changed)


@given(st.integers(min_value=0, max_value=1 << 22))
def test_padding_buckets(length: int) -> None:
    bucket = padded_length(length)
    assert bucket >= max(MIN_PADDED, length + 1)
    # Above the minimum bucket, the overhead stays under 12 %.
    if length + 1 > MIN_PADDED:
        assert bucket - (length + 1) <= 0.12 * (length + 1)


@given(st.binary(max_size=3000))
def test_padding_round_trips(data: bytes) -> None:
    padded = pad(data)
    assert len(padded) == padded_length(len(data))
    assert unpad(padded) == data


def test_lengths_within_a_bucket_look_alike() -> None:
    key = generate_key()
    short = seal_field(key, b"yes", **CONTEXT)
    longer = seal_field(key, b"They took my brother to the police station yesterday.", **CONTEXT)
    assert len(short) == len(longer) == 5 + 24 + MIN_PADDED + 16


def test_random_nonce_makes_each_seal_different() -> None:
    key = generate_key()
    one = seal_field(key, b"same", **CONTEXT)
    two = seal_field(key, b"same", **CONTEXT)
    assert one[5:29] != two[5:29]
    assert one != two
    assert open_field(key, one, **CONTEXT) == open_field(key, two, **CONTEXT) == b"same"


def test_generate_key_is_32_random_bytes() -> None:
    assert len(generate_key()) == 32
    assert generate_key() != generate_key()


def test_seal_field_rejects_bad_key_and_nonce_lengths() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        seal_field(KEY[:31], b"x", **CONTEXT)
    with pytest.raises(ValueError, match="24 bytes"):
        seal_field(KEY, b"x", **CONTEXT, nonce=NONCE[:23])


@few
@given(
    plaintext=st.binary(max_size=300),
    model=names,
    row=names,
    field=names,
    key_version=st.integers(0, 2**32 - 1),
)
def test_round_trip(plaintext: bytes, model: str, row: str, field: str, key_version: int) -> None:
    key = generate_key()
    envelope = seal_field(key, plaintext, model=model, row=row, field=field, key_version=key_version)
    if len(plaintext) >= 8:
        assert plaintext not in envelope
    assert envelope_key_version(envelope) == key_version
    assert open_field(key, envelope, model=model, row=row, field=field) == plaintext


@few
@given(plaintext=st.binary(max_size=64), data=st.data())
def test_any_flipped_byte_fails(plaintext: bytes, data: st.DataObject) -> None:
    envelope = bytearray(seal_field(KEY, plaintext, **CONTEXT))
    index = data.draw(st.integers(0, len(envelope) - 1), label="index")
    envelope[index] ^= data.draw(st.integers(1, 255), label="xor")
    with pytest.raises((DecryptionFailed, UnknownFormat)):
        open_field(KEY, bytes(envelope), **CONTEXT)


def test_unknown_version_byte_is_unknown_format() -> None:
    with pytest.raises(UnknownFormat):
        open_field(KEY, b"\x03" + KAT_ENVELOPE[1:], **CONTEXT)


@pytest.mark.parametrize("length", [0, 1, 5, 29, 44])
def test_truncated_envelope_fails(length: int) -> None:
    with pytest.raises(DecryptionFailed):
        open_field(KEY, KAT_ENVELOPE[:length], **CONTEXT)
    with pytest.raises(DecryptionFailed):
        envelope_key_version(KAT_ENVELOPE[:length])


def test_wrong_key_fails() -> None:
    with pytest.raises(DecryptionFailed):
        open_field(bytes(32), KAT_ENVELOPE, **CONTEXT)


@pytest.mark.parametrize(
    "moved",
    [
        {"model": "Applicant", "row": "42", "field": "full_name"},
        {"model": "Case", "row": "43", "field": "full_name"},
        {"model": "Case", "row": "42", "field": "alias"},
        {"model": "case", "row": "42", "field": "full_name"},
    ],
)
def test_envelope_moved_to_another_model_row_or_field_fails(moved: dict[str, str]) -> None:
    with pytest.raises(DecryptionFailed):
        open_field(KEY, KAT_ENVELOPE, **moved)


@few
@given(model=names, row=names, field=names, other=st.tuples(names, names, names))
def test_any_other_context_fails(model: str, row: str, field: str, other: tuple[str, str, str]) -> None:
    assume(other != (model, row, field))
    envelope = seal_field(KEY, b"secret", model=model, row=row, field=field)
    with pytest.raises(DecryptionFailed):
        open_field(KEY, envelope, model=other[0], row=other[1], field=other[2])


@pytest.mark.parametrize("key_version", [0, 1, 6, 8, 2**32 - 1])
def test_relabelled_key_version_fails(key_version: int) -> None:
    relabelled = KAT_ENVELOPE[:1] + key_version.to_bytes(4, "big") + KAT_ENVELOPE[5:]
    assert envelope_key_version(relabelled) == key_version
    with pytest.raises(DecryptionFailed):
        open_field(KEY, relabelled, **CONTEXT)


def test_associated_data_is_unambiguous_across_separators() -> None:
    one = associated_data(model="Case", row="1|2", field="x", key_version=1)
    two = associated_data(model="Case", row="1", field="2|x", key_version=1)
    assert one != two
    envelope = seal_field(KEY, b"secret", model="Case", row="1|2", field="x")
    with pytest.raises(DecryptionFailed):
        open_field(KEY, envelope, model="Case", row="1", field="2|x")


def test_associated_data_is_unambiguous_across_empty_parts() -> None:
    assert associated_data(model="ab", row="", field="c", key_version=1) != associated_data(
        model="a", row="b", field="c", key_version=1
    )
    # The key version is the last part: "1" + row "1" must not equal "11" + row "".
    assert associated_data(model="m", row="r1", field="f", key_version=1) != associated_data(
        model="m", row="r", field="f1", key_version=1
    )


@few
@given(
    a=st.tuples(names, names, names, st.integers(0, 2**32 - 1)),
    b=st.tuples(names, names, names, st.integers(0, 2**32 - 1)),
)
def test_associated_data_is_injective(a: tuple[str, str, str, int], b: tuple[str, str, str, int]) -> None:
    ad_a = associated_data(model=a[0], row=a[1], field=a[2], key_version=a[3])
    ad_b = associated_data(model=b[0], row=b[1], field=b[2], key_version=b[3])
    assert (ad_a == ad_b) == (a == b)
