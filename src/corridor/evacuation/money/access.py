"""The only way a view gets money rows.

Who sees money: coordinators every expense (amounts, categories, budget lines: plain
columns); caseworkers the expenses of the cases they can read. What an expense says
(its details, its receipt) is under the case key, so only those who hold the case read
it, coordinators included. Budget lines and the donor report are the coordinators'.
Anything else is a 404, the same as a row that does not exist.
"""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.http import Http404

from corridor.accounts.models import Role, User
from corridor.cases import access as case_access
from corridor.evacuation.money.models import BudgetLine, Expense

MONEY_ROLES = (Role.CASEWORKER, Role.COORDINATOR)


def sees_money(user: User) -> bool:
    return any(user.has_role(role) for role in MONEY_ROLES)


def visible_expenses(user: User) -> QuerySet[Expense]:
    """Coordinators: all; caseworkers: those of the cases they can read; anyone else: none."""
    expenses = Expense.objects.select_related("budget_line", "approval", "case").defer("details", "receipt")
    if user.has_role(Role.COORDINATOR):
        return expenses
    if user.has_role(Role.CASEWORKER):
        return expenses.filter(case_id__in=case_access.readable_cases(user).values("pk"))
    return Expense.objects.none()


def get_expense_for_reading(user: User, expense_id: uuid.UUID) -> Expense:
    """An expense whose case this person can open (its receipt is under the case key)."""
    if not sees_money(user):
        raise Http404
    expense = Expense.objects.select_related("case__key", "approval").filter(pk=expense_id).first()
    if expense is None:
        raise Http404
    case_access.get_case_for_staff(user, expense.case_id)
    return expense


def get_budget_line(user: User, line_id: uuid.UUID) -> BudgetLine:
    line = BudgetLine.objects.filter(pk=line_id).first() if user.has_role(Role.COORDINATOR) else None
    if line is None:
        raise Http404
    return line


def open_lines() -> QuerySet[BudgetLine]:
    return BudgetLine.objects.filter(closed_at__isnull=True).order_by("name")
