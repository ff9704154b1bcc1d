"""Exports of events for one purpose, carrying only what consent covers on the day.

A statement goes into an export only if a standing consent to that statement covers the
purpose and, when its source is a person, a standing consent of that person covers it
too. "Covers" means the same scope and, for a partner or a mechanism, the same one; a
consent withdrawn (on any date) covers nothing. The export says how many statements it
left out, never which. Every consent relied on must open under the collection key, which
proves Corridor wrote it as it stands; one that does not open stops the export.

Anonymised scopes (statistics, publication) carry no name, no code Corridor gives a
record, no source description and no free text written by documenters; statistics carry
no statement text either, publication carries statements with the names of the
collection's persons they mention masked. Evidence files are never part of an export.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from corridor.accounts.integrity import IntegrityFailure
from corridor.accounts.models import User
from corridor.audit.services import record_event
from corridor.crypto.errors import CryptoError
from corridor.documentation import gazetteer, sealing, vocabularies
from corridor.documentation.consent import sealing as consent_sealing
from corridor.documentation.consent.models import ANONYMISED, MECHANISMS, Consent, Method, Scope
from corridor.documentation.keys import open_collection_key
from corridor.documentation.models import (
    Act,
    Body,
    Event,
    Information,
    Intervention,
    Involvement,
    MatchStatus,
    Person,
    PersonMatch,
)
from corridor.documentation.persons import read_identity
from corridor.documentation.services import DocumentationRefused, _require_documenter
from corridor.evacuation.relocation.models import Partner
from corridor.evacuation.relocation.partners import active_partners

FORMAT = "corridor.documentation.export.v1"
MAX_EVENTS = 100
MASK = "[…]"


@dataclass(frozen=True)
class Purpose:
    scope: str
    partner: Partner | None = None
    mechanism: str = ""

    @property
    def anonymised(self) -> bool:
        return self.scope in ANONYMISED

    def label(self) -> str:
        if self.partner is not None:
            return f"{_('Partner organisation')}: {self.partner.name}"
        if self.mechanism:
            return f"{_('Mechanism')}: {Body(self.mechanism).label}"
        return str(Scope(self.scope).label)


def check_purpose(*, scope: str, partner: str = "", mechanism: str = "") -> Purpose:
    """The purpose named by a form, or refuse (a partner or mechanism only with its scope)."""
    if scope not in Scope.values:
        raise DocumentationRefused(_("Choose a value from the list."))
    if scope == Scope.PARTNER:
        chosen = next((p for p in active_partners() if str(p.pk) == partner), None)
        if chosen is None:
            raise DocumentationRefused(_("Choose the partner organisation this consent names."))
        if mechanism:
            raise DocumentationRefused(_("Only a consent to a mechanism names a mechanism."))
        return Purpose(scope=scope, partner=chosen)
    if partner:
        raise DocumentationRefused(_("Only a consent to a partner organisation names a partner."))
    if scope == Scope.MECHANISM:
        if mechanism not in dict(MECHANISMS):
            raise DocumentationRefused(_("Choose the mechanism this consent names."))
        return Purpose(scope=scope, mechanism=mechanism)
    if mechanism:
        raise DocumentationRefused(_("Only a consent to a mechanism names a mechanism."))
    return Purpose(scope=scope)


@dataclass
class Export:
    document: dict[str, Any]
    included: int
    left_out: int
    filename: str
    statement_ids: list[str] = field(default_factory=list)


def _day(value: date | None) -> str | None:
    # Open ends are stored as the first and last day there is.
    if value is None or value.year in (1, 9999):
        return None
    return value.isoformat()


def _covering(
    key: bytes, purpose: Purpose, *, statements: list[Any], persons: set[Any], today: date
) -> dict[Any, Consent]:
    """Ids of the statements and persons a standing, authentic consent covers for the purpose.

    A person is covered by a consent on their own record, and only while no record confirmed
    to be the same person has its consent for the purpose withdrawn (and none given again).
    """
    consents = Consent.objects.filter(
        Q(information__in=statements) | Q(person__in=persons),
        scope=purpose.scope,
        partner=purpose.partner,
        mechanism=purpose.mechanism,
        given_on__lte=today,
        withdrawal__isnull=True,
    )
    covered: dict[Any, Consent] = {}
    for consent in consents:
        try:
            consent_sealing.open_sealed(key, consent, "sealed")
        except CryptoError:
            raise IntegrityFailure("consent", str(consent.pk)) from None
        covered[consent.information_id or consent.person_id] = consent
    same = _same_persons(set(covered) & persons)
    members = {other for group in same.values() for other in group}
    states = Consent.objects.filter(
        person__in=members, scope=purpose.scope, partner=purpose.partner, mechanism=purpose.mechanism
    ).values_list("person_id", "withdrawal")
    standing = {person for person, withdrawal in states if withdrawal is None}
    blocked = {person for person, withdrawal in states if withdrawal is not None} - standing
    return {item: c for item, c in covered.items() if not (same.get(item, set()) & blocked)}


def _same_persons(persons: set[Any]) -> dict[Any, set[Any]]:
    """For each person, the other records confirmed to be the same person."""
    same: dict[Any, set[Any]] = {}
    pairs = PersonMatch.objects.filter(
        Q(person__in=persons) | Q(other__in=persons), status=MatchStatus.CONFIRMED
    ).values_list("person_id", "other_id")
    for first, second in pairs:
        same.setdefault(first, set()).add(second)
        same.setdefault(second, set()).add(first)
    return {person: same[person] for person in persons if person in same}


def _withdrawn(purpose: Purpose, statements: list[Information]) -> set[Any]:
    persons = {s.source.person_id for s in statements if s.source.person_id}
    rows = Consent.objects.filter(
        Q(information__in=[s.pk for s in statements]) | Q(person__in=persons),
        scope=purpose.scope,
        partner=purpose.partner,
        mechanism=purpose.mechanism,
        withdrawal__isnull=False,
    ).values_list("information_id", "person_id")
    return {info or person for info, person in rows}


def _by[T: models.Model](rows: Iterable[T], column: str) -> dict[Any, list[T]]:
    grouped: dict[Any, list[T]] = {}
    for row in rows:
        grouped.setdefault(getattr(row, column), []).append(row)
    return grouped


def _masker(names: list[str]) -> re.Pattern[str] | None:
    """Whole names and each of their words (a first name alone names someone too), as whole words."""
    words = {n.strip() for n in names if len(n.strip()) >= 2}
    words |= {part for n in names for part in n.split() if len(part) >= 3}
    if not words:
        return None
    ordered = sorted(words, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in ordered) + r")(?!\w)", re.IGNORECASE)


class _Builder:
    def __init__(self, *, key: bytes, purpose: Purpose, today: date) -> None:
        self.key = key
        self.purpose = purpose
        self.today = today
        self.identities: dict[Any, Any] = {}
        self.masker: re.Pattern[str] | None = None
        self.statements: dict[Any, list[Information]] = {}
        self.acts: dict[Any, list[Act]] = {}
        self.involvements: dict[Any, list[Involvement]] = {}
        self.interventions: dict[Any, list[Intervention]] = {}
        self.covered: dict[Any, Consent] = {}
        self.withdrawn: set[Any] = set()

    def identity(self, person: Person) -> Any:
        if person.pk not in self.identities:
            self.identities[person.pk] = read_identity(self.key, person)
        return self.identities[person.pk]

    def text(self, row: Any, name: str) -> str:
        text = sealing.open_text(self.key, row, name)
        return self.masker.sub(MASK, text) if self.masker is not None else text

    def load(self, events: list[Event]) -> None:
        """Every row the events need, one query per kind of row, and the consents that cover them."""
        ids = [e.pk for e in events]
        self.statements = _by(
            Information.objects.filter(event__in=ids).select_related("source__person").order_by("created_at"),
            "event_id",
        )
        self.acts = _by(
            Act.objects.filter(event__in=ids).select_related("site", "victim_person").order_by("created_at"),
            "event_id",
        )
        self.involvements = _by(Involvement.objects.filter(event__in=ids).order_by("created_at"), "act_id")
        self.interventions = _by(
            Intervention.objects.filter(event__in=ids).order_by("earliest", "created_at"), "event_id"
        )
        statements = [s for rows in self.statements.values() for s in rows]
        victims = {a.victim_person_id for rows in self.acts.values() for a in rows if a.victim_person_id}
        self.covered = _covering(
            self.key,
            self.purpose,
            statements=[s.pk for s in statements],
            persons={s.source.person_id for s in statements if s.source.person_id} | victims,
            today=self.today,
        )
        self.withdrawn = _withdrawn(self.purpose, statements)

    def event(self, event: Event, number: int) -> tuple[dict[str, Any], list[str], int, int]:
        purpose = self.purpose
        statements = self.statements.get(event.pk, [])
        acts = self.acts.get(event.pk, [])
        victims = [a.victim_person for a in acts if a.victim_person is not None]
        covered = self.covered
        withdrawn = self.withdrawn
        kept = [
            s
            for s in statements
            if s.pk in covered and (s.source.person_id is None or s.source.person_id in covered)
        ]
        left_out = len(statements) - len(kept)
        withdrawn_out = sum(
            1
            for s in statements
            if s not in kept
            and (s.pk in withdrawn or (s.source.person_id and s.source.person_id in withdrawn))
        )
        # Free text names people: in anonymised scopes every person of the event is masked, in
        # the others each one whose own consent does not cover the purpose.
        names: list[str] = []
        persons = {s.source.person for s in statements if s.source.person is not None} | set(victims)
        for person in sorted(persons, key=lambda p: p.code):
            if purpose.anonymised or person.pk not in covered:
                identity = self.identity(person)
                names += [identity.name, *identity.aliases]
        self.masker = _masker(names)
        out: dict[str, Any] = {
            "ref": f"{number}" if purpose.anonymised else event.code,
            "date": event.date,
            "earliest": _day(event.earliest),
            "latest": _day(event.latest),
            "place": event.place,
            "place_name": gazetteer.full_name(event.place),
            "site": gazetteer.site_name(event.site),
        }
        if not purpose.anonymised:
            out["title"] = self.text(event, "title")
            out["description"] = self.text(event, "description")
        out["acts"] = [self.act(act, covered) for act in acts]
        out["statements"] = [self.statement(s) for s in kept]
        out["statements_left_out"] = left_out
        out["interventions"] = [self.intervention(i) for i in self.interventions.get(event.pk, [])]
        return out, [str(s.pk) for s in kept], left_out, withdrawn_out

    def act(self, act: Act, victim_consents: dict[Any, Consent]) -> dict[str, Any]:
        out: dict[str, Any] = {
            "act_type": act.act_type,
            "act_type_label": vocabularies.label("act_types", act.act_type),
            "methods": [{"code": m, "label": vocabularies.label("methods", m)} for m in act.methods],
            "victim_kind": act.victim_kind,
            "count_min": act.count_min,
            "count_best": act.count_best,
            "count_max": act.count_max,
            "date": act.date,
            "place": act.place,
            "place_name": gazetteer.full_name(act.place),
            "site": gazetteer.site_name(act.site),
            "status_at_end": act.status_at_end,
        }
        if act.status_at_end:
            out["status_at_end_label"] = vocabularies.label("statuses", act.status_at_end)
        out["perpetrators"] = [self.perpetrator(p) for p in self.involvements.get(act.pk, [])]
        if self.purpose.anonymised:
            return out
        # A victim is named only when that person's own consent covers the purpose.
        if act.victim_kind == "group":
            out["victim"] = self.text(act, "victim")
        elif act.victim_person is not None and act.victim_person_id in victim_consents:
            out["victim"] = self.text(act, "victim") or self.identity(act.victim_person).name
        else:
            out["victim"] = None
            out["victim_withheld"] = True
        out["notes"] = self.text(act, "notes")
        return out

    def perpetrator(self, involvement: Involvement) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": involvement.perpetrator_kind,
            "type": involvement.perpetrator_type,
            "type_label": vocabularies.label("perpetrator_types", involvement.perpetrator_type),
            "degree": involvement.degree,
            "degree_label": vocabularies.label("degrees", involvement.degree),
        }
        # Institutions are named in the clear everywhere; a perpetrator's own name only in named scopes.
        if involvement.institution:
            out["name"] = involvement.institution
        elif not self.purpose.anonymised:
            out["name"] = self.text(involvement, "person")
        return out

    def statement(self, info: Information) -> dict[str, Any]:
        out: dict[str, Any] = {
            "source_kind": info.source.kind,
            "connection": info.connection,
            "connection_label": vocabularies.label("source_connections", info.connection),
            "reliability": info.reliability,
            "credibility": info.credibility,
            "date": info.date,
            "count": info.count,
        }
        if self.purpose.scope == Scope.STATISTICS:
            return out
        out["statement"] = self.text(info, "statement")
        if not self.purpose.anonymised:
            # What the statement goes out on: when and how each consent was given.
            basis = [self.covered[info.pk]]
            if info.source.person_id is not None:
                basis.append(self.covered[info.source.person_id])
            out["consent"] = [
                {
                    "of": "statement" if c.information_id else "person",
                    "given_on": c.given_on.isoformat(),
                    "method": c.method,
                    "method_label": str(Method(c.method).label),
                }
                for c in basis
            ]
            source: dict[str, Any] = {
                "code": info.source.code,
                "description": self.text(info.source, "description"),
            }
            if info.source.person is not None:
                identity = self.identity(info.source.person)
                source["person"] = {"code": info.source.person.code, "name": identity.name}
            out["source"] = source
        return out

    def intervention(self, item: Intervention) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": item.intervention_type,
            "type_label": vocabularies.label("intervention_types", item.intervention_type),
            "body": item.body,
            "body_label": str(Body(item.body).label),
            "date": item.date,
            "response": item.response,
            "response_label": vocabularies.label("responses", item.response) if item.response else "",
            "response_date": item.response_date,
        }
        if not self.purpose.anonymised:
            out["reference"] = self.text(item, "reference")
            out["notes"] = self.text(item, "notes")
        return out


@transaction.atomic
def export_events(*, actor: User, user_private_key: bytes, events: list[Event], purpose: Purpose) -> Export:
    """The events as they may leave Corridor for this purpose today; audited with counts, never content."""
    _require_documenter(actor)
    if not events:
        raise DocumentationRefused(_("Choose at least one event."))
    if len(events) > MAX_EVENTS:
        raise DocumentationRefused(_("At most 100 events go into one export."))
    now = datetime.now(UTC)
    today = now.date()
    ordered = sorted(events, key=lambda e: (e.earliest or date.min, e.code))
    builders: dict[Any, _Builder] = {}
    for event in ordered:
        if event.collection_id not in builders:
            key = open_collection_key(
                user=actor, user_private_key=user_private_key, collection=event.collection, purpose="export"
            )
            builder = _Builder(key=key, purpose=purpose, today=today)
            builder.load([e for e in ordered if e.collection_id == event.collection_id])
            builders[event.collection_id] = builder
    rendered = []
    statement_ids: list[str] = []
    included = left_out = withdrawn_out = 0
    for number, event in enumerate(ordered, start=1):
        out, kept, missing, withdrawn = builders[event.collection_id].event(event, number)
        rendered.append(out)
        statement_ids += kept
        included += len(kept)
        left_out += missing
        withdrawn_out += withdrawn
    document = {
        "format": FORMAT,
        "exported_at": now.isoformat(timespec="seconds"),
        "purpose": {
            "scope": purpose.scope,
            "label": purpose.label(),
            "partner": purpose.partner.name if purpose.partner else None,
            "mechanism": purpose.mechanism or None,
            "anonymised": purpose.anonymised,
        },
        "coverage": {
            "events": len(rendered),
            "statements_included": included,
            "statements_left_out": left_out,
            "statement": _(
                "Only statements whose consent covers this purpose on the day of the export are "
                "included. Statements left out: %(count)s. Evidence files are not part of this export."
            )
            % {"count": left_out},
        },
        "events": rendered,
    }
    record_event(
        action="consent.exported",
        actor_id=actor.pk,
        target_type="event",
        target_id=ordered[0].pk,
        data={
            "events": [str(e.pk) for e in ordered],
            "scope": purpose.scope,
            "partner": str(purpose.partner.pk) if purpose.partner else "",
            "mechanism": purpose.mechanism,
            "statements_included": included,
            "statements_left_out": left_out,
            "withdrawn_left_out": withdrawn_out,
            "statements": statement_ids,
        },
    )
    stamp = now.strftime("%Y%m%d-%H%M%S")
    return Export(
        document=document,
        included=included,
        left_out=left_out,
        filename=f"corridor-export-{purpose.scope}-{stamp}",
        statement_ids=statement_ids,
    )
