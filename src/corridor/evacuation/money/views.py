"""Money pages: budget lines, the expenses list, adding an expense to a case, receipts, the donor report.

Writes are POSTs that parse a form, call one service and redirect; a refusal shows the
form again with the reason and status 400, and nothing is stored.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET, require_POST

from corridor.accounts import unlock
from corridor.accounts.decorators import role_required
from corridor.accounts.models import Role
from corridor.audit.services import record_event
from corridor.cases import access as case_access
from corridor.cases.services import CaseRefused, open_case_key
from corridor.cases.views_common import keys_handled, staff_user
from corridor.crypto.errors import CryptoError
from corridor.evacuation.money import access, reading, report, services
from corridor.evacuation.money.forms import BudgetLineForm, ExpenseForm, ReportForm
from corridor.evacuation.money.models import BudgetLine
from corridor.hotline import receipts
from corridor.hotline.uploads import UPLOAD_ERROR, EncryptedUpload, multipart_complete

PAGE_SIZE = 50
RECEIPT_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "application/pdf": "pdf"}
# A decrypted receipt is a document of its own: it may show itself and nothing else.
RECEIPT_CSP: dict[str, list[str] | str] = {
    "default-src": [CSP.NONE],
    "img-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.NONE],
    "sandbox": "",
}


# --- the case page's panel ------------------------------------------------------------


def expense_form(data: Any = None, files: Any = None) -> ExpenseForm:
    form = ExpenseForm(data, files, lines=list(access.open_lines()))
    form.auto_id = "id_expense_%s"
    if data is None:
        form.initial["submission"] = receipts.new_token()
    return form


def _upload_problem(request: HttpRequest) -> tuple[str, int] | None:
    code = getattr(request, UPLOAD_ERROR, "")
    if code:
        return _("The receipt is too large: send a smaller photo or PDF."), 413
    if not multipart_complete(request):
        return _("The form arrived incomplete. Send it again, please."), 400
    return None


@role_required(*access.MONEY_ROLES)
@require_POST
@keys_handled
def expense_add_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    case = case_access.get_case_for_staff(user, case_id)
    form = expense_form(request.POST, request.FILES)
    status = 400
    problem = _upload_problem(request)
    if problem:
        form.is_valid()
        form.add_error(None, problem[0])
        status = problem[1]
    elif form.is_valid():
        upload = form.cleaned_data.get("receipt")
        try:
            receipt = services.prepare_receipt(upload) if isinstance(upload, EncryptedUpload) else None
            recorded = services.record_expense(
                actor=user,
                user_private_key=unlock.user_private_key(request),
                case=case,
                budget_line=form.line(),
                category=form.cleaned_data["category"],
                amount=form.cleaned_data["amount"],
                currency=form.cleaned_data["currency"],
                spent_on=form.cleaned_data["spent_on"],
                description=form.cleaned_data["description"],
                payee=form.cleaned_data["payee"],
                receipt=receipt,
                submission=form.cleaned_data["submission"],
            )
        except CaseRefused as exc:
            form.add_error(None, str(exc))
        else:
            if recorded.repeated:
                messages.info(request, _("This expense was already recorded: the form was sent twice."))
            elif recorded.expense.approval_id is not None:
                messages.success(
                    request,
                    _("The expense is recorded: it counts once a coordinator approves it."),
                )
            else:
                messages.success(request, _("The expense is recorded."))
            return redirect("cases:case", case_id=case.pk)
    return render(request, "money/expense_add.html", {"case": case, "form": form}, status=status)


@role_required(*access.MONEY_ROLES)
@require_GET
@keys_handled
@csp_override(RECEIPT_CSP)
def receipt_view(request: HttpRequest, expense_id: uuid.UUID) -> HttpResponse:
    """The receipt as a download named by the expense's id; opening the case key is audited."""
    user = staff_user(request)
    expense = access.get_expense_for_reading(user, expense_id)
    if not expense.receipt_blob:
        raise Http404
    key = open_case_key(
        user=user, user_private_key=unlock.user_private_key(request), case=expense.case, purpose="receipt"
    )
    try:
        data, content_type = reading.receipt_file(key, expense)
    except (CryptoError, FileNotFoundError, KeyError, ValueError):
        raise Http404 from None
    extension = RECEIPT_TYPES.get(content_type)
    response = HttpResponse(data, content_type=content_type if extension else "application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="receipt-{expense.pk}.{extension or "bin"}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- the expenses list ----------------------------------------------------------------


@role_required(*access.MONEY_ROLES)
@require_GET
def expenses_view(request: HttpRequest) -> HttpResponse:
    """Coordinators: every expense; caseworkers: those of their cases. Plain columns only."""
    user = staff_user(request)
    expenses = access.visible_expenses(user).order_by("-recorded_at", "-pk")
    page = Paginator(expenses, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    readable = case_access.readable_ids(user, {expense.case_id for expense in shown})
    rows = [(reading.row(expense), str(expense.case_id) in readable) for expense in shown]
    context = {"rows": rows, "page": page, "is_coordinator": user.has_role(Role.COORDINATOR)}
    return render(request, "money/expenses.html", context)


# --- budget lines ---------------------------------------------------------------------


def _lines_page(
    request: HttpRequest, form: BudgetLineForm | None = None, *, status: int = 200
) -> HttpResponse:
    rows = reading.line_rows(list(BudgetLine.objects.order_by("closed_at", "name")))
    if form is None:
        form = BudgetLineForm(initial={"submission": receipts.new_token()})
    return render(request, "money/lines.html", {"rows": rows, "form": form}, status=status)


@role_required(Role.COORDINATOR)
@require_GET
def lines_view(request: HttpRequest) -> HttpResponse:
    return _lines_page(request)


@role_required(Role.COORDINATOR)
@require_POST
def line_add_view(request: HttpRequest) -> HttpResponse:
    form = BudgetLineForm(request.POST)
    if form.is_valid():
        try:
            new = services.open_budget_line(
                actor=staff_user(request),
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                currency=form.cleaned_data["currency"],
                amount=form.cleaned_data["amount"],
                submission=form.cleaned_data["submission"],
            )
        except CaseRefused as exc:
            form.add_error(None, str(exc))
        else:
            if new.repeated:
                messages.info(request, _("This budget line was already opened: the form was sent twice."))
            else:
                messages.success(request, _("The budget line is open."))
            return redirect("money:lines")
    return _lines_page(request, form, status=400)


@role_required(Role.COORDINATOR)
@require_POST
def line_close_view(request: HttpRequest, line_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    line = access.get_budget_line(user, line_id)
    try:
        services.close_budget_line(actor=user, line=line)
    except CaseRefused as exc:
        messages.info(request, str(exc))
    else:
        messages.success(request, _("The budget line is closed."))
    return redirect("money:lines")


# --- the donor report -----------------------------------------------------------------


def _report(request: HttpRequest) -> tuple[ReportForm, report.DonorReport | None]:
    form = ReportForm(request.GET or None, lines=list(BudgetLine.objects.order_by("name")))
    if not form.is_bound:
        return form, report.donor_report()
    if not form.is_valid():
        return form, None
    chosen = form.chosen_line()
    return form, report.donor_report(
        start=form.cleaned_data["start"], end=form.cleaned_data["end"], line=chosen
    )


def _report_context(form: ReportForm, built: report.DonorReport | None) -> dict[str, Any]:
    return {"form": form, "report": built, "min_people": settings.CORRIDOR_MONEY_MIN_PEOPLE}


def _audit_report(request: HttpRequest, action: str, built: report.DonorReport) -> None:
    record_event(
        action=action,
        actor_id=staff_user(request).pk,
        target_type="donor_report",
        data={
            "from": built.start.isoformat() if built.start else "",
            "to": built.end.isoformat() if built.end else "",
            "line": str(built.line.pk) if built.line else "",
        },
    )


@role_required(Role.COORDINATOR)
@require_GET
def report_view(request: HttpRequest) -> HttpResponse:
    form, built = _report(request)
    if built is None:
        return render(request, "money/report.html", _report_context(form, None), status=400)
    _audit_report(request, "money.report_viewed", built)
    query = request.GET.urlencode() if form.is_bound else ""
    return render(request, "money/report.html", {**_report_context(form, built), "query": query})


@role_required(Role.COORDINATOR)
@require_GET
def report_csv_view(request: HttpRequest) -> HttpResponse:
    form, built = _report(request)
    if built is None:
        return render(request, "money/report.html", _report_context(form, None), status=400)
    _audit_report(request, "money.report_exported", built)
    response = HttpResponse(report.report_csv(built), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="donor-report.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
