"""What documentation pages show, decrypted: an event with its acts, and the titles of a list page.

Each page opens each collection key it needs once, and that opening is audited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.expressions import Combinable
from django.utils.translation import gettext, gettext_lazy

from corridor.accounts.models import User
from corridor.documentation import gazetteer, sealing, vocabularies
from corridor.documentation.copies import Origin, read_case_link, read_origin
from corridor.documentation.keys import open_collection_key
from corridor.documentation.models import (
    Act,
    Collection,
    Event,
    EventLink,
    Information,
    Intervention,
    Involvement,
    MatchStatus,
    Person,
    PersonMatch,
    Site,
    Source,
)


@dataclass(frozen=True)
class EventFilter:
    """The list's filters: all on plain columns, none decrypts anything."""

    start: date | None = None
    end: date | None = None
    place: str = ""
    site: Site | None = None
    act_type: str = ""
    perpetrator_type: str = ""
    collection: Collection | None = None


# A filter on acts or perpetrators matching fewer rows than this drives the list (below).
DRIVING_ROWS = 20_000


def filtered_events(
    events: QuerySet[Event], chosen: EventFilter, *, driving_rows: int = DRIVING_ROWS
) -> QuerySet[Event]:
    """Events (or one of their acts) in the period, at the place or site, of the act or perpetrator type.

    The list is read in its order (latest first) and each event is checked against the act
    and perpetrator filters, which finds a page quickly when they match many events. When one
    of them matches few rows, walking the order would check most events to fill a page (or
    all of them, to find none): that filter then gives the candidate events instead, and only
    those are checked and ordered. The rows a filter matches are counted up to `driving_rows`
    (0: never).
    """
    if chosen.collection is not None:
        events = events.filter(collection=chosen.collection)
    # Open ends are stored as the first and last day there is: two plain comparisons.
    if chosen.start is not None:
        events = events.filter(latest__gte=chosen.start)
    if chosen.end is not None:
        events = events.filter(earliest__lte=chosen.end)
    # Each filter as (the rows it matches: their event, and a column the count reads from
    # the filter's index alone; the condition checking one event), likeliest to be rare first.
    sides: list[tuple[list[Matched], Q | Exists | Combinable]] = []
    if chosen.site is not None:
        sides.append(
            (
                [
                    Matched(Event.objects.filter(site=chosen.site), "pk", "site"),
                    Matched(Act.objects.filter(site=chosen.site), "event_id", "event_id"),
                ],
                Q(site=chosen.site) | Exists(Act.objects.filter(event=OuterRef("pk"), site=chosen.site)),
            )
        )
    if chosen.act_type:
        typed = Act.objects.filter(act_type=chosen.act_type)
        sides.append(([Matched(typed, "event_id", "event_id")], Exists(typed.filter(event=OuterRef("pk")))))
    if chosen.perpetrator_type:
        involved = Involvement.objects.filter(perpetrator_type=chosen.perpetrator_type)
        sides.append(
            ([Matched(involved, "event_id", "event_id")], Exists(involved.filter(event=OuterRef("pk"))))
        )
    if chosen.place:
        places = sorted(gazetteer.descendants(chosen.place))
        sides.append(
            (
                [
                    Matched(Event.objects.filter(place__in=places), "pk", "place"),
                    Matched(Act.objects.filter(place__in=places), "event_id", "event_id"),
                ],
                Q(place__in=places) | Exists(Act.objects.filter(event=OuterRef("pk"), place__in=places)),
            )
        )
    driving = _fewest_rows([rows for rows, _ in sides], driving_rows)
    for number, (rows, condition) in enumerate(sides):
        if number == driving:
            ids = Q()
            for matched in rows:
                ids |= Q(pk__in=matched.rows.values(matched.event))
            events = events.filter(ids)
        else:
            events = events.filter(condition)
    return events


@dataclass(frozen=True)
class Matched:
    rows: QuerySet[Any]
    event: str  # the column naming the row's event
    counted: str  # a column of the filter's index, so counting reads no table row


def _fewest_rows(sides: list[list[Matched]], limit: int) -> int | None:
    """The filter matching the fewest rows, if under `limit`; each count stops at the fewest so far."""
    fewest, found = limit, None
    for number, rows in enumerate(sides):
        count = 0
        for matched in rows:
            if count < fewest:
                count += matched.rows.order_by().values(matched.counted)[: fewest - count].count()
        if count < fewest:
            fewest, found = count, number
    return found


# The list's order: latest first, the code breaking ties (index doc_event_list_scan).
LIST_ORDER = ("-earliest", "code")
_POSITION = re.compile(r"(\d{4})-(\d{2})-(\d{2})\.([A-Z0-9-]{1,16})")


