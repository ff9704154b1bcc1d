"""The only way a view obtains a case: by holding a wrap of its key.

A case is "yours" when its key is sealed to you (a grant), or, while nobody has been
assigned, when it is still sealed to the hotline key and you hold that key. Anything
else is a 404, the same as a case that does not exist. Administrators and auditors read
no case; documenters get what the documentation app gives them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404

from corridor.accounts import keyring
from corridor.accounts.models import OrgKeyKind, Role, User
from corridor.cases.models import Case, DataKeyWrap, KeyPurpose, Stage, WrapRecipient

CASE_ROLES = (Role.OPERATOR, Role.CASEWORKER, Role.COORDINATOR)
OPEN_ROLES = (Role.CASEWORKER, Role.COORDINATOR)  # may open a case directly


def can_use_cases(user: User) -> bool:
    return any(user.has_role(role) for role in CASE_ROLES)


def is_coordinator(user: User) -> bool:
    return user.has_role(Role.COORDINATOR)


def _own_keys(user: User) -> QuerySet[DataKeyWrap, Any]:
    """Ids of the case keys sealed to this person (the current version)."""
    return DataKeyWrap.objects.filter(user=user, purpose=KeyPurpose.CASE, version=F("key__version")).values(
        "key_id"
    )


def _readable(user: User) -> Q:
    # Starting from the person's wraps (an index) rather than asking of every case whether
    # a wrap exists: the lists stay fast with a hundred thousand cases.
    query = Q(key_id__in=_own_keys(user))
    if OrgKeyKind.HOTLINE in keyring.held_kinds(user):
        hotline = DataKeyWrap.objects.filter(
            recipient=WrapRecipient.HOTLINE, purpose=KeyPurpose.CASE, version=F("key__version")
        ).values("key_id")
        query |= Q(key_id__in=hotline)
    return query


def readable_cases(user: User) -> QuerySet[Case]:
    """Cases whose key this person can open."""
    if not can_use_cases(user):
        return Case.objects.none()
    return Case.objects.filter(_readable(user)).select_related("key", "caseworker", "thread")


def get_case_for_staff(user: User, case_id: uuid.UUID) -> Case:
    case = readable_cases(user).filter(pk=case_id).first()
    if case is None:
        raise Http404
    return case


def my_cases(user: User, *, include_closed: bool = False) -> QuerySet[Case]:
    """The cases granted to this person by name (not those readable through the hotline key)."""
    if not can_use_cases(user):
        return Case.objects.none()
    qs = Case.objects.filter(key_id__in=_own_keys(user)).select_related("caseworker").defer("profile")
    if not include_closed:
        qs = qs.exclude(stage=Stage.CLOSED)
    return qs.order_by("urgency", "response_due_at", "code")


@dataclass(frozen=True)
class Card:
    """What anyone who works on cases may see of any case: never its content."""

    id: str
    code: str
    stage: str
    stage_label: str
    region: str
    caseworker: str
    readable: bool


def cards(cases: Iterable[Case], *, readable_ids: set[str]) -> list[Card]:
    return [
        Card(
            id=str(case.pk),
            code=case.code,
            stage=case.stage,
            stage_label=str(Stage(case.stage).label),
            region=case.region,
            caseworker=case.caseworker.username if case.caseworker else "",
            readable=str(case.pk) in readable_ids,
        )
        for case in cases
    ]


def readable_ids(user: User, case_ids: Iterable[uuid.UUID | str]) -> set[str]:
    ids = list(case_ids)
    if not ids:
        return set()
    return {str(pk) for pk in readable_cases(user).filter(pk__in=ids).values_list("pk", flat=True)}


def case_by_code(code: str) -> Case | None:
    return Case.objects.select_related("caseworker").filter(code=code.strip().upper()).first()


def stage_counts() -> dict[str, int]:
    """The pipeline board's numbers: plain columns only, nothing is decrypted."""
    # Counting a column of the board's index lets the database count from the index alone.
    rows = Case.objects.values("stage").annotate(n=Count("stage")).order_by()
    counts = dict.fromkeys(Stage.values, 0)
    counts.update({row["stage"]: row["n"] for row in rows})
    return counts


def cases_in_stage(stage: str) -> QuerySet[Case]:
    return (
        Case.objects.filter(stage=stage)
        .select_related("caseworker")
        .defer("profile")
        .order_by("urgency", "stage_changed_at", "code")
    )
