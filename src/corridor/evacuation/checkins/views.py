"""Staff pages of check-ins: the missed check-ins list, a case's check-ins, and the two writes.

The writes come from the case page's panel (or the case's check-in page): parse, act,
redirect to the case page. A refusal shows the case's check-in page with the reason and
status 400, and nothing is stored. Each form carries a one-time token, so the same form
sent twice is carried out once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from corridor.accounts import unlock
from corridor.accounts.decorators import role_required
from corridor.accounts.models import User
from corridor.cases import access as case_access
from corridor.cases import once
from corridor.cases.models import Case, Stage
from corridor.cases.services import open_case_key
from corridor.cases.views_common import View, keys_handled, staff_user
from corridor.evacuation.checkins import reading, services
from corridor.evacuation.checkins.forms import LogCheckInForm, ScheduleForm
from corridor.evacuation.checkins.models import CheckInSchedule

Action = Callable[[User, bytes, Case, dict[str, Any]], str]
# "Not safe" answers stay on the missed check-ins list this long.
UNSAFE_SHOWN = timedelta(days=2)


def _staff_view(view: View) -> View:
    return role_required(*case_access.CASE_ROLES)(keys_handled(view))


def _case_page(
    request: HttpRequest,
    case: Case,
    *,
    status: int = 200,
    log_form: LogCheckInForm | None = None,
    schedule_form: ScheduleForm | None = None,
) -> HttpResponse:
    """The case's check-ins with their notes (one audited opening of the case key) and the forms."""
    user = staff_user(request)
    key = open_case_key(
        user=user, user_private_key=unlock.user_private_key(request), case=case, purpose="check_ins"
    )
    schedule = CheckInSchedule.objects.filter(case=case).first()
    context = {
        "case": case,
        "schedule": schedule,
        "state": reading.state_of(schedule),
        "entries": reading.entries(key, reading.recent(case)),
        "closed": case.stage == Stage.CLOSED,
        **reading.page_forms(case, schedule, log_form=log_form, schedule_form=schedule_form),
    }
    return render(request, "checkins/case.html", context, status=status)


def _post(
    request: HttpRequest, case_id: uuid.UUID, form: LogCheckInForm | ScheduleForm, act: Action
) -> HttpResponse:
    """Parse, act once per token, redirect to the case page; a bad form or a refusal gives 400."""
    user = staff_user(request)
    case = case_access.get_case_for_staff(user, case_id)
    if form.is_valid():
        try:
            done = once.carry_out_once(
                form.cleaned_data["submission"],
                lambda: act(user, unlock.user_private_key(request), case, form.cleaned_data),
            )
        except services.CheckInRefused as exc:
            form.add_error(None, str(exc))
        else:
            if done.repeated:
                messages.info(request, once.REPEATED)
            else:
                messages.success(request, str(done.result))
            return redirect("cases:case", case_id=case.pk)
    if isinstance(form, LogCheckInForm):
        return _case_page(request, case, status=400, log_form=form)
    return _case_page(request, case, status=400, schedule_form=form)


@_staff_view
@require_GET
def missed_view(request: HttpRequest) -> HttpResponse:
    """Missed check-ins and recent "not safe" answers: codes, stages and times only, nothing decrypted."""
    user = staff_user(request)
    now = datetime.now(UTC)
    context = {
        "missed": list(reading.missed_for(user, now)[:500]),
        "unsafe": list(reading.unsafe_since(user, now - UNSAFE_SHOWN)[:100]),
        "is_coordinator": case_access.is_coordinator(user),
        "now": now,
    }
    return render(request, "checkins/missed.html", context)


@_staff_view
@require_GET
def case_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = case_access.get_case_for_staff(staff_user(request), case_id)
    return _case_page(request, case)


@_staff_view
@require_POST
def schedule_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = case_access.get_case_for_staff(staff_user(request), case_id)

    def act(user: User, key: bytes, case: Case, data: dict[str, Any]) -> str:
        schedule = services.set_schedule(
            actor=user,
            case=case,
            interval_minutes=data["interval"],
            grace_minutes=data["grace"],
            active=data["status"] == "active",
        )
        return _("Check-ins are running.") if schedule.active else _("Check-ins are paused.")

    return _post(request, case_id, ScheduleForm(request.POST, stage=case.stage), act)


@_staff_view
@require_POST
def log_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    def act(user: User, key: bytes, case: Case, data: dict[str, Any]) -> str:
        check_in = services.log_check_in(
            actor=user,
            user_private_key=key,
            case=case,
            answer=data["answer"],
            channel=data["channel"],
            note=data["note"],
        )
        if check_in.answer == "unsafe":
            return _("The check-in is logged: the caseworker and the coordinators are alerted.")
        return _("The check-in is logged.")

    return _post(request, case_id, LogCheckInForm(request.POST), act)
