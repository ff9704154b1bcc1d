"""Django authentication backend: users are loaded by id only; passwords go through unlock_with_password."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend
from django.http import HttpRequest

from corridor.accounts import integrity
from corridor.accounts.models import User


class KeyUnlockBackend(BaseBackend):
    """Sign-in is handled by corridor.accounts.views; this backend only restores the session's user."""

    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        return None

    def get_user(self, user_id: Any) -> User | None:
        """The session's user, if their row (keys, wrap, activity, roles) still carries a valid MAC."""
        user = User.objects.filter(pk=user_id, is_active=True).prefetch_related("role_assignments").first()
        if user is None:
            return None
        if not integrity.user_ok(user):
            # Roles or keys changed outside Corridor: the session is treated as signed out.
            integrity.record_integrity_failure(what="user", target_type="user", target_id=str(user.pk))
            return None
        return user
