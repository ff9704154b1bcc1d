"""How views obtain audit entries."""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet

from corridor.accounts.models import Role, User
from corridor.audit.models import AuditEvent


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
