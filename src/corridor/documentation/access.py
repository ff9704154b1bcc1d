"""The only way a view obtains documentation: by holding a wrap of its collection's key.

Documenters see the collections granted to them; everyone else (administrators and
auditors included) sees none. A record of another collection is a 404, the same as one
that does not exist.
"""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.http import Http404

from corridor.accounts.models import Role, User
from corridor.documentation.keys import held_key_ids
from corridor.documentation.models import Act, Collection, Event, Person, PersonMatch

DOCUMENTATION_ROLES = (Role.DOCUMENTER,)


def can_document(user: User) -> bool:
    return any(user.has_role(role) for role in DOCUMENTATION_ROLES)


def readable_collections(user: User) -> QuerySet[Collection]:
    if not can_document(user):
        return Collection.objects.none()
    return Collection.objects.filter(key_id__in=held_key_ids(user)).select_related("key")


def get_collection_for_documenter(user: User, collection_id: uuid.UUID) -> Collection:
    collection = readable_collections(user).filter(pk=collection_id).first()
    if collection is None:
        raise Http404
    return collection


def readable_events(user: User) -> QuerySet[Event]:
    if not can_document(user):
        return Event.objects.none()
    return Event.objects.filter(collection__key_id__in=held_key_ids(user))


def get_event_for_documenter(user: User, event_id: uuid.UUID) -> Event:
    event = readable_events(user).select_related("collection__key", "site").filter(pk=event_id).first()
    if event is None:
        raise Http404
    return event


def get_act_for_documenter(user: User, act_id: uuid.UUID) -> Act:
    act = (
        Act.objects.filter(event__in=readable_events(user))
        .select_related("event__collection__key")
        .filter(pk=act_id)
        .first()
    )
    if act is None:
        raise Http404
    return act


def readable_persons(user: User) -> QuerySet[Person]:
    if not can_document(user):
        return Person.objects.none()
    return Person.objects.filter(collection__key_id__in=held_key_ids(user))


def get_person_for_documenter(user: User, person_id: uuid.UUID) -> Person:
    person = readable_persons(user).select_related("collection__key").filter(pk=person_id).first()
    if person is None:
        raise Http404
    return person


def get_match_for_documenter(user: User, match_id: uuid.UUID) -> PersonMatch:
    match = PersonMatch.objects.filter(person__in=readable_persons(user), pk=match_id).first()
    if match is None:
        raise Http404
    return match
