"""Every write of documentation: collections and their grants, sites, events, links, acts, perpetrators.

Each service checks its input first (codes against the vocabularies and the gazetteer,
dates as EDTF, text without control characters), writes, seals text under the
collection key and records an audit event, all in one transaction.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from corridor.accounts.models import Role, User
from corridor.audit.services import record_event
from corridor.cases import keys as data_keys
from corridor.cases import once
from corridor.cases.models import WrapRecipient
from corridor.documentation import access, edtf, gazetteer, sealing, vocabularies
from corridor.documentation.copies import Origin, refresh_copies, seal_origin
from corridor.documentation.keys import PURPOSE, open_collection_key, owner_of
from corridor.documentation.models import (
    Act,
    Collection,
    Event,
    EventLink,
    Involvement,
    LinkKind,
    PerpetratorKind,
    Person,
    Precision,
    Site,
    VictimKind,
)
from corridor.hotline.services import unused_code

MAX_TEXT = 20_000
MAX_SHORT = 200
MAX_COUNT = 100_000
MAX_METHODS = 20


BAD_DATE = gettext_lazy(
    "This is not a date Corridor understands. Examples: 2017-03-12, 2017-03~, 2017-21, 2017-03/2017-04."
)


class DocumentationRefused(ValueError):
    """The input is not valid or the action not allowed; the message says why, in the user's language."""


def _now() -> datetime:
    return datetime.now(UTC)


# Control characters but the newline and the tab.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f]")


def clean_text(text: str, *, required: bool, limit: int = MAX_TEXT) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if _CONTROL.search(text):
        raise DocumentationRefused(_("The text contains characters that cannot be accepted."))
    if required and not text:
        raise DocumentationRefused(_("Write something first."))
    if len(text) > limit:
        raise DocumentationRefused(_("The text is too long."))
    return text


def parse_date(text: str, *, required: bool) -> edtf.Edtf | None:
    text = (text or "").strip()
    if not text:
        if required:
            raise DocumentationRefused(
                _("Give a date, even an uncertain one (for example 2017-21 for spring 2017).")
            )
        return None
    try:
        return edtf.parse(text)
    except edtf.EdtfError as exc:
        raise DocumentationRefused(str(BAD_DATE)) from exc


def _check_code(vocabulary: str, code: str, *, required: bool = True) -> str:
    if not code and not required:
        return ""
    if not vocabularies.is_code(vocabulary, code):
        raise DocumentationRefused(_("Choose a value from the list."))
    return code


def _check_place(place: str, *, required: bool = False) -> str:
    if not place and not required:
        return ""
    if not gazetteer.is_place(place):
        raise DocumentationRefused(_("Choose a place from the gazetteer."))
    return place


def _require_documenter(user: User) -> None:
    if not access.can_document(user):
        raise DocumentationRefused(_("Only documenters record documentation."))


# --- collections ------------------------------------------------------------------------


@transaction.atomic
def create_collection(*, actor: User, title: str) -> Collection:
    """A new collection and its key, sealed to the recovery key and to its creator."""
    _require_documenter(actor)
    title = clean_text(title, required=True, limit=MAX_SHORT)
    collection_id = uuid.uuid4()
    data_key, key = data_keys.new_data_key(owner=owner_of(collection_id), purpose=PURPOSE)
    data_keys.seal_to_org(data_key, key, [WrapRecipient.RECOVERY])
    data_keys.seal_to_user(data_key, key, actor, granted_by=actor)
    collection = Collection(
        id=collection_id,
        code=unused_code("D-", Collection),
        key=data_key,
        created_by=actor,
        created_at=_now(),
    )
    collection.title = sealing.seal_text(key, data_key.version, collection, "title", title)
    collection.save(force_insert=True)
    record_event(
        action="documentation.collection_created",
        actor_id=actor.pk,
        target_type="collection",
        target_id=collection.pk,
    )
    return collection


