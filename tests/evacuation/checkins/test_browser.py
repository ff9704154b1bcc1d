"""Check-ins in Chromium: the person checks in from their thread with JavaScript off, and on a frozen
clock a missed check-in escalates to the caseworker's task list, the case page and the missed list."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from corridor.accounts.models import User
from corridor.evacuation.checkins import jobs
from corridor.evacuation.checkins.models import CheckIn
from tests.browser.conftest import CHROMIUM, NO_CHROMIUM, VIEWPORTS, PageFactory
from tests.browser.test_staff_flows import heading, sign_in_through_pages, submit
from tests.evacuation.checkins.helpers import case_with_thread, start

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NOTE = "Arrived at the flat, the neighbours did not see me."


def no_script_and_fits(page: Page, viewport: str) -> None:
    page.wait_for_load_state("load")
    expect(page.locator("script")).to_have_count(0)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORTS[viewport]["width"], f"{page.url} is {width}px wide"


def check_in_section(page: Page) -> str:
    """The check-in section's visible words, spaced the same however the lines wrapped."""
    text = page.get_by_role("heading", name="Check in").locator("xpath=..").inner_text()
    return " ".join(text.split())


def test_the_person_checks_in_and_a_missed_check_in_escalates(
    new_page: PageFactory,
    live_server: LiveServer,
    olga: User,
    alice: User,
    carol: User,
    viewport: str,
    shoot: Callable[[Page, str], None],
) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        person = case_with_thread(olga, alice, coordinator=carol)
        start(person.case, alice, interval=180, grace=30)

        # The person, JavaScript off: the two choices look alike and leave the page alike.
        phone = new_page(java_script_enabled=False)
        phone.goto(f"{live_server.url}/en/thread/")
        phone.get_by_label("Your codename").fill(person.codename)
        submit(phone.get_by_role("button", name="Open"))
        expect(heading(phone)).to_have_text("Your conversation")
        safe = phone.get_by_role("button", name="I am safe", exact=True)
        unsafe = phone.get_by_role("button", name="I am not safe", exact=True)
        assert safe.get_attribute("class") == unsafe.get_attribute("class")
        no_script_and_fits(phone, viewport)
        phone.get_by_label("Anything to add? (optional)").fill(NOTE)
        submit(safe)
        expect(phone).to_have_url(f"{live_server.url}/en/thread/messages/")
        expect(phone.locator("li.msg.applicant").last.locator(".text")).to_have_text(NOTE)
        after_safe = check_in_section(phone)
        assert "Received: 2 March, 12:00 MSK" in after_safe
        submit(phone.get_by_role("button", name="I am not safe", exact=True))
        expect(heading(phone)).to_have_text("Your conversation")
        assert check_in_section(phone) == after_safe  # nothing tells the two answers apart
        no_script_and_fits(phone, viewport)
        shoot(phone, "checkins-person-thread")
        assert list(CheckIn.objects.order_by("at").values_list("answer", flat=True)) == ["safe", "unsafe"]

        # Three hours and a half later, no check-in: the worker's sweep alerts the caseworker.
        clock.shift(timedelta(hours=3, minutes=31))
        assert jobs.sweep_at() == 1

        staff = new_page()
        sign_in_through_pages(staff, live_server, alice)
        staff.goto(f"{live_server.url}/staff/cases/{person.case.pk}/")
        panel = staff.locator("section#check-ins")
        expect(panel).to_contain_text("(missed)")
        expect(panel).to_contain_text("Caseworker alerted")
        expect(panel.get_by_role("alert")).to_have_text(
            "The last answer was: not safe. Contact the person now."
        )
        shoot(staff, "checkins-case-panel-missed")
        staff.goto(f"{live_server.url}/staff/cases/tasks/")
        expect(staff.locator("table.tasks tbody tr")).to_have_count(2)  # the "not safe" and the missed one

        coordinator = new_page()
        sign_in_through_pages(coordinator, live_server, carol)
        coordinator.goto(f"{live_server.url}/staff/evacuation/check-ins/")
        expect(heading(coordinator)).to_have_text("Missed check-ins")
        row = coordinator.locator("table tbody tr").filter(has_text=person.case.code)
        expect(row).to_contain_text("caseworker alerted")
        shoot(coordinator, "checkins-missed-list")

        # The caseworker reaches the person by phone and logs it: the switch is reset.
        staff.goto(f"{live_server.url}/staff/cases/{person.case.pk}/")
        panel.get_by_label("Safe", exact=True).check()
        panel.get_by_label("How did you hear from them?").select_option(label="Phone call")
        panel.get_by_label("Note (optional)").fill("Called him, he is fine, phone was dead.")
        submit(panel.get_by_role("button", name="Log the check-in"))
        expect(staff.get_by_role("status")).to_have_text("The check-in is logged.")
        expect(panel).not_to_contain_text("(missed)")
        expect(panel).to_contain_text("Called him, he is fine, phone was dead.")
        width = staff.evaluate("document.documentElement.scrollWidth")
        assert width <= VIEWPORTS[viewport]["width"]
