"""Writes on a person's evacuation: placements, movements, exposures and seized phones.

Free text about the person (where they go, how, what they were told) is sealed under their
case key through `corridor.cases.sealing`; the case key is opened (and audited) only when
there is text to seal. Every disclosure Corridor makes itself (a house, an escort's
identity, the leg a person travels) is recorded as an exposure in the same transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from corridor.accounts.models import Role, User
from corridor.audit.services import record_event
from corridor.cases import access, sealing
from corridor.cases.models import Case, Stage
from corridor.cases.services import open_case_key
from corridor.evacuation.houses import EvacuationRefused, clean_line
from corridor.evacuation.models import (
    AssetKind,
    Exposure,
    ExposureSource,
    Movement,
    MovementStatus,
    PhoneSeizure,
    Placement,
    SafeHouse,
    TravelMode,
)
from corridor.hotline.triage import REGIONS

MAX_LEG = timedelta(days=14)
MOVEMENT_REGIONS = [(code, label) for code, label in REGIONS if code]
# Which status a leg may go to from each status.
NEXT_STATUS: dict[str, tuple[str, ...]] = {
    MovementStatus.PLANNED: (MovementStatus.UNDER_WAY, MovementStatus.ABORTED),
    MovementStatus.UNDER_WAY: (MovementStatus.ARRIVED, MovementStatus.ABORTED),
    MovementStatus.ARRIVED: (),
    MovementStatus.ABORTED: (),
}
CLOSED_STAGES = (Stage.CLOSED,)


def _now() -> datetime:
    return datetime.now(UTC)


def _check_writable(actor: User, case: Case) -> None:
    if not any(actor.has_role(role) for role in (Role.CASEWORKER, Role.COORDINATOR)):
        raise EvacuationRefused(_("Only caseworkers and coordinators plan evacuations."))
    if case.stage in CLOSED_STAGES:
        raise EvacuationRefused(_("The case is closed: reopen it first."))


def _aware(value: datetime) -> None:
    if value.tzinfo is None:
        raise EvacuationRefused(_("Give dates and times with their time zone."))


def _record(actor: User | None, action: str, case: Case, data: dict[str, Any]) -> None:
    record_event(
        action=action,
        actor_id=actor.pk if actor else None,
        target_type="case",
        target_id=case.pk,
        data=data,
    )


# --- exposures ------------------------------------------------------------------------


def _expose(
    *,
    case: Case,
    kind: str,
    source: str,
    actor: User | None,
    at: datetime,
    house: SafeHouse | None = None,
    movement: Movement | None = None,
    staff: User | None = None,
) -> Exposure | None:
    """Record what Corridor itself disclosed, once per asset (a repeat is not a new disclosure)."""
    asset: dict[str, Any] = {"house": house, "movement": movement, "staff": staff}
    if Exposure.objects.filter(case=case, kind=kind, **asset).exclude(source=ExposureSource.MANUAL).exists():
        return None
    try:
        with transaction.atomic():
            exposure = Exposure.objects.create(
                case=case, kind=kind, source=source, disclosed_at=at, recorded_by=actor, **asset
            )
    except IntegrityError:
        return None  # the same disclosure recorded at the same moment by another request
    _record(actor, "evacuation.exposure_recorded", case, {"exposure": str(exposure.pk), "kind": kind})
    return exposure


@transaction.atomic
def record_exposure(
    *,
    actor: User,
    user_private_key: bytes,
    case: Case,
    kind: str,
    house: SafeHouse | None = None,
    movement: Movement | None = None,
    staff: User | None = None,
    other_case: Case | None = None,
    disclosed_at: datetime,
    note: str = "",
) -> Exposure:
    """Record by hand that the person of `case` was told of a house, a leg, a staff member or a person."""
    _check_writable(actor, case)
    _aware(disclosed_at)
    if disclosed_at > _now() + timedelta(minutes=5):
        raise EvacuationRefused(_("A disclosure cannot be in the future."))
    note = clean_line(note)
    assets: dict[str, SafeHouse | Movement | User | Case | None] = {
        AssetKind.HOUSE: house,
        AssetKind.MOVEMENT: movement,
        AssetKind.STAFF: staff,
        AssetKind.CASE: other_case,
    }
    if kind not in assets or assets[kind] is None:
        raise EvacuationRefused(_("Say what was disclosed: a house, a staff member or another person."))
    if other_case is not None and other_case.pk == case.pk:
        raise EvacuationRefused(_("A person's own case is not a disclosure."))
    exposure = Exposure(
        id=uuid.uuid4(),
        case=case,
        kind=kind,
        house=house if kind == AssetKind.HOUSE else None,
        movement=movement if kind == AssetKind.MOVEMENT else None,
        staff=staff if kind == AssetKind.STAFF else None,
        other_case=other_case if kind == AssetKind.CASE else None,
        source=ExposureSource.MANUAL,
        disclosed_at=disclosed_at,
        recorded_by=actor,
    )
    if note:
        key = open_case_key(user=actor, user_private_key=user_private_key, case=case, purpose="exposure")
        exposure.note = sealing.seal_text(key, case.key.version, exposure, "note", note)
    exposure.save(force_insert=True)
    _record(actor, "evacuation.exposure_recorded", case, {"exposure": str(exposure.pk), "kind": kind})
    return exposure


# --- placements -----------------------------------------------------------------------


def _overlapping(starts_at: datetime, ends_at: datetime | None) -> Q:
    query = Q(ends_at__isnull=True) | Q(ends_at__gt=starts_at)
    if ends_at is not None:
        query &= Q(starts_at__lt=ends_at)
    return query


@transaction.atomic
def place_in_house(
    *,
    actor: User,
    user_private_key: bytes,
    case: Case,
    house: SafeHouse,
    starts_at: datetime,
    ends_at: datetime | None = None,
    note: str = "",
) -> Placement:
    """House the person; refused past capacity, in a compromised house, or overlapping another stay.

    The house row is locked first, so two placements racing for the last bed are counted
    one after the other: the second sees the first and is refused.
    """
    _check_writable(actor, case)
    _aware(starts_at)
    if ends_at is not None:
        _aware(ends_at)
        if ends_at <= starts_at:
            raise EvacuationRefused(_("The stay must end after it starts."))
    note = clean_line(note)
    house = SafeHouse.objects.select_for_update().defer("details").get(pk=house.pk)
    if house.compromised_at is not None:
        raise EvacuationRefused(_("This house is compromised: it takes no one."))
    overlapping = Placement.objects.filter(_overlapping(starts_at, ends_at))
    if overlapping.filter(case=case).exists():
        raise EvacuationRefused(_("The person already has a stay at that time: end it first."))
    if overlapping.filter(house=house).count() >= house.capacity:
        raise EvacuationRefused(_("The house is full at that time."))
    now = _now()
    placement = Placement(
        id=uuid.uuid4(),
        case=case,
        house=house,
        starts_at=starts_at,
        ends_at=ends_at,
        placed_by=actor,
        created_at=now,
    )
    if note:
        key = open_case_key(user=actor, user_private_key=user_private_key, case=case, purpose="placement")
        placement.note = sealing.seal_text(key, case.key.version, placement, "note", note)
    placement.save(force_insert=True)
    _record(actor, "evacuation.placed", case, {"placement": str(placement.pk), "house": str(house.pk)})
    _expose(
        case=case, kind=AssetKind.HOUSE, source=ExposureSource.PLACEMENT, actor=actor, at=now, house=house
    )
    return placement


@transaction.atomic
def end_placement(*, actor: User, placement: Placement, ends_at: datetime | None = None) -> Placement:
    """The person has left the house (now, or at the time given)."""
    case = placement.case
    _check_writable(actor, case)
    ends_at = ends_at or _now()
    _aware(ends_at)
    placement = Placement.objects.select_for_update().get(pk=placement.pk)
    if placement.ends_at is not None and placement.ends_at <= _now():
        raise EvacuationRefused(_("This stay has already ended."))
    if ends_at <= placement.starts_at:
        raise EvacuationRefused(_("The stay must end after it starts."))
    placement.ends_at = ends_at
    placement.save(update_fields=["ends_at"])
    _record(actor, "evacuation.placement_ended", case, {"placement": str(placement.pk)})
    return placement


def current_placement(case: Case, *, at: datetime | None = None) -> Placement | None:
    at = at or _now()
    return (
        Placement.objects.filter(case=case, starts_at__lte=at)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=at))
        .select_related("house")
        .defer("house__details")
        .first()
    )


# --- movements ------------------------------------------------------------------------


@dataclass(frozen=True)
class LegDetails:
    """What a leg says about the person's whereabouts: sealed under the case key."""

    origin_place: str = ""
    destination_place: str = ""
    route: str = ""
    escort_name: str = ""
    notes: str = ""
    departed_at: str = ""
    arrived_at: str = ""

    def as_dict(self) -> dict[str, str]:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, value: dict[str, Any]) -> LegDetails:
        return cls(**{name: str(value.get(name, "")) for name in cls.__dataclass_fields__})

    def cleaned(self) -> LegDetails:
        return LegDetails(
            origin_place=clean_line(self.origin_place, limit=300, multiline=False),
            destination_place=clean_line(self.destination_place, limit=300, multiline=False),
            route=clean_line(self.route),
            escort_name=clean_line(self.escort_name, limit=80, multiline=False),
            notes=clean_line(self.notes),
            departed_at=self.departed_at,
            arrived_at=self.arrived_at,
        )


