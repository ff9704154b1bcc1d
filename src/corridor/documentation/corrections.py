"""Correcting a record: an event's title and description, or an act's fields, change; the previous
version is kept.

The earlier version, and why it was changed, are sealed under the collection key in an
`EventRevision` bound to its event and number (an act's carries the act's id inside);
nothing is overwritten without a copy.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from corridor.accounts.models import User
from corridor.audit.services import record_event
from corridor.documentation import sealing
from corridor.documentation.copies import refresh_copies
from corridor.documentation.keys import open_collection_key
from corridor.documentation.models import Act, Event, EventRevision
from corridor.documentation.services import (
    MAX_SHORT,
    ActInput,
    DocumentationRefused,
    _require_documenter,
    act_sealer,
    clean_text,
)

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
            )
        )
    return CurrentEvent(
        title=sealing.open_text(key, event, "title"),
        description=sealing.open_text(key, event, "description"),
        earlier=earlier,
    )
