"""What a person is told to expect, in the organisation's words, and times in the person's zone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from tests.hotline.test_public_flow import enter, request_data, submit

pytestmark = pytest.mark.django_db

DEFAULTS = {
    "en": ("What happens next", "A person reads every message.", "If someone is detained right now"),
    "ru": ("Что будет дальше", "Каждое сообщение читает человек.", "Если кого-то задержали прямо сейчас"),
}


def landing_and_codename_pages(lang: str) -> dict[str, str]:
    return {
        "landing": Client().get(f"/{lang}/").content.decode(),
        "codename": Client().post(f"/{lang}/request/", request_data()).content.decode(),
    }


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_landing_and_codename_pages_say_what_happens_next(org: dict[str, object], lang: str) -> None:
    for name, page in landing_and_codename_pages(lang).items():
        for text in DEFAULTS[lang]:
            assert text in page, f"{text!r} is missing from the {name} page"
        assert 'class="other-channels"' not in page  # nothing to show until the organisation says


def test_the_organisation_words_come_from_the_settings_per_language(
    org: dict[str, object], settings: Any
) -> None:
    settings.CORRIDOR_REPLY_EXPECTATION = {"": "We answer within 4 hours, day and night.", "ru": "", "en": ""}
    settings.CORRIDOR_DETAINED_NOW_TEXT = {
        "": "",
        "ru": "Звоните юристу: +7 900 000-00-00.",
        "en": "Call our lawyer: +7 900 000-00-00.",
    }
    settings.CORRIDOR_OTHER_CHANNELS = {"": "Signal: <b>@help</b> https://t.example/help", "ru": "", "en": ""}

    for lang in ("en", "ru"):
        for name, page in landing_and_codename_pages(lang).items():
            assert "We answer within 4 hours, day and night." in page, name
            assert ("Звоните юристу" if lang == "ru" else "Call our lawyer") in page, name
            assert "A person reads every message." not in page, name
            # Plain text only: escaped, and never a link to another host.
            assert "Signal: &lt;b&gt;@help&lt;/b&gt; https://t.example/help" in page, name
            assert 'href="https://t.example' not in page, name


@pytest.mark.parametrize(("zone", "shown"), [("Europe/Moscow", "15:07"), ("Asia/Yekaterinburg", "17:07")])
def test_times_on_the_thread_page_are_in_the_applicant_time_zone(
    org: dict[str, object], settings: Any, zone: str, shown: str
) -> None:
    settings.CORRIDOR_APPLICANT_TIME_ZONE = zone
    client = Client()
    with time_machine.travel(datetime(2026, 3, 2, 12, 7, tzinfo=UTC), tick=False):
        codename = submit(client)
    enter(client, codename)

    page = client.get("/en/thread/messages/").content.decode()

    assert f"2 March, {shown}" in page
    assert "12:07" not in page
