"""k-of-n recovery shares (SLIP-39 word shares)."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shamir_mnemonic.wordlist import WORDLIST

from corridor.crypto.errors import InvalidShares
from corridor.crypto.shares import combine_shares, share_threshold, split_secret

SECRET = bytes(range(32))
few = settings(max_examples=50, deadline=None)


@st.composite
def split_plans(draw: st.DrawFn) -> tuple[bytes, int, int]:
    """A 16- or 32-byte secret and k <= n <= 8, with k >= 2 unless n == 1."""
    secret = draw(st.binary(min_size=16, max_size=16) | st.binary(min_size=32, max_size=32))
    n = draw(st.integers(1, 8))
    k = 1 if n == 1 else draw(st.integers(2, n))
    return secret, k, n


@few
@given(plan=split_plans(), data=st.data())
def test_any_k_distinct_shares_in_any_order_recover_the_secret(
    plan: tuple[bytes, int, int], data: st.DataObject
) -> None:
    secret, k, n = plan
    shares = split_secret(secret, threshold=k, shares=n)
    assert len(shares) == n
    assert len(set(shares)) == n
    assert all(share_threshold(share) == k for share in shares)
    chosen = data.draw(st.permutations(shares), label="order")[:k]
    assert combine_shares(chosen) == secret


@few
@given(plan=split_plans(), data=st.data())
def test_more_than_k_shares_and_repeats_still_recover(
    plan: tuple[bytes, int, int], data: st.DataObject
) -> None:
    secret, k, n = plan
    shares = split_secret(secret, threshold=k, shares=n)
    chosen = data.draw(st.lists(st.sampled_from(shares), min_size=n, max_size=2 * n), label="shares")
    if len(set(chosen)) >= k:
        assert combine_shares(chosen) == secret
    else:
        with pytest.raises(InvalidShares):
            combine_shares(chosen)


@few
@given(plan=split_plans().filter(lambda p: p[1] >= 2), data=st.data())
def test_fewer_than_k_distinct_shares_never_return_the_secret(
    plan: tuple[bytes, int, int], data: st.DataObject
) -> None:
    secret, k, n = plan
    shares = split_secret(secret, threshold=k, shares=n)
    fewer = data.draw(st.permutations(shares), label="order")[: k - 1]
    with pytest.raises(InvalidShares):
        combine_shares(fewer)
    # Repeating a share does not make it count twice.
    with pytest.raises(InvalidShares):
        combine_shares(fewer + fewer[:1] * k)


def test_no_shares_is_invalid() -> None:
    with pytest.raises(InvalidShares):
        combine_shares([])


def test_shares_form_one_set_and_each_split_is_fresh() -> None:
    shares = split_secret(SECRET, threshold=3, shares=5)
    assert all(share.count(" ") == 32 for share in shares)  # 33 words for a 32-byte secret
    assert len({share.split()[0] for share in shares}) == 1  # one set: same identifier words
    # Two splits of one secret share nothing: fresh randomness every time.
    assert not set(shares) & set(split_secret(SECRET, threshold=3, shares=5))


def test_shares_from_two_splits_do_not_combine() -> None:
    first = split_secret(SECRET, threshold=3, shares=5)
    second = split_secret(SECRET, threshold=3, shares=5)
    for mixed in ([first[0], first[1], second[2]], [second[0], first[1], first[2]]):
        with pytest.raises(InvalidShares):
            combine_shares(mixed)
    other = split_secret(bytes(32), threshold=2, shares=3)
    with pytest.raises(InvalidShares):
        combine_shares([first[0], other[1]])


@few
@given(data=st.data())
def test_one_mistyped_word_is_rejected(data: st.DataObject) -> None:
    shares = split_secret(SECRET, threshold=2, shares=3)
    words = shares[0].split()
    position = data.draw(st.integers(0, len(words) - 1), label="position")
    words[position] = data.draw(
        st.sampled_from(WORDLIST).filter(lambda w: w != words[position]), label="word"
    )
    typo = " ".join(words)
    with pytest.raises(InvalidShares):
        share_threshold(typo)
    with pytest.raises(InvalidShares):
        combine_shares([typo, shares[1]])


def test_misspelled_or_missing_word_is_rejected() -> None:
    shares = split_secret(SECRET, threshold=2, shares=3)
    words = shares[0].split()
    with pytest.raises(InvalidShares):
        combine_shares([" ".join([*words[:4], words[4] + "x", *words[5:]]), shares[1]])
    with pytest.raises(InvalidShares):
        combine_shares([" ".join(words[:-1]), shares[1]])
    with pytest.raises(InvalidShares):
        combine_shares(["not a share", shares[1]])


def test_shares_typed_with_extra_spaces_and_upper_case_combine() -> None:
    shares = split_secret(SECRET, threshold=3, shares=5)
    typed = [
        "  " + shares[0].upper() + "  ",
        "\n".join(shares[1].split()),
        "   ".join(w.capitalize() for w in shares[2].split()) + "\t",
    ]
    assert combine_shares(typed) == SECRET
    assert share_threshold(typed[0]) == 3


@pytest.mark.parametrize(
    ("threshold", "shares"),
    [(4, 3), (2, 1), (1, 2), (1, 5), (0, 3), (0, 0), (3, 17), (17, 17), (2, 17)],
)
def test_split_rejects_bad_parameters(threshold: int, shares: int) -> None:
    with pytest.raises(ValueError):
        split_secret(SECRET, threshold=threshold, shares=shares)


@pytest.mark.parametrize(("threshold", "shares"), [(1, 1), (2, 2), (3, 5), (16, 16), (2, 16)])
def test_split_accepts_edge_parameters(threshold: int, shares: int) -> None:
    parts = split_secret(SECRET[:16], threshold=threshold, shares=shares)
    assert len(parts) == shares
    assert combine_shares(parts[-threshold:]) == SECRET[:16]


# --- error messages: which share and why, never what was typed ---------------------------


def words_in(message: str) -> set[str]:
    return set(re.findall(r"[a-z]+", message.lower()))


def refusal(texts: list[str]) -> InvalidShares:
    with pytest.raises(InvalidShares) as caught:
        combine_shares(texts)
    # Nothing of the library's own error (which quotes words) is kept for a traceback.
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None
    return caught.value


@few
@given(data=st.data())
def test_a_word_outside_the_list_is_named_by_share_and_position_only(data: st.DataObject) -> None:
    shares = split_secret(SECRET, threshold=3, shares=5)
    number = data.draw(st.integers(1, 3), label="share number")
    words = shares[number - 1].split()
    position = data.draw(st.integers(1, len(words)), label="position")
    # Typing slips: a letter doubled, dropped or replaced, giving a word outside the list.
    real = words[position - 1]
    typo = data.draw(
        st.sampled_from([real + real[-1], real[:-1], real[:-1] + "q", "x" + real[1:]]).filter(
            lambda w: w not in WORDLIST
        ),
        label="typo",
    )
    words[position - 1] = typo
    typed = shares[:3]
    typed[number - 1] = " ".join(words)

    message = str(refusal(typed))

    assert message == f"share {number}: word {position} is not a SLIP-39 word"
    assert typo not in words_in(message)
    assert not words_in(message) & set(words)


@few
@given(data=st.data())
def test_a_wrong_list_word_is_named_by_share_only(data: st.DataObject) -> None:
    shares = split_secret(SECRET, threshold=3, shares=5)
    words = shares[1].split()
    position = data.draw(st.integers(0, len(words) - 1), label="position")
    words[position] = data.draw(
        st.sampled_from(WORDLIST).filter(lambda w: w != words[position]), label="word"
    )

    message = str(refusal([shares[0], " ".join(words), shares[2]]))

    assert message == "share 2 is garbled (33 words): a word is mistyped, missing, added or swapped"
    assert not words_in(message) & set(words)


def test_a_missing_word_is_named_by_share_and_count() -> None:
    shares = split_secret(SECRET, threshold=2, shares=3)
    words = shares[1].split()
    message = str(refusal([shares[0], " ".join(words[:-1])]))
    assert message == "share 2 is garbled (32 words): a word is mistyped, missing, added or swapped"
    assert not words_in(message) & set(words)


def test_a_share_of_another_set_is_named_by_number() -> None:
    first = split_secret(SECRET, threshold=3, shares=5)
    other = split_secret(SECRET, threshold=3, shares=5)
    message = str(refusal([first[0], first[1], other[2]]))
    assert message == "share 3 belongs to a different set of shares than share 1"


def test_a_single_share_with_a_typo_does_not_quote_it() -> None:
    words = split_secret(SECRET, threshold=2, shares=3)[0].split()
    words[3] = "zzyzx"
    with pytest.raises(InvalidShares) as caught:
        share_threshold(" ".join(words))
    assert str(caught.value) == "the share: word 4 is not a SLIP-39 word"
    assert caught.value.__context__ is None