def read_leg(key: bytes, movement: Movement) -> LegDetails:
    return LegDetails.from_dict(sealing.open_row(key, movement, "details"))


def _may_escort(user: User) -> bool:
    return user.is_active and any(user.has_role(r) for r in (Role.CASEWORKER, Role.COORDINATOR))


@transaction.atomic
def plan_movement(
    *,
    actor: User,
    user_private_key: bytes,
    case: Case,
    origin_region: str,
    destination_region: str,
    mode: str,
    planned_departure_at: datetime,
    planned_arrival_at: datetime,
    details: LegDetails,
    escort: User | None = None,
) -> Movement:
    """A new leg; naming a staff escort discloses them to the person (recorded as an exposure)."""
    _check_writable(actor, case)
    regions = dict(MOVEMENT_REGIONS)
    if origin_region not in regions or destination_region not in regions:
        raise EvacuationRefused(_("Choose the regions from the list."))
    if mode not in TravelMode.values:
        raise EvacuationRefused(_("Choose how the person travels."))
    _aware(planned_departure_at)
    _aware(planned_arrival_at)
    if planned_arrival_at < planned_departure_at:
        raise EvacuationRefused(_("The arrival cannot be before the departure."))
    if planned_arrival_at - planned_departure_at > MAX_LEG:
        raise EvacuationRefused(_("A leg lasts at most two weeks: split the journey."))
    details = details.cleaned()
    if escort is not None and details.escort_name:
        raise EvacuationRefused(_("Name either a staff escort or an external one, not both."))
    if escort is not None and not _may_escort(escort):
        raise EvacuationRefused(_("This person cannot escort."))
    now = _now()
    movement = Movement(
        id=uuid.uuid4(),
        case=case,
        origin_region=origin_region,
        destination_region=destination_region,
        mode=mode,
        planned_departure_at=planned_departure_at,
        planned_arrival_at=planned_arrival_at,
        status_changed_at=now,
        escort=escort,
        planned_by=actor,
        created_at=now,
    )
    key = open_case_key(user=actor, user_private_key=user_private_key, case=case, purpose="movement")
    movement.details = sealing.seal_row(key, case.key.version, movement, "details", details.as_dict())
    movement.save(force_insert=True)
    _record(actor, "evacuation.movement_planned", case, {"movement": str(movement.pk), "mode": mode})
    _expose(
        case=case,
        kind=AssetKind.MOVEMENT,
        source=ExposureSource.MOVEMENT,
        actor=actor,
        at=now,
        movement=movement,
    )
    if escort is not None:
        _expose(
            case=case, kind=AssetKind.STAFF, source=ExposureSource.ESCORT, actor=actor, at=now, staff=escort
        )
    return movement


