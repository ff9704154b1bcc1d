"""Correcting a record: an event's title and description, an act's, a statement's or an
intervention's fields, or a person's identity change; the previous version is kept.

The earlier version, and why it was changed, are sealed under the collection key in an
`EventRevision` bound to its event and number (an act's, a statement's or an intervention's
carries the record's id inside), or for a person in a `PersonRevision` bound to the person
and number; nothing is overwritten without a copy.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from corridor.accounts.models import User
from corridor.audit.services import record_event
from corridor.documentation import interventions, persons, sealing
from corridor.documentation.copies import refresh_copies
from corridor.documentation.keys import open_collection_key
from corridor.documentation.models import (
    Act,
    Event,
    EventRevision,
    Information,
    Intervention,
    Person,
    PersonRevision,
)
from corridor.documentation.services import (
    MAX_SHORT,
    ActInput,
    DocumentationRefused,
    _require_documenter,
    act_sealer,
    clean_text,
)
from corridor.hotline import keys as envelopes

# An act's plain columns a correction may change, and keeps in the earlier version.
ACT_COLUMNS = (
    "act_type",
    "methods",
    "victim_kind",
    "count_min",
    "count_best",
    "count_max",
    "date",
    "earliest",
    "latest",
    "place",
    "site_id",
    "status_at_end",
)


def _keep(
    *, actor: User, key: bytes, version: int, event: Event, content: dict[str, object]
) -> EventRevision:
    number = (EventRevision.objects.filter(event=event).aggregate(n=Max("number"))["n"] or 0) + 1
    revision = EventRevision(
        id=uuid.uuid4(), event=event, number=number, replaced_by=actor, replaced_at=datetime.now(UTC)
    )
    revision.content = sealing.seal_json(key, version, revision, "content", content)
    revision.save(force_insert=True)
    return revision


@transaction.atomic
def correct_event(
    *, actor: User, user_private_key: bytes, event: Event, title: str, description: str, reason: str
) -> EventRevision:
    """New title and description; the previous ones are kept as a numbered earlier version."""
    _require_documenter(actor)
    title = clean_text(title, required=True, limit=MAX_SHORT)
    description = clean_text(description, required=False)
    reason = clean_text(reason, required=True, limit=MAX_SHORT)
    event = Event.objects.select_for_update().select_related("collection__key").get(pk=event.pk)
    collection = event.collection
    key = open_collection_key(
        user=actor, user_private_key=user_private_key, collection=collection, purpose="correct_event"
    )
    before = {
        "title": sealing.open_text(key, event, "title"),
        "description": sealing.open_text(key, event, "description"),
    }
    if before == {"title": title, "description": description}:
        raise DocumentationRefused(_("Nothing was changed."))
    version = collection.key.version
    revision = _keep(actor=actor, key=key, version=version, event=event, content={**before, "reason": reason})
    number = revision.number
    event.title = sealing.seal_text(key, version, event, "title", title)
    event.description = sealing.seal_text(key, version, event, "description", description)
    event.save(update_fields=["title", "description"])
    record_event(
        action="documentation.event_corrected",
        actor_id=actor.pk,
        target_type="event",
        target_id=event.pk,
        data={"revision": number},
    )
    refresh_copies(actor=actor, user_private_key=user_private_key, key=key, events=[event])
    return revision


@transaction.atomic
def correct_act(
    *, actor: User, user_private_key: bytes, act: Act, data: ActInput, reason: str
) -> EventRevision:
    """New values for an act (checked as a new act would be; its victim person and perpetrators stay);
    the previous ones are kept as an earlier version of its event."""
    _require_documenter(actor)
    reason = clean_text(reason, required=True, limit=MAX_SHORT)
    act = (
        Act.objects.select_for_update(of=("self",))
        .select_related("event__collection__key", "victim_person")
        .get(pk=act.pk)
    )
    event = act.event
    person_code = act.victim_person.code if act.victim_person is not None else ""
    build = act_sealer(
        ActInput(**{**data.__dict__, "victim_person": person_code, "perpetrator": None}),
        collection_id=event.collection_id,
    )
    collection = event.collection
    version = collection.key.version
    key = open_collection_key(
        user=actor, user_private_key=user_private_key, collection=collection, purpose="correct_act"
    )
    checked, _involvement = build(actor=actor, key=key, version=version, event=event, now=datetime.now(UTC))
    victim = sealing.open_text(key, checked, "victim")
    notes = sealing.open_text(key, checked, "notes")
    before = {column: _plain(getattr(act, column)) for column in ACT_COLUMNS}
    after = {column: _plain(getattr(checked, column)) for column in ACT_COLUMNS}
    old_victim = sealing.open_text(key, act, "victim")
    old_notes = sealing.open_text(key, act, "notes")
    if before == after and (old_victim, old_notes) == (victim, notes):
        raise DocumentationRefused(_("Nothing was changed."))
    revision = _keep(
        actor=actor,
        key=key,
        version=version,
        event=event,
        content={
            "act": str(act.pk),
            "columns": before,
            "victim": old_victim,
            "notes": old_notes,
            "reason": reason,
        },
    )
    for column in ACT_COLUMNS:
        setattr(act, column, getattr(checked, column))
    act.victim = sealing.seal_text(key, version, act, "victim", victim)
    act.notes = sealing.seal_text(key, version, act, "notes", notes)
    act.save(update_fields=[*(c.removesuffix("_id") for c in ACT_COLUMNS), "victim", "notes"])
    record_event(
        action="documentation.act_corrected",
        actor_id=actor.pk,
        target_type="event",
        target_id=event.pk,
        data={"act": str(act.pk), "revision": revision.number},
    )
    refresh_copies(actor=actor, user_private_key=user_private_key, key=key, events=[event])
    return revision


def act_as_recorded(*, user: User, user_private_key: bytes, act: Act) -> tuple[str, str]:
    """The act's victim and notes as they stand (for the correction form), with one audited opening."""
    key = open_collection_key(
        user=user, user_private_key=user_private_key, collection=act.event.collection, purpose="correct_act"
    )
    return sealing.open_text(key, act, "victim"), sealing.open_text(key, act, "notes")


