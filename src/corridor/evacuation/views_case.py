"""A person's evacuation: stays, legs, exposures, a seized phone, and the burn view.

Writes come from the case page's evacuation panel or from the case's evacuation page, and
go back to the case page. A refusal shows the evacuation page with the reason and status
400, and nothing is stored.
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
from corridor.accounts.access import user_id_for_username
from corridor.accounts.models import User
from corridor.cases import access as case_access
from corridor.cases.models import Case
from corridor.cases.services import open_case_key
from corridor.cases.views_common import staff_user
from corridor.evacuation import access, burn, services
from corridor.evacuation.forms import (
    EndPlacementForm,
    ExposureForm,
    MovementForm,
    MovementStatusForm,
    PhoneSeizedForm,
    PlaceForm,
)
from corridor.evacuation.houses import EvacuationRefused
from corridor.evacuation.models import AssetKind, Exposure, ExposureSource, SafeHouse, WarningKind
from corridor.evacuation.reading import case_evacuation, house_choices
from corridor.evacuation.views_common import REPEATED, carry_out_once, evacuation_view
from corridor.hotline import receipts
from corridor.web.templatetags.corridor import region_name
from corridor.web.templatetags.staff_time import staff_time

Action = Callable[[User, bytes, Case, dict[str, Any]], str]
FORM_NAMES = ("place", "end", "movement", "status", "exposure", "seized")
REASONS = {
    "house_known": gettext_lazy("knows the house"),
    "lives_in_known_house": gettext_lazy("lives in a house the person knows"),
    "stayed_together": gettext_lazy("stayed in the same house"),
    "known_person": gettext_lazy("the person knows of them"),
    "known_staff": gettext_lazy("the person knows who they are"),
    "escort": gettext_lazy("escorted a leg the person knows"),
    "known_leg": gettext_lazy("travels on a leg the person knows"),
}
TRIGGERS = {
    "detained": gettext_lazy("Detained"),
    "suspected_provocateur": gettext_lazy("Suspected provocateur"),
    "security_concern": gettext_lazy("Security concern (possibly an infiltrator)"),
    "phone_seized": gettext_lazy("Phone seized"),
}


def _forms(houses: list[tuple[str, str]]) -> dict[str, forms.Form]:
    return {
        "place": PlaceForm(houses=houses),
        "end": EndPlacementForm(),
        "movement": MovementForm(),
        "status": MovementStatusForm(),
        "exposure": ExposureForm(houses=houses),
        "seized": PhoneSeizedForm(),
    }


def _render(
    request: HttpRequest, case: Case, *, bound: tuple[str, forms.Form] | None = None, status: int = 200
) -> HttpResponse:
    user = staff_user(request)
    key = open_case_key(
        user=user, user_private_key=unlock.user_private_key(request), case=case, purpose="evacuation"
    )
    page_forms = _forms(house_choices())
    if bound is not None:
        page_forms[bound[0]] = bound[1]
    for name, form in page_forms.items():
        form.auto_id = f"id_{name}_%s"
    context = {
        "case": case,
        "view": case_evacuation(user=user, case=case, key=key, with_exposures=True),
        "forms": page_forms,
        "token": receipts.new_token(),
    }
    return render(request, "evacuation/case.html", context, status=status)


def _post(request: HttpRequest, case: Case, name: str, form: forms.Form, action: Action) -> HttpResponse:
    """Parse, act once, back to the case page; a bad form or a refusal shows the evacuation page with 400."""
    user = staff_user(request)
    if form.is_valid():
        try:
            done = carry_out_once(
                request, lambda: action(user, unlock.user_private_key(request), case, form.cleaned_data)
            )
        except EvacuationRefused as exc:
            form.add_error(None, str(exc))
        else:
            if done.repeated:
                messages.info(request, REPEATED)
            else:
                messages.success(request, str(done.result))
            return redirect("cases:case", case_id=case.pk)
    return _render(request, case, bound=(name, form), status=400)


def _staff(username: str) -> User | None:
    pk = user_id_for_username(username.strip()) if username.strip() else None
    return User.objects.filter(pk=pk, is_active=True).first() if pk else None


@evacuation_view
@require_GET
def case_evacuation_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    return _render(request, access.get_case(staff_user(request), case_id))


@evacuation_view
@require_POST
def place_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = access.get_case(staff_user(request), case_id)

    def act(user: User, key: bytes, case: Case, data: dict[str, Any]) -> str:
        house = SafeHouse.objects.get(pk=data["house"])
        services.place_in_house(
            actor=user,
            user_private_key=key,
            case=case,
            house=house,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            note=data["note"],
        )
        return _("The person is placed in %(house)s.") % {"house": house.code_name}

    return _post(request, case, "place", PlaceForm(request.POST, houses=house_choices()), act)


@evacuation_view
@require_POST
def placement_end_view(request: HttpRequest, placement_id: uuid.UUID) -> HttpResponse:
    placement = access.get_placement(staff_user(request), placement_id)

    def act(user: User, key: bytes, case: Case, data: dict[str, Any]) -> str:
        services.end_placement(actor=user, placement=placement, ends_at=data["ends_at"])
        return _("The stay is ended.")

    return _post(request, placement.case, "end", EndPlacementForm(request.POST), act)


@evacuation_view
@require_POST
def movement_plan_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = access.get_case(staff_user(request), case_id)

    def act(user: User, key: bytes, case: Case, data: dict[str, Any]) -> str:
        escort = None
        if data["escort"].strip():
            escort = _staff(data["escort"])
            if escort is None:
                raise EvacuationRefused(_("There is no active staff member with this username."))
        services.plan_movement(
            actor=user,
            user_private_key=key,
            case=case,
            origin_region=data["origin_region"],
            destination_region=data["destination_region"],
            mode=data["mode"],
            planned_departure_at=data["planned_departure_at"],
            planned_arrival_at=data["planned_arrival_at"],
            details=form.details(),
            escort=escort,
        )
        return _("The leg is planned.")

    form = MovementForm(request.POST)
    return _post(request, case, "movement", form, act)


@evacuation_view
@require_POST
def movement_status_view(request: HttpRequest, movement_id: uuid.UUID) -> HttpResponse:
    movement = access.get_movement(staff_user(request), movement_id)

    def act(user: User, key: bytes, case: Case, data: dict[str, Any]) -> str:
        services.change_movement_status(
            actor=user, user_private_key=key, movement=movement, status=data["status"]
        )
        return _("The leg's status is changed.")

    return _post(request, movement.case, "status", MovementStatusForm(request.POST), act)


@evacuation_view
@require_POST
def exposure_add_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = access.get_case(staff_user(request), case_id)

    def act(user: User, key: bytes, case: Case, data: dict[str, Any]) -> str:
        kind = data["kind"]
        house = staff = other = None
        if kind == "house":
            house = SafeHouse.objects.filter(pk=data["house"]).first() if data["house"] else None
        elif kind == "staff":
            staff = _staff(data["username"])
            if staff is None:
                raise EvacuationRefused(_("There is no active staff member with this username."))
        elif kind == "case":
            other = case_access.case_by_code(data["case_code"]) if data["case_code"].strip() else None
            if other is None:
                raise EvacuationRefused(_("There is no case with this code."))
        services.record_exposure(
            actor=user,
            user_private_key=key,
            case=case,
            kind=kind,
            house=house,
            staff=staff,
            other_case=other,
            disclosed_at=data["disclosed_at"],
            note=data["note"],
        )
        return _("The disclosure is recorded.")

    return _post(request, case, "exposure", ExposureForm(request.POST, houses=house_choices()), act)


@evacuation_view
@require_POST
def phone_seized_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = access.get_case(staff_user(request), case_id)

    def act(user: User, key: bytes, case: Case, data: dict[str, Any]) -> str:
        services.report_phone_seized(actor=user, user_private_key=key, case=case, note=data["note"])
        return _("The seized phone is recorded: see the burn view.")

    return _post(request, case, "seized", PhoneSeizedForm(request.POST), act)


@evacuation_view
@require_POST
def phone_cleared_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    case = access.get_case(user, case_id)
    try:
        # Sent twice, it is dealt with all the same: the same message either way.
        carry_out_once(request, lambda: services.clear_phone_seizure(actor=user, case=case))
    except EvacuationRefused as exc:
        return _burn_page(request, case, error=str(exc), status=400)
    messages.success(request, _("The seized phone is marked as dealt with."))
    return redirect("evacuation:burn", case_id=case.pk)


# --- the burn view --------------------------------------------------------------------


_PLACEHOLDER = uuid.UUID(int=0)


def _asset(exposure: Exposure) -> str:
    if exposure.house is not None:
        return exposure.house.code_name
    if exposure.movement is not None:
        leg = exposure.movement
        return f"{region_name(leg.origin_region)} → {region_name(leg.destination_region)} ({leg.case.code})"
    if exposure.staff is not None:
        return exposure.staff.username
    return exposure.other_case.code if exposure.other_case is not None else ""


def _burn_page(request: HttpRequest, case: Case, *, error: str = "", status: int = 200) -> HttpResponse:
    user = staff_user(request)
    key = open_case_key(
        user=user, user_private_key=unlock.user_private_key(request), case=case, purpose="burn_view"
    )
    report = burn.burn_report(user=user, case=case, key=key)
    # Labels, links and times worked out once here rather than by tags in the template: the
    # page has a line per person affected and per disclosure (a hundred and more).
    reasons = {code: str(label) for code, label in REASONS.items()}
    actions = {kind: str(label) for kind, label in WarningKind.choices}
    kinds = {kind: str(label) for kind, label in AssetKind.choices}
    sources = {source: str(label) for source, label in ExposureSource.choices}
    case_url = reverse("cases:case", args=[_PLACEHOLDER])
    rows = [
        {
            "entry": entry,
            "url": case_url.replace(str(_PLACEHOLDER), entry.card.id)
            if entry.card and entry.card.readable
            else "",
            "caseworker": entry.card.caseworker if entry.card else "",
            "action": actions[entry.kind],
            "why": "; ".join(reasons.get(r, r) for r in entry.reasons),
        }
        for entry in report.affected
    ]
    known = [
        {
            "when": staff_time(item.exposure.disclosed_at),
            "kind": kinds.get(item.exposure.kind, item.exposure.kind),
            "asset": _asset(item.exposure),
            "source": sources.get(item.exposure.source, item.exposure.source),
            "note": item.note,
        }
        for item in report.known
    ]
    context = {
        "case": case,
        "report": report,
        "rows": rows,
        "known": known,
        "triggers": [TRIGGERS[t] for t in report.triggers],
        "is_coordinator": case_access.is_coordinator(user),
        "phone_seized": "phone_seized" in report.triggers,
        "error": error,
        "token": receipts.new_token(),
    }
    return render(request, "evacuation/burn.html", context, status=status)


@evacuation_view
@require_GET
def burn_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    return _burn_page(request, access.get_case(staff_user(request), case_id))


@evacuation_view
@require_POST
def burn_propose_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    case = access.get_case(user, case_id)
    private = unlock.user_private_key(request)
    key = open_case_key(user=user, user_private_key=private, case=case, purpose="burn_view")
    report = burn.burn_report(user=user, case=case, key=key)
    try:
        done = carry_out_once(
            request,
            lambda: burn.propose_tasks(actor=user, user_private_key=private, case=case, report=report),
        )
    except EvacuationRefused as exc:
        return _burn_page(request, case, error=str(exc), status=400)
    if done.repeated:
        messages.info(request, REPEATED)
    elif done.result:
        messages.success(request, _("Tasks proposed: %(n)d. They are in your tasks.") % {"n": done.result})
    else:
        messages.info(request, _("Every task was already proposed: nothing new."))
    return redirect("evacuation:burn", case_id=case.pk)
