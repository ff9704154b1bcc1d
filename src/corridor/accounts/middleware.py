"""Enforces, on every request, that a signed-in session is still allowed to be."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

from corridor.accounts import unlock
from corridor.accounts.integrity import IntegrityFailure, record_integrity_failure
from corridor.accounts.models import StaffSession


class SessionGuardMiddleware:
    """Ends sessions that idled out, lost their second factor, or were ended elsewhere."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            reason = self._reason_to_end(request)
            if reason:
                unlock.end_session(request, reason=reason)
            else:
                # Activity is recorded to the minute: a session write on every page view would
                # take SQLite's write lock for nothing.
                now = time.time()
                if now - request.session.get(unlock.LAST_SEEN, 0) > 60:
                    request.session[unlock.LAST_SEEN] = now
                    StaffSession.objects.filter(pk=request.session[unlock.STAFF_SESSION]).update(
                        last_seen_at=datetime.now(UTC)
                    )
        response = self.get_response(request)
        unlock.apply_unlock_cookie(request, response)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A request whose key halves do not join (cookie lost or tampered) fails closed: sign-in again.

        A failed integrity check (a key, pin or row that configuration does not vouch
        for) refuses the whole request: it is audited and answered with a 503, never
        worked around.
        """
        if isinstance(exception, IntegrityFailure):
            record_integrity_failure(what=exception.what)
            from corridor.web.views import integrity_failure

            return integrity_failure(request)
        if not isinstance(exception, unlock.SessionLocked):
            return None
        if request.user.is_authenticated:
            unlock.end_session(request, reason="key_locked")
        return redirect_to_login(request.get_full_path())

    @staticmethod
    def _reason_to_end(request: HttpRequest) -> str:
        session = request.session
        if not session.get(unlock.FACTOR):
            return "no_second_factor"
        now = time.time()
        if now - session.get(unlock.LAST_SEEN, 0) > settings.CORRIDOR_IDLE_TIMEOUT_SECONDS:
            return "idle_timeout"
        if now - session.get(unlock.SIGNED_IN_AT, 0) > settings.SESSION_COOKIE_AGE:
            return "max_age"
        staff_session = session.get(unlock.STAFF_SESSION)
        if (
            not staff_session
            or not StaffSession.objects.filter(pk=staff_session, session_key=session.session_key).exists()
        ):
            return "ended_elsewhere"
        return ""