@transaction.atomic
def change_movement_status(
    *, actor: User, user_private_key: bytes, movement: Movement, status: str
) -> Movement:
    """Under way, arrived or aborted; the actual time goes into the sealed details."""
    movement = (
        Movement.objects.select_for_update(of=("self",)).select_related("case__key").get(pk=movement.pk)
    )
    case = movement.case
    _check_writable(actor, case)
    if status not in NEXT_STATUS.get(movement.status, ()):
        raise EvacuationRefused(_("The leg cannot go to this status from where it is."))
    now = _now()
    key = open_case_key(user=actor, user_private_key=user_private_key, case=case, purpose="movement")
    details = read_leg(key, movement)
    if status == MovementStatus.UNDER_WAY:
        details = LegDetails(**{**details.as_dict(), "departed_at": now.isoformat()})
    elif status == MovementStatus.ARRIVED:
        details = LegDetails(**{**details.as_dict(), "arrived_at": now.isoformat()})
    movement.status, movement.status_changed_at = status, now
    movement.details = sealing.seal_row(key, case.key.version, movement, "details", details.as_dict())
    movement.save(update_fields=["status", "status_changed_at", "details"])
    _record(actor, "evacuation.movement_status", case, {"movement": str(movement.pk), "status": status})
    return movement


def movements_of(case: Case) -> list[Movement]:
    return list(Movement.objects.filter(case=case).select_related("escort").order_by("planned_departure_at"))


