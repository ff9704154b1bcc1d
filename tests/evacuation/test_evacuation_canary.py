"""Canary: a unique string written through every evacuation form that takes text (house address,
contacts and notes; a stay's note; a leg's places, route and external escort; a disclosure's
note; a seized phone's note) is nowhere in the database in the clear, nor in the log."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from corridor.accounts.models import User
from corridor.cases import services
from corridor.evacuation import houses
from corridor.evacuation.models import Movement, SafeHouse
from corridor.evacuation.services import read_leg
from tests.cases.test_case_canary import _database_images
from tests.evacuation.helpers import open_case
from tests.hotline.helpers import private_key


@pytest.mark.django_db
def test_no_evacuation_text_in_the_clear(
    olga: User,
    alice: User,
    bob: User,
    carol: User,
    signed_in: Callable[[User], Client],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    canary = f"canary-{uuid.uuid4().hex}"
    case, other = open_case(olga, alice), open_case(olga, bob)
    coordinator, caseworker = signed_in(carol), signed_in(alice)

    house_form = {
        "code_name": "Rowan",
        "region": "RU-SPE",
        "capacity": "3",
        "address": f"{canary} address",
        "contacts": f"{canary} contacts",
        "notes": f"{canary} notes",
    }
    assert coordinator.post(reverse("evacuation:house_new"), house_form).status_code == 302
    house = SafeHouse.objects.get()
    edit = {"capacity": "4", "address": f"{canary} new address", "contacts": "", "notes": f"{canary} edit"}
    assert coordinator.post(reverse("evacuation:house_edit", args=[house.pk]), edit).status_code == 302
    assert (
        coordinator.post(reverse("evacuation:house_grant", args=[house.pk]), {"username": "bob"}).status_code
        == 302
    )
    # Revoking re-keys the house: its details are sealed again under the new key.
    assert (
        coordinator.post(reverse("evacuation:house_revoke", args=[house.pk]), {"username": "bob"}).status_code
        == 302
    )

    posts = [
        (
            "evacuation:place",
            {"house": str(house.pk), "starts_at": "2026-12-01T10:00", "note": f"{canary} stay"},
        ),
        (
            "evacuation:movement_plan",
            {
                "origin_region": "RU-CE",
                "origin_place": f"{canary} origin",
                "destination_region": "RU-MOW",
                "destination_place": f"{canary} destination",
                "mode": "car",
                "planned_departure_at": "2026-12-24T18:30",
                "planned_arrival_at": "2026-12-25T20:00",
                "escort": "",
                "escort_name": f"{canary} escort",
                "route": f"{canary} route",
            },
        ),
        (
            "evacuation:exposure_add",
            {
                "kind": "case",
                "case_code": other.code,
                "disclosed_at": "2026-11-30T12:00",
                "note": f"{canary} disclosure",
            },
        ),
        ("evacuation:phone_seized", {"note": f"{canary} phone"}),
    ]
    for name, form in posts:
        response = caseworker.post(reverse(name, args=[case.pk]), form)
        assert response.status_code == 302, (name, response.content.decode()[:2000])
    leg = Movement.objects.get()
    status = caseworker.post(reverse("evacuation:movement_status", args=[leg.pk]), {"status": "under_way"})
    assert status.status_code == 302

    # It was all written, and reads back.
    key = services.open_case_key(user=alice, user_private_key=private_key(alice), case=case, purpose="t")
    leg.refresh_from_db()
    assert read_leg(key, leg).route == f"{canary} route"
    house.refresh_from_db()
    details = houses.read_details(user=carol, user_private_key=private_key(carol), house=house)
    assert details.address == f"{canary} new address"
    assert canary in caseworker.get(reverse("evacuation:case", args=[case.pk])).content.decode()

    needles = {
        "utf-8": canary.encode(),
        "utf-16": canary.encode("utf-16-le"),
        "hex": canary.encode().hex().encode(),
    }
    for where, image in _database_images().items():
        assert b"Rowan" in image, where  # the search sees this transaction's rows
        for label, needle in needles.items():
            assert needle not in image, f"the canary ({label}) is in the {where} in the clear"
    assert canary not in caplog.text
