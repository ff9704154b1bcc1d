"""Cases with check-ins, built through the services as staff build them."""

from __future__ import annotations

from dataclasses import dataclass

from corridor.accounts.models import User
from corridor.cases import grants, services
from corridor.cases.models import Case
from corridor.evacuation.checkins import services as checkins
from corridor.evacuation.checkins.models import CheckInSchedule
from corridor.hotline import services as hotline
from tests.hotline.helpers import open_web_thread, private_key


@dataclass
class Person:
    case: Case
    codename: str


def case_with_thread(olga: User, alice: User, *, coordinator: User | None = None) -> Person:
    """A case opened from a web request, alice its caseworker (and the coordinator granted, if given)."""
    created = open_web_thread("They are looking for me.")
    new = services.open_case_from_thread(
        actor=olga, user_private_key=private_key(olga), thread=created.thread, caseworker=alice
    )
    case = Case.objects.select_related("key").get(pk=new.case.pk)
    if coordinator is not None:
        grants.grant_case_access(
            actor=alice, user_private_key=private_key(alice), case=case, grantee=coordinator
        )
    return Person(
        case=Case.objects.select_related("key", "caseworker").get(pk=case.pk), codename=created.codename
    )


def start(
    case: Case, actor: User, *, interval: int | None = None, grace: int | None = None
) -> CheckInSchedule:
    return checkins.set_schedule(
        actor=actor, case=case, interval_minutes=interval, grace_minutes=grace, active=True
    )


def person_checks_in(codename: str, answer: str, text: str = "") -> None:
    access = hotline.find_thread_by_codename(codename)
    assert access is not None
    checkins.record_person_check_in(
        thread=access.thread, applicant_private=access.private_key, answer=answer, text=text
    )
