"""Case-reading keys are granted by people who hold them, never by administrators."""

from __future__ import annotations

import pytest
from django.urls import reverse

from corridor.accounts import keyring, services
from corridor.accounts.models import KeyWrap, OrgKeyKind, Role, User
from corridor.audit.models import AuditEvent
from tests.conftest import PASSWORD


@pytest.fixture
def newop(dave: User, org) -> User:  # type: ignore[no-untyped-def]
    return services.create_user(
        actor=None,
        actor_private_key=None,
        username="newop",
        password=PASSWORD,
        roles={Role.OPERATOR},
        must_change_password=False,
        index_key=org["secrets"][OrgKeyKind.INDEX],
    )


def test_holder_sees_and_grants_pending_keys(signed_in, olga: User, newop: User) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(olga)
    page = client.get(reverse("accounts:key_grants"))
    assert page.status_code == 200
    assert b"newop" in page.content
    response = client.post(reverse("accounts:key_grant", args=[newop.pk, "hotline"]))
    assert response.status_code == 302
    assert "hotline" in keyring.held_kinds(newop)
    assert AuditEvent.objects.filter(
        action="key.wrapped", actor_id=olga.pk, target_id=str(newop.pk), data__kind="hotline"
    ).exists()


def test_coordinator_without_the_hotline_key_cannot_grant_it(signed_in, carol: User, newop: User) -> None:  # type: ignore[no-untyped-def]
    KeyWrap.objects.filter(user=carol, org_key__kind=OrgKeyKind.HOTLINE).delete()
    client = signed_in(carol)
    assert client.post(reverse("accounts:key_grant", args=[newop.pk, "hotline"])).status_code == 404
    assert client.post(reverse("accounts:key_grant", args=[newop.pk, "signing"])).status_code == 302
    assert keyring.held_kinds(newop) == {"index", "signing"}


def test_a_coordinator_who_holds_the_hotline_key_grants_it(signed_in, carol: User, newop: User) -> None:  # type: ignore[no-untyped-def]
    assert "hotline" in keyring.held_kinds(carol)
    assert signed_in(carol).post(reverse("accounts:key_grant", args=[newop.pk, "hotline"])).status_code == 302
    assert "hotline" in keyring.held_kinds(newop)
    assert AuditEvent.objects.filter(
        action="key.wrapped", actor_id=carol.pk, target_id=str(newop.pk), data__kind="hotline"
    ).exists()


@pytest.mark.parametrize("persona", ["dave", "alice", "judy"])
def test_others_get_403(signed_in, request, persona: str, newop: User) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(request.getfixturevalue(persona))
    assert client.get(reverse("accounts:key_grants")).status_code == 403
    assert client.post(reverse("accounts:key_grant", args=[newop.pk, "hotline"])).status_code == 403
    assert "hotline" not in keyring.held_kinds(newop)


def test_no_grant_to_someone_whose_roles_do_not_need_it(signed_in, olga: User, alice: User) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(olga)
    assert client.post(reverse("accounts:key_grant", args=[alice.pk, "hotline"])).status_code == 404
    assert client.post(reverse("accounts:key_grant", args=[alice.pk, "nonsense"])).status_code == 404
    assert "hotline" not in keyring.held_kinds(alice)


def test_grant_is_post_only(signed_in, olga: User, newop: User) -> None:  # type: ignore[no-untyped-def]
    assert signed_in(olga).get(reverse("accounts:key_grant", args=[newop.pk, "hotline"])).status_code == 405


def test_the_index_key_is_granted_by_a_holder(signed_in, olga: User, org) -> None:  # type: ignore[no-untyped-def]
    bare = services.create_user(
        actor=None,
        actor_private_key=None,
        username="bare",
        password=PASSWORD,
        roles={Role.CASEWORKER},
        must_change_password=False,
    )
    client = signed_in(olga)
    assert b"bare" in client.get(reverse("accounts:key_grants")).content
    assert client.post(reverse("accounts:key_grant", args=[bare.pk, "index"])).status_code == 302
    assert keyring.held_kinds(bare) == {"index"}


def test_a_key_is_not_granted_to_a_role_that_does_not_search(signed_in, olga: User, judy: User) -> None:  # type: ignore[no-untyped-def]
    assert signed_in(olga).post(reverse("accounts:key_grant", args=[judy.pk, "index"])).status_code == 404
    assert keyring.held_kinds(judy) == set()
