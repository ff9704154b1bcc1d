"""The organisation keys: creation at init, wrapping to users, recovery from shares.

Who may hold which key (DESIGN.md, key hierarchy): the hotline key and the signing
key belong to operators and coordinators (who supervise them), the index key to the
roles that search (never administrators or auditors), the evidence key to the roles
`CORRIDOR_EVIDENCE_ROLES` names; all are also sealed to the recovery key, whose
private half exists only as k-of-n word shares held by trustees.

Nothing here trusts a key because the database holds it: every organisation key row
must match its pin in configuration, every opened secret must match its pin, and a
user's public key is sealed to only after the user row's MAC checks out.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from corridor.accounts import pins
from corridor.accounts.integrity import IntegrityFailure, check_user
from corridor.accounts.models import KeyWrap, OrgKey, OrgKeyKind, Role, User
from corridor.audit.services import record_event
from corridor.crypto import keys, shares
from corridor.crypto.envelope import generate_key
from corridor.crypto.errors import DecryptionFailed

WRAPPED_KINDS = (OrgKeyKind.HOTLINE, OrgKeyKind.SIGNING, OrgKeyKind.INDEX, OrgKeyKind.EVIDENCE)
# X25519 keys, whose public half is pinned; the signing key's verify key is pinned too.
_X25519_KINDS = frozenset({OrgKeyKind.RECOVERY, OrgKeyKind.HOTLINE, OrgKeyKind.EVIDENCE})

# The roles that search (duplicate detection, the blocklist): never administrators or
# auditors, who could otherwise enumerate every phone number against stored indexes.
SEARCH_ROLES = frozenset({Role.OPERATOR, Role.CASEWORKER, Role.COORDINATOR, Role.DOCUMENTER})


def _entitlements() -> dict[OrgKeyKind, frozenset[str]]:
    return {
        # Coordinators supervise the operators: they read and answer the hotline too.
        OrgKeyKind.HOTLINE: frozenset({Role.OPERATOR, Role.COORDINATOR}),
        OrgKeyKind.SIGNING: frozenset({Role.OPERATOR, Role.COORDINATOR}),
        OrgKeyKind.INDEX: SEARCH_ROLES,
        # A setting of who, but never a role that reads no case.
        OrgKeyKind.EVIDENCE: frozenset(settings.CORRIDOR_EVIDENCE_ROLES) & SEARCH_ROLES,
    }


class KeyUnavailable(Exception):
    """The user holds no usable wrap of the key they need."""


def entitled_kinds(user: User) -> set[OrgKeyKind]:
    """The organisation keys this user's roles call for."""
    if not user.is_active:
        return set()
    roles = user.role_codes
    return {kind for kind, allowed in _entitlements().items() if roles & allowed}


def _pin_of(kind: OrgKeyKind, row: OrgKey) -> str:
    return pins.public_fingerprint(bytes(row.public_key))


def current_key(kind: OrgKeyKind) -> OrgKey:
    """The pinned version of an organisation key, refused if its row does not match the pin.

    A row of another version (a higher one inserted to be picked up, or a version 0)
    is an anomaly, not a rotation: rotations change the pins.
    """
    pinned = pins.require().keys.get(kind.value)
    if pinned is None:
        raise IntegrityFailure("pins", f"no pin for the {kind.value} key")
    version, fingerprint = pinned
    rows = list(OrgKey.objects.filter(kind=kind))
    if not rows:
        raise KeyUnavailable(f"the organisation has no {kind} key: run `corridor init`")
    if any(row.version != version for row in rows):
        raise IntegrityFailure("org_key", f"unexpected version of the {kind.value} key")
    row = rows[0]
    if kind.value in pins.PUBLIC_KINDS and _pin_of(kind, row) != fingerprint:
        raise IntegrityFailure("org_key", f"the {kind.value} public key does not match its pin")
    return row


def check_secret(kind: OrgKeyKind, secret: bytes) -> None:
    """Refuse a secret that is not the pinned key (a wrap of another key slipped into the database)."""
    pinned = pins.require().keys.get(kind.value)
    if pinned is None:
        raise IntegrityFailure("pins", f"no pin for the {kind.value} key")
    if kind in _X25519_KINDS:
        fingerprint = pins.public_fingerprint(keys.public_key_of(secret))
    elif kind == OrgKeyKind.SIGNING:
        fingerprint = pins.public_fingerprint(keys.verify_key_of(secret))
    else:
        fingerprint = pins.secret_check(secret)
    if fingerprint != pinned[1]:
        raise IntegrityFailure("key_wrap", f"the {kind.value} key opened does not match its pin")


