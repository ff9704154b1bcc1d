"""Every write of money: budget lines, expenses with their receipts, and the spend approvals they wait for.

An expense above its currency's threshold (`CORRIDOR_MONEY_THRESHOLDS`) is linked to a
spend approval of its case (corridor.cases.workflow, ApprovalKind.SPEND, subject "451 EUR":
the amount rounded up to whole units) and counts as spent only once a coordinator approves
it. Receipts are stored as secretstream ciphertext under a random file key; the key is in
an envelope under the case key, so re-keying the case keeps the receipt readable.
"""

from __future__ import annotations

import base64
import hashlib
import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from corridor.accounts.models import Role, User
from corridor.audit.services import record_event
from corridor.cases import once, sealing, workflow
from corridor.cases.models import Approval, ApprovalKind, ApprovalStatus, Case, Stage
from corridor.cases.services import CaseRefused, clean_text, open_case_key
from corridor.crypto.envelope import generate_key
from corridor.crypto.files import encrypt_bytes
from corridor.evacuation.money.models import BudgetLine, Category, Expense, LineKind
from corridor.hotline.uploads import EncryptedUpload, UploadRejected, strip_image
from corridor.web.templatetags.staff_time import staff_zone

CENT = Decimal("0.01")
MAX_EXPENSE = Decimal("10000000")
MAX_BUDGET = Decimal("1000000000000")
MAX_NAME = 60
MAX_DETAIL = 2_000
EARLIEST = date(2000, 1, 1)
PDF_MAGIC = b"%PDF-"
# What a photo starts with (JPEG, PNG, GIF, WebP's RIFF container); strip_image checks the rest.
IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"RIFF")


class MoneyRefused(CaseRefused):
    """Not allowed or not valid; the message says why, in the user's language."""


def _now() -> datetime:
    return datetime.now(UTC)


def _once[T](submission: str, action: Callable[[], T], created: Callable[[T], object]) -> once.Once[T]:
    """The form's action carried out once per its one-time token (corridor.cases.once)."""
    try:
        return once.carry_out_once(submission, action, created=created, strict=True)
    except once.FormExpired:
        raise MoneyRefused(_("The form has expired. Please fill it in again.")) from None


# --- rules ----------------------------------------------------------------------------


def currencies() -> list[str]:
    return list(settings.CORRIDOR_MONEY_THRESHOLDS)


def threshold(currency: str) -> int:
    return int(settings.CORRIDOR_MONEY_THRESHOLDS[currency])


def needs_approval(amount: Decimal, currency: str) -> bool:
    return amount > threshold(currency)


def spend_subject(amount: Decimal, currency: str) -> str:
    """The spend approval's subject: whole units, rounded up, so the approval covers the amount."""
    return f"{math.ceil(amount)} {currency}"


def clean_amount(value: Decimal | str, *, limit: Decimal, allow_zero: bool = False) -> Decimal:
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise MoneyRefused(_("Give the amount as a number, for example 450 or 450.50.")) from None
    if not amount.is_finite():
        raise MoneyRefused(_("Give the amount as a number, for example 450 or 450.50."))
    if amount < 0 or (amount == 0 and not allow_zero):
        raise MoneyRefused(_("The amount must be more than zero."))
    # Checked before quantizing: "1e30" would not fit the decimal context.
    if amount >= limit:
        raise MoneyRefused(_("The amount is too large."))
    if amount != amount.quantize(CENT, rounding="ROUND_DOWN"):
        raise MoneyRefused(_("Give the amount as a number, for example 450 or 450.50."))
    # Quantized, so what is bound into the envelope is what the database gives back.
    return amount.quantize(CENT)


def _clean_currency(currency: str) -> str:
    if currency not in settings.CORRIDOR_MONEY_THRESHOLDS:
        raise MoneyRefused(_("Choose one of the currencies in the list."))
    return currency


def _clean_line_text(text: str, *, limit: int) -> str:
    text = clean_text(text, required=False)
    if len(text) > limit:
        raise MoneyRefused(_("The text is too long."))
    return text


# --- budget lines ---------------------------------------------------------------------


@dataclass(frozen=True)
class NewLine:
    line: BudgetLine
    repeated: bool = False


def open_budget_line(
    *, actor: User, name: str, kind: str, currency: str, amount: Decimal | str, submission: str = ""
) -> NewLine:
    """A coordinator opens a budget line; the same form sent twice opens it once."""
    if not actor.has_role(Role.COORDINATOR):
        raise MoneyRefused(_("Only a coordinator can open or close budget lines."))
    done = _once(
        submission,
        lambda: _open_budget_line(actor=actor, name=name, kind=kind, currency=currency, amount=amount),
        created=lambda line: line.pk,
    )
    if done.result is not None:
        return NewLine(line=done.result)
    earlier = BudgetLine.objects.filter(pk=done.created_id).first() if done.created_id else None
    if earlier is None:
        raise MoneyRefused(once.REPEATED)
    return NewLine(line=earlier, repeated=True)


