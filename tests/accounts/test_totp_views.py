"""Adding and removing an authenticator app from the account page."""

from __future__ import annotations

from django.urls import reverse

from corridor.accounts import second_factor
from corridor.accounts.models import User
from corridor.audit.models import AuditEvent

ADD = reverse("accounts:totp_add")


def test_adding_a_second_authenticator(signed_in, alice: User) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(alice)
    page = client.get(ADD)
    assert page.status_code == 200
    assert b"data:image/svg+xml" in page.content
    device = second_factor.unconfirmed_totp_device(alice)
    assert device is not None
    good = second_factor.current_totp_code(device)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    assert client.post(ADD, {"code": wrong, "name": "tablet"}).status_code == 400
    assert second_factor.confirmed_totp_devices(alice).count() == 1
    assert client.post(ADD, {"code": good, "name": "tablet"}).status_code == 302
    assert second_factor.confirmed_totp_devices(alice).count() == 2
    assert AuditEvent.objects.filter(action="account.totp_added", actor_id=alice.pk).count() == 2


def test_adding_needs_a_recent_password(signed_in, alice: User, settings) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(alice)
    settings.CORRIDOR_REAUTH_SECONDS = -1
    response = client.get(ADD)
    assert response["Location"].startswith(reverse("accounts:reauth"))
    assert second_factor.unconfirmed_totp_device(alice) is None


def test_anonymous_is_sent_to_sign_in(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get(ADD)["Location"].startswith(reverse("accounts:login"))
