"""The auditors' view of the log: ids shown as usernames and thread codes, times in the staff zone.

The log itself holds codes and ids only. Names come from the apps that own them,
through their access functions; this app reads no other app's tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from corridor.accounts import access as accounts_access
from corridor.accounts import keyring
from corridor.accounts.decorators import role_required
from corridor.accounts.models import Role, User
from corridor.audit import access
from corridor.audit.forms import AuditFilterForm
from corridor.audit.models import AuditEvent
from corridor.audit.services import record_event, verify_chain
from corridor.hotline import access as hotline_access

PAGE_SIZE = 50


@dataclass(frozen=True)
class Shown:
    """An id as the page shows it: a name when one is known, the id itself otherwise."""

    text: str
    id: str = ""

    @property
    def named(self) -> bool:
        return bool(self.id) and self.text != self.id


@dataclass(frozen=True)
class LogRow:
    event: AuditEvent
    actor: Shown | None
    target_type: str
    target: Shown | None
    details: list[tuple[str, str]]


def _strings(values: Iterable[Any]) -> list[str]:
    out: list[str] = []
    for value in values:
        out.extend(str(v) for v in (value if isinstance(value, list) else [value]) if isinstance(v, str))
    return out


def _rows(events: list[AuditEvent]) -> list[LogRow]:
    """Resolve every id on the page in two queries, one per owning app."""
    user_ids = {str(e.actor_id) for e in events if e.actor_id}
    user_ids |= {e.target_id for e in events if e.target_type == "user"}
    user_ids |= set(_strings(v for e in events for v in e.data.values()))
    usernames = accounts_access.usernames_by_id(user_ids)
    codes = hotline_access.thread_codes_by_id(e.target_id for e in events if e.target_type == "thread")

    def shown(value: str, names: dict[str, str]) -> Shown:
        return Shown(names.get(value, value), value)

    def detail(value: Any) -> str:
        values = value if isinstance(value, list) else [value]
        return ", ".join("—" if v is None else usernames.get(str(v), str(v)) for v in values)

    rows = []
    for event in events:
        names = {"user": usernames, "thread": codes}.get(event.target_type, {})
        rows.append(
            LogRow(
                event=event,
                actor=shown(str(event.actor_id), usernames) if event.actor_id else None,
                target_type=event.target_type,
                target=shown(event.target_id, names) if event.target_id else None,
                details=[(key, detail(value)) for key, value in sorted(event.data.items())],
            )
        )
    return rows


def _filters(form: AuditFilterForm) -> dict[str, Any]:
    """The form's filters as ids; a name that matches nothing is an error on its field."""
    if not form.is_valid():
        return {}
    found: dict[str, Any] = {"action_prefix": form.cleaned_data["action"] or ""}
    if username := form.cleaned_data["user"]:
        found["person"] = accounts_access.user_id_for_username(username)
        if found["person"] is None:
            form.add_error("user", _("No staff member has this username."))
    if code := form.cleaned_data["thread"]:
        found["thread"] = hotline_access.thread_id_for_code(code)
        if found["thread"] is None:
            form.add_error("thread", _("No thread has this code."))
    return found if form.is_valid() else {}


@role_required(Role.AUDITOR)
@require_GET
def audit_log_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = AuditFilterForm(request.GET or None)
    filters = _filters(form)
    # A filter that matches no name shows nothing rather than the whole log.
    events = AuditEvent.objects.none() if form.errors else access.list_events_for_auditor(user, **filters)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "rows": _rows(list(page))}
    return render(request, "audit/log.html", context, status=400 if form.errors else 200)


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
