"""Evidence pages: upload to an event or a statement, take a file from a hotline thread, an item with its
custody log, the photo shown without metadata, the download, the copy without metadata and the
redacted copy uploaded.

For documenters holding the collection key only; a refusal shows the form again with the
reason (400, or 413 for a file over the limit) and nothing is stored.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET, require_POST

from corridor.accounts.decorators import role_required
from corridor.accounts.models import Role, User
from corridor.cases.views_common import keys_handled, staff_user
from corridor.documentation import access as doc_access
from corridor.documentation.evidence import access, reading, services
from corridor.documentation.evidence.forms import (
    EVENT_ITSELF,
    PromoteForm,
    RedactedForm,
    ThreadForm,
    UploadForm,
)
from corridor.documentation.evidence.models import EvidenceItem, ItemKind
from corridor.documentation.models import Event, Information
from corridor.documentation.views import once, private_key
from corridor.hotline import receipts
from corridor.hotline.access import thread_id_for_code
from corridor.hotline.models import Thread
from corridor.hotline.uploads import UPLOAD_ERROR, EncryptedUpload, multipart_complete

documenters = role_required(Role.DOCUMENTER)

# A decrypted photo is a document of its own: it may show itself and nothing else.
FILE_CSP: dict[str, list[str] | str] = {
    "default-src": [CSP.NONE],
    "img-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.NONE],
    "sandbox": "",
}


def targets(event: Event) -> list[tuple[str, str]]:
    """What a file can belong to: the event itself, or what one of its sources says (by the source's code)."""
    said = Information.objects.filter(event=event).select_related("source").order_by("created_at")
    return [
        (EVENT_ITSELF, _("The event as a whole")),
        *((str(info.pk), _("What %(source)s says") % {"source": info.source.code}) for info in said),
    ]


def _information(event: Event, choice: str) -> Information | None:
    if choice == EVENT_ITSELF:
        return None
    return Information.objects.get(pk=choice, event=event)


def upload_form(event: Event, data: object = None, files: object = None) -> UploadForm:
    form = UploadForm(data, files, auto_id="id_ev_%s")  # type: ignore[arg-type]
    form.set_targets(targets(event))
    return form


def _upload_problem(request: HttpRequest) -> tuple[str, int] | None:
    """Limits broken while the file streamed in (413), or a body cut short (400)."""
    code = getattr(request, UPLOAD_ERROR, "")
    if code == "file_too_large":
        return _("The file is too large: at most %(mb)d MB.") % {"mb": _megabytes("FILE")}, 413
    if code:
        return _("The upload is too large: at most %(mb)d MB in all.") % {"mb": _megabytes("TOTAL")}, 413
    if not multipart_complete(request):
        return _("The form arrived incomplete. Send it again, please."), 400
    return None


def _megabytes(which: str) -> int:
    from django.conf import settings

    return int(getattr(settings, f"CORRIDOR_UPLOAD_MAX_{which}_BYTES")) // (1024 * 1024)


@require_POST
@documenters
@keys_handled
def upload(request: HttpRequest, event_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    event = doc_access.get_event_for_documenter(user, event_id)
    form = upload_form(event, request.POST, request.FILES)
    status = 400
    problem = _upload_problem(request)
    if problem:
        form.is_valid()
        form.add_error(None, problem[0])
        status = problem[1]
    elif form.is_valid():
        data = form.cleaned_data
        file = data["file"]
        assert isinstance(file, EncryptedUpload)
        try:
            created, _repeated = once(
                request,
                lambda: str(
                    services.receive_upload(
                        actor=user,
                        user_private_key=private_key(request),
                        event=event,
                        information=_information(event, data["attach_to"]),
                        upload=file,
                        note=data["note"],
                    ).pk
                ),
            )
            messages.success(request, _("The file is kept as evidence."))
            return redirect("evidence:item", item_id=created)
        except services.EvidenceRefused as exc:
            form.add_error(None, str(exc))
    context = {"event": event, "form": form, "submission_token": receipts.new_token()}
    return render(request, "evidence/upload.html", context, status=status)


# --- from the hotline ----------------------------------------------------------------------


def _thread(code: str) -> Thread | None:
    thread_id = thread_id_for_code(code)
    if thread_id is None:
        return None
    return Thread.objects.select_related("conversation_key", "staff_key").filter(pk=thread_id).first()


NO_THREAD = gettext_lazy("There is no hotline thread with this code whose key you hold.")


def _hotline_page(
    request: HttpRequest,
    event: Event,
    *,
    thread_form: ThreadForm,
    promote: PromoteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = staff_user(request)
    files: list[services.HotlineFile] = []
    thread = None
    if thread_form.is_bound and thread_form.is_valid():
        thread = _thread(thread_form.cleaned_data["thread"])
        if thread is None:
            thread_form.add_error("thread", str(NO_THREAD))
        else:
            try:
                files = services.hotline_files(
                    actor=user, user_private_key=private_key(request), thread=thread
                )
            except services.EvidenceRefused as exc:
                thread_form.add_error("thread", str(exc))
                thread = None
    if thread_form.errors:
        status = 400
    choice = promote or PromoteForm(auto_id="id_pr_%s")
    choice.set_targets(targets(event))
    context = {
        "event": event,
        "thread_form": thread_form,
        "thread": thread,
        "files": files,
        "promote_form": choice,
        "submission_token": receipts.new_token(),
    }
    return render(request, "evidence/hotline.html", context, status=status)


@require_GET
@documenters
@keys_handled
def hotline(request: HttpRequest, event_id: uuid.UUID) -> HttpResponse:
    """Choose a file of a hotline thread whose key this documenter holds (the opening is audited)."""
    event = doc_access.get_event_for_documenter(staff_user(request), event_id)
    thread_form = ThreadForm(request.GET if "thread" in request.GET else None, auto_id="id_th_%s")
    return _hotline_page(request, event, thread_form=thread_form)


@require_POST
@documenters
@keys_handled
def hotline_promote(request: HttpRequest, event_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    event = doc_access.get_event_for_documenter(user, event_id)
    form = PromoteForm(request.POST, auto_id="id_pr_%s")
    form.set_targets(targets(event))
    thread_form = ThreadForm({"thread": request.POST.get("thread", "")}, auto_id="id_th_%s")
    if form.is_valid():
        data = form.cleaned_data
        thread = _thread(data["thread"])
        if thread is None:
            form.add_error(None, str(NO_THREAD))
        else:
            outcome: list[bool] = []

            def promote() -> str:
                promoted = services.promote_attachment(
                    actor=user,
                    user_private_key=private_key(request),
                    event=event,
                    information=_information(event, data["attach_to"]),
                    thread=thread,
                    attachment_id=data["attachment"],
                    note=data["note"],
                )
                outcome.append(promoted.created)
                return str(promoted.item.pk)

            try:
                created, repeated = once(request, promote)
            except services.EvidenceRefused as exc:
                form.add_error(None, str(exc))
            else:
                if outcome == [False]:
                    messages.info(
                        request, _("This file is already evidence in this collection: nothing was copied.")
                    )
                elif not repeated:
                    messages.success(
                        request, _("The file is kept as evidence, with the hash it had when it arrived.")
                    )
                return redirect("evidence:item", item_id=created)
    return _hotline_page(request, event, thread_form=thread_form, promote=form, status=400)


# --- one item ----------------------------------------------------------------------------------


def redacted_form(data: object = None, files: object = None) -> RedactedForm:
    return RedactedForm(data, files, auto_id="id_rd_%s")  # type: ignore[arg-type]


def item_page(
    request: HttpRequest,
    item: EvidenceItem,
    *,
    error: str = "",
    status: int = 200,
    redacted: RedactedForm | None = None,
) -> HttpResponse:
    user: User = staff_user(request)
    view = reading.item_page(user=user, user_private_key=private_key(request), item=item)
    context = {
        "view": view,
        "error": error,
        "submission_token": receipts.new_token(),
        "redacted_form": redacted or redacted_form(),
    }
    return render(request, "evidence/item.html", context, status=status)


@require_GET
@documenters
@keys_handled
def item(request: HttpRequest, item_id: uuid.UUID) -> HttpResponse:
    return item_page(request, access.get_item_for_documenter(staff_user(request), item_id))


def _refused(request: HttpRequest, item: EvidenceItem, exc: services.EvidenceRefused) -> HttpResponse:
    status = 409 if isinstance(exc, services.EvidenceDamaged) else 400
    return item_page(request, item, error=str(exc), status=status)


def _file_response(data: bytes, content_type: str, disposition: str) -> HttpResponse:
    """A file's bytes, named by its code, never sniffed into another type by the browser."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@documenters
@keys_handled
@csp_override(FILE_CSP)
def view_file(request: HttpRequest, item_id: uuid.UUID) -> HttpResponse:
    """A photo shown in the browser: re-encoded without its metadata; recorded as viewed."""
    user = staff_user(request)
    item = access.get_item_for_documenter(user, item_id)
    try:
        opened = services.open_for_viewing(actor=user, user_private_key=private_key(request), item=item)
    except services.EvidenceRefused as exc:
        return _refused(request, item, exc)
    extension = services.EXTENSIONS.get(opened.content_type, "bin")
    return _file_response(
        opened.data, opened.content_type, f'inline; filename="{item.code}-stripped.{extension}"'
    )


@require_POST
@documenters
@keys_handled
@csp_override(FILE_CSP)
def download(request: HttpRequest, item_id: uuid.UUID) -> HttpResponse:
    """The file as kept, named by its code (never by the name it came with); recorded as exported."""
    user = staff_user(request)
    item = access.get_item_for_documenter(user, item_id)
    try:
        opened = services.export_file(actor=user, user_private_key=private_key(request), item=item)
    except services.EvidenceRefused as exc:
        return _refused(request, item, exc)
    extension = services.EXTENSIONS.get(opened.content_type, "bin")
    response = _file_response(
        opened.data, "application/octet-stream", f'attachment; filename="{item.code}.{extension}"'
    )
    response["X-Corridor-SHA256"] = opened.sha256
    return response


@require_POST
@documenters
@keys_handled
def strip(request: HttpRequest, item_id: uuid.UUID) -> HttpResponse:
    """Make (once) the copy of a photo without its metadata, linked to the original by hash."""
    user = staff_user(request)
    item = access.get_item_for_documenter(user, item_id)
    try:
        made = services.make_stripped_copy(actor=user, user_private_key=private_key(request), item=item)
    except services.EvidenceRefused as exc:
        return _refused(request, item, exc)
    if made.created:
        messages.success(request, _("The copy without metadata is made and linked to the original."))
    else:
        messages.info(request, _("This photo already has a copy without metadata: nothing was made again."))
    return redirect("evidence:item", item_id=made.item.pk)


@require_POST
@documenters
@keys_handled
def redacted(request: HttpRequest, item_id: uuid.UUID) -> HttpResponse:
    """Keep a redacted version of an original, made in another program, as a copy linked to it by hash."""
    user = staff_user(request)
    item = access.get_item_for_documenter(user, item_id)
    if item.kind != ItemKind.ORIGINAL:
        # The page of a copy has no form to show the reason in.
        return item_page(request, item, error=_("Copies are made from originals only."), status=400)
    form = redacted_form(request.POST, request.FILES)
    status = 400
    problem = _upload_problem(request)
    if problem:
        form.is_valid()
        form.add_error(None, problem[0])
        status = problem[1]
    elif form.is_valid():
        file = form.cleaned_data["file"]
        assert isinstance(file, EncryptedUpload)
        try:
            created, repeated = once(
                request,
                lambda: str(
                    services.receive_redacted_copy(
                        actor=user,
                        user_private_key=private_key(request),
                        item=item,
                        upload=file,
                        note=form.cleaned_data["note"],
                    ).pk
                ),
            )
        except services.EvidenceRefused as exc:
            form.add_error(None, str(exc))
            if isinstance(exc, services.EvidenceDamaged):
                status = 409
        else:
            if not repeated:
                messages.success(request, _("The redacted copy is kept and linked to the original by hash."))
            return redirect("evidence:item", item_id=created)
    return item_page(request, item, status=status, redacted=form)