@dataclass(frozen=True)
class Position:
    """A place in the list's order, carried by the links to the next and previous pages.

    Pages are cut at a position, not counted from the top (keyset pagination), so a page far
    down the list reads no more rows than the first. A position says nothing a reader of the
    list could not see: the earliest day of an event and its code.
    """

    earliest: date
    code: str

    @classmethod
    def of(cls, event: Event) -> Position:
        # Every event has its earliest day (an open start is the first day there is).
        return cls(earliest=event.earliest or date.min, code=event.code)

    @classmethod
    def parse(cls, text: str) -> Position | None:
        """The position a link carries; None if it is not one (edited, cut or forged)."""
        found = _POSITION.fullmatch(text)
        if found is None:
            return None
        year, month, day, code = found.groups()
        try:
            return cls(earliest=date(int(year), int(month), int(day)), code=code)
        except ValueError:
            return None

    def __str__(self) -> str:
        return f"{self.earliest.isoformat()}.{self.code}"

    def after(self) -> Q:
        """Events that come after this position in the list (earlier, or the same day and a later code).

        The first comparison is implied by the second; it is there so the database reads the
        list's index from this position on instead of from its top.
        """
        return Q(earliest__lte=self.earliest) & (
            Q(earliest__lt=self.earliest) | Q(earliest=self.earliest, code__gt=self.code)
        )

    def before(self) -> Q:
        return Q(earliest__gte=self.earliest) & (
            Q(earliest__gt=self.earliest) | Q(earliest=self.earliest, code__lt=self.code)
        )


@dataclass(frozen=True)
class EventPage:
    """One page of the list, and where the pages before and after it start (None: there is none)."""

    events: list[Event]
    previous: Position | None = None
    next: Position | None = None


def page_of_events(
    found: QuerySet[Event],
    *,
    size: int,
    after: Position | None = None,
    before: Position | None = None,
    collections: dict[Any, Collection] | None = None,
) -> EventPage:
    """The `size` events after (or before) a position in the list's order; the first page without one.

    An empty page at a position (past the end, or its events deleted since) is the first page.
    `collections`: the reader's collections with their keys, when the caller has them already.
    """
    page = _cut_page(found, size=size, after=after, before=before)
    attach_related(page.events, collections or {})
    return page


def _cut_page(
    found: QuerySet[Event], *, size: int, after: Position | None, before: Position | None
) -> EventPage:
    rows = with_list_columns(found)
    reverse = ("earliest", "-code")
    if after is not None:
        events = list(rows.filter(after.after()).order_by(*LIST_ORDER)[: size + 1])
        if events:
            first = Position.of(events[0])
            has_previous = found.filter(first.before()).order_by(*reverse)[:1].exists()
            more = len(events) > size
            events = events[:size]
            return EventPage(
                events=events,
                previous=first if has_previous else None,
                next=Position.of(events[-1]) if more else None,
            )
    elif before is not None:
        events = list(rows.filter(before.before()).order_by(*reverse)[: size + 1])
        if events:
            more = len(events) > size
            events = events[:size][::-1]
            last = Position.of(events[-1])
            has_next = found.filter(last.after()).order_by(*LIST_ORDER)[:1].exists()
            return EventPage(
                events=events,
                previous=Position.of(events[0]) if more else None,
                next=last if has_next else None,
            )
    events = list(rows.order_by(*LIST_ORDER)[: size + 1])
    return EventPage(events=events[:size], next=Position.of(events[size - 1]) if len(events) > size else None)


@dataclass
class ListedEvent:
    event: Event
    title: str
    place: str
    site: str
    acts: int
    url: str = ""


def list_page(*, user: User, user_private_key: bytes, events: list[Event]) -> list[ListedEvent]:
    """The titles of one page of events: each collection's key opened once, audited."""
    keys: dict[Any, bytes] = {}
    # Only the collections of the events on the page; their audit entries in one transaction.
    with transaction.atomic():
        for event in events:
            if event.collection_id not in keys:
                keys[event.collection_id] = open_collection_key(
                    user=user,
                    user_private_key=user_private_key,
                    collection=event.collection,
                    purpose="event_list",
                )
    listed = []
    for event in events:
        listed.append(
            ListedEvent(
                event=event,
                title=sealing.open_text(keys[event.collection_id], event, "title"),
                place=gazetteer.full_name(event.place),
                site=gazetteer.site_name(event.site),
                acts=getattr(event, "act_count", 0),
            )
        )
    return listed


