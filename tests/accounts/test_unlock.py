"""The split-key session unlock: the key needs both the cookie half and the session half."""

from __future__ import annotations

import base64

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client, RequestFactory
from django.urls import reverse

from corridor.accounts import keyring, unlock
from corridor.accounts.models import OrgKeyKind, StaffSession, User
from corridor.accounts.services import unwrap_user_key
from corridor.crypto import keys
from tests.conftest import PASSWORD, sign_in

HOME = reverse("web:home")


def request_with(client: Client, *, cookie: bool = True, session: bool = True):  # type: ignore[no-untyped-def]
    request = RequestFactory().get("/")
    store = client.session
    if not session:
        store.pop(unlock.UNLOCK, None)
    request.session = store
    if cookie:
        request.COOKIES["corridor_unlock"] = client.cookies["corridor_unlock"].value
    return request


def test_both_halves_unlock_the_users_key(client: Client, alice: User) -> None:
    sign_in(client, alice)
    private = unlock.user_private_key(request_with(client))
    assert keys.public_key_of(private) == bytes(alice.public_key)
    assert keyring.unseal_org_key(user=alice, user_private_key=private, kind=OrgKeyKind.INDEX)


def test_cookie_half_alone_decrypts_nothing(client: Client, alice: User) -> None:
    sign_in(client, alice)
    with pytest.raises(unlock.SessionLocked):
        unlock.user_private_key(request_with(client, session=False))
    cookie_half = base64.urlsafe_b64decode(client.cookies["corridor_unlock"].value)
    # The cookie half is a random key: it is not the private key and does not open the user's wraps.
    assert keys.public_key_of(cookie_half) != bytes(alice.public_key)


def test_session_half_alone_decrypts_nothing(client: Client, alice: User) -> None:
    sign_in(client, alice)
    with pytest.raises(unlock.SessionLocked):
        unlock.user_private_key(request_with(client, cookie=False))
    private = unwrap_user_key(User.objects.get(pk=alice.pk), PASSWORD)
    stored = Session.objects.get(session_key=client.session.session_key).session_data
    assert base64.b64encode(private).decode() not in stored
    assert private.hex() not in stored
    decoded = client.session[unlock.UNLOCK]
    assert private not in base64.urlsafe_b64decode(decoded)


def test_a_key_needing_view_fails_closed_without_the_cookie(signed_in, dave: User) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(dave)
    del client.cookies["corridor_unlock"]
    response = client.post(reverse("accounts:user_create"), {"username": "newbie", "roles": ["caseworker"]})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not User.objects.filter(username="newbie").exists()
    assert client.get(HOME).status_code == 302
    from corridor.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="auth.logout", data__reason="key_locked").exists()


def test_unlock_cookie_flags(client: Client, alice: User) -> None:
    response = client.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    cookie = response.cookies["corridor_unlock"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Strict"


def test_idle_timeout_ends_the_session(client: Client, alice: User, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CORRIDOR_IDLE_TIMEOUT_SECONDS = 600
    with time_machine.travel(0, tick=False) as traveller:
        traveller.move_to("2026-11-25 10:00:00Z")
        sign_in(client, alice)
        traveller.move_to("2026-11-25 10:09:00Z")
        assert client.get(HOME).status_code == 200
        traveller.move_to("2026-11-25 10:18:00Z")
        assert client.get(HOME).status_code == 200
        traveller.move_to("2026-11-25 10:28:01Z")
        assert client.get(HOME).status_code == 302
    assert not StaffSession.objects.filter(user=alice).exists()
    from corridor.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="auth.logout", data__reason="idle_timeout").exists()


def test_pending_sign_in_expires(client: Client, alice: User) -> None:
    with time_machine.travel("2026-11-25 10:00:00Z", tick=False) as traveller:
        client.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
        traveller.move_to("2026-11-25 10:06:00Z")
        assert client.get(reverse("accounts:verify"))["Location"] == reverse("accounts:login")


def test_disabling_an_account_ends_its_sessions(signed_in, alice: User, dave: User) -> None:  # type: ignore[no-untyped-def]
    alice_client = signed_in(alice)
    admin = signed_in(dave)
    response = admin.post(reverse("accounts:user_disable", args=[alice.pk]))
    assert response.status_code == 302
    assert alice_client.get(HOME).status_code == 302
    assert not StaffSession.objects.filter(user=alice).exists()
    assert not Session.objects.filter(session_key=alice_client.session.session_key).exists()


def test_ending_a_session_from_another_session(signed_in, alice: User) -> None:  # type: ignore[no-untyped-def]
    first = signed_in(alice)
    second = signed_in(alice)
    other = StaffSession.objects.exclude(session_key=second.session.session_key).get(user=alice)
    assert second.post(reverse("accounts:session_end", args=[other.pk])).status_code == 302
    assert first.get(HOME).status_code == 302
    assert second.get(HOME).status_code == 200


def test_cannot_end_someone_elses_session(signed_in, alice: User, bob: User) -> None:  # type: ignore[no-untyped-def]
    alice_client = signed_in(alice)
    bob_client = signed_in(bob)
    bobs = StaffSession.objects.get(user=bob)
    assert alice_client.post(reverse("accounts:session_end", args=[bobs.pk])).status_code == 404
    assert bob_client.get(HOME).status_code == 200


def test_sessions_end_after_their_maximum_age(client: Client, alice: User, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SESSION_COOKIE_AGE = 3600
    settings.CORRIDOR_IDLE_TIMEOUT_SECONDS = 1800
    with time_machine.travel("2026-11-25 10:00:00Z", tick=False) as traveller:
        sign_in(client, alice)
        for minute in (20, 40, 59):
            traveller.move_to(f"2026-11-25 10:{minute:02d}:00Z")
            assert client.get(HOME).status_code == 200
        traveller.move_to("2026-11-25 11:00:01Z")
        assert client.get(HOME).status_code == 302
    from corridor.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="auth.logout", data__reason="max_age").exists()