@transaction.atomic
def grant_collection(*, actor: User, user_private_key: bytes, collection: Collection, grantee: User) -> bool:
    """Seal the collection key to another documenter; False if they held it already."""
    if not grantee.has_role(Role.DOCUMENTER):
        raise DocumentationRefused(_("Only documenters can be given a collection."))
    if data_keys.user_wrap(collection.key, grantee) is not None:
        return False
    key = open_collection_key(
        user=actor, user_private_key=user_private_key, collection=collection, purpose="grant"
    )
    try:
        data_keys.seal_to_user(collection.key, key, grantee, granted_by=actor)
    except data_keys.GrantRefused as exc:
        raise DocumentationRefused(_("This account cannot be given keys.")) from exc
    record_event(
        action="documentation.collection_granted",
        actor_id=actor.pk,
        target_type="collection",
        target_id=collection.pk,
        data={"grantee": str(grantee.pk)},
    )
    return True


# --- sites ------------------------------------------------------------------------------


@transaction.atomic
def add_site(*, actor: User, place: str, site_type: str, precision: str, name: str) -> Site:
    """A named site documenters can pick (plain data: never where a victim lives or hides)."""
    _require_documenter(actor)
    place = _check_place(place, required=True)
    site_type = _check_code("site_types", site_type)
    if precision not in Precision.values:
        raise DocumentationRefused(_("Choose a value from the list."))
    name = clean_text(name, required=True, limit=MAX_SHORT)
    if "\n" in name:
        raise DocumentationRefused(_("A site's name is one line."))
    site = Site.objects.create(
        place=place, site_type=site_type, precision=precision, name=name, created_by=actor, created_at=_now()
    )
    record_event(action="documentation.site_added", actor_id=actor.pk, target_type="site", target_id=site.pk)
    return site


def _check_site(site_id: str | None, known: dict[str, Site] | None = None) -> Site | None:
    """The site chosen; `known` (every site by id) spares a query per row in an import."""
    if not site_id:
        return None
    if known is not None:
        if str(site_id) not in known:
            raise DocumentationRefused(_("Choose a site from the list."))
        return known[str(site_id)]
    try:
        return Site.objects.get(pk=uuid.UUID(str(site_id)))
    except (ValueError, Site.DoesNotExist) as exc:
        raise DocumentationRefused(_("Choose a site from the list.")) from exc


# --- events -----------------------------------------------------------------------------


@dataclass(frozen=True)
class EventInput:
    title: str
    description: str
    date: str
    place: str
    site: str | None = None


@transaction.atomic
def record_event_from_testimony(
    *,
    actor: User,
    user_private_key: bytes,
    collection: Collection,
    data: EventInput,
    origin: Origin | None = None,
) -> Event:
    """A new event: title and description sealed under the collection key, date bounds computed.

    `origin` is the hotline thread or case the testimony came from (the view has checked the
    documenter can open it); it is sealed with the event, and the case gets its copy.
    """
    _require_documenter(actor)
    seal = event_sealer(data)
    key = open_collection_key(
        user=actor, user_private_key=user_private_key, collection=collection, purpose="record_event"
    )
    event = seal(actor=actor, key=key, collection=collection, code=unused_code("E-", Event), now=_now())
    event.origin = seal_origin(key, collection.key.version, event, "origin", origin)
    event.save(force_insert=True)
    record_event(
        action="documentation.event_recorded",
        actor_id=actor.pk,
        target_type="event",
        target_id=event.pk,
        data={"from": origin.kind if origin else "interview"},
    )
    if origin is not None:
        refresh_copies(actor=actor, user_private_key=user_private_key, key=key, events=[event])
    return event


EventSealer = Callable[..., Event]


class Checks:
    """How one value of a record is checked. An import keeps a subclass that checks a value met
    before only once (corridor.documentation.imports); the checks themselves are these."""

    def code(self, vocabulary: str, code: str, *, required: bool = True) -> str:
        return _check_code(vocabulary, code, required=required)

    def place(self, place: str) -> str:
        return _check_place(place)

    def date(self, text: str, *, required: bool) -> edtf.Edtf | None:
        return parse_date(text, required=required)


