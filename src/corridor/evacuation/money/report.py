"""The donor report: what was spent, on what, when, for how many people, with nobody identifiable.

Only counted expenses (under the threshold, or approved) are summed, from plain columns:
nothing is decrypted. No case code and no per-person row leaves this module. A figure
that fewer than `CORRIDOR_MONEY_MIN_PEOPLE` people stand behind is suppressed, and when
exactly one figure of a currency's table is suppressed while the currency's total is
shown, the next smallest is suppressed too, so the total cannot give the hidden one away.

Time from intake to departure comes from the cases' stage changes, read here read-only
(`departure_durations`; it belongs in corridor.cases once that app offers such a query).
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Min, QuerySet, Sum

from corridor.cases.models import Stage, StageChange
from corridor.evacuation.money.models import BudgetLine, Category, Expense
from corridor.evacuation.money.reading import counted
from corridor.evacuation.money.services import CENT


@dataclass
class Cell:
    """One figure of a table: a category or a month, in one currency."""

    key: str
    currency: str
    people: int
    amount: Decimal
    month: date | None = None
    suppressed: bool = False

    @property
    def label(self) -> str:
        return str(Category(self.key).label) if self.key in Category.values else self.key


@dataclass
class CurrencyTotal:
    currency: str
    people: int
    amount: Decimal
    suppressed: bool = False

    @property
    def average(self) -> Decimal:
        return (self.amount / self.people).quantize(Decimal("0.01")) if self.people else Decimal(0)


@dataclass
class DonorReport:
    start: date | None
    end: date | None
    line: BudgetLine | None
    min_people: int
    totals: list[CurrencyTotal] = field(default_factory=list)
    by_category: list[Cell] = field(default_factory=list)
    by_month: list[Cell] = field(default_factory=list)
    people: int = 0
    people_suppressed: bool = False
    departed: int = 0
    average_days_to_departure: float | None = None
    departures_suppressed: bool = False


def _scope(start: date | None, end: date | None, line: BudgetLine | None) -> QuerySet[Expense]:
    expenses = Expense.objects.filter(counted())
    if start is not None:
        expenses = expenses.filter(month__gte=start.replace(day=1))
    if end is not None:
        expenses = expenses.filter(month__lte=end.replace(day=1))
    if line is not None:
        expenses = expenses.filter(budget_line=line)
    return expenses


def _money(value: Decimal | None) -> Decimal:
    # SQLite sums decimals without their scale; PostgreSQL keeps it: the same text on both.
    return Decimal(value or 0).quantize(CENT)


def _cells(expenses: QuerySet[Expense], column: str) -> list[Cell]:
    rows = (
        expenses.values("currency", column)
        .annotate(amount=Sum("amount"), people=Count("case_id", distinct=True))
        .order_by("currency", column)
    )
    cells = []
    for found in rows:
        value = found[column]
        month = value if isinstance(value, date) else None
        key = value.strftime("%Y-%m") if month else str(value)
        cells.append(
            Cell(
                key=key,
                currency=found["currency"],
                people=found["people"],
                amount=_money(found["amount"]),
                month=month,
            )
        )
    return cells


def suppress(cells: list[Cell], totals: dict[str, CurrencyTotal], minimum: int) -> None:
    """Small cells hidden; a lone hidden cell in a currency whose total shows takes another with it."""
    for cell in cells:
        cell.suppressed = cell.people < minimum
    for currency, total in totals.items():
        group = [cell for cell in cells if cell.currency == currency]
        hidden = [cell for cell in group if cell.suppressed]
        shown = [cell for cell in group if not cell.suppressed]
        if len(hidden) == 1 and shown and not total.suppressed:
            min(shown, key=lambda c: (c.people, c.amount)).suppressed = True


def departure_durations(case_ids: Iterable[uuid.UUID | str] | QuerySet[Any]) -> list[timedelta]:
    """Per person who departed: the time from the case's opening (intake) to its first move to departed."""
    rows = (
        StageChange.objects.filter(to_stage=Stage.DEPARTED, case_id__in=case_ids)
        .values("case_id")
        .annotate(departed=Min("at"), opened=Min("case__created_at"))
        .order_by()
    )
    return [row["departed"] - row["opened"] for row in rows]


def donor_report(
    *, start: date | None = None, end: date | None = None, line: BudgetLine | None = None
) -> DonorReport:
    minimum = settings.CORRIDOR_MONEY_MIN_PEOPLE
    expenses = _scope(start, end, line)
    report = DonorReport(start=start, end=end, line=line, min_people=minimum)
    totals = {
        row["currency"]: CurrencyTotal(
            currency=row["currency"],
            people=row["people"],
            amount=_money(row["amount"]),
            suppressed=row["people"] < minimum,
        )
        for row in expenses.values("currency")
        .annotate(amount=Sum("amount"), people=Count("case_id", distinct=True))
        .order_by("currency")
    }
    report.totals = list(totals.values())
    report.by_category = _cells(expenses, "category")
    report.by_month = _cells(expenses, "month")
    suppress(report.by_category, totals, minimum)
    suppress(report.by_month, totals, minimum)
    people = expenses.values("case_id").distinct().order_by()
    report.people = people.count()
    report.people_suppressed = report.people < minimum
    durations = departure_durations(people)
    report.departed = len(durations)
    report.departures_suppressed = report.departed < minimum
    if durations and not report.departures_suppressed:
        seconds = sum(d.total_seconds() for d in durations) / len(durations)
        report.average_days_to_departure = round(seconds / 86400, 1)
    return report


def _safe(text: str) -> str:
    """A spreadsheet would run a cell starting with these as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def report_csv(report: DonorReport) -> str:
    """The same figures as the page; a suppressed figure is written as "suppressed", never as a number."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "key", "currency", "people", "amount"])
    writer.writerow(["scope", "from", "", "", report.start.strftime("%Y-%m") if report.start else ""])
    writer.writerow(["scope", "to", "", "", report.end.strftime("%Y-%m") if report.end else ""])
    writer.writerow(["scope", "budget_line", "", "", _safe(report.line.name) if report.line else ""])
    writer.writerow(["scope", "min_people", "", report.min_people, ""])
    hidden = ["", "suppressed"]
    people = hidden if report.people_suppressed else [report.people, ""]
    writer.writerow(["people", "helped", "", *people])
    for total in report.totals:
        if total.suppressed:
            writer.writerow(["total", "all", total.currency, *hidden])
            writer.writerow(["average_per_person", "all", total.currency, *hidden])
        else:
            writer.writerow(["total", "all", total.currency, total.people, total.amount])
            writer.writerow(["average_per_person", "all", total.currency, total.people, total.average])
    for section, cells in (("category", report.by_category), ("month", report.by_month)):
        for cell in cells:
            figures = hidden if cell.suppressed else [cell.people, cell.amount]
            writer.writerow([section, cell.key, cell.currency, *figures])
    if report.departures_suppressed:
        writer.writerow(["days_intake_to_departure", "average", "", *hidden])
    else:
        writer.writerow(
            [
                "days_intake_to_departure",
                "average",
                "",
                report.departed,
                report.average_days_to_departure or "",
            ]
        )
    return out.getvalue()
