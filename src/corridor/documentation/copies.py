"""Where documentation came from, and the copies of it that caseworkers read under their case key.

Where an event or an account came from (a hotline thread or a case) and which case a
person is, are sealed under the collection key: at rest nothing joins a documented event
to a person being evacuated. A caseworker holds no collection key. What they read is a
copy of each linked event, made by a documenter who holds both keys, sealed under the
case key (bound to its row and its case, re-keyed with the case, and never under a key the
applicant's codename opens): the event's code, title, date, place and acts, a victim's
name only on the acts whose victim is this case's person, and only the accounts taken
from this case's own testimony.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db.models import Model
from django.urls import reverse

from corridor.accounts.integrity import IntegrityFailure
from corridor.accounts.models import User
from corridor.cases import access as case_access
from corridor.cases import sealing as case_sealing
from corridor.cases.keys import KeyLocked
from corridor.cases.models import Case
from corridor.cases.panels import PanelContext
from corridor.cases.services import open_case_key
from corridor.crypto.errors import CryptoError
from corridor.documentation import gazetteer, sealing, vocabularies
from corridor.documentation.models import Act, CaseCopy, Event, Information, Person, Site, VictimKind

THREAD = "thread"
CASE = "case"


@dataclass(frozen=True)
class Origin:
    """A hotline thread or a case a testimony came from."""

    kind: str
    id: uuid.UUID

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "id": str(self.id)}

    @classmethod
    def from_dict(cls, value: dict[str, Any]) -> Origin | None:
        try:
            kind, pk = str(value["kind"]), uuid.UUID(str(value["id"]))
        except (KeyError, ValueError):
            return None
        return cls(kind, pk) if kind in (THREAD, CASE) else None


def seal_origin(key: bytes, version: int, row: Model, field: str, origin: Origin | None) -> bytes:
    """An origin sealed to the row; nothing (empty) for an interview."""
    if origin is None:
        return b""
    return sealing.seal_json(key, version, row, field, origin.as_dict())


def read_origin(key: bytes, row: Model, field: str = "origin") -> Origin | None:
    if not bytes(getattr(row, field)):
        return None
    return Origin.from_dict(sealing.open_json(key, row, field))


def read_case_link(key: bytes, person: Person) -> uuid.UUID | None:
    if not bytes(person.case_link):
        return None
    try:
        return uuid.UUID(str(sealing.open_json(key, person, "case_link")["case"]))
    except (KeyError, ValueError):
        return None


def _now() -> datetime:
    return datetime.now(UTC)


# --- which cases an event is linked to -------------------------------------------------------------


@dataclass
class Target:
    """One case an event is linked to, and through what."""

    case: Case
    from_testimony: bool = False
    persons: set[uuid.UUID] = field(default_factory=set)
    accounts: set[uuid.UUID] = field(default_factory=set)


def _cases_of(actor: User, origins: Iterable[Origin]) -> dict[Origin, Case]:
    """The cases these origins lead to that `actor` can open (a thread leads to its case, if any)."""
    wanted = list(set(origins))
    if not wanted:
        return {}
    readable = case_access.readable_cases(actor)
    found: dict[Origin, Case] = {}
    by_id = {c.pk: c for c in readable.filter(pk__in=[o.id for o in wanted if o.kind == CASE])}
    by_thread = {
        c.thread_id: c for c in readable.filter(thread_id__in=[o.id for o in wanted if o.kind == THREAD])
    }
    for origin in wanted:
        case = by_id.get(origin.id) if origin.kind == CASE else by_thread.get(origin.id)
        if case is not None:
            found[origin] = case
    return found


def targets_of(*, actor: User, key: bytes, event: Event) -> list[Target]:
    """The cases `actor` can open that this event is linked to: by where it came from, by an
    account taken from a case's testimony, or by an act whose victim is a person linked to a case."""
    event_origin = read_origin(key, event)
    accounts = [(info, read_origin(key, info)) for info in Information.objects.filter(event=event)]
    persons = {
        person.pk: read_case_link(key, person)
        for person in Person.objects.filter(acts_suffered__event=event).distinct()
    }
    origins = [o for o in [event_origin, *(o for _, o in accounts)] if o is not None]
    origins += [Origin(CASE, case_id) for case_id in persons.values() if case_id is not None]
    cases = _cases_of(actor, origins)
    targets: dict[uuid.UUID, Target] = {}

    def target(origin: Origin | None) -> Target | None:
        case = cases.get(origin) if origin is not None else None
        if case is None:
            return None
        return targets.setdefault(case.pk, Target(case=case))

    if (found := target(event_origin)) is not None:
        found.from_testimony = True
    for info, origin in accounts:
        if (found := target(origin)) is not None:
            found.accounts.add(info.pk)
    for person_id, case_id in persons.items():
        if case_id is not None and (found := target(Origin(CASE, case_id))) is not None:
            found.persons.add(person_id)
    return list(targets.values())