@dataclass(frozen=True, slots=True)
class CheckedEvent:
    title: str
    description: str
    date: edtf.Edtf
    place: str
    site: Site | None


def check_event(
    data: EventInput, *, sites: dict[str, Site] | None = None, checks: Checks | None = None
) -> CheckedEvent:
    """An event's input checked, as the form and the import both need it."""
    checks = checks or Checks()
    title = clean_text(data.title, required=True, limit=MAX_SHORT)
    description = clean_text(data.description, required=False)
    date = checks.date(data.date, required=True)
    assert date is not None
    site = _check_site(data.site, sites)
    place = checks.place(data.place) or (site.place if site else "")
    if not place:
        raise DocumentationRefused(_("Choose a place from the gazetteer."))
    return CheckedEvent(title=title, description=description, date=date, place=place, site=site)


def event_sealer(data: EventInput, *, sites: dict[str, Site] | None = None) -> EventSealer:
    """Check an event's input; returns what builds its row (sealed, not saved) once the key is open."""
    checked = check_event(data, sites=sites)
    title, description, date, place, site = (
        checked.title,
        checked.description,
        checked.date,
        checked.place,
        checked.site,
    )

    def build(*, actor: User, key: bytes, collection: Collection, code: str, now: datetime) -> Event:
        event = Event(
            id=uuid.uuid4(),
            collection=collection,
            code=code,
            date=date.text,
            earliest=date.lower,
            latest=date.upper,
            place=place,
            site=site,
            created_by=actor,
            created_at=now,
        )
        version = collection.key.version
        event.title = sealing.seal_text(key, version, event, "title", title)
        event.description = sealing.seal_text(key, version, event, "description", description)
        return event

    return build


@transaction.atomic
def link_events(*, actor: User, event: Event, other: Event, kind: str) -> EventLink:
    """`event` is part of, or caused, `other`; both in the same collection."""
    _require_documenter(actor)
    if kind not in LinkKind.values:
        raise DocumentationRefused(_("Choose a value from the list."))
    if event.pk == other.pk:
        raise DocumentationRefused(_("An event cannot be linked to itself."))
    if event.collection_id != other.collection_id:
        raise DocumentationRefused(_("Events can be linked only within one collection."))
    link, created = EventLink.objects.get_or_create(
        from_event=event, to_event=other, kind=kind, defaults={"created_by": actor, "created_at": _now()}
    )
    if created:
        record_event(
            action="documentation.events_linked",
            actor_id=actor.pk,
            target_type="event",
            target_id=event.pk,
            data={"kind": kind, "other": str(other.pk)},
        )
    return link


# --- acts and perpetrators -----------------------------------------------------------------


@dataclass(frozen=True)
class PerpetratorInput:
    kind: str
    perpetrator_type: str
    degree: str
    name: str  # a person's name (sealed) or an institution's (plain)


@dataclass(frozen=True)
class ActInput:
    act_type: str
    victim_kind: str
    victim: str
    methods: list[str] = field(default_factory=list)
    count_min: int | None = None
    count_best: int | None = None
    count_max: int | None = None
    date: str = ""
    place: str = ""
    site: str | None = None
    status_at_end: str = ""
    notes: str = ""
    perpetrator: PerpetratorInput | None = None
    victim_person: str = ""  # the code of a person of the collection


def _counts(data: ActInput) -> tuple[int, int, int]:
    if data.victim_kind == VictimKind.PERSON:
        return 1, 1, 1
    values = [data.count_min, data.count_best, data.count_max]
    known = [v for v in values if v is not None]
    if not known:
        raise DocumentationRefused(_("Give at least one count for a group (the best estimate)."))
    if any(v < 1 or v > MAX_COUNT for v in known):
        raise DocumentationRefused(_("Counts are whole numbers from 1 to 100,000."))
    best = data.count_best if data.count_best is not None else known[0]
    low = data.count_min if data.count_min is not None else min(known)
    high = data.count_max if data.count_max is not None else max(known)
    if not low <= best <= high:
        raise DocumentationRefused(_("The minimum, best estimate and maximum must be in that order."))
    return low, best, high


