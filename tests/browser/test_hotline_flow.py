"""The hotline as people see it in Chromium: a person with JavaScript off writes, an operator answers.

The person's pages are checked as Tor Browser "Safest" would load them: no script, nothing
from another host, no cookie but CSRF's until the codename opens the thread, and nothing
wider than a small phone's screen.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from PIL import ExifTags, Image
from playwright.sync_api import Locator, Page, expect
from pytest_django.live_server_helper import LiveServer
from shamir_mnemonic.wordlist import WORDLIST

from corridor.accounts.models import User
from tests.browser.conftest import CHROMIUM, NO_CHROMIUM, VIEWPORTS, PageFactory
from tests.browser.test_staff_flows import heading, sign_in_through_pages, submit

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]

Shoot = Callable[[Page, str], None]
FIRST_QUESTION = "Are you detained or in danger right now?"
MESSAGE = "They took my phone at the checkpoint. I am at my aunt's now and cannot stay long."
SAFE_CONTACT = "Only here, after ten in the evening"
REPLY = "We read you. Stay where you are tonight; we will write again by morning."
AGAIN = "Thank you. My aunt says I can stay until Friday."
PHOTO = "IMG_0001.jpg"
NEUTRAL_TITLES = {"en": "Notes", "ru": "Заметки"}


def photo_with_gps(folder: Path) -> Path:
    """A small JPEG whose EXIF says where it was taken and with which camera."""
    image = Image.new("RGB", (40, 30), (200, 10, 10))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SpyCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (43.0, 19.0, 0.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (45.0, 41.0, 0.0)
    path = folder / PHOTO
    image.save(path, "JPEG", exif=exif)
    assert Image.open(path).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    return path


def applicant_page(new_page: PageFactory, requested: list[str]) -> Page:
    """A fresh JavaScript-off context whose every request is recorded."""
    page = new_page(java_script_enabled=False)
    page.context.on("request", lambda request: requested.append(request.url))
    return page


def question(page: Page, label: str) -> Locator:
    """The form field (label, inputs, help, errors) asking this question."""
    return page.locator(".field").filter(has=page.get_by_text(label, exact=True))


def quick_exit(page: Page) -> Locator:
    return page.locator("a.quick-exit")


def check_applicant_page(page: Page, viewport: str) -> None:
    """No script, the neutral title (and at most a neutral word), nothing wider than the screen."""
    page.wait_for_load_state("load")
    expect(page.locator("script")).to_have_count(0)
    neutral = NEUTRAL_TITLES[page.locator("html").get_attribute("lang") or ""]
    expect(page).to_have_title(re.compile(rf"^(Error: |Ошибка: )?{neutral}( — [^—]+)?$"))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORTS[viewport]["width"], f"{page.url} is {width}px wide"


def assert_only_csrf_cookie(page: Page) -> None:
    """No cookie but CSRF's, and that one ends with the browser session (expires -1)."""
    cookies = page.context.cookies()
    assert {cookie["name"] for cookie in cookies} <= {settings.CSRF_COOKIE_NAME}, cookies
    assert all(cookie["expires"] == -1 for cookie in cookies), cookies


def assert_no_other_host(requested: list[str], live_server: LiveServer) -> None:
    assert any(url.startswith(f"{live_server.url}/static/") for url in requested)
    foreign = [url for url in requested if not url.startswith((f"{live_server.url}/", "data:"))]
    assert foreign == []