def pinned_public_key(kind: OrgKeyKind) -> bytes:
    """A public key that configuration vouches for: the only kind anything is sealed to or verified with."""
    return bytes(current_key(kind).public_key)


def codename_salt() -> bytes:
    """The organisation-wide codename salt, from configuration (never from a database row)."""
    return pins.require().salt


def legacy_codename_salt(hotline_public: bytes) -> bytes:
    """The salt as installations before pinning derived it, so pinning keeps every codename valid."""
    return hashlib.sha256(b"corridor.codename-salt.v1" + hotline_public).digest()[:16]


def organisation_initialised() -> bool:
    """Keys in the database, or pins in configuration: deleting the key rows does not make it new again."""
    return OrgKey.objects.filter(kind=OrgKeyKind.RECOVERY).exists() or pins.configured() is not None


def held_kinds(user: User) -> set[str]:
    """Kinds of organisation key this user holds a wrap of."""
    return set(KeyWrap.objects.filter(user=user).values_list("org_key__kind", flat=True))


def unseal_org_key(*, user: User, user_private_key: bytes, kind: OrgKeyKind) -> bytes:
    """Open the user's wrap of an organisation key (audited)."""
    org_key = current_key(kind)
    wrap = KeyWrap.objects.filter(org_key=org_key, user=user).first()
    if wrap is None:
        raise KeyUnavailable(f"{user.pk} holds no {kind} key")
    try:
        secret = keys.unseal(user_private_key, bytes(wrap.sealed))
    except DecryptionFailed as exc:
        raise KeyUnavailable("the wrap does not open with this user's key") from exc
    check_secret(kind, secret)
    record_event(
        action="key.unsealed",
        actor_id=user.pk,
        target_type="org_key",
        target_id=org_key.pk,
        data={"kind": kind.value},
    )
    return secret


def _seal_for_user(org_key: OrgKey, secret: bytes, user: User) -> KeyWrap:
    # The public key is sealed to only if the user row is as Corridor wrote it.
    check_user(user)
    KeyWrap.objects.filter(org_key=org_key, user=user).delete()
    return KeyWrap.objects.create(
        org_key=org_key, user=user, sealed=keys.seal_to(bytes(user.public_key), secret)
    )


@transaction.atomic
def grant_org_key(*, actor: User, actor_private_key: bytes, recipient: User, kind: OrgKeyKind) -> KeyWrap:
    """Wrap an organisation key the actor holds for a recipient whose roles call for it."""
    # The roles and public key must be the ones Corridor wrote, before either is relied on.
    check_user(recipient)
    if kind not in entitled_kinds(recipient):
        raise PermissionError("the recipient's roles do not call for this key")
    secret = unseal_org_key(user=actor, user_private_key=actor_private_key, kind=kind)
    org_key = current_key(kind)
    wrap = _seal_for_user(org_key, secret, recipient)
    record_event(
        action="key.wrapped",
        actor_id=actor.pk,
        target_type="user",
        target_id=recipient.pk,
        data={"kind": kind.value},
    )
    return wrap


def revoke_unentitled_wraps(*, actor: User | None, user: User) -> list[str]:
    """Delete wraps of keys the user's roles no longer call for; return their kinds."""
    allowed = entitled_kinds(user)
    removed = []
    for wrap in KeyWrap.objects.filter(user=user).select_related("org_key"):
        if wrap.org_key.kind not in allowed:
            removed.append(wrap.org_key.kind)
            wrap.delete()
            record_event(
                action="key.wrap_deleted",
                actor_id=actor.pk if actor else None,
                target_type="user",
                target_id=user.pk,
                data={"kind": wrap.org_key.kind},
            )
    return removed


@dataclass(frozen=True)
class PendingGrant:
    user: User
    kind: OrgKeyKind


