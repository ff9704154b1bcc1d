"""The donor report: what was spent, on what, when, for how many people, with nobody identifiable.

Only counted expenses (under the threshold, or approved) are summed, from plain columns
read in one pass: nothing is decrypted. No case code and no per-person row leaves this module. A figure
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
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import BigIntegerField, CharField, F, QuerySet
from django.db.models.functions import Cast, Round

from corridor.cases.models import Approval, ApprovalKind, ApprovalStatus, Stage, StageChange
from corridor.evacuation.money.models import BudgetLine, Category, Expense
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


# A row as the database gives it: case id, currency, category, month, amount in cents, approval id.
Row = tuple[Any, str, str, Any, int, Any]


def _raw(queryset: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of a query as the driver gives them. A hundred thousand expenses are read in one
    pass: five grouped queries (distinct people per cell) took seconds, and so did letting the ORM
    turn every id into a UUID and every amount into a Decimal."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _expense_rows(start: date | None, end: date | None, line: BudgetLine | None) -> list[Row]:
    expenses = Expense.objects.all()
    if start is not None:
        expenses = expenses.filter(month__gte=start.replace(day=1))
    if end is not None:
        expenses = expenses.filter(month__lte=end.replace(day=1))
    if line is not None:
        expenses = expenses.filter(budget_line=line)
    # Whole cents as integers: sums are exact whatever the database does with decimals.
    # The month as text: the driver's own date conversion cost more than the rest of the pass.
    # Ids as text too: PostgreSQL's driver would build a UUID object for each.
    columns = expenses.annotate(
        cents=Cast(Round(F("amount") * 100), BigIntegerField()),
        month_text=Cast("month", CharField()),
        case_text=Cast("case_id", CharField()),
        approval_text=Cast("approval_id", CharField()),
    )
    fields = ("case_text", "currency", "category", "month_text", "cents", "approval_text")
    return _raw(columns.values_list(*fields).order_by())


def _approved_spends() -> set[Any]:
    """Ids of approved spend approvals, as the driver gives them (so they compare with the rows')."""
    approved = Approval.objects.filter(kind=ApprovalKind.SPEND, status=ApprovalStatus.APPROVED)
    as_text = approved.annotate(id_text=Cast("id", CharField())).values_list("id_text")
    return {row[0] for row in _raw(as_text.order_by())}


def _key(case_id: Any) -> str:
    return case_id.hex if isinstance(case_id, uuid.UUID) else str(case_id).replace("-", "")


def _month(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _sorted(cells: dict[tuple[str, Any], list[Any]]) -> list[tuple[str, Any, int, int]]:
    """(currency, key, people, cents) per cell, in order."""
    return [(currency, key, len(found[1]), found[0]) for (currency, key), found in sorted(cells.items())]


def _money(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


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


def _moment(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def departure_durations(case_ids: set[str]) -> list[timedelta]:
    """Per person (case ids as hex) who departed: the time from the case's opening (intake) to its
    first move to departed."""
    changes = StageChange.objects.filter(to_stage=Stage.DEPARTED).annotate(
        at_text=Cast("at", CharField()), opened_text=Cast("case__created_at", CharField())
    )
    first: dict[str, timedelta] = {}
    for case_id, at, opened in _raw(changes.values_list("case_id", "at_text", "opened_text").order_by()):
        key = _key(case_id)
        if key in case_ids:
            took = _moment(at) - _moment(opened)
            if key not in first or took < first[key]:
                first[key] = took
    return list(first.values())


def donor_report(
    *, start: date | None = None, end: date | None = None, line: BudgetLine | None = None
) -> DonorReport:
    minimum = settings.CORRIDOR_MONEY_MIN_PEOPLE
    report = DonorReport(start=start, end=end, line=line, min_people=minimum)
    approved = _approved_spends()
    # One pass over the rows into the finest cells (currency, category, month): [cents, people].
    # The coarser tables are merged from them (sums add up; sets of people are joined in C).
    fine: dict[tuple[str, str, Any], list[Any]] = {}
    for case_id, currency, category, month, cents, approval_id in _expense_rows(start, end, line):
        if approval_id is not None and approval_id not in approved:
            continue  # waiting, rejected or withdrawn: not spent
        found = fine.get((currency, category, month))
        if found is None:
            found = fine[(currency, category, month)] = [0, set()]
        found[0] += cents
        found[1].add(case_id)
    totals: dict[tuple[str, Any], list[Any]] = {}
    by_category: dict[tuple[str, Any], list[Any]] = {}
    by_month: dict[tuple[str, Any], list[Any]] = {}
    for (currency, category, month), (cents, people) in fine.items():
        for cells, key in ((totals, ""), (by_category, category), (by_month, month)):
            merged = cells.setdefault((currency, key), [0, set()])
            merged[0] += cents
            merged[1] |= people
    totals_by_currency = {
        currency: CurrencyTotal(
            currency=currency, people=people, amount=_money(cents), suppressed=people < minimum
        )
        for currency, _empty, people, cents in _sorted(totals)
    }
    report.totals = list(totals_by_currency.values())
    report.by_category = [
        Cell(key=category, currency=currency, people=people, amount=_money(cents))
        for currency, category, people, cents in _sorted(by_category)
    ]
    report.by_month = [
        Cell(
            key=_month(month).strftime("%Y-%m"),
            currency=currency,
            people=people,
            amount=_money(cents),
            month=_month(month),
        )
        for currency, month, people, cents in _sorted(by_month)
    ]
    suppress(report.by_category, totals_by_currency, minimum)
    suppress(report.by_month, totals_by_currency, minimum)
    people = {_key(case_id) for _cents, cases in totals.values() for case_id in cases}
    report.people = len(people)
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
