"""Canary: a unique string written through every relocation form that takes text (pathway notes and
outcomes, milestone notes and dates, consent notes and withdrawals, the message to a partner, and
the profile fields a signed packet carries) is nowhere in the database in the clear, nor in the
log, nor in the packet a partner downloads; and the partner does find it inside."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from corridor.accounts import keyring
from corridor.accounts.models import OrgKeyKind, User
from corridor.cases import services as case_services
from corridor.cases import workflow
from corridor.cases.models import Case
from corridor.cases.profile import Profile
from corridor.crypto import keys, referral
from corridor.crypto.words import fingerprint_words
from corridor.evacuation.relocation.models import Consent, Milestone, Partner, Pathway, Referral
from tests.cases.test_case_canary import _database_images
from tests.hotline.helpers import private_key

SignedIn = Callable[[User], Client]
# A travel date no timestamp of this test can share.
SECRET_DAY = "2031-07-19"


@pytest.mark.django_db
def test_no_relocation_text_in_the_clear(
    signed_in: SignedIn,
    alice: User,
    carol: User,
    case: Case,
    partner: Partner,
    partner_keys: keys.KeyPair,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    canary = f"canary-{uuid.uuid4().hex}"
    case_services.update_profile(
        actor=alice,
        user_private_key=private_key(alice),
        case=case,
        profile=Profile(names=[f"{canary} name"], documents=[f"{canary} passport"]),
    )
    client, coordinator = signed_in(alice), signed_in(carol)

    def post(name: str, data: dict[str, object], who: Client = client) -> None:
        response = who.post(reverse(f"relocation:{name}", args=[case.pk]), data)
        assert response.status_code == 302, response.content

    post("pathway_add", {"kind": "humanitarian_visa", "destination": "DE", "note": f"{canary} pathway"})
    pathway = Pathway.objects.get()
    post(
        "milestone_add",
        {"pathway": str(pathway.pk), "kind": "tickets", "on": SECRET_DAY, "note": f"{canary} milestone"},
    )
    post("pathway_add", {"kind": "resettlement", "destination": "CA", "partner": str(partner.pk)})
    post("pathway_close", {"pathway": str(pathway.pk), "outcome": "refused", "note": f"{canary} outcome"})
    post(
        "consent_add",
        {"partner": str(partner.pk), "given_on": "2026-11-02", "channel": "call", "note": f"{canary} c"},
    )
    post(
        "referral_request",
        {"partner": str(partner.pk), "fields_sent": ["names", "documents"], "message": f"{canary} message"},
    )
    made = Referral.objects.get()
    workflow.decide_approval(
        actor=carol, user_private_key=private_key(carol), approval=made.approval, decision="approve"
    )
    post("referral_sign", {"referral": str(made.pk)}, coordinator)
    packet = client.get(reverse("relocation:referral_download", args=[case.pk, made.pk])).content
    consent = Consent.objects.get()
    post("consent_withdraw", {"consent": str(consent.pk), "note": f"{canary} withdrawn"})
    assert Milestone.objects.count() == 1

    needles = {
        "utf-8": canary.encode(),
        "utf-16": canary.encode("utf-16-le"),
        "hex": canary.encode().hex().encode(),
        "travel date": SECRET_DAY.encode(),
        "travel date (utf-16)": SECRET_DAY.encode("utf-16-le"),
    }
    images = _database_images()
    images["downloaded packet"] = packet
    for where, image in images.items():
        for label, needle in needles.items():
            assert needle not in image, f"the canary ({label}) is in the {where} in the clear"
    assert canary not in caplog.text
    assert SECRET_DAY not in caplog.text

    # Control: the partner, and only the partner, reads it.
    opened = referral.open_packet(
        partner_private=partner_keys.private,
        signer_fingerprint=fingerprint_words(keyring.pinned_public_key(OrgKeyKind.SIGNING)),
        packet=packet,
    )
    assert opened.payload["person"] == {"names": [f"{canary} name"], "documents": [f"{canary} passport"]}
    assert opened.payload["message"] == f"{canary} message"
    assert date.fromisoformat(SECRET_DAY)  # the date was a real one, refused by nothing