def _plain(value: object) -> object:
    return value.isoformat() if hasattr(value, "isoformat") else value


@dataclass(frozen=True)
class EarlierVersion:
    revision: EventRevision
    title: str
    description: str
    reason: str
    act: str = ""  # the id of the act this version was of; empty for the event's title and description
    victim: str = ""
    notes: str = ""
    information: str = ""  # the id of the statement this version was of
    statement: str = ""
    intervention: str = ""  # the id of the intervention this version was of
    reference: str = ""
    columns: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CurrentEvent:
    title: str
    description: str
    earlier: list[EarlierVersion]


def event_with_versions(*, user: User, user_private_key: bytes, event: Event) -> CurrentEvent:
    """The event's title and description and every earlier version, with one audited opening."""
    key = open_collection_key(
        user=user, user_private_key=user_private_key, collection=event.collection, purpose="event_versions"
    )
    return CurrentEvent(
        title=sealing.open_text(key, event, "title"),
        description=sealing.open_text(key, event, "description"),
        earlier=_earlier_versions(key, event),
    )


def _earlier_versions(key: bytes, event: Event) -> list[EarlierVersion]:
    earlier = []
    for revision in EventRevision.objects.filter(event=event).select_related("replaced_by"):
        value = sealing.open_json(key, revision, "content")
        earlier.append(
            EarlierVersion(
                revision=revision,
                title=str(value.get("title", "")),
                description=str(value.get("description", "")),
                reason=str(value.get("reason", "")),
                act=str(value.get("act", "")),
                victim=str(value.get("victim", "")),
                notes=str(value.get("notes", "")),
                information=str(value.get("information", "")),
                statement=str(value.get("statement", "")),
                intervention=str(value.get("intervention", "")),
                reference=str(value.get("reference", "")),
                columns=dict(value.get("columns") or {}),
            )
        )
    return earlier


# --- statements and interventions -------------------------------------------------------------

# The plain columns of a statement and of an intervention a correction may change, and keeps in
# the earlier version. A statement's source and an intervention's follow-up and response stay.
INFORMATION_COLUMNS = ("connection", "reliability", "credibility", "date", "earliest", "latest", "count")
INTERVENTION_COLUMNS = ("intervention_type", "body", "date", "earliest", "latest")


