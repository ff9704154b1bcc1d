"""How views obtain threads: operators and coordinators who hold the hotline key; 404 for a missing thread.

Coordinators supervise the operators and hold the same keys, so they may do on a
thread whatever an operator may (read, reply, note, status, urgency, assignment,
intake): a narrower rule for them would be enforced by pages only, not by keys.
Threads are still assigned to operators only.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404

from corridor.accounts import keyring
from corridor.accounts.models import OrgKeyKind, Role, User
from corridor.hotline.models import OPEN_STATUSES, Thread, Urgency

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
    thread = (
        Thread.objects.select_related("conversation_key", "staff_key").filter(pk=thread_id).first()
        if can_use_hotline(user)
        else None
    )
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


@dataclass(frozen=True)
class Attention:
    """What in the hotline is waiting for staff now, from plain columns only (nothing is decrypted)."""

    unanswered_by_urgency: list[tuple[Urgency, int]]
    overdue_count: int
    overdue: list[Thread]
    unanswered: list[Thread]
    new_messages: int
    assigned: list[Thread]


# Only the columns the lists show: the encrypted intake stays in the database.
_LISTED = ("pk", "code", "status", "urgency", "channel", "region", "created_at", "last_applicant_at")
_LISTED_TOO = ("first_response_due_at", "first_response_at", "staff_read_at", "assigned_to__username")


def threads_needing_attention(user: User, *, now: datetime, limit: int = 10) -> Attention | None:
    """Unanswered threads by urgency, missed first-response deadlines, new messages and the user's own
    threads; None for someone who cannot use the hotline. A handful of indexed queries, whatever the size."""
    if not can_use_hotline(user):
        return None
    open_threads = Thread.objects.filter(status__in=OPEN_STATUSES)
    unanswered = open_threads.filter(first_response_at__isnull=True)
    counts = dict(unanswered.values_list("urgency").annotate(n=Count("pk")).values_list("urgency", "n"))
    overdue = unanswered.filter(first_response_due_at__lt=now)

    def listed(qs: QuerySet[Thread]) -> list[Thread]:
        chosen = qs.select_related("assigned_to").only(*_LISTED, *_LISTED_TOO)
        return list(chosen.order_by("urgency", "last_applicant_at", "pk")[:limit])

    unread = Q(staff_read_at__isnull=True) | Q(staff_read_at__lt=F("last_applicant_at"))
    return Attention(
        unanswered_by_urgency=[(urgency, counts[urgency]) for urgency in Urgency if counts.get(urgency)],
        overdue_count=overdue.count(),
        overdue=listed(overdue),
        unanswered=listed(unanswered.filter(first_response_due_at__gte=now)),
        new_messages=open_threads.filter(unread, first_response_at__isnull=False).count(),
        assigned=listed(open_threads.filter(assigned_to=user)),
    )
