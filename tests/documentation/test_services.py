"""Documentation services: collections and their keys, events, acts, perpetrators, bad input."""

from __future__ import annotations

import pytest

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.cases import keys as data_keys
from corridor.cases.models import DataKeyWrap, WrapRecipient
from corridor.crypto.errors import DecryptionFailed
from corridor.documentation import reading, sealing, services
from corridor.documentation.keys import PURPOSE, open_collection_key
from corridor.documentation.models import Act, Event, Involvement
from tests.documentation.helpers import act, collection, event, site
from tests.hotline.helpers import private_key

pytestmark = pytest.mark.django_db


def test_a_collection_key_is_held_by_recovery_and_its_creator_only(dora: User) -> None:
    made = collection(dora)
    wraps = DataKeyWrap.objects.filter(key=made.key)
    assert made.key.purpose == PURPOSE
    assert {(w.recipient, w.user_id) for w in wraps} == {
        (WrapRecipient.RECOVERY, None),
        (WrapRecipient.USER, dora.pk),
    }
    key = open_collection_key(user=dora, user_private_key=private_key(dora), collection=made, purpose="test")
    assert sealing.open_text(key, made, "title") == "Chechnya 2017"
    assert AuditEvent.objects.filter(
        action="documentation.collection_decrypted", target_id=str(made.pk)
    ).exists()


def test_granting_a_collection_to_another_documenter(dora: User, dan: User, alice: User) -> None:
    made = collection(dora)
    with pytest.raises(data_keys.KeyLocked):
        open_collection_key(user=dan, user_private_key=private_key(dan), collection=made, purpose="test")
    assert services.grant_collection(
        actor=dora, user_private_key=private_key(dora), collection=made, grantee=dan
    )
    assert not services.grant_collection(
        actor=dora, user_private_key=private_key(dora), collection=made, grantee=dan
    )
    open_collection_key(user=dan, user_private_key=private_key(dan), collection=made, purpose="test")
    with pytest.raises(services.DocumentationRefused):
        services.grant_collection(
            actor=dora, user_private_key=private_key(dora), collection=made, grantee=alice
        )
    assert AuditEvent.objects.filter(action="documentation.collection_granted").count() == 1


def test_only_documenters_create_collections(alice: User) -> None:
    with pytest.raises(services.DocumentationRefused):
        collection(alice)


def test_an_event_with_acts_and_perpetrators_reads_back(dora: User) -> None:
    made = collection(dora)
    recorded = event(dora, made, site=site(), description="Held in the basement for twelve days.")
    assert (str(recorded.earliest), str(recorded.latest)) == ("2017-03-01", "2017-03-31")
    act(
        dora,
        recorded,
        victim_kind="group",
        victim="Men detained at a checkpoint",
        count_min=10,
        count_best=15,
        count_max=30,
        methods=["030101000000", "030800000000"],
        status_at_end="X01",
        perpetrator=services.PerpetratorInput("institution", "010104000000", "010100000000", "Argun police"),
    )
    person = act(
        dora,
        recorded,
        act_type="X01",
        date="2017-04-12?",
        perpetrator=services.PerpetratorInput("person", "010104000000", "010200000000", "Officer K."),
    )
    services.add_perpetrator(
        actor=dora,
        user_private_key=private_key(dora),
        act=person,
        data=services.PerpetratorInput("person", "110100000000", "010600000000", "The victim's uncle"),
    )
    view = reading.event_for_documenter(user=dora, user_private_key=private_key(dora), event=recorded)
    assert view.title == "Detentions at the Argun commandant's office"
    assert view.description == "Held in the basement for twelve days."
    group, single = view.acts
    assert group.victim == "Men detained at a checkpoint"
    assert (group.act.count_min, group.act.count_best, group.act.count_max) == (10, 15, 30)
    assert group.methods == ["Slapping, kicking or punching", "Application of electric shock"]
    assert group.perpetrators[0].name == "Argun police"
    assert single.type_label == "Forced outing to family"
    assert [p.name for p in single.perpetrators] == ["Officer K.", "The victim's uncle"]
    assert str(single.act.earliest) == "2017-04-12"
    assert Involvement.objects.get(institution="Argun police").event_id == recorded.pk


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"act_type": "999"}, "Choose a value from the list."),
        ({"methods": ["nope"]}, "Choose a value from the list."),
        ({"victim": ""}, "Write something first."),
        ({"victim": "a\x00b"}, "cannot be accepted"),
        ({"victim_kind": "group"}, "Give at least one count"),
        ({"victim_kind": "group", "count_min": 5, "count_best": 3}, "in that order"),
        ({"victim_kind": "group", "count_best": 0}, "from 1 to 100,000"),
        ({"date": "2017-13"}, "not a date"),
        ({"place": "RU-XX"}, "gazetteer"),
        ({"site": "not-a-uuid"}, "site"),
        ({"status_at_end": "123"}, "Choose a value"),
        (
            {"perpetrator": services.PerpetratorInput("institution", "010104000000", "010100000000", "")},
            "Write",
        ),
        ({"perpetrator": services.PerpetratorInput("army", "010104000000", "010100000000", "x")}, "Choose"),
        ({"perpetrator": services.PerpetratorInput("person", "1", "010100000000", "x")}, "Choose"),
    ],
)
def test_bad_act_input_is_refused_and_nothing_is_stored(dora: User, changes: dict, message: str) -> None:
    recorded = event(dora, collection(dora))
    with pytest.raises(services.DocumentationRefused, match=message):
        act(dora, recorded, **changes)
    assert not Act.objects.exists()
    assert not Involvement.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "Write something first."),
        ({"title": "x" * 201}, "too long"),
        ({"date": ""}, "Give a date"),
        ({"date": "spring 2017"}, "not a date"),
        ({"date": "2017-04/2017-03"}, "not a date"),
        ({"place": ""}, "gazetteer"),
        ({"description": "bad\x07bell"}, "cannot be accepted"),
    ],
)
def test_bad_event_input_is_refused_and_nothing_is_stored(dora: User, changes: dict, message: str) -> None:
    made = collection(dora)
    with pytest.raises(services.DocumentationRefused, match=message):
        event(dora, made, **changes)
    assert not Event.objects.exists()


