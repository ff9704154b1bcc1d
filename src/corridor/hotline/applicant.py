"""The applicant's session, and the organisation's words and addresses shown on their side.

No cookie until a form is shown, and then only CSRF's, for the browser session. Inside
a thread, the applicant's private key is kept split like a staff key
(corridor.crypto.keys.split_for_session): one half in the server-side session, the
other in its own HttpOnly, SameSite=Strict cookie. Neither the codename nor anything
derived from it that could find the thread is stored.

The applicant's pages keep their own session, under their own cookie (`own_session`),
apart from a staff session in the same browser: entering, leaving or idling out of a
thread never touches a staff member's sign-in, and a staff session never carries an
applicant's key half.
"""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Callable
from functools import wraps
from importlib import import_module
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase, UpdateError
from django.contrib.sessions.exceptions import SessionInterrupted
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import rotate_token
from django.utils.cache import patch_vary_headers
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
# The applicant side's own session cookie (the staff side's is SESSION_COOKIE_NAME).
SESSION_COOKIE = "corridor_visit"

View = Callable[..., HttpResponse]


def own_session(view: View) -> View:
    """Run an applicant page in the applicant's own session, never in a staff session of the same browser."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        staff_session = request.session
        store: SessionBase = import_module(settings.SESSION_ENGINE).SessionStore(
            request.COOKIES.get(SESSION_COOKIE)
        )
        request.session = store
        try:
            response = view(request, *args, **kwargs)
        finally:
            # The staff session goes back untouched, for SessionMiddleware to leave as it found it.
            request.session = staff_session
        return _save_own_session(request, store, response)

    return wrapper


def _save_own_session(request: HttpRequest, store: SessionBase, response: HttpResponse) -> HttpResponse:
    """What SessionMiddleware does for its session, for the applicant's: save it, or clear its cookie."""
    if store.accessed:
        patch_vary_headers(response, ("Cookie",))
    if store.is_empty():
        if SESSION_COOKIE in request.COOKIES:
            response.delete_cookie(SESSION_COOKIE, samesite="Strict")
        return response
    if store.modified and response.status_code < 500:
        try:
            store.save()
        except UpdateError:
            raise SessionInterrupted("the session was deleted before the request finished") from None
        key = store.session_key
        assert key is not None  # save() has just made one
        # No max-age: like every cookie Corridor sets, it ends with the browser session.
        response.set_cookie(
            SESSION_COOKIE,
            key,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Strict",
        )
    return response


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
