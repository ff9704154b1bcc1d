"""Every write to staff accounts: creation, roles, passwords, disabling, throttling."""

from __future__ import annotations

import contextlib
import contextvars
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from corridor.accounts import integrity, keyring
from corridor.accounts.integrity import check_user, seal_user, wrap_context
from corridor.accounts.models import (
    CASE_READING_ROLES,
    OrgKeyKind,
    Role,
    RoleAssignment,
    StaffSession,
    User,
)
from corridor.audit.services import record_event
from corridor.crypto import keys
from corridor.crypto.errors import WrongPassword
from corridor.crypto.kdf import LEGACY_VERSION, Argon2Cost, wrap_version, wrap_with_password, wrapped_cost
from corridor.limits import throttle
from corridor.limits.pool import Busy, unwrap_password, wrap_password


def argon2_cost() -> Argon2Cost:
    """The configured Argon2id cost for new password wraps."""
    return Argon2Cost(opslimit=settings.CORRIDOR_ARGON2_OPSLIMIT, memlimit=settings.CORRIDOR_ARGON2_MEMLIMIT)


def validate_roles(roles: set[str]) -> None:
    """Administrators manage users and read no case, so admin excludes every case-reading role."""
    unknown = roles - set(Role.values)
    if unknown:
        raise ValidationError(_("Unknown role."))
    if Role.ADMIN in roles and roles & CASE_READING_ROLES:
        raise ValidationError(_("An administrator cannot also hold a role that reads cases."))


def generate_temporary_password() -> str:
    """Five groups of random letters and digits: about 120 bits, easy to read out."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(5))


def create_user(
    *,
    actor: User | None,
    actor_private_key: bytes | None,
    username: str,
    password: str,
    roles: set[str],
    must_change_password: bool = True,
    index_key: bytes | None = None,
) -> User:
    """Create a staff user with a fresh key pair wrapped under their password.

    No organisation key is wrapped here except `index_key` when init or a test passes
    it: administrators hold no key that searches or reads cases, so a holder grants
    the new user's keys from the key grants page.
    """
    username = username.strip()
    validate_roles(roles)
    validate_password(password, User(username=username))
    pair = keys.generate_keypair()
    user = User(
        id=uuid.uuid4(), username=username, public_key=pair.public, must_change_password=must_change_password
    )
    # Argon2id runs before the transaction: the database write lock is never held for it.
    wrapped = wrap_password(pair.private, password, argon2_cost(), context=wrap_context(user))
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("That username is taken."))
        user.wrapped_private_key = wrapped
        user.set_unusable_password()
        seal_user(user, roles)
        user.save()
        RoleAssignment.objects.bulk_create([RoleAssignment(user=user, role=r) for r in sorted(roles)])
        record_event(
            action="account.created",
            actor_id=actor.pk if actor else None,
            target_type="user",
            target_id=user.pk,
            data={"roles": sorted(roles)},
        )
        user._role_codes = set(roles)
        integrity.seal_factors(user)
        if index_key is not None and OrgKeyKind.INDEX in keyring.entitled_kinds(user):
            keyring.wrap_secrets_for_user(actor=actor, user=user, secrets={OrgKeyKind.INDEX: index_key})
    return user


def unwrap_user_key(user: User, password: str) -> bytes:
    """The user's private key from their password wrap, which must be bound to them; raises WrongPassword."""
    return unwrap_password(bytes(user.wrapped_private_key), password, context=wrap_context(user))


@transaction.atomic
def set_roles(*, actor: User, user: User, roles: set[str]) -> None:
    """Replace a user's roles; wraps of keys the new roles do not call for are deleted."""
    validate_roles(roles)
    before = set(user.role_codes)
    if actor.pk == user.pk and Role.ADMIN in before and Role.ADMIN not in roles:
        raise ValidationError(_("You cannot remove your own administrator role."))
    check_user(user)
    RoleAssignment.objects.filter(user=user).exclude(role__in=roles).delete()
    for role in sorted(roles - before):
        RoleAssignment.objects.create(user=user, role=role)
    user._role_codes = set(roles)
    seal_user(user, roles)
    user.save(update_fields=["integrity"])
    record_event(
        action="account.roles_changed",
        actor_id=actor.pk,
        target_type="user",
        target_id=user.pk,
        data={"added": sorted(roles - before), "removed": sorted(before - roles)},
    )
    keyring.revoke_unentitled_wraps(actor=actor, user=user)


def end_sessions(
    *, user: User, except_session_key: str | None = None, only: StaffSession | None = None
) -> int:
    """Delete the user's sessions, or `only` one of them (and with them the session half of the key)."""
    qs = StaffSession.objects.filter(user=user)
    if only is not None:
        qs = qs.filter(pk=only.pk)
    if except_session_key:
        qs = qs.exclude(session_key=except_session_key)
    session_keys = list(qs.values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=session_keys).delete()
    count, _ = qs.delete()
    return count


