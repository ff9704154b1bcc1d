"""Russian pages speak no English: the fingerprint as digits, and digit codenames only."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from shamir_mnemonic.wordlist import WORDLIST

from corridor.accounts import keyring
from corridor.accounts.models import User
from corridor.crypto.words import words_to_digits
from corridor.hotline.models import Thread
from tests.hotline.test_public_flow import CODENAME, enter, request_data, submit

pytestmark = pytest.mark.django_db

WORD_CODENAME = re.compile(r'<p class="codename"[^>]*>\s*([a-z]+(?: [a-z]+){6})\s*</p>')
ENGLISH_WORDS = set(WORDLIST)


def fingerprint_groups(text: str) -> str:
    """How a fingerprint is laid out on a page, one span per group."""
    return "".join(f'<span class="fp-group">{group.strip()}</span> ' for group in text.split("·"))


def words_on(page: str) -> set[str]:
    return set(re.findall(r"[a-z]+", re.sub(r"<[^>]+>", " ", page))) & ENGLISH_WORDS


def russian_page(name: str) -> str:
    """The start page, the codename page or the thread page, in Russian."""
    client = Client()
    if name == "codename":
        return client.post("/ru/request/", request_data()).content.decode()
    if name == "thread":
        enter(client, submit(client, "ru"), "ru")
        return client.get("/ru/thread/messages/").content.decode()
    return client.get("/ru/").content.decode()


@pytest.mark.parametrize("name", ["landing", "codename", "thread"])
def test_russian_pages_show_the_fingerprint_as_digits(org: dict[str, object], name: str) -> None:
    words = keyring.signing_fingerprint_words()

    page = russian_page(name)

    assert fingerprint_groups(words_to_digits(words)) in page
    assert fingerprint_groups(words) not in page
    assert not set(words.replace("·", " ").split()) & words_on(page)
    assert "Сравните эти числа" in page or "Числа этого ключа" in page


@pytest.mark.parametrize("path", ["/en/", "/en/thread/messages/"])
def test_english_pages_keep_the_words(org: dict[str, object], path: str) -> None:
    client = Client()
    if "thread" in path:
        enter(client, submit(client, "en"), "en")
    page = client.get(path).content.decode()

    assert fingerprint_groups(keyring.signing_fingerprint_words()) in page


def test_the_russian_request_form_offers_no_word_codename(org: dict[str, object]) -> None:
    russian = Client().get("/ru/request/").content.decode()
    english = Client().get("/en/request/").content.decode()

    assert 'name="codename_form"' not in russian
    assert 'name="codename_form" value="words"' in english


def test_a_russian_page_issues_digits_even_when_words_are_asked_for(org: dict[str, object]) -> None:
    response = Client().post("/ru/request/", request_data(codename_form="words"))

    assert response.status_code == 200
    assert CODENAME.search(response.content.decode())
    assert WORD_CODENAME.search(response.content.decode()) is None


def test_english_pages_still_issue_word_codenames_that_open_on_russian_pages(org: dict[str, object]) -> None:
    response = Client().post("/en/request/", request_data(codename_form="words"))
    match = WORD_CODENAME.search(response.content.decode())
    assert match, response.content.decode()

    client = Client()
    enter(client, match.group(1), "ru")

    assert client.get("/ru/thread/messages/").status_code == 200
    assert Thread.objects.count() == 1


def test_digit_codenames_keep_at_least_50_bits(org: dict[str, object]) -> None:
    codename = submit(Client(), "ru")

    digits = codename.replace(" ", "")
    assert len(digits) == 20  # 16 random digits (10**16 > 2**53) and a 4-digit tag


def test_staff_home_shows_the_fingerprint_as_words_and_as_digits(
    org: dict[str, object], olga: User, signed_in: Callable[[User], Client]
) -> None:
    words = keyring.signing_fingerprint_words()

    page = signed_in(olga).get("/staff/").content.decode()

    assert fingerprint_groups(words) in page
    assert fingerprint_groups(words_to_digits(words)) in page
