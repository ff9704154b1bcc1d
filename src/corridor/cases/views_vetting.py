"""The vetting page of a case: checklist, references, interviews, red flags and the decision's state."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from corridor.accounts import unlock
from corridor.accounts.decorators import role_required
from corridor.cases import access, once, vetting, workflow
from corridor.cases.forms_vetting import (
    CheckForm,
    InterviewForm,
    RedFlagForm,
    ReferenceForm,
    RequestDecisionForm,
)
from corridor.cases.models import ApprovalKind, Case
from corridor.cases.services import CaseRefused
from corridor.cases.views_common import keys_handled, staff_user
from corridor.hotline import receipts


@dataclass
class VettingForms:
    check: CheckForm
    reference: ReferenceForm
    interview: InterviewForm
    red_flag: RedFlagForm
    request_decision: RequestDecisionForm


def _blank_forms() -> VettingForms:
    return VettingForms(
        check=CheckForm(),
        reference=ReferenceForm(),
        interview=InterviewForm(),
        red_flag=RedFlagForm(),
        request_decision=RequestDecisionForm(),
    )


def _render(request: HttpRequest, case: Case, page_forms: VettingForms, *, status: int = 200) -> HttpResponse:
    user = staff_user(request)
    view = vetting.vetting_for_staff(user=user, user_private_key=unlock.user_private_key(request), case=case)
    context = {
        "case": case,
        "view": view,
        "forms": page_forms,
        "may_decide": view.approval is not None and workflow.may_decide(user, view.approval),
        # One-time token in every form: the same form sent twice is carried out once.
        "submission_token": receipts.new_token(),
    }
    return render(request, "cases/vetting.html", context, status=status)


def _rerender_with(request: HttpRequest, case: Case, name: str, form: forms.Form) -> HttpResponse:
    """The page again with the rejected form and its errors; nothing was stored."""
    page_forms = _blank_forms()
    setattr(page_forms, name, form)
    return _render(request, case, page_forms, status=400)


def _refused(request: HttpRequest, case: Case, exc: CaseRefused) -> HttpResponse:
    messages.error(request, str(exc))
    return redirect("cases:vetting", case_id=case.pk)


def _carry_out(request: HttpRequest, case: Case, action: Callable[[], object], done: str) -> HttpResponse:
    """The form's service call, once per form sent (corridor.cases.once); back to the vetting page."""
    try:
        outcome = once.carry_out_once(request.POST.get("submission", ""), action)
    except CaseRefused as exc:
        return _refused(request, case, exc)
    if outcome.repeated:
        messages.info(request, once.REPEATED)
    else:
        messages.success(request, done)
    return redirect("cases:vetting", case_id=case.pk)


@role_required(*vetting.VETTING_ROLES)
@require_GET
@keys_handled
def vetting_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = access.get_case_for_staff(staff_user(request), case_id)
    return _render(request, case, _blank_forms())


@role_required(*vetting.VETTING_ROLES)
@require_POST
@keys_handled
def check_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    case = access.get_case_for_staff(user, case_id)
    form = CheckForm(request.POST)
    if not form.is_valid():
        return _rerender_with(request, case, "check", form)
    return _carry_out(
        request,
        case,
        lambda: vetting.record_check(
            actor=user, case=case, item=form.cleaned_data["item"], result=form.cleaned_data["result"]
        ),
        _("The checklist is updated."),
    )


@role_required(*vetting.VETTING_ROLES)
@require_POST
@keys_handled
def reference_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    case = access.get_case_for_staff(user, case_id)
    form = ReferenceForm(request.POST)
    if not form.is_valid():
        return _rerender_with(request, case, "reference", form)
    return _carry_out(
        request,
        case,
        lambda: vetting.add_reference(
            actor=user, user_private_key=unlock.user_private_key(request), case=case, **form.cleaned_data
        ),
        _("The reference is saved."),
    )


@role_required(*vetting.VETTING_ROLES)
@require_POST
@keys_handled
def interview_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    case = access.get_case_for_staff(user, case_id)
    form = InterviewForm(request.POST)
    if not form.is_valid():
        return _rerender_with(request, case, "interview", form)
    return _carry_out(
        request,
        case,
        lambda: vetting.add_interview(
            actor=user,
            user_private_key=unlock.user_private_key(request),
            case=case,
            text=form.cleaned_data["text"],
        ),
        _("The interview notes are saved."),
    )


@role_required(*vetting.VETTING_ROLES)
@require_POST
@keys_handled
def red_flag_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    case = access.get_case_for_staff(user, case_id)
    form = RedFlagForm(request.POST)
    if not form.is_valid():
        return _rerender_with(request, case, "red_flag", form)
    return _carry_out(
        request,
        case,
        lambda: vetting.raise_red_flag(
            actor=user,
            user_private_key=unlock.user_private_key(request),
            case=case,
            code=form.cleaned_data["code"],
            note=form.cleaned_data["note"],
        ),
        _("The red flag is recorded."),
    )


@role_required(*vetting.VETTING_ROLES)
@require_POST
@keys_handled
def request_decision_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    case = access.get_case_for_staff(user, case_id)
    form = RequestDecisionForm(request.POST)
    if not form.is_valid():
        return _rerender_with(request, case, "request_decision", form)
    return _carry_out(
        request,
        case,
        lambda: workflow.request_approval(
            actor=user,
            user_private_key=unlock.user_private_key(request),
            case=case,
            kind=ApprovalKind.VETTING,
            note=form.cleaned_data["note"],
        ),
        _("The vetting decision is requested: two colleagues must approve it."),
    )
