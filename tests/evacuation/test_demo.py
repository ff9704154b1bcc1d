"""The demo's evacuation: houses, people living in them, legs under way and planned, a burn view."""

from __future__ import annotations

import pytest

from corridor.accounts.models import User
from corridor.cases import services as case_services
from corridor.cases.demo import Staff, create_demo_cases
from corridor.evacuation import burn, demo
from corridor.evacuation.models import Movement, Placement, SafeHouse
from tests.hotline.helpers import private_key


@pytest.mark.django_db
def test_the_demo_shows_houses_legs_and_a_burn_view(olga: User, alice: User, bob: User, carol: User) -> None:
    staff = Staff(
        olga=olga,
        alice=alice,
        bob=bob,
        carol=carol,
        keys={user.username: private_key(user) for user in (olga, alice, bob, carol)},
    )
    create_demo_cases(staff)
    demo.populate(staff)
    assert SafeHouse.objects.count() == 3
    assert Placement.objects.count() >= 2
    assert Movement.objects.filter(status="under_way", escort=bob).exists()
    assert Movement.objects.filter(status="planned").exists()
    burned = Placement.objects.order_by("starts_at").first().case  # type: ignore[union-attr]
    assert burn.triggers(burned) == ["phone_seized"]
    key = case_services.open_case_key(
        user=alice, user_private_key=private_key(alice), case=burned, purpose="t"
    )
    report = burn.burn_report(user=alice, case=burned, key=key)
    assert {a.kind for a in report.affected} >= {"move_person", "check_house"}
