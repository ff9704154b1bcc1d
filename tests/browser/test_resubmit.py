"""Sending the request again by accident (reload, back and send, double tap) opens one thread."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from corridor.hotline.models import Thread
from tests.browser.conftest import CHROMIUM, NO_CHROMIUM, PageFactory

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]

CODENAME = re.compile(r"\d{4} \d{4} \d{4} \d{4} \d{4}")


def fill_request(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/en/request/")
    page.locator(".field").filter(
        has=page.get_by_text("Are you detained or in danger right now?", exact=True)
    ).get_by_label("No", exact=True).check()
    page.get_by_label("Your message").fill("Please answer me, I am at a friend's place for two days.")


def shown_codename(page: Page) -> str:
    text = page.locator("p.codename").inner_text()
    match = CODENAME.search(re.sub(r"\s+", " ", text))
    assert match, text
    return match.group(0)


@pytest.mark.django_db(transaction=True)
def test_back_and_send_again_reload_and_double_tap_open_one_thread(
    new_page: PageFactory, live_server: LiveServer, org: dict[str, object]
) -> None:
    page = new_page(java_script_enabled=False)
    fill_request(page, live_server)
    page.get_by_role("button", name="Send", exact=True).click()
    first = shown_codename(page)
    assert Thread.objects.count() == 1

    # Back to the form, which the browser fills in again as it was, and send it again.
    page.go_back()
    expect(page.get_by_label("Your message")).to_have_value(
        "Please answer me, I am at a friend's place for two days."
    )
    page.get_by_role("button", name="Send", exact=True).click()
    assert shown_codename(page) == first
    expect(page.get_by_text("This request had already been sent")).to_be_visible()
    assert Thread.objects.count() == 1

    # Reloading the codename page sends the same form again: the same codename, nothing new.
    page.reload()
    assert shown_codename(page) == first
    assert Thread.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_double_tap_on_send_opens_one_thread(
    new_page: PageFactory, live_server: LiveServer, org: dict[str, object]
) -> None:
    page = new_page(java_script_enabled=False)
    fill_request(page, live_server)
    page.get_by_role("button", name="Send", exact=True).dblclick()
    codename = shown_codename(page)
    assert Thread.objects.count() == 1
    assert CODENAME.fullmatch(codename)
