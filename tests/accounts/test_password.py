"""Password change keeps access; an administrator's reset does not carry the old keys over."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from corridor.accounts import keyring, services
from corridor.accounts.models import OrgKeyKind, StaffSession, User
from corridor.accounts.services import unwrap_user_key
from corridor.audit.models import AuditEvent
from tests.conftest import PASSWORD, sign_in

NEW = "a much better passphrase 2026"
CHANGE = reverse("accounts:password_change")


def change(client: Client, current: str = PASSWORD, new: str = NEW, again: str | None = None):  # type: ignore[no-untyped-def]
    return client.post(
        CHANGE,
        {
            "current_password": current,
            "new_password": new,
            "new_password_again": again if again is not None else new,
        },
    )


def test_password_change_keeps_access_to_keys(signed_in, olga: User) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(olga)
    other = signed_in(olga)
    assert change(client).status_code == 302
    olga.refresh_from_db()
    private = unwrap_user_key(olga, NEW)
    for kind in (OrgKeyKind.HOTLINE, OrgKeyKind.SIGNING, OrgKeyKind.INDEX):
        assert keyring.unseal_org_key(user=olga, user_private_key=private, kind=kind)
    assert client.get(reverse("web:home")).status_code == 200
    assert other.get(reverse("web:home")).status_code == 302
    assert StaffSession.objects.filter(user=olga).count() == 1
    assert AuditEvent.objects.filter(action="account.password_changed", actor_id=olga.pk).exists()
    sign_in(Client(), olga, NEW)
    assert (
        Client().post(reverse("accounts:login"), {"username": "olga", "password": PASSWORD}).status_code
        == 400
    )


@pytest.mark.parametrize(
    ("current", "new", "again"),
    [
        ("wrong current password", NEW, NEW),
        (PASSWORD, NEW, NEW + "x"),
        (PASSWORD, "short", "short"),
        (PASSWORD, "password1234", "password1234"),
    ],
)
def test_bad_password_change_changes_nothing(
    signed_in, alice: User, current: str, new: str, again: str
) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(alice)
    before = bytes(User.objects.get(pk=alice.pk).wrapped_private_key)
    response = change(client, current, new, again)
    assert response.status_code == 400
    assert bytes(User.objects.get(pk=alice.pk).wrapped_private_key) == before


def test_password_change_is_get_or_post_only(signed_in, alice: User) -> None:  # type: ignore[no-untyped-def]
    assert signed_in(alice).put(CHANGE).status_code == 405


def test_admin_reset_loses_old_wraps_until_regranted(signed_in, olga: User, dave: User, carol: User) -> None:  # type: ignore[no-untyped-def]
    olga_client = signed_in(olga)
    admin = signed_in(dave)
    response = admin.post(reverse("accounts:user_reset_password", args=[olga.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    temporary = page.split("<code>")[1].split("</code>")[0]
    assert olga_client.get(reverse("web:home")).status_code == 302
    olga.refresh_from_db()
    assert keyring.held_kinds(olga) == set()
    assert olga.must_change_password
    event = AuditEvent.objects.get(action="account.password_reset")
    assert event.data["wraps_lost"] == ["hotline", "index", "signing"]
    # The new password signs in, the user must choose their own, and hotline access waits for a grant.
    client = Client()
    sign_in(client, olga, temporary)
    assert client.get(reverse("web:home"))["Location"] == CHANGE
    assert change(client, temporary).status_code == 302
    home = client.get(reverse("web:home")).content.decode()
    assert "not granted to you yet" in home
    assert "Hotline key" in home
    assert {OrgKeyKind.HOTLINE, OrgKeyKind.SIGNING, OrgKeyKind.INDEX} == {
        p.kind for p in keyring.pending_grants() if p.user == olga
    }


def test_admin_cannot_reset_own_password_that_way(signed_in, dave: User) -> None:  # type: ignore[no-untyped-def]
    admin = signed_in(dave)
    response = admin.post(reverse("accounts:user_reset_password", args=[dave.pk]), follow=True)
    assert response.status_code == 200
    assert not AuditEvent.objects.filter(action="account.password_reset").exists()


def test_service_refuses_weak_passwords(alice: User) -> None:
    with pytest.raises(ValidationError):
        services.change_password(user=alice, current_password=PASSWORD, new_password="alice")


def test_wrong_current_passwords_are_throttled_and_audited(signed_in, alice: User, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CORRIDOR_LOGIN_FAILURE_LIMIT = 3
    client = signed_in(alice)
    for _ in range(3):
        assert change(client, "not my password at all").status_code == 400
    failures = AuditEvent.objects.filter(action="auth.login_failed", data__stage="password_change")
    assert failures.count() == 3
    # The fourth attempt, even with the right password, ends the session instead.
    response = change(client)
    assert response["Location"] == reverse("accounts:login")
    assert client.get(reverse("web:home")).status_code == 302
    assert unwrap_user_key(User.objects.get(pk=alice.pk), PASSWORD)


def test_wrong_current_password_is_marked_on_its_field_in_russian(signed_in, alice: User) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(alice)
    client.cookies["corridor_language"] = "ru"
    response = change(client, "not my password at all")
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["current_password"]
    assert "Текущий пароль" in errors["current_password"][0]
