"""X25519 sealing, Ed25519 signatures and the split-key session unlock."""

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.crypto.errors import DecryptionFailed
from corridor.crypto.keys import (
    fingerprint,
    generate_keypair,
    generate_signing_seed,
    join_session_halves,
    keypair_from_seed,
    public_key_of,
    seal_to,
    sign,
    split_for_session,
    unseal,
    verify,
    verify_key_of,
)

SEED = bytes(range(32))
# libsodium's crypto_box_seed_keypair: private = SHA-512(seed)[:32], public = X25519 base-point
# multiple; computed independently with hashlib and cryptography's X25519.
SEED_PRIVATE = bytes.fromhex("3d94eea49c580aef816935762be049559d6d1440dede12e6a125f1841fff8e6f")
SEED_PUBLIC = bytes.fromhex("4701d08488451f545a409fb58ae3e58581ca40ac3f7f114698cd71deac73ca01")
# Ed25519 with the same seed, computed independently with cryptography's Ed25519.
SEED_VERIFY_KEY = bytes.fromhex("03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8")
SEED_SIGNATURE = bytes.fromhex(
    "79eaeceea051201fe6998dc74ccc290556f910f6cb55a46d2c96735dee5faae5"
    "a0f5f0f3efc4fbcc8625f7488c1f1fa0b69324ed006ddbf372416e3b7cf70805"
)
MESSAGE = b"Corridor reply 1"

# RFC 8032, section 7.1, tests 1 and 2.
RFC8032 = [
    (
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    ),
    (
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    ),
]
# RFC 7748, section 6.1.
ALICE_PRIVATE = bytes.fromhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
ALICE_PUBLIC = bytes.fromhex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
BOB_PRIVATE = bytes.fromhex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")
BOB_PUBLIC = bytes.fromhex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")

few = settings(max_examples=50)
secrets = st.binary(max_size=96)


# --- X25519 ---------------------------------------------------------------------------


def test_keypair_from_seed_known_answer() -> None:
    pair = keypair_from_seed(SEED)
    assert pair.private == SEED_PRIVATE
    assert pair.private == hashlib.sha512(SEED).digest()[:32]
    assert pair.public == SEED_PUBLIC
    assert keypair_from_seed(SEED) == pair


def test_keypair_from_seed_depends_on_the_seed() -> None:
    assert keypair_from_seed(bytes(32)).public != SEED_PUBLIC


@pytest.mark.parametrize(("private", "public"), [(ALICE_PRIVATE, ALICE_PUBLIC), (BOB_PRIVATE, BOB_PUBLIC)])
def test_public_key_of_rfc7748(private: bytes, public: bytes) -> None:
    assert public_key_of(private) == public


def test_generated_keypairs_are_fresh_and_consistent() -> None:
    one, two = generate_keypair(), generate_keypair()
    assert one.private != two.private
    assert public_key_of(one.private) == one.public
    assert len(one.private) == len(one.public) == 32


@few
@given(secret=secrets)
def test_seal_round_trip(secret: bytes) -> None:
    sealed = seal_to(ALICE_PUBLIC, secret)
    assert len(sealed) == len(secret) + 48
    if len(secret) >= 8:
        assert secret not in sealed
    assert unseal(ALICE_PRIVATE, sealed) == secret


def test_sealing_is_randomised() -> None:
    assert seal_to(ALICE_PUBLIC, b"case key") != seal_to(ALICE_PUBLIC, b"case key")


def test_unseal_with_another_private_key_fails() -> None:
    with pytest.raises(DecryptionFailed):
        unseal(BOB_PRIVATE, seal_to(ALICE_PUBLIC, b"case key"))


@few
@given(secret=secrets, data=st.data())
def test_flipped_byte_of_sealed_box_fails(secret: bytes, data: st.DataObject) -> None:
    sealed = bytearray(seal_to(ALICE_PUBLIC, secret))
    index = data.draw(st.integers(0, len(sealed) - 1), label="index")
    sealed[index] ^= data.draw(st.integers(1, 255), label="xor")
    with pytest.raises(DecryptionFailed):
        unseal(ALICE_PRIVATE, bytes(sealed))


@pytest.mark.parametrize("length", [0, 1, 32, 47])
def test_truncated_sealed_box_fails(length: int) -> None:
    with pytest.raises(DecryptionFailed):
        unseal(ALICE_PRIVATE, seal_to(ALICE_PUBLIC, b"")[:length])


# --- Ed25519 --------------------------------------------------------------------------


@pytest.mark.parametrize(("seed", "public", "message", "signature"), RFC8032)
def test_sign_rfc8032(seed: str, public: str, message: str, signature: str) -> None:
    assert verify_key_of(bytes.fromhex(seed)) == bytes.fromhex(public)
    assert sign(bytes.fromhex(seed), bytes.fromhex(message)) == bytes.fromhex(signature)
    assert verify(bytes.fromhex(public), bytes.fromhex(message), bytes.fromhex(signature))