@transaction.atomic
def end_session_by_id(*, actor: User, staff_session: StaffSession) -> None:
    """End one of the actor's own other sessions."""
    session_id = staff_session.pk
    end_sessions(user=actor, only=staff_session)
    record_event(action="auth.session_ended", actor_id=actor.pk, target_type="session", target_id=session_id)


@transaction.atomic
def disable_user(*, actor: User, user: User) -> None:
    """Block sign-in and end every session at once."""
    if actor.pk == user.pk:
        raise ValidationError(_("You cannot disable your own account."))
    user.is_active = False
    seal_user(user)
    user.save(update_fields=["is_active", "integrity"])
    ended = end_sessions(user=user)
    record_event(
        action="account.disabled",
        actor_id=actor.pk,
        target_type="user",
        target_id=user.pk,
        data={"sessions_ended": ended},
    )


@transaction.atomic
def enable_user(*, actor: User, user: User) -> None:
    # Enabling vouches for the row again, so it must not have been altered while disabled.
    check_user(user)
    user.is_active = True
    seal_user(user)
    user.save(update_fields=["is_active", "integrity"])
    record_event(action="account.enabled", actor_id=actor.pk, target_type="user", target_id=user.pk)


def change_password(
    *, user: User, current_password: str, new_password: str, keep_session_key: str | None = None
) -> None:
    """Re-wrap the same private key under a new password, so every grant stays valid.

    The current password is a password guess like any other: throttled and audited.
    """
    if login_blocked(user.username):
        raise ValidationError(_("Too many failed attempts for this account."), code="throttled")
    check_user(user)
    try:
        private = unwrap_user_key(user, current_password)
    except WrongPassword:
        record_login_failure(username=user.username, user=user, stage="password_change")
        raise ValidationError(_("Your current password is not correct."), code="wrong_password") from None
    except Busy:
        _give_back_attempt(user.username)
        raise
    _give_back_attempt(user.username)
    validate_password(new_password, user)
    wrapped = wrap_password(private, new_password, argon2_cost(), context=wrap_context(user))
    with transaction.atomic():
        user.wrapped_private_key = wrapped
        user.must_change_password = False
        user.password_changed_at = datetime.now(UTC)
        seal_user(user)
        user.save(
            update_fields=["wrapped_private_key", "must_change_password", "password_changed_at", "integrity"]
        )
        ended = end_sessions(user=user, except_session_key=keep_session_key)
        record_event(
            action="account.password_changed",
            actor_id=user.pk,
            target_type="user",
            target_id=user.pk,
            data={"other_sessions_ended": ended},
        )


def reset_password(*, actor: User, actor_private_key: bytes, user: User, new_password: str) -> None:
    """An administrator's reset: a new key pair, so every old wrap is lost until re-granted.

    The administrator never learns the old key, which is the point: a reset must not be
    a way to read someone else's cases.
    """
    if actor.pk == user.pk:
        raise ValidationError(_("Change your own password from your account page."))
    validate_password(new_password, user)
    check_user(user)
    pair = keys.generate_keypair()
    user.public_key = pair.public
    wrapped = wrap_password(pair.private, new_password, argon2_cost(), context=wrap_context(user))
    with transaction.atomic():
        lost = sorted(user.key_wraps.values_list("org_key__kind", flat=True))
        user.key_wraps.all().delete()
        user.wrapped_private_key = wrapped
        user.must_change_password = True
        user.password_changed_at = datetime.now(UTC)
        seal_user(user)
        user.save(
            update_fields=[
                "public_key",
                "wrapped_private_key",
                "must_change_password",
                "password_changed_at",
                "integrity",
            ]
        )
        ended = end_sessions(user=user)
        record_event(
            action="account.password_reset",
            actor_id=actor.pk,
            target_type="user",
            target_id=user.pk,
            data={"wraps_lost": lost, "sessions_ended": ended},
        )