# --- the copy ----------------------------------------------------------------------------------------


def copy_of(*, key: bytes, event: Event, target: Target) -> dict[str, Any]:
    """What the caseworkers of `target.case` may read of this event (codes, not labels)."""
    acts = []
    for act in Act.objects.filter(event=event).select_related("victim_person").order_by("created_at"):
        ours = act.victim_person_id in target.persons
        victim = ""
        if ours:
            victim = sealing.open_text(key, act, "victim")
            if not victim and act.victim_person is not None:
                victim = str(sealing.open_json(key, act.victim_person, "identity").get("name", ""))
        acts.append(
            {
                "type": act.act_type,
                "methods": list(act.methods),
                "status": act.status_at_end,
                "date": act.date,
                "this_person": ours,
                "victim": victim,
                "group": [act.count_min, act.count_best, act.count_max]
                if act.victim_kind == VictimKind.GROUP
                else None,
            }
        )
    accounts = [
        {
            "connection": info.connection,
            "reliability": info.reliability,
            "credibility": info.credibility,
            "date": info.date,
            "count": info.count,
            "text": sealing.open_text(key, info, "statement"),
        }
        for info in Information.objects.filter(pk__in=target.accounts).order_by("created_at")
    ]
    return {
        "event": str(event.pk),
        "code": event.code,
        "title": sealing.open_text(key, event, "title"),
        "date": event.date,
        "place": event.place,
        "site": str(event.site_id or ""),
        "from_testimony": target.from_testimony,
        "acts": acts,
        "accounts": accounts,
        "copied_at": _now().isoformat(),
    }


def _existing(case_key: bytes, case: Case, event: Event) -> CaseCopy | None:
    """This event's copy on the case: which event a copy is of is known only inside it."""
    for row in CaseCopy.objects.filter(case=case):
        try:
            if case_sealing.open_row(case_key, row, "copy").get("event") == str(event.pk):
                return row
        except (CryptoError, IntegrityFailure):
            continue
    return None


def refresh_copies(
    *,
    actor: User,
    user_private_key: bytes,
    key: bytes,
    events: Iterable[Event],
    unlinked: uuid.UUID | None = None,
) -> int:
    """Write again the copy of each event on every linked case whose key `actor` holds.

    Each case key is opened once (audited); a case whose key will not open for this person
    is left as it was. On `unlinked` (a case a link was just taken from), the copy of an
    event no longer linked to it is deleted. Returns how many copies were written.
    """
    case_keys: dict[uuid.UUID, bytes | None] = {}

    def case_key_of(case: Case) -> bytes | None:
        if case.pk not in case_keys:
            try:
                case_keys[case.pk] = open_case_key(
                    user=actor, user_private_key=user_private_key, case=case, purpose="documentation_copy"
                )
            except KeyLocked:
                case_keys[case.pk] = None
        return case_keys[case.pk]

    left = case_access.readable_cases(actor).filter(pk=unlinked).first() if unlinked else None
    written = 0
    for event in events:
        targets = targets_of(actor=actor, key=key, event=event)
        if left is not None and all(t.case.pk != left.pk for t in targets):
            left_key = case_key_of(left)
            stale = _existing(left_key, left, event) if left_key is not None else None
            if stale is not None:
                stale.delete()
        for target in targets:
            case = target.case
            case_key = case_key_of(case)
            if case_key is None:
                continue
            value = copy_of(key=key, event=event, target=target)
            row = _existing(case_key, case, event) or CaseCopy(id=uuid.uuid4(), case=case)
            row.copy = case_sealing.seal_row(case_key, case.key.version, row, "copy", value)
            row.updated_at = _now()
            row.save()
            written += 1
    return written


