"""Accessibility in Chromium: axe-core finds nothing on any page state, and 200 % text fits a phone.

axe-core (the version scripts/axe.sh pins, in .tools/axe) is put into each page by this
harness only; Corridor never serves it. Applicant pages load with script execution off, as
Tor Browser "Safest" loads them, and it is switched on only while axe runs on the loaded page.
At 360 px every state is checked again with the browser's text size doubled (Chromium's
font-size setting, 16 → 32 px): the text must follow it, and nothing may leave the screen
or be cut off.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import CDPSession, Page, expect
from pytest_django.live_server_helper import LiveServer

from corridor.accounts.models import User
from corridor.hotline import services
from corridor.hotline.models import Thread
from corridor.hotline.triage import Triage
from tests.browser.conftest import CHROMIUM, NO_CHROMIUM, SCREENSHOTS, VIEWPORTS, PageFactory
from tests.browser.test_staff_flows import submit
from tests.conftest import PASSWORD, totp_code
from tests.hotline.helpers import make_keyless_operator, private_key

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]


Shoot = Callable[[Page, str], None]
MESSAGE = "They took my phone at the checkpoint. I am at my aunt's now."
REPLY = "We read you. Stay where you are tonight; we will write again by morning."

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(" ") + " — " + (n.failureSummary || "").replace(/\\s+/g, " ")),
  }));
}"""

# Every piece of text and every control must lie inside the viewport, and no box may cut its
# text off. Tables that scroll inside themselves are allowed (WCAG 1.4.10 exempts data tables);
# what is hidden on purpose (aria-hidden, the visually hidden, the honeypot) is skipped.
FIND_OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const problems = [];
  const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.classList.length ? "." + [...el.classList].join(".") : "");
  const skipped = el => {
    for (let e = el; e && e !== document.documentElement; e = e.parentElement) {
      const style = getComputedStyle(e);
      if (e.getAttribute("aria-hidden") === "true") return true;
      if (style.display === "none" || style.visibility === "hidden") return true;
      const box = e.getBoundingClientRect();
      if ((box.width <= 1 || box.height <= 1) && style.overflow !== "visible") return true;
      if (e !== el && ["auto", "scroll"].includes(style.overflowX)) return true;
    }
    return false;
  };
  const outside = (box, what) => {
    if (box.width && (box.left < -0.5 || box.right > width + 0.5))
      problems.push(`${what} spans ${Math.round(box.left)}..${Math.round(box.right)} px of ${width}`);
  };
  if (document.documentElement.scrollWidth > width)
    problems.push(`the page is ${document.documentElement.scrollWidth} px wide, the screen ${width} px`);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    if (!text || skipped(node.parentElement)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const what = `"${text.slice(0, 40)}" in ${name(node.parentElement)}`;
    for (const box of range.getClientRects()) outside(box, what);
  }
  for (const el of document.body.querySelectorAll("*")) {
    if (skipped(el)) continue;
    if (el.matches("input:not([type=hidden]), select, textarea, button, a"))
      outside(el.getBoundingClientRect(), name(el));
    const style = getComputedStyle(el);
    const clips = !["visible", "auto", "scroll"].includes(style.overflowX);
    const cut = el.scrollWidth > el.clientWidth + 1 && !el.matches("textarea, select, input");
    if (clips && cut && el.textContent.trim())
      problems.push(`${name(el)} cuts its text off (${el.scrollWidth} px in ${el.clientWidth} px)`);
  }
  return problems;
}"""

BODY_TEXT_SIZE = """() => {
  const text = document.querySelector("main p:not(.help)") || document.querySelector("main") || document.body;
  return parseFloat(getComputedStyle(text).fontSize);
}"""


class Audit:
    """Runs axe (and, on the phone, the 200 % text check) on each state of one page; collects what fails."""

    def __init__(self, page: Page, axe_source: str, viewport: str, shoot: Shoot, *, scripts: bool) -> None:
        self.page, self.axe_source, self.viewport, self.shoot = page, axe_source, viewport, shoot
        self.cdp: CDPSession = page.context.new_cdp_session(page)
        self.scripts = scripts
        self.problems: list[str] = []
        self.states: list[str] = []
        if not scripts:
            self.cdp.send("Emulation.setScriptExecutionDisabled", {"value": True})

    def check(self, state: str) -> None:
        page = self.page
        page.wait_for_load_state("load")
        self.states.append(state)
        self._axe(state)
        self.shoot(page, f"a11y-{state}")
        if self.viewport == "phone":
            self._large_text(state)

    def _axe(self, state: str) -> None:
        if not self.scripts:
            self.cdp.send("Emulation.setScriptExecutionDisabled", {"value": False})
        try:
            self.page.evaluate(self.axe_source)
            violations: list[dict[str, Any]] = self.page.evaluate(RUN_AXE)
        finally:
            if not self.scripts:
                self.cdp.send("Emulation.setScriptExecutionDisabled", {"value": True})
        for v in violations:
            nodes = "\n      ".join(v["nodes"])
            self.problems.append(f"{state}: axe {v['id']} ({v['impact']}): {v['help']}\n      {nodes}")

    def _large_text(self, state: str) -> None:
        page = self.page
        normal = page.evaluate(BODY_TEXT_SIZE)
        self.cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
        try:
            large = page.evaluate(BODY_TEXT_SIZE)
            if large < 1.9 * normal:
                self.problems.append(f"{state}: text stays at {large} px when the browser asks for 200 %")
            self.problems += [f"{state} at 200 % text: {p}" for p in page.evaluate(FIND_OVERFLOW)]
            for key in (".codename", ".quick-exit", ".brand", ".langs a", ".bar nav a", ".tools button"):
                boxes = page.locator(key)
                for i in range(boxes.count()):
                    box = boxes.nth(i).bounding_box()
                    if box and (box["x"] < 0 or box["x"] + box["width"] > VIEWPORTS["phone"]["width"]):
                        self.problems.append(f"{state} at 200 % text: {key} leaves the screen ({box})")
            # A full-page screenshot would reset the text size: grow the viewport to the page instead.
            height = page.evaluate("document.documentElement.scrollHeight")
            page.set_viewport_size({"width": VIEWPORTS["phone"]["width"], "height": min(height, 16000)})
            self.cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=SCREENSHOTS / f"a11y-{state}-text200-phone.png")
            page.set_viewport_size(VIEWPORTS["phone"])
        finally:
            self.cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 16, "fixed": 13}})

    def assert_clean(self) -> None:
        assert self.states
        assert not self.problems, f"{len(self.problems)} problems:\n" + "\n".join(self.problems)


def error_prefix(lang: str) -> str:
    """What titles of pages with errors begin with, in the page's language."""
    with translation.override(lang):
        return translation.gettext("Error:") + " "