@transaction.atomic
def reset_second_factors(*, actor: User, user: User) -> None:
    """For a lost phone or key: remove every second factor; the user enrols a new one at next sign-in."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if actor.pk == user.pk:
        raise ValidationError(_("Manage your own second factors from your account page."))
    totp, _count = TOTPDevice.objects.filter(user=user).delete()
    keys_removed, _count = user.webauthn_credentials.all().delete()
    integrity.seal_factors(user)
    ended = end_sessions(user=user)
    record_event(
        action="account.second_factors_reset",
        actor_id=actor.pk,
        target_type="user",
        target_id=user.pk,
        data={"totp_removed": totp, "keys_removed": keys_removed, "sessions_ended": ended},
    )


# --- sign-in -------------------------------------------------------------------------


def _login_key(username: str) -> str:
    return throttle.throttle_key("login", username.strip().casefold())


# The throttle keys whose attempt this request has already counted (see login_blocked):
# its failure is then recorded without counting it twice.
_counted: contextvars.ContextVar[frozenset[str]] = contextvars.ContextVar("corridor_login_counted")


def _take_counted(key: str) -> bool:
    counted = _counted.get(frozenset())
    _counted.set(counted - {key})
    return key in counted


def login_blocked(username: str) -> bool:
    """Whether this username has used up its attempts for the window; if not, the attempt is counted now.

    Every caller checks a password or a second factor right after this. Counting the
    attempt before that check, in one conditional UPDATE, is what keeps parallel guesses
    (other threads, other workers) within the limit: a count taken only after the
    Argon2id call let 12 of 16 simultaneous wrong passwords through a limit of 5. An
    attempt that succeeds is given back (unlock_with_password, clear_login_failures).
    """
    key = _login_key(username)
    taken = throttle.take_attempt(
        key,
        limit=settings.CORRIDOR_LOGIN_FAILURE_LIMIT,
        window_seconds=settings.CORRIDOR_LOGIN_FAILURE_WINDOW_SECONDS,
    )
    if taken is None:
        return True
    _counted.set(_counted.get(frozenset()) | {key})
    return False


def _give_back_attempt(username: str) -> None:
    key = _login_key(username)
    if _take_counted(key):
        throttle.give_back_attempt(key)


@transaction.atomic
def record_login_failure(*, username: str, user: User | None, stage: str) -> None:
    """Count a failed password or second-factor attempt (once: login_blocked may have counted it)."""
    key = _login_key(username)
    window = settings.CORRIDOR_LOGIN_FAILURE_WINDOW_SECONDS
    if _take_counted(key):
        failures = throttle.current_count(key, window_seconds=window)
    else:
        failures = throttle.record_failure(key, window_seconds=window)
    record_event(
        action="auth.login_failed",
        actor_id=user.pk if user else None,
        target_type="user" if user else "",
        target_id=user.pk if user else "",
        data={"stage": stage, "throttled": failures >= settings.CORRIDOR_LOGIN_FAILURE_LIMIT},
    )


def clear_login_failures(username: str) -> None:
    key = _login_key(username)
    _take_counted(key)
    throttle.clear(key)


# A wrap of a random key under a random password, so that an unknown username costs the
# same Argon2id call as a known one. `corridor serve` makes it before gunicorn forks its
# workers (prepare_decoy), so the first failed sign-in after a start is not twice as slow.
_DUMMY_WRAP: bytes | None = None


def prepare_decoy() -> None:
    """Make the decoy wrap now, at the configured cost (the server calls this once at start)."""
    global _DUMMY_WRAP
    # Before any request: no pool to share yet, and nothing else derives meanwhile.
    _DUMMY_WRAP = wrap_with_password(
        secrets.token_bytes(32), secrets.token_urlsafe(16), argon2_cost(), context=b"dummy"
    )


def _dummy_wrap() -> bytes:
    if _DUMMY_WRAP is None:
        prepare_decoy()
    assert _DUMMY_WRAP is not None
    return _DUMMY_WRAP


@dataclass(frozen=True)
class Unlocked:
    """A user whose password has just unwrapped their private key."""

    user: User
    private_key: bytes


def unlock_with_password(username: str, password: str) -> Unlocked | None:
    """Check a password by unwrapping the user's key; None for any failure, in the same time."""
    user = User.objects.filter(username__iexact=username.strip()).prefetch_related("role_assignments").first()
    if user is None or not user.is_active or not integrity.user_ok(user):
        try:
            with contextlib.suppress(WrongPassword):
                unwrap_password(_dummy_wrap(), password, context=b"dummy")
        except Busy:
            _give_back_attempt(username)  # nothing was tried: a busy server costs no attempt
            raise
        if user is not None and user.is_active:
            # A row written outside Corridor: refused like a wrong password, but on the record.
            integrity.record_integrity_failure(what="user", target_type="user", target_id=str(user.pk))
        return None
    try:
        private = unwrap_user_key(user, password)
    except WrongPassword:
        return None
    except Busy:
        _give_back_attempt(username)
        raise
    _give_back_attempt(username)  # the password was right: only a second-factor failure counts now
    if keys.public_key_of(private) != bytes(user.public_key):
        # The wrap opened but holds another key than the certified public one.
        integrity.record_integrity_failure(what="user_key_pair", target_type="user", target_id=str(user.pk))
        return None
    if wrap_version(bytes(user.wrapped_private_key)) == LEGACY_VERSION:
        _upgrade_wrap(user, private, password)
    return Unlocked(user=user, private_key=private)


def _upgrade_wrap(user: User, private: bytes, password: str) -> None:
    """Re-wrap a key made before owner binding, at the first sign-in that can (one more Argon2id call)."""
    wrapped = wrap_password(
        private, password, wrapped_cost(bytes(user.wrapped_private_key)), context=wrap_context(user)
    )
    with transaction.atomic():
        user.wrapped_private_key = wrapped
        seal_user(user)
        user.save(update_fields=["wrapped_private_key", "integrity"])
        record_event(action="account.wrap_upgraded", actor_id=user.pk, target_type="user", target_id=user.pk)
