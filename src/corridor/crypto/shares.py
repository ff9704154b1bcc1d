"""k-of-n splitting of the recovery key into word shares (SLIP-39).

SLIP-39 gives each share a Reed-Solomon checksum, so a mistyped word is caught before
any combination is attempted, and its shares are plain English words that trustees
can write down on paper.
"""

from __future__ import annotations

import shamir_mnemonic
from shamir_mnemonic import MnemonicError, Share

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
    return _parse(text).member_threshold


def combine_shares(texts: list[str]) -> bytes:
    """Recover the secret from at least `threshold` distinct shares of one set."""
    parsed = [_parse(t) for t in texts]
    if not parsed:
        raise InvalidShares("no shares given")
    distinct: dict[int, Share] = {}
    for share in parsed:
        if share.common_parameters() != parsed[0].common_parameters():
            raise InvalidShares("the shares come from different sets")
        distinct.setdefault(share.index, share)
    threshold = parsed[0].member_threshold
    if len(distinct) < threshold:
        raise InvalidShares(f"{threshold} distinct shares are needed, {len(distinct)} given")
    chosen = [s.mnemonic() for s in list(distinct.values())[:threshold]]
    try:
        return shamir_mnemonic.combine_mnemonics(chosen)
    except MnemonicError as exc:
        raise InvalidShares(str(exc)) from exc


def _parse(text: str) -> Share:
    try:
        return Share.from_mnemonic(normalise_share(text))
    except (MnemonicError, KeyError, ValueError) as exc:
        raise InvalidShares(f"not a valid share: {exc}") from exc
