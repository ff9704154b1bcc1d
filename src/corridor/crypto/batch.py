"""Many field envelopes of one model's field under one key, as an import writes them.

`FieldSealer.seal` returns exactly what `envelope.seal_field` returns for the same key,
model, row, field, key version, context and nonce (tests/crypto/test_batch.py holds the two
to the same bytes): the parts of the associated data every row shares are encoded once,
the key is checked once, libsodium is called without the per-call checks of `nacl.bindings`
(made once here) into one reused buffer, and nonces are drawn from the system's random
source many at a time. Every envelope still gets its own random nonce.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Sequence

# The libsodium functions `nacl.bindings` wraps: its wrappers check every argument and allocate
# the output on each call, which cost more than the encryption of a short field. The key is
# checked once here, the nonce and associated data are built here, and one buffer is reused.
from nacl._sodium import ffi, lib

from corridor.crypto import envelope

_pack = struct.Struct(">H").pack
_pad = envelope.pad
_encrypt = lib.crypto_aead_xchacha20poly1305_ietf_encrypt
_NONCE_BYTES = envelope.NONCE_BYTES
_TAG_BYTES = envelope.TAG_BYTES
_NONCES_AT_ONCE = 1_024


def _part(value: bytes) -> bytes:
    return _pack(len(value)) + value


class FieldSealer:
    """Seals one field of many rows; `context_names` are the bound columns, values given in that order."""

    def __init__(
        self, key: bytes, *, model: str, field: str, key_version: int, context_names: Sequence[str]
    ) -> None:
        if len(key) != envelope.KEY_BYTES:
            raise ValueError("field keys are 32 bytes")
        self._key = key
        self._header = struct.pack(">BI", envelope.VERSION, key_version)
        # The format's label, as `envelope.associated_data` puts it first.
        label = envelope._LABELS[envelope.VERSION]
        self._prefix = self._header + _part(label) + _part(model.encode())
        self._middle = _part(field.encode()) + _part(str(key_version).encode())
        # The context is bound sorted by name: the position of each name's value in that order.
        order = sorted(range(len(context_names)), key=lambda i: context_names[i])
        self._context = [(i, _part(context_names[i].encode())) for i in order]
        self._nonces = b""
        self._used = 0
        self._out = ffi.new("unsigned char[]", 4_096)

    def seal(
        self, plaintext: bytes, *, row: str, context: Sequence[str], nonce: bytes | None = None
    ) -> bytes:
        """One envelope; `nonce` is for known-answer tests only."""
        if nonce is None:
            used = self._used
            if used == len(self._nonces):
                self._nonces, used = os.urandom(_NONCE_BYTES * _NONCES_AT_ONCE), 0
            self._used = used + _NONCE_BYTES
            nonce = self._nonces[used : self._used]
        elif len(nonce) != _NONCE_BYTES:
            raise ValueError("nonces are 24 bytes")
        encoded = row.encode()
        ad = [self._prefix, _pack(len(encoded)), encoded, self._middle]
        for i, name in self._context:
            encoded = context[i].encode()
            ad += (name, _pack(len(encoded)), encoded)
        data, padded = b"".join(ad), _pad(plaintext)
        size = len(padded) + _TAG_BYTES
        if size > len(self._out):
            self._out = ffi.new("unsigned char[]", size)
        failed = _encrypt(
            self._out, ffi.NULL, padded, len(padded), data, len(data), ffi.NULL, nonce, self._key
        )
        if failed:
            raise RuntimeError("libsodium refused to encrypt a field")
        return self._header + nonce + ffi.buffer(self._out, size)[:]