def test_an_envelope_moved_to_another_act_does_not_open(dora: User) -> None:
    made = collection(dora)
    recorded = event(dora, made)
    first = act(dora, recorded, victim="Ruslan")
    second = act(dora, recorded, victim="Islam", victim_kind="person")
    key = open_collection_key(user=dora, user_private_key=private_key(dora), collection=made, purpose="test")
    Act.objects.filter(pk=second.pk).update(victim=first.victim)
    second.refresh_from_db()
    with pytest.raises(DecryptionFailed):
        sealing.open_text(key, second, "victim")
    # Turning a person into a group (a plain column the envelope binds) breaks it too.
    Act.objects.filter(pk=first.pk).update(victim_kind="group")
    first.refresh_from_db()
    with pytest.raises(DecryptionFailed):
        sealing.open_text(key, first, "victim")


def test_links_stay_within_a_collection(dora: User) -> None:
    made = collection(dora)
    wave = event(dora, made, title="The wave of detentions", date="2017-21")
    one = event(dora, made)
    other = event(dora, collection(dora, "Another"))
    services.link_events(actor=dora, event=one, other=wave, kind="part_of")
    services.link_events(actor=dora, event=one, other=wave, kind="part_of")
    with pytest.raises(services.DocumentationRefused):
        services.link_events(actor=dora, event=one, other=one, kind="caused")
    with pytest.raises(services.DocumentationRefused):
        services.link_events(actor=dora, event=one, other=other, kind="caused")
    with pytest.raises(services.DocumentationRefused):
        services.link_events(actor=dora, event=one, other=wave, kind="nope")
    view = reading.event_for_documenter(user=dora, user_private_key=private_key(dora), event=wave)
    assert [(link.label, link.event.code) for link in view.links] == [("includes", one.code)]


def test_documenters_add_sites_but_not_bad_ones(dora: User) -> None:
    added = services.add_site(
        actor=dora, place="RU-CE:gudermes", site_type="030500000000", precision="building", name="Police post"
    )
    assert added.code is None
    for bad in (
        {"place": "nowhere"},
        {"site_type": "010101000000"},
        {"precision": "exact"},
        {"name": ""},
        {"name": "two\nlines"},
    ):
        fields = {
            "place": "RU-CE:gudermes",
            "site_type": "030500000000",
            "precision": "building",
            "name": "Police post",
            **bad,
        }
        with pytest.raises(services.DocumentationRefused):
            services.add_site(actor=dora, **fields)
