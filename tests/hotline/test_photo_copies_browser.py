"""A photo's copy in Chromium: being prepared, not made because its process died, made again by a
coordinator from the original; in English and Russian, with axe on each state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.storage import default_storage
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from corridor.accounts.models import User
from corridor.hotline import photos
from corridor.hotline.models import Attachment, CopyState
from tests.browser.conftest import CHROMIUM, NO_CHROMIUM, PageFactory
from tests.browser.test_accessibility import Audit
from tests.browser.test_staff_flows import sign_in_through_pages, submit, use_language
from tests.hotline.helpers import open_web_thread, prepared_photo

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LANGUAGE_BUTTONS = {"en": "English", "ru": "Русский"}


def a_copy_never_made() -> Attachment:
    """What a web process killed after answering leaves: the row and the original, no copy."""
    thread = open_web_thread("Photos of the bruises.", files=prepared_photo("IMG_0042.jpg")).thread
    attachment = Attachment.objects.get(thread=thread)
    default_storage.delete(attachment.stripped_blob)
    Attachment.objects.filter(pk=attachment.pk).update(view_state=CopyState.PREPARING)
    return attachment


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_copy_not_made_is_said_plainly_and_a_coordinator_makes_it_again(
    new_page: PageFactory,
    live_server: LiveServer,
    olga: User,
    carol: User,
    viewport: str,
    shoot: Callable[[Page, str], None],
    axe_source: str,
    lang: str,
) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        attachment = a_copy_never_made()
        thread_url = f"{live_server.url}/staff/hotline/{attachment.thread_id}/"
        files = "ul.files"

        operator = new_page()
        sign_in_through_pages(operator, live_server, olga)
        operator.goto(f"{live_server.url}/staff/")
        use_language(operator, LANGUAGE_BUTTONS[lang], lang)
        operator_audit = Audit(operator, axe_source, viewport, shoot, scripts=True)
        operator.goto(thread_url)
        expect(operator.locator(files)).to_contain_text("IMG_0042.jpg")
        expect(operator.locator(f"{files} a")).to_have_count(0)
        operator_audit.check(f"photo-copy-preparing-{lang}")

        clock.shift(photos.ABANDONED_AFTER + timedelta(minutes=1))
        operator.reload()
        expect(operator.locator(f"{files} .notice.warn")).to_have_count(1)
        expect(operator.locator(f"{files} button")).to_have_count(0)  # no evidence key
        operator_audit.check(f"photo-copy-not-made-operator-{lang}")
        operator_audit.assert_clean()

        coordinator = new_page()
        sign_in_through_pages(coordinator, live_server, carol)
        coordinator.goto(f"{live_server.url}/staff/")
        use_language(coordinator, LANGUAGE_BUTTONS[lang], lang)
        coordinator_audit = Audit(coordinator, axe_source, viewport, shoot, scripts=True)
        coordinator.goto(thread_url)
        remake = coordinator.locator(f"{files} button")
        expect(remake).to_have_count(1)
        coordinator_audit.check(f"photo-copy-not-made-coordinator-{lang}")
        submit(remake)
        expect(coordinator.get_by_role("status")).to_have_count(1)
        expect(coordinator.locator(f"{files} a")).to_have_text("IMG_0042.jpg")
        coordinator_audit.check(f"photo-copy-made-again-{lang}")
        coordinator_audit.assert_clean()

    attachment.refresh_from_db()
    assert attachment.view_state == CopyState.READY
