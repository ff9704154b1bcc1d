"""Collection keys: one data key per collection, purpose "documentation", in the one wrap table of
corridor.cases.keys.

Held by the recovery key (always) and by each documenter granted the collection; never
by the hotline key and never by an applicant's codename (seal_to_org refuses the person
for any key but a conversation key). Every opening is audited with what it was for.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet

from corridor.accounts.models import User
from corridor.audit.services import record_event
from corridor.cases import keys as data_keys
from corridor.cases.models import DataKeyWrap
from corridor.documentation.models import Collection

PURPOSE = "documentation"


def owner_of(collection_id: object) -> str:
    return f"collection:{collection_id}"


def open_collection_key(
    *, user: User, user_private_key: bytes, collection: Collection, purpose: str
) -> bytes:
    """The collection key through this documenter's own wrap; audited. Raises KeyLocked."""
    key = data_keys.StaffOpener(user=user, user_private_key=user_private_key).open(collection.key)
    record_event(
        action="documentation.collection_decrypted",
        actor_id=user.pk,
        target_type="collection",
        target_id=collection.pk,
        data={"purpose": purpose},
    )
    return key


def held_key_ids(user: User) -> QuerySet[DataKeyWrap, Any]:
    """Ids of the collection keys sealed to this person (the current version)."""
    return DataKeyWrap.objects.filter(user=user, purpose=PURPOSE, version=F("key__version")).values("key_id")
