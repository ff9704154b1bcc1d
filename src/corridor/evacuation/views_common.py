"""What every evacuation view shares: the roles, and forms carried out once (corridor.cases.once)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

from corridor.accounts.decorators import role_required
from corridor.accounts.models import Role
from corridor.cases import once
from corridor.cases.views_common import View, keys_handled

EVACUATION_ROLES = (Role.CASEWORKER, Role.COORDINATOR)
REPEATED = once.REPEATED


def evacuation_view(view: View) -> View:
    return role_required(*EVACUATION_ROLES)(keys_handled(view))


def coordinator_view(view: View) -> View:
    return role_required(Role.COORDINATOR)(keys_handled(view))


def carry_out_once[T](
    request: HttpRequest, action: Callable[[], T], *, created: Callable[[T], object] | None = None
) -> once.Once[T]:
    """The POSTed form's action, carried out once per its one-time token (`submission`)."""
    return once.carry_out_once(request.POST.get("submission", ""), action, created=created)
