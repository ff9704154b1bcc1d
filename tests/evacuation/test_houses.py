"""Safe houses: their own key, grants, re-keying on revoke, the compromised mark, the board."""

from __future__ import annotations

import pytest

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.cases import keys as data_keys
from corridor.cases.models import DataKeyWrap, WrapRecipient
from corridor.evacuation import houses
from corridor.evacuation.houses import EvacuationRefused, HouseDetails
from corridor.evacuation.models import SafeHouse
from corridor.evacuation.services import place_in_house
from tests.evacuation.helpers import ADDRESS, make_house, open_case, soon
from tests.hotline.helpers import private_key


def test_a_new_house_is_sealed_to_recovery_and_its_coordinator_only(carol: User, alice: User) -> None:
    house = make_house(carol)
    wraps = DataKeyWrap.objects.filter(key=house.key)
    assert {w.recipient for w in wraps} == {WrapRecipient.RECOVERY, WrapRecipient.USER}
    assert [w.user for w in wraps if w.user] == [carol]
    assert house.key.purpose == "house"
    assert ADDRESS.encode() not in bytes(house.details)
    details = houses.read_details(user=carol, user_private_key=private_key(carol), house=house)
    assert details.address == ADDRESS
    assert AuditEvent.objects.filter(action="evacuation.house_decrypted", target_id=str(house.pk)).exists()
    with pytest.raises(data_keys.KeyLocked):
        houses.read_details(user=alice, user_private_key=private_key(alice), house=house)


def test_only_coordinators_manage_houses(alice: User) -> None:
    with pytest.raises(EvacuationRefused):
        houses.create_house(actor=alice, code_name="Oak", region="RU-MOW", capacity=2, details=HouseDetails())
    assert not SafeHouse.objects.exists()


@pytest.mark.parametrize(
    ("code_name", "region", "capacity"),
    [
        ("", "RU-MOW", 2),
        ("x", "RU-MOW", 2),
        ("Oak<script>", "RU-MOW", 2),
        ("Oak", "ZZ", 2),
        ("Oak", "RU-MOW", 0),
    ],
)
def test_bad_plain_columns_are_refused(carol: User, code_name: str, region: str, capacity: int) -> None:
    with pytest.raises(EvacuationRefused):
        houses.create_house(
            actor=carol, code_name=code_name, region=region, capacity=capacity, details=HouseDetails()
        )
    assert not SafeHouse.objects.exists()


def test_a_code_name_is_used_once_and_control_characters_are_refused(carol: User) -> None:
    make_house(carol, "Oak")
    with pytest.raises(EvacuationRefused):
        make_house(carol, "oak")
    with pytest.raises(EvacuationRefused):
        houses.create_house(
            actor=carol, code_name="Elm", region="RU-MOW", capacity=1, details=HouseDetails(address="a\x00b")
        )
    assert SafeHouse.objects.count() == 1


def test_grant_then_revoke_re_keys_the_house(carol: User, alice: User, bob: User) -> None:
    house = make_house(carol)
    kc = private_key(carol)
    assert houses.grant_house_access(actor=carol, user_private_key=kc, house=house, grantee=alice)
    assert not houses.grant_house_access(actor=carol, user_private_key=kc, house=house, grantee=alice)
    assert (
        houses.read_details(user=alice, user_private_key=private_key(alice), house=house).address == ADDRESS
    )
    old_wrap = bytes(data_keys.user_wrap(house.key, alice).sealed)  # type: ignore[union-attr]
    houses.revoke_house_access(actor=carol, user_private_key=kc, house=house, holder=alice)
    house = SafeHouse.objects.select_related("key").get(pk=house.pk)
    assert house.key.version == 2
    assert data_keys.user_wrap(house.key, alice) is None
    assert old_wrap
    assert houses.read_details(user=carol, user_private_key=kc, house=house).address == ADDRESS
    assert DataKeyWrap.objects.filter(key=house.key, recipient=WrapRecipient.RECOVERY, version=2).exists()
    assert AuditEvent.objects.filter(action="evacuation.house_access_revoked").exists()
    with pytest.raises(EvacuationRefused):
        houses.revoke_house_access(actor=carol, user_private_key=kc, house=house, holder=bob)


def test_update_changes_capacity_and_details(carol: User) -> None:
    house = make_house(carol)
    kc = private_key(carol)
    houses.update_house(
        actor=carol, user_private_key=kc, house=house, capacity=5, details=HouseDetails(address="new place")
    )
    house.refresh_from_db()
    assert house.capacity == 5
    assert houses.read_details(user=carol, user_private_key=kc, house=house).address == "new place"


def test_the_board_counts_people_now_and_shows_compromised_houses(
    olga: User, alice: User, carol: User
) -> None:
    birch, oak = make_house(carol, "Birch"), make_house(carol, "Oak", capacity=1)
    case = open_case(olga, alice)
    place_in_house(actor=alice, user_private_key=private_key(alice), case=case, house=oak, starts_at=soon(-1))
    houses.mark_compromised(actor=carol, house=birch)
    with pytest.raises(EvacuationRefused):
        houses.mark_compromised(actor=carol, house=birch)
    rows = {row.house.code_name: row for row in houses.occupancy_board()}
    assert rows["Oak"].occupied == 1
    assert rows["Oak"].full
    assert rows["Oak"].free == 0
    assert rows["Birch"].occupied == 0
    assert rows["Birch"].house.compromised_at is not None
    assert [h.code_name for h in houses.open_houses()] == ["Oak"]
