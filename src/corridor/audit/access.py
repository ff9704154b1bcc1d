"""How views obtain audit entries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from corridor.accounts.models import Role, User
from corridor.audit.models import AuditEvent
from corridor.audit.services import ChainHeadInvalid, current_head

# Events that say something was found damaged or changed outside Corridor.
INTEGRITY_ACTIONS = ("integrity.check_failed", "hotline.row_unreadable")


def list_events_for_auditor(
    user: User,
    *,
    action_prefix: str = "",
    person: uuid.UUID | None = None,
    thread: uuid.UUID | None = None,
) -> QuerySet[AuditEvent]:
    """Newest first; auditors only. Filters: an action code prefix, a person (as actor or as the
    account acted on), a thread (as target)."""
    if not user.has_role(Role.AUDITOR):
        return AuditEvent.objects.none()
    qs = AuditEvent.objects.order_by("-seq")
    if action_prefix:
        qs = qs.filter(action__startswith=action_prefix)
    if person is not None:
        qs = qs.filter(Q(actor_id=person) | Q(target_type="user", target_id=str(person)))
    if thread is not None:
        qs = qs.filter(target_type="thread", target_id=str(thread))
    return qs


@dataclass(frozen=True)
class ChainStatus:
    """What an auditor needs at a glance, without walking the chain (that is the verify button's job)."""

    head_seq: int
    head_valid: bool
    last_verification: AuditEvent | None
    failures_since: int
    recent_failures: list[AuditEvent]


def chain_status_for_auditor(user: User, *, since: datetime, limit: int = 10) -> ChainStatus | None:
    """The head, the last verification, and integrity failures and unreadable rows since `since`."""
    if not user.has_role(Role.AUDITOR):
        return None
    try:
        head = current_head()
        head_seq, head_valid = (head.seq if head else 0), True
    except ChainHeadInvalid:
        head_seq, head_valid = 0, False
    failures = AuditEvent.objects.filter(action__in=INTEGRITY_ACTIONS, at__gte=since).order_by("-seq")
    return ChainStatus(
        head_seq=head_seq,
        head_valid=head_valid,
        last_verification=AuditEvent.objects.filter(action="audit.verified").order_by("-seq").first(),
        failures_since=failures.count(),
        recent_failures=list(failures[:limit]),
    )
