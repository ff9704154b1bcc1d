"""Interventions: complaints and submissions about an event, the responses, the follow-ups.

The body, the type of intervention and the response are codes (statistics: how many
complaints were refused); the body's reference number and the notes are sealed under the
collection key, bound to the event, the intervention's code and the body.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import transaction
from django.utils.translation import gettext as _

from corridor.accounts.models import User
from corridor.audit.services import record_event
from corridor.documentation import edtf, sealing, vocabularies
from corridor.documentation.keys import open_collection_key
from corridor.documentation.models import Body, Event, Intervention
from corridor.documentation.services import DocumentationRefused, _require_documenter, clean_text, parse_date
from corridor.hotline.services import unused_code


@dataclass(frozen=True)
class InterventionInput:
    intervention_type: str
    body: str
    date: str
    reference: str = ""
    response: str = ""
    response_date: str = ""
    notes: str = ""
    follows: str = ""  # the code of an earlier intervention on the same event


def check_intervention(data: InterventionInput) -> tuple[edtf.Edtf, str, str]:
    """The type and body checked, the date parsed, the reference and notes cleaned."""
    if not vocabularies.is_code("intervention_types", data.intervention_type) or data.body not in Body.values:
        raise DocumentationRefused(_("Choose a value from the list."))
    date = parse_date(data.date, required=True)
    assert date is not None
    return date, clean_text(data.reference, required=False, limit=200), clean_text(data.notes, required=False)


@transaction.atomic
def add_intervention(
    *, actor: User, user_private_key: bytes, event: Event, data: InterventionInput
) -> Intervention:
    """A complaint or submission; its reference and notes sealed under the collection key."""
    _require_documenter(actor)
    date, reference, notes = check_intervention(data)
    if data.response and not vocabularies.is_code("responses", data.response):
        raise DocumentationRefused(_("Choose a value from the list."))
    response_date = parse_date(data.response_date, required=False)
    follows = None
    if data.follows.strip():
        follows = Intervention.objects.filter(event=event, code=data.follows.strip().upper()).first()
        if follows is None:
            raise DocumentationRefused(_("There is no intervention with this code on this event."))
    collection = event.collection
    key = open_collection_key(
        user=actor, user_private_key=user_private_key, collection=collection, purpose="add_intervention"
    )
    intervention = Intervention(
        id=uuid.uuid4(),
        event=event,
        code=unused_code("I-", Intervention),
        intervention_type=data.intervention_type,
        body=data.body,
        date=date.text,
        earliest=date.lower,
        latest=date.upper,
        follows=follows,
        response=data.response,
        response_date=response_date.text if response_date else "",
        created_by=actor,
        created_at=datetime.now(UTC),
    )
    version = collection.key.version
    intervention.reference = sealing.seal_text(key, version, intervention, "reference", reference)
    intervention.notes = sealing.seal_text(key, version, intervention, "notes", notes)
    intervention.save(force_insert=True)
    record_event(
        action="documentation.intervention_added",
        actor_id=actor.pk,
        target_type="event",
        target_id=event.pk,
        data={"intervention": str(intervention.pk), "body": data.body},
    )
    return intervention


@transaction.atomic
def record_response(*, actor: User, intervention: Intervention, response: str, date: str) -> Intervention:
    """The body's answer (plain codes and date); a later answer replaces it, and each is audited."""
    _require_documenter(actor)
    if not vocabularies.is_code("responses", response):
        raise DocumentationRefused(_("Choose a value from the list."))
    parsed = parse_date(date, required=False)
    intervention = Intervention.objects.select_for_update().get(pk=intervention.pk)
    intervention.response = response
    intervention.response_date = parsed.text if parsed else ""
    intervention.save(update_fields=["response", "response_date"])
    record_event(
        action="documentation.response_recorded",
        actor_id=actor.pk,
        target_type="event",
        target_id=intervention.event_id,
        data={"intervention": str(intervention.pk), "response": response},
    )
    return intervention
