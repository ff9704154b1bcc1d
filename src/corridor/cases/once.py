"""Staff forms carried out once: the same form sent twice (a double tap, a resent request) does nothing twice.

Every staff form that creates or changes something carries a one-time token (a hidden
`submission` field from `corridor.hotline.receipts.new_token`). The first request with a
token carries the form out and stores the token's receipt in the same transaction; a
second one finds the receipt and is told it was already done. Two requests at the same
moment both get past the first look, but only one can store the receipt: the other's
transaction, form included, is rolled back. Receipts hold a digest of the token only (and
the id of what the form created, so that a repeat can show it again) and are kept an hour.
Any app's forms use this, the person's check-in from their hotline thread included; the
receipts live in `cases.FormReceipt`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from corridor.cases.models import FormReceipt
from corridor.hotline import receipts

REPEATED = _("This was already done: the form was sent twice, and nothing was done again.")


class FormExpired(ValueError):
    """The form's token is not one Corridor gives out: the page is too old, or was changed."""


@dataclass(frozen=True)
class Once[T]:
    """What came of a form: its action's result, or `repeated` when it had been carried out already.

    `created_id` names what the form created (see `carry_out_once`), the first time and on a repeat.
    """

    result: T | None = None
    repeated: bool = False
    created_id: str = ""


class _AlreadyStored(Exception):
    pass


def _lookup_id(token: str) -> str | None:
    keys = receipts.submission_keys(token=token, browser_secret="", content={})
    return keys[0].lookup_id if keys else None


def _earlier(lookup: str) -> Once[Any] | None:
    row = FormReceipt.objects.filter(lookup_id=lookup).values_list("created_id", flat=True).first()
    return None if row is None else Once(repeated=True, created_id=row)


def carry_out_once[T](
    token: str,
    action: Callable[[], T],
    *,
    created: Callable[[T], object] | None = None,
    strict: bool = False,
) -> Once[T]:
    """Run `action` in a transaction unless the token's form was carried out already.

    A form without a (valid) token is carried out as it is: the token guards against
    repeats, it is not an authorization. With `strict`, a token that is there but is not
    one Corridor gives out raises FormExpired (a form that must carry one requires the
    field). `created` gives the id of what the action made (its result's primary key, say),
    kept with the receipt so a repeat can show the same thing. Exceptions of `action` roll
    it back and propagate.
    """
    lookup = _lookup_id(token)
    if lookup is None and strict and token:
        raise FormExpired(token)
    if lookup is not None and (earlier := _earlier(lookup)) is not None:
        return earlier
    created_id = ""
    try:
        with transaction.atomic():
            result = action()
            created_id = str(created(result)) if created is not None else ""
            if lookup is not None:
                now = timezone.now()
                FormReceipt.objects.filter(created_at__lt=now - receipts.RECEIPT_LIFETIME).delete()
                try:
                    with transaction.atomic():
                        FormReceipt.objects.create(lookup_id=lookup, created_id=created_id, created_at=now)
                except IntegrityError:
                    # The other request of a double tap stored it first: undo this one's work.
                    raise _AlreadyStored from None
    except _AlreadyStored:
        return (_earlier(lookup) if lookup else None) or Once(repeated=True)
    return Once(result=result, created_id=created_id)
