"""Receipt files whose expense row was never written are removed by the worker after an hour."""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction
from PIL import Image

from corridor.accounts.models import User
from corridor.cases.models import Case
from corridor.evacuation.money import services as money
from corridor.evacuation.money.models import BudgetLine, Expense
from corridor.evacuation.money.orphans import remove_orphan_receipts
from corridor.hotline import receipts
from tests.evacuation.money.conftest import spend
from tests.hotline.helpers import encrypted_upload, private_key

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_media(settings: Any, tmp_path: Path) -> None:
    """A storage of this test's own: the other tests' receipts would count as orphans here."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path}},
    }


class RolledBack(Exception):
    pass


def photo() -> money.PreparedReceipt:
    out = io.BytesIO()
    Image.new("RGB", (20, 10), (0, 90, 0)).save(out, "PNG")
    return money.prepare_receipt(encrypted_upload(out.getvalue(), name="receipt.png"))


def receipt_files() -> set[str]:
    try:
        return {f"money/{name}" for name in default_storage.listdir("money")[1]}
    except FileNotFoundError:
        return set()


def age(name: str, hours: float) -> None:
    """Set a stored file's modification time `hours` back (what a crash long ago leaves)."""
    then = (datetime.now(UTC) - timedelta(hours=hours)).timestamp()
    os.utime(default_storage.path(name), (then, then))


def orphan_of_a_rolled_back_request(alice: User, case: Case, line: BudgetLine) -> str:
    """The service returned, then the request's transaction was undone: the file stays, its row does not."""
    before = receipt_files()

    def request_that_fails_after_recording() -> None:
        with transaction.atomic():
            spend(alice, case, line, receipt=photo())
            raise RolledBack

    with pytest.raises(RolledBack):
        request_that_fails_after_recording()
    [orphan] = receipt_files() - before
    assert not Expense.objects.filter(receipt_blob=orphan).exists()
    return orphan


def test_old_receipts_without_an_expense_go_and_everything_else_stays(
    alice: User, case: Case, line: BudgetLine
) -> None:
    kept = spend(alice, case, line, receipt=photo()).receipt_blob
    age(kept, 5)
    old_orphan = orphan_of_a_rolled_back_request(alice, case, line)
    age(old_orphan, 2)
    young_orphan = orphan_of_a_rolled_back_request(alice, case, line)

    assert remove_orphan_receipts() == 1

    assert receipt_files() == {kept, young_orphan}  # a request may still be writing the young one's row
    assert remove_orphan_receipts() == 0  # idempotent
    assert remove_orphan_receipts(now=datetime.now(UTC) + timedelta(hours=2)) == 1
    assert receipt_files() == {kept}


def test_a_form_sent_twice_stores_one_receipt(alice: User, case: Case, line: BudgetLine) -> None:
    token = receipts.new_token()
    first = money.record_expense(
        actor=alice,
        user_private_key=private_key(alice),
        case=case,
        budget_line=line,
        category="transport",
        amount="20",
        currency="EUR",
        spent_on=datetime.now(UTC).date() - timedelta(days=2),
        description="Taxi",
        receipt=photo(),
        submission=token,
    )
    again = money.record_expense(
        actor=alice,
        user_private_key=private_key(alice),
        case=case,
        budget_line=line,
        category="transport",
        amount="20",
        currency="EUR",
        spent_on=datetime.now(UTC).date() - timedelta(days=2),
        description="Taxi",
        receipt=photo(),
        submission=token,
    )
    assert again.repeated
    assert again.expense.pk == first.expense.pk
    assert receipt_files() == {first.expense.receipt_blob}


@pytest.mark.django_db(transaction=True)  # the queue's worker commits as it goes
def test_the_worker_runs_the_job(org: dict[str, object], alice: User, case: Case, line: BudgetLine) -> None:
    orphan = orphan_of_a_rolled_back_request(alice, case, line)
    age(orphan, 3)

    call_command("worker", "--once", stdout=StringIO())

    assert orphan not in receipt_files()
