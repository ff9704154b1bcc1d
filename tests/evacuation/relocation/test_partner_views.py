"""The coordinators' partners page: add with a matching fingerprint, see it, deactivate."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.crypto import keys, referral
from corridor.crypto.words import fingerprint_digits, fingerprint_words
from corridor.evacuation.relocation import partners
from corridor.evacuation.relocation.models import Partner

SignedIn = Callable[[User], Client]


def _data(pair: keys.KeyPair, **change: str) -> dict[str, str]:
    return {
        "name": "Rainbow Haven",
        "country": "CA",
        "public_key": referral.encode_public(pair.public),
        "fingerprint": fingerprint_words(pair.public),
        **change,
    }


def test_a_coordinator_adds_a_partner_and_sees_its_fingerprint(signed_in: SignedIn, carol: User) -> None:
    pair = keys.generate_keypair()
    client = signed_in(carol)
    assert client.get(reverse("relocation:partners")).status_code == 200
    response = client.post(reverse("relocation:partner_add"), _data(pair))
    assert response.status_code == 302
    partner = Partner.objects.get()
    assert bytes(partner.public_key) == pair.public
    assert partners.partner_ok(partner)
    event = AuditEvent.objects.get(action="relocation.partner_added")
    assert event.data["fingerprint"] == keys.fingerprint(pair.public).hex()
    page = client.get(reverse("relocation:partners")).content.decode()
    assert fingerprint_words(pair.public) in page
    assert fingerprint_digits(pair.public) in page


def test_the_digit_form_of_the_fingerprint_is_accepted(signed_in: SignedIn, carol: User) -> None:
    pair = keys.generate_keypair()
    response = signed_in(carol).post(
        reverse("relocation:partner_add"), _data(pair, fingerprint=fingerprint_digits(pair.public))
    )
    assert response.status_code == 302
    assert Partner.objects.count() == 1


@pytest.mark.parametrize(
    "change",
    [
        {"fingerprint": "WRONG"},  # another key's fingerprint
        {"fingerprint": "abandon " * 12},
        {"fingerprint": ""},
        {"public_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5"},
        {"public_key": "corridor-partner-v1:c2hvcnQ"},
        {"public_key": ""},
        {"name": ""},
        {"name": "x" * 121},
        {"name": "Haven\x00"},
        {"country": "XX"},
    ],
)
def test_bad_partners_are_refused(signed_in: SignedIn, carol: User, change: dict[str, Any]) -> None:
    pair = keys.generate_keypair()
    if change.get("fingerprint") == "WRONG":
        change = {"fingerprint": fingerprint_words(keys.generate_keypair().public)}
    response = signed_in(carol).post(reverse("relocation:partner_add"), _data(pair, **change))
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not Partner.objects.exists()
    assert not AuditEvent.objects.filter(action="relocation.partner_added").exists()


def test_the_same_key_twice_is_refused(signed_in: SignedIn, carol: User) -> None:
    pair = keys.generate_keypair()
    client = signed_in(carol)
    assert client.post(reverse("relocation:partner_add"), _data(pair)).status_code == 302
    response = client.post(reverse("relocation:partner_add"), _data(pair, name="Another"))
    assert response.status_code == 400
    assert "already belongs" in response.content.decode()
    assert Partner.objects.count() == 1


def test_deactivate(signed_in: SignedIn, carol: User, partner: Partner) -> None:
    client = signed_in(carol)
    url = reverse("relocation:partner_deactivate", args=[partner.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert not Partner.objects.get(pk=partner.pk).active
    assert AuditEvent.objects.filter(
        action="relocation.partner_deactivated", target_id=str(partner.pk)
    ).exists()
    assert client.post(url).status_code == 302  # again: nothing more happens
    assert AuditEvent.objects.filter(action="relocation.partner_deactivated").count() == 1
    missing = reverse("relocation:partner_deactivate", args=["00000000-0000-0000-0000-000000000000"])
    assert client.post(missing).status_code == 404


@pytest.mark.parametrize("persona", ["alice", "olga", "dave", "judy"])
def test_only_coordinators_manage_partners(
    signed_in: SignedIn, partner: Partner, persona: str, request: pytest.FixtureRequest
) -> None:
    client = signed_in(request.getfixturevalue(persona))
    pair = keys.generate_keypair()
    assert client.get(reverse("relocation:partners")).status_code == 403
    assert client.post(reverse("relocation:partner_add"), _data(pair)).status_code == 403
    assert client.post(reverse("relocation:partner_deactivate", args=[partner.pk])).status_code == 403
    assert Partner.objects.get(pk=partner.pk).active
    assert Partner.objects.count() == 1


def test_the_add_form_refuses_get(signed_in: SignedIn, carol: User) -> None:
    assert signed_in(carol).get(reverse("relocation:partner_add")).status_code == 405
    assert signed_in(carol).post(reverse("relocation:partners")).status_code == 405