def pending_grants() -> list[PendingGrant]:
    """Active users whose roles call for a key they do not hold yet."""
    out: list[PendingGrant] = []
    for user in User.objects.filter(is_active=True).prefetch_related("role_assignments"):
        missing = entitled_kinds(user) - held_kinds(user)
        out.extend(PendingGrant(user, OrgKeyKind(kind)) for kind in sorted(missing))
    return out


def _public_of(kind: OrgKeyKind, secret: bytes) -> bytes:
    if kind in _X25519_KINDS:
        return keys.public_key_of(secret)
    if kind == OrgKeyKind.SIGNING:
        return keys.verify_key_of(secret)
    return b""


def _pin_entry(kind: OrgKeyKind, secret: bytes) -> str:
    if kind == OrgKeyKind.INDEX:
        return pins.secret_check(secret)
    return pins.public_fingerprint(_public_of(kind, secret))


def _new_secret(kind: OrgKeyKind) -> bytes:
    if kind == OrgKeyKind.SIGNING:
        return keys.generate_signing_seed()
    if kind in _X25519_KINDS:
        return keys.generate_keypair().private
    return generate_key()


def _store_org_key(kind: OrgKeyKind, secret: bytes, recovery_public: bytes) -> None:
    org_key = OrgKey.objects.create(kind=kind, version=1, public_key=_public_of(kind, secret))
    KeyWrap.objects.create(org_key=org_key, to_recovery=True, sealed=keys.seal_to(recovery_public, secret))


@dataclass(frozen=True)
class NewOrganisation:
    shares: list[str]
    secrets: dict[OrgKeyKind, bytes]
    pins: pins.Pins


@transaction.atomic
def create_organisation_keys(*, threshold: int, share_count: int) -> NewOrganisation:
    """Create the recovery, hotline, signing, index and evidence keys; return the shares, secrets and pins.

    The caller writes the pins to configuration, wraps the secrets to the first users
    and then drops them.
    """
    if organisation_initialised():
        raise RuntimeError("this organisation already has its keys")
    recovery = keys.generate_keypair()
    words = shares.split_secret(recovery.private, threshold=threshold, shares=share_count)
    OrgKey.objects.create(kind=OrgKeyKind.RECOVERY, version=1, public_key=recovery.public)
    secrets = {kind: _new_secret(kind) for kind in WRAPPED_KINDS}
    for kind, secret in secrets.items():
        _store_org_key(kind, secret, recovery.public)
    entries = {kind.value: (1, _pin_entry(kind, secret)) for kind, secret in secrets.items()}
    entries[OrgKeyKind.RECOVERY.value] = (1, pins.public_fingerprint(recovery.public))
    new_pins = pins.Pins(
        keys=entries, salt=legacy_codename_salt(keys.public_key_of(secrets[OrgKeyKind.HOTLINE]))
    )
    record_event(action="org.keys_created", data={"threshold": threshold, "shares": share_count})
    return NewOrganisation(shares=words, secrets=secrets, pins=new_pins)


def index_key_before_pinning(*, user: User, user_private_key: bytes) -> bytes:
    """Open a holder's index wrap when no pins exist yet (only `pin_existing_keys` needs this)."""
    if pins.configured() is not None:
        raise RuntimeError("this installation already has pins")
    wrap = KeyWrap.objects.filter(org_key__kind=OrgKeyKind.INDEX, user=user).first()
    if wrap is None:
        raise KeyUnavailable(f"{user.username} holds no index key")
    try:
        return keys.unseal(user_private_key, bytes(wrap.sealed))
    except DecryptionFailed as exc:
        raise KeyUnavailable("the wrap does not open with this user's key") from exc


