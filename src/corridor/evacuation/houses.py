"""Safe houses: their key, their sealed details, who holds them, and the occupancy board.

A house's address, contacts and notes are sealed under a data key of its own (purpose
"house"), never under a case key: placing a person in a house must not hand the address
to everyone who reads that person's case. The house key is sealed to the recovery key
and to the staff members a coordinator grants it to, through `corridor.cases.keys`
(certified public keys only). Every opening is audited.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from corridor.accounts.models import Role, User
from corridor.audit.services import record_event
from corridor.cases import keys as data_keys
from corridor.cases.models import DataKey, WrapRecipient
from corridor.crypto.envelope import generate_key
from corridor.evacuation.models import HOUSE_KEY_PURPOSE, Placement, SafeHouse
from corridor.hotline import keys as thread_keys
from corridor.hotline.triage import REGIONS

MAX_CAPACITY = 200
MAX_DETAIL = 4_000
_CODE_NAME = re.compile(r"^[\w\- ]{2,40}$")
HOUSE_REGIONS = [(code, label) for code, label in REGIONS if code and code != "XX"]


class EvacuationRefused(ValueError):
    """The request is not allowed or not valid; the message says why, in the user's language."""


def _now() -> datetime:
    return datetime.now(UTC)


def clean_line(text: str, *, limit: int = MAX_DETAIL, multiline: bool = True) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    allowed = "\n\t" if multiline else ""
    if any((ord(ch) < 32 and ch not in allowed) or ord(ch) == 127 for ch in text):
        raise EvacuationRefused(_("The text contains characters that cannot be accepted."))
    if len(text) > limit:
        raise EvacuationRefused(_("The text is too long (at most %(n)d characters).") % {"n": limit})
    return text


@dataclass(frozen=True)
class HouseDetails:
    address: str = ""
    contacts: str = ""
    notes: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"address": self.address, "contacts": self.contacts, "notes": self.notes}

    @classmethod
    def from_dict(cls, value: dict[str, object]) -> HouseDetails:
        return cls(**{name: str(value.get(name, "")) for name in ("address", "contacts", "notes")})

    def cleaned(self) -> HouseDetails:
        return HouseDetails(
            address=clean_line(self.address), contacts=clean_line(self.contacts), notes=clean_line(self.notes)
        )


def _context(house: SafeHouse) -> dict[str, str]:
    # The code name is bound: swapping two houses' envelopes or renaming a row fails to open.
    return {"code_name": house.code_name}


def seal_details(key: bytes, version: int, house: SafeHouse, details: HouseDetails) -> bytes:
    return thread_keys.seal_json(
        key,
        details.as_dict(),
        model=house._meta.label,
        row=str(house.pk),
        field="details",
        version=version,
        context=_context(house),
    )


def open_details(key: bytes, house: SafeHouse) -> HouseDetails:
    value = thread_keys.open_json(
        key,
        bytes(house.details),
        model=house._meta.label,
        row=str(house.pk),
        field="details",
        context=_context(house),
    )
    return HouseDetails.from_dict(value)


def may_manage_houses(user: User) -> bool:
    return user.has_role(Role.COORDINATOR)


def holds_house_key(user: User, house: SafeHouse) -> bool:
    return data_keys.user_wrap(house.key, user) is not None


def open_house_key(*, user: User, user_private_key: bytes, house: SafeHouse, purpose: str) -> bytes:
    """The house key through this person's own wrap (never the hotline key); audited."""
    wrap = data_keys.user_wrap(house.key, user)
    if wrap is None:
        raise data_keys.KeyLocked("no wrap of this house key")
    key = data_keys.StaffOpener(user=user, user_private_key=user_private_key).open(house.key)
    record_event(
        action="evacuation.house_decrypted",
        actor_id=user.pk,
        target_type="safe_house",
        target_id=house.pk,
        data={"purpose": purpose},
    )
    return key


