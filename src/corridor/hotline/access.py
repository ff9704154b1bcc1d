"""How views obtain threads: operators and coordinators who hold the hotline key; 404 for a missing thread.

Coordinators supervise the operators and hold the same keys, so they may do on a
thread whatever an operator may (read, reply, note, status, urgency, assignment,
intake): a narrower rule for them would be enforced by pages only, not by keys.
Threads are still assigned to operators only.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db.models import QuerySet
from django.http import Http404

from corridor.accounts import keyring
from corridor.accounts.models import OrgKeyKind, Role, User
from corridor.hotline.models import OPEN_STATUSES, Thread

# The roles whose pages are the hotline's; each also needs the hotline key to see any thread.
HOTLINE_ROLES = (Role.OPERATOR, Role.COORDINATOR)


def has_hotline_role(user: User) -> bool:
    return any(user.has_role(role) for role in HOTLINE_ROLES)


def can_use_hotline(user: User) -> bool:
    """Operators and coordinators holding the hotline key; everyone else sees nothing of the hotline."""
    return has_hotline_role(user) and OrgKeyKind.HOTLINE.value in keyring.held_kinds(user)


def inbox_threads(user: User, *, include_closed: bool = False) -> QuerySet[Thread]:
    """Most urgent first, then longest waiting."""
    if not can_use_hotline(user):
        return Thread.objects.none()
    qs = Thread.objects.select_related("assigned_to")
    if not include_closed:
        qs = qs.filter(status__in=OPEN_STATUSES)
    return qs.order_by("urgency", "last_applicant_at", "pk")


def get_thread_for_staff(user: User, thread_id: uuid.UUID) -> Thread:
    thread = Thread.objects.filter(pk=thread_id).first() if can_use_hotline(user) else None
    if thread is None:
        raise Http404
    return thread


def thread_codes_by_id(ids: Iterable[uuid.UUID | str]) -> dict[str, str]:
    """Short codes for pages that would otherwise show thread ids (the audit log); nothing decrypted.

    A code is random and says nothing about the person, so it is shown to whoever may
    see the id it stands for.
    """
    wanted = set()
    for value in ids:
        try:
            wanted.add(uuid.UUID(str(value)))
        except ValueError:
            continue
    return {str(pk): code for pk, code in Thread.objects.filter(pk__in=wanted).values_list("pk", "code")}


def thread_id_for_code(code: str) -> uuid.UUID | None:
    """The id of the thread with this code, typed in any case."""
    return Thread.objects.filter(code=code.strip().upper()).values_list("pk", flat=True).first()