@transaction.atomic
def pin_existing_keys(*, index_key: bytes) -> pins.Pins:
    """Pins for an installation made before pinning: trust on first use, once.

    The public keys are taken from the database as they are now, and the index key's
    check from a holder's opened wrap; a missing evidence key is created (sealed to
    the recovery key only). Run it before the database could have been written by
    anyone else, and compare the printed fingerprints with the ones published.
    """
    if pins.configured() is not None:
        raise RuntimeError("this installation already has pins")
    entries: dict[str, tuple[int, str]] = {}
    rows = {}
    for kind in (OrgKeyKind.RECOVERY, OrgKeyKind.HOTLINE, OrgKeyKind.SIGNING, OrgKeyKind.INDEX):
        found = list(OrgKey.objects.filter(kind=kind))
        if len(found) != 1 or found[0].version != 1:
            raise IntegrityFailure("org_key", f"expected exactly one {kind.value} key of version 1")
        rows[kind] = found[0]
    for kind in (OrgKeyKind.RECOVERY, OrgKeyKind.HOTLINE, OrgKeyKind.SIGNING):
        entries[kind.value] = (1, pins.public_fingerprint(bytes(rows[kind].public_key)))
    entries[OrgKeyKind.INDEX.value] = (1, pins.secret_check(index_key))
    evidence = OrgKey.objects.filter(kind=OrgKeyKind.EVIDENCE).first()
    if evidence is None:
        secret = _new_secret(OrgKeyKind.EVIDENCE)
        _store_org_key(OrgKeyKind.EVIDENCE, secret, bytes(rows[OrgKeyKind.RECOVERY].public_key))
        entries[OrgKeyKind.EVIDENCE.value] = (1, _pin_entry(OrgKeyKind.EVIDENCE, secret))
    else:
        entries[OrgKeyKind.EVIDENCE.value] = (1, pins.public_fingerprint(bytes(evidence.public_key)))
    first_hotline = bytes(rows[OrgKeyKind.HOTLINE].public_key)
    new_pins = pins.Pins(keys=entries, salt=legacy_codename_salt(first_hotline))
    record_event(action="org.keys_pinned", data={"kinds": sorted(entries)})
    return new_pins


def wrap_secrets_for_user(*, actor: User | None, user: User, secrets: dict[OrgKeyKind, bytes]) -> None:
    """Seal the given organisation key secrets to a user (used by init and recovery)."""
    for kind, secret in secrets.items():
        check_secret(kind, secret)
        _seal_for_user(current_key(kind), secret, user)
        record_event(
            action="key.wrapped",
            actor_id=actor.pk if actor else None,
            target_type="user",
            target_id=user.pk,
            data={"kind": kind.value},
        )


def can_receive_recovery(user: User) -> bool:
    """Recovery re-wraps keys for operators and coordinators, never for roles that hold only the index key."""
    return bool({OrgKeyKind.HOTLINE, OrgKeyKind.SIGNING} & entitled_kinds(user))


@transaction.atomic
def recover_org_keys_for_user(*, share_texts: list[str], user: User) -> list[str]:
    """Reassemble the recovery key from k shares and re-wrap every organisation key for `user`."""
    kinds = [k for k in WRAPPED_KINDS if k in entitled_kinds(user)]
    if not can_receive_recovery(user):
        raise PermissionError("recovery gives keys to an operator or coordinator, not to this user's roles")
    check_user(user)
    recovery_private = shares.combine_shares(share_texts)
    recovery_key = current_key(OrgKeyKind.RECOVERY)
    if keys.public_key_of(recovery_private) != bytes(recovery_key.public_key):
        raise DecryptionFailed("these shares belong to another organisation's recovery key")
    secrets = {}
    for kind in kinds:
        wrap = KeyWrap.objects.get(org_key=current_key(kind), to_recovery=True)
        secrets[kind] = keys.unseal(recovery_private, bytes(wrap.sealed))
        check_secret(kind, secrets[kind])
    record_event(
        action="org.recovery_used",
        target_type="user",
        target_id=user.pk,
        data={"kinds": [k.value for k in kinds]},
    )
    wrap_secrets_for_user(actor=None, user=user, secrets=secrets)
    return [k.value for k in kinds]


def signing_fingerprint_words() -> str:
    """What the organisation publishes so people can check they reached the real hotline."""
    from corridor.crypto.words import fingerprint_words

    return fingerprint_words(pinned_public_key(OrgKeyKind.SIGNING))


def blind_index_of(*, index_key: bytes, kind: str, value: str) -> bytes:
    """The blind index as this installation stores it: its phone region and, if set, its pepper."""
    from corridor.crypto.blind import IndexKind, blind_index

    check_secret(OrgKeyKind.INDEX, index_key)
    return blind_index(
        index_key,
        IndexKind(kind),
        value,
        default_region=settings.CORRIDOR_PHONE_REGION,
        pepper=settings.CORRIDOR_INDEX_PEPPER.encode(),
    )
