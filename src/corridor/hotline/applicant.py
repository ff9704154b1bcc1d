"""The applicant's session, and the organisation's words and addresses shown on their side.

No cookie until a form is shown, and then only CSRF's, for the browser session. Inside
a thread, the applicant's private key is kept split like a staff key
(corridor.crypto.keys.split_for_session): one half in the server-side session, the
other in its own HttpOnly, SameSite=Strict cookie. Neither the codename nor anything
derived from it that could find the thread is stored.
"""

from __future__ import annotations

import base64
import time
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import rotate_token
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from corridor.crypto import keys
from corridor.crypto.errors import DecryptionFailed
from corridor.hotline.models import Thread

THREAD = "applicant_thread"
HALF = "applicant_half"
LAST_SEEN = "applicant_last_seen"
COOKIE = "corridor_thread"


def enter_thread(request: HttpRequest, *, thread: Thread, private_key: bytes) -> None:
    cookie_half, session_half = keys.split_for_session(private_key)
    request.session.flush()
    rotate_token(request)  # as at a staff sign-in: a new CSRF secret for the new session
    request.session[THREAD] = str(thread.pk)
    request.session[HALF] = base64.urlsafe_b64encode(session_half).decode()
    request.session[LAST_SEEN] = time.time()
    request._corridor_thread_cookie = base64.urlsafe_b64encode(cookie_half).decode()  # type: ignore[attr-defined]


def current_thread(request: HttpRequest) -> tuple[Thread, bytes] | None:
    """The thread this browser is inside, with the applicant's key; None after idling or leaving."""
    thread_id = request.session.get(THREAD)
    half = request.session.get(HALF)
    cookie = request.COOKIES.get(COOKIE)
    if not (thread_id and half and cookie):
        return None
    if time.time() - request.session.get(LAST_SEEN, 0) > settings.CORRIDOR_APPLICANT_IDLE_SECONDS:
        leave_thread(request)
        return None
    try:
        private = keys.join_session_halves(base64.urlsafe_b64decode(cookie), base64.urlsafe_b64decode(half))
    except (DecryptionFailed, ValueError):
        leave_thread(request)
        return None
    thread = Thread.objects.filter(pk=uuid.UUID(thread_id)).first()
    if thread is None:
        leave_thread(request)
        return None
    request.session[LAST_SEEN] = time.time()
    return thread, private


def leave_thread(request: HttpRequest) -> None:
    request.session.flush()
    request._corridor_thread_clear = True  # type: ignore[attr-defined]


def apply_thread_cookie(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    value = getattr(request, "_corridor_thread_cookie", None)
    if value:
        response.set_cookie(
            COOKIE, value, httponly=True, secure=settings.SESSION_COOKIE_SECURE, samesite="Strict"
        )
    elif getattr(request, "_corridor_thread_clear", False):
        response.delete_cookie(COOKIE, samesite="Strict")
    return response


# What the applicant's pages say when the organisation has not written its own text.
DEFAULT_TEXTS: dict[str, Promise | str] = {
    # Neutral on purpose: browsers keep titles in their history and show them in tabs.
    "CORRIDOR_APPLICANT_TITLE": _("Notes"),
    "CORRIDOR_REPLY_EXPECTATION": _(
        "A person reads every message. We answer as soon as we can, and read first the "
        "messages of people in danger right now. Come back here with your codename to read the answer."
    ),
    "CORRIDOR_DETAINED_NOW_TEXT": _(
        "Write to us at once, even a few words: where, since when and by whom, if you know. "
        "Answer “Yes” to the first question so that we see it first."
    ),
    "CORRIDOR_OTHER_CHANNELS": "",
    "CORRIDOR_QUICK_EXIT_URL": "",
}


def text_setting(name: str) -> str:
    """A per-language applicant setting in this page's language, else its common value, else the default."""
    values: dict[str, str] = getattr(settings, name)
    return values.get(get_language() or "", "") or values.get("", "") or str(DEFAULT_TEXTS[name])


def quick_exit_problem(url: str) -> str:
    """Why an address cannot be where the quick exit leaves for, or "" when it can."""
    if any(ch.isspace() or not ch.isprintable() or ch == "\\" for ch in url):
        return "holds spaces, control characters or backslashes"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        return "is not a valid address"
    if parts.scheme != "https":
        return "must be an https:// address"
    if not parts.hostname:
        return "names no host"
    if parts.username is not None or parts.password is not None:
        return "must not carry a user name or password"
    return ""


def quick_exit_url() -> str:
    """The address "Leave quickly" leaves for in this language; "" keeps the person on the neutral page."""
    url = text_setting("CORRIDOR_QUICK_EXIT_URL")
    # The system check refuses a bad address at start; settings changed later fall back safely.
    return url if url and not quick_exit_problem(url) else ""
