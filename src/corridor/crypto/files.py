"""Streaming file encryption with libsodium's secretstream (XChaCha20-Poly1305).

A stream is the 24-byte header followed by chunks of at most CHUNK plaintext bytes,
each with its own tag; the last chunk carries TAG_FINAL, so truncation is detected.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from nacl import bindings as b
from nacl.exceptions import CryptoError as NaclCryptoError

from corridor.crypto.errors import DecryptionFailed

CHUNK = 64 * 1024
KEY_BYTES = b.crypto_secretstream_xchacha20poly1305_KEYBYTES
HEADER_BYTES = b.crypto_secretstream_xchacha20poly1305_HEADERBYTES
ABYTES = b.crypto_secretstream_xchacha20poly1305_ABYTES
_AD = b"corridor.file.v1"


class StreamEncryptor:
    """Encrypts a stream piece by piece; feed bytes in, collect ciphertext out."""

    def __init__(self, key: bytes) -> None:
        self._state = b.crypto_secretstream_xchacha20poly1305_state()
        self.header = b.crypto_secretstream_xchacha20poly1305_init_push(self._state, key)
        self._buffer = bytearray()
        self._done = False

    def update(self, data: bytes) -> bytes:
        """Encrypt whole chunks of what has been fed so far."""
        self._buffer.extend(data)
        out = bytearray()
        while len(self._buffer) > CHUNK:
            out += self._push(bytes(self._buffer[:CHUNK]), final=False)
            del self._buffer[:CHUNK]
        return bytes(out)

    def finish(self) -> bytes:
        """Encrypt the rest with the final tag."""
        if self._done:
            raise RuntimeError("stream already finished")
        self._done = True
        out = self._push(bytes(self._buffer), final=True)
        self._buffer.clear()
        return out

    def _push(self, chunk: bytes, *, final: bool) -> bytes:
        tag = (
            b.crypto_secretstream_xchacha20poly1305_TAG_FINAL
            if final
            else b.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
        )
        return b.crypto_secretstream_xchacha20poly1305_push(self._state, chunk, _AD, tag)


def encrypt_bytes(key: bytes, data: bytes) -> bytes:
    """Encrypt a whole byte string as one stream."""
    enc = StreamEncryptor(key)
    return enc.header + enc.update(data) + enc.finish()


def decrypt_chunks(key: bytes, ciphertext: Iterable[bytes]) -> Iterator[bytes]:
    """Decrypt a stream given as arbitrary pieces; raises DecryptionFailed on tampering or truncation."""
    buffer = bytearray()
    state = None
    final = False
    step = CHUNK + ABYTES
    for piece in ciphertext:
        buffer.extend(piece)
        if state is None:
            if len(buffer) < HEADER_BYTES:
                continue
            state = b.crypto_secretstream_xchacha20poly1305_state()
            try:
                b.crypto_secretstream_xchacha20poly1305_init_pull(state, bytes(buffer[:HEADER_BYTES]), key)
            except NaclCryptoError as exc:
                raise DecryptionFailed("bad stream header") from exc
            del buffer[:HEADER_BYTES]
        while len(buffer) > step:
            if final:
                raise DecryptionFailed("data after the final chunk")
            plain, final = _pull(state, bytes(buffer[:step]))
            del buffer[:step]
            yield plain
    if final:
        if buffer:
            raise DecryptionFailed("data after the final chunk")
        return
    if state is None or not buffer:
        raise DecryptionFailed("stream is truncated")
    plain, final = _pull(state, bytes(buffer))
    if not final:
        raise DecryptionFailed("stream is truncated")
    yield plain


def decrypt_bytes(key: bytes, ciphertext: bytes) -> bytes:
    return b"".join(decrypt_chunks(key, [ciphertext]))


def _pull(state: b.crypto_secretstream_xchacha20poly1305_state, chunk: bytes) -> tuple[bytes, bool]:
    try:
        plain, tag = b.crypto_secretstream_xchacha20poly1305_pull(state, chunk, _AD)
    except NaclCryptoError as exc:
        raise DecryptionFailed("stream chunk does not authenticate") from exc
    return plain, tag == b.crypto_secretstream_xchacha20poly1305_TAG_FINAL
