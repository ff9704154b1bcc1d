"""The burn view: what a detained, compromised or infiltrating person could reveal, and who to warn.

A person is "burned" while their case carries an open detained flag, was closed (or
flagged) as a suspected provocateur, carries an open security concern, or has a seized
phone reported and not cleared. Their
exposures (and their stays) say what they know: houses, legs, staff members, other people.
From that follow the people to move (living now in a house they know), the people to warn
(who stayed with them, travel on a leg they know, or whom they know of), the staff to
warn (escorts, named staff) and the houses to judge. Proposing the tasks is idempotent:
one task per burned case, kind and target, however often the button is pressed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from corridor.accounts.models import User
from corridor.audit.services import record_event
from corridor.cases import access, sealing, tasks
from corridor.cases.models import Case, CaseFlag, FlagKind, VettingFailure
from corridor.evacuation.houses import EvacuationRefused
from corridor.evacuation.models import (
    AssetKind,
    BurnProposal,
    Exposure,
    MovementStatus,
    PhoneSeizure,
    Placement,
    SafeHouse,
    WarningKind,
)

PROVOCATEUR = VettingFailure.SUSPECTED_PROVOCATEUR.value
# How soon a proposed task is due: moving someone out of a burned house cannot wait.
DUE_IN = {
    WarningKind.MOVE_PERSON: timedelta(hours=2),
    WarningKind.WARN_PERSON: timedelta(hours=4),
    WarningKind.WARN_STAFF: timedelta(hours=4),
    WarningKind.CHECK_HOUSE: timedelta(hours=2),
}
LIVE_LEGS = (MovementStatus.PLANNED, MovementStatus.UNDER_WAY)
# Only the columns the report shows or binds: a case's card, a house's name and state, a
# user's name (a user row carries keys and hashes the report has no use for).
_HOUSE = ("code_name", "region", "compromised_at")
_CARD = ("code", "stage", "region", "caseworker__username")
EXPOSURE_COLUMNS = (
    "id",
    "case_id",
    "kind",
    "source",
    "disclosed_at",
    "note",
    *(f"house__{c}" for c in _HOUSE),
    "movement__status",
    "movement__origin_region",
    "movement__destination_region",
    *(f"movement__case__{c}" for c in _CARD),
    "movement__escort__username",
    "staff__username",
    *(f"other_case__{c}" for c in _CARD),
)
STAY_COLUMNS = ("id", "case_id", "starts_at", "ends_at", *(f"house__{c}" for c in _HOUSE))
PERSON_COLUMNS = ("id", "case_id", "house_id", *(f"case__{c}" for c in _CARD))


def _now() -> datetime:
    return datetime.now(UTC)


def triggers(case: Case) -> list[str]:
    """Why this person is burned, as codes (see the module docstring); empty if not."""
    found = []
    open_flags = set(
        CaseFlag.objects.filter(case=case, cleared_at__isnull=True).values_list("kind", flat=True)
    )
    if FlagKind.DETAINED in open_flags:
        found.append("detained")
    if PROVOCATEUR in open_flags or case.outcome_reason == PROVOCATEUR:
        found.append("suspected_provocateur")
    elif FlagKind.SECURITY_CONCERN in open_flags:
        # A blocklist match or a colleague's doubt: the person may be an infiltrator.
        found.append("security_concern")
    if PhoneSeizure.objects.filter(case=case, cleared_at__isnull=True).exists():
        found.append("phone_seized")
    return found


@dataclass
class Affected:
    """Someone (or a house) the burned person could lead the adversary to, and what to do."""

    kind: str  # a WarningKind
    target: str  # the id the proposal is keyed on
    label: str  # a case code, a username or a house code name
    reasons: list[str] = field(default_factory=list)
    card: access.Card | None = None
    proposed: bool = False


@dataclass
class KnownItem:
    exposure: Exposure
    note: str


@dataclass
class BurnReport:
    case: Case
    triggers: list[str]
    known: list[KnownItem]
    houses: list[SafeHouse]
    affected: list[Affected]

    @property
    def to_propose(self) -> int:
        return sum(1 for a in self.affected if not a.proposed)


def _add(found: dict[tuple[str, str], Affected], kind: str, target: str, label: str, reason: str) -> Affected:
    entry = found.setdefault((kind, target), Affected(kind=kind, target=target, label=label))
    if reason not in entry.reasons:
        entry.reasons.append(reason)
    return entry


def burn_report(*, user: User, case: Case, key: bytes) -> BurnReport:
    """What the burn view shows, from plain columns; only the exposures' notes are opened (with `key`)."""
    now = _now()
    exposures = list(
        Exposure.objects.filter(case=case)
        .select_related(
            "house",
            "movement__case__caseworker",
            "movement__escort",
            "staff",
            "other_case__caseworker",
        )
        .only(*EXPOSURE_COLUMNS)
        .order_by("disclosed_at")
    )
    known = [KnownItem(e, sealing.open_text(key, e, "note") if bytes(e.note) else "") for e in exposures]
    houses = {e.house_id: e.house for e in exposures if e.house is not None}
    own_stays = list(Placement.objects.filter(case=case).select_related("house").only(*STAY_COLUMNS))
    for stay in own_stays:
        houses.setdefault(stay.house_id, stay.house)
    found: dict[tuple[str, str], Affected] = {}
    others: dict[str, Case] = {}

    def person(kind: str, other: Case, reason: str) -> None:
        if other.pk == case.pk:
            return
        others[str(other.pk)] = other
        _add(found, kind, str(other.pk), other.code, reason)

    for house in houses.values():
        if house.compromised_at is None:
            _add(found, WarningKind.CHECK_HOUSE, str(house.pk), house.code_name, "house_known")
    # Living now (or due to) in a house the person knows: move them.
    residents = (
        Placement.objects.filter(house_id__in=list(houses))
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        .exclude(case=case)
        .select_related("case__caseworker")
        .only(*PERSON_COLUMNS)
    )
    for stay in residents:
        person(WarningKind.MOVE_PERSON, stay.case, "lives_in_known_house")
    # Stayed with the person: they know each other's faces, whatever happened since.
    together = Q()
    for stay in own_stays:
        overlap = Q(house_id=stay.house_id) & (Q(ends_at__isnull=True) | Q(ends_at__gt=stay.starts_at))
        if stay.ends_at is not None:
            overlap &= Q(starts_at__lt=stay.ends_at)
        together |= overlap
    if own_stays:
        for stay in (
            Placement.objects.filter(together)
            .exclude(case=case)
            .select_related("case__caseworker")
            .only(*PERSON_COLUMNS)
        ):
            person(WarningKind.WARN_PERSON, stay.case, "stayed_together")
    for e in exposures:
        if e.kind == AssetKind.CASE and e.other_case is not None:
            person(WarningKind.WARN_PERSON, e.other_case, "known_person")
        elif e.kind == AssetKind.STAFF and e.staff is not None:
            _add(found, WarningKind.WARN_STAFF, str(e.staff.pk), e.staff.username, "known_staff")
        elif e.kind == AssetKind.MOVEMENT and e.movement is not None:
            leg = e.movement
            if leg.escort is not None:
                _add(found, WarningKind.WARN_STAFF, str(leg.escort.pk), leg.escort.username, "escort")
            if leg.case_id != case.pk and leg.status in LIVE_LEGS:
                person(WarningKind.WARN_PERSON, leg.case, "known_leg")
    # One line per person: moving them covers warning them.
    for key_ in [k for k in found if k[0] == WarningKind.WARN_PERSON]:
        if (WarningKind.MOVE_PERSON, key_[1]) in found:
            moved = found[(WarningKind.MOVE_PERSON, key_[1])]
            moved.reasons += [r for r in found.pop(key_).reasons if r not in moved.reasons]
    readable = access.readable_ids(user, list(others))
    cards = {c.id: c for c in access.cards(others.values(), readable_ids=readable)}
    proposed = set(BurnProposal.objects.filter(case=case).values_list("kind", "target"))
    order = list(WarningKind.values)
    affected = sorted(found.values(), key=lambda a: (order.index(a.kind), a.label))
    for entry in affected:
        entry.card = cards.get(entry.target)
        entry.proposed = (entry.kind, entry.target) in proposed
    return BurnReport(
        case=case,
        triggers=triggers(case),
        known=known,
        houses=sorted(houses.values(), key=lambda h: h.code_name),
        affected=affected,
    )


