"""The demo's check-ins: schedules on the cases on the move, two missed and escalated, one "not safe"."""

from __future__ import annotations

import pytest

from corridor.accounts.models import User
from corridor.cases.demo import Staff, create_demo_cases
from corridor.evacuation.checkins import demo, reading
from corridor.evacuation.checkins.models import CheckIn, CheckInSchedule, Escalation
from tests.hotline.helpers import private_key


@pytest.mark.django_db
def test_the_demo_shows_overdue_check_ins(olga: User, alice: User, bob: User, carol: User) -> None:
    staff = Staff(
        olga=olga,
        alice=alice,
        bob=bob,
        carol=carol,
        keys={user.username: private_key(user) for user in (olga, alice, bob, carol)},
    )
    create_demo_cases(staff)
    demo.populate(staff)
    assert CheckInSchedule.objects.filter(active=True).count() >= 3
    missed = list(reading.missed_for(carol))
    assert {s.case.stage for s in missed} == {"in_transit", "sheltered"}
    assert set(Escalation.objects.values_list("step", flat=True)) == {"caseworker", "coordinators", "unsafe"}
    assert CheckIn.objects.filter(answer="unsafe", logged_by=bob).count() == 1
    assert list(reading.unsafe_since(alice, CheckIn.objects.earliest("at").at))
