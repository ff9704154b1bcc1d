"""Many field envelopes of one model's field under one key, as an import writes them.

`FieldSealer.seal` returns exactly what `envelope.seal_field` returns for the same key,
model, row, field, key version, context and nonce (tests/crypto/test_batch.py holds the two
to the same bytes): the parts of the associated data every row shares are encoded once and
the key is checked once. The encryption itself is the same public PyNaCl binding
`seal_field` calls, and every envelope gets its own random nonce from libsodium.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from nacl import bindings
from nacl.utils import random as random_bytes

from corridor.crypto import envelope

_pack = struct.Struct(">H").pack
_pad = envelope.pad
_encrypt = bindings.crypto_aead_xchacha20poly1305_ietf_encrypt
_NONCE_BYTES = envelope.NONCE_BYTES


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

    def seal(
        self, plaintext: bytes, *, row: str, context: Sequence[str], nonce: bytes | None = None
    ) -> bytes:
        """One envelope; `nonce` is for known-answer tests only."""
        if nonce is None:
            nonce = random_bytes(_NONCE_BYTES)
        elif len(nonce) != _NONCE_BYTES:
            raise ValueError("nonces are 24 bytes")
        encoded = row.encode()
        ad = [self._prefix, _pack(len(encoded)), encoded, self._middle]
        for i, name in self._context:
            encoded = context[i].encode()
            ad += (name, _pack(len(encoded)), encoded)
        return self._header + nonce + _encrypt(_pad(plaintext), b"".join(ad), nonce, self._key)
