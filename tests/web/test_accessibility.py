"""What assistive technology is told: field descriptions, errors, titles, languages, skip link; the CSS.

The browser tests run axe-core on every page state; these check the same promises in the
HTML and CSS directly, quickly, and without a browser.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client
from django.utils import translation

from corridor.accounts.models import User
from tests.hotline.test_public_flow import enter, request_data, submit

pytestmark = pytest.mark.django_db

STYLESHEET = Path(__file__).resolve().parents[2] / "src" / "corridor" / "static" / "corridor" / "corridor.css"


class Page(HTMLParser):
    """The elements of a page with their attributes, and the text inside each element with an id."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.title = ""
        self._open: list[tuple[str, dict[str, str]]] = []
        self.text_of: dict[int, str] = {}
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = (tag, {name: value or "" for name, value in attrs})
        self.elements.append(element)
        if tag not in {"input", "meta", "link", "br", "img", "hr"}:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._open and self._open[-1][0] == "title":
            self.title += data
        for element in self._open:
            key = id(element)
            self.text_of[key] = self.text_of.get(key, "") + data

    def find(self, tag: str | None = None, **attrs: str) -> list[dict[str, str]]:
        return [
            a
            for t, a in self.elements
            if (tag is None or t == tag) and all(a.get(k.rstrip("_")) == v for k, v in attrs.items())
        ]

    def text(self, attrs: dict[str, str]) -> str:
        for element in self.elements:
            if element[1] is attrs:
                return " ".join(self.text_of.get(id(element), "").split())
        return ""

    @property
    def ids(self) -> set[str]:
        return {a["id"] for _, a in self.elements if "id" in a}


def page_of(response: HttpResponse) -> Page:
    return Page(response.content.decode())


def assert_references_exist(page: Page) -> None:
    """Every id named by aria-describedby or aria-labelledby is on the page."""
    for _, attrs in page.elements:
        for name in ("aria-describedby", "aria-labelledby"):
            for ref in attrs.get(name, "").split():
                assert ref in page.ids, f"{name}={ref!r} points at nothing"


def error_prefix(lang: str) -> str:
    with translation.override(lang):
        return translation.gettext("Error:") + " "


# --- fields, errors and the summary ----------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_help_texts_carry_the_ids_that_the_inputs_point_at(org: dict[str, object], lang: str) -> None:
    page = page_of(Client().get(f"/{lang}/request/"))

    message = page.find("textarea", name="message")[0]
    assert "id_message_helptext" in message["aria-describedby"].split()
    assert page.find(id="id_message_helptext")
    assert page.find(id="id_safe_contact_helptext")
    assert_references_exist(page)
    assert not page.find(class_="error-summary")
    assert not page.title.startswith(error_prefix(lang))


def test_each_error_stands_at_its_field_and_the_summary_links_to_it(org: dict[str, object]) -> None:
    response = Client().post("/en/request/", request_data(in_danger_now="", message=""))
    page = page_of(response)

    assert response.status_code == 400
    assert_references_exist(page)
    # A group of choices: the fieldset is described by its error; the error is next to it.
    group = page.find("fieldset", class_="field has-error")[0]
    assert "id_in_danger_now_error" in group["aria-describedby"].split()
    assert "required" in page.text(page.find(id="id_in_danger_now_error")[0])
    assert page.find("input", id="id_in_danger_now_0")[0]["aria-invalid"] == "true"
    # The message: "a few words or a photo" is the message field's own error, not only the summary's.
    message = page.find("textarea", name="message")[0]
    assert message["aria-invalid"] == "true"
    assert message["aria-describedby"].split() == ["id_message_helptext", "id_message_error"]
    assert "Write a few words" in page.text(page.find(id="id_message_error")[0])

    summary = page.find("div", class_="notice error error-summary")[0]
    assert summary["tabindex"] == "-1"
    assert "autofocus" in summary
    assert summary["aria-labelledby"] in page.ids
    links = [a for a in page.find("a") if a.get("href", "").startswith("#id_")]
    assert [a["href"] for a in links] == ["#id_in_danger_now_0", "#id_message"]
    assert page.text(links[0]) == "Are you detained or in danger right now?: This field is required."
    assert page.text(links[1]).startswith("Your message: Write a few words")
    assert all(a["href"][1:] in page.ids for a in links)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_title_says_there_is_an_error(org: dict[str, object], lang: str) -> None:
    client = Client()
    failed = page_of(client.post(f"/{lang}/request/", request_data(in_danger_now="")))
    unknown = page_of(client.post(f"/{lang}/thread/", {"codename": "0000 0000 0000 0000"}))
    fine = page_of(client.get(f"/{lang}/request/"))

    assert failed.title.startswith(error_prefix(lang))
    assert unknown.title.startswith(error_prefix(lang))
    assert failed.title == error_prefix(lang) + fine.title
    assert not fine.title.startswith(error_prefix(lang))


