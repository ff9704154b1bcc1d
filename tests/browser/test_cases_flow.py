"""The case pipeline in Chromium: an operator opens a case from a request, a caseworker takes it
through screening and vetting to planning with two colleagues approving each gate, and a later
request from a blocked provocateur's phone (written another way) is flagged without naming the case.

Every person signs in through the real pages, each in their own browser context.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from corridor.accounts.models import Role, User
from corridor.cases import grants, rules, services, workflow
from corridor.cases.models import ApprovalKind, Case, Outcome, Stage, VettingFailure
from corridor.hotline.models import Thread
from corridor.hotline.triage import Triage
from tests.browser.conftest import CHROMIUM, NO_CHROMIUM, PageFactory
from tests.browser.test_staff_flows import heading, sign_in_through_pages, submit
from tests.conftest import make_user
from tests.hotline.helpers import open_web_thread, private_key

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]

Shoot = Callable[[Page, str], None]
CONTACT = "+7 928 111-22-33"
PROVOCATEUR = "+7 928 999-88-77"
PROVOCATEUR_AGAIN = "8 (928) 999 88 77"
INTERVIEW = "Second call: the account of the checkpoint matches the first one, dates and names too."


def no_wider_than_the_screen(page: Page) -> None:
    """Nothing scrolls sideways: a phone shows the whole width of the page."""
    page.wait_for_load_state("load")
    width, screen = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= screen, f"{page.url} is {width}px wide on a {screen}px screen"


def closed_provocateur_case(operator: User, alice: User, bob: User, carol: User) -> Case:
    """A case failed at vetting as a suspected provocateur: its phone is on the blocklist.

    Whoever opens a case holds it (and is told which case a later match comes from); here
    another operator opened it, so olga never held it.
    """
    ka, kb, kc = private_key(alice), private_key(bob), private_key(carol)
    thread = open_web_thread("help", triage=Triage(region="RU-CE", safe_contact=PROVOCATEUR)).thread
    case = services.open_case_from_thread(
        actor=operator, user_private_key=private_key(operator), thread=thread, caseworker=alice
    ).case
    for colleague in (bob, carol):
        grants.grant_case_access(actor=alice, user_private_key=ka, case=case, grantee=colleague)

    def refreshed() -> Case:
        return Case.objects.get(pk=case.pk)

    workflow.move_case(actor=alice, user_private_key=ka, case=refreshed(), to_stage=Stage.SCREENING)
    approval = workflow.request_approval(
        actor=alice, user_private_key=ka, case=refreshed(), kind=ApprovalKind.ELIGIBILITY
    )
    for person, key in ((bob, kb), (carol, kc)):
        workflow.decide_approval(actor=person, user_private_key=key, approval=approval, decision="approve")
    workflow.move_case(actor=alice, user_private_key=ka, case=refreshed(), to_stage=Stage.VETTING)
    reason = VettingFailure.SUSPECTED_PROVOCATEUR
    closure = workflow.request_approval(
        actor=alice,
        user_private_key=ka,
        case=refreshed(),
        kind=ApprovalKind.CLOSURE,
        subject=rules.closure_subject(Outcome.FAILED_VETTING, reason),
    )
    assert closure.subject == "failed_vetting:suspected_provocateur"
    workflow.decide_approval(actor=carol, user_private_key=kc, approval=closure, decision="approve")
    workflow.close_case(
        actor=alice,
        user_private_key=ka,
        case=refreshed(),
        outcome=Outcome.FAILED_VETTING,
        outcome_reason=reason,
    )
    return refreshed()


def signed_in(new_page: PageFactory, live_server: LiveServer, user: User) -> Page:
    page = new_page()
    sign_in_through_pages(page, live_server, user)
    return page


def approvals(page: Page) -> Locator:
    return page.locator("section", has=page.get_by_role("heading", name="Approvals", exact=True))


def next_steps(page: Page) -> Locator:
    return page.locator("section", has=page.get_by_role("heading", name="Next steps", exact=True))


def move_to(page: Page, stage: str) -> None:
    submit(next_steps(page).get_by_role("button", name=f"Move to {stage}", exact=True))
    expect(page.get_by_text(re.compile(rf"^{stage}$")).first).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text(f"Stage{stage}")


def request_approval(page: Page, kind: str) -> None:
    page.get_by_label("What needs approval").select_option(label=kind)
    submit(page.get_by_role("button", name="Request", exact=True))
    expect(approvals(page).get_by_role("listitem").filter(has_text=kind)).to_be_visible()


def approve(page: Page, case_url: str, kind: str) -> None:
    """A colleague opens the case page and approves the pending request of this kind."""
    page.goto(case_url)
    item = approvals(page).get_by_role("listitem").filter(has_text=kind)
    item.get_by_label("Decision").select_option(label="Approve")
    submit(item.get_by_role("button", name="Record the decision"))
    expect(page.locator(".thread-messages")).to_contain_text(f"{kind}: Approve")


def test_a_case_from_request_to_planning_and_a_blocked_phone_caught_again(
    new_page: PageFactory,
    live_server: LiveServer,
    org: dict[str, object],
    olga: User,
    alice: User,
    bob: User,
    carol: User,
    shoot: Shoot,
) -> None:
    # 1. Set-up through the services: a new request, and a closed provocateur's case.
    thread = open_web_thread(
        "They came to my flat twice.", triage=Triage(region="RU-CE", safe_contact=CONTACT)
    ).thread
    blocked = closed_provocateur_case(make_user(org, "oleg", {Role.OPERATOR}), alice, bob, carol)

    # 2. The operator opens a case from the request and hands it to alice.
    operator = signed_in(new_page, live_server, olga)
    operator.goto(f"{live_server.url}/staff/hotline/{thread.pk}/")
    expect(heading(operator)).to_contain_text(thread.code)
    operator.get_by_label("Caseworker (user name)").fill("alice")
    no_wider_than_the_screen(operator)
    submit(operator.get_by_role("button", name="Open a case", exact=True))
    case = Case.objects.get(thread=thread)
    case_url = f"{live_server.url}/staff/cases/{case.pk}/"
    expect(operator).to_have_url(case_url)
    expect(heading(operator)).to_contain_text(case.code)
    no_wider_than_the_screen(operator)
    shoot(operator, "case-opened")

    # 3. alice screens it and shares it with bob and carol; both approve eligibility.
    caseworker = signed_in(new_page, live_server, alice)
    caseworker.goto(case_url)
    expect(heading(caseworker)).to_contain_text(case.code)
    move_to(caseworker, "Screening")
    for colleague in ("bob", "carol"):
        caseworker.get_by_label("Colleague's username").fill(colleague)
        submit(caseworker.get_by_role("button", name="Grant access"))
        holders = caseworker.locator(
            "section", has=caseworker.get_by_role("heading", name="Who holds this case")
        )
        expect(holders.get_by_role("listitem").filter(has_text=colleague)).to_be_visible()
    request_approval(caseworker, "Eligibility")
    expect(next_steps(caseworker).get_by_role("button", name="Move to Vetting")).to_be_disabled()

    bob_page = signed_in(new_page, live_server, bob)
    carol_page = signed_in(new_page, live_server, carol)
    for colleague_page in (bob_page, carol_page):
        approve(colleague_page, case_url, "Eligibility")

    caseworker.goto(case_url)
    move_to(caseworker, "Vetting")

    # Vetting: the checklist, an interview, then the request for the decision.
    caseworker.get_by_role("link", name="Vetting", exact=True).click()
    expect(heading(caseworker)).to_contain_text(f"Vetting {case.code}")
    checklist = caseworker.locator("section", has=caseworker.get_by_role("heading", name="Checklist"))
    for item in ("Identity confirmed by a call", "Account consistent across two conversations"):
        checklist.get_by_label("Checklist item").select_option(label=item)
        checklist.get_by_label("Confirmed", exact=True).check()
        submit(checklist.get_by_role("button", name="Record the result"))
        checklist = caseworker.locator("section", has=caseworker.get_by_role("heading", name="Checklist"))
        expect(checklist.get_by_role("row").filter(has_text=item)).to_contain_text("Confirmed")
    expect(checklist).to_contain_text("2 of 6 items checked.")
    caseworker.get_by_label("Interview notes").fill(INTERVIEW)
    submit(caseworker.get_by_role("button", name="Save the notes"))
    expect(caseworker.locator("section", has_text="Interviews")).to_contain_text(INTERVIEW)
    submit(caseworker.get_by_role("button", name="Request the vetting decision"))
    expect(caseworker.get_by_text(re.compile(r"^Status: Waiting"))).to_be_visible()
    no_wider_than_the_screen(caseworker)
    shoot(caseworker, "case-vetting")

    for colleague_page in (bob_page, carol_page):
        approve(colleague_page, case_url, "Vetting decision")

    caseworker.goto(case_url)
    move_to(caseworker, "Planning")
    request_approval(caseworker, "Evacuation go / no-go")
    for colleague_page in (bob_page, carol_page):
        approve(colleague_page, case_url, "Evacuation go / no-go")

    caseworker.goto(case_url)
    expect(caseworker.locator("dl.facts")).to_contain_text("StagePlanning")
    expect(approvals(caseworker)).to_contain_text("No request is waiting.")
    # Approved: the go/no-go no longer stands in the way of leaving, and both decisions are in the timeline.
    onward = next_steps(caseworker).get_by_role("button", name="Move to In transit")
    expect(onward).to_be_enabled()
    expect(next_steps(caseworker)).not_to_contain_text("Needs approval")
    timeline = caseworker.locator(".thread-messages")
    expect(timeline.get_by_text("Evacuation go / no-go: Approve")).to_have_count(2)
    assert Case.objects.get(pk=case.pk).stage == Stage.PLANNING
    no_wider_than_the_screen(caseworker)
    shoot(caseworker, "case-planning")

    # 4. The provocateur writes again, the phone written another way: the operator is warned,
    # and the blocked case is not named to someone who does not hold it.
    again = open_web_thread(
        "Please help me.", triage=Triage(region="RU-CE", safe_contact=PROVOCATEUR_AGAIN)
    ).thread
    operator.goto(f"{live_server.url}/staff/hotline/{again.pk}/")
    expect(heading(operator)).to_contain_text(again.code)
    expect(heading(operator).get_by_text("security concern")).to_be_visible()
    expect(operator.get_by_text(re.compile(r"^Security concern since"))).to_be_visible()
    expect(operator.locator("body")).not_to_contain_text(blocked.code)
    assert Thread.objects.get(pk=again.pk).security_concern_at is not None
    no_wider_than_the_screen(operator)
    shoot(operator, "thread-blocklist-match")
