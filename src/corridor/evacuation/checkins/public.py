"""The person's side: two plain choices in their thread, shown only while check-ins run.

The page says nothing else about the case. Both answers are sent by the same form, look
alike, and leave the page looking the same afterwards: "received" and the time. Whoever
takes the phone later cannot tell which one was pressed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils.translation import gettext as _

from corridor.cases.models import FormReceipt
from corridor.evacuation.checkins import services
from corridor.evacuation.checkins.forms import PersonCheckInForm
from corridor.hotline import receipts
from corridor.hotline.models import Thread

# The name of the choice's button: the thread's write view hands such a form over here.
CHOICE = "check_in"


def thread_context(thread: Thread) -> dict[str, Any]:
    """What the thread page needs to show the choices (nothing when no schedule runs)."""
    return {
        "check_in_offered": services.offers_check_in(thread),
        "check_in_token": receipts.new_token(),
        "check_in_last": services.last_check_in_at(thread),
    }


def check_in_from_thread(data: QueryDict, *, thread: Thread, applicant_private: bytes) -> str:
    """Record the person's answer once per form; returns what went wrong, or "" when it is recorded."""
    form = PersonCheckInForm(data)
    expired = _("The page was open too long. Press your answer again, please.")
    if not form.is_valid():
        if "message" in form.errors:
            return _(
                "The message cannot be sent: it is too long or contains characters that cannot be accepted."
            )
        return expired if "submission" in form.errors else _("Choose one of the two answers.")
    if not receipts.well_formed(form.cleaned_data["submission"]):
        return expired
    [lookup] = receipts.submission_keys(token=form.cleaned_data["submission"], browser_secret="", content={})
    if FormReceipt.objects.filter(lookup_id=lookup.lookup_id).exists():
        return ""  # sent twice: recorded the first time
    try:
        with transaction.atomic():
            services.record_person_check_in(
                thread=thread,
                applicant_private=applicant_private,
                answer=form.cleaned_data[CHOICE],
                text=form.cleaned_data["message"],
            )
            now = datetime.now(UTC)
            FormReceipt.objects.filter(created_at__lt=now - receipts.RECEIPT_LIFETIME).delete()
            FormReceipt.objects.create(lookup_id=lookup.lookup_id, created_at=now)
    except services.CheckInRefused as exc:
        return str(exc)
    except IntegrityError:
        return ""  # a double tap: the other request recorded it
    return ""
