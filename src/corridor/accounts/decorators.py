"""View decorators: the only gates in front of staff pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from corridor.accounts import unlock
from corridor.accounts.models import User

View = Callable[..., HttpResponse]


def staff_required(view: View) -> View:
    """Signed in with both factors; a user with a temporary password must change it first."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not isinstance(user, User) or not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if (
            user.must_change_password
            and request.resolver_match
            and request.resolver_match.url_name not in {"password_change", "logout"}
        ):
            return redirect("accounts:password_change")
        return view(request, *args, **kwargs)

    return wrapper


def role_required(*roles: str) -> Callable[[View], View]:
    """Signed in and holding at least one of `roles`; anyone else gets 403."""

    def decorator(view: View) -> View:
        @staff_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            assert isinstance(user, User)
            if not any(user.has_role(r) for r in roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def reauth_required(view: View) -> View:
    """Sensitive actions need the password again if the last check is older than a few minutes."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not unlock.recently_authenticated(request):
            # No Referer is ever sent (no-referrer policy), so forms say where they came from.
            target = request.get_full_path() if request.method == "GET" else request.POST.get("return_to", "")
            query = urlencode({"next": target}) if target else ""
            return redirect(f"{reverse('accounts:reauth')}?{query}")
        return view(request, *args, **kwargs)

    return wrapper