@transaction.atomic
def correct_information(
    *,
    actor: User,
    user_private_key: bytes,
    information: Information,
    data: persons.InformationInput,
    reason: str,
) -> EventRevision:
    """New values for what a source says (checked as a new account would be; its source stays);
    the previous ones are kept as an earlier version of its event."""
    _require_documenter(actor)
    date, statement = persons.check_information(data)
    reason = clean_text(reason, required=True, limit=MAX_SHORT)
    information = (
        Information.objects.select_for_update(of=("self",))
        .select_related("event__collection__key")
        .get(pk=information.pk)
    )
    event = information.event
    collection = event.collection
    key = open_collection_key(
        user=actor, user_private_key=user_private_key, collection=collection, purpose="correct_information"
    )
    before = {column: _plain(getattr(information, column)) for column in INFORMATION_COLUMNS}
    old_statement = sealing.open_text(key, information, "statement")
    information.connection = data.connection
    information.reliability = data.reliability
    information.credibility = data.credibility
    information.date = date.text if date else ""
    information.earliest = date.lower if date else None
    information.latest = date.upper if date else None
    information.count = data.count
    after = {column: _plain(getattr(information, column)) for column in INFORMATION_COLUMNS}
    if before == after and old_statement == statement:
        raise DocumentationRefused(_("Nothing was changed."))
    version = collection.key.version
    revision = _keep(
        actor=actor,
        key=key,
        version=version,
        event=event,
        content={
            "information": str(information.pk),
            "columns": before,
            "statement": old_statement,
            "reason": reason,
        },
    )
    information.statement = sealing.seal_text(key, version, information, "statement", statement)
    information.save(update_fields=[*INFORMATION_COLUMNS, "statement"])
    record_event(
        action="documentation.information_corrected",
        actor_id=actor.pk,
        target_type="event",
        target_id=event.pk,
        data={"information": str(information.pk), "revision": revision.number},
    )
    refresh_copies(actor=actor, user_private_key=user_private_key, key=key, events=[event])
    return revision


@transaction.atomic
def correct_intervention(
    *,
    actor: User,
    user_private_key: bytes,
    intervention: Intervention,
    data: interventions.InterventionInput,
    reason: str,
) -> EventRevision:
    """New type, body, date, reference and notes for an intervention (its follow-up and response
    stay); the previous ones are kept as an earlier version of its event."""
    _require_documenter(actor)
    date, reference, notes = interventions.check_intervention(data)
    reason = clean_text(reason, required=True, limit=MAX_SHORT)
    intervention = (
        Intervention.objects.select_for_update(of=("self",))
        .select_related("event__collection__key")
        .get(pk=intervention.pk)
    )
    event = intervention.event
    collection = event.collection
    key = open_collection_key(
        user=actor, user_private_key=user_private_key, collection=collection, purpose="correct_intervention"
    )
    before = {column: _plain(getattr(intervention, column)) for column in INTERVENTION_COLUMNS}
    old = {
        "reference": sealing.open_text(key, intervention, "reference"),
        "notes": sealing.open_text(key, intervention, "notes"),
    }
    intervention.intervention_type = data.intervention_type
    intervention.body = data.body
    intervention.date = date.text
    intervention.earliest = date.lower
    intervention.latest = date.upper
    after = {column: _plain(getattr(intervention, column)) for column in INTERVENTION_COLUMNS}
    if before == after and old == {"reference": reference, "notes": notes}:
        raise DocumentationRefused(_("Nothing was changed."))
    version = collection.key.version
    revision = _keep(
        actor=actor,
        key=key,
        version=version,
        event=event,
        content={"intervention": str(intervention.pk), "columns": before, **old, "reason": reason},
    )
    # Sealed again after the columns change: the envelopes bind the body.
    intervention.reference = sealing.seal_text(key, version, intervention, "reference", reference)
    intervention.notes = sealing.seal_text(key, version, intervention, "notes", notes)
    intervention.save(update_fields=[*INTERVENTION_COLUMNS, "reference", "notes"])
    record_event(
        action="documentation.intervention_corrected",
        actor_id=actor.pk,
        target_type="event",
        target_id=event.pk,
        data={"intervention": str(intervention.pk), "revision": revision.number},
    )
    return revision


@dataclass(frozen=True)
class CurrentRecord:
    """A statement's or an intervention's sealed fields as they stand, and its earlier versions."""

    sealed: dict[str, str]
    earlier: list[EarlierVersion]


def information_as_recorded(
    *, user: User, user_private_key: bytes, information: Information
) -> CurrentRecord:
    """The statement's text and its earlier versions (for its correction page), with one audited opening."""
    event = information.event
    key = open_collection_key(
        user=user,
        user_private_key=user_private_key,
        collection=event.collection,
        purpose="correct_information",
    )
    return CurrentRecord(
        sealed={"statement": sealing.open_text(key, information, "statement")},
        earlier=[v for v in _earlier_versions(key, event) if v.information == str(information.pk)],
    )


