"""The auditors' view of the log."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from corridor.accounts import keyring
from corridor.accounts.decorators import role_required
from corridor.accounts.forms import AuditFilterForm
from corridor.accounts.models import Role, User
from corridor.audit import access
from corridor.audit.services import record_event, verify_chain


@role_required(Role.AUDITOR)
@require_GET
def audit_log_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = AuditFilterForm(request.GET or None)
    action, actor = "", ""
    if form.is_valid():
        action = form.cleaned_data["action"] or ""
        actor = str(form.cleaned_data["actor"] or "")
    events = access.list_events_for_auditor(user, action_prefix=action, actor=actor)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "audit/log.html", {"form": form, "page": page}, status=400 if form.errors else 200)


@role_required(Role.AUDITOR)
@require_POST
def audit_verify_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    report = verify_chain(organisation_initialised=keyring.organisation_initialised())
    record_event(
        action="audit.verified",
        actor_id=user.pk,
        data={"ok": report.ok, "checked": report.checked, "first_bad": report.first_bad_seq},
    )
    if report.ok:
        messages.success(
            request,
            ngettext(
                "The chain is intact: %(count)d entry checked.",
                "The chain is intact: %(count)d entries checked.",
                report.checked,
            )
            % {"count": report.checked},
        )
    else:
        messages.error(
            request,
            _("The chain is broken at entry #%(seq)d: %(problem)s")
            % {"seq": report.first_bad_seq or 0, "problem": report.problem},
        )
    return redirect("audit:log")