def _open_budget_line(
    *, actor: User, name: str, kind: str, currency: str, amount: Decimal | str
) -> BudgetLine:
    name = " ".join(clean_text(name, required=True).split())
    if len(name) > MAX_NAME:
        raise MoneyRefused(_("The name is too long (at most 60 characters)."))
    if kind not in LineKind.values:
        raise MoneyRefused(_("Choose whether the line is a donor grant or a programme."))
    currency = _clean_currency(currency)
    budget = clean_amount(amount, limit=MAX_BUDGET, allow_zero=True)
    if BudgetLine.objects.filter(name__iexact=name).exists():
        raise MoneyRefused(_("A budget line of this name exists already."))
    line = BudgetLine(
        name=name, kind=kind, currency=currency, amount=budget, opened_by=actor, opened_at=_now()
    )
    try:
        with transaction.atomic():
            line.save(force_insert=True)
    except IntegrityError:
        raise MoneyRefused(_("A budget line of this name exists already.")) from None
    record_event(
        action="money.budget_line_opened",
        actor_id=actor.pk,
        target_type="budget_line",
        target_id=line.pk,
        data={"kind": kind, "currency": currency, "amount": str(budget)},
    )
    return line


@transaction.atomic
def close_budget_line(*, actor: User, line: BudgetLine) -> BudgetLine:
    """No new expense goes to a closed line; those recorded stay in the books."""
    if not actor.has_role(Role.COORDINATOR):
        raise MoneyRefused(_("Only a coordinator can open or close budget lines."))
    line = BudgetLine.objects.select_for_update().get(pk=line.pk)
    if line.closed_at is not None:
        raise MoneyRefused(_("This budget line is closed already."))
    line.closed_by, line.closed_at = actor, _now()
    line.save(update_fields=["closed_by", "closed_at"])
    record_event(
        action="money.budget_line_closed", actor_id=actor.pk, target_type="budget_line", target_id=line.pk
    )
    return line


# --- receipts -------------------------------------------------------------------------


@dataclass(frozen=True)
class PreparedReceipt:
    """A receipt checked and, if a photo, re-encoded from its pixels alone (no EXIF, no GPS)."""

    data: bytes
    content_type: str


def prepare_receipt(upload: EncryptedUpload) -> PreparedReceipt:
    """A photo loses its metadata as on the hotline; a PDF is kept as sent (it is stored encrypted)."""
    data = upload.plaintext()
    if data.startswith(PDF_MAGIC):
        return PreparedReceipt(data=data, content_type="application/pdf")
    if not data.startswith(IMAGE_MAGIC):
        raise MoneyRefused(_("A receipt must be a photo (JPEG, PNG, WebP or GIF) or a PDF."))
    try:
        stripped = strip_image(data)
    except UploadRejected as exc:
        raise MoneyRefused(str(exc)) from None
    return PreparedReceipt(data=stripped.data, content_type=stripped.content_type)


def _store_receipt(expense: Expense, key: bytes, version: int, receipt: PreparedReceipt) -> str:
    file_key = generate_key()
    name = default_storage.save(
        f"money/{expense.pk}.receipt", ContentFile(encrypt_bytes(file_key, receipt.data))
    )
    expense.receipt_blob = name
    expense.receipt = sealing.seal_row(
        key,
        version,
        expense,
        "receipt",
        {
            "key": base64.b64encode(file_key).decode(),
            "type": receipt.content_type,
            "size": len(receipt.data),
            "sha256": hashlib.sha256(receipt.data).hexdigest(),
        },
    )
    return name


# --- expenses -------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedExpense:
    expense: Expense
    repeated: bool = False


def _spend_approval(*, actor: User, user_private_key: bytes, case: Case, subject: str) -> Approval:
    """An approved spend of this subject that no expense uses yet, else the one waiting (or a new request)."""
    used = Expense.objects.filter(approval__isnull=False).values("approval_id")
    ready = (
        Approval.objects.filter(
            case=case,
            kind=ApprovalKind.SPEND,
            subject=subject,
            cycle=case.cycle,
            status=ApprovalStatus.APPROVED,
        )
        .exclude(pk__in=used)
        .order_by("decided_at")
        .first()
    )
    if ready is not None:
        return ready
    approval = workflow.request_approval(
        actor=actor, user_private_key=user_private_key, case=case, kind=ApprovalKind.SPEND, subject=subject
    )
    # One approval answers for one expense: a second expense of the same amount would ride on it.
    if Expense.objects.filter(approval=approval).exists():
        raise MoneyRefused(
            _(
                "Another expense of %(subject)s on this case is waiting for approval. "
                "Record this one once that is decided."
            )
            % {"subject": subject}
        )
    return approval