def intervention_as_recorded(
    *, user: User, user_private_key: bytes, intervention: Intervention
) -> CurrentRecord:
    """The intervention's reference and notes and its earlier versions, with one audited opening."""
    event = intervention.event
    key = open_collection_key(
        user=user,
        user_private_key=user_private_key,
        collection=event.collection,
        purpose="correct_intervention",
    )
    return CurrentRecord(
        sealed={
            "reference": sealing.open_text(key, intervention, "reference"),
            "notes": sealing.open_text(key, intervention, "notes"),
        },
        earlier=[v for v in _earlier_versions(key, event) if v.intervention == str(intervention.pk)],
    )


# --- persons ----------------------------------------------------------------------------------


def _person_context(revision: Any) -> dict[str, str]:
    return {"person_id": str(revision.person_id), "number": str(revision.number)}


def seal_person_revision(key: bytes, version: int, row: Any, name: str, value: dict[str, Any]) -> bytes:
    """An earlier version of a person, bound to the person and its number."""
    return envelopes.seal_json(
        key,
        value,
        model=row._meta.label,
        row=str(row.pk),
        field=name,
        version=version,
        context=_person_context(row),
    )


def open_person_revision(key: bytes, row: Any, name: str) -> dict[str, Any]:
    return envelopes.open_json(
        key,
        bytes(getattr(row, name)),
        model=row._meta.label,
        row=str(row.pk),
        field=name,
        context=_person_context(row),
    )


@transaction.atomic
def correct_person(
    *, actor: User, user_private_key: bytes, person: Person, identity: persons.Identity, reason: str
) -> PersonRevision:
    """A person's name, other names, birth, phone and notes as they should be; the previous ones are
    kept as a numbered earlier version, and the blind indexes follow the new names."""
    _require_documenter(actor)
    identity = persons.clean_identity(identity)
    reason = clean_text(reason, required=True, limit=MAX_SHORT)
    person = Person.objects.select_for_update().select_related("collection__key").get(pk=person.pk)
    collection = person.collection
    key = open_collection_key(
        user=actor, user_private_key=user_private_key, collection=collection, purpose="correct_person"
    )
    before = persons.read_identity(key, person)
    if before == identity:
        raise DocumentationRefused(_("Nothing was changed."))
    version = collection.key.version
    number = (PersonRevision.objects.filter(person=person).aggregate(n=Max("number"))["n"] or 0) + 1
    revision = PersonRevision(
        id=uuid.uuid4(), person=person, number=number, replaced_by=actor, replaced_at=datetime.now(UTC)
    )
    revision.content = seal_person_revision(
        key, version, revision, "content", {"identity": before.as_dict(), "reason": reason}
    )
    revision.save(force_insert=True)
    person.identity = sealing.seal_json(key, version, person, "identity", identity.as_dict())
    person.save(update_fields=["identity"])
    proposals = persons.index_person(
        actor=actor, user_private_key=user_private_key, person=person, identity=identity
    )
    record_event(
        action="documentation.person_corrected",
        actor_id=actor.pk,
        target_type="person",
        target_id=person.pk,
        data={"revision": number, "proposed_matches": len(proposals)},
    )
    # A caseworker's copy of an event names its victims.
    events = Event.objects.filter(acts__victim_person=person).distinct()
    refresh_copies(actor=actor, user_private_key=user_private_key, key=key, events=list(events))
    return revision


@dataclass(frozen=True)
class EarlierPerson:
    revision: PersonRevision
    identity: persons.Identity
    reason: str


def person_versions(*, user: User, user_private_key: bytes, person: Person) -> list[EarlierPerson]:
    """Every earlier version of a person, with one audited opening (none when there is none)."""
    if not PersonRevision.objects.filter(person=person).exists():
        return []
    key = open_collection_key(
        user=user, user_private_key=user_private_key, collection=person.collection, purpose="person_versions"
    )
    return _earlier_persons(key, person)


def person_as_recorded(
    *, user: User, user_private_key: bytes, person: Person
) -> tuple[persons.Identity, list[EarlierPerson]]:
    """The person's identity as it stands and its earlier versions, with one audited opening."""
    key = open_collection_key(
        user=user, user_private_key=user_private_key, collection=person.collection, purpose="correct_person"
    )
    return persons.read_identity(key, person), _earlier_persons(key, person)


def _earlier_persons(key: bytes, person: Person) -> list[EarlierPerson]:
    rows = PersonRevision.objects.filter(person=person).select_related("replaced_by")
    earlier = []
    for revision in rows:
        value = open_person_revision(key, revision, "content")
        earlier.append(
            EarlierPerson(
                revision=revision,
                identity=persons.Identity.from_dict(dict(value.get("identity") or {})),
                reason=str(value.get("reason", "")),
            )
        )
    return earlier
