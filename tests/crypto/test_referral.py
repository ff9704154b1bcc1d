"""Referral packets: known answers, round trips, and every check that must refuse."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corridor.crypto import kdf, keys, referral
from corridor.crypto.errors import UnknownFormat, WrongPassword
from corridor.crypto.words import fingerprint_digits, fingerprint_words

SIGNING_SEED = bytes(range(32))
PARTNER = keys.keypair_from_seed(bytes(range(32, 64)))
# The partner key pair from seed 32..63 (libsodium's crypto_box_seed_keypair, as in test_keys).
PARTNER_PUBLIC_HEX = "5730800ab340fcb18ce5111eda9d705f91388b41e4544cbd103ba5942db2233e"
PARTNER_TEXT = "corridor-partner-v1:VzCACrNA_LGM5REe2p1wX5E4i0HkVEy9EDullC2yIz4"
SIGNER_WORDS = "testify item temple extra · worthy best random cowboy · spill swimming playoff piece"
# A packet made once by build_packet (the seal is random, so it is fixed here as bytes): opening
# it must keep working, whatever the code becomes.
KNOWN_PACKET = bytes.fromhex(
    "4352503188929e48b37ee353493fa8142155cdb81f7c805404b48c64799f0a53ed7e78112a14b7a74481545520da"
    "4fd6e097ed8bffb2e9e8ecfe192a75a897d66da5e8778426e60b92b0ce46142e0cae56e9fa6f7b1ad4033eccf1e7"
    "4fac3f9c76c29a7b348cf76cee1e32a16bb01d83c349fe4ad91525ab9375f6905bc9b87164b0fc4e0278bfab596e"
    "70ed28be7e9c8a5625dd97a396737b1544a664ae7b179903f8d5fb0345deed80f149e371c6754c95a46aea357025"
    "bbb1567814adb16650e607de7f99d6d849e42d1f940a4abb01f73a70549b5598398cb91a871f599fb2dec47b64a9"
    "db3dabeabfa941ae68e674e6a09ec07b46ab4ecf5595b455cfc539450d338efb39e4e9563a7a2e1aeea1ee08ba7e"
    "ae8e379bdfb65de987d98f4ef97c090bf7d0bd7bed9df58231eb8e821260a6508bb7406526a4f4686652b7c1ab4c"
    "e27ef3500e722c1b5650ab"
)
PAYLOAD = {"person": {"names": ["Test Person"]}}


def _packet(payload: dict | None = None, *, partner_public: bytes = PARTNER.public) -> bytes:
    return referral.build_packet(
        signing_seed=SIGNING_SEED,
        partner_public=partner_public,
        packet_id="R-1",
        created_at="2026-12-03T00:00:00+00:00",
        payload=PAYLOAD if payload is None else payload,
    )


def test_known_keys_and_fingerprint() -> None:
    assert PARTNER.public.hex() == PARTNER_PUBLIC_HEX
    assert referral.encode_public(PARTNER.public) == PARTNER_TEXT
    assert referral.decode_public(PARTNER_TEXT) == PARTNER.public
    assert fingerprint_words(keys.verify_key_of(SIGNING_SEED)) == SIGNER_WORDS


def test_known_packet_opens() -> None:
    opened = referral.open_packet(
        partner_private=PARTNER.private, signer_fingerprint=SIGNER_WORDS, packet=KNOWN_PACKET
    )
    assert opened.id == "R-1"
    assert opened.created_at == "2026-12-03T00:00:00+00:00"
    assert opened.payload == PAYLOAD
    assert opened.signer_key == keys.verify_key_of(SIGNING_SEED)


def test_the_digit_form_of_the_fingerprint_works_too() -> None:
    digits = fingerprint_digits(keys.verify_key_of(SIGNING_SEED))
    opened = referral.open_packet(
        partner_private=PARTNER.private, signer_fingerprint=digits, packet=_packet()
    )
    assert opened.payload == PAYLOAD


@given(st.dictionaries(st.text(max_size=20), st.text(max_size=200), max_size=8))
def test_round_trip(payload: dict[str, str]) -> None:
    opened = referral.open_packet(
        partner_private=PARTNER.private, signer_fingerprint=SIGNER_WORDS, packet=_packet(payload)
    )
    assert opened.payload == payload


def test_a_wrong_key_does_not_open() -> None:
    other = keys.generate_keypair()
    with pytest.raises(referral.PacketRefused, match="does not open"):
        referral.open_packet(partner_private=other.private, signer_fingerprint=SIGNER_WORDS, packet=_packet())


@pytest.mark.parametrize("position", [0, 4, 40, 100, -1])
def test_any_changed_byte_is_refused(position: int) -> None:
    packet = bytearray(KNOWN_PACKET)
    packet[position] ^= 0x01
    with pytest.raises(referral.PacketRefused):
        referral.open_packet(
            partner_private=PARTNER.private, signer_fingerprint=SIGNER_WORDS, packet=bytes(packet)
        )


def test_a_truncated_packet_is_refused() -> None:
    with pytest.raises(referral.PacketRefused):
        referral.open_packet(
            partner_private=PARTNER.private, signer_fingerprint=SIGNER_WORDS, packet=KNOWN_PACKET[:-1]
        )


def test_another_signer_is_refused() -> None:
    forger = keys.generate_signing_seed()
    packet = referral.build_packet(
        signing_seed=forger, partner_public=PARTNER.public, packet_id="R-1", created_at="", payload={}
    )
    with pytest.raises(referral.PacketRefused, match="published fingerprint"):
        referral.open_packet(partner_private=PARTNER.private, signer_fingerprint=SIGNER_WORDS, packet=packet)
    with pytest.raises(referral.PacketRefused, match="published fingerprint"):
        referral.open_packet(
            partner_private=PARTNER.private, signer_fingerprint="testify " * 12, packet=KNOWN_PACKET
        )


def test_a_packet_signed_for_another_partner_and_sealed_again_is_refused() -> None:
    """The partner named in the signed body is checked: a packet cannot be forwarded as someone else's."""
    other = keys.generate_keypair()
    inner = keys.unseal(other.private, _packet(partner_public=other.public)[4:])
    forwarded = referral.MAGIC + keys.seal_to(PARTNER.public, inner)
    with pytest.raises(referral.PacketRefused, match="another recipient"):
        referral.open_packet(
            partner_private=PARTNER.private, signer_fingerprint=SIGNER_WORDS, packet=forwarded
        )


