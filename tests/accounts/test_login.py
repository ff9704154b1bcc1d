"""Sign-in: password, then second factor; failures, throttling, first enrolment."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from corridor.accounts import second_factor
from corridor.accounts.models import StaffSession, User
from corridor.audit.models import AuditEvent
from tests.conftest import PASSWORD, make_user, sign_in, totp_code

HOME = reverse("web:home")


def password_step(client: Client, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_password_and_code_sign_in(client: Client, alice: User) -> None:
    sign_in(client, alice)
    assert client.get(HOME).status_code == 200
    assert StaffSession.objects.filter(user=alice, second_factor="totp").count() == 1
    login = AuditEvent.objects.get(action="auth.login")
    assert login.actor_id == alice.pk
    assert login.data == {"factor": "totp"}
    assert AuditEvent.objects.filter(action="auth.key_unlocked", actor_id=alice.pk).exists()
    assert AuditEvent.objects.filter(action="auth.password_verified", actor_id=alice.pk).exists()


def test_wrong_password_gets_no_session(client: Client, alice: User) -> None:
    response = password_step(client, "alice", "not the password")
    assert response.status_code == 400
    assert "not right" in response.content.decode() or "неверн" in response.content.decode().lower()
    assert client.get(reverse("accounts:verify")).status_code == 302
    assert client.get(HOME).status_code == 302
    failure = AuditEvent.objects.get(action="auth.login_failed")
    assert failure.data["stage"] == "password"
    assert failure.actor_id == alice.pk


def test_unknown_user_gets_the_same_answer(client: Client, alice: User) -> None:
    unknown = password_step(client, "mallory", "whatever password")
    wrong = password_step(Client(), "alice", "whatever password")
    assert unknown.status_code == wrong.status_code == 400
    assert unknown.content.count(b"notice error") == wrong.content.count(b"notice error")


def test_password_alone_does_not_sign_in(client: Client, alice: User) -> None:
    assert password_step(client, "alice").status_code == 302
    # The key was unlocked at the password step: that is recorded even if no second factor follows.
    assert AuditEvent.objects.filter(action="auth.password_verified", actor_id=alice.pk).exists()
    assert client.get(HOME)["Location"].startswith(reverse("accounts:login"))
    assert not StaffSession.objects.exists()


def test_wrong_code_gets_no_session(client: Client, alice: User) -> None:
    password_step(client, "alice")
    good = totp_code(alice)
    bad = f"{(int(good) + 1) % 1_000_000:06d}"
    response = client.post(reverse("accounts:verify"), {"code": bad})
    assert response.status_code == 400
    assert client.get(HOME).status_code == 302
    assert AuditEvent.objects.filter(action="auth.login_failed", data__stage="second_factor").exists()


def test_a_code_works_only_once(client: Client, alice: User) -> None:
    sign_in(client, alice)
    device = second_factor.confirmed_totp_devices(alice).get()
    used = second_factor.current_totp_code(device)
    other = Client()
    password_step(other, "alice")
    assert other.post(reverse("accounts:verify"), {"code": used}).status_code == 400


@pytest.mark.parametrize("stage", ["password", "second_factor"])
def test_throttling_engages_after_repeated_failures(
    client: Client, alice: User, settings, stage: str
) -> None:  # type: ignore[no-untyped-def]
    settings.CORRIDOR_LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        if stage == "password":
            password_step(Client(), "alice", "wrong password here")
        else:
            other = Client()
            password_step(other, "alice")
            good = totp_code(alice)
            other.post(reverse("accounts:verify"), {"code": f"{(int(good) + 1) % 1_000_000:06d}"})
    # Now even the right password and code are refused for this account.
    response = password_step(client, "alice")
    assert response.status_code == 400
    assert client.get(reverse("accounts:verify")).status_code == 302
    assert AuditEvent.objects.filter(action="auth.login_failed", data__throttled=True).exists()


def test_throttle_is_per_account_and_stores_no_username(
    client: Client, alice: User, bob: User, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.CORRIDOR_LOGIN_FAILURE_LIMIT = 2
    for _ in range(2):
        password_step(Client(), "alice", "wrong password here")
    sign_in(client, bob)
    from corridor.limits.models import Throttle

    keys = list(Throttle.objects.values_list("key", flat=True))
    assert keys
    assert all("alice" not in k for k in keys)


def test_successful_sign_in_clears_failures(client: Client, alice: User, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CORRIDOR_LOGIN_FAILURE_LIMIT = 3
    password_step(Client(), "alice", "wrong password here")
    password_step(Client(), "alice", "wrong password here")
    sign_in(client, alice)
    password_step(Client(), "alice", "wrong password here")
    password_step(Client(), "alice", "wrong password here")
    sign_in(Client(), alice)


def test_first_sign_in_requires_enrolling_a_second_factor(client: Client, org) -> None:  # type: ignore[no-untyped-def]
    newbie = make_user(org, "newbie", {"caseworker"}, enrol=False)
    response = password_step(client, "newbie")
    assert response["Location"] == reverse("accounts:enrol")
    page = client.get(reverse("accounts:enrol"))
    assert page.status_code == 200
    assert b"data:image/svg+xml" in page.content
    device = second_factor.unconfirmed_totp_device(newbie)
    assert device is not None
    good = second_factor.current_totp_code(device)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    assert client.post(reverse("accounts:enrol"), {"code": wrong, "name": "x"}).status_code == 400
    assert not second_factor.has_second_factor(newbie)
    assert client.get(HOME).status_code == 302
    response = client.post(reverse("accounts:enrol"), {"code": good, "name": "phone"})
    assert response.status_code == 302
    assert client.get(HOME).status_code == 200
    assert AuditEvent.objects.filter(action="account.totp_added", actor_id=newbie.pk).exists()


def test_enrolment_needs_the_password_step(client: Client, org) -> None:  # type: ignore[no-untyped-def]
    make_user(org, "newbie", {"caseworker"}, enrol=False)
    assert client.get(reverse("accounts:enrol"))["Location"] == reverse("accounts:login")
    assert client.get(reverse("accounts:verify"))["Location"] == reverse("accounts:login")


def test_logout_destroys_the_session(client: Client, alice: User) -> None:
    sign_in(client, alice)
    session_key = client.session.session_key
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=session_key).exists()
    assert not StaffSession.objects.exists()
    assert client.cookies["corridor_unlock"].value == ""
    assert client.get(HOME).status_code == 302


def test_logout_is_post_only(client: Client, alice: User) -> None:
    sign_in(client, alice)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.get(HOME).status_code == 200


def test_open_redirect_after_sign_in_is_refused(client: Client, alice: User) -> None:
    client.post(
        f"{reverse('accounts:login')}?next=https://evil.example/", {"username": "alice", "password": PASSWORD}
    )
    response = client.post(reverse("accounts:verify"), {"code": totp_code(alice)})
    assert response["Location"] == HOME


def test_disabled_user_cannot_sign_in(client: Client, alice: User, dave: User) -> None:
    from corridor.accounts import services

    services.disable_user(actor=dave, user=alice)
    assert password_step(client, "alice").status_code == 400
