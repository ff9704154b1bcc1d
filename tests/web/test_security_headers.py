"""Every URL, for every kind of visitor, sends the security headers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from corridor.accounts.models import User

SAMPLE = {
    "uuid": "2f1c6a9e-5b0d-4c3e-9a7f-0d8e6b4a1c22",
    "int": "1",
    "slug": "hotline",
    "str": "x",
    "path": "x",
}


def all_paths() -> list[str]:
    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> Iterator[str]:
        for entry in patterns:
            route = str(entry.pattern)
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + route)
            else:
                yield prefix + route

    out = []
    for route in walk(get_resolver().url_patterns, "/"):
        for name, value in SAMPLE.items():
            while f"<{name}:" in route:
                start = route.index(f"<{name}:")
                route = route[:start] + value + route[route.index(">", start) + 1 :]
        out.append(route.replace("^", "").replace("$", ""))
    return sorted(set(out))


PATHS = all_paths()


def assert_headers(response, path: str) -> None:  # type: ignore[no-untyped-def]
    csp = response.get("Content-Security-Policy", "")
    assert "default-src 'none'" in csp, path
    assert "frame-ancestors 'none'" in csp, path
    assert "script-src 'self'" in csp, path
    assert "unsafe-inline" not in csp, path
    assert response["X-Frame-Options"] == "DENY", path
    assert response["Referrer-Policy"] == "no-referrer", path
    assert response["X-Content-Type-Options"] == "nosniff", path
    assert "geolocation=()" in response["Permissions-Policy"], path
    assert "camera=()" in response["Permissions-Policy"], path
    assert response["Cross-Origin-Opener-Policy"] == "same-origin", path
    assert "no-store" in response["Cache-Control"], path


def test_the_sweep_covers_the_staff_surface() -> None:
    assert len(PATHS) >= 25
    assert "/staff/login/" in PATHS
    assert "/staff/audit/" in PATHS


@pytest.mark.django_db
@pytest.mark.parametrize("path", PATHS)
def test_anonymous_visitor_gets_headers_on_every_url(client: Client, path: str) -> None:
    for method in (client.get, client.post):
        response = method(path)
        assert response.status_code < 500, path
        assert_headers(response, path)


@pytest.mark.parametrize("persona", ["alice", "dave", "judy", "olga"])
def test_signed_in_staff_get_headers_on_every_url(signed_in, request, persona: str) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(request.getfixturevalue(persona))
    for path in PATHS:
        if path.endswith(("/logout/", "/end/")):
            continue
        response = client.get(path)
        assert response.status_code < 500, path
        assert_headers(response, path)


@pytest.mark.django_db
def test_error_pages_get_headers(client: Client) -> None:
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert_headers(response, "404")


@pytest.mark.django_db
def test_hsts_when_https_is_configured(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SECURE_HSTS_SECONDS = 63072000
    settings.SECURE_SSL_REDIRECT = False
    response = client.get("/staff/login/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=63072000")


@pytest.mark.django_db
def test_cookies_are_strict_and_http_only(client: Client, alice: User) -> None:
    response = client.get("/staff/login/")
    csrf = response.cookies["corridor_csrf"]
    assert csrf["httponly"]
    assert csrf["samesite"] == "Strict"
    from tests.conftest import PASSWORD

    response = client.post("/staff/login/", {"username": "alice", "password": PASSWORD})
    session = response.cookies["corridor_session"]
    assert session["httponly"]
    assert session["samesite"] == "Strict"
