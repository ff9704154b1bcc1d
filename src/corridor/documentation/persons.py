"""Persons in documentation, their blind indexes and match proposals; sources and what they say.

A person's identity (name, aliases, birth, phone, notes) is sealed under the collection
key. Their names and phone are also blind-indexed under the organisation's index key
(corridor.accounts.keyring.blind_index_of: names romanised, spelling variants folded,
word order ignored), so that the same person recorded from two testimonies is proposed
as a match, within the collection only, and a documenter confirms or rejects it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from corridor.accounts.models import User
from corridor.audit.services import record_event
from corridor.cases import identifiers
from corridor.cases.services import index_key_for
from corridor.crypto.blind import IndexKind
from corridor.documentation import edtf, sealing, vocabularies
from corridor.documentation.copies import Origin, refresh_copies, seal_origin
from corridor.documentation.keys import open_collection_key
from corridor.documentation.models import (
    Collection,
    Credibility,
    Event,
    Information,
    MatchStatus,
    Person,
    PersonIndex,
    PersonMatch,
    Reliability,
    Source,
    SourceKind,
)
from corridor.documentation.services import (
    MAX_SHORT,
    DocumentationRefused,
    _require_documenter,
    clean_text,
    parse_date,
)
from corridor.hotline.services import unused_code

MAX_ALIASES = 20


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Identity:
    name: str
    aliases: list[str] = field(default_factory=list)
    birth: str = ""
    phone: str = ""
    notes: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "aliases": self.aliases,
            "birth": self.birth,
            "phone": self.phone,
            "notes": self.notes,
        }

    @classmethod
    def from_dict(cls, value: dict[str, object]) -> Identity:
        aliases = value.get("aliases") or []
        return cls(
            name=str(value.get("name", "")),
            aliases=[str(a) for a in aliases] if isinstance(aliases, list) else [],
            birth=str(value.get("birth", "")),
            phone=str(value.get("phone", "")),
            notes=str(value.get("notes", "")),
        )


def clean_identity(identity: Identity) -> Identity:
    name = clean_text(identity.name, required=True, limit=MAX_SHORT)
    aliases = [clean_text(a, required=False, limit=MAX_SHORT) for a in identity.aliases]
    aliases = [a for a in dict.fromkeys(aliases) if a]
    if len(aliases) > MAX_ALIASES:
        raise DocumentationRefused(_("Too many other names."))
    if any("\n" in text for text in (name, *aliases)):
        raise DocumentationRefused(_("A name is one line."))
    return Identity(
        name=name,
        aliases=aliases,
        birth=clean_text(identity.birth, required=False, limit=64),
        phone=clean_text(identity.phone, required=False, limit=64),
        notes=clean_text(identity.notes, required=False),
    )


def _digests(index_key: bytes, identity: Identity) -> set[identifiers.Digest]:
    pairs = [(IndexKind.NAME.value, name) for name in (identity.name, *identity.aliases)]
    if identity.phone:
        pairs.append((IndexKind.PHONE.value, identity.phone))
    return identifiers.digests_of(index_key, pairs)


def _propose_matches(person: Person, digests: set[identifiers.Digest]) -> list[PersonMatch]:
    if not digests:
        return []
    query = Q(pk__in=[])
    for kind, digest in digests:
        query |= Q(kind=kind, digest=digest)
    found: dict[uuid.UUID, set[str]] = {}
    rows = PersonIndex.objects.filter(query, collection_id=person.collection_id).exclude(person=person)
    for other_id, kind in rows.values_list("person_id", "kind"):
        found.setdefault(other_id, set()).add(kind)
    proposals = []
    for other_id, kinds in sorted(found.items()):
        first, second = sorted([person.pk, other_id])
        match, created = PersonMatch.objects.get_or_create(
            person_id=first, other_id=second, defaults={"kinds": sorted(kinds), "proposed_at": _now()}
        )
        if created:
            proposals.append(match)
    return proposals


@transaction.atomic
def add_person(*, actor: User, user_private_key: bytes, collection: Collection, identity: Identity) -> Person:
    """A person under the collection key, blind-indexed; a match is proposed with anyone sharing an index."""
    _require_documenter(actor)
    identity = clean_identity(identity)
    key = open_collection_key(
        user=actor, user_private_key=user_private_key, collection=collection, purpose="add_person"
    )
    person = Person(
        id=uuid.uuid4(),
        collection=collection,
        code=unused_code("P-", Person),
        created_by=actor,
        created_at=_now(),
    )
    person.identity = sealing.seal_json(key, collection.key.version, person, "identity", identity.as_dict())
    person.save(force_insert=True)
    proposals = index_person(actor=actor, user_private_key=user_private_key, person=person, identity=identity)
    record_event(
        action="documentation.person_added",
        actor_id=actor.pk,
        target_type="person",
        target_id=person.pk,
        data={"proposed_matches": len(proposals)},
    )
    return person


def index_person(
    *, actor: User, user_private_key: bytes, person: Person, identity: Identity
) -> list[PersonMatch]:
    """Write the person's blind indexes afresh and propose matches with anyone sharing one.

    A corrected name must stop matching under the old one: earlier indexes and undecided
    proposals are deleted first (decisions already taken stay).
    """
    PersonIndex.objects.filter(person=person).delete()
    PersonMatch.objects.filter(Q(person=person) | Q(other=person), status=MatchStatus.PROPOSED).delete()
    index_key = index_key_for(actor, user_private_key)
    if index_key is None:
        return []
    digests = _digests(index_key, identity)
    PersonIndex.objects.bulk_create(
        PersonIndex(person=person, collection_id=person.collection_id, kind=kind, digest=digest)
        for kind, digest in sorted(digests)
    )
    return _propose_matches(person, digests)


def read_identity(key: bytes, person: Person) -> Identity:
    return Identity.from_dict(sealing.open_json(key, person, "identity"))


@transaction.atomic
def decide_match(*, actor: User, match: PersonMatch, same: bool) -> PersonMatch:
    """A documenter says whether two persons are one (a decision can be changed; each is audited)."""
    _require_documenter(actor)
    match = PersonMatch.objects.select_for_update().get(pk=match.pk)
    match.status = MatchStatus.CONFIRMED if same else MatchStatus.REJECTED
    match.decided_by = actor
    match.decided_at = _now()
    match.save(update_fields=["status", "decided_by", "decided_at"])
    record_event(
        action="documentation.match_decided",
        actor_id=actor.pk,
        target_type="person",
        target_id=match.person_id,
        data={"other": str(match.other_id), "status": match.status},
    )
    return match


def find_person(collection: Collection, code: str) -> Person:
    person = Person.objects.filter(collection=collection, code=(code or "").strip().upper()).first()
    if person is None:
        raise DocumentationRefused(_("There is no person with this code in the event's collection."))
    return person


# --- sources and information ----------------------------------------------------------------


@transaction.atomic
def add_source(
    *,
    actor: User,
    user_private_key: bytes,
    collection: Collection,
    kind: str,
    description: str,
    person_code: str = "",
) -> Source:
    """A source: a person of the collection or a publication, described under the collection key."""
    _require_documenter(actor)
    if kind not in SourceKind.values:
        raise DocumentationRefused(_("Choose a value from the list."))
    person = find_person(collection, person_code) if person_code.strip() else None
    description = clean_text(description, required=person is None, limit=2_000)
    key = open_collection_key(
        user=actor, user_private_key=user_private_key, collection=collection, purpose="add_source"
    )
    source = Source(
        id=uuid.uuid4(),
        collection=collection,
        code=unused_code("S-", Source),
        kind=kind,
        person=person,
        created_by=actor,
        created_at=_now(),
    )
    source.description = sealing.seal_text(key, collection.key.version, source, "description", description)
    source.save(force_insert=True)
    record_event(
        action="documentation.source_added", actor_id=actor.pk, target_type="source", target_id=source.pk
    )
    return source


@dataclass(frozen=True)
class InformationInput:
    source_code: str
    connection: str
    reliability: str
    credibility: int
    date: str = ""
    count: int | None = None
    statement: str = ""


def check_information(data: InformationInput) -> tuple[edtf.Edtf | None, str]:
    """The account's codes, date and count checked; its date parsed and its statement cleaned."""
    if not vocabularies.is_code("source_connections", data.connection):
        raise DocumentationRefused(_("Choose a value from the list."))
    if data.reliability not in Reliability.values or data.credibility not in Credibility.values:
        raise DocumentationRefused(_("Choose a value from the list."))
    date = parse_date(data.date, required=False)
    if data.count is not None and not 1 <= data.count <= 100_000:
        raise DocumentationRefused(_("Counts are whole numbers from 1 to 100,000."))
    return date, clean_text(data.statement, required=False)


