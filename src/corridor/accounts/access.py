"""How views obtain staff users: administrators see accounts, never case content."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db.models import QuerySet
from django.http import Http404

from corridor.accounts.models import Role, User


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
