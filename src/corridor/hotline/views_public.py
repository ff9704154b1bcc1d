"""The applicant's pages: no JavaScript, no account, nothing kept that identifies the person."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from corridor.accounts import keyring
from corridor.crypto.words import words_to_digits
from corridor.evacuation.checkins import public as check_ins
from corridor.hotline import applicant, reading, receipts, services
from corridor.hotline.forms_public import WORD_LANGUAGES, CodenameForm, MessageFields, RequestForm
from corridor.hotline.uploads import UPLOAD_ERROR, EncryptedUpload, UploadRejected, multipart_complete
from corridor.limits.pool import Busy


def _upload_message(code: str) -> str:
    mib = 1024 * 1024
    messages = {
        "file_too_large": _("A photo is larger than %(mb)d MB. Send a smaller one.")
        % {"mb": settings.CORRIDOR_UPLOAD_MAX_FILE_BYTES // mib},
        "upload_too_large": _("The photos together are larger than %(mb)d MB. Send fewer.")
        % {"mb": settings.CORRIDOR_UPLOAD_MAX_TOTAL_BYTES // mib},
        "too_many_files": _("At most %(count)d photos can be sent at once.")
        % {"count": settings.CORRIDOR_UPLOAD_MAX_FILES},
        "form_too_large": _(
            "What you wrote is far too long to send. Its beginning is kept below: "
            "check it, shorten it if needed, and send it again."
        ),
    }
    return messages.get(code, "")


def _busy(response: HttpResponse) -> HttpResponse:
    """A full Argon2id pool: 503 and when to come back; nothing was stored."""
    response["Retry-After"] = str(settings.CORRIDOR_BUSY_RETRY_SECONDS)
    response._has_been_logged = True  # type: ignore[attr-defined] # expected under load: no error line
    return response


def _uploads(request: HttpRequest) -> list[EncryptedUpload]:
    return [f for f in request.FILES.getlist("photos") if isinstance(f, EncryptedUpload)]


def _discard(uploads: list[EncryptedUpload]) -> None:
    for upload in uploads:
        upload.discard()


def _verification() -> dict[str, Any]:
    """The signing key's fingerprint: words where the page speaks the list's language, digits elsewhere."""
    words = keyring.signing_fingerprint_words() if keyring.organisation_initialised() else ""
    in_digits = translation.get_language() not in WORD_LANGUAGES
    return {
        "fingerprint": words_to_digits(words) if words and in_digits else words,
        "fingerprint_in_digits": in_digits,
        "public_address": settings.CORRIDOR_PUBLIC_ADDRESS,
    }


def _next_steps() -> dict[str, str]:
    """What the organisation tells a person to expect, in the page's language."""
    return {
        "reply_expectation": applicant.text_setting("CORRIDOR_REPLY_EXPECTATION"),
        "detained_now_text": applicant.text_setting("CORRIDOR_DETAINED_NOW_TEXT"),
        "other_channels": applicant.text_setting("CORRIDOR_OTHER_CHANNELS"),
    }


@require_GET
def landing_view(request: HttpRequest) -> HttpResponse:
    return render(request, "hotline/public/landing.html", {**_verification(), **_next_steps()})


@require_GET
def neutral_view(request: HttpRequest) -> HttpResponse:
    """Where the quick-exit link goes; leaving the thread on the way, and the site if so configured."""
    if request.session.get(applicant.THREAD):
        applicant.leave_thread(request)
    elsewhere = applicant.quick_exit_url()
    # A redirect rather than a link to the other host, so the thread is left before the person is gone.
    page = HttpResponseRedirect(elsewhere) if elsewhere else render(request, "hotline/public/neutral.html")
    return applicant.apply_thread_cookie(request, page)


def _salvaged_text(request: HttpRequest) -> dict[str, str]:
    """From a body cut short, the text fields that arrived whole enough to show again (unvalidated)."""
    out = {}
    for name in ("message", "safe_contact"):
        value = request.POST.get(name, "")
        if value and "\r\n--" not in value and "\x00" not in value:
            out[name] = value
    return out


def _upload_problem(request: HttpRequest) -> tuple[str, int] | None:
    """Limits broken while streaming (413), or a body cut short (400)."""
    code = getattr(request, UPLOAD_ERROR, "")
    if code:
        return _upload_message(code), 413
    if not multipart_complete(request):
        return _("The request arrived incomplete. Send it again, please."), 400
    return None


