"""The evacuation home page, the occupancy board and the safe houses (coordinators manage them)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from corridor.accounts import unlock
from corridor.accounts.access import user_id_for_username
from corridor.accounts.models import User
from corridor.cases.views_common import staff_user
from corridor.evacuation import access, houses
from corridor.evacuation.forms import HouseEditForm, HouseForm, UsernameForm
from corridor.evacuation.houses import EvacuationRefused
from corridor.evacuation.models import SafeHouse
from corridor.evacuation.views_common import REPEATED, carry_out_once, coordinator_view, evacuation_view
from corridor.hotline import receipts


@evacuation_view
@require_GET
def home_view(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    return render(request, "evacuation/home.html", {"is_coordinator": houses.may_manage_houses(user)})


@coordinator_view
@require_GET
def board_view(request: HttpRequest) -> HttpResponse:
    return render(request, "evacuation/board.html", {"rows": houses.occupancy_board()})


@coordinator_view
@require_http_methods(["GET", "POST"])
def house_new_view(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    form = HouseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                done = carry_out_once(
                    request,
                    lambda: houses.create_house(
                        actor=user,
                        code_name=data["code_name"],
                        region=data["region"],
                        capacity=data["capacity"],
                        details=form.details(),
                    ),
                    created=lambda house: house.pk,
                )
            except EvacuationRefused as exc:
                form.add_error(None, str(exc))
            else:
                if not done.repeated:
                    messages.success(request, _("The house is added. Only you hold its key for now."))
                    return redirect("evacuation:house", house_id=done.created_id)
                # Sent twice: the house the first one added (if it is still there).
                messages.info(request, str(REPEATED))
                if done.created_id and SafeHouse.objects.filter(pk=done.created_id).exists():
                    return redirect("evacuation:house", house_id=done.created_id)
                return redirect("evacuation:board")
    context = {"form": form, "token": receipts.new_token()}
    return render(request, "evacuation/house_new.html", context, status=status)


def _render_house(
    request: HttpRequest, house: SafeHouse, *, bound: tuple[str, forms.Form] | None = None, status: int = 200
) -> HttpResponse:
    user = staff_user(request)
    holder = houses.holds_house_key(user, house)
    details = None
    if holder:
        details = houses.read_details(
            user=user, user_private_key=unlock.user_private_key(request), house=house
        )
    edit = HouseEditForm(
        initial={"capacity": house.capacity, **(details.as_dict() if details else {})}, auto_id="id_edit_%s"
    )
    page_forms: dict[str, forms.Form] = {
        "edit": edit,
        "grant": UsernameForm(auto_id="id_grant_%s"),
    }
    if bound is not None:
        page_forms[bound[0]] = bound[1]
    context = {
        "house": house,
        "details": details,
        "holder": holder,
        "manager": houses.may_manage_houses(user),
        "holders": houses.house_holders(house),
        "people": houses.people_in(house),
        "forms": page_forms,
        "token": receipts.new_token(),
    }
    return render(request, "evacuation/house.html", context, status=status)


def _house_post(
    request: HttpRequest,
    house: SafeHouse,
    name: str,
    form: forms.Form,
    action: Callable[[dict[str, Any]], str],
) -> HttpResponse:
    if form.is_valid():
        try:
            done = carry_out_once(request, lambda: action(form.cleaned_data))
        except EvacuationRefused as exc:
            form.add_error(None, str(exc))
        else:
            if done.repeated:
                messages.info(request, str(REPEATED))
            else:
                messages.success(request, str(done.result))
            return redirect("evacuation:house", house_id=house.pk)
    return _render_house(request, house, bound=(name, form), status=400)


@evacuation_view
@require_GET
def house_view(request: HttpRequest, house_id: uuid.UUID) -> HttpResponse:
    return _render_house(request, access.get_house(staff_user(request), house_id))


@coordinator_view
@require_POST
def house_edit_view(request: HttpRequest, house_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    house = access.get_house(user, house_id)
    form = HouseEditForm(request.POST, auto_id="id_edit_%s")

    def act(data: dict[str, Any]) -> str:
        if not houses.holds_house_key(user, house):
            raise EvacuationRefused(_("Only a holder of the house key can change its details."))
        houses.update_house(
            actor=user,
            user_private_key=unlock.user_private_key(request),
            house=house,
            capacity=int(str(data["capacity"])),
            details=form.details(),
        )
        return _("The house is saved.")

    return _house_post(request, house, "edit", form, act)


def _user(username: str) -> User | None:
    pk = user_id_for_username(username.strip())
    return User.objects.filter(pk=pk).first() if pk else None


@coordinator_view
@require_POST
def house_grant_view(request: HttpRequest, house_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    house = access.get_house(user, house_id)

    def act(data: dict[str, Any]) -> str:
        grantee = _user(str(data["username"]))
        if grantee is None:
            raise EvacuationRefused(_("There is no active staff member with this username."))
        if not houses.holds_house_key(user, house):
            raise EvacuationRefused(_("Only a holder of the house key can give it."))
        if not houses.grant_house_access(
            actor=user, user_private_key=unlock.user_private_key(request), house=house, grantee=grantee
        ):
            return _("This person already holds the house key.")
        return _("The house key is given to %(name)s.") % {"name": grantee.username}

    return _house_post(request, house, "grant", UsernameForm(request.POST, auto_id="id_grant_%s"), act)


@coordinator_view
@require_POST
def house_revoke_view(request: HttpRequest, house_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    house = access.get_house(user, house_id)

    def act(data: dict[str, Any]) -> str:
        holder = _user(str(data["username"]))
        if holder is None:
            raise EvacuationRefused(_("This person does not hold the house key."))
        houses.revoke_house_access(
            actor=user, user_private_key=unlock.user_private_key(request), house=house, holder=holder
        )
        return _("The house key is taken back and the house re-keyed.")

    return _house_post(request, house, "revoke", UsernameForm(request.POST, auto_id="id_revoke_%s"), act)


@coordinator_view
@require_POST
def house_compromise_view(request: HttpRequest, house_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    house = access.get_house(user, house_id)
    form = forms.Form(request.POST)

    def act(data: dict[str, Any]) -> str:
        houses.mark_compromised(actor=user, house=house)
        return _("The house is marked compromised: it takes no new placements.")

    return _house_post(request, house, "compromise", form, act)
