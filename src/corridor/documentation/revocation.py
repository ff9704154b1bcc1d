"""Taking a collection back from a documenter, and re-keying it.

Revoking deletes the documenter's wraps of the collection key. With re-key, the collection
gets a new key: every sealed field of every row of the collection is opened with the old key
and sealed with the new one in one transaction, and every remaining wrap (recovery and the
other documenters) is replaced, so a copy of the old wrap opens nothing of it any more. The
caseworkers' copies are under case keys and are not touched.

Rows of other apps that hang on a collection (evidence, consents) seal under the same key
through their own registries; they take part by appending to `REKEYED` in their
AppConfig.ready(). A collection holding rows of a model that has not is not re-keyed (the
revocation alone still goes through), rather than left half unreadable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.utils.translation import gettext as _

from corridor.accounts.models import Role, User
from corridor.audit.services import record_event
from corridor.cases import keys as data_keys
from corridor.crypto.envelope import generate_key
from corridor.documentation import corrections, sealing
from corridor.documentation.keys import open_collection_key
from corridor.documentation.models import (
    Act,
    Collection,
    Event,
    EventRevision,
    Information,
    Intervention,
    Involvement,
    Person,
    PersonRevision,
    Source,
)
from corridor.documentation.services import DocumentationRefused

# Opening and sealing one field of a row: (key, row, field) and (key, version, row, field, value).
Opener = Callable[[bytes, models.Model, str], dict[str, Any]]
Sealer = Callable[[bytes, int, models.Model, str, dict[str, Any]], bytes]


@dataclass(frozen=True)
class Rekeyed:
    """A model's fields sealed under the collection key, and the ORM path from its rows to the collection.

    `open_envelope` and `seal_envelope` are the functions that bind the row's associated data;
    an app whose envelopes bind columns of its own (consent) passes its own, so the new
    envelope binds exactly what the old one did.
    """

    model: type[models.Model]
    relation: str
    fields: tuple[str, ...]
    open_envelope: Opener = sealing.open_json
    seal_envelope: Sealer = sealing.seal_json


REKEYED: list[Rekeyed] = [
    Rekeyed(Collection, "pk", ("title",)),
    Rekeyed(Event, "collection", ("title", "description", "origin")),
    Rekeyed(Act, "event__collection", ("victim", "notes")),
    Rekeyed(Involvement, "event__collection", ("person",)),
    Rekeyed(Person, "collection", ("identity", "case_link")),
    Rekeyed(Source, "collection", ("description",)),
    Rekeyed(Information, "event__collection", ("statement", "origin")),
    Rekeyed(Intervention, "event__collection", ("reference", "notes")),
    Rekeyed(EventRevision, "event__collection", ("content",)),
    Rekeyed(
        PersonRevision,
        "person__collection",
        ("content",),
        open_envelope=corrections.open_person_revision,
        seal_envelope=corrections.seal_person_revision,
    ),
]

# Documentation rows other apps' rows may hang on: a row of an unregistered model pointing at
# one of the collection's rows may be sealed under the collection key.
_ANCHORS: dict[type[models.Model], str] = {
    Collection: "pk",
    Event: "collection",
    Act: "event__collection",
    Person: "collection",
    Source: "collection",
    Information: "event__collection",
    Intervention: "event__collection",
}


def _unregistered_rows(collection: Collection) -> list[str]:
    """Labels of models outside this registry that have rows pointing at the collection's rows."""
    known = {entry.model for entry in REKEYED}
    found = []
    for model in apps.get_models():
        if model in known or model._meta.app_label == "documentation":
            continue
        for field in model._meta.get_fields():
            target = getattr(field, "related_model", None)
            if not getattr(field, "many_to_one", False) and not getattr(field, "one_to_one", False):
                continue
            if target not in _ANCHORS or not getattr(field, "concrete", False):
                continue
            lookup = _ANCHORS[target]
            value = collection.pk if lookup == "pk" else collection
            anchor_rows = target._default_manager.filter(**{lookup: value})
            if model._default_manager.filter(**{f"{field.name}__in": anchor_rows}).exists():
                found.append(model._meta.label)
                break
    return found


def _rekey_rows(collection: Collection, old: bytes, new: bytes, version: int) -> int:
    count = 0
    # Other apps append their entries in AppConfig.ready(); each is sealed again once.
    for entry in dict.fromkeys(REKEYED):
        lookup = {"pk": collection.pk} if entry.relation == "pk" else {entry.relation: collection}
        rows = list(entry.model._default_manager.filter(**lookup))
        for row in rows:
            for field in entry.fields:
                if bytes(getattr(row, field)):
                    value = entry.open_envelope(old, row, field)
                    setattr(row, field, entry.seal_envelope(new, version, row, field, value))
                    count += 1
        if rows:
            entry.model._default_manager.bulk_update(rows, list(entry.fields))
    return count


def holders(collection: Collection) -> list[User]:
    return data_keys.user_holders(collection.key)


@transaction.atomic
def revoke_collection(
    *, actor: User, user_private_key: bytes | None, collection: Collection, user: User, rekey: bool = False
) -> int:
    """Take the collection back from `user`; with `rekey`, a new key for every row.

    A documenter who holds the collection may revoke and re-key; a coordinator or an
    administrator (who hold no collection key) may only revoke. The last documenter who holds
    it is not removed (only the recovery trustees would be left). Returns how many envelopes
    were sealed again (0 without re-key).
    """
    collection = Collection.objects.select_for_update().select_related("key").get(pk=collection.pk)
    holding = data_keys.user_wrap(collection.key, actor) is not None and actor.has_role(Role.DOCUMENTER)
    supervising = actor.has_role(Role.COORDINATOR) or actor.has_role(Role.ADMIN)
    if not holding and not (supervising and not rekey):
        raise DocumentationRefused(
            _("Only a documenter who holds the collection can take it back and re-key it.")
        )
    remaining = [u for u in holders(collection) if u.pk != user.pk]
    if not remaining:
        raise DocumentationRefused(
            _("Give the collection to another documenter first: nobody else holds it.")
        )
    if rekey and user_private_key is None:
        raise DocumentationRefused(
            _("Only a documenter who holds the collection can take it back and re-key it.")
        )
    if rekey and (others := _unregistered_rows(collection)):
        raise DocumentationRefused(
            _(
                "This collection holds records that cannot be re-keyed yet (%(kinds)s): "
                "take it back without re-keying."
            )
            % {"kinds": ", ".join(sorted(others))}
        )
    old = b""
    if rekey:
        assert user_private_key is not None
        old = open_collection_key(
            user=actor, user_private_key=user_private_key, collection=collection, purpose="revoke"
        )
    removed = data_keys.revoke_user_wrap(collection.key, user)
    if not removed and not rekey:
        return 0
    resealed = 0
    if rekey:
        new = generate_key()
        resealed = _rekey_rows(collection, old, new, collection.key.version + 1)
        data_keys.replace_key(collection.key, new, actor=actor)
    record_event(
        action="documentation.collection_revoked",
        actor_id=actor.pk,
        target_type="collection",
        target_id=collection.pk,
        data={"user": str(user.pk), "rekeyed": rekey, **({"rows": resealed} if rekey else {})},
    )
    return resealed
