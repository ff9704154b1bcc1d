"""What every staff view of threads and cases shares: the signed-in user, and a key that will not open."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from corridor.accounts.models import User
from corridor.cases.keys import KeyLocked

View = Callable[..., HttpResponse]


def staff_user(request: HttpRequest) -> User:
    """The signed-in staff member (the view's decorators have made sure there is one)."""
    user = request.user
    assert isinstance(user, User)
    return user


def keys_handled(view: View) -> View:
    """A thread or case key that will not open for this person is refused (403), never half-shown.

    (A session whose halves do not join is signed out by corridor.accounts.middleware.)
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except KeyLocked:
            raise PermissionDenied from None

    return wrapper
