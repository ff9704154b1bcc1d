"""Row MACs: exact encoding, binding of every part, and constant-time checking."""

import hashlib
import hmac
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corridor.crypto.integrity import derive_integrity_key, row_tag, row_tag_ok

KEY = bytes(range(32))


def test_known_answer() -> None:
    # Computed from the documented encoding with the standard library alone.
    encoded = b"".join(
        struct.pack(">I", len(p)) + p for p in [b"corridor.user.v1", b"id-1", b"\x07" * 32, b"1"]
    )
    expected = hmac.new(KEY, encoded, hashlib.sha256).digest()
    assert row_tag(KEY, "corridor.user.v1", "id-1", b"\x07" * 32, 1) == expected


def test_derived_key_is_domain_separated() -> None:
    assert derive_integrity_key(b"secret") == hashlib.sha256(b"corridor.integrity-key.v1\x00secret").digest()
    assert derive_integrity_key(b"secret") != derive_integrity_key(b"secret2")


def test_every_part_is_bound() -> None:
    tag = row_tag(KEY, "label", "user", b"pub", True)
    assert row_tag_ok(KEY, tag, "label", "user", b"pub", True)
    assert not row_tag_ok(KEY, tag, "label", "user", b"pub", False)
    assert not row_tag_ok(KEY, tag, "label", "user", b"puB", True)
    assert not row_tag_ok(KEY, tag, "other", "user", b"pub", True)
    assert not row_tag_ok(bytes(32), tag, "label", "user", b"pub", True)


@given(st.lists(st.binary(max_size=8), max_size=4), st.lists(st.binary(max_size=8), max_size=4))
def test_encoding_is_unambiguous(a: list[bytes], b: list[bytes]) -> None:
    if a != b:
        assert row_tag(KEY, "l", *a) != row_tag(KEY, "l", *b)


def test_key_length_is_checked() -> None:
    with pytest.raises(ValueError):
        row_tag(b"short", "l")
