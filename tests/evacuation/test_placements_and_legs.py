"""Placements (capacity, overlap, compromised houses), legs (escorts, statuses) and their exposures."""

from __future__ import annotations

import pytest

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.cases import grants, sealing, services
from corridor.cases.models import Case, Stage
from corridor.evacuation import houses
from corridor.evacuation.houses import EvacuationRefused
from corridor.evacuation.models import AssetKind, Exposure, Movement, MovementStatus, Placement
from corridor.evacuation.services import (
    LegDetails,
    change_movement_status,
    current_placement,
    end_placement,
    place_in_house,
    read_leg,
    record_exposure,
)
from tests.evacuation.helpers import make_house, open_case, plan_leg, soon
from tests.hotline.helpers import private_key


def test_placing_records_the_house_as_disclosed_once(olga: User, alice: User, carol: User) -> None:
    house = make_house(carol)
    case = open_case(olga, alice)
    ka = private_key(alice)
    stay = place_in_house(
        actor=alice, user_private_key=ka, case=case, house=house, starts_at=soon(-1), note="n"
    )
    assert current_placement(case) == stay
    assert (
        Exposure.objects.filter(case=case, kind=AssetKind.HOUSE, house=house, source="placement").count() == 1
    )
    end_placement(actor=alice, placement=stay)
    with pytest.raises(EvacuationRefused):
        end_placement(actor=alice, placement=stay)
    place_in_house(actor=alice, user_private_key=ka, case=case, house=house, starts_at=soon(1))
    assert Exposure.objects.filter(case=case, kind=AssetKind.HOUSE).count() == 1
    assert AuditEvent.objects.filter(action="evacuation.placed", target_id=str(case.pk)).count() == 2


def test_a_full_house_refuses_and_a_freed_bed_is_taken(olga: User, alice: User, carol: User) -> None:
    house = make_house(carol, capacity=1)
    first, second = open_case(olga, alice), open_case(olga, alice)
    ka = private_key(alice)
    stay = place_in_house(actor=alice, user_private_key=ka, case=first, house=house, starts_at=soon(-2))
    with pytest.raises(EvacuationRefused, match="full"):
        place_in_house(actor=alice, user_private_key=ka, case=second, house=house, starts_at=soon(-1))
    # A stay planned after the first one ends fits.
    end_placement(actor=alice, placement=stay, ends_at=soon(5))
    place_in_house(actor=alice, user_private_key=ka, case=second, house=house, starts_at=soon(6))
    with pytest.raises(EvacuationRefused, match="full"):
        place_in_house(
            actor=alice, user_private_key=ka, case=open_case(olga, alice), house=house, starts_at=soon(4)
        )
    assert Placement.objects.count() == 2


def test_overlapping_stays_and_compromised_houses_are_refused(olga: User, alice: User, carol: User) -> None:
    birch, oak = make_house(carol, "Birch"), make_house(carol, "Oak")
    case = open_case(olga, alice)
    ka = private_key(alice)
    place_in_house(actor=alice, user_private_key=ka, case=case, house=birch, starts_at=soon(-1))
    with pytest.raises(EvacuationRefused):
        place_in_house(actor=alice, user_private_key=ka, case=case, house=oak, starts_at=soon(1))
    houses.mark_compromised(actor=carol, house=oak)
    with pytest.raises(EvacuationRefused, match="compromised"):
        place_in_house(
            actor=alice, user_private_key=ka, case=open_case(olga, alice), house=oak, starts_at=soon()
        )
    with pytest.raises(EvacuationRefused):
        place_in_house(
            actor=alice, user_private_key=ka, case=case, house=birch, starts_at=soon(9), ends_at=soon(8)
        )
    assert Placement.objects.count() == 1


def test_a_leg_with_a_staff_escort_discloses_the_leg_and_the_escort(
    olga: User, alice: User, bob: User
) -> None:
    case = open_case(olga, alice)
    leg = plan_leg(alice, case, escort=bob)
    key = services.open_case_key(user=alice, user_private_key=private_key(alice), case=case, purpose="t")
    assert read_leg(key, leg).origin_place == "Grozny bus station"
    assert b"Grozny" not in bytes(leg.details)
    kinds = set(Exposure.objects.filter(case=case).values_list("kind", "source"))
    assert kinds == {("movement", "movement"), ("staff", "escort")}
    # Naming the same escort again is not a new disclosure.
    plan_leg(alice, case, escort=bob)
    assert Exposure.objects.filter(case=case, kind="staff").count() == 1


