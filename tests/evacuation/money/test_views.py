"""Money pages: works / other case → 404 / wrong role → 403 / GET on a write → 405 / audit written /
bad input → 400 and nothing stored."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from corridor.accounts.models import Role, User
from corridor.audit.models import AuditEvent
from corridor.cases.models import Case
from corridor.evacuation.money import services as money
from corridor.evacuation.money.models import BudgetLine, Expense
from corridor.hotline import receipts
from tests.conftest import make_user
from tests.evacuation.money.conftest import spend
from tests.hotline.helpers import encrypted_upload, jpeg_with_gps

pytestmark = pytest.mark.django_db
SignedIn = Callable[[User], Client]
NOW = "2026-11-25 12:00:00+00:00"


def add_url(case: Case) -> str:
    return reverse("money:expense_add", kwargs={"case_id": case.pk})


def case_url(case: Case) -> str:
    return reverse("cases:case", kwargs={"case_id": case.pk})


def form(line: BudgetLine, **changes: object) -> dict[str, object]:
    return {
        "budget_line": str(line.pk),
        "category": "housing",
        "amount": "1 250,50",
        "currency": "RUB",
        "spent_on": "2026-11-21",
        "description": "Two nights in a hostel",
        "payee": "Hostel on the ring road",
        "submission": receipts.new_token(),
        **changes,
    }


@pytest.fixture
def cora(org: dict[str, object]) -> User:
    """A coordinator who holds no grant of the case."""
    return make_user(org, "cora", {Role.COORDINATOR})


# --- the case page's section and adding an expense ------------------------------------


@time_machine.travel(NOW, tick=False)
def test_adding_an_expense_from_the_case_page(
    signed_in: SignedIn, alice: User, case: Case, line: BudgetLine
) -> None:
    client = signed_in(alice)
    page = client.get(case_url(case))
    assert page.status_code == 200
    assert f'action="{add_url(case)}"' in page.content.decode()
    photo = SimpleUploadedFile("receipt.jpg", jpeg_with_gps(), content_type="image/jpeg")
    response = client.post(add_url(case), {**form(line), "receipt": photo})
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == case_url(case)
    expense = Expense.objects.get()
    assert str(expense.amount) == "1250.50"
    assert expense.currency == "RUB"
    assert expense.receipt_blob
    assert AuditEvent.objects.filter(action="money.expense_recorded", target_id=str(case.pk)).exists()
    body = client.get(case_url(case)).content.decode()
    assert "Two nights in a hostel" in body
    assert "Hostel on the ring road" in body
    assert "1250.50 RUB" in body
    assert "2026-11-21" in body  # the exact date, from the envelope

    AuditEvent.objects.filter(action="cases.case_decrypted").delete()
    download = client.get(reverse("money:receipt", kwargs={"expense_id": expense.pk}))
    assert download.status_code == 200
    assert download["Content-Type"] == "image/jpeg"
    assert f"receipt-{expense.pk}.jpg" in download["Content-Disposition"]
    assert "sandbox" in download["Content-Security-Policy"]
    data = download.content
    assert b"SpyCam" not in data
    assert not Image.open(io.BytesIO(data)).getexif()
    assert AuditEvent.objects.filter(action="cases.case_decrypted", data__purpose="receipt").exists()


@time_machine.travel(NOW, tick=False)
def test_over_the_threshold_the_page_says_it_waits(
    signed_in: SignedIn, alice: User, case: Case, line: BudgetLine
) -> None:
    client = signed_in(alice)
    response = client.post(add_url(case), form(line, amount="45000", currency="RUB"), follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "it counts once a coordinator approves it" in body
    assert "Waiting for a coordinator" in body
    assert "45000 RUB" in body  # the approval's subject


@time_machine.travel(NOW, tick=False)
def test_the_same_form_twice_records_one_expense(
    signed_in: SignedIn, alice: User, case: Case, line: BudgetLine
) -> None:
    client = signed_in(alice)
    sent = form(line)
    assert client.post(add_url(case), sent).status_code == 302
    again = client.post(add_url(case), sent, follow=True)
    assert "already recorded" in again.content.decode()
    assert Expense.objects.count() == 1


def test_adding_to_another_case_is_404(
    signed_in: SignedIn, alice: User, other_case: Case, line: BudgetLine
) -> None:
    assert signed_in(alice).post(add_url(other_case), form(line)).status_code == 404
    assert not Expense.objects.exists()


@pytest.mark.parametrize("persona", ["olga", "dave", "judy"])
def test_adding_refuses_roles_without_money(
    signed_in: SignedIn, case: Case, line: BudgetLine, persona: str, request: pytest.FixtureRequest
) -> None:
    assert signed_in(request.getfixturevalue(persona)).post(add_url(case), form(line)).status_code == 403
    assert not Expense.objects.exists()


def test_adding_refuses_get(signed_in: SignedIn, alice: User, case: Case, line: BudgetLine) -> None:
    assert signed_in(alice).get(add_url(case)).status_code == 405


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    "changes",
    [
        {"amount": ""},
        {"amount": "abc"},
        {"amount": "0"},
        {"amount": "12.345"},
        {"amount": "99999999999"},
        {"currency": "XXX"},
        {"category": "bribes"},
        {"budget_line": "00000000-0000-0000-0000-000000000000"},
        {"spent_on": "2026-13-01"},
        {"spent_on": "2027-01-01"},
        {"description": ""},
        {"description": "a\x00b"},
        {"description": "x" * 3000},
        {"submission": "not-a-token"},
        {"receipt": SimpleUploadedFile("evil.html", b"<script>alert(1)</script>", content_type="text/html")},
        {"receipt": SimpleUploadedFile("../../etc/passwd.png", b"\x89PNG\r\n\x1a\nbroken")},
    ],
)
def test_bad_input_is_refused_and_nothing_stored(
    signed_in: SignedIn, alice: User, case: Case, line: BudgetLine, changes: dict[str, object]
) -> None:
    response = signed_in(alice).post(add_url(case), form(line, **changes))
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not Expense.objects.exists()
    assert not AuditEvent.objects.filter(action="money.expense_recorded").exists()


@time_machine.travel(NOW, tick=False)
def test_a_receipt_over_the_size_limit_is_413(
    signed_in: SignedIn, alice: User, case: Case, line: BudgetLine, settings: object
) -> None:
    settings.CORRIDOR_UPLOAD_MAX_FILE_BYTES = 1000  # type: ignore[attr-defined]
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * 5000)
    response = signed_in(alice).post(add_url(case), {**form(line), "receipt": big})
    assert response.status_code == 413
    assert not Expense.objects.exists()


def test_a_body_cut_short_is_400(signed_in: SignedIn, alice: User, case: Case, line: BudgetLine) -> None:
    fields = "".join(
        f'--XYZ\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in form(line).items()
    )
    body = (
        fields
        + '--XYZ\r\nContent-Disposition: form-data; name="receipt"; filename="r.pdf"\r\n\r\n%PDF-1.4 cut'
    )
    response = signed_in(alice).generic(
        "POST", add_url(case), body.encode(), content_type="multipart/form-data; boundary=XYZ"
    )
    assert response.status_code == 400
    assert not Expense.objects.exists()


def test_a_closed_line_or_case_refuses_the_expense(
    signed_in: SignedIn, alice: User, carol: User, case: Case, line: BudgetLine
) -> None:
    money.close_budget_line(actor=carol, line=line)
    response = signed_in(alice).post(add_url(case), form(line))
    assert response.status_code == 400
    assert not Expense.objects.exists()


def test_operators_see_no_money_on_the_case_page(signed_in: SignedIn, olga: User, case: Case) -> None:
    page = signed_in(olga).get(case_url(case))
    assert page.status_code == 200
    assert add_url(case) not in page.content.decode()


# --- receipts -------------------------------------------------------------------------


@pytest.fixture
def with_receipt(alice: User, case: Case, line: BudgetLine) -> Expense:
    receipt = money.prepare_receipt(encrypted_upload(b"%PDF-1.4\n1 0 obj\n%%EOF\n", name="r.pdf"))
    with time_machine.travel(NOW, tick=False):
        return spend(alice, case, line, receipt=receipt)


def receipt_url(expense: Expense) -> str:
    return reverse("money:receipt", kwargs={"expense_id": expense.pk})


def test_a_granted_coordinator_downloads_the_receipt(
    signed_in: SignedIn, carol: User, with_receipt: Expense
) -> None:
    response = signed_in(carol).get(receipt_url(with_receipt))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-1.4")


@pytest.mark.parametrize("persona", ["bob", "cora"])
def test_a_receipt_of_a_case_not_held_is_404(
    signed_in: SignedIn, with_receipt: Expense, persona: str, request: pytest.FixtureRequest
) -> None:
    assert signed_in(request.getfixturevalue(persona)).get(receipt_url(with_receipt)).status_code == 404


@pytest.mark.parametrize("persona", ["olga", "dave", "judy"])
def test_a_receipt_refuses_roles_without_money(
    signed_in: SignedIn, with_receipt: Expense, persona: str, request: pytest.FixtureRequest
) -> None:
    assert signed_in(request.getfixturevalue(persona)).get(receipt_url(with_receipt)).status_code == 403


def test_a_receipt_refuses_post_and_a_missing_one_is_404(
    signed_in: SignedIn, alice: User, case: Case, line: BudgetLine, with_receipt: Expense
) -> None:
    client = signed_in(alice)
    assert client.post(receipt_url(with_receipt)).status_code == 405
    with time_machine.travel(NOW, tick=False):
        plain = spend(alice, case, line)
    assert client.get(receipt_url(plain)).status_code == 404


def test_a_tampered_receipt_is_404(signed_in: SignedIn, alice: User, with_receipt: Expense) -> None:
    Expense.objects.filter(pk=with_receipt.pk).update(receipt_blob="money/other.receipt")
    assert signed_in(alice).get(receipt_url(with_receipt)).status_code == 404


# --- the expenses list ----------------------------------------------------------------


@pytest.fixture
def two_expenses(alice: User, bob: User, case: Case, other_case: Case, line: BudgetLine) -> None:
    with time_machine.travel(NOW, tick=False):
        spend(alice, case, line, "11")
        spend(bob, other_case, line, "22")


def test_caseworkers_list_the_expenses_of_their_cases(
    signed_in: SignedIn, alice: User, case: Case, other_case: Case, two_expenses: None
) -> None:
    body = signed_in(alice).get(reverse("money:expenses")).content.decode()
    assert "11.00 EUR" in body
    assert case.code in body
    assert "22.00 EUR" not in body
    assert other_case.code not in body
    assert "Bus ticket" not in body  # details stay on the case page


def test_coordinators_list_every_expense(
    signed_in: SignedIn, cora: User, other_case: Case, two_expenses: None
) -> None:
    response = signed_in(cora).get(reverse("money:expenses"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "11.00 EUR" in body
    assert "22.00 EUR" in body
    assert reverse("cases:case", kwargs={"case_id": other_case.pk}) not in body  # not hers to open


@pytest.mark.parametrize("persona", ["olga", "dave", "judy"])
def test_the_list_refuses_roles_without_money(
    signed_in: SignedIn, persona: str, request: pytest.FixtureRequest
) -> None:
    assert signed_in(request.getfixturevalue(persona)).get(reverse("money:expenses")).status_code == 403


def test_the_list_refuses_post(signed_in: SignedIn, alice: User) -> None:
    assert signed_in(alice).post(reverse("money:expenses")).status_code == 405


# --- budget lines ---------------------------------------------------------------------


def test_a_coordinator_opens_and_closes_a_line(signed_in: SignedIn, carol: User) -> None:
    client = signed_in(carol)
    assert client.get(reverse("money:lines")).status_code == 200
    fields = {
        "name": "Emergency fund",
        "kind": "programme",
        "currency": "EUR",
        "amount": "5000",
        "submission": receipts.new_token(),
    }
    response = client.post(reverse("money:line_add"), fields)
    assert response.status_code == 302
    line = BudgetLine.objects.get()
    assert client.post(reverse("money:line_add"), fields).status_code == 302  # twice: one line
    assert BudgetLine.objects.count() == 1
    assert AuditEvent.objects.filter(action="money.budget_line_opened", target_id=str(line.pk)).exists()
    assert "Emergency fund" in client.get(reverse("money:lines")).content.decode()
    assert client.post(reverse("money:line_close", kwargs={"line_id": line.pk})).status_code == 302
    line.refresh_from_db()
    assert line.closed_at is not None
    assert AuditEvent.objects.filter(action="money.budget_line_closed", target_id=str(line.pk)).exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"name": ""},
        {"name": "x" * 61},
        {"kind": "x"},
        {"currency": "BTC"},
        {"amount": "-1"},
        {"amount": "lots"},
    ],
)
def test_a_bad_line_is_400_and_nothing_stored(
    signed_in: SignedIn, carol: User, changes: dict[str, str]
) -> None:
    fields = {"name": "Fund", "kind": "donor", "currency": "EUR", "amount": "10", **changes}
    response = signed_in(carol).post(reverse("money:line_add"), fields)
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not BudgetLine.objects.exists()


@pytest.mark.parametrize("persona", ["alice", "olga", "dave", "judy"])
def test_lines_are_for_coordinators(
    signed_in: SignedIn, line: BudgetLine, persona: str, request: pytest.FixtureRequest
) -> None:
    client = signed_in(request.getfixturevalue(persona))
    assert client.get(reverse("money:lines")).status_code == 403
    fields = {"name": "Fund", "kind": "donor", "currency": "EUR", "amount": "10"}
    assert client.post(reverse("money:line_add"), fields).status_code == 403
    assert client.post(reverse("money:line_close", kwargs={"line_id": line.pk})).status_code == 403
    assert BudgetLine.objects.count() == 1
    line.refresh_from_db()
    assert line.closed_at is None


def test_line_writes_refuse_get_and_unknown_lines_are_404(
    signed_in: SignedIn, carol: User, line: BudgetLine
) -> None:
    client = signed_in(carol)
    assert client.get(reverse("money:line_add")).status_code == 405
    assert client.get(reverse("money:line_close", kwargs={"line_id": line.pk})).status_code == 405
    missing = reverse("money:line_close", kwargs={"line_id": "00000000-0000-0000-0000-000000000000"})
    assert client.post(missing).status_code == 404
    assert client.post(reverse("money:lines")).status_code == 405


def test_the_lines_page_shows_spent_waiting_and_left(
    signed_in: SignedIn, alice: User, carol: User, case: Case, line: BudgetLine
) -> None:
    with time_machine.travel(NOW, tick=False):
        spend(alice, case, line, "100")
        spend(alice, case, line, "400")  # over the threshold: waiting
        spend(alice, case, line, "900", currency="RUB")
    body = signed_in(carol).get(reverse("money:lines")).content.decode()
    assert "100.00 EUR" in body  # spent
    assert "400.00 EUR" in body  # waiting
    assert "19900.00 EUR" in body  # left of 20000
    assert "900.00 RUB" in body  # another currency on the same line