@transaction.atomic
def add_information(
    *,
    actor: User,
    user_private_key: bytes,
    event: Event,
    data: InformationInput,
    origin: Origin | None = None,
) -> Information:
    """What a source says about the event, kept beside (never over) what others say; `origin` is the
    thread or case it was taken from (checked by the view), sealed with it."""
    _require_documenter(actor)
    source = Source.objects.filter(
        collection=event.collection, code=(data.source_code or "").strip().upper()
    ).first()
    if source is None:
        raise DocumentationRefused(_("There is no source with this code in the event's collection."))
    date, statement = check_information(data)
    collection = event.collection
    key = open_collection_key(
        user=actor, user_private_key=user_private_key, collection=collection, purpose="add_information"
    )
    information = Information(
        id=uuid.uuid4(),
        event=event,
        source=source,
        connection=data.connection,
        reliability=data.reliability,
        credibility=data.credibility,
        date=date.text if date else "",
        earliest=date.lower if date else None,
        latest=date.upper if date else None,
        count=data.count,
        created_by=actor,
        created_at=_now(),
    )
    information.statement = sealing.seal_text(
        key, collection.key.version, information, "statement", statement
    )
    information.origin = seal_origin(key, collection.key.version, information, "origin", origin)
    information.save(force_insert=True)
    record_event(
        action="documentation.information_added",
        actor_id=actor.pk,
        target_type="event",
        target_id=event.pk,
        data={"source": str(source.pk), "from": origin.kind if origin else "interview"},
    )
    refresh_copies(actor=actor, user_private_key=user_private_key, key=key, events=[event])
    return information
