"""Budget lines and expenses.

Plain columns are what the books and the donor report need: amounts, currencies,
category codes, the month, the budget line and the approval an expense waits for. What
the money was for, who was paid and the receipt are envelopes under the case key.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LineKind(models.TextChoices):
    DONOR = "donor", _("Donor grant")
    PROGRAMME = "programme", _("Programme")


class BudgetLine(models.Model):
    """Money set aside by a donor or for a programme, under a code name that says nothing to an outsider."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # A code name staff choose ("Fund A 2026"): a donor's real name stays outside Corridor.
    name = models.CharField(max_length=60, unique=True)
    kind = models.CharField(max_length=16, choices=LineKind.choices)
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField()
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="money_line_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class Category(models.TextChoices):
    TRANSPORT = "transport", _("Transport")
    HOUSING = "housing", _("Housing")
    FOOD = "food", _("Food")
    MEDICAL = "medical", _("Medical")
    DOCUMENTS = "documents", _("Documents")
    VISAS_TICKETS = "visas_tickets", _("Visas and tickets")
    COMMUNICATION = "communication", _("Communication")


class Expense(models.Model):
    """Money spent on one person's case. Above its currency's threshold it waits for a
    coordinator's approval (`approval`, a spend approval of the case) and counts only once
    that is approved."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="expenses")
    budget_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="expenses")
    category = models.CharField(max_length=16, choices=Category.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    # The first day of the month the money was spent: the exact date (a travel date, often)
    # is in the envelope.
    month = models.DateField()
    # Approvals are append-only and go only with their case, as the expense does.
    approval = models.ForeignKey(
        "cases.Approval", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()
    # What it was for, who was paid, the exact date: one envelope under the case key.
    details = models.BinaryField()
    # The receipt file's key, type and size (an envelope under the case key); the file is
    # secretstream ciphertext under that key in `receipt_blob`.
    receipt = models.BinaryField(default=b"")
    receipt_blob = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="money_expense_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["case", "recorded_at"], name="money_expense_by_case"),
            models.Index(fields=["month", "currency", "category"], name="money_expense_report"),
            models.Index(fields=["budget_line", "currency"], name="money_expense_by_line"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
