"""The split-key session unlock and the sign-in state machine.

After the password step, the user's private key is split (corridor.crypto.keys):
the cookie half goes to the browser in its own HttpOnly, SameSite=Strict cookie and
the session half into the server-side session. The key exists in memory only while a
request that carries both is being served. Until the second factor is verified, the
halves belong to a "pending" sign-in that expires after a few minutes.
"""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse

from corridor.accounts.models import StaffSession, User
from corridor.audit.services import record_event
from corridor.crypto import keys
from corridor.crypto.errors import DecryptionFailed

PENDING = "corridor_pending"
UNLOCK = "corridor_unlock_half"
FACTOR = "corridor_factor"
LAST_SEEN = "corridor_last_seen"
REAUTH_AT = "corridor_reauth_at"
SIGNED_IN_AT = "corridor_signed_in_at"
STAFF_SESSION = "corridor_staff_session"
PENDING_SECONDS = 300


class SessionLocked(Exception):
    """The request does not carry both halves of an unlocked key."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text.encode())


def begin_pending_login(request: HttpRequest, *, user: User, private_key: bytes) -> None:
    """Keep the unlocked key split between cookie and session until the second factor."""
    cookie_half, session_half = keys.split_for_session(private_key)
    request.session.cycle_key()
    request.session[PENDING] = {"user": str(user.pk), "half": _b64(session_half), "at": time.time()}
    request._corridor_unlock_cookie = _b64(cookie_half)  # type: ignore[attr-defined]


def pending_user(request: HttpRequest) -> User | None:
    """The user who passed the password step in this session, if still in time."""
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        return None
    return User.objects.filter(pk=pending["user"], is_active=True).first()


def cancel_pending_login(request: HttpRequest) -> None:
    request.session.pop(PENDING, None)
    request._corridor_clear_unlock = True  # type: ignore[attr-defined]


def complete_login(request: HttpRequest, *, user: User, factor: str) -> StaffSession:
    """Second factor verified: make the session a signed-in one and record it."""
    pending = request.session.pop(PENDING)
    if pending["user"] != str(user.pk):
        raise SessionLocked("pending sign-in belongs to another user")
    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    now = time.time()
    request.session[UNLOCK] = pending["half"]
    request.session[FACTOR] = factor
    request.session[LAST_SEEN] = now
    request.session[REAUTH_AT] = now
    request.session[SIGNED_IN_AT] = now
    request.session.save()
    session_key = request.session.session_key
    if session_key is None:
        raise SessionLocked("the session could not be saved")
    staff_session = StaffSession.objects.create(
        user=user,
        session_key=session_key,
        second_factor=factor,
        last_seen_at=datetime.now(UTC),
    )
    request.session[STAFF_SESSION] = str(staff_session.pk)
    record_event(
        action="auth.login",
        actor_id=user.pk,
        target_type="session",
        target_id=staff_session.pk,
        data={"factor": factor},
    )
    record_event(action="auth.key_unlocked", actor_id=user.pk, target_type="user", target_id=user.pk)
    return staff_session


def user_private_key(request: HttpRequest) -> bytes:
    """Join the two halves carried by this request, or raise SessionLocked."""
    half = request.session.get(UNLOCK)
    cookie = request.COOKIES.get(settings.CORRIDOR_UNLOCK_COOKIE)
    if not half or not cookie:
        raise SessionLocked("no unlocked key in this session")
    try:
        return keys.join_session_halves(_unb64(cookie), _unb64(half))
    except (DecryptionFailed, ValueError) as exc:
        raise SessionLocked("the unlock halves do not match") from exc


def end_session(request: HttpRequest, *, reason: str) -> None:
    """Sign out: the session (with its half of the key) is deleted and the cookie half cleared."""
    user = request.user
    staff_session_id = request.session.get(STAFF_SESSION)
    if staff_session_id:
        StaffSession.objects.filter(pk=staff_session_id).delete()
    if isinstance(user, User):
        record_event(
            action="auth.logout",
            actor_id=user.pk,
            target_type="session",
            target_id=staff_session_id or "",
            data={"reason": reason},
        )
    logout(request)
    request._corridor_clear_unlock = True  # type: ignore[attr-defined]


def mark_reauthenticated(request: HttpRequest) -> None:
    request.session[REAUTH_AT] = time.time()


def recently_authenticated(request: HttpRequest) -> bool:
    at = request.session.get(REAUTH_AT, 0)
    return time.time() - at <= settings.CORRIDOR_REAUTH_SECONDS


def apply_unlock_cookie(request: HttpRequest, response: HttpResponse) -> None:
    """Set or clear the cookie half as the view asked."""
    value = getattr(request, "_corridor_unlock_cookie", None)
    if value:
        response.set_cookie(
            settings.CORRIDOR_UNLOCK_COOKIE,
            value,
            httponly=True,
            secure=settings.SESSION_COOKIE_SECURE,
            samesite="Strict",
            path="/",
        )
    elif getattr(request, "_corridor_clear_unlock", False):
        response.delete_cookie(settings.CORRIDOR_UNLOCK_COOKIE, path="/", samesite="Strict")
