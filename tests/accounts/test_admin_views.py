"""User administration: works for the admin, 403 for others, 404 for unknown ids, 405 for GET on writes."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from corridor.accounts import keyring
from corridor.accounts.models import OrgKeyKind, Role, User
from corridor.audit.models import AuditEvent

WRITE_VIEWS = ["user_roles", "user_reset_password", "user_reset_factors", "user_disable", "user_enable"]


def test_admin_lists_and_creates_users(signed_in, dave: User, alice: User) -> None:  # type: ignore[no-untyped-def]
    admin = signed_in(dave)
    listing = admin.get(reverse("accounts:user_list"))
    assert listing.status_code == 200
    assert b"alice" in listing.content
    response = admin.post(reverse("accounts:user_create"), {"username": "newbie", "roles": ["caseworker"]})
    assert response.status_code == 200
    newbie = User.objects.get(username="newbie")
    assert newbie.must_change_password
    assert newbie.role_codes == {"caseworker"}
    # The administrator holds no index key, so none is wrapped: a holder grants it.
    assert keyring.held_kinds(newbie) == set()
    assert AuditEvent.objects.filter(
        action="account.created", actor_id=dave.pk, target_id=str(newbie.pk)
    ).exists()
    assert not AuditEvent.objects.filter(action="key.unsealed", actor_id=dave.pk).exists()
    assert any(p.user == newbie and p.kind == OrgKeyKind.INDEX for p in keyring.pending_grants())


@pytest.mark.parametrize(
    "data",
    [
        {"username": "a b", "roles": ["caseworker"]},
        {"username": "<script>", "roles": ["caseworker"]},
        {"username": "x" * 65, "roles": ["caseworker"]},
        {"username": "newbie", "roles": []},
        {"username": "newbie", "roles": ["emperor"]},
        {"username": "newbie", "roles": ["admin", "caseworker"]},
        {"username": "ALICE", "roles": ["caseworker"]},
        {"username": "new\x00bie", "roles": ["caseworker"]},
    ],
)
def test_bad_new_user_input_changes_nothing(
    signed_in, dave: User, alice: User, data: dict[str, object]
) -> None:  # type: ignore[no-untyped-def]
    admin = signed_in(dave)
    before = User.objects.count()
    response = admin.post(reverse("accounts:user_create"), data)
    assert response.status_code == 400
    assert User.objects.count() == before
    assert b"<script>" not in response.content


def test_roles_change_and_lost_entitlement_deletes_wraps(signed_in, dave: User, olga: User) -> None:  # type: ignore[no-untyped-def]
    admin = signed_in(dave)
    response = admin.post(reverse("accounts:user_roles", args=[olga.pk]), {"roles": ["caseworker"]})
    assert response.status_code == 302
    olga.refresh_from_db()
    olga._role_codes = None  # type: ignore[attr-defined]
    assert User.objects.get(pk=olga.pk).role_codes == {"caseworker"}
    assert keyring.held_kinds(olga) == {OrgKeyKind.INDEX}
    event = AuditEvent.objects.get(action="account.roles_changed")
    assert event.data == {"added": ["caseworker"], "removed": ["operator"]}


def test_admin_cannot_take_a_case_reading_role(signed_in, dave: User) -> None:  # type: ignore[no-untyped-def]
    admin = signed_in(dave)
    response = admin.post(reverse("accounts:user_roles", args=[dave.pk]), {"roles": ["admin", "coordinator"]})
    assert response.status_code == 400
    assert User.objects.get(pk=dave.pk).role_codes == {"admin"}


@pytest.mark.parametrize("name", ["user_list", "user_create"])
@pytest.mark.parametrize("persona", ["alice", "carol", "olga", "judy"])
def test_non_admins_get_403(signed_in, request, name: str, persona: str, dave: User) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(request.getfixturevalue(persona))
    assert client.get(reverse(f"accounts:{name}")).status_code == 403


@pytest.mark.parametrize("name", ["user_detail", *WRITE_VIEWS])
def test_non_admins_get_403_on_user_pages(signed_in, carol: User, alice: User, name: str) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(carol)
    method = client.get if name == "user_detail" else client.post
    assert method(reverse(f"accounts:{name}", args=[alice.pk])).status_code == 403
    assert User.objects.get(pk=alice.pk).is_active


@pytest.mark.parametrize("name", ["user_detail", *WRITE_VIEWS])
def test_unknown_user_is_404(signed_in, dave: User, name: str) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(dave)
    method = client.get if name == "user_detail" else client.post
    assert method(reverse(f"accounts:{name}", args=[uuid.uuid4()])).status_code == 404


@pytest.mark.parametrize("name", WRITE_VIEWS)
def test_get_on_a_write_is_405(signed_in, dave: User, alice: User, name: str) -> None:  # type: ignore[no-untyped-def]
    assert signed_in(dave).get(reverse(f"accounts:{name}", args=[alice.pk])).status_code == 405


@pytest.mark.parametrize("name", ["user_list", "user_create"])
def test_anonymous_is_sent_to_sign_in(client: Client, name: str) -> None:
    response = client.get(reverse(f"accounts:{name}"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_sensitive_actions_need_recent_password(signed_in, dave: User, alice: User, settings) -> None:  # type: ignore[no-untyped-def]
    admin = signed_in(dave)
    settings.CORRIDOR_REAUTH_SECONDS = -1  # the sign-in's password check is now too old
    response = admin.post(reverse("accounts:user_disable", args=[alice.pk]), {"return_to": "/staff/users/"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:reauth"))
    assert User.objects.get(pk=alice.pk).is_active
    settings.CORRIDOR_REAUTH_SECONDS = 300
    wrong = admin.post(reverse("accounts:reauth") + "?next=/staff/users/", {"password": "nope nope nope"})
    assert wrong.status_code == 400
    from tests.conftest import PASSWORD

    right = admin.post(reverse("accounts:reauth") + "?next=/staff/users/", {"password": PASSWORD})
    assert right["Location"] == "/staff/users/"
    assert AuditEvent.objects.filter(action="auth.reauthenticated", actor_id=dave.pk).exists()
    assert admin.post(reverse("accounts:user_disable", args=[alice.pk])).status_code == 302
    assert not User.objects.get(pk=alice.pk).is_active


def test_admin_and_auditor_hold_no_key_that_reads_or_searches(dave: User, judy: User) -> None:
    """An administrator or auditor with a database copy cannot enumerate phone numbers against indexes."""
    for user in (dave, judy):
        assert keyring.held_kinds(user) == set()
        assert keyring.entitled_kinds(user) == set()
    assert Role.ADMIN in dave.role_codes


def test_admin_removes_lost_second_factors(signed_in, dave: User, alice: User) -> None:  # type: ignore[no-untyped-def]
    from django.urls import reverse as rev

    from corridor.accounts import second_factor
    from tests.conftest import PASSWORD

    alice_client = signed_in(alice)
    admin = signed_in(dave)
    assert admin.post(rev("accounts:user_reset_factors", args=[alice.pk])).status_code == 302
    assert not second_factor.has_second_factor(alice)
    assert alice_client.get(rev("web:home")).status_code == 302
    event = AuditEvent.objects.get(action="account.second_factors_reset")
    assert event.data == {"totp_removed": 1, "keys_removed": 0, "sessions_ended": 1}
    fresh = Client()
    response = fresh.post(rev("accounts:login"), {"username": "alice", "password": PASSWORD})
    assert response["Location"] == rev("accounts:enrol")


def test_admin_sees_a_user_and_enables_a_disabled_account(signed_in, dave: User, alice: User) -> None:  # type: ignore[no-untyped-def]
    from corridor.accounts import services

    admin = signed_in(dave)
    page = admin.get(reverse("accounts:user_detail", args=[alice.pk]))
    assert page.status_code == 200
    assert b"alice" in page.content
    services.disable_user(actor=dave, user=alice)
    assert admin.post(reverse("accounts:user_enable", args=[alice.pk])).status_code == 302
    assert User.objects.get(pk=alice.pk).is_active
    assert AuditEvent.objects.filter(
        action="account.enabled", actor_id=dave.pk, target_id=str(alice.pk)
    ).exists()