# --- seized phones --------------------------------------------------------------------


@transaction.atomic
def report_phone_seized(*, actor: User, user_private_key: bytes, case: Case, note: str = "") -> PhoneSeizure:
    """The person's phone is in hostile hands: a burn trigger until cleared."""
    if not any(actor.has_role(role) for role in access.CASE_ROLES):
        raise EvacuationRefused(_("Only staff who work on cases can report this."))
    note = clean_line(note)
    if PhoneSeizure.objects.filter(case=case, cleared_at__isnull=True).exists():
        raise EvacuationRefused(_("A seized phone is already reported for this person."))
    seizure = PhoneSeizure(id=uuid.uuid4(), case=case, reported_at=_now(), reported_by=actor)
    if note:
        key = open_case_key(user=actor, user_private_key=user_private_key, case=case, purpose="phone_seized")
        seizure.note = sealing.seal_text(key, case.key.version, seizure, "note", note)
    seizure.save(force_insert=True)
    _record(actor, "evacuation.phone_seized", case, {"report": str(seizure.pk)})
    return seizure


@transaction.atomic
def clear_phone_seizure(*, actor: User, case: Case) -> PhoneSeizure:
    """A coordinator's decision that the seized phone no longer burns the person (the record stays)."""
    if not actor.has_role(Role.COORDINATOR):
        raise EvacuationRefused(_("Only a coordinator can decide that a seized phone is dealt with."))
    seizure = (
        PhoneSeizure.objects.select_for_update()
        .filter(case=case, cleared_at__isnull=True)
        .order_by("reported_at")
        .first()
    )
    if seizure is None:
        raise EvacuationRefused(_("No seized phone is waiting for a decision."))
    seizure.cleared_at = _now()
    seizure.save(update_fields=["cleared_at"])
    _record(actor, "evacuation.phone_cleared", case, {"report": str(seizure.pk)})
    return seizure
