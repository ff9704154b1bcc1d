"""Staff forms carried out once: the same form sent twice (a double tap, a resent request) does nothing twice.

Every staff form that creates or changes something carries a one-time token (a hidden
`submission` field from `corridor.hotline.receipts.new_token`). The first request with a
token carries the form out and stores the token's receipt in the same transaction; a
second one finds the receipt and is told it was already done. Two requests at the same
moment both get past the first look, but only one can store the receipt: the other's
transaction, form included, is rolled back. Receipts hold a digest of the token only and
are kept an hour. Any app's staff views use this; the receipts live in `cases.FormReceipt`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from corridor.cases.models import FormReceipt
from corridor.hotline import receipts

REPEATED = _("This was already done: the form was sent twice, and nothing was done again.")


@dataclass(frozen=True)
class Once[T]:
    """What came of a form: its action's result, or `repeated` when it had been carried out already."""

    result: T | None = None
    repeated: bool = False


class _AlreadyStored(Exception):
    pass


def _lookup_id(token: str) -> str | None:
    keys = receipts.submission_keys(token=token, browser_secret="", content={})
    return keys[0].lookup_id if keys else None


def carry_out_once[T](token: str, action: Callable[[], T]) -> Once[T]:
    """Run `action` in a transaction unless the token's form was carried out already.

    A form without a (valid) token is carried out as it is: the token guards against
    repeats, it is not an authorization. Exceptions of `action` roll it back and propagate.
    """
    lookup = _lookup_id(token)
    if lookup is not None and FormReceipt.objects.filter(lookup_id=lookup).exists():
        return Once(repeated=True)
    try:
        with transaction.atomic():
            result = action()
            if lookup is not None:
                now = timezone.now()
                FormReceipt.objects.filter(created_at__lt=now - receipts.RECEIPT_LIFETIME).delete()
                try:
                    with transaction.atomic():
                        FormReceipt.objects.create(lookup_id=lookup, created_at=now)
                except IntegrityError:
                    # The other request of a double tap stored it first: undo this one's work.
                    raise _AlreadyStored from None
    except _AlreadyStored:
        return Once(repeated=True)
    return Once(result=result)
