"""Money fixtures: a case of alice's (carol granted), another of bob's, an open budget line."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from corridor.accounts.models import User
from corridor.cases import grants, services
from corridor.cases.models import Case
from corridor.evacuation.money import services as money
from corridor.evacuation.money.models import BudgetLine, Expense
from tests.hotline.helpers import open_web_thread, private_key

SignedIn = Callable[[User], Client]


def open_case(olga: User, caseworker: User) -> Case:
    thread = open_web_thread("Please help me.").thread
    new = services.open_case_from_thread(
        actor=olga, user_private_key=private_key(olga), thread=thread, caseworker=caseworker
    )
    return Case.objects.select_related("key").get(pk=new.case.pk)


@pytest.fixture
def case(olga: User, alice: User, carol: User) -> Case:
    case = open_case(olga, alice)
    grants.grant_case_access(actor=alice, user_private_key=private_key(alice), case=case, grantee=carol)
    return case


@pytest.fixture
def other_case(olga: User, bob: User) -> Case:
    """A case granted to bob (and olga), never to alice nor carol."""
    return open_case(olga, bob)


@pytest.fixture
def line(carol: User) -> BudgetLine:
    return money.open_budget_line(
        actor=carol, name="Fund A 2026", kind="donor", currency="EUR", amount=Decimal("20000")
    ).line


def spend(
    user: User,
    case: Case,
    line: BudgetLine,
    amount: str = "120",
    *,
    currency: str = "EUR",
    category: str = "transport",
    description: str = "Bus ticket to the city",
    spent_on: date = date(2026, 11, 20),
    receipt: money.PreparedReceipt | None = None,
    submission: str = "",
) -> Expense:
    return money.record_expense(
        actor=user,
        user_private_key=private_key(user),
        case=Case.objects.select_related("key").get(pk=case.pk),
        budget_line=line,
        category=category,
        amount=amount,
        currency=currency,
        spent_on=spent_on,
        description=description,
        receipt=receipt,
        submission=submission,
    ).expense
