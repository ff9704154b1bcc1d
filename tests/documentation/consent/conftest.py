"""A collection dora holds with one event: Zelim (a victim) and Adam (a witness) each gave a statement,
and a news report gave a third; two partner organisations carol added."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from corridor.accounts.models import User
from corridor.crypto import keys, referral
from corridor.crypto.words import fingerprint_words
from corridor.documentation import persons
from corridor.documentation.models import Collection, Event, Information, Person
from corridor.evacuation.relocation import partners as relocation_partners
from corridor.evacuation.relocation.models import Partner
from tests.documentation.helpers import act, collection, event
from tests.hotline.helpers import private_key


@dataclass
class World:
    collection: Collection
    event: Event
    zelim: Person
    adam: Person
    zelim_says: Information
    adam_says: Information
    news_says: Information


def statement(user: User, on: Event, source_code: str, text: str) -> Information:
    return persons.add_information(
        actor=user,
        user_private_key=private_key(user),
        event=on,
        data=persons.InformationInput(
            source_code=source_code, connection="010200000000", reliability="B", credibility=2, statement=text
        ),
    )


@pytest.fixture
def world(dora: User) -> World:
    made = collection(dora)
    argun = event(dora, made, description="Men were held in the former commandant's office.")
    key = private_key(dora)
    zelim = persons.add_person(
        actor=dora,
        user_private_key=key,
        collection=made,
        identity=persons.Identity(name="Zelim Bakaev", aliases=["Zelimkhan"], phone="+7 928 000 11 22"),
    )
    adam = persons.add_person(
        actor=dora, user_private_key=key, collection=made, identity=persons.Identity(name="Adam Umarov")
    )
    act(dora, argun, victim="", victim_person=zelim.code)
    sources = {
        who: persons.add_source(
            actor=dora, user_private_key=key, collection=made, kind=kind, description=text, person_code=code
        )
        for who, kind, text, code in (
            ("zelim", "victim", "", zelim.code),
            ("adam", "witness", "Adam, a neighbour", adam.code),
            ("news", "media", "Novaya Gazeta, 1 April 2017", ""),
        )
    }
    return World(
        collection=made,
        event=argun,
        zelim=zelim,
        adam=adam,
        zelim_says=statement(
            dora, argun, sources["zelim"].code, "Zelimkhan was beaten with a hose; Adam saw it."
        ),
        adam_says=statement(dora, argun, sources["adam"].code, "I saw them take Zelim Bakaev into the yard."),
        news_says=statement(dora, argun, sources["news"].code, "Twenty men were held in Argun."),
    )


def add_partner(carol: User, pair: keys.KeyPair, name: str) -> Partner:
    """A partner whose key carol added with the fingerprint the partner read out."""
    return relocation_partners.add_partner(
        actor=carol,
        name=name,
        country="CA",
        public_key=referral.encode_public(pair.public),
        fingerprint=fingerprint_words(pair.public),
    )


@pytest.fixture
def partners(carol: User) -> tuple[Partner, Partner]:
    return (
        add_partner(carol, keys.generate_keypair(), "Rainbow Haven"),
        add_partner(carol, keys.generate_keypair(), "North Shelter"),
    )