def answer_newest_thread(olga: User) -> None:
    """Olga answers the newest thread, through the services, so the person's page shows a signed reply."""
    thread = Thread.objects.latest("created_at")
    services.post_reply(operator=olga, user_private_key=private_key(olga), thread=thread, text=REPLY)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_applicant_pages_pass_axe_and_large_text(
    new_page: PageFactory,
    live_server: LiveServer,
    olga: User,
    viewport: str,
    shoot: Shoot,
    axe_source: str,
    lang: str,
) -> None:
    page = new_page()
    audit = Audit(page, axe_source, viewport, shoot, scripts=False)
    base = f"{live_server.url}/{lang}"
    titles: dict[str, str] = {}

    def state(name: str) -> None:
        expect(page.locator("script, noscript")).to_have_count(0)
        titles[name] = page.title()
        audit.check(f"hotline-{lang}-{name}")

    send = page.locator("form button[type=submit].primary")

    page.goto(f"{base}/")
    state("landing")
    page.goto(f"{base}/request/")
    state("request")

    submit(send)
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()  # autofocus, without any script
    links = summary.locator("a")
    expect(links).to_have_count(2)  # the first question, and a few words or a photo
    first = links.first
    expect(first).to_have_attribute("href", "#id_in_danger_now_0")
    expect(links.last).to_have_attribute("href", "#id_message")
    state("request-error")
    first.click()
    expect(page.locator("#id_in_danger_now_0")).to_be_focused()

    page.locator('input[name="in_danger_now"][value="yes"]').check()
    page.locator('textarea[name="message"]').fill(MESSAGE)
    submit(send)
    codename = page.locator("p.codename").inner_text().strip()
    assert re.fullmatch(r"\d{4} \d{4} \d{4} \d{4} \d{4}", codename), codename
    state("codename")
    answer_newest_thread(olga)

    page.goto(f"{base}/thread/")
    state("enter")
    page.locator('input[name="codename"]').fill("0000 0000 0000 0000")
    submit(send)
    expect(page.locator(".error-summary")).to_be_focused()
    state("enter-error")

    page.locator('input[name="codename"]').fill(codename)
    submit(send)
    expect(page.locator("li.msg.reply")).to_have_count(1)
    state("thread")
    submit(send)  # nothing written, no photo
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator("#id_message_error")).to_be_visible()
    state("thread-error")

    page.goto(f"{base}/recipes/")
    state("neutral")
    page.goto(f"{base}/no-such-page/")
    state("not-found")

    with translation.override(lang):
        neutral = translation.gettext("Notes")
    for name, title in titles.items():
        expected = error_prefix(lang) + neutral if name.endswith("-error") else neutral
        assert title.startswith(expected), (name, title)
    plain = [title for name, title in titles.items() if not name.endswith("-error")]
    assert len(set(plain)) == len(plain), titles
    audit.assert_clean()


