"""The case page and its writes: move, close, reopen, flags, approvals, notes, contacts, risk, access.

Every write is a POST that parses a form, calls one service and redirects to the case page;
a refusal shows the page again with the reason and status 400, and nothing is stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from corridor.accounts import unlock
from corridor.accounts.access import user_id_for_username
from corridor.accounts.decorators import role_required
from corridor.accounts.models import User
from corridor.cases import access, grants, once, reading, rules, services, views_tasks, workflow
from corridor.cases.forms_case import (
    ApprovalDecideForm,
    ApprovalRequestForm,
    AssignForm,
    ClearFlagForm,
    CloseForm,
    ContactForm,
    FlagForm,
    GrantForm,
    MoveForm,
    NoteForm,
    ProfileForm,
    ReopenForm,
    RevokeForm,
    RiskForm,
)
from corridor.cases.models import Approval, ApprovalKind, Case, CaseFlag, FlagKind, Stage
from corridor.cases.views_common import View, keys_handled, staff_user
from corridor.hotline import receipts
from corridor.hotline.models import Urgency

Action = Callable[[User, bytes, Case, dict[str, Any]], str]


@dataclass
class CaseForms:
    move: forms.Form = field(default_factory=MoveForm)
    close: forms.Form = field(default_factory=CloseForm)
    reopen: forms.Form = field(default_factory=ReopenForm)
    flag: forms.Form = field(default_factory=FlagForm)
    clear_flag: forms.Form = field(default_factory=ClearFlagForm)
    approval_request: forms.Form = field(default_factory=ApprovalRequestForm)
    approval_decide: forms.Form = field(default_factory=ApprovalDecideForm)
    note: forms.Form = field(default_factory=NoteForm)
    contact: forms.Form = field(default_factory=ContactForm)
    assign: forms.Form = field(default_factory=AssignForm)
    risk: forms.Form = field(default_factory=RiskForm)
    grant: forms.Form = field(default_factory=GrantForm)
    revoke: forms.Form = field(default_factory=RevokeForm)

    def __post_init__(self) -> None:
        # One page holds all these forms: each gets its own field ids, so every label
        # names its own control (two forms both have a "note", a "kind", a "username").
        for name in self.__dataclass_fields__:
            getattr(self, name).auto_id = f"id_{name}_%s"


@dataclass(frozen=True)
class MoveOption:
    to_stage: str
    label: str
    back: bool
    flags: list[str]
    approvals: list[str]


def _moves(steps: workflow.NextSteps) -> list[MoveOption]:
    return [
        MoveOption(
            to_stage=move.to_stage,
            label=str(Stage(move.to_stage).label),
            back=move.reason == "step_back",
            flags=[str(FlagKind(flag).label) for flag in flags],
            approvals=[str(ApprovalKind(kind).label) for kind in approvals],
        )
        for move, flags, approvals in steps.moves
    ]


def _render_case(
    request: HttpRequest, case: Case, case_forms: CaseForms | None = None, *, status: int = 200
) -> HttpResponse:
    """Decrypt the case (one audited opening of its key) and show it with its forms."""
    user = staff_user(request)
    case.refresh_from_db()
    view = reading.case_for_staff(user=user, user_private_key=unlock.user_private_key(request), case=case)
    context = {
        "case": case,
        "view": view,
        "moves": _moves(view.steps),
        "forms": case_forms or CaseForms(),
        "is_coordinator": access.is_coordinator(user),
        "urgency_label": dict(Urgency.choices).get(case.urgency, case.urgency),
        "task_form": views_tasks.task_form(case),
        # One-time token in every form: the same form sent twice is carried out once.
        "submission_token": receipts.new_token(),
    }
    return render(request, "cases/case.html", context, status=status)


def _post(
    request: HttpRequest, case_id: uuid.UUID, name: str, form: forms.Form, action: Action
) -> HttpResponse:
    """Parse, act, redirect (PRG); a bad form or a refusal shows the page again with 400."""
    user = staff_user(request)
    case = access.get_case_for_staff(user, case_id)
    if form.is_valid():
        try:
            done = once.carry_out_once(
                request.POST.get("submission", ""),
                lambda: action(user, unlock.user_private_key(request), case, form.cleaned_data),
            )
        except services.CaseRefused as exc:
            form.add_error(None, str(exc))
        else:
            if done.repeated:
                messages.info(request, once.REPEATED)
            else:
                messages.success(request, str(done.result))
            return redirect("cases:case", case_id=case.pk)
    return _render_case(request, case, replace(CaseForms(), **{name: form}), status=400)


def _case_view(view: View) -> View:
    return role_required(*access.CASE_ROLES)(keys_handled(view))


# --- the page -------------------------------------------------------------------------


@_case_view
@require_GET
def case_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = access.get_case_for_staff(staff_user(request), case_id)
    return _render_case(request, case)


@_case_view
@require_http_methods(["GET", "POST"])
def case_profile_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    case = access.get_case_for_staff(user, case_id)
    private_key = unlock.user_private_key(request)
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            check = services.update_profile(
                actor=user,
                user_private_key=private_key,
                case=case,
                profile=form.profile(),
                # A form without the field leaves the region as it is.
                region=form.cleaned_data["region"] if "region" in request.POST else None,
            )
            messages.success(request, _("The profile is saved."))
            if check.blocked:
                messages.error(
                    request, _("An identifier matches the blocklist: a security concern is raised.")
                )
            if check.duplicates:
                codes = ", ".join(card.code for card in check.duplicates)
                messages.warning(request, _("Other cases share an identifier: %(codes)s.") % {"codes": codes})
            return redirect("cases:case", case_id=case.pk)
        status = 400
    else:
        key = services.open_case_key(user=user, user_private_key=private_key, case=case, purpose="profile")
        form, status = ProfileForm.for_profile(services.read_profile(key, case), case.region), 200
    return render(request, "cases/case_profile.html", {"case": case, "form": form}, status=status)


# --- stages ---------------------------------------------------------------------------


@_case_view
@require_POST
def case_move_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    def act(user: User, key: bytes, case: Case, data: dict[str, Any]) -> str:
        change = workflow.move_case(
            actor=user, user_private_key=key, case=case, to_stage=data["to_stage"], note=data["note"]
        )
        return _("The case moved to %(stage)s.") % {"stage": Stage(change.to_stage).label}

    return _post(request, case_id, "move", MoveForm(request.POST), act)


@_case_view
@require_POST
def case_close_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    asking = request.POST.get("action") == "request"

    def act(user: User, key: bytes, case: Case, data: dict[str, Any]) -> str:
        if asking:
            # The same form asks a coordinator to approve exactly this outcome first.
            workflow.request_approval(
                actor=user,
                user_private_key=key,
                case=case,
                kind=ApprovalKind.CLOSURE,
                subject=rules.closure_subject(data["outcome"], data["outcome_reason"]),
                note=data["note"],
            )
            return _("A coordinator is asked to approve this outcome.")
        workflow.close_case(
            actor=user,
            user_private_key=key,
            case=case,
            outcome=data["outcome"],
            outcome_reason=data["outcome_reason"],
            note=data["note"],
        )
        return _("The case is closed.")

    return _post(request, case_id, "close", CloseForm(request.POST), act)


@_case_view
@require_POST
def case_reopen_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    def act(user: User, key: bytes, case: Case, data: dict[str, Any]) -> str:
        workflow.reopen_case(
            actor=user, user_private_key=key, case=case, to_stage=data["to_stage"], note=data["note"]
        )
        return _("The case is reopened.")

    return _post(request, case_id, "reopen", ReopenForm(request.POST), act)


# --- flags and approvals --------------------------------------------------------------


@_case_view
@require_POST
def case_flag_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    def act(user: User, key: bytes, case: Case, data: dict[str, Any]) -> str:
        workflow.raise_flag(
            actor=user,
            user_private_key=key,
            case=case,
            kind=data["kind"],
            reason=data["reason"],
            note=data["note"],
        )
        return _("The flag is raised.")

    return _post(request, case_id, "flag", FlagForm(request.POST), act)


@_case_view
@require_POST
def case_flag_clear_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    def act(user: User, key: bytes, case: Case, data: dict[str, Any]) -> str:
        flag = CaseFlag.objects.filter(case=case, pk=data["flag"]).first()
        if flag is None:
            raise services.CaseRefused(_("This flag is not on this case."))
        workflow.clear_flag(actor=user, user_private_key=key, flag=flag, note=data["note"])
        return _("The flag is cleared.")

    return _post(request, case_id, "clear_flag", ClearFlagForm(request.POST), act)


@_case_view
@require_POST
def case_approval_request_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    def act(user: User, key: bytes, case: Case, data: dict[str, Any]) -> str:
        workflow.request_approval(
            actor=user,
            user_private_key=key,
            case=case,
            kind=data["kind"],
            subject=data["subject"],
            note=data["note"],
        )
        return _("The approval is requested.")

    return _post(request, case_id, "approval_request", ApprovalRequestForm(request.POST), act)


@_case_view
@require_POST
def case_approval_decide_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    def act(user: User, key: bytes, case: Case, data: dict[str, Any]) -> str:
        approval = Approval.objects.filter(case=case, pk=data["approval"]).first()
        if approval is None:
            raise services.CaseRefused(_("This request is not on this case."))
        workflow.decide_approval(
            actor=user, user_private_key=key, approval=approval, decision=data["decision"], note=data["note"]
        )
        return _("Your decision is recorded.")

    return _post(request, case_id, "approval_decide", ApprovalDecideForm(request.POST), act)


# --- the record -----------------------------------------------------------------------


@_case_view
@require_POST
def case_note_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    def act(user: User, key: bytes, case: Case, data: dict[str, Any]) -> str:
        services.add_case_note(actor=user, user_private_key=key, case=case, text=data["note"])
        return _("The note is saved.")

    return _post(request, case_id, "note", NoteForm(request.POST), act)


@_case_view
@require_POST
def case_contact_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    def act(user: User, key: bytes, case: Case, data: dict[str, Any]) -> str:
        services.log_contact(
            actor=user, user_private_key=key, case=case, channel=data["channel"], text=data["note"]
        )
        return _("The contact is logged.")

    return _post(request, case_id, "contact", ContactForm(request.POST), act)


@_case_view
@require_POST
def case_risk_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    def act(user: User, key: bytes, case: Case, data: dict[str, Any]) -> str:
        services.reassess_risk(
            actor=user, user_private_key=key, case=case, factors=data["factors"], urgency=data["urgency"]
        )
        return _("The risk is re-assessed.")

    return _post(request, case_id, "risk", RiskForm(request.POST), act)


# --- access ---------------------------------------------------------------------------


@_case_view
@require_POST
def case_grant_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    def act(user: User, key: bytes, case: Case, data: dict[str, Any]) -> str:
        grantee_id = user_id_for_username(data["username"])
        grantee = User.objects.filter(pk=grantee_id).first() if grantee_id else None
        if grantee is None:
            raise services.CaseRefused(_("There is no colleague with this username."))
        if not grants.grant_case_access(actor=user, user_private_key=key, case=case, grantee=grantee):
            return _("%(name)s already had access.") % {"name": grantee.username}
        return _("%(name)s now has access.") % {"name": grantee.username}

    return _post(request, case_id, "grant", GrantForm(request.POST), act)


@_case_view
@require_POST
def case_assign_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    def act(user: User, key: bytes, case: Case, data: dict[str, Any]) -> str:
        chosen_id = user_id_for_username(data["username"])
        chosen = User.objects.filter(pk=chosen_id).first() if chosen_id else None
        if chosen is None:
            raise services.CaseRefused(_("There is no colleague with this username."))
        if not services.assign_caseworker(actor=user, user_private_key=key, case=case, caseworker=chosen):
            return _("%(name)s was already the caseworker.") % {"name": chosen.username}
        return _("%(name)s is the caseworker now.") % {"name": chosen.username}

    return _post(request, case_id, "assign", AssignForm(request.POST), act)


@_case_view
@require_POST
def case_revoke_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)

    def act(actor: User, key: bytes, case: Case, data: dict[str, Any]) -> str:
        holder = next((h for h in grants.holders(case) if h.pk == data["user"]), None)
        if holder is None:
            raise services.CaseRefused(_("This person does not hold the case."))
        grants.revoke_case_access(
            actor=actor, user_private_key=key, case=case, user=holder, rekey=data["rekey"]
        )
        if data["rekey"]:
            return _("Access is revoked and the case has a new key.")
        return _("Access is revoked.")

    response = _post(request, case_id, "revoke", RevokeForm(request.POST), act)
    # Revoking one's own access (with a re-key) leaves nothing to come back to.
    if response.status_code == 302 and not access.readable_cases(user).filter(pk=case_id).exists():
        return redirect("web:home")
    return response