def write_request(page: Page, live_server: LiveServer, viewport: str, shoot: Shoot, photo: Path) -> str:
    """From the Russian landing page to the codename, in English; returns the codename."""
    page.goto(f"{live_server.url}/ru/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    check_applicant_page(page, viewport)
    assert page.context.cookies() == []

    page.get_by_role("link", name="English", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/en/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(heading(page)).to_have_text("You can ask us for help")
    expect(page.get_by_role("link", name="Leave quickly")).to_be_visible()
    expect(page.get_by_role("heading", name="If someone is detained right now")).to_be_visible()
    check_applicant_page(page, viewport)
    assert page.context.cookies() == []
    shoot(page, "hotline-landing")

    page.get_by_role("link", name="Write to us").click()
    expect(heading(page)).to_have_text("Write to us")
    check_applicant_page(page, viewport)
    shoot(page, "hotline-request")

    submit(page.get_by_role("button", name="Send", exact=True))
    expect(heading(page)).to_have_text("Write to us")
    expect(question(page, FIRST_QUESTION).get_by_role("alert")).to_have_text("This field is required.")
    check_applicant_page(page, viewport)
    shoot(page, "hotline-request-error")

    question(page, FIRST_QUESTION).get_by_label("Yes", exact=True).check()
    page.get_by_label("Where are you now?").select_option(label="Chechnya")
    page.get_by_label("Relatives", exact=True).check()
    question(page, "Does your family know, or suspect?").get_by_label("Yes", exact=True).check()
    question(page, "Do you have your internal passport with you?").get_by_label("No", exact=True).check()
    page.get_by_label("Your message").fill(MESSAGE)
    page.get_by_label("Photos (optional)").set_input_files(photo)
    page.get_by_label("When and how is it safe to answer you?").fill(SAFE_CONTACT)
    expect(page.get_by_label("Sixteen digits")).to_be_checked()
    submit(page.get_by_role("button", name="Send", exact=True))

    expect(heading(page)).to_have_text("Your message has reached us")
    codename = page.locator(".codename").inner_text().strip()
    assert re.fullmatch(r"\d{4} \d{4} \d{4} \d{4} \d{4}", codename), codename
    check_applicant_page(page, viewport)
    shoot(page, "hotline-codename")
    assert_only_csrf_cookie(page)
    return codename


def answer_as_operator(page: Page, live_server: LiveServer, olga: User, shoot: Shoot) -> None:
    """Olga finds the critical thread, sees the message and its photo, and replies."""
    sign_in_through_pages(page, live_server, olga)
    # Staff can read the fingerprint either way to a person: words, and the digits Russian pages show.
    expect(page.locator(".fingerprint")).to_have_count(2)
    expect(page.locator(".fingerprint.digits")).to_contain_text(re.compile(r"\d{4} \d{4} \d{4} \d{4}"))
    shoot(page, "staff-home")
    page.get_by_role("link", name="Hotline", exact=True).click()
    expect(heading(page)).to_have_text("Hotline")
    rows = page.locator("table.inbox tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.locator(".badge.urgency-1")).to_have_text("Critical")
    expect(rows.get_by_text("unread", exact=True)).to_be_visible()
    expect(rows).to_contain_text("Chechnya")
    shoot(page, "staff-inbox")

    rows.get_by_role("link").click()
    expect(heading(page)).to_contain_text("Critical")
    message = page.locator("li.msg-applicant")
    expect(message.locator(".plaintext")).to_have_text(MESSAGE)
    answers = page.locator("dl.answers")
    expect(answers).to_contain_text("Chechnya")
    expect(answers).to_contain_text(SAFE_CONTACT)
    photo = message.get_by_role("link", name=PHOTO, exact=True)
    expect(photo).to_be_visible()
    with page.expect_download() as download:
        photo.click()
    copy = Image.open(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert copy.size == (40, 30)
    assert not copy.getexif().get_ifd(ExifTags.IFD.GPSInfo)

    page.get_by_label("Reply to the person").fill(REPLY)
    submit(page.get_by_role("button", name="Send reply"))
    expect(page.get_by_role("status")).to_have_text("The reply is sent.")
    reply = page.locator("li.msg-reply")
    expect(reply.locator(".plaintext")).to_have_text(REPLY)
    expect(reply.get_by_text("signed", exact=True)).to_be_visible()
    shoot(page, "staff-thread")


def read_and_write_again(
    page: Page, live_server: LiveServer, viewport: str, shoot: Shoot, codename: str
) -> None:
    """Back with the codename: the signed reply, one more message, then the quick exit."""
    page.goto(f"{live_server.url}/en/")
    page.get_by_role("link", name="I already have a codename").click()
    expect(heading(page)).to_have_text("Read the answer")
    check_applicant_page(page, viewport)
    shoot(page, "hotline-enter")
    assert_only_csrf_cookie(page)

    field = page.get_by_label("Your codename")
    expect(field).to_have_attribute("type", "password")
    expect(field).to_have_attribute("autocomplete", "off")
    field.fill(codename)
    submit(page.get_by_role("button", name="Show the codename"))
    expect(page).to_have_url(f"{live_server.url}/en/thread/")  # never in the address
    expect(field).to_have_attribute("type", "text")
    expect(field).to_have_attribute("autocomplete", "off")
    expect(field).to_have_value(codename)
    expect(field).to_be_focused()
    check_applicant_page(page, viewport)
    shoot(page, "hotline-enter-shown")
    submit(page.get_by_role("button", name="Hide the codename"))
    expect(field).to_have_attribute("type", "password")
    expect(field).to_have_value(codename)
    submit(page.get_by_role("button", name="Open"))
    expect(page).to_have_url(f"{live_server.url}/en/thread/messages/")
    thread_cookie = {c["name"]: c for c in page.context.cookies()}["corridor_thread"]
    assert (thread_cookie["httpOnly"], thread_cookie["sameSite"]) == (True, "Strict")
    expect(heading(page)).to_have_text("Your conversation")
    mine, reply = page.locator("li.msg.applicant"), page.locator("li.msg.reply")
    expect(mine.locator(".text")).to_have_text(MESSAGE)
    expect(mine).to_contain_text("1 photo sent")
    expect(reply.locator(".text")).to_have_text(REPLY)
    expect(reply.get_by_text("signed by the organisation")).to_be_visible()
    expect(reply.locator("time")).to_contain_text("MSK")  # the applicants' zone, not the server's UTC

    page.get_by_label("Your message").fill(AGAIN)
    submit(page.get_by_role("button", name="Send", exact=True))
    expect(page).to_have_url(f"{live_server.url}/en/thread/messages/")
    expect(mine).to_have_count(2)
    expect(mine.last.locator(".text")).to_have_text(AGAIN)
    expect(page.get_by_label("Your message")).to_have_value("")
    check_applicant_page(page, viewport)
    shoot(page, "hotline-thread")

    page.get_by_role("link", name="Leave quickly").click()
    expect(page).to_have_url(f"{live_server.url}/en/recipes/")
    expect(heading(page)).to_have_text("Simple recipes")
    check_applicant_page(page, viewport)
    assert_only_csrf_cookie(page)  # the thread's cookies went with the quick exit

    page.go_back()  # whoever picks up the phone presses Back: the conversation must not come back
    expect(page).to_have_url(f"{live_server.url}/en/thread/")
    expect(heading(page)).to_have_text("Read the answer")
    expect(page.get_by_text(REPLY)).to_have_count(0)
    page.goto(f"{live_server.url}/en/thread/messages/")
    expect(page).to_have_url(f"{live_server.url}/en/thread/")
    expect(page.get_by_label("Your codename")).to_have_value("")
    expect(page.get_by_label("Your codename")).to_have_attribute("type", "password")


def test_person_writes_operator_answers_person_reads_the_signed_reply(
    new_page: PageFactory,
    live_server: LiveServer,
    olga: User,
    viewport: str,
    shoot: Shoot,
    tmp_path: Path,
) -> None:
    requested: list[str] = []
    person = applicant_page(new_page, requested)
    codename = write_request(person, live_server, viewport, shoot, photo_with_gps(tmp_path))

    answer_as_operator(new_page(), live_server, olga, shoot)

    returning = applicant_page(new_page, requested)
    read_and_write_again(returning, live_server, viewport, shoot, codename)
    assert_no_other_host(requested, live_server)


CRAFTED = [
    "//evil.example/ru/",
    "/ru//evil.example",
    "/%2F%2Fevil.example/en/",
    "/%5Cevil.example/ru/",
    "/ru/?x=//evil.example",
]


def test_crafted_addresses_give_no_link_to_another_host(
    new_page: PageFactory, live_server: LiveServer, org: dict[str, object], viewport: str, shoot: Shoot
) -> None:
    page = new_page(java_script_enabled=False)
    for crafted in CRAFTED:
        page.goto(f"{live_server.url}{crafted}")
        check_applicant_page(page, viewport)
        links = page.locator("a[href]")
        written = [links.nth(i).get_attribute("href") or "" for i in range(links.count())]
        assert written, crafted
        assert all(re.match(r"^/(?![/\\])", href) for href in written), (crafted, written)
        resolved = [links.nth(i).evaluate("a => a.href") for i in range(links.count())]
        assert all(url.startswith(f"{live_server.url}/") for url in resolved), (crafted, resolved)
    shoot(page, "hotline-crafted")

    page.get_by_role("link", name="English", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/en/")  # the page's own name, without the query


def write_in_russian(page: Page, live_server: LiveServer) -> str:
    """The shortest request, through the Russian form; returns the codename."""
    page.goto(f"{live_server.url}/ru/request/")
    question(page, "Вы сейчас задержаны или в опасности?").get_by_label("Да", exact=True).check()
    page.get_by_label("Ваше сообщение").fill(MESSAGE)
    submit(page.get_by_role("button", name="Отправить", exact=True))
    codename = page.locator(".codename")
    expect(codename).to_have_text(re.compile(r"^\s*\d{4} \d{4} \d{4} \d{4} \d{4}\s*$"))
    return codename.inner_text().strip()


def test_a_configured_quick_exit_leaves_the_thread_for_the_neutral_site(
    new_page: PageFactory, live_server: LiveServer, org: dict[str, object], settings: Any
) -> None:
    settings.CORRIDOR_QUICK_EXIT_URL = {"": "", "ru": "https://pogoda.example/", "en": ""}
    page = new_page(java_script_enabled=False)
    # The neutral site is answered here, inside the browser: the test contacts no other host.
    page.context.route("https://pogoda.example/**", lambda route: route.fulfill(body="Погода"))
    codename = write_in_russian(page, live_server)
    page.goto(f"{live_server.url}/ru/thread/")
    page.get_by_label("Ваше кодовое имя").fill(codename)
    submit(page.get_by_role("button", name="Открыть"))
    expect(page).to_have_url(f"{live_server.url}/ru/thread/messages/")

    quick_exit(page).click()

    expect(page).to_have_url("https://pogoda.example/")
    left = {cookie["name"] for cookie in page.context.cookies(live_server.url)}
    assert left <= {settings.CSRF_COOKIE_NAME}, left
    page.go_back()
    expect(page).to_have_url(f"{live_server.url}/ru/thread/")


def test_russian_pages_show_digits_not_english_words(
    new_page: PageFactory, live_server: LiveServer, org: dict[str, object], viewport: str, shoot: Shoot
) -> None:
    page = new_page(java_script_enabled=False)
    page.goto(f"{live_server.url}/ru/")
    fingerprint = page.locator(".verify .fingerprint")
    expect(fingerprint).to_have_text(re.compile(r"^\s*(\d{4}\D+){11}\d{4}\s*$"))
    published = re.findall(r"\d{4}", fingerprint.inner_text())
    assert len(published) == 12
    assert not set(re.findall(r"[a-z]+", page.locator("main").inner_text())) & set(WORDLIST)
    check_applicant_page(page, viewport)
    shoot(page, "hotline-ru-landing-digits")

    page.goto(f"{live_server.url}/ru/request/")
    expect(page.locator('input[name="codename_form"]')).to_have_count(0)
    write_in_russian(page, live_server)
    assert re.findall(r"\d{4}", page.locator(".verify .fingerprint").inner_text()) == published
    expect(page.get_by_role("heading", name="Если кого-то задержали прямо сейчас")).to_be_visible()
    check_applicant_page(page, viewport)
    shoot(page, "hotline-ru-codename")


def test_russian_pages_speak_russian(
    new_page: PageFactory, live_server: LiveServer, org: dict[str, object], viewport: str, shoot: Shoot
) -> None:
    page = new_page(java_script_enabled=False)
    english: list[str] = []
    for name, path, title in (
        ("landing", "/ru/", "You can ask us for help"),
        ("request", "/ru/request/", "Write to us"),
        ("enter", "/ru/thread/", "Read the answer"),
    ):
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("html")).to_have_attribute("lang", "ru")
        check_applicant_page(page, viewport)
        shoot(page, f"hotline-ru-{name}")
        shown = {heading(page).inner_text(), quick_exit(page).inner_text()}
        english += sorted(shown & {title, "Leave quickly"})
    assert english == []
