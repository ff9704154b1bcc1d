"""Importing many events at once: the same checks as the forms, all or nothing, readable after."""

from __future__ import annotations

import dataclasses
import json
import uuid

import pytest
from django.db import connection

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.crypto import envelope as envelopes
from corridor.documentation import imports, persons, reading, sealing, services
from corridor.documentation.keys import open_collection_key
from corridor.documentation.models import Act, Event, Involvement
from tests.documentation.helpers import collection, site
from tests.hotline.helpers import private_key

pytestmark = pytest.mark.django_db


def _items(count: int, *, victim_person: str = "") -> list[imports.EventImport]:
    police = services.PerpetratorInput("institution", "010104000000", "010100000000", "District police")
    return [
        imports.EventImport(
            event=services.EventInput(
                title=f"Detention {n}",
                description="",
                date="2017-21",
                place="RU-CE:argun",
                site=str(site().pk),
            ),
            acts=[
                services.ActInput(
                    act_type="030102000000", victim_kind="person", victim=f"Man {n}", perpetrator=police
                ),
                services.ActInput(
                    act_type="X01",
                    victim_kind="person",
                    victim="" if victim_person else "Unnamed",
                    victim_person=victim_person,
                    date="2017-04-02?",
                ),
            ],
        )
        for n in range(count)
    ]


def test_an_import_writes_every_row_sealed_and_readable(dora: User) -> None:
    made = collection(dora)
    ruslan = persons.add_person(
        actor=dora,
        user_private_key=private_key(dora),
        collection=made,
        identity=persons.Identity(name="Ruslan"),
    )
    done = imports.import_events(
        actor=dora,
        user_private_key=private_key(dora),
        collection=made,
        items=_items(30, victim_person=ruslan.code),
    )
    assert (done.events, done.acts) == (30, 60)
    assert Event.objects.count() == 30
    assert len(set(Event.objects.values_list("code", flat=True))) == 30
    assert Act.objects.filter(victim_person=ruslan).count() == 30
    assert Involvement.objects.count() == 30
    one = Event.objects.order_by("code").first()
    assert one is not None
    view = reading.event_for_documenter(user=dora, user_private_key=private_key(dora), event=one)
    assert view.title.startswith("Detention ")
    assert {a.victim for a in view.acts} >= {"Ruslan"}
    assert AuditEvent.objects.get(action="documentation.events_imported").data["acts"] == 60


def test_one_bad_row_refuses_the_whole_import(dora: User) -> None:
    made = collection(dora)
    items = _items(5)
    items[3] = imports.EventImport(
        event=services.EventInput(title="x", description="", date="2017-13", place="RU")
    )
    with pytest.raises(services.DocumentationRefused, match="Event 4: "):
        imports.import_events(actor=dora, user_private_key=private_key(dora), collection=made, items=items)
    bad_person = _items(2, victim_person="P-NOPE00")
    with pytest.raises(services.DocumentationRefused, match="Event 1: "):
        imports.import_events(
            actor=dora, user_private_key=private_key(dora), collection=made, items=bad_person
        )
    assert not Event.objects.exists()
    assert not Act.objects.exists()


def test_imported_rows_hold_what_the_forms_write_and_every_envelope_opens(dora: User) -> None:
    made = collection(dora)
    key = private_key(dora)
    event_input = services.EventInput(
        title="Wave at the checkpoint", description="Told by a brother.", date="2017-03~", place="RU-CE:argun"
    )
    group = services.ActInput(
        act_type="030102000000",
        victim_kind="group",
        victim="Men taken at the checkpoint",
        methods=["030101000000", "032101000000"],
        count_min=10,
        count_best=12,
        count_max=40,
        date="2017-03-12?",
        site=str(site().pk),
        status_at_end="020100000000",
        notes="Two were released the next day.",
        perpetrator=services.PerpetratorInput("person", "010104000000", "010200000000", "Major B."),
    )
    imports.import_events(
        actor=dora, user_private_key=key, collection=made, items=[imports.EventImport(event_input, [group])]
    )
    by_form = services.record_event_from_testimony(
        actor=dora, user_private_key=key, collection=made, data=event_input
    )
    services.add_act(actor=dora, user_private_key=key, event=by_form, data=group)
    imported = Event.objects.exclude(pk=by_form.pk).get()
    plain = ["date", "earliest", "latest", "place", "site_id"]
    assert (
        Event.objects.filter(pk=imported.pk).values(*plain)[0]
        == Event.objects.filter(pk=by_form.pk).values(*plain)[0]
    )
    act_plain = [*plain, "act_type", "methods", "victim_kind", "count_min", "count_best", "count_max"]
    act_plain.append("status_at_end")
    assert (
        Act.objects.filter(event=imported).values(*act_plain)[0]
        == Act.objects.filter(event=by_form).values(*act_plain)[0]
    )
    view = reading.event_for_documenter(user=dora, user_private_key=key, event=imported)
    assert (view.title, view.description) == ("Wave at the checkpoint", "Told by a brother.")
    [act_view] = view.acts
    assert (act_view.victim, act_view.notes) == (
        "Men taken at the checkpoint",
        "Two were released the next day.",
    )
    assert act_view.act.methods == ["030101000000", "032101000000"]
    assert [p.name for p in act_view.perpetrators] == ["Major B."]
    assert Involvement.objects.get(act=act_view.act).event_id == imported.pk