def test_the_thread_form_error_is_at_the_message_field(org: dict[str, object]) -> None:
    client = Client()
    enter(client, submit(client))

    page = page_of(client.post("/en/thread/write/", {"message": ""}))

    assert_references_exist(page)
    assert page.title.startswith("Error: ")
    assert page.find("textarea", name="message")[0]["aria-invalid"] == "true"
    assert page.find(id="id_message_error")
    assert [a["href"] for a in page.find("a") if a.get("href", "").startswith("#")] == ["#id_message"]


def test_staff_form_errors_are_linked_and_titled(
    org: dict[str, object], olga: User, dave: User, signed_in: Callable[[User], Client]
) -> None:
    login = page_of(Client().post("/staff/login/", {"username": "olga", "password": "wrong"}))
    assert login.title.startswith("Error: ")
    assert login.find("div", class_="notice error error-summary")
    assert_references_exist(login)

    intake = page_of(signed_in(olga).post("/staff/hotline/intake/", {"contact": "+7 900 000-00-00"}))
    assert intake.title.startswith("Error: ")
    assert_references_exist(intake)
    assert page_links_to_fields(intake)

    created = page_of(signed_in(dave).post("/staff/users/new/", {"username": "", "roles": []}))
    assert created.title.startswith("Error: ")
    assert_references_exist(created)
    assert page_links_to_fields(created)


def page_links_to_fields(page: Page) -> list[str]:
    links = [a["href"] for a in page.find("a") if a.get("href", "").startswith("#id_")]
    assert all(href[1:] in page.ids for href in links), links
    return links


# --- titles, languages, the skip link, the codename -----------------------------------------------


def test_staff_pages_have_a_skip_link_to_the_content(
    alice: User, signed_in: Callable[[User], Client]
) -> None:
    for page in (page_of(Client().get("/staff/login/")), page_of(signed_in(alice).get("/staff/"))):
        first_link = page.find("a")[0]
        assert first_link["href"] == "#content"
        assert "skip-link" in first_link["class"]
        assert page.find("main", id="content")


def test_english_words_on_russian_staff_pages_are_marked(
    alice: User, signed_in: Callable[[User], Client], settings: Any
) -> None:
    settings.CORRIDOR_ORG_NAME = "Safe Passage"
    client = signed_in(alice)
    page = page_of(client.get("/staff/", headers={"accept-language": "ru"}))

    assert page.find("html")[0]["lang"] == "ru"
    assert page.find("button", value="en")[0]["lang"] == "en"
    assert page.find("a", class_="brand")[0]["lang"] == "en"
    words = [a for a in page.find("p") if a.get("class") == "fingerprint"]
    assert words
    assert words[0]["lang"] == "en"

    english = page_of(client.get("/staff/", headers={"accept-language": "en"}))
    assert english.find("button", value="ru")[0]["lang"] == "ru"
    assert "lang" not in english.find("a", class_="brand")[0]


def test_a_cyrillic_name_on_english_pages_is_marked_russian(org: dict[str, object], settings: Any) -> None:
    settings.CORRIDOR_ORG_NAME = "Коридор"
    assert page_of(Client().get("/en/")).find("a", class_="brand")[0]["lang"] == "ru"
    assert "lang" not in page_of(Client().get("/ru/")).find("a", class_="brand")[0]


def test_the_codename_is_labelled_by_a_heading_not_a_prohibited_aria_label(org: dict[str, object]) -> None:
    response = Client().post("/en/request/", request_data())
    page = page_of(response)

    codename = next(a for a in page.find("p") if "codename" in a.get("class", "").split())
    assert "aria-label" not in codename
    assert any("Your codename" in page.text(h) for h in page.find("h2"))


# --- the stylesheet -----------------------------------------------------------------------------


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def css() -> str:
    return STYLESHEET.read_text(encoding="utf-8")


def variable(name: str) -> str:
    match = re.search(rf"--{name}:\s*(#[0-9a-fA-F]{{6}})", css())
    assert match, name
    return match.group(1)


def test_focus_outline_and_input_borders_reach_three_to_one() -> None:
    backgrounds = ["#ffffff", variable("bg"), variable("error-bg"), variable("warn-bg")]
    for name in ("focus", "control"):
        for background in backgrounds:
            assert contrast(variable(name), background) >= 3, (name, background)
    sheet = css()
    assert re.search(r":focus[^{]*\{[^}]*outline:\s*3px solid var\(--focus\)", sheet)
    assert re.search(r"input\[type=text\][^{]*\{[^}]*border:\s*1px solid var\(--control\)", sheet)


def test_text_sizes_follow_the_browsers_font_setting() -> None:
    sheet = css()
    assert not re.findall(r"font-size:\s*[\d.]+px", sheet)
    assert not re.findall(r"font-size:[^;]*vw", sheet)  # a size from the screen width ignores the setting


def test_the_codename_and_the_applicant_header_may_wrap() -> None:
    sheet = css()
    for selector in (r"\.codename[^{]*", r"\.public \.bar", r"\.public \.brand", r"\.quick-exit"):
        for block in re.findall(selector + r"\{([^}]*)\}", sheet):
            assert "nowrap" not in block, (selector, block)
