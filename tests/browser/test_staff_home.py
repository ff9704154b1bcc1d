"""Staff pages in Chromium: what needs me now, urgency, the audit log, two sessions in one browser."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from corridor.accounts.models import Role, User
from corridor.hotline import services
from corridor.hotline.models import Thread
from corridor.hotline.triage import Triage
from tests.browser.conftest import CHROMIUM, NO_CHROMIUM, PageFactory
from tests.browser.test_staff_flows import heading, sign_in_through_pages, submit, use_language
from tests.conftest import make_user
from tests.hotline.helpers import open_web_thread, private_key

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]

Shoot = Callable[[Page, str], None]
WORDS = "Меня ищут родственники, я у подруги до пятницы."


def no_wider_than_the_screen(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def threads(olga: User) -> dict[str, Thread]:
    with time_machine.travel(-timedelta(hours=2)):
        overdue = open_web_thread(WORDS, triage=Triage(region="RU-CE", in_danger_now=True)).thread
    ahead = open_web_thread("Угрозы в сети.", triage=Triage(region="RU-MOW", threatened_by=["others"])).thread
    mine = open_web_thread("Семья узнала.", triage=Triage(region="RU-DA", threatened_by=["relatives"])).thread
    services.post_reply(operator=olga, user_private_key=private_key(olga), thread=mine, text="Мы вас слышим.")
    services.assign_thread(operator=olga, thread=mine, assignee=olga)
    return {"overdue": overdue, "ahead": ahead, "mine": mine}


def test_an_operator_sees_what_needs_them_and_raises_an_urgency(
    page: Page, live_server: LiveServer, olga: User, threads: dict[str, Thread], shoot: Shoot
) -> None:
    sign_in_through_pages(page, live_server, olga)
    hotline = page.locator("section", has=page.get_by_role("heading", name="Hotline", exact=True))
    expect(hotline).to_contain_text("Critical: 1")
    expect(hotline).to_contain_text("Missed first-response deadlines: 1")
    expect(hotline.locator("ul.thread-list").first).to_contain_text(threads["overdue"].code)
    expect(hotline).to_contain_text(re.compile(r"overdue by \d"))
    no_wider_than_the_screen(page)
    shoot(page, "staff-home-operator")
    use_language(page, "Русский", "ru")
    expect(page.get_by_role("heading", name="Просрочен первый ответ: 1")).to_be_visible()
    no_wider_than_the_screen(page)
    shoot(page, "staff-home-operator-ru")
    use_language(page, "English", "en")

    page.get_by_role("link", name=threads["ahead"].code).click()
    expect(heading(page)).to_contain_text("Normal")
    page.get_by_label("Urgency", exact=True).select_option(label="Critical")
    page.get_by_label("Why").select_option(label="The danger has grown")
    submit(page.get_by_role("button", name="Change urgency"))
    expect(page.get_by_role("status")).to_have_text("The urgency is changed.")
    expect(heading(page)).to_contain_text("Critical")
    expect(page.locator("dd time").first).to_have_text(re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$"))
    no_wider_than_the_screen(page)
    shoot(page, "staff-thread-urgency")

    page.get_by_label("Why").select_option(label="Decided with a coordinator")
    submit(page.get_by_role("button", name="Change urgency"))  # the urgency it already has
    expect(page.get_by_role("status")).to_have_text("The thread already had this urgency: nothing changed.")


def test_a_coordinator_reads_the_hotline_and_sees_key_grants(
    page: Page,
    live_server: LiveServer,
    carol: User,
    org: dict[str, object],
    threads: dict[str, Thread],
    shoot: Shoot,
) -> None:
    make_user({"secrets": {}}, "newop", {Role.OPERATOR})
    sign_in_through_pages(page, live_server, carol)
    expect(page.get_by_role("heading", name="Colleagues waiting for a key you hold")).to_be_visible()
    expect(page.get_by_text("newop: Hotline key")).to_be_visible()
    no_wider_than_the_screen(page)
    shoot(page, "staff-home-coordinator")
    page.get_by_role("link", name="Hotline", exact=True).click()
    expect(page.locator("table.inbox tbody tr")).to_have_count(3)
    page.get_by_role("link", name=threads["overdue"].code).click()
    expect(page.locator("li.msg-applicant .plaintext")).to_have_text(WORDS)


def test_an_administrator_and_an_auditor_see_their_part(
    new_page: PageFactory,
    live_server: LiveServer,
    org: dict[str, object],
    dave: User,
    judy: User,
    threads: dict[str, Thread],
    shoot: Shoot,
) -> None:
    make_user(org, "unenrolled", {Role.CASEWORKER}, enrol=False)
    admin = new_page()
    sign_in_through_pages(admin, live_server, dave)
    expect(admin.get_by_role("heading", name="Accounts needing attention")).to_be_visible()
    expect(admin.get_by_role("link", name="unenrolled")).to_be_visible()
    expect(admin.get_by_text(threads["overdue"].code)).to_have_count(0)
    no_wider_than_the_screen(admin)
    shoot(admin, "staff-home-admin")

    auditor = new_page()
    sign_in_through_pages(auditor, live_server, judy)
    expect(auditor.get_by_text("Never verified yet.")).to_be_visible()
    submit(auditor.get_by_role("button", name="Verify the chain now"))
    expect(auditor.get_by_role("status")).to_contain_text("The chain is intact")
    auditor.get_by_role("link", name="Home", exact=True).click()
    expect(auditor.locator("section", has_text="Audit chain")).to_contain_text("intact")
    no_wider_than_the_screen(auditor)
    shoot(auditor, "staff-home-auditor")

    auditor.get_by_role("link", name="Audit log", exact=True).click()
    auditor.get_by_label("Thread").fill(threads["mine"].code)
    auditor.get_by_role("button", name="Filter").click()
    expect(auditor).to_have_url(re.compile(r"thread=H-"))
    rows = auditor.locator("table.audit tbody tr")
    expect(rows.filter(has_text="hotline.assigned")).to_contain_text("olga")
    expect(rows.filter(has_text="hotline.assigned")).to_contain_text("assignee: olga")
    expect(rows.first).to_contain_text(threads["mine"].code)
    expect(auditor.get_by_text(re.compile(r"Times are in Europe/Moscow"))).to_be_visible()
    no_wider_than_the_screen(auditor)
    shoot(auditor, "audit-log-by-thread")
    use_language(auditor, "Русский", "ru")
    expect(auditor.locator("table.audit th", has_text="Сотрудник")).to_be_attached()
    shoot(auditor, "audit-log-by-thread-ru")


def test_the_applicant_side_in_the_same_browser_keeps_the_staff_member_signed_in(
    page: Page, live_server: LiveServer, olga: User, shoot: Shoot
) -> None:
    codename = open_web_thread(WORDS).codename
    sign_in_through_pages(page, live_server, olga)

    page.goto(f"{live_server.url}/ru/thread/")
    page.get_by_label("Ваше кодовое имя").fill(codename)
    submit(page.get_by_role("button", name="Открыть"))
    expect(page).to_have_url(f"{live_server.url}/ru/thread/messages/")
    expect(page.get_by_text(WORDS)).to_be_visible()
    names = {cookie["name"] for cookie in page.context.cookies()}
    assert {"corridor_session", "corridor_visit", "corridor_thread"} <= names

    page.goto(f"{live_server.url}/staff/")
    expect(heading(page)).to_have_text("Hello, olga")
    page.goto(f"{live_server.url}/ru/thread/messages/")
    expect(page.get_by_text(WORDS)).to_be_visible()
    submit(page.get_by_role("button", name=re.compile("Закрыть")))
    page.goto(f"{live_server.url}/staff/")
    expect(heading(page)).to_have_text("Hello, olga")