# --- the import's own checks and rows: the forms' refusals, the readers' envelopes ---------------

GOOD_ACT = services.ActInput(act_type="030102000000", victim_kind="person", victim="Ruslan")
GOOD_EVENT = services.EventInput(title="Detention", description="", date="2017-21", place="RU-CE:argun")
POLICE = services.PerpetratorInput("institution", "010104000000", "010100000000", "District police")


def _act(**changes: object) -> services.ActInput:
    return dataclasses.replace(GOOD_ACT, **changes)  # type: ignore[arg-type]


BAD_ACTS = {
    "unknown act type": _act(act_type="999"),
    "unknown method": _act(methods=["030101000000", "nope"]),
    "too many methods": _act(methods=[f"0{n}" for n in range(21)]),
    "unknown victim kind": _act(victim_kind="crowd"),
    "a group linked to a person": _act(victim_kind="group", victim_person="P-AAAAAA", count_best=3),
    "a person code nobody has": _act(victim_person="P-NOPE00"),
    "no victim": _act(victim="  "),
    "a victim's name too long": _act(victim="x" * 201),
    "control characters": _act(victim="Rus\x00lan"),
    "a group without counts": _act(victim_kind="group"),
    "counts out of order": _act(victim_kind="group", count_min=5, count_best=3),
    "a count of zero": _act(victim_kind="group", count_best=0),
    "a bad date": _act(date="2017-13"),
    "an unknown site": _act(site="00000000-0000-4000-8000-000000000000"),
    "an unknown place": _act(place="RU-XX"),
    "an unknown status": _act(status_at_end="nope"),
    "notes with control characters": _act(notes="a\x07b"),
    "an unknown perpetrator kind": _act(perpetrator=dataclasses.replace(POLICE, kind="army")),
    "an unknown perpetrator type": _act(perpetrator=dataclasses.replace(POLICE, perpetrator_type="1")),
    "an unknown degree": _act(perpetrator=dataclasses.replace(POLICE, degree="1")),
    "an institution without a name": _act(perpetrator=dataclasses.replace(POLICE, name="")),
}
BAD_EVENTS = {
    "no title": dataclasses.replace(GOOD_EVENT, title=""),
    "a title too long": dataclasses.replace(GOOD_EVENT, title="x" * 201),
    "no date": dataclasses.replace(GOOD_EVENT, date=" "),
    "a bad date": dataclasses.replace(GOOD_EVENT, date="2017-02-30"),
    "an unknown place": dataclasses.replace(GOOD_EVENT, place="RU-XX"),
    "no place": dataclasses.replace(GOOD_EVENT, place=""),
    "an unknown site": dataclasses.replace(GOOD_EVENT, site="not-a-site"),
    "a description with control characters": dataclasses.replace(GOOD_EVENT, description="\x1b[31m"),
}


@pytest.mark.parametrize("bad", BAD_ACTS, ids=list(BAD_ACTS))
def test_an_import_refuses_an_act_as_the_form_does(dora: User, bad: str) -> None:
    made = collection(dora)
    key = private_key(dora)
    on = services.record_event_from_testimony(
        actor=dora, user_private_key=key, collection=made, data=GOOD_EVENT
    )
    with pytest.raises(services.DocumentationRefused) as by_form:
        services.add_act(actor=dora, user_private_key=key, event=on, data=BAD_ACTS[bad])
    items = [
        imports.EventImport(GOOD_EVENT, [GOOD_ACT]),
        imports.EventImport(GOOD_EVENT, [GOOD_ACT, BAD_ACTS[bad]]),
    ]
    with pytest.raises(services.DocumentationRefused) as by_import:
        imports.import_events(actor=dora, user_private_key=key, collection=made, items=items)
    assert str(by_import.value) == f"Event 2: {by_form.value}"
    assert Event.objects.count() == 1
    assert not Act.objects.exists()


