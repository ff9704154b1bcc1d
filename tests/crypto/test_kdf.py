"""Argon2id derivation and password-wrapped secrets."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.crypto.errors import UnknownFormat, WrongPassword
from corridor.crypto.kdf import (
    Argon2Cost,
    derive_key,
    normalise_secret,
    owner_context,
    unwrap_with_password,
    wrap_version,
    wrap_with_password,
    wrapped_cost,
)

CHEAP = Argon2Cost(opslimit=1, memlimit=8192)
SALT = bytes(range(16))
# Argon2id(t=1, m=8 KiB, p=1, 32 bytes) of b"correct horse battery staple" with salt 00..0f,
# computed independently with cryptography's OpenSSL Argon2id.
KAT_KEY = bytes.fromhex("d17ea6341ca93da6079ea2f64dc4aa31dd1aaf9caa67fb42ac4afd0714706f26")
# Layout: 0x01 ‖ opslimit u32 ‖ memlimit u64 ‖ salt (16) ‖ nonce (24) ‖ ciphertext + tag.
COST_BYTES = range(1, 13)
HEADER = 13
CTX = owner_context(b"user-id", b"\x01" * 32)

few = settings(max_examples=50, deadline=None)
passwords = st.text(max_size=30)


def test_derive_key_known_answer() -> None:
    assert derive_key(b"correct horse battery staple", SALT, CHEAP) == KAT_KEY


def test_derive_key_depends_on_secret_salt_cost_and_size() -> None:
    assert derive_key(b"correct horse battery stapl", SALT, CHEAP) != KAT_KEY
    assert derive_key(b"correct horse battery staple", bytes(16), CHEAP) != KAT_KEY
    assert derive_key(b"correct horse battery staple", SALT, Argon2Cost(opslimit=2, memlimit=8192)) != KAT_KEY
    long = derive_key(b"correct horse battery staple", SALT, CHEAP, size=64)
    assert len(long) == 64
    assert long[:32] != KAT_KEY  # Argon2 output length is an input to the hash


@pytest.mark.parametrize("length", [0, 8, 15, 17, 32])
def test_derive_key_rejects_salts_that_are_not_16_bytes(length: int) -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        derive_key(b"pw", bytes(length), CHEAP)


def test_argon2_cost_accepts_libsodium_minimums() -> None:
    assert Argon2Cost(opslimit=1, memlimit=8192) == CHEAP


@pytest.mark.parametrize(("opslimit", "memlimit"), [(0, 8192), (-1, 8192), (1, 8191), (1, 0), (0, 0)])
def test_argon2_cost_rejects_values_below_libsodium_minimums(opslimit: int, memlimit: int) -> None:
    with pytest.raises(ValueError, match="minimum"):
        Argon2Cost(opslimit=opslimit, memlimit=memlimit)


def test_wrapped_cost_returns_the_cost_used() -> None:
    cost = Argon2Cost(opslimit=2, memlimit=16384)
    blob = wrap_with_password(b"k" * 32, "pw", cost, context=CTX)
    assert wrapped_cost(blob) == cost
    assert wrapped_cost(wrap_with_password(b"k" * 32, "pw", CHEAP, context=CTX)) == CHEAP
    assert unwrap_with_password(blob, "pw", context=CTX) == b"k" * 32


@few
@given(secret=st.binary(max_size=64), password=passwords)
def test_round_trip(secret: bytes, password: str) -> None:
    blob = wrap_with_password(secret, password, CHEAP, context=CTX)
    if len(secret) >= 8:
        assert secret not in blob
    assert unwrap_with_password(blob, password, context=CTX) == secret


def test_each_wrap_uses_a_fresh_salt_and_nonce() -> None:
    one = wrap_with_password(b"k" * 32, "pw", CHEAP, context=CTX)
    two = wrap_with_password(b"k" * 32, "pw", CHEAP, context=CTX)
    assert one[HEADER : HEADER + 16] != two[HEADER : HEADER + 16]
    assert one[HEADER + 16 : HEADER + 40] != two[HEADER + 16 : HEADER + 40]


@pytest.mark.parametrize("wrong", ["", "pw ", "PW", "pw\x00", "pX"])
def test_wrong_password_raises_wrong_password(wrong: str) -> None:
    blob = wrap_with_password(b"k" * 32, "pw", CHEAP, context=CTX)
    with pytest.raises(WrongPassword):
        unwrap_with_password(blob, wrong, context=CTX)


@few
@given(password=passwords, other=passwords)
def test_any_other_password_fails(password: str, other: str) -> None:
    blob = wrap_with_password(b"k" * 32, password, CHEAP, context=CTX)
    if normalise_secret(other) == normalise_secret(password):
        assert unwrap_with_password(blob, other, context=CTX) == b"k" * 32
    else:
        with pytest.raises(WrongPassword):
            unwrap_with_password(blob, other, context=CTX)


def test_password_is_nfkc_normalised() -> None:
    # "é" typed as one code point or as e + combining accent is the same password.
    blob = wrap_with_password(b"k" * 32, "caf\u00e9", CHEAP, context=CTX)
    assert unwrap_with_password(blob, "cafe\u0301", context=CTX) == b"k" * 32


@few
@given(secret=st.binary(max_size=32), data=st.data())
def test_flipped_byte_outside_cost_fields_fails(secret: bytes, data: st.DataObject) -> None:
    blob = bytearray(wrap_with_password(secret, "pw", CHEAP, context=CTX))
    index = data.draw(st.sampled_from([0, *range(HEADER, len(blob))]), label="index")
    blob[index] ^= data.draw(st.integers(1, 255), label="xor")
    with pytest.raises((WrongPassword, UnknownFormat)):
        unwrap_with_password(bytes(blob), "pw", context=CTX)


@pytest.mark.parametrize(("index", "xor"), [(4, 0x03), (10, 0x01), (11, 0x01), (12, 0x01), (12, 0xFF)])
def test_flipped_cost_byte_that_keeps_a_sane_cost_fails(index: int, xor: int) -> None:
    blob = bytearray(wrap_with_password(b"k" * 32, "pw", CHEAP, context=CTX))
    blob[index] ^= xor
    with pytest.raises(WrongPassword):
        unwrap_with_password(bytes(blob), "pw", context=CTX)


@pytest.mark.parametrize(
    ("index", "xor"),
    [
        (4, 0x01),  # opslimit 1 -> 0: Argon2Cost's ValueError
        (11, 0x20),  # memlimit 8192 -> 0: Argon2Cost's ValueError
        (5, 0x01),  # memlimit 2**56: nacl.exceptions.ValueError before any allocation
        (8, 0x01),  # memlimit 4 GiB: would allocate before failing
        (1, 0x01),  # opslimit 2**24 + 1: would run for hours
    ],
)
def test_flipped_cost_byte_below_minimum_or_above_maximum_fails_cleanly(index: int, xor: int) -> None:
    blob = bytearray(wrap_with_password(b"k" * 32, "pw", CHEAP, context=CTX))
    blob[index] ^= xor
    with pytest.raises((WrongPassword, UnknownFormat)):
        unwrap_with_password(bytes(blob), "pw", context=CTX)


def test_unknown_version_is_unknown_format() -> None:
    blob = wrap_with_password(b"k" * 32, "pw", CHEAP, context=CTX)
    with pytest.raises(UnknownFormat):
        unwrap_with_password(b"\x03" + blob[1:], "pw", context=CTX)
    with pytest.raises(UnknownFormat):
        wrapped_cost(b"\x00" + blob[1:])


@pytest.mark.parametrize("length", [0, 1, 13, 52, 68])
def test_truncated_blob_raises_wrong_password(length: int) -> None:
    blob = wrap_with_password(b"", "pw", CHEAP, context=CTX)
    assert len(blob) == 69
    with pytest.raises(WrongPassword):
        unwrap_with_password(blob[:length], "pw", context=CTX)


def test_wrap_is_bound_to_its_owner() -> None:
    """A wrap copied onto another user's row does not open there, even with the right password."""
    blob = wrap_with_password(b"k" * 32, "pw", CHEAP, context=CTX)
    assert wrap_version(blob) == 2
    for other in (owner_context(b"other-id", b"\x01" * 32), owner_context(b"user-id", b"\x02" * 32), b""):
        with pytest.raises(WrongPassword):
            unwrap_with_password(blob, "pw", context=other)


def test_old_format_wrap_still_opens() -> None:
    """Wraps made before owner binding (version 1: no context in the associated data) are read."""
    import struct

    from nacl import bindings

    salt, nonce = bytes(range(16)), bytes(range(24))
    header = struct.pack(">BIQ", 1, 1, 8192)
    kek = derive_key(normalise_secret("pw"), salt, CHEAP)
    ct = bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(
        b"k" * 32, header + b"corridor.password-wrap.v1", nonce, kek
    )
    blob = header + salt + nonce + ct
    assert wrap_version(blob) == 1
    assert unwrap_with_password(blob, "pw", context=CTX) == b"k" * 32