def read_details(*, user: User, user_private_key: bytes, house: SafeHouse) -> HouseDetails:
    key = open_house_key(user=user, user_private_key=user_private_key, house=house, purpose="read")
    return open_details(key, house)


def _check_plain(code_name: str, region: str, capacity: int) -> str:
    code_name = (code_name or "").strip()
    if not _CODE_NAME.match(code_name):
        raise EvacuationRefused(
            _("A code name is 2 to 40 letters, digits, spaces or dashes (never the street or the town).")
        )
    if region not in dict(HOUSE_REGIONS):
        raise EvacuationRefused(_("Choose the region from the list."))
    if not 1 <= capacity <= MAX_CAPACITY:
        raise EvacuationRefused(_("Capacity is a number of people from 1 to %(n)d.") % {"n": MAX_CAPACITY})
    return code_name


@transaction.atomic
def create_house(
    *, actor: User, code_name: str, region: str, capacity: int, details: HouseDetails
) -> SafeHouse:
    """A new house: its key sealed to recovery and to the coordinator who adds it."""
    if not may_manage_houses(actor):
        raise EvacuationRefused(_("Only coordinators manage safe houses."))
    code_name = _check_plain(code_name, region, capacity)
    details = details.cleaned()
    if SafeHouse.objects.filter(code_name__iexact=code_name).exists():
        raise EvacuationRefused(_("Another house already has this code name."))
    house_id = uuid.uuid4()
    key_row, key = data_keys.new_data_key(owner=f"house:{house_id}", purpose=HOUSE_KEY_PURPOSE)
    house = SafeHouse(
        id=house_id,
        code_name=code_name,
        region=region,
        capacity=capacity,
        key=key_row,
        created_by=actor,
        created_at=_now(),
    )
    house.details = seal_details(key, key_row.version, house, details)
    try:
        with transaction.atomic():
            house.save(force_insert=True)
    except IntegrityError:
        raise EvacuationRefused(_("Another house already has this code name.")) from None
    data_keys.seal_to_org(key_row, key, [WrapRecipient.RECOVERY])
    data_keys.seal_to_user(key_row, key, actor, granted_by=actor)
    record_event(
        action="evacuation.house_created",
        actor_id=actor.pk,
        target_type="safe_house",
        target_id=house.pk,
        data={"region": region, "capacity": capacity},
    )
    return house


@transaction.atomic
def update_house(
    *,
    actor: User,
    user_private_key: bytes,
    house: SafeHouse,
    capacity: int,
    details: HouseDetails,
) -> SafeHouse:
    """New capacity and details; only a holder of the house key can seal them."""
    if not may_manage_houses(actor):
        raise EvacuationRefused(_("Only coordinators manage safe houses."))
    _check_plain(house.code_name, house.region, capacity)
    details = details.cleaned()
    house = SafeHouse.objects.select_for_update(of=("self",)).select_related("key").get(pk=house.pk)
    key = open_house_key(user=actor, user_private_key=user_private_key, house=house, purpose="update")
    house.capacity = capacity
    house.details = seal_details(key, house.key.version, house, details)
    house.save(update_fields=["capacity", "details"])
    record_event(
        action="evacuation.house_updated",
        actor_id=actor.pk,
        target_type="safe_house",
        target_id=house.pk,
        data={"capacity": capacity},
    )
    return house


def may_hold_house_key(user: User) -> bool:
    return user.is_active and any(
        user.has_role(r) for r in (Role.CASEWORKER, Role.COORDINATOR, Role.OPERATOR)
    )


@transaction.atomic
def grant_house_access(*, actor: User, user_private_key: bytes, house: SafeHouse, grantee: User) -> bool:
    """Seal the house key to a colleague who needs the address; False if they hold it already."""
    if not may_manage_houses(actor):
        raise EvacuationRefused(_("Only coordinators manage safe houses."))
    if not may_hold_house_key(grantee):
        raise EvacuationRefused(_("This person's role does not work on evacuations."))
    if holds_house_key(grantee, house):
        return False
    key = open_house_key(user=actor, user_private_key=user_private_key, house=house, purpose="grant")
    try:
        data_keys.seal_to_user(house.key, key, grantee, granted_by=actor)
    except data_keys.GrantRefused as exc:
        raise EvacuationRefused(_("This account cannot be given keys.")) from exc
    record_event(
        action="evacuation.house_access_granted",
        actor_id=actor.pk,
        target_type="safe_house",
        target_id=house.pk,
        data={"user": str(grantee.pk)},
    )
    return True