def record_expense(
    *,
    actor: User,
    user_private_key: bytes,
    case: Case,
    budget_line: BudgetLine,
    category: str,
    amount: Decimal | str,
    currency: str,
    spent_on: date,
    description: str,
    payee: str = "",
    receipt: PreparedReceipt | None = None,
    submission: str = "",
) -> RecordedExpense:
    """Record money spent on a case; above the threshold it waits for a coordinator's approval.

    The same form sent twice records one expense. The receipt's ciphertext is stored before
    the expense's row commits: when the row is not written (a refusal, a double tap, an
    error) the file is deleted at once; a process killed in between leaves it to
    corridor.evacuation.money.orphans.
    """
    if not (actor.has_role(Role.CASEWORKER) or actor.has_role(Role.COORDINATOR)):
        raise MoneyRefused(_("Your role does not record expenses."))
    stored: list[str] = []
    try:
        done = _once(
            submission,
            lambda: _record_expense(
                actor=actor,
                user_private_key=user_private_key,
                case=case,
                budget_line=budget_line,
                category=category,
                amount=amount,
                currency=currency,
                spent_on=spent_on,
                description=description,
                payee=payee,
                receipt=receipt,
                stored=stored,
            ),
            created=lambda expense: expense.pk,
        )
    except BaseException:
        _delete_files(stored)
        raise
    if done.result is not None:
        return RecordedExpense(expense=done.result)
    _delete_files(stored)  # a double tap: the other request's expense stands, with its own file
    earlier = Expense.objects.filter(pk=done.created_id).first() if done.created_id else None
    if earlier is None:
        raise MoneyRefused(once.REPEATED)
    return RecordedExpense(expense=earlier, repeated=True)


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _record_expense(
    *,
    actor: User,
    user_private_key: bytes,
    case: Case,
    budget_line: BudgetLine,
    category: str,
    amount: Decimal | str,
    currency: str,
    spent_on: date,
    description: str,
    payee: str,
    receipt: PreparedReceipt | None,
    stored: list[str],
) -> Expense:
    """Check and write the expense in the caller's transaction; the receipt file's name goes in `stored`."""
    if category not in Category.values:
        raise MoneyRefused(_("Choose a category from the list."))
    currency = _clean_currency(currency)
    value = clean_amount(amount, limit=MAX_EXPENSE)
    if not EARLIEST <= spent_on <= datetime.now(staff_zone()).date():
        raise MoneyRefused(_("Give the date the money was spent: not in the future."))
    description = _clean_line_text(description, limit=MAX_DETAIL)
    if not description:
        raise MoneyRefused(_("Say what the money was for."))
    payee = _clean_line_text(payee, limit=MAX_DETAIL)
    case = Case.objects.select_for_update(of=("self",)).select_related("key").get(pk=case.pk)
    if case.stage == Stage.CLOSED:
        raise MoneyRefused(_("The case is closed."))
    line = BudgetLine.objects.filter(pk=budget_line.pk).first()
    if line is None or line.closed_at is not None:
        raise MoneyRefused(_("Choose an open budget line."))
    approval = None
    if needs_approval(value, currency):
        approval = _spend_approval(
            actor=actor,
            user_private_key=user_private_key,
            case=case,
            subject=spend_subject(value, currency),
        )
    key = open_case_key(user=actor, user_private_key=user_private_key, case=case, purpose="expense")
    expense = Expense(
        id=uuid.uuid4(),
        case=case,
        budget_line=line,
        category=category,
        amount=value,
        currency=currency,
        month=spent_on.replace(day=1),
        approval=approval,
        recorded_by=actor,
        recorded_at=_now(),
    )
    version = case.key.version
    expense.details = sealing.seal_row(
        key,
        version,
        expense,
        "details",
        {"description": description, "payee": payee, "spent_on": spent_on.isoformat()},
    )
    if receipt is not None:
        stored.append(_store_receipt(expense, key, version, receipt))
    expense.save(force_insert=True)
    record_event(
        action="money.expense_recorded",
        actor_id=actor.pk,
        target_type="case",
        target_id=case.pk,
        data={
            "expense": str(expense.pk),
            "category": category,
            "amount": str(value),
            "currency": currency,
            "approval": str(approval.pk) if approval else "",
            "receipt": bool(stored),
        },
    )
    return expense