@require_http_methods(["GET", "POST"])
def request_view(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        form = RequestForm(initial={"submission": receipts.new_token()})
        return render(request, "hotline/public/request.html", {"form": form})
    uploads = _uploads(request)
    try:
        form = RequestForm(request.POST, request.FILES)
        problem = _upload_problem(request)
        if problem:
            shown = form if problem[1] == 413 else RequestForm(initial=_salvaged_text(request))
            context = {"form": shown, "problem": problem[0]}
            return render(request, "hotline/public/request.html", context, status=problem[1])
        if form.is_valid():
            try:
                prepared = services.prepare_files(uploads)
                created = services.open_thread(
                    triage=form.triage(),
                    text=form.cleaned_data["message"],
                    files=prepared,
                    codename_in_words=form.wants_words(),
                    submission=receipts.submission_keys(
                        token=form.cleaned_data["submission"],
                        browser_secret=request.META.get("CSRF_COOKIE") or "",
                        content={
                            "form": "request",
                            "triage": form.triage().as_dict(),
                            "text": form.cleaned_data["message"],
                            "words": form.wants_words(),
                        },
                    ),
                )
            except (UploadRejected, services.InvalidSubmission) as exc:
                form.add_error(None, str(exc))
            except Busy:
                problem_text = _(
                    "Many people are writing right now, so your request was not sent yet. What you wrote "
                    "is kept below (photos must be chosen again). Wait a minute, then send it again."
                )
                context = {"form": form, "problem": problem_text}
                return _busy(render(request, "hotline/public/request.html", context, status=503))
            else:
                context = {
                    "repeated": created.repeated,
                    "codename": created.codename,
                    "in_words": not created.codename[0].isdigit(),
                    **_verification(),
                    **_next_steps(),
                }
                return render(request, "hotline/public/sent.html", context)
        return render(request, "hotline/public/request.html", {"form": form}, status=400)
    finally:
        _discard(uploads)


@require_http_methods(["GET", "POST"])
def enter_view(request: HttpRequest) -> HttpResponse:
    """Come back with the codename."""
    if request.method == "GET":
        if applicant.current_thread(request):
            return redirect("hotline_public:thread")
        # current_thread() may just have ended an idle session: its cookie goes too.
        page = render(request, "hotline/public/enter.html", {"form": CodenameForm()})
        return applicant.apply_thread_cookie(request, page)
    toggled = CodenameForm.toggled(request.POST)
    if toggled is not None:
        # "Show" or "Hide" without JavaScript: the same page again, what was typed kept, nothing looked up.
        return render(request, "hotline/public/enter.html", {"form": toggled})
    form = CodenameForm(request.POST)
    if form.is_valid():
        try:
            access = services.find_thread_by_codename(form.cleaned_data["codename"])
        except Busy:
            busy = _("Many people are writing right now, so the codename was not checked.")
            form.add_error(None, busy + " " + _("Wait a minute and try again."))
            return _busy(render(request, "hotline/public/enter.html", {"form": form}, status=503))
        if access is not None:
            applicant.enter_thread(request, thread=access.thread, private_key=access.private_key)
            return applicant.apply_thread_cookie(request, redirect("hotline_public:thread"))
        form.add_error("codename", _("This codename is not known. Check it and try again."))
    return render(request, "hotline/public/enter.html", {"form": form}, status=400)


def _thread_page(
    request: HttpRequest,
    form: MessageFields,
    status: int = 200,
    problem: str = "",
    check_in_problem: str = "",
) -> HttpResponse:
    current = applicant.current_thread(request)
    if current is None:
        return applicant.apply_thread_cookie(request, redirect("hotline_public:enter"))
    thread, private = current
    messages = reading.thread_for_applicant(thread=thread, applicant_private=private)
    context = {"thread": thread, "messages": messages, "form": form, "problem": problem, **_verification()}
    # The two check-in choices, only while the case's check-ins run (and nothing else about the case).
    context.update(check_ins.thread_context(thread), check_in_problem=check_in_problem)
    return render(request, "hotline/public/thread.html", context, status=status)


@require_GET
def root_view(request: HttpRequest) -> HttpResponse:
    """The bare address opens the applicant's landing page in the organisation's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return redirect("hotline_public:landing")


@require_GET
def thread_view(request: HttpRequest) -> HttpResponse:
    return _thread_page(request, MessageFields())


@require_POST
def write_view(request: HttpRequest) -> HttpResponse:
    uploads = _uploads(request)
    try:
        current = applicant.current_thread(request)
        if current is None:
            return applicant.apply_thread_cookie(request, redirect("hotline_public:enter"))
        thread, private = current
        if check_ins.CHOICE in request.POST:
            # A check-in answer: its own form, sent to this same address.
            found = check_ins.check_in_from_thread(request.POST, thread=thread, applicant_private=private)
            if found:
                return _thread_page(request, MessageFields(), status=400, check_in_problem=found)
            return redirect("hotline_public:thread")
        form = MessageFields(request.POST, request.FILES)
        problem = _upload_problem(request)
        if problem:
            shown = form if problem[1] == 413 else MessageFields(initial=_salvaged_text(request))
            return _thread_page(request, shown, status=problem[1], problem=problem[0])
        if form.is_valid():
            try:
                prepared = services.prepare_files(uploads)
                services.add_applicant_message(
                    thread=thread,
                    applicant_private=private,
                    text=form.cleaned_data["message"],
                    files=prepared,
                )
            except (UploadRejected, services.InvalidSubmission) as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("hotline_public:thread")
        return _thread_page(request, form, status=400)
    finally:
        _discard(uploads)


@require_POST
def leave_view(request: HttpRequest) -> HttpResponse:
    applicant.leave_thread(request)
    return applicant.apply_thread_cookie(request, redirect("hotline_public:landing"))
