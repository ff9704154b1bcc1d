"""Importing many events at once: the same checks as the forms, all or nothing, readable after."""

from __future__ import annotations

import pytest

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.documentation import imports, persons, reading, services
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
