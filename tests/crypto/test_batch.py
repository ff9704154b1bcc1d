"""Envelopes sealed many at a time: the very bytes `seal_field` writes, and each one's own nonce."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.crypto.batch import FieldSealer
from corridor.crypto.envelope import NONCE_BYTES, open_field, seal_field
from corridor.crypto.errors import DecryptionFailed

KEY = bytes(range(32))
NONCE = bytes(range(100, 124))
NAMES = ("event_id", "victim_kind", "victim_person_id")


def _sealer(version: int = 3) -> FieldSealer:
    return FieldSealer(
        KEY, model="documentation.Act", field="victim", key_version=version, context_names=NAMES
    )


@settings(max_examples=60, deadline=None)
@given(
    plaintext=st.binary(max_size=700),
    row=st.text(max_size=40),
    values=st.tuples(st.text(max_size=40), st.text(max_size=10), st.text(max_size=40)),
    version=st.integers(min_value=1, max_value=2**32 - 1),
)
def test_an_envelope_is_the_one_seal_field_writes(
    plaintext: bytes, row: str, values: tuple[str, str, str], version: int
) -> None:
    context = dict(zip(NAMES, values, strict=True))
    expected = seal_field(
        KEY, plaintext, model="documentation.Act", row=row, field="victim", key_version=version,
        context=context, nonce=NONCE,
    )  # fmt: skip
    assert _sealer(version).seal(plaintext, row=row, context=values, nonce=NONCE) == expected


def test_the_context_is_bound_whatever_order_its_names_are_given_in() -> None:
    shuffled = FieldSealer(
        KEY, model="documentation.Act", field="victim", key_version=3, context_names=tuple(reversed(NAMES))
    )
    values = ("e1", "person", "p1")
    assert shuffled.seal(b"Ruslan", row="r1", context=tuple(reversed(values)), nonce=NONCE) == _sealer().seal(
        b"Ruslan", row="r1", context=values, nonce=NONCE
    )


def test_every_envelope_has_its_own_nonce_and_opens_only_in_its_place() -> None:
    sealer = _sealer()
    envelopes = [sealer.seal(b"Ruslan", row=f"r{n}", context=("e1", "person", "")) for n in range(3000)]
    nonces = {envelope[5 : 5 + NONCE_BYTES] for envelope in envelopes}
    assert len(nonces) == 3000
    context = {"event_id": "e1", "victim_kind": "person", "victim_person_id": ""}
    opened = open_field(
        KEY, envelopes[7], model="documentation.Act", row="r7", field="victim", context=context
    )
    assert opened == b"Ruslan"
    with pytest.raises(DecryptionFailed):
        open_field(KEY, envelopes[7], model="documentation.Act", row="r8", field="victim", context=context)
    with pytest.raises(DecryptionFailed):
        open_field(
            KEY, envelopes[7], model="documentation.Act", row="r7", field="victim",
            context={**context, "victim_kind": "group"},
        )  # fmt: skip


def test_a_key_of_the_wrong_size_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        FieldSealer(KEY[:31], model="m", field="f", key_version=1, context_names=())
