"""k-of-n splitting of the recovery key into word shares (SLIP-39).

SLIP-39 gives each share a Reed-Solomon checksum, so a mistyped word is caught before
any combination is attempted, and its shares are plain English words that trustees
can write down on paper.

Error messages name a share by its position in the list given and a word by its
position in the share, never by its text: the library's own messages quote words
(the unknown one, or the first few of the share), and a mistyped word is usually
one letter away from the real one.
"""

from __future__ import annotations

import shamir_mnemonic
from shamir_mnemonic import MnemonicError, Share
from shamir_mnemonic.wordlist import WORD_INDEX_MAP

from corridor.crypto.errors import InvalidShares

MAX_SHARES = 16


def split_secret(secret: bytes, *, threshold: int, shares: int) -> list[str]:
    """Split a 16- or 32-byte secret into `shares` word shares, any `threshold` of which recover it."""
    if not 1 <= threshold <= shares <= MAX_SHARES:
        raise ValueError(f"need 1 <= k <= n <= {MAX_SHARES}")
    if threshold == 1 and shares > 1:
        raise ValueError("a threshold of 1 would make every share the whole key")
    groups = shamir_mnemonic.generate_mnemonics(
        group_threshold=1, groups=[(threshold, shares)], master_secret=secret
    )
    return groups[0]


def normalise_share(text: str) -> str:
    """Fold case and whitespace so a share typed from paper parses."""
    return " ".join(text.lower().split())


def share_threshold(text: str) -> int:
    """Return how many shares the set this share belongs to needs."""
    return _parse(text, label="the share").member_threshold


def combine_shares(texts: list[str]) -> bytes:
    """Recover the secret from at least `threshold` distinct shares of one set."""
    parsed = [_parse(t, label=f"share {number}") for number, t in enumerate(texts, start=1)]
    if not parsed:
        raise InvalidShares("no shares given")
    distinct: dict[int, Share] = {}
    for number, share in enumerate(parsed, start=1):
        if share.common_parameters() != parsed[0].common_parameters():
            raise InvalidShares(f"share {number} belongs to a different set of shares than share 1")
        distinct.setdefault(share.index, share)
    threshold = parsed[0].member_threshold
    if len(distinct) < threshold:
        raise InvalidShares(f"{threshold} distinct shares are needed, {len(distinct)} given")
    chosen = [s.mnemonic() for s in list(distinct.values())[:threshold]]
    try:
        return shamir_mnemonic.combine_mnemonics(chosen)
    except MnemonicError:
        pass  # its message quotes words of a share; see _parse
    raise InvalidShares("the shares do not combine into a key: one of them may be altered")


def _parse(text: str, *, label: str) -> Share:
    words = normalise_share(text).split()
    for position, word in enumerate(words, start=1):
        if word not in WORD_INDEX_MAP:
            raise InvalidShares(f"{label}: word {position} is not a SLIP-39 word")
    try:
        return Share.from_mnemonic(" ".join(words))
    except (MnemonicError, KeyError, ValueError):
        pass
    # Raised outside the handler: the library's message quotes words of the share, and
    # as the context of ours a traceback or an error reporter would show it.
    raise InvalidShares(
        f"{label} is garbled ({len(words)} words): a word is mistyped, missing, added or swapped"
    )
