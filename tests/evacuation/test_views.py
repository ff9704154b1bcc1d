"""Evacuation pages: works / not yours → 404 / wrong role → 403 / GET on a write → 405 / audited /
bad input → 400 with nothing stored / a form sent twice is carried out once."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.cases import workflow
from corridor.cases.models import Case, Task
from corridor.evacuation import burn, houses
from corridor.evacuation.models import Exposure, Movement, PhoneSeizure, Placement, SafeHouse
from corridor.evacuation.services import place_in_house, report_phone_seized
from corridor.hotline import receipts
from tests.evacuation.helpers import ADDRESS, make_house, open_case, plan_leg, soon
from tests.hotline.helpers import private_key

SignedIn = Callable[[User], Client]


def _leg_form(**changes: str) -> dict[str, str]:
    return {
        "origin_region": "RU-CE",
        "origin_place": "Грозный, автовокзал",
        "destination_region": "RU-MOW",
        "destination_place": "Москва, Котельники",
        "mode": "bus",
        "planned_departure_at": "2026-12-24T18:30",
        "planned_arrival_at": "2026-12-25T20:00",
        "escort": "",
        "escort_name": "Volk",
        "route": "via Rostov",
        "submission": receipts.new_token(),
        **changes,
    }


# --- the home page, the board and houses ---------------------------------------------


def test_home_for_caseworkers_and_coordinators_only(
    alice: User, carol: User, olga: User, dave: User, signed_in: SignedIn
) -> None:
    url = reverse("evacuation:home")
    assert signed_in(alice).get(url).status_code == 200
    page = signed_in(carol).get(url)
    assert reverse("evacuation:board") in page.content.decode()
    for user in (olga, dave):
        assert signed_in(user).get(url).status_code == 403
    assert signed_in(alice).post(url).status_code == 405


def test_board_and_new_house_are_for_coordinators(carol: User, alice: User, signed_in: SignedIn) -> None:
    make_house(carol, "Birch")
    client = signed_in(carol)
    page = client.get(reverse("evacuation:board"))
    assert page.status_code == 200
    assert "Birch" in page.content.decode()
    assert ADDRESS not in page.content.decode()
    assert signed_in(alice).get(reverse("evacuation:board")).status_code == 403
    assert signed_in(alice).get(reverse("evacuation:house_new")).status_code == 403
    assert client.post(reverse("evacuation:board")).status_code == 405


def test_adding_a_house_once(carol: User, signed_in: SignedIn) -> None:
    client = signed_in(carol)
    form = {
        "code_name": "Rowan",
        "region": "RU-SPE",
        "capacity": "3",
        "address": "Невский 1",
        "contacts": "",
        "notes": "",
        "submission": receipts.new_token(),
    }
    assert client.get(reverse("evacuation:house_new")).status_code == 200
    response = client.post(reverse("evacuation:house_new"), form)
    house = SafeHouse.objects.get()
    assert response["Location"] == reverse("evacuation:house", kwargs={"house_id": house.pk})
    assert AuditEvent.objects.filter(action="evacuation.house_created", target_id=str(house.pk)).exists()
    again = client.post(reverse("evacuation:house_new"), form)
    assert again["Location"] == response["Location"]  # sent twice: the house the first one added
    assert SafeHouse.objects.count() == 1
    page = client.get(reverse("evacuation:house", kwargs={"house_id": house.pk})).content.decode()
    assert "Невский 1" in page


@pytest.mark.parametrize(
    "changes",
    [{"code_name": ""}, {"region": "ZZ"}, {"capacity": "0"}, {"capacity": "x"}, {"address": "a\x00b"}],
)
def test_bad_house_forms_store_nothing(carol: User, signed_in: SignedIn, changes: dict[str, str]) -> None:
    form = {
        "code_name": "Rowan",
        "region": "RU-SPE",
        "capacity": "3",
        "address": "",
        "contacts": "",
        "notes": "",
    }
    response = signed_in(carol).post(reverse("evacuation:house_new"), {**form, **changes})
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not SafeHouse.objects.exists()


def test_house_page_holders_and_others(carol: User, alice: User, bob: User, signed_in: SignedIn) -> None:
    house = make_house(carol)
    url = reverse("evacuation:house", kwargs={"house_id": house.pk})
    assert signed_in(alice).get(url).status_code == 404  # neither coordinator nor holder
    assert (
        signed_in(carol).get(reverse("evacuation:house", kwargs={"house_id": uuid.uuid4()})).status_code
        == 404
    )
    client = signed_in(carol)
    grant = reverse("evacuation:house_grant", kwargs={"house_id": house.pk})
    assert client.get(grant).status_code == 405
    assert signed_in(alice).post(grant, {"username": "bob"}).status_code == 403
    assert client.post(grant, {"username": "nobody"}).status_code == 400
    assert client.post(grant, {"username": "alice", "submission": receipts.new_token()}).status_code == 302
    page = signed_in(alice).get(url)
    assert page.status_code == 200
    assert ADDRESS in page.content.decode()
    assert AuditEvent.objects.filter(action="evacuation.house_decrypted", actor_id=str(alice.pk)).exists()
    revoke = reverse("evacuation:house_revoke", kwargs={"house_id": house.pk})
    assert client.post(revoke, {"username": "bob"}).status_code == 400
    assert client.post(revoke, {"username": "alice"}).status_code == 302
    assert signed_in(alice).get(url).status_code == 404


def test_editing_and_compromising_a_house(carol: User, alice: User, signed_in: SignedIn) -> None:
    house = make_house(carol)
    client = signed_in(carol)
    edit = reverse("evacuation:house_edit", kwargs={"house_id": house.pk})
    assert client.post(edit, {"capacity": "0", "address": "x"}).status_code == 400
    assert (
        client.post(edit, {"capacity": "4", "address": "Лесная 3", "contacts": "", "notes": ""}).status_code
        == 302
    )
    house.refresh_from_db()
    assert house.capacity == 4
    compromise = reverse("evacuation:house_compromise", kwargs={"house_id": house.pk})
    assert client.get(compromise).status_code == 405
    assert signed_in(alice).post(compromise).status_code == 403
    assert client.post(compromise).status_code == 302
    assert client.post(compromise).status_code == 400
    house.refresh_from_db()
    assert house.compromised_at is not None
    assert AuditEvent.objects.filter(action="evacuation.house_compromised").count() == 1


# --- a person's evacuation ------------------------------------------------------------


def test_the_case_page_shows_the_panel(olga: User, alice: User, carol: User, signed_in: SignedIn) -> None:
    case = open_case(olga, alice)
    house = make_house(carol, "Birch")
    place_in_house(
        actor=alice, user_private_key=private_key(alice), case=case, house=house, starts_at=soon(-1)
    )
    plan_leg(alice, case)
    page = signed_in(alice).get(reverse("cases:case", kwargs={"case_id": case.pk})).content.decode()
    assert "Birch" in page
    assert "Grozny bus station" in page
    assert reverse("evacuation:place", kwargs={"case_id": case.pk}) in page
    assert reverse("evacuation:burn", kwargs={"case_id": case.pk}) not in page


def test_case_evacuation_page(olga: User, alice: User, bob: User, judy: User, signed_in: SignedIn) -> None:
    case = open_case(olga, alice)
    url = reverse("evacuation:case", kwargs={"case_id": case.pk})
    assert signed_in(alice).get(url).status_code == 200
    assert AuditEvent.objects.filter(
        action="cases.case_decrypted", target_id=str(case.pk), data__purpose="evacuation"
    ).exists()
    assert signed_in(bob).get(url).status_code == 404
    assert signed_in(judy).get(url).status_code == 403
    assert signed_in(alice).post(url).status_code == 405


def test_placing_from_the_panel(olga: User, alice: User, bob: User, carol: User, signed_in: SignedIn) -> None:
    case = open_case(olga, alice)
    house = make_house(carol, capacity=1)
    url = reverse("evacuation:place", kwargs={"case_id": case.pk})
    form = {
        "house": str(house.pk),
        "starts_at": "2026-12-01T10:00",
        "note": "",
        "submission": receipts.new_token(),
    }
    assert signed_in(alice).get(url).status_code == 405
    assert signed_in(bob).post(url, form).status_code == 404
    assert signed_in(olga).post(url, form).status_code == 403
    for bad in (
        {"house": "nope"},
        {"starts_at": "tomorrow"},
        {"ends_at": "2026-11-01T10:00"},
        {"note": "\x00"},
    ):
        assert signed_in(alice).post(url, {**form, **bad}).status_code == 400
    assert not Placement.objects.exists()
    client = signed_in(alice)
    response = client.post(url, form)
    assert response["Location"] == reverse("cases:case", kwargs={"case_id": case.pk})
    assert client.post(url, form).status_code == 302  # the same form again: done once
    assert Placement.objects.count() == 1
    assert AuditEvent.objects.filter(action="evacuation.placed").count() == 1
    # Full now: a second person is refused with the reason.
    other = open_case(olga, alice)
    full = client.post(reverse("evacuation:place", kwargs={"case_id": other.pk}), {**form, "submission": ""})
    assert full.status_code == 400
    assert "full" in full.content.decode()
    stay = Placement.objects.get()
    end = reverse("evacuation:placement_end", kwargs={"placement_id": stay.pk})
    assert signed_in(bob).post(end).status_code == 404
    assert client.get(end).status_code == 405
    assert client.post(end, {"ends_at": "someday"}).status_code == 400
    assert client.post(end, {"ends_at": ""}).status_code == 302
    stay.refresh_from_db()
    assert stay.ends_at is not None


def test_planning_a_leg_and_moving_it_on(olga: User, alice: User, bob: User, signed_in: SignedIn) -> None:
    case = open_case(olga, alice)
    url = reverse("evacuation:movement_plan", kwargs={"case_id": case.pk})
    client = signed_in(alice)
    assert client.get(url).status_code == 405
    assert signed_in(bob).post(url, _leg_form()).status_code == 404
    assert signed_in(olga).post(url, _leg_form()).status_code == 403
    for bad in (
        {"mode": "rocket"},
        {"origin_region": "ZZ"},
        {"planned_arrival_at": "2026-12-20T10:00"},
        {"escort": "nobody"},
        {"escort": "bob"},  # both a staff escort and an external one
        {"route": "a\x00b"},
    ):
        assert client.post(url, _leg_form(**bad)).status_code == 400, bad
    assert not Movement.objects.exists()
    form = _leg_form()
    assert client.post(url, form).status_code == 302
    assert client.post(url, form).status_code == 302
    leg = Movement.objects.get()
    assert b"Rostov" not in bytes(leg.details)
    assert AuditEvent.objects.filter(action="evacuation.movement_planned").count() == 1
    status = reverse("evacuation:movement_status", kwargs={"movement_id": leg.pk})
    assert signed_in(bob).post(status, {"status": "under_way"}).status_code == 404
    assert client.get(status).status_code == 405
    assert client.post(status, {"status": "arrived"}).status_code == 400
    assert client.post(status, {"status": "flying"}).status_code == 400
    assert client.post(status, {"status": "under_way"}).status_code == 302
    leg.refresh_from_db()
    assert leg.status == "under_way"


def test_recording_a_disclosure(olga: User, alice: User, bob: User, carol: User, signed_in: SignedIn) -> None:
    case, other = open_case(olga, alice), open_case(olga, bob)
    house = make_house(carol)
    url = reverse("evacuation:exposure_add", kwargs={"case_id": case.pk})
    form = {
        "kind": "case",
        "case_code": other.code,
        "house": "",
        "username": "",
        "disclosed_at": "2026-11-30T12:00",
        "note": "met at the station",
        "submission": receipts.new_token(),
    }
    client = signed_in(alice)
    assert client.get(url).status_code == 405
    assert signed_in(bob).post(url, form).status_code == 404
    assert signed_in(olga).post(url, form).status_code == 403
    for bad in (
        {"kind": "case", "case_code": "C-NOPE00"},
        {"kind": "staff", "username": "nobody"},
        {"kind": "house", "house": ""},
        {"kind": "house", "house": str(uuid.uuid4())},
        {"kind": "movement"},
        {"disclosed_at": "2099-01-01T00:00"},
    ):
        assert client.post(url, {**form, **bad}).status_code == 400, bad
    assert not Exposure.objects.exists()
    assert client.post(url, form).status_code == 302
    assert (
        client.post(url, {**form, "kind": "house", "house": str(house.pk), "submission": ""}).status_code
        == 302
    )
    assert Exposure.objects.filter(case=case, source="manual").count() == 2
    page = client.get(reverse("evacuation:case", kwargs={"case_id": case.pk})).content.decode()
    assert "met at the station" in page
    assert other.code in page


def test_a_seized_phone_then_the_burn_view(
    olga: User, alice: User, bob: User, carol: User, signed_in: SignedIn
) -> None:
    case = open_case(olga, alice)
    birch = make_house(carol)
    neighbour = open_case(olga, bob)
    place_in_house(
        actor=alice, user_private_key=private_key(alice), case=case, house=birch, starts_at=soon(-5)
    )
    place_in_house(
        actor=bob, user_private_key=private_key(bob), case=neighbour, house=birch, starts_at=soon(-4)
    )
    burn_url = reverse("evacuation:burn", kwargs={"case_id": case.pk})
    propose = reverse("evacuation:burn_propose", kwargs={"case_id": case.pk})
    client = signed_in(alice)
    assert client.post(propose).status_code == 400  # nothing has burned the person yet
    assert not Task.objects.exists()
    seized = reverse("evacuation:phone_seized", kwargs={"case_id": case.pk})
    assert client.get(seized).status_code == 405
    assert signed_in(bob).post(seized, {"note": "x"}).status_code == 404
    assert signed_in(olga).post(seized, {"note": "x"}).status_code == 403
    assert client.post(seized, {"note": "bad\x00"}).status_code == 400
    assert not PhoneSeizure.objects.exists()
    assert client.post(seized, {"note": "taken at a checkpoint"}).status_code == 302
    assert AuditEvent.objects.filter(action="evacuation.phone_seized").exists()
    case_page = client.get(reverse("cases:case", kwargs={"case_id": case.pk})).content.decode()
    assert burn_url in case_page

    page = client.get(burn_url)
    assert page.status_code == 200
    text = page.content.decode()
    assert neighbour.code in text
    assert "Birch" in text
    assert AuditEvent.objects.filter(
        action="cases.case_decrypted", target_id=str(case.pk), data__purpose="burn_view"
    ).exists()
    assert signed_in(bob).get(burn_url).status_code == 404
    assert signed_in(olga).get(burn_url).status_code == 403
    assert client.put(burn_url).status_code == 405
    assert client.get(propose).status_code == 405
    assert signed_in(bob).post(propose).status_code == 404
    token = receipts.new_token()
    assert client.post(propose, {"submission": token}).status_code == 302
    sent_again = client.post(propose, {"submission": token}, follow=True)  # a double tap, a reload
    assert "nothing was done again" in sent_again.content.decode()
    assert client.post(propose).status_code == 302  # a new form: nothing new to propose
    assert Task.objects.filter(case=case).count() == 2  # move the neighbour, judge the house
    assert AuditEvent.objects.filter(action="evacuation.burn_tasks_proposed").count() == 2  # not the repeat
    assert "proposed" in client.get(burn_url).content.decode()


def test_the_burn_link_shows_for_a_detained_person(olga: User, alice: User, signed_in: SignedIn) -> None:
    case = open_case(olga, alice)
    workflow.raise_flag(
        actor=alice, user_private_key=private_key(alice), case=case, kind="detained", reason="third_party"
    )
    page = signed_in(alice).get(reverse("cases:case", kwargs={"case_id": case.pk})).content.decode()
    assert reverse("evacuation:burn", kwargs={"case_id": case.pk}) in page
    assert Case.objects.count() == 1
    assert houses.open_houses() == []


def test_a_coordinator_marks_a_known_house_compromised_from_the_burn_view(
    olga: User, alice: User, carol: User, signed_in: SignedIn
) -> None:
    case = open_case(olga, alice, also=(carol,))
    house = make_house(carol)
    place_in_house(
        actor=alice, user_private_key=private_key(alice), case=case, house=house, starts_at=soon(-5)
    )
    workflow.raise_flag(
        actor=alice, user_private_key=private_key(alice), case=case, kind="detained", reason="third_party"
    )
    compromise = reverse("evacuation:house_compromise", kwargs={"house_id": house.pk})
    burn_url = reverse("evacuation:burn", kwargs={"case_id": case.pk})
    assert compromise not in signed_in(alice).get(burn_url).content.decode()
    client = signed_in(carol)
    assert compromise in client.get(burn_url).content.decode()
    assert client.post(compromise).status_code == 302
    house.refresh_from_db()
    assert house.compromised_at is not None


def test_a_coordinator_marks_a_seized_phone_dealt_with(
    olga: User, alice: User, bob: User, carol: User, signed_in: SignedIn
) -> None:
    case = open_case(olga, alice, also=(carol,))
    url = reverse("evacuation:phone_cleared", kwargs={"case_id": case.pk})
    client = signed_in(carol)
    assert client.post(url).status_code == 400  # nothing to clear
    report_phone_seized(actor=alice, user_private_key=private_key(alice), case=case)
    assert url in client.get(reverse("evacuation:burn", kwargs={"case_id": case.pk})).content.decode()
    assert client.get(url).status_code == 405
    assert signed_in(bob).post(url).status_code == 404
    assert signed_in(alice).post(url).status_code == 400  # a caseworker may not decide it
    assert PhoneSeizure.objects.get().cleared_at is None
    assert client.post(url).status_code == 302
    assert PhoneSeizure.objects.get().cleared_at is not None
    assert AuditEvent.objects.filter(action="evacuation.phone_cleared").count() == 1
    assert burn.triggers(case) == []
