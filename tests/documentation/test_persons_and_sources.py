"""Persons across testimonies (blind indexes, match proposals), sources and what they say."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.crypto.errors import DecryptionFailed
from corridor.documentation import persons, reading, sealing, services
from corridor.documentation.keys import open_collection_key
from corridor.documentation.models import (
    Act,
    Information,
    MatchStatus,
    Person,
    PersonIndex,
    PersonMatch,
    Source,
)
from corridor.hotline import receipts
from tests.documentation.helpers import act, collection, event
from tests.hotline.helpers import private_key

pytestmark = pytest.mark.django_db
SignedIn = Callable[[User], Client]


def person(user: User, where: object, name: str, **more: object) -> Person:
    return persons.add_person(
        actor=user,
        user_private_key=private_key(user),
        collection=where,  # type: ignore[arg-type]
        identity=persons.Identity(name=name, **more),  # type: ignore[arg-type]
    )


def test_the_same_person_from_two_testimonies_is_proposed_once(dora: User) -> None:
    made = collection(dora)
    first = person(dora, made, "Ruslan Akhmadov", aliases=["Rusik"], phone="+7 928 000 11 22")
    assert PersonIndex.objects.filter(person=first).count() == 3
    # Another script, another word order, another spelling of the phone.
    second = person(dora, made, "Ахмадов Руслан", phone="8 (928) 000-11-22")
    match = PersonMatch.objects.get()
    assert {match.person_id, match.other_id} == {first.pk, second.pk}
    assert match.kinds == ["name", "phone"]
    assert match.status == MatchStatus.PROPOSED
    # Someone else shares nothing; a person in another collection is never proposed.
    person(dora, made, "Islam Dadaev")
    person(dora, collection(dora, "Other"), "Ruslan Akhmadov")
    assert PersonMatch.objects.count() == 1
    persons.decide_match(actor=dora, match=match, same=True)
    match.refresh_from_db()
    assert (match.status, match.decided_by) == (MatchStatus.CONFIRMED, dora)
    assert AuditEvent.objects.filter(action="documentation.match_decided").count() == 1


def test_the_identity_is_sealed_and_bound_to_its_row(dora: User) -> None:
    made = collection(dora)
    one = person(dora, made, "Ruslan", notes="Lives with his aunt")
    two = person(dora, made, "Islam")
    key = open_collection_key(user=dora, user_private_key=private_key(dora), collection=made, purpose="test")
    assert persons.read_identity(key, one).notes == "Lives with his aunt"
    Person.objects.filter(pk=two.pk).update(identity=one.identity)
    two.refresh_from_db()
    with pytest.raises(DecryptionFailed):
        sealing.open_json(key, two, "identity")


@pytest.mark.parametrize(
    "identity",
    [
        {"name": ""},
        {"name": "two\nlines"},
        {"name": "x" * 201},
        {"name": "ok", "aliases": ["a\x00"]},
        {"name": "ok", "aliases": [f"alias {n}" for n in range(21)]},
        {"name": "ok", "birth": "1" * 65},
    ],
)
def test_bad_identities_are_refused(dora: User, identity: dict[str, object]) -> None:
    made = collection(dora)
    with pytest.raises(services.DocumentationRefused):
        person(dora, made, **identity)  # type: ignore[arg-type]
    assert not Person.objects.exists()


def test_an_act_links_its_victim_to_a_person_and_the_person_page_lists_it(
    dora: User, signed_in: SignedIn
) -> None:
    made = collection(dora)
    victim = person(dora, made, "Ruslan Akhmadov")
    first = event(dora, made, date="2017-03~")
    second = event(dora, made, title="Second detention", date="2017-21")
    act(dora, first, victim="", victim_person=victim.code)
    act(dora, second, victim="R.", victim_person=victim.code.lower())
    with pytest.raises(services.DocumentationRefused):
        act(dora, first, victim_person="P-NOPE00")
    with pytest.raises(services.DocumentationRefused):
        act(dora, first, victim_kind="group", count_best=3, victim="x", victim_person=victim.code)
    elsewhere = person(dora, collection(dora, "Other"), "Someone")
    with pytest.raises(services.DocumentationRefused):
        act(dora, first, victim_person=elsewhere.code)
    assert Act.objects.filter(victim_person=victim).count() == 2

    page = (
        signed_in(dora).get(reverse("documentation:person", kwargs={"person_id": victim.pk})).content.decode()
    )
    assert "Ruslan Akhmadov" in page
    assert first.code in page
    assert second.code in page
    event_page = (
        signed_in(dora).get(reverse("documentation:event", kwargs={"event_id": first.pk})).content.decode()
    )
    assert victim.code in event_page
    # The act without a victim's text shows the person's name.
    assert "Ruslan Akhmadov" in event_page
    # Confirmed as the same man from another testimony: his page lists these acts too.
    again = person(dora, made, "Ахмадов Руслан")
    persons.decide_match(actor=dora, match=PersonMatch.objects.get(), same=True)
    view = reading.person_for_documenter(user=dora, user_private_key=private_key(dora), person=again)
    assert {a.event_id for a in view.acts} == {first.pk, second.pk}
    assert "a name" in view.matches[0].shared


def test_sources_keep_conflicting_accounts_side_by_side(dora: User, signed_in: SignedIn) -> None:
    made = collection(dora)
    witness = person(dora, made, "Zelimkhan")
    detention = event(dora, made, date="2017-03~")
    told = persons.add_source(
        actor=dora,
        user_private_key=private_key(dora),
        collection=made,
        kind="witness",
        description="",
        person_code=witness.code,
    )
    report = persons.add_source(
        actor=dora,
        user_private_key=private_key(dora),
        collection=made,
        kind="media",
        description="Newspaper article, 1 April 2017",
    )
    for source, date, count, reliability, credibility in (
        (told, "2017-03-12", 12, "B", 2),
        (report, "2017-21", 40, "C", 3),
    ):
        persons.add_information(
            actor=dora,
            user_private_key=private_key(dora),
            event=detention,
            data=persons.InformationInput(
                source_code=source.code,
                connection="010200000000",
                reliability=reliability,
                credibility=credibility,
                date=date,
                count=count,
                statement=f"says {count}",
            ),
        )
    view = reading.event_for_documenter(user=dora, user_private_key=private_key(dora), event=detention)
    assert [(i.information.count, i.information.date, i.statement) for i in view.information] == [
        (12, "2017-03-12", "says 12"),
        (40, "2017-21", "says 40"),
    ]
    assert view.information[1].source_description == "Newspaper article, 1 April 2017"
    # The event's own date is untouched by what sources say.
    detention.refresh_from_db()
    assert detention.date == "2017-03~"
    page = (
        signed_in(dora)
        .get(reverse("documentation:person", kwargs={"person_id": witness.pk}))
        .content.decode()
    )
    assert "says 12" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"source_code": "S-NOPE00"}, "no source"),
        ({"connection": "1"}, "Choose"),
        ({"reliability": "G"}, "Choose"),
        ({"credibility": 7}, "Choose"),
        ({"date": "around Easter"}, "not a date"),
        ({"count": 0}, "from 1"),
        ({"statement": "\x01"}, "cannot be accepted"),
    ],
)
def test_bad_information_is_refused(dora: User, changes: dict[str, object], message: str) -> None:
    made = collection(dora)
    detention = event(dora, made)
    source = persons.add_source(
        actor=dora,
        user_private_key=private_key(dora),
        collection=made,
        kind="media",
        description="An article",
    )
    fields: dict[str, object] = {
        "source_code": source.code,
        "connection": "030100000000",
        "reliability": "C",
        "credibility": 3,
        **changes,
    }
    with pytest.raises(services.DocumentationRefused, match=message):
        persons.add_information(
            actor=dora,
            user_private_key=private_key(dora),
            event=detention,
            data=persons.InformationInput(**fields),  # type: ignore[arg-type]
        )
    assert not Information.objects.exists()


def test_bad_sources_are_refused(dora: User) -> None:
    made = collection(dora)
    for kind, description, code in (("rumour", "x", ""), ("media", "", ""), ("witness", "", "P-NOPE00")):
        with pytest.raises(services.DocumentationRefused):
            persons.add_source(
                actor=dora,
                user_private_key=private_key(dora),
                collection=made,
                kind=kind,
                description=description,
                person_code=code,
            )
    assert not Source.objects.exists()


def test_person_and_source_pages(dora: User, dan: User, signed_in: SignedIn) -> None:
    made = collection(dora)
    client = signed_in(dora)
    assert client.get(reverse("documentation:person_new")).status_code == 200
    form = {
        "collection": str(made.pk),
        "name": "Ruslan Akhmadov",
        "aliases": "Rusik\nRuslan A.",
        "birth": "1994",
        "phone": "",
        "notes": "",
        "submission": receipts.new_token(),
    }
    response = client.post(reverse("documentation:person_new"), form)
    assert response.status_code == 302
    assert client.post(reverse("documentation:person_new"), form)["Location"] == response["Location"]
    first = Person.objects.get()
    bad = client.post(reverse("documentation:person_new"), {**form, "name": "", "submission": ""})
    assert bad.status_code == 400
    client.post(
        reverse("documentation:person_new"),
        {**form, "name": "Руслан Ахмадов", "aliases": "", "submission": ""},
    )
    match = PersonMatch.objects.get()
    listing = client.get(reverse("documentation:persons")).content.decode()
    assert "Руслан Ахмадов" in listing
    page = client.get(reverse("documentation:person", kwargs={"person_id": first.pk})).content.decode()
    assert "Руслан Ахмадов" in page
    decide = reverse("documentation:match_decide", kwargs={"person_id": first.pk, "match_id": match.pk})
    assert client.post(decide, {"same": "maybe"}).status_code == 400
    assert client.post(decide, {"same": "no"}).status_code == 302
    match.refresh_from_db()
    assert match.status == MatchStatus.REJECTED
    assert client.get(decide).status_code == 405

    assert client.get(reverse("documentation:source_new")).status_code == 200
    source_form = {
        "collection": str(made.pk),
        "kind": "witness",
        "person": first.code,
        "description": "",
        "submission": receipts.new_token(),
    }
    created = client.post(reverse("documentation:source_new"), source_form)
    assert created.status_code == 200
    source = Source.objects.get()
    assert source.code in created.content.decode()
    assert client.post(reverse("documentation:source_new"), {**source_form, "kind": "x"}).status_code == 400

    detention = event(dora, made)
    info = reverse("documentation:information_add", kwargs={"event_id": detention.pk})
    info_form = {
        "source": source.code,
        "connection": "010200000000",
        "reliability": "B",
        "credibility": "2",
        "date": "2017-03-12",
        "count": "12",
        "statement": "Twelve men in the basement",
        "submission": receipts.new_token(),
    }
    assert client.post(info, info_form).status_code == 302
    assert client.post(info, info_form).status_code == 302
    assert Information.objects.count() == 1
    assert client.post(info, {**info_form, "credibility": "9", "submission": ""}).status_code == 400
    assert client.post(info, {**info_form, "date": "2017-02-30", "submission": ""}).status_code == 400
    assert Information.objects.count() == 1
    assert client.get(info).status_code == 405
    assert (
        "Twelve men in the basement"
        in client.get(reverse("documentation:event", kwargs={"event_id": detention.pk})).content.decode()
    )

    # Another documenter without the collection: 404 everywhere, nothing in the list.
    other = signed_in(dan)
    assert other.get(reverse("documentation:person", kwargs={"person_id": first.pk})).status_code == 404
    assert other.post(decide, {"same": "yes"}).status_code == 404
    assert other.post(info, {**info_form, "submission": ""}).status_code == 404
    assert "Ruslan" not in other.get(reverse("documentation:persons")).content.decode()


def test_other_roles_cannot_reach_persons_or_sources(
    dora: User, alice: User, dave: User, judy: User, signed_in: SignedIn
) -> None:
    made = collection(dora)
    one = person(dora, made, "Ruslan Akhmadov")
    person(dora, made, "Ruslan Akhmadov")
    match = PersonMatch.objects.get()
    detention = event(dora, made)
    for user in (alice, dave, judy):
        client = signed_in(user)
        for url in (
            reverse("documentation:persons"),
            reverse("documentation:person_new"),
            reverse("documentation:person", kwargs={"person_id": one.pk}),
            reverse("documentation:source_new"),
        ):
            assert client.get(url).status_code == 403
        for url in (
            reverse("documentation:match_decide", kwargs={"person_id": one.pk, "match_id": match.pk}),
            reverse("documentation:information_add", kwargs={"event_id": detention.pk}),
            reverse("documentation:person_new"),
            reverse("documentation:source_new"),
        ):
            assert client.post(url, {}).status_code == 403
