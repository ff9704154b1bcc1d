"""The hotline for operators and coordinators: inbox, thread page, replies, notes, files and intake."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from corridor.accounts import keyring, unlock
from corridor.accounts.decorators import role_required
from corridor.accounts.models import OrgKeyKind
from corridor.cases import services as case_services
from corridor.cases.forms_lists import OpenFromThreadForm
from corridor.cases.views_common import keys_handled, staff_user
from corridor.crypto.errors import CryptoError
from corridor.hotline import access, photos, reading, receipts, services
from corridor.hotline import keys as thread_keys
from corridor.hotline.forms_staff import (
    AssignForm,
    InboxFilterForm,
    IntakeForm,
    NoteForm,
    ReplyForm,
    StatusForm,
    UrgencyForm,
)
from corridor.hotline.models import OPEN_STATUSES, Attachment, CopyState, Thread
from corridor.hotline.triage import REGIONS, THREATS, YES_NO_UNSURE, Triage

PAGE_SIZE = 50
# Only the formats the stripped copy is ever written in; anything else is served as opaque bytes.
VIEW_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
# A decrypted photo is a document of its own: it may show itself and nothing else.
ATTACHMENT_CSP: dict[str, list[str] | str] = {
    "default-src": [CSP.NONE],
    "img-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.NONE],
    "sandbox": "",  # a bare directive: no scripts, no forms, an opaque origin
}


# --- inbox ----------------------------------------------------------------------------


def format_duration(delta: timedelta) -> str:
    """Coarse, readable durations: "3 d 4 h", "2 h 5 min", "7 min"."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": mins}
    if mins:
        return _("%(minutes)d min") % {"minutes": mins}
    return _("under 1 min")


@dataclass(frozen=True)
class InboxRow:
    thread: Thread
    waiting: str
    deadline: str
    overdue: bool
    closed: bool


def inbox_row(thread: Thread, now: datetime) -> InboxRow:
    """How long the person has waited and where the first-response deadline stands (nothing decrypted)."""
    waiting = format_duration(now - thread.last_applicant_at)
    closed = thread.status not in OPEN_STATUSES
    if thread.first_response_at is not None:
        return InboxRow(thread, waiting, _("answered"), overdue=False, closed=closed)
    if closed:
        # Closing (spam, out of mandate) settles the thread: no deadline is left to miss.
        return InboxRow(thread, waiting, _("closed unanswered"), overdue=False, closed=closed)
    left = thread.first_response_due_at - now
    if left >= timedelta(0):
        deadline = _("%(time)s left") % {"time": format_duration(left)}
        return InboxRow(thread, waiting, deadline, overdue=False, closed=closed)
    deadline = _("overdue by %(time)s") % {"time": format_duration(-left)}
    return InboxRow(thread, waiting, deadline, overdue=True, closed=closed)


@role_required(*access.HOTLINE_ROLES)
@require_GET
def inbox_view(request: HttpRequest) -> HttpResponse:
    """Open threads, most urgent and longest waiting first; nothing here is decrypted."""
    user = staff_user(request)
    form = InboxFilterForm(request.GET or None)
    closed = mine = False
    if form.is_valid():
        closed, mine = form.cleaned_data["closed"], form.cleaned_data["mine"]
    # The ciphertext stays in the database: the inbox lists, it never decrypts.
    threads = access.inbox_threads(user, include_closed=closed).defer("intake", "lookup_id")
    if mine:
        threads = threads.filter(assigned_to=user)
    page = Paginator(threads, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [inbox_row(thread, now) for thread in page]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "has_key": bool(rows) or access.can_use_hotline(user),
    }
    return render(request, "hotline/staff/inbox.html", context)


# --- the thread page and its forms ----------------------------------------------------


def _label(choices: list[tuple[str, Any]], value: str) -> str:
    return str(dict(choices).get(value, value))


