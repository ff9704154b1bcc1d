"""The staff home page ("what needs me now") and the error pages."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from corridor.accounts import access as accounts_access
from corridor.accounts import keyring
from corridor.accounts.decorators import staff_required
from corridor.accounts.models import Role, User
from corridor.audit import access as audit_access
from corridor.audit.models import AuditEvent
from corridor.cases import access as cases_access
from corridor.hotline import access as hotline_access
from corridor.hotline.views_staff import inbox_row

# How far back the auditors' panel counts integrity failures and unreadable rows.
INTEGRITY_WINDOW = timedelta(days=30)


def _failures(chain: audit_access.ChainStatus | None) -> list[tuple[AuditEvent, str]]:
    """Recent integrity failures with what they concern: a thread's code, or the kind of row."""
    if chain is None:
        return []
    events = chain.recent_failures
    codes = hotline_access.thread_codes_by_id(e.target_id for e in events if e.target_type == "thread")
    return [(e, codes.get(e.target_id) or str(e.data.get("what") or e.target_type or "")) for e in events]


@staff_required
@require_GET
def home_view(request: HttpRequest) -> HttpResponse:
    """Each role's part of what is waiting, from plain columns and the audit log: nothing is decrypted."""
    user = request.user
    assert isinstance(user, User)
    now = timezone.now()
    held = keyring.held_kinds(user)
    missing = keyring.entitled_kinds(user) - held
    attention = hotline_access.threads_needing_attention(user, now=now)
    grants_to_give: list[keyring.PendingGrant] = []
    grants_waiting: list[keyring.PendingGrant] = []
    if user.has_role(Role.OPERATOR) or user.has_role(Role.COORDINATOR):
        grants_to_give = [g for g in keyring.pending_grants() if g.kind.value in held]
    if user.has_role(Role.ADMIN):
        # Administrators cannot grant keys that read cases, but they must know who is waiting.
        grants_waiting = keyring.pending_grants()
    chain = audit_access.chain_status_for_auditor(user, since=now - INTEGRITY_WINDOW)
    context = {
        "missing_keys": sorted(k.label for k in missing),
        "hotline_role": hotline_access.has_hotline_role(user),
        "cases_role": cases_access.can_use_cases(user),
        "coordinator": cases_access.is_coordinator(user),
        # Threads are assigned to operators only: a coordinator has no list of their own.
        "show_assigned": user.has_role(Role.OPERATOR),
        "attention": attention,
        "rows": {
            name: [inbox_row(thread, now) for thread in getattr(attention, name)]
            for name in ("overdue", "unanswered", "assigned")
        }
        if attention
        else {},
        "grants_to_give": grants_to_give,
        "grants_waiting": grants_waiting,
        "accounts": accounts_access.accounts_needing_attention(user),
        "chain": chain,
        "failures": _failures(chain),
        "integrity_days": INTEGRITY_WINDOW.days,
        "fingerprint": keyring.signing_fingerprint_words() if keyring.organisation_initialised() else "",
    }
    return render(request, "web/home.html", context)


def _error(request: HttpRequest, status: int) -> HttpResponse:
    """Applicant pages get errors in their own calm layout, with no trace of the staff side."""
    staff = request.path.startswith("/staff/")
    template = "web/error.html" if staff else "hotline/public/error.html"
    return render(request, template, {"status": status}, status=status)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if not request.path.startswith("/staff/"):
        return render(request, "hotline/public/error.html", {"status": 403, "expired": True}, status=403)
    return render(request, "web/csrf_failure.html", status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, 500)


def integrity_failure(request: HttpRequest) -> HttpResponse:
    """A key or row failed its integrity check: nothing was shown or changed."""
    return _error(request, 503)
