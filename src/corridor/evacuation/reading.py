"""What the case page's evacuation panel and the case's evacuation page show, opened with a case key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from corridor.accounts.models import User
from corridor.cases import sealing
from corridor.cases.models import Case
from corridor.cases.panels import PanelContext
from corridor.evacuation import burn
from corridor.evacuation.forms import MovementForm, PhoneSeizedForm, PlaceForm
from corridor.evacuation.houses import open_houses
from corridor.evacuation.models import Exposure, Movement, MovementStatus, PhoneSeizure, Placement
from corridor.evacuation.services import NEXT_STATUS, LegDetails, read_leg
from corridor.hotline import receipts
from corridor.web.templatetags.corridor import region_name


@dataclass(frozen=True)
class PlacementRow:
    placement: Placement
    note: str
    current: bool


@dataclass(frozen=True)
class MovementRow:
    movement: Movement
    details: LegDetails
    next_statuses: list[tuple[str, str]]


@dataclass(frozen=True)
class ExposureRow:
    exposure: Exposure
    note: str


@dataclass
class CaseEvacuation:
    case: Case
    placements: list[PlacementRow]
    movements: list[MovementRow]
    exposures: list[ExposureRow]
    triggers: list[str]
    seized: bool
    writable: bool


def _status_choices(status: str) -> list[tuple[str, str]]:
    return [(s, str(MovementStatus(s).label)) for s in NEXT_STATUS.get(status, ())]


def case_evacuation(*, user: User, case: Case, key: bytes, with_exposures: bool = False) -> CaseEvacuation:
    """The case's stays, legs (opened with `key`) and burn triggers; its exposures when asked."""
    now = datetime.now(UTC)
    placements = [
        PlacementRow(
            placement=p,
            note=sealing.open_text(key, p, "note"),
            current=p.starts_at <= now and (p.ends_at is None or p.ends_at > now),
        )
        for p in Placement.objects.filter(case=case)
        .select_related("house")
        .defer("house__details")
        .order_by("-starts_at")
    ]
    movements = [
        MovementRow(movement=m, details=read_leg(key, m), next_statuses=_status_choices(m.status))
        for m in Movement.objects.filter(case=case).select_related("escort").order_by("planned_departure_at")
    ]
    exposures = []
    if with_exposures:
        exposures = [
            ExposureRow(exposure=e, note=sealing.open_text(key, e, "note"))
            for e in Exposure.objects.filter(case=case)
            .select_related("house", "movement", "staff", "other_case")
            .defer("house__details", "movement__details", "other_case__profile")
            .order_by("-disclosed_at")
        ]
    return CaseEvacuation(
        case=case,
        placements=placements,
        movements=movements,
        exposures=exposures,
        triggers=burn.triggers(case),
        seized=PhoneSeizure.objects.filter(case=case, cleared_at__isnull=True).exists(),
        writable=case.stage != "closed",
    )


def house_choices() -> list[tuple[str, str]]:
    return [(str(h.pk), f"{h.code_name} ({region_name(h.region)})") for h in open_houses()]


def build_panel(ctx: PanelContext) -> dict[str, Any] | None:
    """The case page's evacuation section (shown to caseworkers and coordinators)."""
    if not ctx.user.has_role("caseworker") and not ctx.is_coordinator:
        return None
    view = case_evacuation(user=ctx.user, case=ctx.case, key=ctx.key)
    houses = house_choices()
    return {
        "view": view,
        "place_form": PlaceForm(houses=houses, auto_id="id_evac_place_%s"),
        "movement_form": MovementForm(auto_id="id_evac_move_%s"),
        "seized_form": PhoneSeizedForm(auto_id="id_evac_seized_%s"),
        "token": receipts.new_token(),
    }