def _triage_answers(triage: Triage) -> list[tuple[str, str]]:
    """The answers as (question, answer) pairs, in the words of the request form."""
    yes_no = dict(YES_NO_UNSURE)
    threats = ", ".join(_label(THREATS, t) for t in triage.threatened_by) or _("Nobody named")
    return [
        (_("Where the person is"), _label(REGIONS, triage.region)),
        (_("In danger right now"), str(yes_no["yes"] if triage.in_danger_now else yes_no["no"])),
        (_("Threatened by"), threats),
        (_("Family knows or suspects"), _label(YES_NO_UNSURE, triage.outed_to_family)),
        (_("Has the internal passport"), _label(YES_NO_UNSURE, triage.has_internal_passport)),
        (_("Has a passport for travel abroad"), _label(YES_NO_UNSURE, triage.has_foreign_passport)),
        (_("Safe way and time to contact"), triage.safe_contact or "—"),
    ]


@dataclass
class ThreadForms:
    reply: ReplyForm
    note: NoteForm
    status: StatusForm
    urgency: UrgencyForm
    assign: AssignForm


def _blank_forms(thread: Thread) -> ThreadForms:
    return ThreadForms(
        reply=ReplyForm(),
        note=NoteForm(),
        status=StatusForm(initial={"status": thread.status}),
        urgency=UrgencyForm(initial={"urgency": thread.urgency}),
        assign=AssignForm(initial={"assignee": thread.assigned_to_id}),
    )


def _render_thread(
    request: HttpRequest, thread: Thread, thread_forms: ThreadForms, *, status: int = 200
) -> HttpResponse:
    """Decrypt the whole thread (one audited opening of its key) and show it with its forms."""
    view = reading.thread_for_staff(
        user=staff_user(request), user_private_key=unlock.user_private_key(request), thread=thread
    )
    now = timezone.now()
    check = None
    if not view.withheld and not view.intake_unreadable and getattr(thread, "case", None) is None:
        # Contact details against every case and the blocklist: the server holds no index
        # key, so a web request is checked when staff who hold it read the thread.
        check = case_services.check_thread_identifiers(
            user=staff_user(request),
            user_private_key=unlock.user_private_key(request),
            thread=thread,
            contact_text=" ".join([view.contact, view.triage.safe_contact]),
        )
        thread.refresh_from_db(fields=["security_concern_at"])
    context = {
        "thread": thread,
        "view": view,
        "identifier_check": check,
        "answers": _triage_answers(view.triage),
        "row": inbox_row(thread, now),
        "forms": thread_forms,
        # Case.thread is a one-to-one: no case yet means the page offers to open one.
        "case": getattr(thread, "case", None),
        "open_case_form": OpenFromThreadForm(),
        # A photo's copy that could not be made is made again from the original, which
        # only the evidence key opens.
        "holds_evidence_key": OrgKeyKind.EVIDENCE in keyring.held_kinds(staff_user(request)),
    }
    return render(request, "hotline/staff/thread.html", context, status=status)


def _rerender_with(
    request: HttpRequest, thread: Thread, name: str, form: forms.Form, *, status: int = 400
) -> HttpResponse:
    """The thread page again, with the rejected form and its errors; nothing was stored."""
    thread_forms = _blank_forms(thread)
    setattr(thread_forms, name, form)
    return _render_thread(request, thread, thread_forms, status=status)


@role_required(*access.HOTLINE_ROLES)
@require_GET
@keys_handled
def thread_view(request: HttpRequest, thread_id: uuid.UUID) -> HttpResponse:
    thread = access.get_thread_for_staff(staff_user(request), thread_id)
    shown_at = timezone.now()
    response = _render_thread(request, thread, _blank_forms(thread))
    services.mark_read(thread, shown_at=shown_at)
    return response


