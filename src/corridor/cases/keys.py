"""The one code path that seals, opens, grants, revokes and replaces data keys.

Threads and cases both keep their keys here (`DataKey`, `DataKeyWrap`). Rules that hold
for every wrap:

- Only authenticated public keys are sealed to: organisation keys that match their pins
  in configuration, and staff keys whose user row carries a valid MAC
  (`accounts.integrity.check_user`). A public key written into the database is never used.
- Every wrap carries a commitment (`key_check`) to the key inside, bound to the key's
  owner, purpose and version, under the integrity key held in configuration. A wrap of
  another key (one the writer knows) is refused when opened.
- A case key is never sealed to the person's codename key (a database constraint too).

This module knows nothing of threads or cases: callers name the owner and audit what
the opening was for.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from django.db import transaction

from corridor.accounts import keyring
from corridor.accounts.integrity import IntegrityFailure, check_user, key_check, key_check_ok
from corridor.accounts.models import OrgKeyKind, User
from corridor.cases.models import DataKey, DataKeyWrap, KeyPurpose, WrapRecipient
from corridor.crypto import keys
from corridor.crypto.envelope import generate_key
from corridor.crypto.errors import DecryptionFailed

ORG_RECIPIENTS: dict[str, OrgKeyKind] = {
    WrapRecipient.HOTLINE: OrgKeyKind.HOTLINE,
    WrapRecipient.RECOVERY: OrgKeyKind.RECOVERY,
}


class KeyLocked(Exception):
    """The key cannot be opened with what this person holds."""


class GrantRefused(Exception):
    """The key may not be sealed to this recipient."""


def _now() -> datetime:
    return datetime.now(UTC)


def new_data_key(*, owner: str, purpose: str) -> tuple[DataKey, bytes]:
    """A new key's identity row and its value (which the caller seals and then forgets)."""
    row = DataKey.objects.create(owner=owner, purpose=purpose, version=1, created_at=_now())
    return row, generate_key()


def _check(data_key: DataKey, version: int, key: bytes) -> bytes:
    return key_check(data_key.owner, data_key.purpose, version, key)


def seal_to_org(
    data_key: DataKey,
    key: bytes,
    recipients: Iterable[str],
    *,
    applicant_public: bytes | None = None,
    version: int | None = None,
) -> None:
    """Seal to pinned organisation keys (hotline, recovery) and, for a conversation key, the person."""
    version = version or data_key.version
    holders = {recipient: keyring.pinned_public_key(ORG_RECIPIENTS[recipient]) for recipient in recipients}
    if applicant_public is not None:
        if data_key.purpose != KeyPurpose.CONVERSATION:
            raise GrantRefused("a case key is never sealed to the person")
        holders[WrapRecipient.APPLICANT] = applicant_public
    check, now = _check(data_key, version, key), _now()
    DataKeyWrap.objects.bulk_create(
        DataKeyWrap(
            key=data_key,
            purpose=data_key.purpose,
            version=version,
            recipient=recipient,
            sealed=keys.seal_to(public, key),
            key_check=check,
            created_at=now,
        )
        for recipient, public in holders.items()
    )


def seal_to_user(
    data_key: DataKey, key: bytes, user: User, *, granted_by: User | None, version: int | None = None
) -> DataKeyWrap:
    """Seal to a staff member's certified public key; an existing wrap of that version is replaced."""
    if not user.is_active:
        raise GrantRefused("the account is disabled")
    check_user(user)  # the public key is the one Corridor wrote, or this raises
    version = version or data_key.version
    DataKeyWrap.objects.filter(key=data_key, version=version, user=user).delete()
    return DataKeyWrap.objects.create(
        key=data_key,
        purpose=data_key.purpose,
        version=version,
        recipient=WrapRecipient.USER,
        user=user,
        sealed=keys.seal_to(bytes(user.public_key), key),
        key_check=_check(data_key, version, key),
        granted_by=granted_by,
        created_at=_now(),
    )


def _unseal(data_key: DataKey, wrap: DataKeyWrap, private: bytes, *, unchecked: bool) -> bytes:
    try:
        key = keys.unseal(private, bytes(wrap.sealed))
    except DecryptionFailed as exc:
        raise KeyLocked("the wrap does not open") from exc
    if unchecked and not bytes(wrap.key_check):
        return key
    if not key_check_ok(bytes(wrap.key_check), data_key.owner, data_key.purpose, wrap.version, key):
        raise IntegrityFailure("data_key", str(data_key.pk))
    return key


