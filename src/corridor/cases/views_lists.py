"""Case lists, search, access requests, the approvals queue, and opening a case.

None of the lists decrypts anything: they show plain columns (code, stage, region,
urgency, deadlines, caseworker) and minimal cards. Opening a case is the only write
here that opens a key, and it goes through corridor.cases.services.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from corridor.accounts import unlock
from corridor.accounts.decorators import role_required
from corridor.accounts.models import Role, User
from corridor.audit.services import record_event
from corridor.cases import access, grants, identifiers, services, workflow
from corridor.cases import keys as data_keys
from corridor.cases.forms_lists import (
    AccessRequestForm,
    BoardForm,
    DecideAccessForm,
    MyCasesFilterForm,
    NewCaseForm,
    OpenFromThreadForm,
    SearchForm,
)
from corridor.cases.models import (
    AccessRequest,
    AccessRequestStatus,
    Approval,
    ApprovalStatus,
    BlockedIdentifier,
    Case,
    Stage,
)
from corridor.cases.views_common import staff_user
from corridor.hotline import access as hotline_access
from corridor.hotline.models import Urgency
from corridor.hotline.receipts import new_token

BOARD_PAGE_SIZE = 50
MAX_SEARCH_RESULTS = 50


# --- my cases -------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRow:
    case: Case
    urgency: str
    open_flags: int
    overdue: bool


@role_required(*access.CASE_ROLES)
@require_GET
def my_cases_view(request: HttpRequest) -> HttpResponse:
    """The cases granted to me by name, most urgent and nearest deadline first."""
    user = staff_user(request)
    form = MyCasesFilterForm(request.GET or None)
    closed = form.is_valid() and form.cleaned_data["closed"]
    cases = (
        access.my_cases(user, include_closed=closed)
        .defer("profile")
        .annotate(open_flag_count=Count("flags", filter=Q(flags__cleared_at__isnull=True)))
    )
    now = timezone.now()
    rows = [
        CaseRow(
            case=case,
            urgency=str(Urgency(case.urgency).label) if case.urgency in Urgency.values else str(case.urgency),
            open_flags=case.open_flag_count,
            overdue=case.stage != Stage.CLOSED
            and case.response_due_at is not None
            and case.response_due_at < now,
        )
        for case in cases
    ]
    can_open = any(user.has_role(role) for role in access.OPEN_ROLES)
    context = {"form": form, "rows": rows, "closed": closed, "can_open": can_open}
    return render(request, "cases/my_cases.html", context)


# --- the coordinators' board ----------------------------------------------------------


@role_required(Role.COORDINATOR)
@require_GET
def board_view(request: HttpRequest) -> HttpResponse:
    """How many cases stand at each stage, and one stage's minimal cards: nothing is decrypted."""
    user = staff_user(request)
    form = BoardForm(request.GET or None)
    stage = form.cleaned_data["stage"] if form.is_valid() else ""
    counts = access.stage_counts()
    columns = [(value, label, counts.get(value, 0)) for value, label in Stage.choices]
    page = None
    cards: list[access.Card] = []
    if stage:
        page = Paginator(access.cases_in_stage(stage).defer("profile"), BOARD_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        in_page = list(page)
        cards = access.cards(in_page, readable_ids=access.readable_ids(user, [c.pk for c in in_page]))
    context = {
        "form": form,
        "columns": columns,
        "stage": stage,
        "stage_label": str(Stage(stage).label) if stage else "",
        "page": page,
        "cards": cards,
    }
    return render(request, "cases/board.html", context, status=400 if form.errors else 200)


# --- search ---------------------------------------------------------------------------


@role_required(*access.CASE_ROLES)
@require_http_methods(["GET", "POST"])
def search_view(request: HttpRequest) -> HttpResponse:
    """By case code or one exact identifier, through its blind index.

    The search is a POST so that a phone number or a name never lands in a URL, the
    browser's history or a proxy's log; the audit event records the kind and the number
    of results, never the value.
    """
    user = staff_user(request)
    form = SearchForm(request.POST if request.method == "POST" else None)
    results: list[access.Card] | None = None
    if request.method == "POST" and form.is_valid():
        found = _search(request, user, form)
        if found is not None:
            ids = [case.pk for case in found]
            results = access.cards(found, readable_ids=access.readable_ids(user, ids))
            record_event(
                action="cases.searched",
                actor_id=user.pk,
                data={"kind": form.cleaned_data["kind"] or "code", "results": len(results)},
            )
    context = {"form": form, "results": results, "request_form": AccessRequestForm()}
    return render(request, "cases/search.html", context, status=400 if form.errors else 200)


def _search(request: HttpRequest, user: User, form: SearchForm) -> list[Case] | None:
    """The matching cases, or None (with the reason as a form error) when nothing could be searched."""
    code = form.cleaned_data["code"]
    if code:
        case = access.case_by_code(code)
        return [case] if case is not None else []
    index_key = services.index_key_for(user, unlock.user_private_key(request))
    if index_key is None:
        form.add_error(
            None,
            _(
                "You do not hold the index key yet, so you cannot search by identifier. "
                "A colleague who holds it grants it from the key grants page."
            ),
        )
        return None
    digests = identifiers.digests_of(index_key, [(form.cleaned_data["kind"], form.cleaned_data["value"])])
    if not digests:
        form.add_error("value", _("This value has nothing in it to search for."))
        return None
    shown, _readable = services.cases_shown_for(user, digests)
    return shown[:MAX_SEARCH_RESULTS]


@role_required(*access.CASE_ROLES)
@require_POST
def access_request_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Ask a coordinator for a case found in search."""
    user = staff_user(request)
    case = Case.objects.filter(pk=case_id).first()
    if case is None:
        raise Http404
    form = AccessRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose why you need the case: nothing was requested."))
        return redirect("cases:search")
    if access.readable_ids(user, [case.pk]):
        messages.info(request, _("You can already read this case: nothing was requested."))
        return redirect("cases:search")
    try:
        grants.request_access(actor=user, case=case, reason=form.cleaned_data["reason"])
    except services.CaseRefused as exc:
        messages.error(request, str(exc))
        return redirect("cases:search")
    messages.success(
        request,
        _("Access to %(code)s is requested. A coordinator decides; the case appears in your list if granted.")
        % {"code": case.code},
    )
    return redirect("cases:search")


# --- access requests (coordinators) ---------------------------------------------------


@dataclass(frozen=True)
class RequestRow:
    request: AccessRequest
    card: access.Card


@role_required(Role.COORDINATOR)
@require_GET
def access_requests_view(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    pending = list(
        AccessRequest.objects.filter(status=AccessRequestStatus.PENDING)
        .select_related("case__caseworker", "requester")
        .defer("case__profile")
        .order_by("requested_at")
    )
    readable = access.readable_ids(user, [r.case_id for r in pending])
    cards = access.cards([r.case for r in pending], readable_ids=readable)
    rows = [RequestRow(request=r, card=card) for r, card in zip(pending, cards, strict=True)]
    return render(request, "cases/access_requests.html", {"rows": rows, "decide_form": DecideAccessForm()})


@role_required(Role.COORDINATOR)
@require_POST
def access_request_decide_view(request: HttpRequest, request_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    pending = AccessRequest.objects.filter(pk=request_id, status=AccessRequestStatus.PENDING).first()
    if pending is None:
        raise Http404
    form = DecideAccessForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose grant or refuse: nothing was decided."))
        return redirect("cases:access_requests")
    grant = form.cleaned_data["decision"] == "grant"
    try:
        grants.decide_access_request(
            actor=user, user_private_key=unlock.user_private_key(request), request=pending, grant=grant
        )
    except data_keys.KeyLocked:
        messages.error(
            request,
            _(
                "You do not hold the key of this case, so you cannot grant it. "
                "A coordinator who holds it, or its caseworker, must grant it."
            ),
        )
        return redirect("cases:access_requests")
    except services.CaseRefused as exc:
        messages.error(request, str(exc))
        return redirect("cases:access_requests")
    if grant:
        messages.success(request, _("Access is granted."))
    else:
        messages.success(request, _("The request is refused."))
    return redirect("cases:access_requests")


# --- approvals ------------------------------------------------------------------------


@dataclass(frozen=True)
class ApprovalRow:
    approval: Approval
    may_decide: bool


@role_required(*access.CASE_ROLES)
@require_GET
def approvals_view(request: HttpRequest) -> HttpResponse:
    """Approvals waiting on the cases I can read; the decision itself is on the case page."""
    user = staff_user(request)
    waiting = (
        Approval.objects.filter(status=ApprovalStatus.PENDING, case__in=access.readable_cases(user))
        .select_related("case", "requested_by")
        .defer("case__profile", "note")
        .order_by("case__urgency", "requested_at")
    )
    rows = [ApprovalRow(approval=a, may_decide=workflow.may_decide(user, a)) for a in waiting]
    return render(request, "cases/approvals.html", {"rows": rows})


# --- opening a case -------------------------------------------------------------------


def _warn_about_check(request: HttpRequest, check: services.IdentifierCheck) -> None:
    """Other cases sharing an identifier, as minimal cards; a blocklist match is named as such only."""
    duplicates = check.duplicates
    if check.blocked:
        # The provocateur's earlier case is never named to whoever opens a matching one.
        sources = {
            str(pk)
            for pk in BlockedIdentifier.objects.filter(
                source_case_id__in=[card.id for card in duplicates]
            ).values_list("source_case_id", flat=True)
        }
        duplicates = [card for card in duplicates if card.id not in sources]
        messages.warning(
            request,
            _(
                "Security concern: an identifier of this person matches the blocklist. "
                "The case is flagged and the coordinators are alerted. Share nothing until they have checked."
            ),
        )
    if duplicates:
        listed = "; ".join(
            " · ".join(
                part
                for part in (card.code, card.stage_label, card.region, card.caseworker or _("unassigned"))
                if part
            )
            for card in duplicates
        )
        messages.warning(
            request,
            _("Possible duplicate: other cases share an identifier with this one: %(cases)s.")
            % {"cases": listed},
        )


@role_required(*hotline_access.HOTLINE_ROLES)
@require_POST
def open_from_thread_view(request: HttpRequest, thread_id: uuid.UUID) -> HttpResponse:
    """The thread becomes a case (its staff key becomes the case key), optionally assigned."""
    user = staff_user(request)
    thread = hotline_access.get_thread_for_staff(user, thread_id)
    form = OpenFromThreadForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("caseworker", []):
            messages.error(request, str(error))
        return redirect("hotline_staff:thread", thread_id=thread.pk)
    try:
        new = services.open_case_from_thread(
            actor=user,
            user_private_key=unlock.user_private_key(request),
            thread=thread,
            caseworker=form.cleaned_data["caseworker"],
        )
    except data_keys.KeyLocked:
        messages.error(
            request, _("You do not hold the key of this thread, so you cannot open a case from it.")
        )
        return redirect("hotline_staff:thread", thread_id=thread.pk)
    except services.CaseRefused as exc:
        messages.error(request, str(exc))
        return redirect("hotline_staff:thread", thread_id=thread.pk)
    if new.repeated:
        messages.info(request, _("This thread is already a case: here it is."))
    else:
        messages.success(request, _("Case %(code)s is opened.") % {"code": new.case.code})
        _warn_about_check(request, new.check)
    return redirect("cases:case", case_id=new.case.pk)


@role_required(*access.OPEN_ROLES)
@require_http_methods(["GET", "POST"])
def new_case_view(request: HttpRequest) -> HttpResponse:
    """A case for a person referred by a partner or met in person."""
    user = staff_user(request)
    form = NewCaseForm(request.POST or None, initial={"submission": new_token()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            new = services.open_case_directly(
                actor=user,
                user_private_key=unlock.user_private_key(request),
                origin=data["origin"],
                profile=form.profile(),
                region=data["region"],
                urgency=data["urgency"],
                factors=[],
                caseworker=data["caseworker"],
                submission=data["submission"],
            )
        except services.CaseRefused as exc:
            form.add_error(None, str(exc))
        else:
            if new.repeated:
                messages.info(request, _("This form was already sent: here is the case it opened."))
            else:
                messages.success(request, _("Case %(code)s is opened.") % {"code": new.case.code})
                _warn_about_check(request, new.check)
            return redirect("cases:case", case_id=new.case.pk)
    return render(request, "cases/new_case.html", {"form": form}, status=400 if form.errors else 200)
