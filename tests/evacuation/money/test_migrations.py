"""Money's and the form receipts' migrations run forward on a database holding expenses and receipts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from corridor.accounts.models import User
from corridor.cases import once
from corridor.cases.models import Case, FormReceipt
from corridor.evacuation.money.models import BudgetLine, Expense
from corridor.hotline import receipts
from tests.evacuation.money.conftest import spend


@pytest.mark.django_db(transaction=True)
def test_money_and_receipts_migrate_forward_with_their_rows(
    alice: User, case: Case, line: BudgetLine
) -> None:
    expense = spend(alice, case, line, spent_on=datetime.now(UTC).date() - timedelta(days=1))
    once.carry_out_once(receipts.new_token(), lambda: "done")
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    # Before the submission columns went, and before receipts named what their form created.
    executor.migrate([("money", "0002_expense_goes_with_its_case"), ("cases", "0003_form_receipts")])
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(latest)

    assert Expense.objects.get().pk == expense.pk
    assert BudgetLine.objects.get().name == line.name
    assert FormReceipt.objects.get().created_id == ""
    token = receipts.new_token()
    made = once.carry_out_once(token, lambda: "made", created=lambda result: result)
    assert once.carry_out_once(token, lambda: "again").created_id == made.created_id == "made"
