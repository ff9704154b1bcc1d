"""What every evacuation view shares: the roles, and forms carried out once."""

from __future__ import annotations

from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from corridor.accounts.decorators import role_required
from corridor.accounts.models import Role
from corridor.cases.models import FormReceipt
from corridor.cases.views_common import View, keys_handled
from corridor.hotline import receipts

EVACUATION_ROLES = (Role.CASEWORKER, Role.COORDINATOR)


class Repeated(Exception):
    """The same form was sent twice: it was carried out the first time."""


def evacuation_view(view: View) -> View:
    return role_required(*EVACUATION_ROLES)(keys_handled(view))


def coordinator_view(view: View) -> View:
    return role_required(Role.COORDINATOR)(keys_handled(view))


def carry_out_once[T](request: HttpRequest, action: Callable[[], T]) -> T:
    """Run `action` in a transaction that also stores the form's one-time receipt.

    A form sent twice (its token already has a receipt, or the other request stored it
    first) raises Repeated and changes nothing.
    """
    token = request.POST.get("submission", "")
    lookup = receipts.submission_keys(token=token, browser_secret="", content={})
    if lookup and FormReceipt.objects.filter(lookup_id=lookup[0].lookup_id).exists():
        raise Repeated
    try:
        with transaction.atomic():
            result = action()
            if lookup:
                now = timezone.now()
                FormReceipt.objects.filter(created_at__lt=now - receipts.RECEIPT_LIFETIME).delete()
                FormReceipt.objects.create(lookup_id=lookup[0].lookup_id, created_at=now)
    except IntegrityError:
        raise Repeated from None
    return result