def _title(entry: Affected) -> str:
    titles = {
        WarningKind.MOVE_PERSON: _("Burn: move %(who)s out of the house the person knows"),
        WarningKind.WARN_PERSON: _("Burn: warn %(who)s through their caseworker"),
        WarningKind.WARN_STAFF: _("Burn: warn %(who)s that their identity may be known"),
        WarningKind.CHECK_HOUSE: _("Burn: decide whether house %(who)s is compromised"),
    }
    return titles[WarningKind(entry.kind)] % {"who": entry.label}


@transaction.atomic
def propose_tasks(*, actor: User, user_private_key: bytes, case: Case, report: BurnReport) -> int:
    """One task on the burned case for each affected target not proposed yet; returns how many were new."""
    if not report.triggers:
        raise EvacuationRefused(_("Nothing has burned this person: there is nothing to propose."))
    made = 0
    now = _now()
    for entry in report.affected:
        if BurnProposal.objects.filter(case=case, kind=entry.kind, target=entry.target).exists():
            continue
        try:
            with transaction.atomic():
                task = tasks.add_task(
                    actor=actor,
                    user_private_key=user_private_key,
                    case=case,
                    title=_title(entry),
                    assignee=actor,
                    due_at=now + DUE_IN[WarningKind(entry.kind)],
                )
                BurnProposal.objects.create(
                    id=uuid.uuid4(),
                    case=case,
                    kind=entry.kind,
                    target=entry.target,
                    task=task,
                    created_at=now,
                )
        except IntegrityError:
            continue  # another request proposed it at the same moment
        made += 1
    record_event(
        action="evacuation.burn_tasks_proposed",
        actor_id=actor.pk,
        target_type="case",
        target_id=case.pk,
        data={"count": made, "triggers": report.triggers},
    )
    return made
