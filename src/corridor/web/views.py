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


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "web/csrf_failure.html", status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/error.html", {"status": 400}, status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/error.html", {"status": 403}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/error.html", {"status": 404}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "web/error.html", {"status": 500}, status=500)
