"""Checks that keep rows of the database from being trusted where they must not be.

Two mechanisms, both out of reach of someone who can write to the database but has
not read the server's configuration:

- **Pins** (corridor.accounts.pins): the fingerprints of the organisation's keys and
  the codename salt, written to configuration at `corridor init`.
- **Row MACs** under the integrity key (derived from `CORRIDOR_AUDIT_KEY`, or from
  `SECRET_KEY` when that is unset, like the audit chain): a user's identity, public key,
  password wrap, activity and roles; their second-factor secrets; the commitment of
  every thread key a wrap is expected to contain.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from corridor.accounts.models import User, WebAuthnCredential
from corridor.crypto.integrity import derive_integrity_key, row_tag, row_tag_ok
from corridor.crypto.kdf import owner_context

USER_LABEL = "corridor.user.v1"
FACTORS_LABEL = "corridor.second-factors.v1"
KEY_CHECK_LABEL = "corridor.key-check.v1"


class IntegrityFailure(Exception):
    """A row, key or pin does not match what configuration vouches for: refuse, never fall back."""

    def __init__(self, what: str, detail: str = "") -> None:
        super().__init__(f"{what}: {detail}" if detail else what)
        self.what = what


@cache
def _key_for(base: str) -> bytes:
    return derive_integrity_key(base.encode())


def record_integrity_failure(*, what: str, target_type: str = "", target_id: str = "") -> None:
    """Put a failed integrity check on the audit record (codes and ids only), in its own transaction."""
    from corridor.audit.services import record_event

    record_event(
        action="integrity.check_failed", target_type=target_type, target_id=target_id, data={"what": what}
    )


def integrity_key() -> bytes:
    """The MAC key: from the audit key if set, else the secret key (both held in configuration)."""
    return _key_for(settings.CORRIDOR_AUDIT_KEY or settings.SECRET_KEY)


def wrap_context(user: User) -> bytes:
    """What a user's password wrap is bound to: their id and their public key."""
    return owner_context(str(user.pk).encode(), bytes(user.public_key))


def _user_parts(user: User, roles: set[str]) -> tuple[bytes | str | int, ...]:
    return (
        str(user.pk),
        user.username.casefold(),
        bytes(user.public_key),
        bytes(user.wrapped_private_key),
        user.is_active,
        ",".join(sorted(roles)),
    )


def seal_user(user: User, roles: set[str] | None = None) -> None:
    """Set the user's MAC (call after any change to keys, wrap, activity or roles, before saving)."""
    user.integrity = row_tag(
        integrity_key(), USER_LABEL, *_user_parts(user, user.role_codes if roles is None else roles)
    )


def user_ok(user: User) -> bool:
    """Whether the user row and its roles are as Corridor last wrote them."""
    return row_tag_ok(integrity_key(), bytes(user.integrity), USER_LABEL, *_user_parts(user, user.role_codes))


def check_user(user: User) -> None:
    """Refuse a user whose public key, wrap, activity or roles were written outside Corridor."""
    if not user_ok(user):
        raise IntegrityFailure("user", str(user.pk))


def _factor_parts(user: User) -> tuple[str, ...]:
    totp = sorted(
        f"totp:{pk}:{key}"
        for pk, key in TOTPDevice.objects.filter(user=user, confirmed=True).values_list("pk", "key")
    )
    webauthn = sorted(
        f"webauthn:{pk}:{h}:{bytes(pub).hex()}"
        for pk, h, pub in WebAuthnCredential.objects.filter(user=user).values_list(
            "pk", "credential_id_hash", "public_key"
        )
    )
    return (str(user.pk), *totp, *webauthn)


def seal_factors(user: User) -> None:
    """Record the MAC of the user's second factors (after one is added or removed)."""
    tag = row_tag(integrity_key(), FACTORS_LABEL, *_factor_parts(user))
    User.objects.filter(pk=user.pk).update(factors_integrity=tag)
    user.factors_integrity = tag


def factors_ok(user: User) -> bool:
    """Whether the user's second factors are the ones Corridor recorded (none inserted or altered)."""
    stored = User.objects.filter(pk=user.pk).values_list("factors_integrity", flat=True).first()
    return stored is not None and row_tag_ok(
        integrity_key(), bytes(stored), FACTORS_LABEL, *_factor_parts(user)
    )


def key_check(owner: str, purpose: str, version: int, key: bytes) -> bytes:
    """A commitment to a data key, so a wrap of another key slipped into the database is noticed."""
    return row_tag(integrity_key(), KEY_CHECK_LABEL, owner, purpose, version, key)


def key_check_ok(check: bytes, owner: str, purpose: str, version: int, key: bytes) -> bool:
    return row_tag_ok(integrity_key(), bytes(check), KEY_CHECK_LABEL, owner, purpose, version, key)
