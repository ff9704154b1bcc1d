"""Relocation pages: the case-page forms (pathways, milestones, consents, referrals) and partners.

Each write is a POST that parses a form, calls one service and redirects to the case page
(or the partners page). Bad input or a refusal shows the form again on its own page with
the reason and status 400, and nothing is stored. A form sent twice is carried out once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from corridor.accounts import unlock
from corridor.accounts.decorators import role_required
from corridor.accounts.models import Role, User
from corridor.cases import once
from corridor.cases.models import Case
from corridor.cases.services import CaseRefused
from corridor.cases.views_common import View, keys_handled, staff_user
from corridor.evacuation.relocation import access, partners, referrals, services
from corridor.evacuation.relocation import forms as f
from corridor.evacuation.relocation.countries import country_name
from corridor.evacuation.relocation.models import Partner
from corridor.hotline import receipts

Action = Callable[[User, bytes, Case, Any], str]
REPEATED = once.REPEATED
DEACTIVATED = gettext_lazy("%(name)s is deactivated: nothing more goes to it.")


def _form_page(
    request: HttpRequest, form: forms.Form, *, title: str, action: str, back: str, status: int = 400
) -> HttpResponse:
    context = {
        "form": form,
        "title": title,
        "action": action,
        "back": back,
        "submission_token": receipts.new_token(),
    }
    return render(request, "relocation/form_page.html", context, status=status)


def _case_post(
    request: HttpRequest,
    case_id: uuid.UUID,
    name: str,
    form_class: type[f.CaseForm],
    title: str,
    action: Action,
) -> HttpResponse:
    """Parse, act, redirect to the case (PRG); a bad form or a refusal shows the form with 400."""
    user = staff_user(request)
    case = access.get_case_for_relocation(user, case_id)
    form = form_class(request.POST, case=case)
    back = reverse("cases:case", args=[case.pk])
    if form.is_valid():
        try:
            done = once.carry_out_once(
                request.POST.get("submission", ""),
                lambda: action(user, unlock.user_private_key(request), case, form),
            )
        except CaseRefused as exc:
            form.add_error(None, str(exc))
        else:
            if done.repeated:
                messages.info(request, str(REPEATED))
            else:
                messages.success(request, str(done.result))
            return redirect(back)
    return _form_page(
        request, form, title=title, action=reverse(f"relocation:{name}", args=[case.pk]), back=back
    )


def _relocation_view(view: View) -> View:
    return role_required(*access.RELOCATION_ROLES)(keys_handled(view))


# --- pathways -------------------------------------------------------------------------


@_relocation_view
@require_POST
def pathway_add_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    def act(user: User, key: bytes, case: Case, form: f.PathwayForm) -> str:
        services.add_pathway(
            actor=user,
            user_private_key=key,
            case=case,
            kind=form.cleaned_data["kind"],
            destination=form.cleaned_data["destination"],
            partner=form.chosen_partner(),
            note=form.cleaned_data["note"],
        )
        return _("The pathway is added.")

    return _case_post(request, case_id, "pathway_add", f.PathwayForm, _("Add a pathway"), act)


@_relocation_view
@require_POST
def milestone_add_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    def act(user: User, key: bytes, case: Case, form: f.MilestoneForm) -> str:
        pathway = form.chosen_pathway()
        assert pathway is not None
        services.record_milestone(
            actor=user,
            user_private_key=key,
            case=case,
            pathway=pathway,
            kind=form.cleaned_data["kind"],
            on=form.cleaned_data["on"],
            note=form.cleaned_data["note"],
        )
        return _("The milestone is recorded.")

    return _case_post(request, case_id, "milestone_add", f.MilestoneForm, _("Record a milestone"), act)


@_relocation_view
@require_POST
def pathway_close_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    def act(user: User, key: bytes, case: Case, form: f.ClosePathwayForm) -> str:
        pathway = form.chosen_pathway()
        assert pathway is not None
        services.close_pathway(
            actor=user,
            user_private_key=key,
            case=case,
            pathway=pathway,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
        )
        return _("The pathway is closed.")

    return _case_post(request, case_id, "pathway_close", f.ClosePathwayForm, _("Close a pathway"), act)


# --- consent --------------------------------------------------------------------------


@_relocation_view
@require_POST
def consent_add_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    def act(user: User, key: bytes, case: Case, form: f.ConsentForm) -> str:
        partner = form.chosen_partner()
        assert partner is not None
        services.record_consent(
            actor=user,
            user_private_key=key,
            case=case,
            partner=partner,
            given_on=form.cleaned_data["given_on"],
            channel=form.cleaned_data["channel"],
            note=form.cleaned_data["note"],
        )
        return _("The consent is recorded.")

    return _case_post(request, case_id, "consent_add", f.ConsentForm, _("Record consent"), act)


@_relocation_view
@require_POST
def consent_withdraw_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    def act(user: User, key: bytes, case: Case, form: f.WithdrawConsentForm) -> str:
        services.withdraw_consent(
            actor=user,
            user_private_key=key,
            case=case,
            consent=form.chosen_consent(),
            note=form.cleaned_data["note"],
        )
        return _("The consent is withdrawn: nothing more goes to this partner.")

    return _case_post(request, case_id, "consent_withdraw", f.WithdrawConsentForm, _("Withdraw consent"), act)


# --- referrals ------------------------------------------------------------------------


@_relocation_view
@require_POST
def referral_request_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    def act(user: User, key: bytes, case: Case, form: f.ReferralForm) -> str:
        partner = form.chosen_partner()
        assert partner is not None
        referrals.request_referral(
            actor=user,
            user_private_key=key,
            case=case,
            partner=partner,
            fields=form.cleaned_data["fields_sent"],
            pathway=form.chosen_pathway(),
            message=form.cleaned_data["message"],
        )
        return _("The referral is prepared; a coordinator is asked to approve it.")

    return _case_post(request, case_id, "referral_request", f.ReferralForm, _("Prepare a referral"), act)


@role_required(Role.COORDINATOR)
@keys_handled
@require_POST
def referral_sign_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    def act(user: User, key: bytes, case: Case, form: f.ReferralSignForm) -> str:
        referral = access.get_referral(case, form.cleaned_data["referral"])
        referrals.sign_referral(actor=user, user_private_key=key, case=case, referral=referral)
        return _("The packet is signed and sealed to the partner. Download it and send it to them.")

    return _case_post(
        request, case_id, "referral_sign", f.ReferralSignForm, _("Sign the referral packet"), act
    )


@_relocation_view
@require_GET
def referral_download_view(request: HttpRequest, case_id: uuid.UUID, referral_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    case = access.get_case_for_relocation(user, case_id)
    referral = access.get_referral(case, referral_id)
    try:
        packet = referrals.download_packet(
            user=user, user_private_key=unlock.user_private_key(request), case=case, referral=referral
        )
    except CaseRefused as exc:
        return render(
            request,
            "relocation/refused.html",
            {"reason": str(exc), "back": reverse("cases:case", args=[case.pk])},
            status=400,
        )
    response = HttpResponse(packet, content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="referral-{referral.pk}.crp"'
    response["Cache-Control"] = "no-store"
    return response


# --- partners (coordinators) ----------------------------------------------------------


def _partner_rows() -> list[dict[str, Any]]:
    from corridor.crypto.words import fingerprint_digits, fingerprint_words

    return [
        {
            "row": partner,
            "country": country_name(partner.country),
            "words": fingerprint_words(bytes(partner.public_key)),
            "digits": fingerprint_digits(bytes(partner.public_key)),
            "authentic": partners.partner_ok(partner),
        }
        for partner in Partner.objects.order_by("-active", "name")
    ]


def _partners_page(
    request: HttpRequest, form: forms.Form | None = None, *, status: int = 200
) -> HttpResponse:
    context = {
        "partners": _partner_rows(),
        "form": form or f.PartnerForm(),
        "submission_token": receipts.new_token(),
    }
    return render(request, "relocation/partners.html", context, status=status)


@role_required(Role.COORDINATOR)
@require_GET
def partners_view(request: HttpRequest) -> HttpResponse:
    return _partners_page(request)


@role_required(Role.COORDINATOR)
@require_POST
def partner_add_view(request: HttpRequest) -> HttpResponse:
    form = f.PartnerForm(request.POST)
    if form.is_valid():
        try:
            added = once.carry_out_once(
                request.POST.get("submission", ""),
                lambda: partners.add_partner(
                    actor=staff_user(request),
                    name=form.cleaned_data["name"],
                    country=form.cleaned_data["country"],
                    public_key=form.cleaned_data["public_key"],
                    fingerprint=form.cleaned_data["fingerprint"],
                ),
            )
        except CaseRefused as exc:
            form.add_error(None, str(exc))
        else:
            if added.result is None:
                messages.info(request, str(REPEATED))
            else:
                messages.success(request, _("%(name)s is added as a partner.") % {"name": added.result.name})
            return redirect("relocation:partners")
    return _partners_page(request, form, status=400)


@role_required(Role.COORDINATOR)
@require_POST
def partner_deactivate_view(request: HttpRequest, partner_id: uuid.UUID) -> HttpResponse:
    partner = access.get_partner_for_coordinator(staff_user(request), partner_id)
    if partners.deactivate_partner(actor=staff_user(request), partner=partner):
        messages.success(request, str(DEACTIVATED) % {"name": partner.name})
    else:
        messages.info(request, _("%(name)s was already deactivated.") % {"name": partner.name})
    return redirect("relocation:partners")
