"""Correcting a record: an event's title and description change, the previous version is kept.

The earlier version, and why it was changed, are sealed under the collection key and bound
to their event and number; nothing is overwritten without a copy.
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
from corridor.documentation.models import Event, EventRevision
from corridor.documentation.services import (
    MAX_SHORT,
    DocumentationRefused,
    _require_documenter,
    clean_text,
)


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
    number = (EventRevision.objects.filter(event=event).aggregate(n=Max("number"))["n"] or 0) + 1
    version = collection.key.version
    revision = EventRevision(
        id=uuid.uuid4(), event=event, number=number, replaced_by=actor, replaced_at=datetime.now(UTC)
    )
    revision.content = sealing.seal_json(key, version, revision, "content", {**before, "reason": reason})
    revision.save(force_insert=True)
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


@dataclass(frozen=True)
class EarlierVersion:
    revision: EventRevision
    title: str
    description: str
    reason: str


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
            )
        )
    return CurrentEvent(
        title=sealing.open_text(key, event, "title"),
        description=sealing.open_text(key, event, "description"),
        earlier=earlier,
    )
