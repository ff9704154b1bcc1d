"""The organisation keys: creation at init, wrapping to users, recovery from shares.

Who may hold which key (DESIGN.md, key hierarchy): the hotline key belongs to
operators, the signing key to operators and coordinators, the index key to every staff
user; all three are also sealed to the recovery key, whose private half exists only
as k-of-n word shares held by trustees.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from corridor.accounts.models import KeyWrap, OrgKey, OrgKeyKind, Role, User
from corridor.audit.services import record_event
from corridor.crypto import keys, shares
from corridor.crypto.envelope import generate_key
from corridor.crypto.errors import DecryptionFailed

WRAPPED_KINDS = (OrgKeyKind.HOTLINE, OrgKeyKind.SIGNING, OrgKeyKind.INDEX)

_ENTITLEMENTS: dict[OrgKeyKind, frozenset[str]] = {
    OrgKeyKind.HOTLINE: frozenset({Role.OPERATOR}),
    OrgKeyKind.SIGNING: frozenset({Role.OPERATOR, Role.COORDINATOR}),
    OrgKeyKind.INDEX: frozenset(Role.values),
}


class KeyUnavailable(Exception):
    """The user holds no usable wrap of the key they need."""


def entitled_kinds(user: User) -> set[OrgKeyKind]:
    """The organisation keys this user's roles call for."""
    if not user.is_active:
        return set()
    roles = user.role_codes
    return {kind for kind, allowed in _ENTITLEMENTS.items() if roles & allowed}


def current_key(kind: OrgKeyKind) -> OrgKey:
    """The newest version of an organisation key."""
    key = OrgKey.objects.filter(kind=kind).order_by("-version").first()
    if key is None:
        raise KeyUnavailable(f"the organisation has no {kind} key: run `corridor init`")
    return key


def organisation_initialised() -> bool:
    return OrgKey.objects.filter(kind=OrgKeyKind.RECOVERY).exists()


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
    record_event(
        action="key.unsealed",
        actor_id=user.pk,
        target_type="org_key",
        target_id=org_key.pk,
        data={"kind": kind.value},
    )
    return secret


def _seal_for_user(org_key: OrgKey, secret: bytes, user: User) -> KeyWrap:
    KeyWrap.objects.filter(org_key=org_key, user=user).delete()
    return KeyWrap.objects.create(
        org_key=org_key, user=user, sealed=keys.seal_to(bytes(user.public_key), secret)
    )


@transaction.atomic
def grant_org_key(*, actor: User, actor_private_key: bytes, recipient: User, kind: OrgKeyKind) -> KeyWrap:
    """Wrap an organisation key the actor holds for a recipient whose roles call for it."""
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


@transaction.atomic
def create_organisation_keys(
    *, threshold: int, share_count: int
) -> tuple[list[str], dict[OrgKeyKind, bytes]]:
    """Create the recovery, hotline, signing and index keys; return the recovery shares and the secrets.

    The caller wraps the returned secrets to the first users and then drops them.
    """
    if organisation_initialised():
        raise RuntimeError("this organisation already has its keys")
    recovery = keys.generate_keypair()
    words = shares.split_secret(recovery.private, threshold=threshold, shares=share_count)
    OrgKey.objects.create(kind=OrgKeyKind.RECOVERY, public_key=recovery.public)
    hotline = keys.generate_keypair()
    signing_seed = keys.generate_signing_seed()
    index_key = generate_key()
    secrets = {
        OrgKeyKind.HOTLINE: hotline.private,
        OrgKeyKind.SIGNING: signing_seed,
        OrgKeyKind.INDEX: index_key,
    }
    publics = {
        OrgKeyKind.HOTLINE: hotline.public,
        OrgKeyKind.SIGNING: keys.verify_key_of(signing_seed),
        OrgKeyKind.INDEX: b"",
    }
    for kind, secret in secrets.items():
        org_key = OrgKey.objects.create(kind=kind, public_key=publics[kind])
        KeyWrap.objects.create(
            org_key=org_key, to_recovery=True, sealed=keys.seal_to(recovery.public, secret)
        )
    record_event(action="org.keys_created", data={"threshold": threshold, "shares": share_count})
    return words, secrets


def wrap_secrets_for_user(*, actor: User | None, user: User, secrets: dict[OrgKeyKind, bytes]) -> None:
    """Seal the given organisation key secrets to a user (used by init and recovery)."""
    for kind, secret in secrets.items():
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
    recovery_private = shares.combine_shares(share_texts)
    recovery_key = current_key(OrgKeyKind.RECOVERY)
    if keys.public_key_of(recovery_private) != bytes(recovery_key.public_key):
        raise DecryptionFailed("these shares belong to another organisation's recovery key")
    secrets = {}
    for kind in kinds:
        wrap = KeyWrap.objects.get(org_key=current_key(kind), to_recovery=True)
        secrets[kind] = keys.unseal(recovery_private, bytes(wrap.sealed))
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

    return fingerprint_words(bytes(current_key(OrgKeyKind.SIGNING).public_key))