def with_list_columns(events: QuerySet[Event]) -> QuerySet[Event]:
    """Only the columns a list row shows (its collection and site are attached by `attach_related`)."""
    return events.only("id", "collection_id", "code", "title", "date", "earliest", "place", "site_id")


def attach_related(events: list[Event], collections: dict[Any, Collection]) -> None:
    """The page's few collections (with their keys) and sites, each read once for the whole page."""
    missing = {e.collection_id for e in events} - set(collections)
    if missing:
        collections = {**collections, **Collection.objects.select_related("key").in_bulk(missing)}
    sites = Site.objects.in_bulk({e.site_id for e in events if e.site_id is not None})
    for event in events:
        event.collection = collections[event.collection_id]
        event.site = sites.get(event.site_id) if event.site_id is not None else None


def count_acts(events: list[Event]) -> None:
    """Each event's number of acts, in one query for the page (a count over the whole list would
    group every event before the page is cut)."""
    counts = dict(
        Act.objects.filter(event__in=[e.pk for e in events])
        .values_list("event")
        .annotate(n=Count("id"))
        .values_list("event", "n")
    )
    for event in events:
        event.act_count = counts.get(event.pk, 0)  # type: ignore[attr-defined]


@dataclass
class PerpetratorView:
    involvement: Involvement
    kind: str
    name: str
    type_label: str
    degree_label: str


@dataclass
class ActView:
    act: Act
    type_label: str
    methods: list[str]
    victim: str
    notes: str
    place: str
    site: str
    status_label: str
    perpetrators: list[PerpetratorView] = field(default_factory=list)


@dataclass
class LinkView:
    label: str
    event: Event
    title: str


@dataclass
class InformationView:
    information: Information
    source: Source
    source_description: str
    connection_label: str
    statement: str
    origin: Origin | None = None


@dataclass
class InterventionView:
    intervention: Intervention
    type_label: str
    response_label: str
    reference: str
    notes: str


@dataclass
class EventView:
    event: Event
    collection_title: str
    title: str
    description: str
    place: str
    site: str
    acts: list[ActView]
    links: list[LinkView]
    information: list[InformationView] = field(default_factory=list)
    interventions: list[InterventionView] = field(default_factory=list)
    origin: Origin | None = None


def event_for_documenter(*, user: User, user_private_key: bytes, event: Event) -> EventView:
    """The whole event decrypted with one audited opening of its collection key."""
    collection = event.collection
    key = open_collection_key(
        user=user, user_private_key=user_private_key, collection=collection, purpose="event_page"
    )
    acts = list(
        Act.objects.filter(event=event)
        .select_related("site", "victim_person")
        .prefetch_related(Prefetch("involvements", queryset=Involvement.objects.order_by("created_at")))
    )
    act_views = []
    for act in acts:
        perpetrators = [
            PerpetratorView(
                involvement=inv,
                kind=inv.get_perpetrator_kind_display(),
                name=inv.institution or sealing.open_text(key, inv, "person"),
                type_label=vocabularies.label("perpetrator_types", inv.perpetrator_type),
                degree_label=vocabularies.label("degrees", inv.degree),
            )
            for inv in act.involvements.all()
        ]
        act_views.append(
            ActView(
                act=act,
                type_label=vocabularies.label("act_types", act.act_type),
                methods=[vocabularies.label("methods", code) for code in act.methods],
                victim=sealing.open_text(key, act, "victim") or _person_name(key, act.victim_person),
                notes=sealing.open_text(key, act, "notes"),
                place=gazetteer.full_name(act.place),
                site=gazetteer.site_name(act.site),
                status_label=vocabularies.label("statuses", act.status_at_end) if act.status_at_end else "",
                perpetrators=perpetrators,
            )
        )
    # Links stay within one collection (the service checks it), so the same key opens their titles.
    links = [
        LinkView(str(link.get_kind_display()), link.to_event, sealing.open_text(key, link.to_event, "title"))
        for link in EventLink.objects.filter(from_event=event).select_related("to_event")
    ] + [
        LinkView(_inverse(link.kind), link.from_event, sealing.open_text(key, link.from_event, "title"))
        for link in EventLink.objects.filter(to_event=event).select_related("from_event")
    ]
    information = [
        InformationView(
            information=info,
            source=info.source,
            source_description=sealing.open_text(key, info.source, "description"),
            connection_label=vocabularies.label("source_connections", info.connection),
            statement=sealing.open_text(key, info, "statement"),
            origin=read_origin(key, info),
        )
        for info in Information.objects.filter(event=event)
        .select_related("source__person")
        .order_by("created_at")
    ]
    interventions = [
        InterventionView(
            intervention=item,
            type_label=vocabularies.label("intervention_types", item.intervention_type),
            response_label=vocabularies.label("responses", item.response) if item.response else "",
            reference=sealing.open_text(key, item, "reference"),
            notes=sealing.open_text(key, item, "notes"),
        )
        for item in Intervention.objects.filter(event=event).select_related("follows")
    ]
    return EventView(
        origin=read_origin(key, event),
        interventions=interventions,
        information=information,
        event=event,
        collection_title=sealing.open_text(key, collection, "title"),
        title=sealing.open_text(key, event, "title"),
        description=sealing.open_text(key, event, "description"),
        place=gazetteer.full_name(event.place),
        site=gazetteer.site_name(event.site),
        acts=act_views,
        links=links,
    )