def sign_in(page: Page, live_server: LiveServer, user: User, audit: Audit | None = None) -> None:
    """Password, then the authenticator code, in the browser's language (Russian)."""
    page.goto(f"{live_server.url}/staff/login/")
    if audit:
        audit.check("staff-login")
    page.locator('input[name="username"]').fill(user.username)
    page.locator('input[name="password"]').fill(PASSWORD)
    submit(page.locator("form button[type=submit].primary"))
    expect(page.locator('input[name="code"]')).to_be_visible()
    if audit:
        audit.check("staff-verify")
    page.locator('input[name="code"]').fill(totp_code(user))
    submit(page.locator("form button[type=submit].primary"))
    expect(page).to_have_url(f"{live_server.url}/staff/")


def test_staff_pages_pass_axe_and_large_text(
    new_page: PageFactory,
    live_server: LiveServer,
    org: dict[str, object],
    olga: User,
    dave: User,
    judy: User,
    viewport: str,
    shoot: Shoot,
    axe_source: str,
) -> None:
    make_keyless_operator(org)  # someone waiting for a key grant
    services.open_thread(
        triage=Triage(region="RU-CE", in_danger_now=True, threatened_by=["relatives"]), text=MESSAGE, files=[]
    )

    page = new_page()
    audit = Audit(page, axe_source, viewport, shoot, scripts=True)
    primary = page.locator("main form button[type=submit].primary")

    page.goto(f"{live_server.url}/staff/login/")
    page.locator('input[name="username"]').fill("olga")
    page.locator('input[name="password"]').fill("not the password")
    submit(primary)
    expect(page.locator(".error-summary")).to_be_focused()
    assert page.title().startswith(error_prefix("ru")), page.title()
    audit.check("staff-login-error")

    sign_in(page, live_server, olga, audit)
    audit.check("staff-home")
    page.goto(f"{live_server.url}/staff/hotline/")
    audit.check("staff-inbox")
    page.locator("table.inbox tbody a").first.click()
    expect(page.locator("li.msg-applicant")).to_have_count(1)
    audit.check("staff-thread")
    submit(page.locator('form[action$="/reply/"] button[type=submit]'))
    expect(page.locator(".error-summary")).to_be_focused()
    audit.check("staff-thread-error")
    page.goto(f"{live_server.url}/staff/hotline/intake/")
    audit.check("staff-intake")
    submit(primary)
    expect(page.locator(".error-summary")).to_be_focused()
    audit.check("staff-intake-error")
    page.goto(f"{live_server.url}/staff/account/")
    audit.check("staff-account")
    page.goto(f"{live_server.url}/staff/keys/")
    audit.check("staff-key-grants")

    admin = new_page()
    admin_audit = Audit(admin, axe_source, viewport, shoot, scripts=True)
    sign_in(admin, live_server, dave)
    admin.goto(f"{live_server.url}/staff/users/")
    admin_audit.check("staff-users")
    admin.goto(f"{live_server.url}/staff/users/new/")
    submit(admin.locator("main form button[type=submit].primary"))
    admin_audit.check("staff-user-create-error")

    auditor = new_page()
    auditor_audit = Audit(auditor, axe_source, viewport, shoot, scripts=True)
    sign_in(auditor, live_server, judy)
    auditor.goto(f"{live_server.url}/staff/audit/")
    auditor_audit.check("staff-audit-log")

    audit.problems += admin_audit.problems + auditor_audit.problems
    audit.assert_clean()