def _check_perpetrator(data: PerpetratorInput, checks: Checks | None = None) -> PerpetratorInput:
    checks = checks or Checks()
    if data.kind not in PerpetratorKind.values:
        raise DocumentationRefused(_("Choose a value from the list."))
    checks.code("perpetrator_types", data.perpetrator_type)
    checks.code("degrees", data.degree)
    name = clean_text(data.name, required=data.kind == PerpetratorKind.INSTITUTION, limit=MAX_SHORT)
    return PerpetratorInput(data.kind, data.perpetrator_type, data.degree, name)


def _involvement(*, actor: User, key: bytes, version: int, act: Act, data: PerpetratorInput) -> Involvement:
    involvement = involvement_row(actor=actor, key=key, version=version, act=act, data=data, now=_now())
    involvement.save(force_insert=True)
    return involvement


def involvement_row(
    *, actor: User, key: bytes, version: int, act: Act, data: PerpetratorInput, now: datetime
) -> Involvement:
    involvement = Involvement(
        id=uuid.uuid4(),
        act=act,
        event_id=act.event_id,
        perpetrator_kind=data.kind,
        perpetrator_type=data.perpetrator_type,
        degree=data.degree,
        institution=data.name if data.kind == PerpetratorKind.INSTITUTION else "",
        created_by=actor,
        created_at=now,
    )
    if data.kind == PerpetratorKind.PERSON:
        involvement.person = sealing.seal_text(key, version, involvement, "person", data.name)
    return involvement


@dataclass(frozen=True, slots=True)
class CheckedAct:
    act_type: str
    methods: tuple[str, ...]
    victim_kind: str
    person: Person | None
    victim: str
    counts: tuple[int, int, int]
    date: edtf.Edtf | None
    place: str
    site: Site | None
    status: str
    notes: str
    perpetrator: PerpetratorInput | None


def check_act(
    data: ActInput,
    *,
    find_person: Callable[[str], Person | None],
    sites: dict[str, Site] | None = None,
    checks: Checks | None = None,
) -> CheckedAct:
    """An act's input checked, as the form and the import both need it; `find_person` looks a
    person of the event's collection up by code."""
    checks = checks or Checks()
    act_type = checks.code("act_types", data.act_type)
    methods = tuple(dict.fromkeys(data.methods))
    if len(methods) > MAX_METHODS:
        raise DocumentationRefused(_("Too many methods."))
    for method in methods:
        checks.code("methods", method)
    if data.victim_kind not in VictimKind.values:
        raise DocumentationRefused(_("Choose a value from the list."))
    person = None
    if data.victim_person.strip():
        if data.victim_kind != VictimKind.PERSON:
            raise DocumentationRefused(_("Only a victim who is one person can be linked to a person."))
        person = find_person(data.victim_person.strip().upper())
        if person is None:
            raise DocumentationRefused(_("There is no person with this code in the event's collection."))
    victim = clean_text(data.victim, required=person is None, limit=MAX_SHORT)
    counts = _counts(data)
    date = checks.date(data.date, required=False)
    site = _check_site(data.site, sites)
    place = checks.place(data.place) or (site.place if site else "")
    status = checks.code("statuses", data.status_at_end, required=False)
    notes = clean_text(data.notes, required=False)
    perpetrator = _check_perpetrator(data.perpetrator, checks) if data.perpetrator else None
    return CheckedAct(
        act_type=act_type,
        methods=methods,
        victim_kind=data.victim_kind,
        person=person,
        victim=victim,
        counts=counts,
        date=date,
        place=place,
        site=site,
        status=status,
        notes=notes,
        perpetrator=perpetrator,
    )


ActSealer = Callable[..., tuple[Act, Involvement | None]]


