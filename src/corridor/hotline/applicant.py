"""The applicant's session: created only once a person is inside their thread.

Before that, the only cookie is CSRF's. Inside, the applicant's private key is kept
split like a staff key (corridor.crypto.keys.split_for_session): one half in the
server-side session, the other in its own HttpOnly, SameSite=Strict cookie. Neither
the codename nor anything derived from it that could find the thread is stored.
"""

from __future__ import annotations

import base64
import time
import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import rotate_token

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