def test_sign_known_answer_with_fixed_seed() -> None:
    assert verify_key_of(SEED) == SEED_VERIFY_KEY
    assert sign(SEED, MESSAGE) == SEED_SIGNATURE
    assert sign(SEED, MESSAGE) == SEED_SIGNATURE  # deterministic
    assert verify(SEED_VERIFY_KEY, MESSAGE, SEED_SIGNATURE)


@few
@given(message=st.binary(max_size=200), other=st.binary(max_size=200))
def test_sign_verify_round_trip(message: bytes, other: bytes) -> None:
    seed = generate_signing_seed()
    signature = sign(seed, message)
    assert len(signature) == 64
    assert verify(verify_key_of(seed), message, signature)
    assert not verify(SEED_VERIFY_KEY, message, signature)
    if other != message:
        assert not verify(verify_key_of(seed), other, signature)


@few
@given(data=st.data())
def test_flipped_byte_of_signature_or_message_does_not_verify(data: st.DataObject) -> None:
    signature = bytearray(SEED_SIGNATURE)
    signature[data.draw(st.integers(0, 63))] ^= data.draw(st.integers(1, 255))
    assert not verify(SEED_VERIFY_KEY, MESSAGE, bytes(signature))
    message = bytearray(MESSAGE)
    message[data.draw(st.integers(0, len(MESSAGE) - 1))] ^= data.draw(st.integers(1, 255))
    assert not verify(SEED_VERIFY_KEY, bytes(message), SEED_SIGNATURE)


@pytest.mark.parametrize(
    ("verify_key", "signature"),
    [
        (SEED_VERIFY_KEY, SEED_SIGNATURE[:63]),
        (SEED_VERIFY_KEY, b""),
        (SEED_VERIFY_KEY[:31], SEED_SIGNATURE),
        (b"", SEED_SIGNATURE),
    ],
)
def test_verify_returns_false_for_malformed_input(verify_key: bytes, signature: bytes) -> None:
    assert verify(verify_key, MESSAGE, signature) is False


def test_signing_seeds_are_fresh() -> None:
    assert generate_signing_seed() != generate_signing_seed()
    assert len(generate_signing_seed()) == 32


# --- fingerprint ----------------------------------------------------------------------


def test_fingerprint_is_domain_separated_sha256() -> None:
    assert (
        fingerprint(SEED_VERIFY_KEY) == hashlib.sha256(b"corridor.fingerprint.v1" + SEED_VERIFY_KEY).digest()
    )
    assert fingerprint(SEED_VERIFY_KEY) != hashlib.sha256(SEED_VERIFY_KEY).digest()
    assert fingerprint(ALICE_PUBLIC) != fingerprint(BOB_PUBLIC)


# --- split-key session unlock ---------------------------------------------------------


@few
@given(secret=secrets)
def test_session_round_trip(secret: bytes) -> None:
    cookie_half, session_half = split_for_session(secret)
    assert len(cookie_half) == 32
    assert len(session_half) == 24 + len(secret) + 16
    assert join_session_halves(cookie_half, session_half) == secret


@few
@given(secret=st.binary(min_size=8, max_size=96))
def test_neither_half_alone_reveals_the_secret(secret: bytes) -> None:
    cookie_one, session_one = split_for_session(secret)
    cookie_two, session_two = split_for_session(secret)
    assert secret not in session_one
    assert secret not in cookie_one
    # The cookie half is fresh randomness, not a function of the secret.
    assert cookie_one != cookie_two
    assert session_one != session_two
    with pytest.raises(DecryptionFailed):
        join_session_halves(cookie_one, session_two)
    with pytest.raises(DecryptionFailed):
        join_session_halves(cookie_two, session_one)


@few
@given(secret=secrets, data=st.data())
def test_flipped_byte_of_either_half_fails(secret: bytes, data: st.DataObject) -> None:
    cookie_half, session_half = split_for_session(secret)
    halves = [bytearray(cookie_half), bytearray(session_half)]
    which = data.draw(st.sampled_from([0, 1]), label="half")
    halves[which][data.draw(st.integers(0, len(halves[which]) - 1), label="index")] ^= data.draw(
        st.integers(1, 255), label="xor"
    )
    with pytest.raises(DecryptionFailed):
        join_session_halves(bytes(halves[0]), bytes(halves[1]))


@pytest.mark.parametrize(
    ("cookie_length", "session_length"), [(31, None), (33, None), (0, None), (32, 39), (32, 0)]
)
def test_malformed_halves_fail(cookie_length: int, session_length: int | None) -> None:
    cookie_half, session_half = split_for_session(b"")
    cookie = (cookie_half * 2)[:cookie_length]
    session = session_half if session_length is None else session_half[:session_length]
    with pytest.raises(DecryptionFailed):
        join_session_halves(cookie, session)
