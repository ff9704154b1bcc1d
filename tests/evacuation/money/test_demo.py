"""The demo's money: budget lines, expenses on the demo cases, one spend approved and one waiting,
a receipt, and a donor report with figures to show."""

from __future__ import annotations

import pytest

from corridor.accounts.models import User
from corridor.cases.demo import Staff, create_demo_cases
from corridor.evacuation.money import demo, reading, report
from corridor.evacuation.money.models import BudgetLine, Expense
from tests.hotline.helpers import private_key


@pytest.mark.django_db
def test_the_demo_fills_the_books(olga: User, alice: User, bob: User, carol: User) -> None:
    staff = Staff(
        olga=olga,
        alice=alice,
        bob=bob,
        carol=carol,
        keys={user.username: private_key(user) for user in (olga, alice, bob, carol)},
    )
    create_demo_cases(staff)
    demo.populate(staff)
    assert BudgetLine.objects.count() == 3
    assert BudgetLine.objects.filter(closed_at__isnull=False).count() == 1
    states = [reading.state_of(e) for e in Expense.objects.select_related("approval")]
    assert states.count(reading.WAITING) == 1
    assert states.count(reading.SPENT) >= 15
    assert Expense.objects.exclude(receipt_blob="").count() == 1
    built = report.donor_report()
    assert built.people >= 5
    assert not built.people_suppressed
    assert any(not cell.suppressed for cell in built.by_category)
