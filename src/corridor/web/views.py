"""The staff home page and the error pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from corridor.accounts import keyring
from corridor.accounts.decorators import staff_required
from corridor.accounts.models import User


@staff_required
@require_GET
def home_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    missing = keyring.entitled_kinds(user) - keyring.held_kinds(user)
    context = {
        "missing_keys": sorted(k.label for k in missing),
        "fingerprint": keyring.signing_fingerprint_words() if keyring.organisation_initialised() else "",
    }
    return render(request, "web/home.html", context)


def _error(request: HttpRequest, status: int) -> HttpResponse:
    """Applicant pages get errors in their own calm layout, with no trace of the staff side."""
    staff = request.path.startswith("/staff/")
    template = "web/error.html" if staff else "hotline/public/error.html"
    return render(request, template, {"status": status}, status=status)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if not request.path.startswith("/staff/"):
        return render(request, "hotline/public/error.html", {"status": 403, "expired": True}, status=403)
    return render(request, "web/csrf_failure.html", status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, 500)


def integrity_failure(request: HttpRequest) -> HttpResponse:
    """A key or row failed its integrity check: nothing was shown or changed."""
    return _error(request, 503)
