"""Building evacuation data through Corridor's own services."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from corridor.accounts.models import User
from corridor.cases import grants, services
from corridor.cases.models import Case
from corridor.evacuation import houses
from corridor.evacuation.models import Movement, SafeHouse
from corridor.evacuation.services import LegDetails, plan_movement
from tests.hotline.helpers import open_web_thread, private_key

ADDRESS = "ул. Садовая 12, кв. 4"


def open_case(olga: User, caseworker: User, *, also: tuple[User, ...] = ()) -> Case:
    """A case opened from a web request, assigned to `caseworker` (and granted to `also`)."""
    thread = open_web_thread("help").thread
    new = services.open_case_from_thread(
        actor=olga, user_private_key=private_key(olga), thread=thread, caseworker=caseworker
    )
    case = Case.objects.select_related("key").get(pk=new.case.pk)
    for grantee in also:
        grants.grant_case_access(
            actor=caseworker, user_private_key=private_key(caseworker), case=case, grantee=grantee
        )
    return case


def make_house(
    carol: User, code_name: str = "Birch", *, capacity: int = 2, region: str = "RU-MOW"
) -> SafeHouse:
    return houses.create_house(
        actor=carol,
        code_name=code_name,
        region=region,
        capacity=capacity,
        details=houses.HouseDetails(
            address=ADDRESS, contacts="Марина +7 900 000-00-00", notes="key under mat"
        ),
    )


def soon(hours: float = 1) -> datetime:
    return datetime.now(UTC) + timedelta(hours=hours)


def plan_leg(
    actor: User, case: Case, *, escort: User | None = None, details: LegDetails | None = None
) -> Movement:
    return plan_movement(
        actor=actor,
        user_private_key=private_key(actor),
        case=case,
        origin_region="RU-CE",
        destination_region="RU-MOW",
        mode="bus",
        planned_departure_at=soon(2),
        planned_arrival_at=soon(30),
        details=details
        or LegDetails(origin_place="Grozny bus station", destination_place="Moscow, Kotelniki"),
        escort=escort,
    )
