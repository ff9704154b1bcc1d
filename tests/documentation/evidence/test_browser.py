"""The documenter's evidence flow in Chromium: a photo uploaded on the event page, looked at without its
metadata, downloaded as received, copied without metadata, a redacted version uploaded, and a hotline
photo taken in with its first-contact hash. At a phone's width and a desktop's, with screenshots for
people to look at."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from corridor.accounts.models import User
from corridor.documentation.evidence.models import CustodyEntry, EvidenceItem, ItemKind
from corridor.documentation.models import Event
from corridor.hotline.models import Attachment
from tests.browser.conftest import CHROMIUM, NO_CHROMIUM, PageFactory
from tests.browser.test_cases_flow import no_wider_than_the_screen
from tests.browser.test_staff_flows import heading, sign_in_through_pages, submit
from tests.documentation.evidence.helpers import png
from tests.documentation.helpers import collection, event
from tests.hotline.helpers import jpeg_with_gps, open_web_thread, prepared_photo

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]
Shoot = Callable[[Page, str], None]


def test_a_photo_becomes_evidence_with_its_custody_log(
    new_page: PageFactory, live_server: LiveServer, hanna: User, shoot: Shoot, tmp_path: Path
) -> None:
    recorded: Event = event(hanna, collection(hanna))
    open_web_thread("Photos of the bruises", files=prepared_photo("IMG_0007.jpg"))
    thread = Attachment.objects.select_related("thread").get().thread
    photo = tmp_path / "IMG_0042.jpg"
    photo.write_bytes(jpeg_with_gps())

    page = new_page()
    sign_in_through_pages(page, live_server, hanna)
    page.goto(f"{live_server.url}/staff/documentation/events/{recorded.pk}/")
    section = page.locator("#evidence")
    expect(section.get_by_text("No evidence yet.")).to_be_visible()

    # An upload on the event page.
    section.get_by_text("Add a file").click()
    section.get_by_label("File", exact=True).set_input_files(str(photo))
    section.get_by_label("What the file shows").fill("The cell door")
    submit(section.get_by_role("button", name="Keep the file as evidence"))
    item = EvidenceItem.objects.get()
    expect(heading(page)).to_contain_text(item.code)
    expect(page.get_by_text(hashlib.sha256(jpeg_with_gps()).hexdigest())).to_be_visible()
    no_wider_than_the_screen(page)

    # Looked at without metadata, then downloaded as received.
    with page.expect_response(lambda r: "/view/" in r.url) as shown:
        page.goto(f"{live_server.url}/staff/documentation/evidence/{item.pk}/view/")
    assert shown.value.status == 200
    assert b"SpyCam" not in shown.value.body()
    page.go_back()
    with page.expect_download() as downloaded:
        page.get_by_role("button", name="Download the original (with its metadata)").click()
    assert Path(downloaded.value.path()).read_bytes() == jpeg_with_gps()
    assert downloaded.value.suggested_filename == f"{item.code}.jpg"

    submit(page.get_by_role("button", name="Make a copy without metadata"))
    copy = EvidenceItem.objects.get(kind=ItemKind.STRIPPED)
    expect(heading(page)).to_contain_text(copy.code)
    page.get_by_role("link", name=item.code).click()
    expect(page.get_by_role("cell", name="Derivative made")).to_be_visible()

    # A redacted version made in another program, kept as a copy linked by hash.
    blurred = tmp_path / "IMG_0042-blurred.png"
    blurred.write_bytes(png((128, 128, 128)))
    page.get_by_text("Add a redacted copy").click()
    page.get_by_label("Redacted file").set_input_files(str(blurred))
    page.get_by_label("What was hidden").fill("The guard's face is blurred.")
    submit(page.get_by_role("button", name="Keep the redacted copy"))
    redacted = EvidenceItem.objects.get(kind=ItemKind.REDACTED)
    expect(heading(page)).to_contain_text(redacted.code)
    expect(page.get_by_text("The guard's face is blurred.")).to_be_visible()
    no_wider_than_the_screen(page)
    shoot(page, "evidence-redacted-copy")
    page.get_by_role("link", name=item.code).click()
    expect(page.get_by_role("link", name=redacted.code)).to_be_visible()
    shoot(page, "evidence-item-custody-log")
    actions = list(CustodyEntry.objects.filter(item=item).order_by("seq").values_list("action", flat=True))
    assert actions == ["received", "viewed", "exported", "derivative_made", "derivative_made"]

    # A hotline photo, taken in without uploading it again.
    page.goto(f"{live_server.url}/staff/documentation/events/{recorded.pk}/")
    section = page.locator("#evidence")
    section.get_by_text("Take a file from a hotline thread").click()
    section.get_by_label("Hotline thread code").fill(thread.code)
    section.get_by_role("button", name="Show the thread's files").click()
    expect(page.get_by_text("IMG_0007.jpg")).to_be_visible()
    shoot(page, "evidence-hotline-files")
    submit(page.get_by_role("button", name="Keep this file as evidence"))
    taken = EvidenceItem.objects.get(origin="hotline")
    expect(heading(page)).to_contain_text(taken.code)
    expect(page.get_by_text(f"hotline thread {thread.code}")).to_be_visible()

    page.goto(f"{live_server.url}/staff/documentation/events/{recorded.pk}/")
    expect(page.locator("#evidence").get_by_role("link", name=taken.code)).to_be_visible()
    page.locator("#evidence").scroll_into_view_if_needed()
    no_wider_than_the_screen(page)
    shoot(page, "evidence-event-section")
