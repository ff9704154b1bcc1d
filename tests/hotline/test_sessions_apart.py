"""A staff member and the applicant's side in one browser: two sessions that never touch each other."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from corridor.accounts.models import StaffSession, User
from corridor.audit.models import AuditEvent
from corridor.hotline import applicant
from tests.conftest import sign_in
from tests.hotline.helpers import open_web_thread

HOME = reverse("web:home")
MESSAGES = "/en/thread/messages/"
WORDS = "They took my phone. Please help."


def enter(client: Client, codename: str) -> None:
    response = client.post("/en/thread/", {"codename": codename})
    assert response.status_code == 302
    assert response["Location"] == MESSAGES


def staff_signed_in(client: Client, user: User) -> None:
    assert client.get(HOME).status_code == 200
    assert StaffSession.objects.filter(user=user).count() == 1
    assert not AuditEvent.objects.filter(action="auth.logout", actor_id=user.pk).exists()


def test_entering_a_thread_leaves_the_staff_session_alone(olga: User) -> None:
    codename = open_web_thread().codename
    browser = Client()
    sign_in(browser, olga)
    staff_cookie = browser.cookies[settings.SESSION_COOKIE_NAME].value

    enter(browser, codename)

    assert WORDS in browser.get(MESSAGES).content.decode()
    staff_signed_in(browser, olga)
    assert browser.cookies[settings.SESSION_COOKIE_NAME].value == staff_cookie
    # The applicant's key half lives in the applicant's session, never in the staff one.
    assert browser.cookies[applicant.SESSION_COOKIE].value != staff_cookie
    assert "applicant_half" not in browser.session
    assert "applicant_thread" not in browser.session


def test_leaving_the_thread_or_the_quick_exit_keeps_the_staff_member_signed_in(olga: User) -> None:
    codename = open_web_thread().codename
    browser = Client()
    sign_in(browser, olga)

    enter(browser, codename)
    assert browser.post("/en/thread/leave/").status_code == 302
    staff_signed_in(browser, olga)
    enter(browser, codename)
    assert browser.get("/en/recipes/").status_code == 200
    staff_signed_in(browser, olga)
    assert browser.get(MESSAGES)["Location"] == "/en/thread/"


def test_an_idle_thread_ends_without_ending_the_staff_session(olga: User, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CORRIDOR_IDLE_TIMEOUT_SECONDS = 3 * settings.CORRIDOR_APPLICANT_IDLE_SECONDS
    codename = open_web_thread().codename
    browser = Client()
    sign_in(browser, olga)
    enter(browser, codename)

    with time_machine.travel(timedelta(seconds=settings.CORRIDOR_APPLICANT_IDLE_SECONDS + 5)):
        assert browser.get(MESSAGES)["Location"] == "/en/thread/"
        staff_signed_in(browser, olga)


def test_signing_in_and_out_as_staff_leaves_the_thread_open(olga: User) -> None:
    codename = open_web_thread().codename
    browser = Client()
    enter(browser, codename)

    sign_in(browser, olga)
    assert "applicant_half" not in browser.session
    assert WORDS in browser.get(MESSAGES).content.decode()
    assert browser.post(reverse("accounts:logout")).status_code == 302

    assert not StaffSession.objects.filter(user=olga).exists()
    assert AuditEvent.objects.filter(action="auth.logout", actor_id=olga.pk).count() == 1
    assert browser.get(HOME).status_code == 302
    assert WORDS in browser.get(MESSAGES).content.decode()


@pytest.mark.parametrize("path", ["/en/", "/en/request/", "/en/thread/", "/en/recipes/"])
def test_applicant_pages_never_set_the_staff_session_cookie(olga: User, path: str) -> None:
    browser = Client()
    response = browser.get(path)
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    sign_in(browser, olga)
    response = browser.get(path)
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    staff_signed_in(browser, olga)
