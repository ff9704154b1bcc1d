"""The donor report: totals by category, month and currency, people helped, averages, time to departure,
small cells hidden (with their complement), nothing that names a person; the page and its CSV."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.cases import workflow
from corridor.cases.models import ApprovalKind, Case, Stage
from corridor.evacuation.money import report
from corridor.evacuation.money.models import BudgetLine
from tests.evacuation.money.conftest import SignedIn, open_case, spend
from tests.hotline.helpers import private_key

pytestmark = pytest.mark.django_db


def _approve(kind: str, case: Case, asker: User, deciders: list[User]) -> None:
    approval = workflow.request_approval(
        actor=asker, user_private_key=private_key(asker), case=case, kind=kind
    )
    for person in deciders:
        workflow.decide_approval(
            actor=person, user_private_key=private_key(person), approval=approval, decision="approve"
        )


def _depart(case: Case, alice: User, bob: User, carol: User) -> None:
    """Screening, then straight to relocating (already out), then departed: every gate approved."""
    from corridor.cases import grants

    key = private_key(alice)
    for colleague in (bob, carol):
        grants.grant_case_access(actor=alice, user_private_key=key, case=case, grantee=colleague)
    workflow.move_case(actor=alice, user_private_key=key, case=case, to_stage=Stage.SCREENING)
    _approve(ApprovalKind.ELIGIBILITY, case, alice, [bob, carol])
    workflow.move_case(actor=alice, user_private_key=key, case=case, to_stage=Stage.RELOCATING)
    _approve(ApprovalKind.GO_NO_GO, case, alice, [bob, carol])
    _approve(ApprovalKind.DEPARTURE, case, alice, [carol])
    workflow.move_case(actor=alice, user_private_key=key, case=case, to_stage=Stage.DEPARTED)


@pytest.fixture
def books(olga: User, alice: User, bob: User, carol: User, line: BudgetLine) -> list[Case]:
    """Four people: all had transport (Nov), one also food (Dec); three departed 10, 20 and 30 days in."""
    cases = []
    for i in range(4):
        with time_machine.travel("2026-10-01 10:00:00+00:00", tick=False):
            case = open_case(olga, alice)
        with time_machine.travel("2026-12-20 10:00:00+00:00", tick=False):
            spend(alice, case, line, str(100 + i), spent_on=date(2026, 11, 5))
            if i == 0:
                spend(alice, case, line, "7", category="food", spent_on=date(2026, 12, 1))
            spend(alice, case, line, "5000", currency="RUB", spent_on=date(2026, 11, 6))
        if i < 3:
            with time_machine.travel(f"2026-10-{11 + 10 * i:02d} 10:00:00+00:00", tick=False):
                _depart(case, alice, bob, carol)
        cases.append(case)
    # Waiting for approval: not in the report.
    with time_machine.travel("2026-12-20 10:00:00+00:00", tick=False):
        spend(alice, cases[1], line, "999")
    return cases


def test_the_report_sums_what_was_spent_and_hides_small_cells(books: list[Case]) -> None:
    built = report.donor_report()
    assert built.people == 4
    assert not built.people_suppressed
    totals = {t.currency: t for t in built.totals}
    assert totals["EUR"].amount == Decimal("413.00")  # 100+101+102+103 + 7; the 999 waits
    assert totals["EUR"].people == 4
    assert totals["EUR"].average == Decimal("103.25")
    assert totals["RUB"].amount == Decimal("20000.00")
    by_category = {(c.key, c.currency): c for c in built.by_category}
    # Food stands for one person: hidden, and transport with it (else EUR total − transport = food).
    assert by_category[("food", "EUR")].suppressed
    assert by_category[("transport", "EUR")].suppressed
    assert not by_category[("transport", "RUB")].suppressed
    assert by_category[("transport", "RUB")].amount == Decimal("20000.00")
    by_month = {(c.key, c.currency): c for c in built.by_month}
    assert by_month[("2026-12", "EUR")].suppressed
    assert by_month[("2026-11", "EUR")].suppressed
    assert by_month[("2026-11", "RUB")].people == 4
    assert built.departed == 3
    assert built.average_days_to_departure == 20.0


def test_a_period_and_a_line_narrow_the_report(books: list[Case], carol: User) -> None:
    built = report.donor_report(start=date(2026, 12, 1), end=date(2026, 12, 31))
    assert built.people == 1
    assert built.people_suppressed
    assert all(total.suppressed for total in built.totals)
    assert built.departures_suppressed
    assert built.average_days_to_departure is None
    from corridor.evacuation.money import services

    other = services.open_budget_line(
        actor=carol, name="Other", kind="donor", currency="EUR", amount="1"
    ).line
    assert report.donor_report(line=other).people == 0


def test_the_csv_never_writes_a_hidden_figure_nor_a_case(books: list[Case]) -> None:
    text = report.report_csv(report.donor_report())
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["section", "key", "currency", "people", "amount"]
    assert ["category", "food", "EUR", "", "suppressed"] in rows
    assert ["category", "transport", "RUB", "4", "20000.00"] in rows
    assert ["days_intake_to_departure", "average", "", "3", "20.0"] in rows
    for case in books:
        assert case.code not in text
        assert str(case.pk) not in text
    assert "7.00" not in text


def test_a_formula_in_a_line_name_is_neutralised(carol: User) -> None:
    from corridor.evacuation.money import services

    line = services.open_budget_line(
        actor=carol, name="=HYPERLINK(1)", kind="donor", currency="EUR", amount="1"
    ).line
    assert "'=HYPERLINK(1)" in report.report_csv(report.donor_report(line=line))


# --- the pages ------------------------------------------------------------------------


def test_the_report_page_and_csv_for_a_coordinator(
    signed_in: SignedIn, carol: User, books: list[Case]
) -> None:
    client = signed_in(carol)
    page = client.get(reverse("money:report"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "20000.00" in body
    assert "hidden" in body
    for case in books:
        assert case.code not in body
    assert AuditEvent.objects.filter(action="money.report_viewed").exists()
    line = BudgetLine.objects.get()
    query = {"start": "2026-11", "end": "2026-12", "line": str(line.pk)}
    exported = client.get(reverse("money:report_csv"), query)
    assert exported.status_code == 200
    assert exported["Content-Type"].startswith("text/csv")
    assert "attachment" in exported["Content-Disposition"]
    assert b"transport,RUB,4,20000.00" in exported.content
    event = AuditEvent.objects.get(action="money.report_exported")
    assert event.data["from"] == "2026-11-01"


@pytest.mark.parametrize(
    "query",
    [{"start": "2026-13"}, {"start": "November"}, {"start": "2026-12", "end": "2026-11"}, {"line": "nope"}],
)
def test_a_bad_filter_is_400(signed_in: SignedIn, carol: User, query: dict[str, str]) -> None:
    client = signed_in(carol)
    response = client.get(reverse("money:report"), query)
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert client.get(reverse("money:report_csv"), query).status_code == 400
    assert not AuditEvent.objects.filter(action__startswith="money.report").exists()


@pytest.mark.parametrize("persona", ["alice", "olga", "dave", "judy"])
def test_the_report_is_for_coordinators(
    signed_in: SignedIn, persona: str, request: pytest.FixtureRequest
) -> None:
    client = signed_in(request.getfixturevalue(persona))
    assert client.get(reverse("money:report")).status_code == 403
    assert client.get(reverse("money:report_csv")).status_code == 403


def test_the_report_refuses_post(signed_in: SignedIn, carol: User) -> None:
    client = signed_in(carol)
    assert client.post(reverse("money:report")).status_code == 405
    assert client.post(reverse("money:report_csv")).status_code == 405


def test_suppression_hides_a_second_cell_only_when_one_is_alone() -> None:
    totals = {"EUR": report.CurrencyTotal(currency="EUR", people=9, amount=Decimal(90))}
    cells = [
        report.Cell(key="food", currency="EUR", people=1, amount=Decimal(1)),
        report.Cell(key="housing", currency="EUR", people=2, amount=Decimal(2)),
        report.Cell(key="transport", currency="EUR", people=6, amount=Decimal(87)),
    ]
    report.suppress(cells, totals, 3)
    assert [c.suppressed for c in cells] == [True, True, False]  # two hidden already: no complement
    cells = [
        report.Cell(key="food", currency="EUR", people=1, amount=Decimal(1)),
        report.Cell(key="housing", currency="EUR", people=4, amount=Decimal(40)),
        report.Cell(key="transport", currency="EUR", people=5, amount=Decimal(49)),
    ]
    report.suppress(cells, totals, 3)
    assert [c.suppressed for c in cells] == [True, True, False]  # the smallest other one goes too
