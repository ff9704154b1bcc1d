"""Loading many events at once (a spreadsheet of a wave of detentions, a migration from another
system) through the same checks as the forms, with the collection key opened once.

Everything is checked before anything is written: one bad row refuses the whole import,
naming the row. The rows are then sealed and written in one transaction, with one audit
event that counts them.

The checks are those of `services.event_sealer` and `services.act_sealer`, made on the
values rather than through the forms' row builders: a value met before (a vocabulary code,
a place, a date) is not checked or parsed again. tests/documentation/test_imports.py holds
the import to the forms' refusals, message for message, and to the rows they write. The rows
are built as tuples of column values (no model instances), their fields sealed with one
`sealing.TextSealer` per field (the same envelopes and associated data as `seal_text`), and
written by `import_rows`: a prepared INSERT on SQLite, COPY on PostgreSQL.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from corridor.accounts.models import User
from corridor.audit.services import record_event
from corridor.documentation import edtf, sealing, services
from corridor.documentation.import_rows import Values, check_columns, connection_for, write_rows
from corridor.documentation.keys import open_collection_key
from corridor.documentation.models import (
    Act,
    Collection,
    Event,
    Involvement,
    PerpetratorKind,
    Person,
    Site,
)
from corridor.documentation.services import DocumentationRefused

MAX_EVENTS = 200_000
_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
assert len(_ALPHABET) == 32  # so a random byte's last five bits pick a character uniformly

EVENT_COLUMNS = (
    "id",
    "collection_id",
    "code",
    "title",
    "description",
    "date",
    "earliest",
    "latest",
    "place",
    "site_id",
    "origin",
    "created_by_id",
    "created_at",
)
ACT_COLUMNS = (
    "id",
    "event_id",
    "act_type",
    "methods",
    "victim_kind",
    "victim",
    "victim_person_id",
    "count_min",
    "count_best",
    "count_max",
    "date",
    "earliest",
    "latest",
    "place",
    "site_id",
    "status_at_end",
    "notes",
    "created_by_id",
    "created_at",
)
INVOLVEMENT_COLUMNS = (
    "id",
    "act_id",
    "event_id",
    "perpetrator_kind",
    "perpetrator_type",
    "degree",
    "institution",
    "person",
    "created_by_id",
    "created_at",
)


@dataclass(frozen=True)
class EventImport:
    event: services.EventInput
    acts: list[services.ActInput] = field(default_factory=list)


@dataclass(frozen=True)
class Imported:
    events: int
    acts: int


def _codes(count: int) -> list[str]:
    """`count` event codes no event has yet (random, as the forms' codes, checked in batches)."""
    found: set[str] = set()
    while len(found) < count:
        wanted = {
            "E-" + "".join(_ALPHABET[byte & 31] for byte in secrets.token_bytes(6))
            for _ in range(count - len(found))
        }
        wanted -= found
        taken: set[str] = set()
        pending = sorted(wanted)
        for start in range(0, len(pending), 900):
            chunk = pending[start : start + 900]
            taken |= set(Event.objects.filter(code__in=chunk).values_list("code", flat=True))
        found |= wanted - taken
    return sorted(found)[:count]


# --- checks ----------------------------------------------------------------------------------


_Event = services.CheckedEvent
_Act = services.CheckedAct


class _Checks(services.Checks):
    """The services' checks; a vocabulary code, a place or an EDTF date that passed once passes again."""

    def __init__(self, *, sites: dict[str, Site], persons: dict[str, Person]) -> None:
        self._sites = sites
        self._persons = persons
        self._codes: set[tuple[str, str]] = set()
        self._places: set[str] = set()
        self._dates: dict[str, edtf.Edtf] = {}

    def code(self, vocabulary: str, code: str, *, required: bool = True) -> str:
        if not code and not required:
            return ""
        if (vocabulary, code) not in self._codes:
            super().code(vocabulary, code)
            self._codes.add((vocabulary, code))
        return code

    def place(self, place: str) -> str:
        if place and place not in self._places:
            super().place(place)
            self._places.add(place)
        return place

    def date(self, text: str, *, required: bool) -> edtf.Edtf | None:
        known = self._dates.get(text)
        if known is None:
            known = super().date(text, required=required)
            if known is not None:
                self._dates[text] = known
        return known

    def event(self, data: services.EventInput) -> _Event:
        return services.check_event(data, sites=self._sites, checks=self)

    def act(self, data: services.ActInput) -> _Act:
        return services.check_act(data, find_person=self._persons.get, sites=self._sites, checks=self)


# --- rows --------------------------------------------------------------------------------------


class _Rows:
    """The rows of the checked events, as the forms' row builders make them, sealed and ready to write."""

    def __init__(self, *, key: bytes, actor: User, collection: Collection, now: datetime) -> None:
        version = collection.key.version
        self.events: list[tuple[Any, ...]] = []
        self.acts: list[tuple[Any, ...]] = []
        self.involvements: list[tuple[Any, ...]] = []
        self._values = Values(connection_for(Event))
        self._event_field = {f.attname: f for f in Event._meta.concrete_fields}
        self._act_field = {f.attname: f for f in Act._meta.concrete_fields}
        self._title = sealing.TextSealer(key, version, Event, "title")
        self._description = sealing.TextSealer(key, version, Event, "description")
        self._victim = sealing.TextSealer(key, version, Act, "victim")
        self._notes = sealing.TextSealer(key, version, Act, "notes")
        self._person = sealing.TextSealer(key, version, Involvement, "person")
        of = self._values.of
        self._collection_text = str(collection.pk)
        self._collection = of(self._event_field["collection_id"], collection.pk)
        self._actor = of(self._event_field["created_by_id"], actor.pk)
        self._now = of(self._event_field["created_at"], now)
        self._act_now = of(self._act_field["created_at"], now)
        self._inv_actor = of(Involvement._meta.get_field("created_by"), actor.pk)
        self._inv_now = of(Involvement._meta.get_field("created_at"), now)
        self._methods: dict[tuple[str, ...], Any] = {}

    def _site(self, fields: dict[str, Any], site: Site | None) -> Any:
        return None if site is None else self._values.of(fields["site_id"], site.pk)

    def add(self, event: _Event, acts: Sequence[_Act], code: str) -> None:
        of, fields = self._values.of, self._event_field
        event_text, event_id = self._values.new_id()
        context = {"collection_id": self._collection_text, "code": code}
        earliest, latest = event.date.lower, event.date.upper
        self.events.append(
            (
                event_id,
                self._collection,
                code,
                self._title.seal(event_text, context, event.title),
                self._description.seal(event_text, context, event.description),
                event.date.text,
                of(fields["earliest"], earliest),
                of(fields["latest"], latest),
                event.place,
                self._site(fields, event.site),
                b"",
                self._actor,
                self._now,
            )
        )
        for act in acts:
            self._add_act(act, event_text, event_id, earliest, latest, event.place)

    def _add_act(
        self, act: _Act, event_text: str, event_id: Any, earliest: Any, latest: Any, place: str
    ) -> None:
        of, fields = self._values.of, self._act_field
        act_text, act_id = self._values.new_id()
        methods = self._methods.get(act.methods)
        if methods is None:
            methods = self._methods[act.methods] = self._values.prepare(fields["methods"], list(act.methods))
        person = act.person.pk if act.person is not None else None
        context = {
            "event_id": event_text,
            "victim_kind": act.victim_kind,
            "victim_person_id": str(person or ""),
        }
        if act.date is not None:
            earliest, latest = act.date.lower, act.date.upper
        count_min, count_best, count_max = act.counts
        self.acts.append(
            (
                act_id,
                event_id,
                act.act_type,
                methods,
                act.victim_kind,
                self._victim.seal(act_text, context, act.victim),
                of(fields["victim_person_id"], person),
                count_min,
                count_best,
                count_max,
                act.date.text if act.date else "",
                of(fields["earliest"], earliest),
                of(fields["latest"], latest),
                act.place or place,
                self._site(fields, act.site),
                act.status,
                self._notes.seal(act_text, context, act.notes),
                self._actor,
                self._act_now,
            )
        )
        perpetrator = act.perpetrator
        if perpetrator is not None:
            is_person = perpetrator.kind == PerpetratorKind.PERSON
            involvement_text, involvement_id = self._values.new_id()
            sealed_context = {
                "act_id": act_text,
                "event_id": event_text,
                "perpetrator_kind": perpetrator.kind,
            }
            self.involvements.append(
                (
                    involvement_id,
                    act_id,
                    event_id,
                    perpetrator.kind,
                    perpetrator.perpetrator_type,
                    perpetrator.degree,
                    "" if is_person else perpetrator.name,
                    self._person.seal(involvement_text, sealed_context, perpetrator.name)
                    if is_person
                    else b"",
                    self._inv_actor,
                    self._inv_now,
                )
            )


# --- the import --------------------------------------------------------------------------------


@transaction.atomic
def import_events(
    *, actor: User, user_private_key: bytes, collection: Collection, items: Sequence[EventImport]
) -> Imported:
    """Check every event and act, then write them all; a refusal names the row and writes nothing."""
    services._require_documenter(actor)
    if len(items) > MAX_EVENTS:
        raise DocumentationRefused(_("Too many events for one import."))
    for model, columns in ((Event, EVENT_COLUMNS), (Act, ACT_COLUMNS), (Involvement, INVOLVEMENT_COLUMNS)):
        check_columns(model, columns)
    checks = _Checks(
        sites={str(site.pk): site for site in Site.objects.all()},
        persons={person.code: person for person in Person.objects.filter(collection=collection)},
    )
    checked = []
    for number, item in enumerate(items, start=1):
        try:
            checked.append((checks.event(item.event), [checks.act(data) for data in item.acts]))
        except DocumentationRefused as exc:
            raise DocumentationRefused(
                _("Event %(number)s: %(reason)s") % {"number": number, "reason": exc}
            ) from exc
    key = open_collection_key(
        user=actor, user_private_key=user_private_key, collection=collection, purpose="import"
    )
    rows = _Rows(key=key, actor=actor, collection=collection, now=datetime.now(UTC))
    for (event, acts), code in zip(checked, _codes(len(checked)), strict=True):
        rows.add(event, acts, code)
    write_rows(Event, EVENT_COLUMNS, rows.events)
    write_rows(Act, ACT_COLUMNS, rows.acts)
    write_rows(Involvement, INVOLVEMENT_COLUMNS, rows.involvements)
    record_event(
        action="documentation.events_imported",
        actor_id=actor.pk,
        target_type="collection",
        target_id=collection.pk,
        data={"events": len(rows.events), "acts": len(rows.acts), "perpetrators": len(rows.involvements)},
    )
    return Imported(events=len(rows.events), acts=len(rows.acts))
