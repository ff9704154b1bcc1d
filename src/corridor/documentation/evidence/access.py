"""The only way a view obtains evidence: as a documenter holding the item's collection key.

Everyone else (caseworkers, coordinators, administrators, auditors) sees none; an item of a
collection not given to this documenter is a 404, the same as one that does not exist.
"""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.http import Http404

from corridor.accounts.models import User
from corridor.documentation.access import readable_events
from corridor.documentation.evidence.models import EvidenceItem


def readable_items(user: User) -> QuerySet[EvidenceItem]:
    return EvidenceItem.objects.filter(event__in=readable_events(user))


def get_item_for_documenter(user: User, item_id: uuid.UUID) -> EvidenceItem:
    item = (
        readable_items(user)
        .select_related("collection__key", "event", "information__source", "parent")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise Http404
    return item