def test_leg_rules(olga: User, alice: User, bob: User, judy: User) -> None:
    case = open_case(olga, alice)
    with pytest.raises(EvacuationRefused):
        plan_leg(alice, case, escort=bob, details=LegDetails(escort_name="Volk"))
    with pytest.raises(EvacuationRefused):
        plan_leg(alice, case, escort=judy)
    with pytest.raises(EvacuationRefused):
        plan_leg(alice, case, details=LegDetails(route="a\x00b"))
    assert not Movement.objects.exists()


def test_a_leg_goes_under_way_then_arrives_and_no_further(olga: User, alice: User) -> None:
    case = open_case(olga, alice)
    ka = private_key(alice)
    leg = plan_leg(alice, case, details=LegDetails(escort_name="Volk"))
    with pytest.raises(EvacuationRefused):
        change_movement_status(actor=alice, user_private_key=ka, movement=leg, status=MovementStatus.ARRIVED)
    change_movement_status(actor=alice, user_private_key=ka, movement=leg, status=MovementStatus.UNDER_WAY)
    leg = change_movement_status(
        actor=alice, user_private_key=ka, movement=leg, status=MovementStatus.ARRIVED
    )
    key = services.open_case_key(user=alice, user_private_key=ka, case=case, purpose="t")
    details = read_leg(key, leg)
    assert details.departed_at
    assert details.arrived_at
    assert details.escort_name == "Volk"
    with pytest.raises(EvacuationRefused):
        change_movement_status(actor=alice, user_private_key=ka, movement=leg, status=MovementStatus.ABORTED)


def test_a_closed_case_takes_no_evacuation_writes(olga: User, alice: User, carol: User) -> None:
    case = open_case(olga, alice)
    Case.objects.filter(pk=case.pk).update(stage=Stage.CLOSED)
    case.refresh_from_db()
    with pytest.raises(EvacuationRefused):
        plan_leg(alice, case)
    with pytest.raises(EvacuationRefused):
        place_in_house(
            actor=alice,
            user_private_key=private_key(alice),
            case=case,
            house=make_house(carol),
            starts_at=soon(),
        )


def test_manual_exposures_name_one_asset(olga: User, alice: User, bob: User, carol: User) -> None:
    case, other = open_case(olga, alice), open_case(olga, bob)
    ka = private_key(alice)
    record_exposure(
        actor=alice, user_private_key=ka, case=case, kind="case", other_case=other, disclosed_at=soon(-1)
    )
    record_exposure(
        actor=alice, user_private_key=ka, case=case, kind="staff", staff=bob, disclosed_at=soon(-1)
    )
    for bad in (
        {"kind": "case", "other_case": case},
        {"kind": "house"},
        {"kind": "movement"},
        {"kind": "staff", "staff": bob, "note": "x\x00"},
    ):
        with pytest.raises(EvacuationRefused):
            record_exposure(actor=alice, user_private_key=ka, case=case, disclosed_at=soon(-1), **bad)
    with pytest.raises(EvacuationRefused):
        record_exposure(
            actor=alice, user_private_key=ka, case=case, kind="staff", staff=bob, disclosed_at=soon(2)
        )
    assert Exposure.objects.filter(case=case).count() == 2


def test_re_keying_the_case_re_seals_its_evacuation_rows(
    olga: User, alice: User, bob: User, carol: User
) -> None:
    case = open_case(olga, alice, also=(bob,))
    ka = private_key(alice)
    leg = plan_leg(alice, case)
    stay = place_in_house(
        actor=alice, user_private_key=ka, case=case, house=make_house(carol), starts_at=soon(), note="quiet"
    )
    grants.revoke_case_access(actor=alice, user_private_key=ka, case=case, user=bob, rekey=True)
    case = Case.objects.select_related("key").get(pk=case.pk)
    assert case.key.version == 2
    key = services.open_case_key(user=alice, user_private_key=ka, case=case, purpose="t")
    leg.refresh_from_db()
    stay.refresh_from_db()
    assert read_leg(key, leg).destination_place == "Moscow, Kotelniki"
    assert sealing.open_text(key, stay, "note") == "quiet"
