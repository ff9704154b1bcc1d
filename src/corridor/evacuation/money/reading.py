"""Reading expenses: their state (waiting, spent, rejected) and, with the case key, details and receipts."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.files.storage import default_storage
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from corridor.cases import sealing
from corridor.cases.models import ApprovalStatus, Case
from corridor.crypto.errors import CryptoError
from corridor.crypto.files import decrypt_chunks
from corridor.evacuation.money.models import BudgetLine, Expense

SPENT, WAITING, REJECTED, WITHDRAWN = "spent", "waiting", "rejected", "withdrawn"
STATE_LABELS = {
    SPENT: _("Spent"),
    WAITING: _("Waiting for a coordinator's approval"),
    REJECTED: _("Rejected: not spent"),
    WITHDRAWN: _("Approval withdrawn: not spent"),
}


def counted() -> Q:
    """The expenses that count as spent: under the threshold, or approved."""
    return Q(approval__isnull=True) | Q(approval__status=ApprovalStatus.APPROVED)


def state_of(expense: Expense) -> str:
    if expense.approval is None or expense.approval.status == ApprovalStatus.APPROVED:
        return SPENT
    waiting_or_not: dict[str, str] = {ApprovalStatus.PENDING: WAITING, ApprovalStatus.REJECTED: REJECTED}
    return waiting_or_not.get(expense.approval.status, WITHDRAWN)


@dataclass(frozen=True)
class ExpenseRow:
    expense: Expense
    state: str
    state_label: str
    description: str = ""
    payee: str = ""
    spent_on: date | None = None
    unreadable: bool = False


def row(expense: Expense) -> ExpenseRow:
    """What anyone who sees the expense may see: plain columns only."""
    state = state_of(expense)
    return ExpenseRow(expense=expense, state=state, state_label=str(STATE_LABELS[state]))


def _date(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def case_rows(key: bytes, case: Case) -> list[ExpenseRow]:
    """The case's expenses with their details opened (the key is the one the page opened)."""
    rows = []
    expenses = Expense.objects.filter(case=case).select_related("budget_line", "approval")
    for expense in expenses.order_by("-month", "-recorded_at"):
        plain = row(expense)
        try:
            details = sealing.open_row(key, expense, "details")
        except CryptoError:
            rows.append(ExpenseRow(**{**plain.__dict__, "unreadable": True}))
            continue
        rows.append(
            ExpenseRow(
                **{
                    **plain.__dict__,
                    "description": str(details.get("description", "")),
                    "payee": str(details.get("payee", "")),
                    "spent_on": _date(details.get("spent_on")),
                }
            )
        )
    return rows


def totals(rows: list[ExpenseRow]) -> dict[str, dict[str, Decimal]]:
    """Per currency: what is spent and what waits."""
    out: dict[str, dict[str, Decimal]] = {}
    for item in rows:
        if item.state in (SPENT, WAITING):
            sums = out.setdefault(item.expense.currency, {SPENT: Decimal(0), WAITING: Decimal(0)})
            sums[item.state] += item.expense.amount
    return dict(sorted(out.items()))


def receipt_file(key: bytes, expense: Expense) -> tuple[bytes, str]:
    """The receipt, decrypted in memory; CryptoError if its envelope or file was tampered with."""
    meta = sealing.open_row(key, expense, "receipt")
    file_key = base64.b64decode(meta["key"])
    with default_storage.open(expense.receipt_blob, "rb") as handle:
        data = b"".join(decrypt_chunks(file_key, iter(lambda: handle.read(65536), b"")))
    return data, str(meta["type"])


@dataclass(frozen=True)
class LineRow:
    line: BudgetLine
    spent: Decimal
    waiting: Decimal
    left: Decimal
    # Spending in other currencies than the line's, as (currency, amount).
    other: list[tuple[str, Decimal]]


def line_rows(lines: list[BudgetLine]) -> list[LineRow]:
    """Per line: spent and waiting in its currency, what is left, and spending in other currencies."""
    sums: dict[tuple[str, str, str], Decimal] = {}
    for state, expenses in (
        (SPENT, Expense.objects.filter(counted())),
        (WAITING, Expense.objects.filter(approval__status=ApprovalStatus.PENDING)),
    ):
        for found in expenses.values("budget_line_id", "currency").annotate(total=Sum("amount")).order_by():
            key = (str(found["budget_line_id"]), found["currency"], state)
            sums[key] = Decimal(found["total"]).quantize(Decimal("0.01"))
    rows = []
    for line in lines:
        pk, zero = str(line.pk), Decimal("0.00")
        spent = sums.get((pk, line.currency, SPENT), zero)
        other = sorted(
            (currency, total)
            for (line_id, currency, state), total in sums.items()
            if line_id == pk and currency != line.currency and state == SPENT
        )
        rows.append(
            LineRow(
                line=line,
                spent=spent,
                waiting=sums.get((pk, line.currency, WAITING), zero),
                left=line.amount - spent,
                other=other,
            )
        )
    return rows
