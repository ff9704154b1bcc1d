"""Streaming file encryption: round trips at chunk edges, and every kind of tampering fails."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.crypto.errors import DecryptionFailed
from corridor.crypto.files import (
    CHUNK,
    HEADER_BYTES,
    StreamEncryptor,
    decrypt_bytes,
    decrypt_chunks,
    encrypt_bytes,
)

KEY = bytes(range(32))
EDGES = [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 2 * CHUNK + 7]


@pytest.mark.parametrize("size", EDGES)
def test_round_trip_at_chunk_edges(size: int) -> None:
    data = hashlib.shake_256(str(size).encode()).digest(size) if size else b""
    assert decrypt_bytes(KEY, encrypt_bytes(KEY, data)) == data


@settings(max_examples=30)
@given(data=st.binary(max_size=3 * 1024), pieces=st.integers(1, 97))
def test_streaming_in_any_pieces_gives_the_same_plaintext(data: bytes, pieces: int) -> None:
    encryptor = StreamEncryptor(KEY)
    parts = [encryptor.header] + [encryptor.update(data[i : i + pieces]) for i in range(0, len(data), pieces)]
    blob = b"".join([*parts, encryptor.finish()])
    assert b"".join(decrypt_chunks(KEY, [blob[i : i + 13] for i in range(0, len(blob), 13)])) == data


@pytest.mark.parametrize("size", EDGES)
def test_truncation_fails(size: int) -> None:
    blob = encrypt_bytes(KEY, b"x" * size)
    for cut in {HEADER_BYTES, len(blob) - 1, len(blob) - 17}:
        if 0 < cut < len(blob):
            with pytest.raises(DecryptionFailed):
                decrypt_bytes(KEY, blob[:cut])


@pytest.mark.parametrize("size", EDGES)
def test_data_after_the_final_chunk_fails(size: int) -> None:
    with pytest.raises(DecryptionFailed):
        decrypt_bytes(KEY, encrypt_bytes(KEY, b"y" * size) + b"junk")


def test_a_flipped_byte_or_another_key_fails() -> None:
    blob = bytearray(encrypt_bytes(KEY, b"z" * (CHUNK + 10)))
    with pytest.raises(DecryptionFailed):
        decrypt_bytes(bytes(32), bytes(blob))
    for index in (0, HEADER_BYTES, HEADER_BYTES + CHUNK // 2, len(blob) - 1):
        tampered = bytearray(blob)
        tampered[index] ^= 0x01
        with pytest.raises(DecryptionFailed):
            decrypt_bytes(KEY, bytes(tampered))


def test_a_stream_cannot_be_finished_twice() -> None:
    encryptor = StreamEncryptor(KEY)
    encryptor.finish()
    with pytest.raises(RuntimeError):
        encryptor.finish()
