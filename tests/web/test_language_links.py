"""Language links are rebuilt from the page's URL name: a crafted address cannot make them point elsewhere."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import unquote_to_bytes

import pytest
from django.http import HttpResponse
from django.test import Client

pytestmark = pytest.mark.django_db

# Each as a browser or a script would send it; the server percent-decodes the path.
CRAFTED = [
    "//evil.example/ru/",
    "//evil.example/en/thread/",
    "///evil.example/ru/",
    "//evil.example/ru/?x=1",
    "/ru//evil.example",
    "/ru//evil.example/",
    "/en//evil.example/ru/",
    "/%2F%2Fevil.example/ru/",
    "/%2Fevil.example/ru/",
    "/ru/%2F%2Fevil.example/",
    "/\\evil.example/ru/",
    "/%5Cevil.example/ru/",
    "/%5C%5Cevil.example/ru/",
    "/ru/\\evil.example",
    "/%09/evil.example/ru/",
    "/ru/?next=//evil.example/",
    "/ru/request/?//evil.example/",
    "/en/thread/?lang=%2F%2Fevil.example",
    "/ru/recipes/?/\\evil.example",
]
SAME_SITE_PATH = re.compile(r"^/(?![/\\])")


class _Links(HTMLParser):
    """Every address attribute on a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [
            value or "" for name, value in attrs if name in {"href", "src", "action", "formaction"}
        ]


def addresses(page: str) -> list[str]:
    parser = _Links()
    parser.feed(page)
    return parser.found


def get_as_sent(client: Client, raw: str) -> HttpResponse:
    """GET what a WSGI server hands on for this request line: the path decoded, the query as sent."""
    path, _, query = raw.partition("?")
    response: HttpResponse = client.get(
        "/", PATH_INFO=unquote_to_bytes(path).decode("latin-1"), QUERY_STRING=query
    )
    return response


@pytest.mark.parametrize("raw", CRAFTED)
def test_every_link_on_a_crafted_address_stays_on_this_site(org: dict[str, object], raw: str) -> None:
    response = get_as_sent(Client(), raw)

    if response.status_code in (301, 302):
        assert SAME_SITE_PATH.match(response["Location"]), response["Location"]
        return
    assert response.status_code in (200, 404), raw
    found = addresses(response.content.decode())
    assert found, "no links at all: the page did not render"
    for address in found:
        if address == "data:,":  # the empty favicon, which loads nothing
            continue
        assert SAME_SITE_PATH.match(address), f"{raw} gave a link to {address!r}"
        assert "evil" not in address, f"{raw} gave a link to {address!r}"


@pytest.mark.parametrize("raw", ["//evil.example/ru/", "/\\evil.example/en/", "/ru//evil.example"])
def test_a_page_that_does_not_resolve_offers_the_start_pages(org: dict[str, object], raw: str) -> None:
    page = get_as_sent(Client(), raw).content.decode()

    assert 'href="/ru/" lang="ru"' in page
    assert 'href="/en/" lang="en"' in page


@pytest.mark.parametrize(
    ("path", "russian", "english"),
    [
        ("/en/", "/ru/", "/en/"),
        ("/en/request/", "/ru/request/", "/en/request/"),
        ("/ru/thread/", "/ru/thread/", "/en/thread/"),
        ("/ru/request/?x=//evil.example", "/ru/request/", "/en/request/"),
    ],
)
def test_language_links_keep_the_page_and_drop_the_query(
    org: dict[str, object], path: str, russian: str, english: str
) -> None:
    page = Client().get(path).content.decode()

    assert f'href="{russian}" lang="ru"' in page
    assert f'href="{english}" lang="en"' in page
