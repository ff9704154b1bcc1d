"""How views obtain audit entries."""

from __future__ import annotations

from django.db.models import QuerySet

from corridor.accounts.models import Role, User
from corridor.audit.models import AuditEvent


def list_events_for_auditor(user: User, *, action_prefix: str = "", actor: str = "") -> QuerySet[AuditEvent]:
    """Newest first, optionally filtered by action code prefix or actor id; auditors only."""
    if not user.has_role(Role.AUDITOR):
        return AuditEvent.objects.none()
    qs = AuditEvent.objects.order_by("-seq")
    if action_prefix:
        qs = qs.filter(action__startswith=action_prefix)
    if actor:
        qs = qs.filter(actor_id=actor)
    return qs