@transaction.atomic
def revoke_house_access(*, actor: User, user_private_key: bytes, house: SafeHouse, holder: User) -> None:
    """Delete a colleague's wrap and re-key the house, so a copy of the old wrap opens nothing."""
    if not may_manage_houses(actor):
        raise EvacuationRefused(_("Only coordinators manage safe houses."))
    if holder == actor:
        raise EvacuationRefused(_("You cannot take the house key from yourself."))
    if not holds_house_key(holder, house):
        raise EvacuationRefused(_("This person does not hold the house key."))
    house = SafeHouse.objects.select_for_update(of=("self",)).select_related("key").get(pk=house.pk)
    old = open_house_key(user=actor, user_private_key=user_private_key, house=house, purpose="revoke")
    details = open_details(old, house)
    data_keys.revoke_user_wrap(house.key, holder)
    new = generate_key()
    version = data_keys.replace_key(house.key, new, actor=actor)
    house.details = seal_details(new, version, house, details)
    house.save(update_fields=["details"])
    record_event(
        action="evacuation.house_access_revoked",
        actor_id=actor.pk,
        target_type="safe_house",
        target_id=house.pk,
        data={"user": str(holder.pk), "version": version},
    )


@transaction.atomic
def mark_compromised(*, actor: User, house: SafeHouse) -> SafeHouse:
    """The house is burned: it takes no new placements (whoever lives there must be moved)."""
    if not may_manage_houses(actor):
        raise EvacuationRefused(_("Only coordinators manage safe houses."))
    house = SafeHouse.objects.select_for_update(of=("self",)).get(pk=house.pk)
    if house.compromised_at is not None:
        raise EvacuationRefused(_("This house is already marked compromised."))
    house.compromised_at, house.compromised_by = _now(), actor
    house.save(update_fields=["compromised_at", "compromised_by"])
    record_event(
        action="evacuation.house_compromised",
        actor_id=actor.pk,
        target_type="safe_house",
        target_id=house.pk,
    )
    return house


def house_holders(house: SafeHouse) -> list[User]:
    return data_keys.user_holders(house.key)


@dataclass(frozen=True)
class BoardRow:
    house: SafeHouse
    occupied: int

    @property
    def free(self) -> int:
        return max(self.house.capacity - self.occupied, 0)

    @property
    def full(self) -> bool:
        return self.occupied >= self.house.capacity


def occupancy_board(*, at: datetime | None = None) -> list[BoardRow]:
    """Every house with the people in it now: plain columns only, nothing is decrypted."""
    at = at or _now()
    current = Q(placements__starts_at__lte=at) & (
        Q(placements__ends_at__isnull=True) | Q(placements__ends_at__gt=at)
    )
    houses = (
        SafeHouse.objects.defer("details")
        .annotate(occupied=Count("placements", filter=current))
        .order_by("compromised_at", "region", "code_name")
    )
    return [BoardRow(house=house, occupied=house.occupied) for house in houses]


def open_houses() -> list[SafeHouse]:
    """Houses that take placements, for the place form."""
    return list(SafeHouse.objects.filter(compromised_at__isnull=True).defer("details").order_by("code_name"))


def people_in(house: SafeHouse, *, at: datetime | None = None) -> int:
    at = at or _now()
    return (
        Placement.objects.filter(house=house, starts_at__lte=at)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=at))
        .count()
    )


def get_data_key(house: SafeHouse) -> DataKey:
    return DataKey.objects.get(pk=house.key_id)
