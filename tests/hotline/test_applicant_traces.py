"""What applicant pages leave on the phone: cookies, titles, the quick exit, the codename field."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.checks import Error
from django.http import HttpResponse
from django.test import Client
from django.utils import translation

from corridor.web.checks import applicant_side_check
from tests.conftest import PASSWORD
from tests.hotline.test_public_flow import CODENAME, enter, request_data, submit

pytestmark = pytest.mark.django_db

TITLE = re.compile(r"<title>([^<]*)</title>")


def title(response: HttpResponse) -> str:
    match = TITLE.search(response.content.decode())
    assert match, response.content.decode()
    return match.group(1).strip()


# --- cookies ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_landing_page_sets_no_cookie(org: dict[str, object], lang: str) -> None:
    client = Client()

    assert dict(client.get(f"/{lang}/").cookies) == {}
    assert dict(client.get("/").cookies) == {}  # the bare address redirects there
    assert dict(client.get(f"/{lang}/recipes/").cookies) == {}


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_csrf_cookie_ends_with_the_browser_session(org: dict[str, object], lang: str) -> None:
    client = Client()
    pages = {"request form": client.get(f"/{lang}/request/"), "codename page": client.get(f"/{lang}/thread/")}
    codename = submit(client, lang)
    enter(client, codename, lang)
    pages["thread"] = client.get(f"/{lang}/thread/messages/")

    issued = {name: page.cookies[django_settings.CSRF_COOKIE_NAME] for name, page in pages.items()}
    assert "request form" in issued
    for name, cookie in issued.items():
        assert cookie.value, name
        assert cookie["max-age"] == "", f"the CSRF cookie of the {name} outlives the browser session"
        assert cookie["expires"] == "", f"the CSRF cookie of the {name} outlives the browser session"


def test_staff_sign_in_works_with_the_session_csrf_cookie(alice: object) -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get("/staff/login/")
    cookie = page.cookies[django_settings.CSRF_COOKIE_NAME]
    assert (cookie["max-age"], cookie["expires"]) == ("", "")

    response = client.post(
        "/staff/login/",
        {"username": "alice", "password": PASSWORD, "csrfmiddlewaretoken": str(page.context["csrf_token"])},
        headers={"origin": "null", "sec_fetch_site": "same-origin"},
    )

    assert response.status_code == 302


# --- titles -------------------------------------------------------------------------------


def applicant_pages(lang: str) -> dict[str, HttpResponse]:
    """One response of each kind a person meets, in one language."""
    client = Client()
    pages = {
        "landing": client.get(f"/{lang}/"),
        "request form": client.get(f"/{lang}/request/"),
        "form with errors": client.post(f"/{lang}/request/", request_data(in_danger_now="")),
        "codename page": client.get(f"/{lang}/thread/"),
        "unknown codename": client.post(f"/{lang}/thread/", {"codename": "0000 0000 0000 0000"}),
        "not found": client.get(f"/{lang}/no-such-page/"),
        "neutral": client.get(f"/{lang}/recipes/"),
        "expired form": Client(enforce_csrf_checks=True).post(f"/{lang}/thread/", {"codename": "1"}),
    }
    sent = client.post(f"/{lang}/request/", request_data())
    pages["codename shown"] = sent
    codename = CODENAME.search(sent.content.decode())
    assert codename
    enter(client, codename.group(1), lang)
    pages["thread"] = client.get(f"/{lang}/thread/messages/")
    return pages


@pytest.mark.parametrize(("lang", "neutral"), [("en", "Notes"), ("ru", "Заметки")])
def test_every_applicant_page_has_the_neutral_title_and_a_neutral_word(
    org: dict[str, object], lang: str, neutral: str
) -> None:
    titles = {name: title(page) for name, page in applicant_pages(lang).items()}
    with translation.override(lang):
        error = translation.gettext("Error:") + " "

    for name, shown in titles.items():
        failed = name in {"form with errors", "unknown codename"}
        assert shown.startswith(error + neutral if failed else neutral), (name, shown)
        assert len(shown.split(" — ")) <= 2, (name, shown)
        assert not re.search(r"help|hotline|codename|conversation|помощ|кодов|переписк", shown, re.I), shown
    # Each kind of page has its own title (screen-reader users find their way by titles).
    pages = ("landing", "request form", "codename page", "codename shown", "thread", "neutral", "not found")
    assert len({titles[name] for name in pages}) == len(pages), titles
    assert titles["form with errors"] == error + titles["request form"]


def test_the_title_comes_from_the_settings_per_language(org: dict[str, object], settings: Any) -> None:
    settings.CORRIDOR_APPLICANT_TITLE = {"": "Garden diary", "ru": "Дневник сада", "en": ""}

    assert title(Client().get("/ru/")) == "Дневник сада"
    assert title(Client().get("/en/thread/")).startswith("Garden diary — ")
    assert title(Client().get("/en/recipes/")).startswith("Garden diary — ")


def test_staff_pages_keep_their_own_titles(org: dict[str, object]) -> None:
    assert "Notes" not in title(Client().get("/staff/login/"))


# --- the quick exit -----------------------------------------------------------------------


def test_by_default_the_quick_exit_stays_on_this_site(org: dict[str, object]) -> None:
    client = Client()
    enter(client, submit(client))

    response = client.get("/en/recipes/")

    assert response.status_code == 200
    assert response.cookies["corridor_thread"].value == ""
    assert client.get("/en/thread/messages/")["Location"] == "/en/thread/"


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_configured_quick_exit_leaves_the_thread_then_the_site(
    org: dict[str, object], settings: Any, lang: str
) -> None:
    settings.CORRIDOR_QUICK_EXIT_URL = {
        "": "https://weather.example/",
        "ru": "https://pogoda.example/",
        "en": "",
    }
    client = Client()
    codename = submit(client, lang)
    enter(client, codename, lang)
    page = client.get(f"/{lang}/thread/messages/").content.decode()
    assert f'class="quick-exit" href="/{lang}/recipes/"' in page  # the link itself stays on this site

    response = client.get(f"/{lang}/recipes/")

    assert response.status_code == 302
    assert response["Location"] == ("https://pogoda.example/" if lang == "ru" else "https://weather.example/")
    assert response["Referrer-Policy"] == "no-referrer"
    assert response.cookies["corridor_thread"].value == ""
    assert client.get(f"/{lang}/thread/messages/")["Location"] == f"/{lang}/thread/"


def test_the_quick_exit_leaves_even_when_nobody_is_in_a_thread(org: dict[str, object], settings: Any) -> None:
    settings.CORRIDOR_QUICK_EXIT_URL = {"": "https://weather.example/today", "ru": "", "en": ""}

    response = Client().get("/en/recipes/")

    assert response.status_code == 302
    assert response["Location"] == "https://weather.example/today"
    assert dict(response.cookies) == {}


BAD_EXITS = [
    "http://weather.example/",
    "javascript:alert(1)",
    "//weather.example/",
    "/en/",
    "https://",
    "https://user:secret@weather.example/",
    "https://weather.example/a b",
    "https://weather.example\\@evil.example/",
    "https://weather.example:99999/",
    "data:text/html,hello",
]


@pytest.mark.parametrize("url", BAD_EXITS)
def test_a_bad_quick_exit_address_is_refused_at_start(settings: Any, url: str) -> None:
    settings.CORRIDOR_QUICK_EXIT_URL = {"": "", "ru": url, "en": ""}

    errors = applicant_side_check(None)

    assert [(e.id, e.msg.split(" ")[0]) for e in errors] == [("corridor.E010", "CORRIDOR_QUICK_EXIT_URL_RU")]
    assert all(isinstance(e, Error) for e in errors)


@pytest.mark.parametrize("url", BAD_EXITS)
def test_a_bad_address_that_slips_past_the_check_keeps_the_neutral_page(
    org: dict[str, object], settings: Any, url: str
) -> None:
    settings.CORRIDOR_QUICK_EXIT_URL = {"": url, "ru": "", "en": ""}

    response = Client().get("/en/recipes/")

    assert response.status_code == 200
    assert "Lentil soup" in response.content.decode()


def test_good_applicant_settings_pass_the_check(settings: Any) -> None:
    settings.CORRIDOR_QUICK_EXIT_URL = {
        "": "https://weather.example/",
        "ru": "https://pogoda.example/x?y=1",
        "en": "",
    }
    settings.CORRIDOR_APPLICANT_TIME_ZONE = "Asia/Yekaterinburg"

    assert applicant_side_check(None) == []


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "../../etc/passwd", "MSK+3"])
def test_an_unknown_applicant_time_zone_is_refused(settings: Any, zone: str) -> None:
    settings.CORRIDOR_APPLICANT_TIME_ZONE = zone

    assert [e.id for e in applicant_side_check(None)] == ["corridor.E011"]


# --- the codename field -------------------------------------------------------------------

PASSWORD_FIELD = re.compile(r'<input type="password" name="codename"[^>]*>')
TEXT_FIELD = re.compile(r'<input type="text" name="codename"[^>]*>')


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_codename_field_is_a_password_field_the_browser_does_not_remember(
    org: dict[str, object], lang: str
) -> None:
    page = Client().get(f"/{lang}/thread/").content.decode()

    (field,) = PASSWORD_FIELD.findall(page)
    assert 'autocomplete="off"' in field
    assert "value=" not in field
    assert TEXT_FIELD.search(page) is None
    assert 'name="show"' in page


def test_show_brings_back_what_was_typed_in_a_text_field_without_looking_it_up(
    org: dict[str, object], settings: Any
) -> None:
    settings.CORRIDOR_LOOKUP_FAILURE_LIMIT = 1
    client = Client()
    codename = submit(client)
    typed = "1111 2222 3333 4444"

    for _ in range(3):  # a look-up of a wrong codename would reach the limit at once
        shown = client.post("/en/thread/", {"codename": typed, "show": "1"})
        assert shown.status_code == 200
        assert "corridor_thread" not in shown.cookies

    page = shown.content.decode()
    (field,) = TEXT_FIELD.findall(page)
    assert f'value="{typed}"' in field
    assert 'autocomplete="off"' in field
    assert "autofocus" in field
    assert 'name="hide"' in page
    assert "not known" not in page
    enter(client, codename)  # not throttled: nothing was looked up


def test_hide_goes_back_to_the_password_field_keeping_what_was_typed(org: dict[str, object]) -> None:
    response = Client().post("/en/thread/", {"codename": "1111 2222", "hide": "1"})

    assert response.status_code == 200
    (field,) = PASSWORD_FIELD.findall(response.content.decode())
    assert 'value="1111 2222"' in field
    assert 'autocomplete="off"' in field


def test_open_after_show_enters_the_thread(org: dict[str, object]) -> None:
    client = Client()
    codename = submit(client)
    client.post("/en/thread/", {"codename": codename, "show": "1"})

    enter(client, codename)

    assert client.get("/en/thread/messages/").status_code == 200
