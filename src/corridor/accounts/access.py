"""How views obtain staff users: administrators see accounts, never case content."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django_otp.plugins.otp_totp.models import TOTPDevice

from corridor.accounts.models import Role, User, WebAuthnCredential


def list_users_for_admin(actor: User) -> QuerySet[User]:
    if not actor.has_role(Role.ADMIN):
        return User.objects.none()
    return User.objects.prefetch_related("role_assignments").order_by("username")


def get_user_for_admin(actor: User, user_id: uuid.UUID) -> User:
    """The account an administrator manages; 404 for a missing id or a non-administrator."""
    user = list_users_for_admin(actor).filter(pk=user_id).first()
    if user is None:
        raise Http404
    return user


def usernames_by_id(ids: Iterable[uuid.UUID | str]) -> dict[str, str]:
    """Usernames (handles, not names) for pages that would show user ids; unknown ids are left out."""
    wanted = set()
    for value in ids:
        try:
            wanted.add(uuid.UUID(str(value)))
        except ValueError:
            continue
    rows = User.objects.filter(pk__in=wanted).values_list("pk", "username")
    return {str(pk): username for pk, username in rows}


def user_id_for_username(username: str) -> uuid.UUID | None:
    """The id of the user with this username (any case), active or not."""
    return User.objects.filter(username__iexact=username.strip()).values_list("pk", flat=True).first()


@dataclass(frozen=True)
class AccountsAttention:
    """Active accounts an administrator should look at."""

    without_second_factor: list[User]
    temporary_password: list[User]


def accounts_needing_attention(actor: User) -> AccountsAttention | None:
    """For administrators: who has not enrolled a second factor, who still has a temporary password."""
    if not actor.has_role(Role.ADMIN):
        return None
    active = User.objects.filter(is_active=True).order_by("username")
    enrolled = Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)) | Exists(
        WebAuthnCredential.objects.filter(user=OuterRef("pk"))
    )
    return AccountsAttention(
        without_second_factor=list(active.exclude(enrolled)),
        temporary_password=list(active.filter(must_change_password=True)),
    )
