"""Evacuation in Chromium, at phone and desktop widths, in one flow on a frozen clock.

A coordinator places an approved case in a safe house and plans a leg from the case page,
and starts check-ins; the person checks in from their hotline thread with JavaScript off;
the next check-in is missed and the worker's sweep escalates it to the caseworker (a task
with its label, in English and Russian, and the missed list); a coordinator raises the
detained flag and the burn view lists what the person could reveal. Each page is
photographed and checked with axe.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from playwright.sync_api import Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from corridor.accounts.models import User
from corridor.cases import grants, workflow
from corridor.cases.models import ApprovalKind, Case, Stage, Task, TaskKind
from corridor.evacuation import services
from corridor.evacuation.checkins.models import CheckIn
from corridor.evacuation.models import SafeHouse
from tests.browser.conftest import CHROMIUM, NO_CHROMIUM, VIEWPORTS, PageFactory
from tests.browser.test_accessibility import Audit
from tests.browser.test_staff_flows import heading, sign_in_through_pages, submit, use_language
from tests.evacuation.checkins.helpers import Person, case_with_thread
from tests.evacuation.helpers import make_house, open_case
from tests.hotline.helpers import private_key

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]

Shoot = Callable[[Page, str], None]
# 12:00 in Moscow, the staff's time zone.
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STAY_NOTE = "Room at the back; Marina has the spare key."
ROUTE = "Night bus through Khasavyurt, change at the Kotelniki stop."
ARRIVED = "Arrived, the neighbours did not see me."


def approved_case(olga: User, alice: User, bob: User, carol: User) -> Person:
    """A case alice works on, carol and bob hold it, through vetting to planning with the go-ahead."""
    person = case_with_thread(olga, alice, coordinator=carol)
    grants.grant_case_access(actor=alice, user_private_key=private_key(alice), case=person.case, grantee=bob)

    def refreshed() -> Case:
        return Case.objects.select_related("key").get(pk=person.case.pk)

    def approved(kind: str) -> None:
        approval = workflow.request_approval(
            actor=alice, user_private_key=private_key(alice), case=refreshed(), kind=kind
        )
        for colleague in (bob, carol):
            workflow.decide_approval(
                actor=colleague,
                user_private_key=private_key(colleague),
                approval=approval,
                decision="approve",
            )

    for stage, kind in (
        (Stage.SCREENING, ApprovalKind.ELIGIBILITY),
        (Stage.VETTING, ApprovalKind.VETTING),
        (Stage.PLANNING, ApprovalKind.GO_NO_GO),
    ):
        workflow.move_case(actor=alice, user_private_key=private_key(alice), case=refreshed(), to_stage=stage)
        approved(kind)
    assert not workflow.missing_approvals(refreshed(), Stage.IN_TRANSIT)
    return Person(case=refreshed(), codename=person.codename)


def someone_else_in(house: SafeHouse, olga: User, bob: User, carol: User) -> Case:
    """Another person already staying in the house: bob's case, carol holds it."""
    other = open_case(olga, bob, also=(carol,))
    services.place_in_house(
        actor=carol,
        user_private_key=private_key(carol),
        case=other,
        house=house,
        starts_at=T0 - timedelta(days=3),
        ends_at=None,
        note="",
    )
    return other


