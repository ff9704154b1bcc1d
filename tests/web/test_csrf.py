"""Forms work under no-referrer (Origin: null) only when the browser says they came from this origin."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import PASSWORD


def post_login(client: Client, **headers: str):  # type: ignore[no-untyped-def]
    page = client.get("/staff/login/")
    token = page.context["csrf_token"]
    return client.post(
        "/staff/login/",
        {"username": "alice", "password": PASSWORD, "csrfmiddlewaretoken": str(token)},
        headers=headers,
    )


@pytest.mark.usefixtures("alice")
def test_same_origin_form_with_null_origin_is_accepted() -> None:
    client = Client(enforce_csrf_checks=True)
    response = post_login(client, origin="null", sec_fetch_site="same-origin")
    assert response.status_code == 302


@pytest.mark.usefixtures("alice")
@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "null"},
        {"origin": "null", "sec_fetch_site": "cross-site"},
        {"origin": "null", "sec_fetch_site": "same-site"},
        {"origin": "https://evil.example", "sec_fetch_site": "same-origin"},
    ],
)
def test_other_origins_are_refused(headers: dict[str, str]) -> None:
    client = Client(enforce_csrf_checks=True)
    response = post_login(client, **headers)
    assert response.status_code == 403
    assert b"expired" in response.content


@pytest.mark.usefixtures("alice")
def test_https_without_referer_needs_same_origin_fetch() -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get("/staff/login/", secure=True)
    data = {"username": "alice", "password": PASSWORD, "csrfmiddlewaretoken": str(page.context["csrf_token"])}
    assert client.post("/staff/login/", data, secure=True).status_code == 403
    ok = client.post("/staff/login/", data, secure=True, headers={"sec_fetch_site": "same-origin"})
    assert ok.status_code == 302


@pytest.mark.usefixtures("alice")
def test_the_token_is_still_required() -> None:
    client = Client(enforce_csrf_checks=True)
    client.get("/staff/login/")
    response = client.post(
        "/staff/login/",
        {"username": "alice", "password": PASSWORD, "csrfmiddlewaretoken": "x" * 64},
        headers={"origin": "null", "sec_fetch_site": "same-origin"},
    )
    assert response.status_code == 403
