"""The person's side: two plain choices in their thread, shown only while check-ins run.

The page says nothing else about the case. Both answers are sent by the same form, look
alike, and leave the page looking the same afterwards: "received" and the time. Whoever
takes the phone later cannot tell which one was pressed.

The form's one-time token is kept as staff forms' are (corridor.cases.once): a receipt
that holds only a digest of the token, with no link to the thread or the case. The
hotline's own receipts would not do: they belong to the request form, tie a receipt to its
thread and hold the codename to show again, where a check-in has nothing to show.
"""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _

from corridor.cases import once
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
    try:
        # Sent twice (a double tap, a reload), it is recorded once; the page says nothing of it,
        # as it says nothing of which answer was pressed.
        once.carry_out_once(
            form.cleaned_data["submission"],
            lambda: services.record_person_check_in(
                thread=thread,
                applicant_private=applicant_private,
                answer=form.cleaned_data[CHOICE],
                text=form.cleaned_data["message"],
            ),
            strict=True,
        )
    except once.FormExpired:
        return expired
    except services.CheckInRefused as exc:
        return str(exc)
    return ""
