"""Errors raised by the cryptographic core."""


class CryptoError(Exception):
    """Base class for every failure of the cryptographic core."""


class DecryptionFailed(CryptoError):
    """Ciphertext was tampered with, moved, or opened with the wrong key."""


class UnknownFormat(CryptoError):
    """A blob carries a version byte this code does not know."""


class WrongPassword(DecryptionFailed):
    """The password (or codename) does not unwrap the secret."""


class InvalidShares(CryptoError):
    """Recovery shares are malformed, inconsistent or too few."""
