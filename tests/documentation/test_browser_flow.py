"""The documenter's flow in Chromium: a documenter turns a hotline testimony into an event with two acts,
a site, a source and an intervention, and links the same victim from a second testimony (proposed as a
match and confirmed); the victim is linked to his evacuation case, whose caseworker then reads the
event on the case page. At a phone's width and a desktop's, with screenshots for people to look at."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from corridor.accounts.models import Role, User
from corridor.documentation import copies
from corridor.documentation.models import (
    Act,
    CaseCopy,
    Event,
    Information,
    MatchStatus,
    Person,
    PersonMatch,
    Source,
)
from corridor.hotline.models import Thread
from tests.browser.conftest import CHROMIUM, NO_CHROMIUM, PageFactory
from tests.browser.test_cases_flow import no_wider_than_the_screen
from tests.browser.test_staff_flows import heading, sign_in_through_pages, submit
from tests.conftest import make_user
from tests.documentation.test_case_links import _case_for, _origin
from tests.hotline.helpers import open_web_thread

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]
Shoot = Callable[[Page, str], None]


@pytest.fixture
def dora(org: dict[str, object]) -> User:
    """A documenter who also answers the hotline: she reads the testimonies she documents."""
    return make_user(org, "dora", {Role.DOCUMENTER, Role.OPERATOR})


def test_a_testimony_becomes_an_event_and_the_same_victim_is_found_again(
    new_page: PageFactory,
    live_server: LiveServer,
    dora: User,
    olga: User,
    alice: User,
    shoot: Shoot,
) -> None:
    # The first testimony came to the hotline and is Alice's case now; Dora was given the case too.
    case = _case_for(olga, alice, dora, "They held us at the Gudermes road post for two days.")
    testimony = Thread.objects.get(pk=case.thread_id)
    second = open_web_thread("My cousin Ruslan was taken at the Gudermes post in March.").thread
    page = new_page()
    sign_in_through_pages(page, live_server, dora)
    page.get_by_role("link", name="Documentation").click()
    expect(heading(page)).to_have_text("Events")
    no_wider_than_the_screen(page)

    # A collection of her own.
    page.get_by_role("link", name="Collections").first.click()
    page.get_by_label("Name of the collection").fill("Chechnya 2017")
    submit(page.get_by_role("button", name="Create the collection"))
    expect(page.get_by_role("heading", level=2).first).to_contain_text("Chechnya 2017")

    # A site that is not in the gazetteer yet.
    page.goto(f"{live_server.url}/staff/documentation/sites/new/")
    page.get_by_label("Name of the site").fill("Police post on the Gudermes road")
    page.get_by_label("Place").select_option("RU-CE:gudermes")
    page.get_by_label("Type of site").select_option("030501000000")
    page.get_by_label("How precisely it is known").select_option("street")
    submit(page.get_by_role("button", name="Add the site"))
    expect(page.get_by_text("Police post on the Gudermes road")).to_be_visible()

    # The victim as a person, from the first testimony.
    page.goto(f"{live_server.url}/staff/documentation/persons/new/")
    page.get_by_label("Name", exact=True).fill("Ruslan Akhmadov")
    page.get_by_label("Other names and nicknames (one per line)").fill("Rusik")
    submit(page.get_by_role("button", name="Add the person"))
    ruslan = Person.objects.get()
    expect(heading(page)).to_contain_text(ruslan.code)

    # The event, from the testimony: "Document this" on the thread's page.
    page.goto(live_server.url + reverse("hotline_staff:thread", kwargs={"thread_id": testimony.pk}))
    expect(heading(page)).to_contain_text(testimony.code)
    page.get_by_role("link", name="Document this").click()
    expect(page.get_by_text(f"A hotline thread {testimony.code}")).to_be_visible()
    page.get_by_label("Title").fill("Detention at the Gudermes road post")
    page.get_by_label("What happened").fill("Stopped at the post, taken to a basement, beaten for two days.")
    page.get_by_label("Date (EDTF)").fill("2017-03~")
    page.get_by_label("Site").select_option(label="Gudermes: Police post on the Gudermes road")
    no_wider_than_the_screen(page)
    shoot(page, "documentation-new-event")
    submit(page.get_by_role("button", name="Record the event"))
    event = Event.objects.get()
    expect(heading(page)).to_contain_text(event.code)
    assert event.place == "RU-CE:gudermes"
    assert _origin(dora, event) == copies.Origin(copies.THREAD, testimony.pk)
    expect(page.get_by_role("link", name=testimony.code)).to_be_visible()

    # Two acts: a group detained, and the person outed to his family.
    page.get_by_role("link", name="Add an act").click()
    page.get_by_label("Type of act").select_option(label="Detention, imprisonment")
    page.get_by_label("Slapping, kicking or punching").check()
    page.get_by_label("A group").check()
    page.get_by_label("Victim", exact=True).fill("Men stopped at the post")
    page.get_by_label("Group: at least").fill("4")
    page.get_by_label("Group: best estimate").fill("6")
    page.get_by_label("Group: at most").fill("10")
    page.get_by_label("Perpetrator", exact=True).select_option("institution")
    page.get_by_label("Type of perpetrator").select_option(label="Police")
    page.get_by_label("Degree of involvement").select_option(label="Directly carried out the act")
    page.get_by_label("Perpetrator's name").fill("Gudermes police department")
    no_wider_than_the_screen(page)
    submit(page.get_by_role("button", name="Add the act"))
    expect(heading(page)).to_contain_text(event.code)

    page.get_by_role("link", name="Add an act").click()
    page.get_by_label("Type of act").select_option(label="Forced outing to family")
    page.get_by_label("Person code of the victim").fill(ruslan.code)
    page.get_by_label("Date of the act (EDTF)").fill("2017-03-14?")
    page.get_by_label("Status of the victim at the end of the act").select_option(
        label="Released into the custody of relatives"
    )
    submit(page.get_by_role("button", name="Add the act"))
    assert Act.objects.count() == 2
    assert Act.objects.filter(victim_person=ruslan).exists()

    # A source, and what it says about the event.
    page.goto(f"{live_server.url}/staff/documentation/sources/new/")
    page.get_by_label("Kind of source").select_option("victim")
    page.get_by_label("Person code").fill(ruslan.code)
    submit(page.get_by_role("button", name="Add the source"))
    source = Source.objects.get()
    expect(page.get_by_role("status")).to_contain_text(source.code)
    page.goto(f"{live_server.url}/staff/documentation/events/{event.pk}/")
    page.get_by_text("Record what a source says").click()
    page.get_by_label("Source code").fill(source.code)
    page.get_by_label("Connection of the source to the information").select_option(label="Victim him/herself")
    page.get_by_label("Reliability of the source").select_option("B")
    page.get_by_label("Credibility of the information").select_option("2")
    page.get_by_label("Date the source gives (EDTF)").fill("2017-03-13")
    page.get_by_label("Number of victims the source gives").fill("6")
    page.get_by_label("What the source says").fill("Six of us were held there.")
    expect(page.get_by_label("Taken from")).to_have_value(f"thread:{testimony.pk}")
    submit(page.get_by_role("button", name="Record it"))
    assert Information.objects.count() == 1
    expect(page.get_by_text("Six of us were held there.")).to_be_visible()

    # A complaint to the Investigative Committee, refused.
    page.get_by_text("Record a complaint or submission").click()
    page.get_by_label("Type of intervention").select_option(label="Demand for investigation")
    page.get_by_label("Addressed to").select_option("investigative_committee")
    page.get_by_label("Date sent (EDTF)").fill("2017-05")
    page.get_by_label("The body's reference number").fill("No. 12/17")
    page.locator("#id_int_response").select_option(label="Refused to open a criminal case")
    submit(page.get_by_role("button", name="Record the intervention"))
    expect(page.get_by_text("No. 12/17")).to_be_visible()
    expect(page.get_by_role("definition").filter(has_text="Refused to open a criminal case")).to_be_visible()
    no_wider_than_the_screen(page)
    shoot(page, "documentation-event")

    # A second testimony names him in Cyrillic: proposed as a match, and confirmed.
    page.goto(live_server.url + reverse("hotline_staff:thread", kwargs={"thread_id": second.pk}))
    expect(page.get_by_text("My cousin Ruslan was taken")).to_be_visible()
    page.goto(f"{live_server.url}/staff/documentation/persons/new/")
    page.get_by_label("Name", exact=True).fill("Ахмадов Руслан")
    submit(page.get_by_role("button", name="Add the person"))
    expect(page.get_by_role("heading", name="Possible matches")).to_be_visible()
    expect(page.get_by_text(ruslan.code)).to_be_visible()
    no_wider_than_the_screen(page)
    shoot(page, "documentation-person-match")
    submit(page.get_by_role("button", name="The same person"))
    assert PersonMatch.objects.get().status == MatchStatus.CONFIRMED

    # Ruslan is the person of Alice's case: the link is recorded on his page.
    page.goto(f"{live_server.url}/staff/documentation/persons/{ruslan.pk}/")
    page.get_by_text("Link to the person's evacuation case").click()
    page.get_by_label("Code of the person's evacuation case").fill(case.code)
    submit(page.get_by_role("button", name="Record the link"))
    expect(page.get_by_role("status")).to_contain_text("copy on the case was written")
    expect(page.get_by_role("link", name=case.code)).to_be_visible()
    assert CaseCopy.objects.filter(case=case).count() == 1

    # The list finds the event by place and type of perpetrator, without the titles being filtered on.
    page.goto(f"{live_server.url}/staff/documentation/?place=RU-CE&perpetrator_type=010104000000")
    expect(page.get_by_text("Detention at the Gudermes road post")).to_be_visible()
    no_wider_than_the_screen(page)
    shoot(page, "documentation-events")

    # Alice, the caseworker, reads it on her case page: read-only, the other victims unnamed.
    caseworker = new_page()
    sign_in_through_pages(caseworker, live_server, alice)
    caseworker.goto(live_server.url + reverse("cases:case", kwargs={"case_id": case.pk}))
    section = caseworker.locator("section", has=caseworker.get_by_role("heading", name="Documentation"))
    expect(section).to_contain_text("Detention at the Gudermes road post")
    expect(section).to_contain_text("Forced outing to family")
    expect(section).to_contain_text("Ruslan Akhmadov")
    expect(section).to_contain_text("Six of us were held there.")
    expect(section).not_to_contain_text("Men stopped at the post")
    section.scroll_into_view_if_needed()
    no_wider_than_the_screen(caseworker)
    shoot(caseworker, "documentation-case-section")