def test_an_unknown_version_is_refused() -> None:
    body = b'{"v":2}'
    signature = keys.sign(SIGNING_SEED, b"corridor.referral.v1\x00" + body)
    inner = keys.verify_key_of(SIGNING_SEED) + signature + body
    with pytest.raises(UnknownFormat):
        referral.open_packet(
            partner_private=PARTNER.private,
            signer_fingerprint=SIGNER_WORDS,
            packet=referral.MAGIC + keys.seal_to(PARTNER.public, inner),
        )


@pytest.mark.parametrize("text", ["", "one two three", "testify zzz " * 6, "9999 " * 12])
def test_malformed_fingerprints_are_refused(text: str) -> None:
    assert not referral.key_matches_fingerprint(keys.verify_key_of(SIGNING_SEED), text)
    with pytest.raises(ValueError, match="fingerprint"):
        referral.open_packet(partner_private=PARTNER.private, signer_fingerprint=text, packet=KNOWN_PACKET)


@pytest.mark.parametrize(
    "text", ["", "corridor-partner-v1:", "corridor-partner-v1:!!!", "ssh-ed25519 AAAA", PARTNER_TEXT[:-4]]
)
def test_malformed_public_keys_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="partner key"):
        referral.decode_public(text)


def test_key_files_round_trip_and_refuse_damage() -> None:
    text = referral.encode_private(PARTNER.private)
    assert referral.decode_private(text) == PARTNER.private
    for damaged in ("", text.replace("v1", "v2"), text[:-5] + "\n", "x\ny\nz"):
        with pytest.raises(ValueError, match="key file"):
            referral.decode_private(damaged)


# A key file protected with the passphrase "correct horse" at the cheapest Argon2id cost, made once.
PROTECTED_KEY_FILE = (
    "corridor-partner-private-key-v1-passphrase\n"
    "VzCACrNA/LGM5REe2p1wX5E4i0HkVEy9EDullC2yIz4CAAAAAQAAAAAAACAAB7XFppzr5ufAqmIyic2zXF91Aak6wQclE+GPjMOxV4Sf0dIh"
    "QvMS3XTlcMpoiXsrd5ZVB7NqpOXD62r0Ft/bkpJF9N5+xTlejcgCsmJmBowLEbUz8WG3RA==\n"
)
CHEAP = kdf.Argon2Cost(opslimit=1, memlimit=8192)


def test_a_known_protected_key_file_opens_with_its_passphrase_only() -> None:
    assert referral.key_file_is_protected(PROTECTED_KEY_FILE)
    assert referral.decode_private(PROTECTED_KEY_FILE, passphrase="correct horse") == PARTNER.private
    for wrong in (None, "", "correct horse "):
        with pytest.raises(WrongPassword):
            referral.decode_private(PROTECTED_KEY_FILE, passphrase=wrong)


def test_protected_key_files_round_trip_and_refuse_a_swapped_public_half() -> None:
    text = referral.encode_private(PARTNER.private, passphrase="пароль партнёра", cost=CHEAP)
    assert referral.decode_private(text, passphrase="пароль партнёра") == PARTNER.private
    header, body = text.strip().splitlines()
    raw = base64.b64decode(body)
    swapped = f"{header}\n{base64.b64encode(keys.generate_keypair().public + raw[32:]).decode()}\n"
    with pytest.raises(WrongPassword):  # the wrap is bound to its public half
        referral.decode_private(swapped, passphrase="пароль партнёра")
