"""Synthetic safe houses, stays, legs and a burned person for `corridor demo`.

Everything goes through the services, as staff would do it: the exposures are the ones
Corridor records itself, and the burn view of the person whose phone was seized shows
who has to be moved and warned.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from corridor.cases.demo import MARK, Staff
from corridor.cases.models import Case, Stage
from corridor.evacuation import houses, services
from corridor.evacuation.models import MovementStatus


def _cases(stage: str) -> list[Case]:
    return list(Case.objects.filter(stage=stage).select_related("key").order_by("created_at"))


def populate(staff: Staff) -> None:
    """Three houses, people living in two of them, legs under way and planned, one seized phone."""
    now = datetime.now(UTC)
    carol, alice = staff.carol, staff.alice
    ka, kc = staff.key(alice), staff.key(carol)
    birch = houses.create_house(
        actor=carol,
        code_name="Берёза",
        region="RU-MOW",
        capacity=4,
        details=houses.HouseDetails(
            address=f"{MARK} Москва, ул. Вымышленная, д. 1, кв. 10",
            contacts="Хозяйка: Ирина (демо), +7 900 000-00-01",
            notes="Соседям говорим, что это студенты.",
        ),
    )
    rowan = houses.create_house(
        actor=carol,
        code_name="Рябина",
        region="RU-SPE",
        capacity=2,
        details=houses.HouseDetails(address=f"{MARK} Санкт-Петербург, пр. Условный, д. 5"),
    )
    houses.create_house(
        actor=carol,
        code_name="Ольха",
        region="RU",
        capacity=3,
        details=houses.HouseDetails(address=f"{MARK} Нижний Новгород, частный дом"),
    )
    houses.grant_house_access(actor=carol, user_private_key=kc, house=birch, grantee=alice)

    sheltered = _cases(Stage.SHELTERED) + _cases(Stage.RELOCATING)
    for i, case in enumerate(sheltered[:6]):  # within the two houses' capacity
        services.place_in_house(
            actor=alice,
            user_private_key=ka,
            case=case,
            house=birch if i % 3 != 2 else rowan,
            starts_at=now - timedelta(days=10 - i),
            note=f"{MARK} Заселение вечером, ключ у хозяйки.",
        )
    for case in _cases(Stage.IN_TRANSIT):
        leg = services.plan_movement(
            actor=alice,
            user_private_key=ka,
            case=case,
            origin_region="RU-CE",
            destination_region="RU-MOW",
            mode="car",
            planned_departure_at=now - timedelta(hours=6),
            planned_arrival_at=now + timedelta(hours=18),
            details=services.LegDetails(
                origin_place=f"{MARK} Грозный, у рынка",
                destination_place=f"{MARK} Москва, у метро",
                route="Через Ставрополь и Ростов, ночёвка в машине.",
            ),
            escort=staff.bob,
        )
        services.change_movement_status(
            actor=alice, user_private_key=ka, movement=leg, status=MovementStatus.UNDER_WAY
        )
    for case in _cases(Stage.PLANNING):
        services.plan_movement(
            actor=alice,
            user_private_key=ka,
            case=case,
            origin_region="RU-IN",
            destination_region="RU-SPE",
            mode="train",
            planned_departure_at=now + timedelta(days=3),
            planned_arrival_at=now + timedelta(days=4),
            details=services.LegDetails(
                origin_place=f"{MARK} Назрань, вокзал", escort_name="Сокол", route="Поезд через Москву."
            ),
        )
    # A person in Берёза reports their phone taken at a checkpoint: the burn view lists the
    # people living there, their escort and the house to judge.
    if sheltered:
        burned = sheltered[0]
        if len(sheltered) > 1:
            services.record_exposure(
                actor=alice,
                user_private_key=ka,
                case=burned,
                kind="case",
                other_case=sheltered[1],
                disclosed_at=now - timedelta(days=2),
                note=f"{MARK} Переписывались в мессенджере.",
            )
        services.report_phone_seized(
            actor=alice, user_private_key=ka, case=burned, note=f"{MARK} Телефон забрали на блокпосту."
        )
