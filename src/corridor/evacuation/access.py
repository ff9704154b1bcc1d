"""The only way a view obtains a house, a placement or a movement.

A placement or a movement belongs to a case: it is yours when the case is (a wrap of its
key, `corridor.cases.access`). A house is yours to see when you are a coordinator (they
manage houses, though only key holders read the address) or hold its key. Anything else
is a 404, the same as a row that does not exist.
"""

from __future__ import annotations

import uuid

from django.http import Http404

from corridor.accounts.models import User
from corridor.cases import access as case_access
from corridor.cases.models import Case
from corridor.evacuation.houses import holds_house_key, may_manage_houses
from corridor.evacuation.models import Movement, Placement, SafeHouse


def get_case(user: User, case_id: uuid.UUID) -> Case:
    return case_access.get_case_for_staff(user, case_id)


def get_house(user: User, house_id: uuid.UUID) -> SafeHouse:
    house = SafeHouse.objects.select_related("key").filter(pk=house_id).first()
    if house is None or not (may_manage_houses(user) or holds_house_key(user, house)):
        raise Http404
    return house


def get_placement(user: User, placement_id: uuid.UUID) -> Placement:
    placement = (
        Placement.objects.filter(pk=placement_id, case__in=case_access.readable_cases(user))
        .select_related("case__key")
        .first()
    )
    if placement is None:
        raise Http404
    return placement


def get_movement(user: User, movement_id: uuid.UUID) -> Movement:
    movement = (
        Movement.objects.filter(pk=movement_id, case__in=case_access.readable_cases(user))
        .select_related("case__key")
        .first()
    )
    if movement is None:
        raise Http404
    return movement
