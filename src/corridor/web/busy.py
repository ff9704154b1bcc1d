"""The calm answer to a full Argon2id pool: 503 with Retry-After, in the page's own layout."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from corridor.limits.pool import Busy


def busy_response(request: HttpRequest) -> HttpResponse:
    """ "Busy, try again in a minute": applicants in their layout, staff in theirs."""
    staff = request.path.startswith("/staff/")
    template = "limits/busy_staff.html" if staff else "limits/busy_public.html"
    response = render(request, template, status=503)
    response["Retry-After"] = str(settings.CORRIDOR_BUSY_RETRY_SECONDS)
    # Expected under load, and counted elsewhere: not one error line per busy answer.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


class BusyMiddleware:
    """Turns Busy from any view (sign-in, look-up, a new request) into the busy page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Busy):
            return busy_response(request)
        return None
