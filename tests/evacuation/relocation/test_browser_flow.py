"""Relocation in Chromium, at phone and desktop widths: a caseworker adds a pathway with a milestone,
records the person's consent and prepares a referral; a coordinator approves and signs it; the
caseworker downloads the packet, and the partner's key opens it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from corridor.accounts import keyring
from corridor.accounts.models import OrgKeyKind, User
from corridor.cases.models import Case
from corridor.crypto import keys, referral
from corridor.crypto.words import fingerprint_words
from corridor.evacuation.relocation.models import Partner
from tests.browser.conftest import CHROMIUM, NO_CHROMIUM, PageFactory
from tests.browser.test_cases_flow import approve, no_wider_than_the_screen, signed_in
from tests.browser.test_staff_flows import submit

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]

Shoot = Callable[[Page, str], None]


def section(page: Page) -> Locator:
    return page.locator("section.relocation")


def unfold(page: Page, title: str) -> Locator:
    """Open one of the section's folded forms and return the section."""
    found = section(page)
    found.locator("summary", has_text=title).click()
    return found


def test_a_pathway_a_consent_and_a_referral_to_the_partner(
    new_page: PageFactory,
    live_server: LiveServer,
    alice: User,
    carol: User,
    case: Case,
    partner: Partner,
    partner_keys: keys.KeyPair,
    shoot: Shoot,
) -> None:
    case_url = f"{live_server.url}/staff/cases/{case.pk}/"
    caseworker = signed_in(new_page, live_server, alice)
    caseworker.goto(case_url)
    expect(section(caseworker).get_by_role("heading", name="Relocation abroad")).to_be_visible()
    relocation = unfold(caseworker, "Add a pathway")

    relocation.locator("#id_pathwayform_kind").select_option(label="Humanitarian visa")
    relocation.locator("#id_pathwayform_destination").select_option(label="Germany")
    relocation.locator("#id_pathwayform_note").fill("Via the embassy in Yerevan.")
    submit(relocation.get_by_role("button", name="Add the pathway"))
    expect(section(caseworker)).to_contain_text("Humanitarian visa → Germany")

    relocation = unfold(caseworker, "Record a milestone")
    relocation.get_by_label("Milestone").select_option(label="Embassy interview")
    relocation.get_by_label("Date", exact=True).fill("2026-12-20")
    submit(relocation.get_by_role("button", name="Record the milestone"))
    expect(section(caseworker).locator("dl.facts")).to_contain_text("2026-12-20")

    relocation = unfold(caseworker, "Record consent")
    relocation.get_by_label("Consent given on").fill("2026-11-30")
    relocation.get_by_label("How it was given").select_option(label="In person")
    submit(relocation.get_by_role("button", name="Record the consent"))
    expect(section(caseworker)).to_contain_text("given on 2026-11-30")

    relocation = unfold(caseworker, "Prepare a referral")
    relocation.get_by_label("Names", exact=True).check()
    relocation.get_by_label("Message to the partner (optional)").fill("Speaks Russian and some English.")
    submit(relocation.get_by_role("button", name="Ask for approval"))
    expect(section(caseworker)).to_contain_text("Waiting")
    no_wider_than_the_screen(caseworker)
    shoot(caseworker, "relocation-panel")

    coordinator = signed_in(new_page, live_server, carol)
    approve(coordinator, case_url, "Partner referral")
    coordinator.goto(case_url)
    submit(section(coordinator).get_by_role("button", name="Sign and seal the packet"))
    expect(section(coordinator)).to_contain_text("Signed: ready to download")
    coordinator.goto(f"{live_server.url}/staff/evacuation/relocation/partners/")
    expect(coordinator.locator("ul.partners")).to_contain_text(fingerprint_words(partner_keys.public))
    no_wider_than_the_screen(coordinator)
    shoot(coordinator, "relocation-partners")

    caseworker.goto(case_url)
    with caseworker.expect_download() as download:
        section(caseworker).get_by_role("link", name="Download the packet").click()
    packet = download.value.path().read_bytes()
    opened = referral.open_packet(
        partner_private=partner_keys.private,
        signer_fingerprint=fingerprint_words(keyring.pinned_public_key(OrgKeyKind.SIGNING)),
        packet=packet,
    )
    assert set(opened.payload["person"]) == {"names"}
    assert opened.payload["message"] == "Speaks Russian and some English."
