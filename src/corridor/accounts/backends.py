"""Django authentication backend: users are loaded by id only; passwords go through unlock_with_password."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend
from django.http import HttpRequest

from corridor.accounts.models import User


class KeyUnlockBackend(BaseBackend):
    """Sign-in is handled by corridor.accounts.views; this backend only restores the session's user."""

    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        return None

    def get_user(self, user_id: Any) -> User | None:
        return User.objects.filter(pk=user_id, is_active=True).first()
