"""How views obtain staff users: administrators see accounts, never case content."""

from __future__ import annotations

import uuid

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
