"""Django's CSRF protection, fitted to `Referrer-Policy: no-referrer`."""

from __future__ import annotations

from django.http import HttpRequest
from django.middleware.csrf import CsrfViewMiddleware


def _same_origin_fetch(request: HttpRequest) -> bool:
    # Browsers set Sec-Fetch-Site themselves and pages cannot forge it; "same-origin"
    # means same scheme, host and port, so a plain-HTTP page cannot pass for this site.
    return request.META.get("HTTP_SEC_FETCH_SITE") == "same-origin"


class CsrfMiddleware(CsrfViewMiddleware):
    """With no-referrer, browsers post forms with `Origin: null` and no Referer.

    Django would refuse every such form. Here a null Origin or a missing Referer is
    accepted only when the browser says the request came from this very origin; the
    CSRF token (and SameSite=Strict cookies) are checked on every request as before.
    """

    def _origin_verified(self, request: HttpRequest) -> bool:
        if request.META.get("HTTP_ORIGIN") == "null":
            return _same_origin_fetch(request)
        return bool(super()._origin_verified(request))  # type: ignore[misc]  # private in the stubs

    def _check_referer(self, request: HttpRequest) -> None:
        if "HTTP_REFERER" not in request.META and _same_origin_fetch(request):
            return
        super()._check_referer(request)  # type: ignore[misc]  # private in the stubs