@pytest.mark.parametrize("bad", BAD_EVENTS, ids=list(BAD_EVENTS))
def test_an_import_refuses_an_event_as_the_form_does(dora: User, bad: str) -> None:
    made = collection(dora)
    key = private_key(dora)
    with pytest.raises(services.DocumentationRefused) as by_form:
        services.record_event_from_testimony(
            actor=dora, user_private_key=key, collection=made, data=BAD_EVENTS[bad]
        )
    items = [imports.EventImport(GOOD_EVENT, [GOOD_ACT]), imports.EventImport(BAD_EVENTS[bad], [GOOD_ACT])]
    with pytest.raises(services.DocumentationRefused) as by_import:
        imports.import_events(actor=dora, user_private_key=key, collection=made, items=items)
    assert str(by_import.value) == f"Event 2: {by_form.value}"
    assert not Event.objects.exists()


TRICKY = ['Said "no"', "back\\slash", "tab\there\nand a new line", "Рамзан ✓ 🏳️‍🌈", "x" * 150, "</script>"]


def test_every_imported_field_opens_with_the_readers_and_equals_its_input(dora: User) -> None:
    made = collection(dora)
    key = private_key(dora)
    ruslan = persons.add_person(
        actor=dora, user_private_key=key, collection=made, identity=persons.Identity(name="Ruslan")
    )
    items = []
    for n, text in enumerate(TRICKY):
        acts = [
            _act(victim=f"{text} {n}", notes=text, perpetrator=POLICE, date="2017-04-02?"),
            _act(victim="", victim_person=ruslan.code.lower(), site=str(site().pk)),
            _act(
                victim_kind="group",
                victim=text,
                count_min=2,
                count_best=3,
                count_max=9,
                methods=["032101000000", "030101000000", "032101000000"],
                perpetrator=services.PerpetratorInput(
                    "person", "010104000000", "010200000000", f"Major {text}"
                ),
            ),
        ]
        items.append(
            imports.EventImport(services.EventInput(text, text * 2, "2017-03~", "RU-CE:argun"), acts)
        )
    imports.import_events(actor=dora, user_private_key=key, collection=made, items=items)
    opened = open_collection_key(user=dora, user_private_key=key, collection=made, purpose="check")
    version = made.key.version
    events = sorted(
        Event.objects.filter(collection=made), key=lambda e: sealing.open_text(opened, e, "title")
    )
    assert [sealing.open_text(opened, e, "title") for e in events] == sorted(TRICKY)
    for event in events:
        title = sealing.open_text(opened, event, "title")
        assert sealing.open_text(opened, event, "description") == title * 2
        assert uuid.UUID(str(event.pk)).version == 4
        # The plaintext is what `seal_text` seals: the same JSON, so the same padded length.
        assert envelopes.open_field(
            opened, bytes(event.title), model="documentation.Event", row=str(event.pk), field="title",
            context=sealing.context_of(event, "title"),
        ) == json.dumps({"text": title}, ensure_ascii=False).encode()  # fmt: skip
        assert len(bytes(event.title)) == len(sealing.seal_text(opened, version, event, "title", title))
        acts = Act.objects.filter(event=event)
        group, linked = acts.get(victim_kind="group"), acts.get(victim_person__isnull=False)
        first = acts.get(victim_kind="person", victim_person__isnull=True)
        n = TRICKY.index(title)
        assert (sealing.open_text(opened, first, "victim"), sealing.open_text(opened, first, "notes")) == (
            f"{title} {n}",
            title,
        )
        assert (first.date, str(first.earliest), str(first.latest)) == (
            "2017-04-02?",
            "2017-04-02",
            "2017-04-02",
        )
        assert (linked.victim_person_id, bytes(linked.victim), linked.site_id) == (ruslan.pk, b"", site().pk)
        assert (linked.earliest, linked.latest) == (event.earliest, event.latest)
        assert sealing.open_text(opened, group, "victim") == title
        assert (group.count_min, group.count_best, group.count_max, group.methods) == (
            2,
            3,
            9,
            ["032101000000", "030101000000"],
        )
        police = Involvement.objects.get(act=first)
        assert (police.institution, bytes(police.person), police.event_id) == (
            "District police",
            b"",
            event.pk,
        )
        major = Involvement.objects.get(act=group)
        assert (sealing.open_text(opened, major, "person"), major.institution) == (f"Major {title}", "")
        view = reading.event_for_documenter(user=dora, user_private_key=key, event=event)
        assert sorted(a.victim for a in view.acts) == sorted([f"{title} {n}", "Ruslan", title])


def test_an_import_leaves_the_connection_as_it_found_it(dora: User) -> None:
    """On SQLite the import widens the page cache while it writes; other work gets the usual one back."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's page cache")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        imports.import_events(
            actor=dora, user_private_key=private_key(dora), collection=collection(dora), items=_items(3)
        )
        cursor.execute("PRAGMA cache_size")
        assert cursor.fetchone()[0] == before