def act_sealer(
    data: ActInput,
    *,
    collection_id: uuid.UUID,
    sites: dict[str, Site] | None = None,
    persons: dict[str, Person] | None = None,
) -> ActSealer:
    """Check an act's input; returns what builds its rows (sealed, not saved) once the key is open.

    `sites` and `persons` (by code) spare a query per act in an import.
    """

    def find_person(code: str) -> Person | None:
        if persons is not None:
            return persons.get(code)
        return Person.objects.filter(collection_id=collection_id, code=code).first()

    checked = check_act(data, find_person=find_person, sites=sites)
    act_type, person, victim, date, site, place = (
        checked.act_type,
        checked.person,
        checked.victim,
        checked.date,
        checked.site,
        checked.place,
    )
    methods = list(checked.methods)
    count_min, count_best, count_max = checked.counts
    status, notes, perpetrator = checked.status, checked.notes, checked.perpetrator

    def build(
        *, actor: User, key: bytes, version: int, event: Event, now: datetime
    ) -> tuple[Act, Involvement | None]:
        act = Act(
            id=uuid.uuid4(),
            event=event,
            act_type=act_type,
            methods=methods,
            victim_kind=data.victim_kind,
            victim_person=person,
            count_min=count_min,
            count_best=count_best,
            count_max=count_max,
            date=date.text if date else "",
            earliest=date.lower if date else event.earliest,
            latest=date.upper if date else event.latest,
            place=place or event.place,
            site=site,
            status_at_end=status,
            created_by=actor,
            created_at=now,
        )
        act.victim = sealing.seal_text(key, version, act, "victim", victim)
        act.notes = sealing.seal_text(key, version, act, "notes", notes)
        involvement = None
        if perpetrator is not None:
            involvement = involvement_row(
                actor=actor, key=key, version=version, act=act, data=perpetrator, now=now
            )
        return act, involvement

    return build


@transaction.atomic
def add_act(*, actor: User, user_private_key: bytes, event: Event, data: ActInput) -> Act:
    """An act against one victim, with its first perpetrator if one is given."""
    _require_documenter(actor)
    build = act_sealer(data, collection_id=event.collection_id)
    collection = event.collection
    key = open_collection_key(
        user=actor, user_private_key=user_private_key, collection=collection, purpose="add_act"
    )
    act, involvement = build(actor=actor, key=key, version=collection.key.version, event=event, now=_now())
    act.save(force_insert=True)
    if involvement is not None:
        involvement.save(force_insert=True)
    act_type = act.act_type
    record_event(
        action="documentation.act_added",
        actor_id=actor.pk,
        target_type="event",
        target_id=event.pk,
        data={"act": str(act.pk), "act_type": act_type},
    )
    refresh_copies(actor=actor, user_private_key=user_private_key, key=key, events=[event])
    return act


@transaction.atomic
def add_perpetrator(*, actor: User, user_private_key: bytes, act: Act, data: PerpetratorInput) -> Involvement:
    _require_documenter(actor)
    checked = _check_perpetrator(data)
    collection = act.event.collection
    version = collection.key.version
    key = b""
    if checked.kind == PerpetratorKind.PERSON:
        key = open_collection_key(
            user=actor, user_private_key=user_private_key, collection=collection, purpose="add_perpetrator"
        )
    involvement = _involvement(actor=actor, key=key, version=version, act=act, data=checked)
    record_event(
        action="documentation.perpetrator_added",
        actor_id=actor.pk,
        target_type="event",
        target_id=act.event_id,
        data={"act": str(act.pk), "kind": checked.kind},
    )
    return involvement


# --- a form sent twice ------------------------------------------------------------------------


def carry_out_once(*, token: str, action: Callable[[], str]) -> tuple[str, bool]:
    """Run `action` (which returns the id of what it created) once per form token.

    Returns that id and whether this was a repeat; the receipts are the one mechanism every
    staff form uses (`corridor.cases.once`).
    """
    done = once.carry_out_once(token, action, created=lambda created: created)
    return done.created_id, done.repeated
