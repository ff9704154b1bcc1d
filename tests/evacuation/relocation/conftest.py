"""Fixtures of the relocation tests: a case alice works on (carol holds it too), another case she
does not hold, and a partner whose key carol added with its fingerprint."""

from __future__ import annotations

import pytest

from corridor.accounts.models import User
from corridor.cases import grants, services
from corridor.cases.models import Case
from corridor.crypto import keys, referral
from corridor.crypto.words import fingerprint_words
from corridor.evacuation.relocation import partners
from corridor.evacuation.relocation.models import Partner
from corridor.hotline.triage import Triage
from tests.hotline.helpers import open_web_thread, private_key


def open_case(olga: User, caseworker: User | None) -> Case:
    thread = open_web_thread(
        "Please help me.", triage=Triage(region="RU-CE", threatened_by=["relatives"])
    ).thread
    new = services.open_case_from_thread(
        actor=olga, user_private_key=private_key(olga), thread=thread, caseworker=caseworker
    )
    return Case.objects.select_related("key", "thread").get(pk=new.case.pk)


@pytest.fixture
def case(olga: User, alice: User, carol: User) -> Case:
    case = open_case(olga, alice)
    grants.grant_case_access(actor=alice, user_private_key=private_key(alice), case=case, grantee=carol)
    return Case.objects.select_related("key", "thread").get(pk=case.pk)


@pytest.fixture
def other_case(olga: User, bob: User) -> Case:
    """Granted to bob, never to alice."""
    return open_case(olga, bob)


@pytest.fixture
def partner_keys() -> keys.KeyPair:
    return keys.generate_keypair()


def add_partner(carol: User, pair: keys.KeyPair, name: str = "Rainbow Haven") -> Partner:
    return partners.add_partner(
        actor=carol,
        name=name,
        country="CA",
        public_key=referral.encode_public(pair.public),
        fingerprint=fingerprint_words(pair.public),
    )


@pytest.fixture
def partner(carol: User, partner_keys: keys.KeyPair) -> Partner:
    return add_partner(carol, partner_keys)