def fits(page: Page, viewport: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORTS[viewport]["width"], f"{page.url} is {width}px wide"


def evacuation(page: Page) -> Locator:
    return page.locator("section.evacuation-panel")


def unfold(page: Page, summary: str) -> Locator:
    """Open one of the evacuation panel's folded forms and return its form."""
    folded = evacuation(page).locator("details", has=page.locator("summary", has_text=summary))
    folded.locator("summary").click()
    return folded.locator("form")


def signed_in(new_page: PageFactory, live_server: LiveServer, user: User) -> Page:
    page = new_page()
    sign_in_through_pages(page, live_server, user)
    return page


def test_place_plan_check_in_miss_and_burn(
    new_page: PageFactory,
    live_server: LiveServer,
    olga: User,
    alice: User,
    bob: User,
    carol: User,
    viewport: str,
    shoot: Shoot,
    axe_source: str,
) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        person = approved_case(olga, alice, bob, carol)
        birch = make_house(carol, "Birch", capacity=3)
        other = someone_else_in(birch, olga, bob, carol)
        case_url = f"{live_server.url}/staff/cases/{person.case.pk}/"

        # 1. The coordinator, signed in with the authenticator code, places the person and plans a leg.
        coordinator = signed_in(new_page, live_server, carol)
        staff_audit = Audit(coordinator, axe_source, viewport, shoot, scripts=True)
        coordinator.goto(case_url)
        expect(heading(coordinator)).to_contain_text(person.case.code)
        expect(coordinator.locator("dl.facts")).to_contain_text("StagePlanning")
        panel = evacuation(coordinator)
        expect(panel).to_contain_text("No stay in a safe house.")
        expect(panel).to_contain_text("No legs planned.")
        shoot(coordinator, "evacuation-flow-1-approved-case")

        place = unfold(coordinator, "Place in a safe house")
        place.get_by_label("Safe house").select_option(label="Birch (Moscow)")
        place.get_by_label("From").fill("2026-03-03T10:00")
        place.get_by_label("Note").fill(STAY_NOTE)
        submit(place.get_by_role("button", name="Place", exact=True))
        expect(coordinator.get_by_role("status")).to_have_text("The person is placed in Birch.")
        expect(panel).to_contain_text("Birch")
        expect(panel).to_contain_text(STAY_NOTE)

        leg = unfold(coordinator, "Plan a leg")
        leg.get_by_label("From region").select_option(value="RU-CE")
        leg.get_by_label("Exact place of departure").fill("Grozny bus station")
        leg.get_by_label("To region").select_option(value="RU-MOW")
        leg.get_by_label("Exact place of arrival").fill("Moscow, Kotelniki")
        leg.get_by_label("Travel by").select_option(value="bus")
        leg.get_by_label("Leaves").fill("2026-03-02T20:00")
        leg.get_by_label("Arrives").fill("2026-03-03T09:30")
        leg.get_by_label("Staff escort (username)").fill("bob")
        leg.get_by_label("Route and travel details").fill(ROUTE)
        submit(leg.get_by_role("button", name="Plan the leg"))
        expect(coordinator.get_by_role("status")).to_have_text("The leg is planned.")
        legs = panel.locator("table tbody tr")
        expect(legs).to_have_count(1)
        expect(legs).to_contain_text("Grozny bus station")
        expect(legs).to_contain_text("bob")
        fits(coordinator, viewport)
        shoot(coordinator, "evacuation-flow-2-placed-and-planned")
        staff_audit.check("evacuation-flow-case-page")

        # The whole evacuation record: what Corridor itself recorded as disclosed to the person.
        panel.get_by_role("link", name="Disclosures and the whole evacuation record").click()
        expect(heading(coordinator)).to_have_text(f"Evacuation of {person.case.code}")
        known = coordinator.locator(
            "section", has=coordinator.get_by_role("heading", name="What the person knows")
        )
        expect(known).to_contain_text("Birch")
        expect(known).to_contain_text("Chechnya → Moscow")
        fits(coordinator, viewport)
        shoot(coordinator, "evacuation-flow-2-evacuation-record")
        staff_audit.check("evacuation-flow-evacuation-record")
        coordinator.goto(case_url)

        # The check-ins start from the same page, every three hours with half an hour's grace.
        checkins = coordinator.locator("section#check-ins")
        checkins.get_by_label("Check in every").select_option(value="180")
        checkins.get_by_label("Alert after a missed check-in by").select_option(value="30")
        submit(checkins.get_by_role("button", name="Start check-ins"))
        expect(coordinator.get_by_role("status")).to_have_text("Check-ins are running.")

        # 2. The person, JavaScript off, checks in from their thread.
        phone = new_page(java_script_enabled=False)
        phone.goto(f"{live_server.url}/en/thread/")
        phone.get_by_label("Your codename").fill(person.codename)
        submit(phone.get_by_role("button", name="Open"))
        expect(heading(phone)).to_have_text("Your conversation")
        expect(phone.locator("script")).to_have_count(0)
        phone.get_by_label("Anything to add? (optional)").fill(ARRIVED)
        submit(phone.get_by_role("button", name="I am safe", exact=True))
        expect(phone).to_have_url(f"{live_server.url}/en/thread/messages/")
        expect(phone.locator("li.msg.applicant").last.locator(".text")).to_have_text(ARRIVED)
        expect(phone.get_by_role("heading", name="Check in").locator("xpath=..")).to_contain_text(
            "Received: 2 March, 12:00 MSK"
        )
        fits(phone, viewport)
        shoot(phone, "evacuation-flow-3-person-checked-in")
        person_audit = Audit(phone, axe_source, viewport, shoot, scripts=False)
        person_audit.check("evacuation-flow-person-thread")
        assert list(CheckIn.objects.values_list("answer", flat=True)) == ["safe"]

        # 3. Three hours and a half pass without a word: the worker's sweep alerts the caseworker.
        clock.shift(timedelta(hours=3, minutes=31))
        call_command("worker", "--once", stdout=StringIO())
        [task] = Task.objects.filter(case=person.case, kind=TaskKind.MISSED_CHECK_IN)
        assert task.assignee == alice

        caseworker = signed_in(new_page, live_server, alice)
        caseworker_audit = Audit(caseworker, axe_source, viewport, shoot, scripts=True)
        caseworker.get_by_role("navigation", name="Main").get_by_role("link", name="Check-ins").click()
        expect(heading(caseworker)).to_have_text("Missed check-ins")
        row = caseworker.locator("table tbody tr").filter(has_text=person.case.code)
        expect(row).to_contain_text("caseworker alerted")
        fits(caseworker, viewport)
        shoot(caseworker, "evacuation-flow-4-missed-list")
        caseworker_audit.check("evacuation-flow-missed-list")

        caseworker.goto(f"{live_server.url}/staff/cases/tasks/")
        tasks = caseworker.locator("table.tasks tbody tr")
        expect(tasks.filter(has_text=person.case.code)).to_contain_text("Missed check-in: reach the person")
        shoot(caseworker, "evacuation-flow-5-tasks")
        caseworker_audit.check("evacuation-flow-tasks")
        use_language(caseworker, "Русский", "ru")
        expect(tasks.filter(has_text=person.case.code)).to_contain_text(
            "Пропущен выход на связь: свяжитесь с человеком"
        )
        expect(tasks).not_to_contain_text("missed_check_in")
        shoot(caseworker, "evacuation-flow-5-tasks-ru")
        use_language(caseworker, "English", "en")

        caseworker.goto(case_url)
        checkins = caseworker.locator("section#check-ins")
        expect(checkins).to_contain_text("(missed)")
        expect(checkins).to_contain_text("Caseworker alerted")
        shoot(caseworker, "evacuation-flow-6-case-missed")

        # 4. The person is detained: the coordinator raises the flag, and the burn view opens.
        coordinator = signed_in(new_page, live_server, carol)  # the first session has timed out
        staff_audit = Audit(coordinator, axe_source, viewport, shoot, scripts=True)
        coordinator.goto(case_url)
        flags = coordinator.locator("section", has=coordinator.get_by_role("heading", name="Flags"))
        flags.get_by_label("Flag", exact=True).select_option(label="Detained")
        flags.get_by_label("Note").fill("Taken off the bus at the checkpoint.")
        submit(flags.get_by_role("button", name="Raise the flag"))
        expect(heading(coordinator)).to_contain_text("Detained")
        expect(evacuation(coordinator).get_by_text("This person may reveal what they know.")).to_be_visible()
        shoot(coordinator, "evacuation-flow-7-detained")
        evacuation(coordinator).get_by_role("link", name="Open the burn view").click()

        expect(heading(coordinator)).to_have_text(f"Burn view of {person.case.code}")
        expect(coordinator.locator(".notice.error")).to_contain_text("Detained")
        houses = coordinator.locator("section", has=coordinator.get_by_role("heading", name="Safe houses"))
        expect(houses).to_contain_text("Birch")
        warned = coordinator.locator("section", has=coordinator.get_by_role("heading", name="Who must be"))
        expect(warned.locator("tbody tr").filter(has_text=other.code)).to_contain_text("Move")
        expect(warned.locator("tbody tr").filter(has_text="Warn the staff member")).to_contain_text("bob")
        disclosed = coordinator.locator("section", has=coordinator.get_by_role("heading", name="Everything"))
        expect(disclosed).to_contain_text("Birch")
        expect(disclosed).to_contain_text("Chechnya → Moscow")
        fits(coordinator, viewport)
        shoot(coordinator, "evacuation-flow-8-burn-view")
        staff_audit.check("evacuation-flow-burn-view")

        # The house the person knows, one tap away: how full it is, its address for a key holder.
        houses.get_by_role("link", name="Birch").click()
        expect(heading(coordinator)).to_have_text("Safe house Birch")
        expect(coordinator.locator("main")).to_contain_text("1 / 3")  # the person arrives tomorrow
        expect(coordinator.locator("main")).to_contain_text("Садовая 12")
        fits(coordinator, viewport)
        shoot(coordinator, "evacuation-flow-9-house")
        staff_audit.check("evacuation-flow-house")
        coordinator.go_back()
        expect(heading(coordinator)).to_have_text(f"Burn view of {person.case.code}")

        # The same page in Russian: nothing is left in English.
        use_language(coordinator, "Русский", "ru")
        expect(heading(coordinator)).to_contain_text(person.case.code)
        expect(heading(coordinator)).not_to_contain_text("Burn view")
        expect(coordinator.locator("main")).not_to_contain_text("Move the person")
        shoot(coordinator, "evacuation-flow-8-burn-view-ru")
        use_language(coordinator, "English", "en")

        submit(coordinator.get_by_role("button", name="Propose"))
        expect(coordinator.get_by_role("status")).to_contain_text("Tasks proposed")
        expect(warned.locator("tbody tr").filter(has_text=other.code)).to_contain_text("proposed")

        staff_audit.assert_clean()
        caseworker_audit.assert_clean()
        person_audit.assert_clean()