# --- the caseworker's section on the case page ---------------------------------------------------------


@dataclass
class CopiedAct:
    type_label: str
    methods: list[str]
    status_label: str
    date: str
    this_person: bool
    victim: str
    group: list[int] | None


@dataclass
class CopiedAccount:
    connection_label: str
    reliability: str
    credibility: int
    date: str
    count: int | None
    text: str


@dataclass
class CopiedEvent:
    code: str = ""
    title: str = ""
    date: str = ""
    place: str = ""
    site: str = ""
    from_testimony: bool = False
    acts: list[CopiedAct] = field(default_factory=list)
    accounts: list[CopiedAccount] = field(default_factory=list)
    copied_at: str = ""
    unreadable: bool = False


def _shown(value: dict[str, Any], sites: dict[str, Site]) -> CopiedEvent:
    return CopiedEvent(
        code=str(value.get("code", "")),
        title=str(value.get("title", "")),
        date=str(value.get("date", "")),
        place=gazetteer.full_name(str(value.get("place", ""))),
        site=gazetteer.site_name(sites.get(str(value.get("site", "")))),
        from_testimony=bool(value.get("from_testimony")),
        acts=[
            CopiedAct(
                type_label=vocabularies.label("act_types", str(a.get("type", ""))),
                methods=[vocabularies.label("methods", str(m)) for m in a.get("methods", [])],
                status_label=vocabularies.label("statuses", str(a["status"])) if a.get("status") else "",
                date=str(a.get("date", "")),
                this_person=bool(a.get("this_person")),
                victim=str(a.get("victim", "")),
                group=a.get("group"),
            )
            for a in value.get("acts", [])
        ],
        accounts=[
            CopiedAccount(
                connection_label=vocabularies.label("source_connections", str(s.get("connection", ""))),
                reliability=str(s.get("reliability", "")),
                credibility=int(s.get("credibility", 6)),
                date=str(s.get("date", "")),
                count=s.get("count"),
                text=str(s.get("text", "")),
            )
            for s in value.get("accounts", [])
        ],
        copied_at=str(value.get("copied_at", ""))[:10],
    )


def build_panel(ctx: PanelContext) -> dict[str, Any] | None:
    """The documentation linked to this case, read with the key the case page opened."""
    from corridor.documentation import access

    rows = list(CaseCopy.objects.filter(case=ctx.case).order_by("updated_at", "id"))
    document = access.can_document(ctx.user) and access.readable_collections(ctx.user).exists()
    if not rows and not document:
        return None
    values: list[dict[str, Any] | None] = []
    for row in rows:
        try:
            values.append(case_sealing.open_row(ctx.key, row, "copy"))
        except (CryptoError, IntegrityFailure):
            values.append(None)
    sites = {
        str(s.pk): s
        for s in Site.objects.filter(pk__in=[v.get("site") for v in values if v and v.get("site")])
    }
    shown = [_shown(v, sites) if v is not None else CopiedEvent(unreadable=True) for v in values]
    shown.sort(key=lambda e: (e.date, e.code))
    document_url = f"{reverse('documentation:event_new')}?case={ctx.case.pk}" if document else ""
    return {"events": shown, "document_url": document_url}