def open_org_wrap(data_key: DataKey, recipient: str, private: bytes, *, unchecked: bool = False) -> bytes:
    """Open the wrap to the hotline, recovery or applicant key.

    `unchecked` accepts a wrap without a commitment (a thread written before wraps had
    one, which is upgraded as soon as an operator opens it).
    """
    wrap = DataKeyWrap.objects.filter(
        key=data_key, version=data_key.version, recipient=recipient, user__isnull=True
    ).first()
    if wrap is None:
        raise KeyLocked("no wrap for this holder")
    return _unseal(data_key, wrap, private, unchecked=unchecked)


def user_wrap(data_key: DataKey, user: User) -> DataKeyWrap | None:
    return DataKeyWrap.objects.filter(key=data_key, version=data_key.version, user=user).first()


def has_hotline_wrap(data_key: DataKey) -> bool:
    return DataKeyWrap.objects.filter(
        key=data_key, version=data_key.version, recipient=WrapRecipient.HOTLINE
    ).exists()


class StaffOpener:
    """Opens data keys for one signed-in staff member: their own wrap first, else through the
    hotline key if they hold it (unsealed at most once per request)."""

    def __init__(self, *, user: User, user_private_key: bytes) -> None:
        self.user = user
        self._private = user_private_key
        self._hotline: bytes | None = None

    def hotline_private(self) -> bytes:
        if self._hotline is None:
            try:
                self._hotline = keyring.unseal_org_key(
                    user=self.user, user_private_key=self._private, kind=OrgKeyKind.HOTLINE
                )
            except keyring.KeyUnavailable as exc:
                raise KeyLocked("this user holds no hotline key") from exc
        return self._hotline

    def open(self, data_key: DataKey, *, unchecked: bool = False) -> bytes:
        wrap = user_wrap(data_key, self.user)
        if wrap is not None:
            return _unseal(data_key, wrap, self._private, unchecked=False)
        if not has_hotline_wrap(data_key):
            raise KeyLocked("no wrap for this person")
        return open_org_wrap(data_key, WrapRecipient.HOTLINE, self.hotline_private(), unchecked=unchecked)

    def can_open(self, data_key: DataKey) -> bool:
        if user_wrap(data_key, self.user) is not None:
            return True
        return has_hotline_wrap(data_key) and OrgKeyKind.HOTLINE in keyring.held_kinds(self.user)


def user_holders(data_key: DataKey) -> list[User]:
    """The staff members who hold the current version, in name order."""
    return list(
        User.objects.filter(data_key_wraps__key=data_key, data_key_wraps__version=data_key.version)
        .prefetch_related("role_assignments")
        .order_by("username")
    )


def revoke_user_wrap(data_key: DataKey, user: User) -> bool:
    """Delete every wrap of this key to this user (all versions); True if there was one."""
    deleted, _ = DataKeyWrap.objects.filter(key=data_key, user=user).delete()
    return bool(deleted)


def revoke_org_wrap(data_key: DataKey, recipient: str) -> bool:
    deleted, _ = DataKeyWrap.objects.filter(key=data_key, recipient=recipient, user__isnull=True).delete()
    return bool(deleted)


@transaction.atomic
def replace_key(data_key: DataKey, new_key: bytes, *, actor: User | None) -> int:
    """Move the key to a new version: the same holders, sealed again; every old wrap deleted.

    The caller has re-encrypted every row under `new_key` with the returned version in
    the same transaction. Users are sealed to only while their row still checks out.
    """
    data_key = DataKey.objects.select_for_update().get(pk=data_key.pk)
    old = data_key.version
    current = list(DataKeyWrap.objects.filter(key=data_key, version=old).select_related("user"))
    data_key.version = old + 1
    data_key.rekeyed_at = _now()
    data_key.save(update_fields=["version", "rekeyed_at"])
    org = [wrap.recipient for wrap in current if wrap.user_id is None and wrap.recipient in ORG_RECIPIENTS]
    if WrapRecipient.RECOVERY not in org:
        org.append(WrapRecipient.RECOVERY)  # recovery always holds every key
    seal_to_org(data_key, new_key, org)
    for wrap in current:
        if wrap.user is not None and wrap.user.is_active:
            seal_to_user(data_key, new_key, wrap.user, granted_by=wrap.granted_by or actor)
    DataKeyWrap.objects.filter(key=data_key, version__lte=old).delete()
    return data_key.version
