"""The documenter's consent flow in Chromium: Adam's consent to the UN recorded on his page and on his
statement, the event exported for the UN (his statement in, the others counted out), his consent
withdrawn, and the next export without his statement. At a phone's width and a desktop's, with
screenshots for people to look at."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.urls import reverse
from playwright.sync_api import Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from corridor.accounts.models import User
from corridor.documentation.consent.models import Consent, Withdrawal
from tests.browser.conftest import CHROMIUM, NO_CHROMIUM, PageFactory
from tests.browser.test_cases_flow import no_wider_than_the_screen
from tests.browser.test_staff_flows import heading, sign_in_through_pages, submit
from tests.documentation.consent.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]
Shoot = Callable[[Page, str], None]


def _record_consent(page: Page) -> None:
    page.get_by_text("Record a consent").click()
    form = page.locator("form", has=page.get_by_role("button", name="Record the consent"))
    form.get_by_label("Scope").select_option("mechanism")
    form.get_by_label("Mechanism").select_option("un")
    form.get_by_label("Given on").fill("2017-05-14")
    form.get_by_label("How it was given").select_option("oral_recorded")
    form.get_by_label("Notes").fill("Recording 14 May, second call.")
    submit(form.get_by_role("button", name="Record the consent"))


def _export(page: Page, details: Locator) -> dict[str, object]:
    details.locator("summary").click()
    details.get_by_label("Scope").select_option("mechanism")
    details.get_by_label("Mechanism").select_option("un")
    with page.expect_download() as download:
        details.get_by_role("button", name="Download the export").click()
    path = download.value.path()
    assert download.value.suggested_filename.startswith("corridor-export-mechanism-")
    document: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return document


def test_consent_recorded_exported_and_withdrawn(
    new_page: PageFactory, live_server: LiveServer, dora: User, world: World, shoot: Shoot
) -> None:
    page = new_page()
    sign_in_through_pages(page, live_server, dora)

    # Adam's page: no consent yet, nothing about him leaves Corridor.
    page.goto(live_server.url + reverse("documentation:person", kwargs={"person_id": world.adam.pk}))
    expect(
        page.get_by_text("No standing consent: nothing about this person leaves Corridor.")
    ).to_be_visible()
    page.get_by_role("link", name="Record or withdraw consent").click()
    expect(heading(page)).to_contain_text("Adam Umarov")
    _record_consent(page)
    expect(page.get_by_role("heading", level=3)).to_contain_text("UN body")
    expect(page.get_by_text("Recording 14 May, second call.")).to_be_visible()
    no_wider_than_the_screen(page)
    shoot(page, "consent-person")

    # His statement, from the event's page.
    event_url = live_server.url + reverse("documentation:event", kwargs={"event_id": world.event.pk})
    page.goto(event_url)
    page.locator("tr", has_text="I saw them take").get_by_role("link", name="No consent").click()
    expect(heading(page)).to_have_text("Consent to a statement")
    _record_consent(page)
    expect(page.get_by_text("I saw them take Zelim Bakaev into the yard.")).to_be_visible()
    no_wider_than_the_screen(page)
    shoot(page, "consent-statement")

    # The export for the UN: Adam's statement, Zelim's name masked, two statements counted out.
    page.goto(event_url)
    expect(page.locator("tr", has_text="I saw them take").get_by_role("link", name="UN body")).to_be_visible()
    details = page.locator("details", has_text="Export this event")
    document = _export(page, details)
    events = document["events"]
    assert isinstance(events, list)
    assert [s["statement"] for s in events[0]["statements"]] == ["I saw them take […] into the yard."]
    assert events[0]["statements_left_out"] == 2
    no_wider_than_the_screen(page)
    shoot(page, "consent-export-form")

    # Adam withdraws; the consent stays on his page, marked withdrawn.
    page.goto(live_server.url + reverse("consent:person", kwargs={"person_id": world.adam.pk}))
    page.get_by_text("Withdraw this consent").click()
    page.get_by_label("Withdrawn on").fill("2018-02-01")
    page.get_by_label("Note", exact=True).fill("He wrote to the hotline.")
    submit(page.get_by_role("button", name="Record the withdrawal"))
    expect(page.get_by_role("heading", level=3)).to_contain_text("withdrawn")
    expect(page.get_by_text("He wrote to the hotline.")).to_be_visible()
    shoot(page, "consent-withdrawn")
    assert Withdrawal.objects.get().consent == Consent.objects.get(person=world.adam)

    page.goto(event_url)
    document = _export(page, page.locator("details", has_text="Export this event"))
    events = document["events"]
    assert isinstance(events, list)
    assert events[0]["statements"] == []
    assert events[0]["statements_left_out"] == 3