def _person_name(key: bytes, person: Person | None) -> str:
    from corridor.documentation.persons import read_identity

    return read_identity(key, person).name if person is not None else ""


def _inverse(kind: str) -> str:
    return gettext("includes") if kind == "part_of" else gettext("was caused by")


def collection_titles(
    *, user: User, user_private_key: bytes, collections: list[Collection]
) -> dict[Any, str]:
    """Titles of the collections this person holds, each key opened once (audited)."""
    return {
        c.pk: sealing.open_text(
            open_collection_key(
                user=user, user_private_key=user_private_key, collection=c, purpose="collection_list"
            ),
            c,
            "title",
        )
        for c in collections
    }


@dataclass(frozen=True)
class SiteRow:
    site: Site
    name: str
    place: str
    type_label: str


def site_rows() -> list[SiteRow]:
    return [
        SiteRow(
            site=site,
            name=gazetteer.site_name(site),
            place=gazetteer.full_name(site.place),
            type_label=vocabularies.label("site_types", site.site_type),
        )
        for site in Site.objects.order_by("place", "name")
    ]


INDEX_KINDS = {"name": gettext_lazy("a name"), "phone": gettext_lazy("a phone number")}


@dataclass
class MatchView:
    match: PersonMatch
    other: Person
    other_name: str

    @property
    def shared(self) -> str:
        return ", ".join(str(INDEX_KINDS.get(kind, kind)) for kind in self.match.kinds)


@dataclass
class PersonView:
    person: Person
    identity: Any
    acts: list[Act]
    statements: list[InformationView]
    matches: list[MatchView]
    case_id: Any = None


def person_for_documenter(*, user: User, user_private_key: bytes, person: Person) -> PersonView:
    """A person with every act they suffered, every statement they gave and their match proposals."""
    from corridor.documentation.persons import read_identity

    key = open_collection_key(
        user=user, user_private_key=user_private_key, collection=person.collection, purpose="person_page"
    )
    # The acts of this person and of everyone confirmed to be the same person.
    matches_rows = list(
        PersonMatch.objects.filter(Q(person=person) | Q(other=person)).select_related("person", "other")
    )
    same = {person.pk} | {
        m.other_id if m.person_id == person.pk else m.person_id
        for m in matches_rows
        if m.status == MatchStatus.CONFIRMED
    }
    acts = list(
        Act.objects.filter(victim_person__in=same)
        .select_related("event", "victim_person")
        .order_by("earliest", "created_at")
    )
    statements = [
        InformationView(
            information=info,
            source=info.source,
            source_description=sealing.open_text(key, info.source, "description"),
            connection_label=vocabularies.label("source_connections", info.connection),
            statement=sealing.open_text(key, info, "statement"),
        )
        for info in Information.objects.filter(source__person=person).select_related("source", "event")
    ]
    matches = []
    for match in matches_rows:
        other = match.other if match.person_id == person.pk else match.person
        matches.append(MatchView(match=match, other=other, other_name=read_identity(key, other).name))
    return PersonView(
        person=person,
        identity=read_identity(key, person),
        acts=acts,
        statements=statements,
        matches=matches,
        case_id=read_case_link(key, person),
    )


def person_names(*, user: User, user_private_key: bytes, persons: list[Person]) -> list[tuple[Person, str]]:
    """Names for a list of persons, each collection key opened once (audited)."""
    from corridor.documentation.persons import read_identity

    keys: dict[Any, bytes] = {}
    named = []
    for person in persons:
        if person.collection_id not in keys:
            keys[person.collection_id] = open_collection_key(
                user=user,
                user_private_key=user_private_key,
                collection=person.collection,
                purpose="person_list",
            )
        named.append((person, read_identity(keys[person.collection_id], person).name))
    return named
