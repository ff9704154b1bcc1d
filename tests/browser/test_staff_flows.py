"""Staff flows as a person sees them in Chromium: sign-in, first sign-in, disabling, the audit log."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable

import pytest
from django_otp.oath import totp
from playwright.sync_api import Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from corridor.accounts.models import Role, User
from tests.browser.conftest import CHROMIUM, NO_CHROMIUM, PageFactory
from tests.conftest import PASSWORD, make_user, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]

Shoot = Callable[[Page, str], None]
NEW_PASSWORD = "quiet river lantern meadow"


def heading(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def submit(button: Locator) -> None:
    """Press a form's button; a form the server refuses (403) fails here, with what the page says."""
    page = button.page
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.request.is_navigation_request()
    ) as sent:
        button.click()
    response = sent.value
    if response.status == 403:
        expect(heading(page)).to_be_visible()
        raise AssertionError(f"the form was refused (403): the page says {heading(page).inner_text()!r}")


def use_language(page: Page, name: str, code: str) -> None:
    """Press a language button in the header and wait for the page to come back in that language."""
    submit(page.get_by_role("button", name=name, exact=True))
    expect(page.locator("html")).to_have_attribute("lang", code)


def password_step(page: Page, live_server: LiveServer, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/staff/login/")
    use_language(page, "English", "en")
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    submit(page.get_by_role("button", name="Continue"))


def sign_in_through_pages(page: Page, live_server: LiveServer, user: User) -> None:
    """Password, then the authenticator code, through the real pages, in English."""
    password_step(page, live_server, user.username, PASSWORD)
    expect(heading(page)).to_have_text("Confirm it is you")
    page.get_by_label("Code from your authenticator app").fill(totp_code(user))
    submit(page.get_by_role("button", name="Sign in", exact=True))
    expect(heading(page)).to_have_text(f"Hello, {user.username}")


def code_for_key(base32_key: str) -> str:
    """What an authenticator app shows now for a key typed in from the screen."""
    key = base64.b32decode(base32_key + "=" * (-len(base32_key) % 8))
    return f"{totp(key):06d}"


def test_sign_in_with_password_and_authenticator_code(
    page: Page, live_server: LiveServer, alice: User, shoot: Shoot
) -> None:
    page.goto(f"{live_server.url}/staff/login/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(heading(page)).not_to_have_text("Staff sign-in")
    expect(page.get_by_role("button", name="Русский")).to_have_attribute("aria-current", "true")
    shoot(page, "login-ru")

    use_language(page, "English", "en")
    expect(heading(page)).to_have_text("Staff sign-in")
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-current", "true")
    shoot(page, "login")

    page.get_by_label("Username", exact=True).fill("alice")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    submit(page.get_by_role("button", name="Continue"))
    expect(heading(page)).to_have_text("Confirm it is you")
    shoot(page, "verify")

    page.get_by_label("Code from your authenticator app").fill(totp_code(alice))
    submit(page.get_by_role("button", name="Sign in", exact=True))
    expect(page).to_have_url(f"{live_server.url}/staff/")
    expect(heading(page)).to_have_text("Hello, alice")
    expect(page.get_by_role("button", name="Sign out (alice)")).to_be_visible()
    shoot(page, "home")

    use_language(page, "Русский", "ru")
    expect(heading(page)).not_to_have_text("Hello, alice")
    expect(heading(page)).to_contain_text("alice")


def test_wrong_password_stays_on_the_login_page(
    page: Page, live_server: LiveServer, alice: User, shoot: Shoot
) -> None:
    password_step(page, live_server, "alice", "not the password at all")
    expect(page.get_by_role("alert")).to_have_text("The username or the password is not right.")
    expect(heading(page)).to_have_text("Staff sign-in")
    expect(page).to_have_url(f"{live_server.url}/staff/login/")
    expect(page.get_by_label("Username", exact=True)).to_have_value("alice")
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    shoot(page, "login-error")


def test_new_user_first_sign_in(
    new_page: PageFactory, live_server: LiveServer, dave: User, shoot: Shoot
) -> None:
    admin = new_page()
    sign_in_through_pages(admin, live_server, dave)
    admin.get_by_role("link", name="Users", exact=True).click()
    expect(heading(admin)).to_have_text("Users")
    shoot(admin, "users")

    admin.get_by_role("link", name="New user").click()
    expect(heading(admin)).to_have_text("New user")
    admin.get_by_label("Username", exact=True).fill("newbie")
    admin.get_by_label("Caseworker", exact=True).check()
    shoot(admin, "user-create")
    submit(admin.get_by_role("button", name="Create user"))
    expect(heading(admin)).to_have_text("User created")
    expect(admin.get_by_text("It is shown only once.")).to_be_visible()
    shoot(admin, "user-created")
    temporary = admin.locator(".secret code").inner_text().strip()
    assert re.fullmatch(r"[a-z0-9]{5}(-[a-z0-9]{5}){4}", temporary)

    newbie = new_page()
    password_step(newbie, live_server, "newbie", temporary)
    expect(heading(newbie)).to_have_text("Set up your second factor")
    qr = newbie.get_by_role("img", name="QR code for the authenticator app")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    # Shown in groups of four for typing; authenticator apps ignore the spaces.
    key = newbie.locator(".secret code").inner_text().strip().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{16,}", key)
    shoot(newbie, "enrol")

    newbie.get_by_label("Code from your authenticator app").fill(code_for_key(key))
    submit(newbie.get_by_role("button", name="Confirm and sign in"))
    expect(heading(newbie)).to_have_text("Change password")
    expect(newbie.get_by_text("You signed in with a temporary password.")).to_be_visible()
    shoot(newbie, "password-change-forced")

    newbie.goto(f"{live_server.url}/staff/")  # nothing else opens before the password is changed
    expect(heading(newbie)).to_have_text("Change password")
    newbie.get_by_label("Current password").fill(temporary)
    newbie.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    newbie.get_by_label("New password again").fill(NEW_PASSWORD)
    submit(newbie.get_by_role("button", name="Change password"))
    expect(heading(newbie)).to_have_text("My account")
    expect(newbie.get_by_role("status")).to_have_text(
        "Your password is changed. Your other sessions were ended."
    )
    # A caseworker's roles call for the index key, which administrators never hold: a key
    # holder grants it from the key grants page, and until then the account says so.
    expect(newbie.get_by_role("row", name="Index key")).to_contain_text("waiting for a grant")
    shoot(newbie, "account")

    newbie.get_by_role("link", name="Home", exact=True).click()
    expect(heading(newbie)).to_have_text("Hello, newbie")
    expect(newbie.get_by_text("Some keys your roles need are not granted to you yet")).to_have_count(1)
    shoot(newbie, "home-newbie")


def test_disabled_user_is_signed_out_on_next_page(
    new_page: PageFactory, live_server: LiveServer, alice: User, dave: User
) -> None:
    colleague = new_page()
    sign_in_through_pages(colleague, live_server, alice)

    admin = new_page()
    sign_in_through_pages(admin, live_server, dave)
    admin.get_by_role("link", name="Users", exact=True).click()
    admin.get_by_role("link", name="alice", exact=True).click()
    expect(heading(admin)).to_contain_text("alice")
    submit(admin.get_by_role("button", name="Disable account"))
    expect(admin.get_by_role("status")).to_have_text("The account is disabled and its sessions are ended.")
    expect(heading(admin)).to_contain_text("disabled")

    colleague.get_by_role("link", name="My account").click()
    expect(colleague).to_have_url(re.compile(r"/staff/login/\?next="))
    expect(heading(colleague)).to_have_text("Staff sign-in")

    password_step(colleague, live_server, "alice", PASSWORD)
    expect(colleague.get_by_role("alert")).to_have_text("The username or the password is not right.")


def test_auditor_reads_and_verifies_the_log(
    page: Page, live_server: LiveServer, judy: User, shoot: Shoot
) -> None:
    sign_in_through_pages(page, live_server, judy)
    page.get_by_role("link", name="Audit log", exact=True).click()
    expect(heading(page)).to_have_text("Audit log")
    expect(page.locator("table.audit code", has_text=re.compile(r"^auth\.login$")).first).to_be_visible()
    shoot(page, "audit-log")

    submit(page.get_by_role("button", name="Verify the chain"))
    expect(page.get_by_role("status")).to_have_text(
        re.compile(r"^The chain is intact: \d+ entries checked\.$")
    )
    expect(page.locator("table.audit code", has_text=re.compile(r"^audit\.verified$")).first).to_be_visible()
    shoot(page, "audit-verified")


def test_sign_in_works_without_javascript(
    new_page: PageFactory, live_server: LiveServer, alice: User
) -> None:
    page = new_page(java_script_enabled=False)
    sign_in_through_pages(page, live_server, alice)
    page.get_by_role("link", name="My account").click()
    expect(heading(page)).to_have_text("My account")
    submit(page.get_by_role("button", name="Sign out (alice)"))
    expect(heading(page)).to_have_text("Staff sign-in")
    expect(page.get_by_role("status")).to_have_text("You are signed out.")


def test_pages_ask_no_other_host(
    new_page: PageFactory, live_server: LiveServer, org: dict[str, object], judy: User
) -> None:
    """Sign-in, enrolment (with its QR image), home, account and audit pages load only from this server."""
    requested: list[str] = []

    def recorded(page: Page) -> Page:
        page.on("request", lambda request: requested.append(request.url))
        return page

    make_user(org, "erin", {Role.CASEWORKER}, enrol=False)
    newcomer = recorded(new_page())
    password_step(newcomer, live_server, "erin", PASSWORD)
    qr = newcomer.get_by_role("img", name="QR code for the authenticator app")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")

    auditor = recorded(new_page())
    sign_in_through_pages(auditor, live_server, judy)
    for link, title in (("My account", "My account"), ("Audit log", "Audit log"), ("Home", "Hello, judy")):
        auditor.get_by_role("link", name=link, exact=True).click()
        expect(heading(auditor)).to_have_text(title)
        auditor.wait_for_load_state("load")

    assert any(url.startswith(f"{live_server.url}/static/") for url in requested)
    foreign = [url for url in requested if not url.startswith((f"{live_server.url}/", "data:"))]
    assert foreign == []