@role_required(*access.HOTLINE_ROLES)
@require_POST
@keys_handled
def reply_view(request: HttpRequest, thread_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    thread = access.get_thread_for_staff(user, thread_id)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _rerender_with(request, thread, "reply", form)
    try:
        services.post_reply(
            operator=user,
            user_private_key=unlock.user_private_key(request),
            thread=thread,
            text=form.cleaned_data["reply"],
        )
    except services.InvalidSubmission as exc:
        form.add_error("reply", str(exc))
        return _rerender_with(request, thread, "reply", form)
    except keyring.KeyUnavailable:
        form.add_error(
            None,
            _(
                "You do not hold the organisation's signing key yet, so you cannot send replies. "
                "An operator or coordinator who holds it grants it from the key grants page."
            ),
        )
        return _rerender_with(request, thread, "reply", form, status=403)
    messages.success(request, _("The reply is sent."))
    return redirect("hotline_staff:thread", thread_id=thread.pk)


@role_required(*access.HOTLINE_ROLES)
@require_POST
@keys_handled
def note_view(request: HttpRequest, thread_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    thread = access.get_thread_for_staff(user, thread_id)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _rerender_with(request, thread, "note", form)
    try:
        services.add_note(
            operator=user,
            user_private_key=unlock.user_private_key(request),
            thread=thread,
            text=form.cleaned_data["note"],
        )
    except services.InvalidSubmission as exc:
        form.add_error("note", str(exc))
        return _rerender_with(request, thread, "note", form)
    messages.success(request, _("The note is saved."))
    return redirect("hotline_staff:thread", thread_id=thread.pk)


@role_required(*access.HOTLINE_ROLES)
@require_POST
@keys_handled
def status_view(request: HttpRequest, thread_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    thread = access.get_thread_for_staff(user, thread_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _rerender_with(request, thread, "status", form)
    try:
        changed = services.set_status(operator=user, thread=thread, status=form.cleaned_data["status"])
    except services.InvalidSubmission as exc:
        form.add_error("status", str(exc))
        return _rerender_with(request, thread, "status", form)
    if changed:
        messages.success(request, _("The status is changed."))
    else:
        messages.info(request, _("The thread already had this status: nothing changed."))
    return redirect("hotline_staff:thread", thread_id=thread.pk)


@role_required(*access.HOTLINE_ROLES)
@require_POST
@keys_handled
def urgency_view(request: HttpRequest, thread_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    thread = access.get_thread_for_staff(user, thread_id)
    form = UrgencyForm(request.POST)
    if not form.is_valid():
        return _rerender_with(request, thread, "urgency", form)
    try:
        changed = services.set_urgency(
            operator=user,
            thread=thread,
            urgency=form.cleaned_data["urgency"],
            reason=form.cleaned_data["reason"],
        )
    except services.InvalidSubmission as exc:
        form.add_error(None, str(exc))
        return _rerender_with(request, thread, "urgency", form)
    if changed:
        messages.success(request, _("The urgency is changed."))
    else:
        messages.info(request, _("The thread already had this urgency: nothing changed."))
    return redirect("hotline_staff:thread", thread_id=thread.pk)


@role_required(*access.HOTLINE_ROLES)
@require_POST
@keys_handled
def assign_view(request: HttpRequest, thread_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    thread = access.get_thread_for_staff(user, thread_id)
    form = AssignForm(request.POST)
    if not form.is_valid():
        return _rerender_with(request, thread, "assign", form)
    try:
        changed = services.assign_thread(operator=user, thread=thread, assignee=form.cleaned_data["assignee"])
    except services.InvalidSubmission as exc:
        form.add_error("assignee", str(exc))
        return _rerender_with(request, thread, "assign", form)
    if changed:
        messages.success(request, _("The assignment is saved."))
    else:
        messages.info(request, _("The thread was already assigned so: nothing changed."))
    return redirect("hotline_staff:thread", thread_id=thread.pk)


# --- files ----------------------------------------------------------------------------


@role_required(*access.HOTLINE_ROLES)
@require_GET
@keys_handled
@csp_override(ATTACHMENT_CSP)
def attachment_view(request: HttpRequest, thread_id: uuid.UUID, attachment_id: uuid.UUID) -> HttpResponse:
    """The metadata-free copy, as a download named by its id: the person's file name never leaves the page."""
    user = staff_user(request)
    thread = access.get_thread_for_staff(user, thread_id)
    attachment = Attachment.objects.filter(pk=attachment_id, thread=thread).first()
    if attachment is None:
        raise Http404
    opened = thread_keys.thread_keys_for_staff(
        user=user,
        user_private_key=unlock.user_private_key(request),
        thread=thread,
        purpose="file",
        attachment=str(attachment.pk),
    )
    attachment.refresh_from_db()  # opening may have upgraded a legacy thread's rows
    if photos.effective_state(attachment) != CopyState.READY:
        raise Http404  # the page offers no link until the copy exists
    try:
        data, view_type = reading.attachment_view_copy(
            conversation_key=opened.conversation, attachment=attachment
        )
    except CryptoError:
        raise Http404 from None
    extension = VIEW_TYPES.get(view_type)
    content_type = view_type if extension else "application/octet-stream"
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{attachment.pk}.{extension or "bin"}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@role_required(*access.HOTLINE_ROLES)
@require_POST
@keys_handled
def attachment_remake_view(
    request: HttpRequest, thread_id: uuid.UUID, attachment_id: uuid.UUID
) -> HttpResponse:
    """Make a photo's copy again from the original (evidence key holders); a second send changes nothing."""
    user = staff_user(request)
    thread = access.get_thread_for_staff(user, thread_id)
    attachment = Attachment.objects.filter(pk=attachment_id, thread=thread).first()
    if attachment is None:
        raise Http404
    user_private_key = unlock.user_private_key(request)
    opened = thread_keys.thread_keys_for_staff(
        user=user,
        user_private_key=user_private_key,
        thread=thread,
        purpose="file",
        attachment=str(attachment.pk),
    )
    attachment.refresh_from_db()
    try:
        state = photos.remake_copy(
            actor=user,
            user_private_key=user_private_key,
            attachment=attachment,
            conversation_key=opened.conversation,
        )
    except photos.RemakeRefused as exc:
        messages.error(request, str(exc))
        return redirect("hotline_staff:thread", thread_id=thread.pk)
    if state == CopyState.READY:
        messages.success(request, _("The copy without metadata is made."))
    else:
        messages.error(
            request, _("The original does not decode as a picture either. It stays in the evidence as it is.")
        )
    return redirect("hotline_staff:thread", thread_id=thread.pk)


# --- operator intake ------------------------------------------------------------------


@role_required(*access.HOTLINE_ROLES)
@require_http_methods(["GET", "POST"])
def intake_view(request: HttpRequest) -> HttpResponse:
    """Log a phone, e-mail or messenger contact; the codename is shown once, on the response to the POST."""
    user = staff_user(request)
    if not access.can_use_hotline(user):
        raise Http404
    form = IntakeForm(request.POST or None, initial={"submission": receipts.new_token()})
    if request.method == "POST" and form.is_valid():
        try:
            new = services.record_intake(
                operator=user,
                channel=form.cleaned_data["channel"],
                contact=form.cleaned_data["contact"],
                triage=form.triage(),
                text=form.cleaned_data["text"],
                submission=receipts.submission_keys(
                    token=form.cleaned_data["submission"],
                    browser_secret=request.META.get("CSRF_COOKIE") or "",
                    content={
                        "form": "intake",
                        "channel": form.cleaned_data["channel"],
                        "contact": form.cleaned_data["contact"],
                        "triage": form.triage().as_dict(),
                        "text": form.cleaned_data["text"],
                    },
                ),
            )
        except services.InvalidSubmission as exc:
            form.add_error(None, str(exc))
        else:
            # The contact details against every case and the blocklist, before the codename is given.
            check = case_services.check_thread_identifiers(
                user=user,
                user_private_key=unlock.user_private_key(request),
                thread=new.thread,
                contact_text=" ".join([form.cleaned_data["contact"], form.triage().safe_contact]),
            )
            new.thread.refresh_from_db(fields=["security_concern_at"])
            # Rendered, not redirected: the codename must not be kept anywhere to show it again.
            return render(request, "hotline/staff/intake_done.html", {"new": new, "identifier_check": check})
    return render(request, "hotline/staff/intake.html", {"form": form}, status=400 if form.errors else 200)
