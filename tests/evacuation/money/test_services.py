"""Money services: budget lines, expenses, the spend threshold and its approval, receipts, re-keying."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.files.storage import default_storage
from PIL import Image

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.cases import grants, sealing, workflow
from corridor.cases.models import ApprovalKind, ApprovalStatus, Case
from corridor.cases.services import CaseRefused, open_case_key
from corridor.evacuation.money import reading
from corridor.evacuation.money import services as money
from corridor.evacuation.money.models import BudgetLine, Expense
from corridor.hotline import receipts
from tests.evacuation.money.conftest import spend
from tests.hotline.helpers import encrypted_upload, jpeg_with_gps, private_key

pytestmark = pytest.mark.django_db
NOW = "2026-11-25 12:00:00+00:00"


@time_machine.travel(NOW, tick=False)
def test_an_expense_under_the_threshold_counts_at_once(alice: User, case: Case, line: BudgetLine) -> None:
    expense = spend(alice, case, line, "120.5")
    assert expense.amount == Decimal("120.50")
    assert expense.month == date(2026, 11, 1)
    assert expense.approval is None
    assert reading.state_of(expense) == reading.SPENT
    assert Expense.objects.filter(reading.counted()).count() == 1
    event = AuditEvent.objects.get(action="money.expense_recorded")
    assert event.data["currency"] == "EUR"
    assert AuditEvent.objects.filter(action="cases.case_decrypted", data__purpose="expense").exists()
    key = open_case_key(user=alice, user_private_key=private_key(alice), case=case, purpose="t")
    [row] = reading.case_rows(key, case)
    assert row.description == "Bus ticket to the city"
    assert row.spent_on == date(2026, 11, 20)


@time_machine.travel(NOW, tick=False)
def test_over_the_threshold_waits_for_a_coordinator(
    alice: User, bob: User, carol: User, case: Case, line: BudgetLine
) -> None:
    grants.grant_case_access(actor=alice, user_private_key=private_key(alice), case=case, grantee=bob)
    expense = spend(alice, case, line, "450.20")
    assert expense.approval is not None
    assert expense.approval.kind == ApprovalKind.SPEND
    assert expense.approval.subject == "451 EUR"
    assert reading.state_of(expense) == reading.WAITING
    assert not Expense.objects.filter(reading.counted()).exists()
    # A caseworker cannot decide a spend; a coordinator can.
    assert not workflow.may_decide(bob, expense.approval)
    workflow.decide_approval(
        actor=carol, user_private_key=private_key(carol), approval=expense.approval, decision="approve"
    )
    expense.refresh_from_db()
    assert reading.state_of(expense) == reading.SPENT
    assert Expense.objects.filter(reading.counted()).count() == 1


@time_machine.travel(NOW, tick=False)
def test_a_rejected_spend_never_counts(alice: User, carol: User, case: Case, line: BudgetLine) -> None:
    expense = spend(alice, case, line, "900")
    assert expense.approval is not None
    workflow.decide_approval(
        actor=carol,
        user_private_key=private_key(carol),
        approval=expense.approval,
        decision="reject",
        note="Too much",
    )
    expense.refresh_from_db()
    assert reading.state_of(expense) == reading.REJECTED
    assert not Expense.objects.filter(reading.counted()).exists()


@time_machine.travel(NOW, tick=False)
def test_one_approval_answers_for_one_expense(alice: User, carol: User, case: Case, line: BudgetLine) -> None:
    first = spend(alice, case, line, "500")
    with pytest.raises(CaseRefused, match="waiting for approval"):
        spend(alice, case, line, "500", description="Second ticket")
    assert Expense.objects.count() == 1
    assert first.approval is not None
    workflow.decide_approval(
        actor=carol, user_private_key=private_key(carol), approval=first.approval, decision="approve"
    )
    second = spend(alice, case, line, "500", description="Second ticket")
    assert second.approval is not None
    assert second.approval_id != first.approval_id
    assert reading.state_of(second) == reading.WAITING


@time_machine.travel(NOW, tick=False)
def test_a_spend_approved_beforehand_is_used_by_the_expense(
    alice: User, carol: User, case: Case, line: BudgetLine
) -> None:
    ask = workflow.request_approval(
        actor=alice,
        user_private_key=private_key(alice),
        case=case,
        kind=ApprovalKind.SPEND,
        subject="600 EUR",
    )
    workflow.decide_approval(
        actor=carol, user_private_key=private_key(carol), approval=ask, decision="approve"
    )
    expense = spend(alice, case, line, "600")
    assert expense.approval_id == ask.pk
    assert reading.state_of(expense) == reading.SPENT


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"amount": "0"}, "more than zero"),
        ({"amount": "-5"}, "more than zero"),
        ({"amount": "1.234"}, "as a number"),
        ({"amount": "NaN"}, "as a number"),
        ({"amount": "1e9"}, "too large"),
        ({"amount": "1e30"}, "too large"),
        ({"amount": "1e-30"}, "as a number"),
        ({"amount": "Infinity"}, "as a number"),
        ({"currency": "XYZ"}, "currencies"),
        ({"category": "bribes"}, "category"),
        ({"description": ""}, "what the money was for"),
        ({"description": "a\x00b"}, "characters"),
        ({"spent_on": date(2026, 12, 24)}, "future"),
        ({"submission": "short"}, "expired"),
    ],
)
def test_bad_expenses_are_refused_and_store_nothing(
    alice: User, case: Case, line: BudgetLine, changes: dict[str, object], message: str
) -> None:
    kwargs: dict[str, object] = {"description": "Taxi"} | changes
    with pytest.raises(CaseRefused, match=f"(?i){message}"):
        spend(alice, case, line, **kwargs)  # type: ignore[arg-type]
    assert not Expense.objects.exists()
    assert not AuditEvent.objects.filter(action="money.expense_recorded").exists()


@time_machine.travel(NOW, tick=False)
def test_closed_lines_and_roles_are_refused(
    alice: User, olga: User, carol: User, case: Case, line: BudgetLine
) -> None:
    with pytest.raises(CaseRefused):
        spend(olga, case, line)
    money.close_budget_line(actor=carol, line=line)
    with pytest.raises(CaseRefused, match="open budget line"):
        spend(alice, case, line)
    with pytest.raises(CaseRefused, match="closed already"):
        money.close_budget_line(actor=carol, line=line)
    assert not Expense.objects.exists()


def test_only_coordinators_open_lines_and_names_are_unique(alice: User, carol: User) -> None:
    with pytest.raises(CaseRefused, match="coordinator"):
        money.open_budget_line(actor=alice, name="X", kind="donor", currency="EUR", amount="1")
    money.open_budget_line(actor=carol, name="Fund  B", kind="programme", currency="RUB", amount="0")
    with pytest.raises(CaseRefused, match="exists already"):
        money.open_budget_line(actor=carol, name="fund b", kind="donor", currency="EUR", amount="1")
    for bad in ({"kind": "x"}, {"currency": "eur"}, {"amount": "-1"}, {"name": "x" * 61}, {"name": " "}):
        fields: dict[str, str] = {"name": "Fund C", "kind": "donor", "currency": "EUR", "amount": "10"} | bad
        with pytest.raises(CaseRefused):
            money.open_budget_line(actor=carol, **fields)
    assert list(BudgetLine.objects.values_list("name", flat=True)) == ["Fund B"]
    assert AuditEvent.objects.filter(action="money.budget_line_opened").count() == 1


@time_machine.travel(NOW, tick=False)
def test_the_same_form_twice_records_once(alice: User, carol: User, case: Case, line: BudgetLine) -> None:
    token = receipts.new_token()
    first = spend(alice, case, line, submission=token)
    again = money.record_expense(
        actor=alice,
        user_private_key=private_key(alice),
        case=case,
        budget_line=line,
        category="food",
        amount="10",
        currency="EUR",
        spent_on=date(2026, 11, 1),
        description="other",
        submission=token,
    )
    assert again.repeated
    assert again.expense.pk == first.pk
    assert Expense.objects.count() == 1
    line_token = receipts.new_token()
    one = money.open_budget_line(
        actor=carol, name="Fund Z", kind="donor", currency="EUR", amount="1", submission=line_token
    )
    two = money.open_budget_line(
        actor=carol, name="Fund Z", kind="donor", currency="EUR", amount="1", submission=line_token
    )
    assert two.repeated
    assert two.line.pk == one.line.pk


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 10), (0, 90, 0)).save(out, "PNG")
    return out.getvalue()


@time_machine.travel(NOW, tick=False)
def test_receipts_lose_their_metadata_and_are_stored_encrypted(
    alice: User, case: Case, line: BudgetLine
) -> None:
    photo = jpeg_with_gps()
    receipt = money.prepare_receipt(encrypted_upload(photo, name="check.jpg"))
    assert b"SpyCam" not in receipt.data
    expense = spend(alice, case, line, receipt=receipt)
    with default_storage.open(expense.receipt_blob, "rb") as handle:
        stored = handle.read()
    assert b"SpyCam" not in stored
    assert receipt.data[:200] not in stored
    key = open_case_key(user=alice, user_private_key=private_key(alice), case=case, purpose="t")
    data, content_type = reading.receipt_file(key, expense)
    assert content_type == "image/jpeg"
    assert data == receipt.data
    pdf = money.prepare_receipt(encrypted_upload(b"%PDF-1.4\n%%EOF\n", name="r.pdf"))
    assert pdf.content_type == "application/pdf"


def _bomb() -> bytes:
    """A small PNG that would decode to 100 million pixels."""
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, "PNG")
    return out.getvalue()


def test_a_decompression_bomb_is_refused() -> None:
    with pytest.raises(CaseRefused, match="too large"):
        money.prepare_receipt(encrypted_upload(_bomb(), name="bomb.png"))


@pytest.mark.parametrize(
    "data", [b"MZ\x90\x00 not a receipt", b"<html><script>alert(1)</script>", b"\x89PNG\r\n\x1a\nbroken"]
)
def test_a_receipt_that_is_not_a_photo_or_pdf_is_refused(data: bytes) -> None:
    with pytest.raises(CaseRefused):
        money.prepare_receipt(encrypted_upload(data, name="x.png"))
    assert money.prepare_receipt(encrypted_upload(_png(), name="p.png")).content_type == "image/png"


@time_machine.travel(NOW, tick=False)
def test_rekeying_the_case_keeps_details_and_receipt_readable(
    alice: User, bob: User, case: Case, line: BudgetLine
) -> None:
    grants.grant_case_access(actor=alice, user_private_key=private_key(alice), case=case, grantee=bob)
    receipt = money.prepare_receipt(encrypted_upload(_png(), name="p.png"))
    expense = spend(alice, case, line, receipt=receipt)
    before = bytes(expense.details)
    grants.revoke_case_access(
        actor=alice, user_private_key=private_key(alice), case=case, user=bob, rekey=True
    )
    case = Case.objects.select_related("key").get(pk=case.pk)
    assert case.key.version == 2
    expense.refresh_from_db()
    assert bytes(expense.details) != before
    key = open_case_key(user=alice, user_private_key=private_key(alice), case=case, purpose="t")
    assert sealing.open_row(key, expense, "details")["description"] == "Bus ticket to the city"
    assert reading.receipt_file(key, expense)[0] == receipt.data


@time_machine.travel(NOW, tick=False)
def test_a_changed_amount_makes_the_details_unreadable(alice: User, case: Case, line: BudgetLine) -> None:
    expense = spend(alice, case, line, "100")
    Expense.objects.filter(pk=expense.pk).update(amount=Decimal("10"))
    key = open_case_key(user=alice, user_private_key=private_key(alice), case=case, purpose="t")
    [row] = reading.case_rows(key, case)
    assert row.unreadable


def test_the_spend_subject_rounds_up_to_whole_units() -> None:
    assert money.spend_subject(Decimal("450.00"), "EUR") == "450 EUR"
    assert money.spend_subject(Decimal("450.01"), "EUR") == "451 EUR"
    assert money.needs_approval(Decimal("300.00"), "EUR") is False
    assert money.needs_approval(Decimal("300.01"), "EUR") is True
    assert ApprovalStatus.APPROVED == "approved"


@time_machine.travel(NOW, tick=False)
def test_deleting_a_case_takes_its_expenses_and_their_approvals(
    alice: User, case: Case, line: BudgetLine
) -> None:
    spend(alice, case, line, "700")
    Case.objects.filter(pk=case.pk).delete()
    assert not Expense.objects.exists()
    assert BudgetLine.objects.filter(pk=line.pk).exists()
