"""Writing to and checking the audit log: the only code that touches its tables."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from corridor.audit.chain import GENESIS, entry_hash
from corridor.audit.models import AuditChainHead, AuditEvent

_ACTION = re.compile(r"^[a-z_]+(\.[a-z_]+)+$")
_SAFE_VALUE = (str, int, bool, type(None))


@transaction.atomic
def record_event(
    *,
    action: str,
    actor_id: uuid.UUID | str | None = None,
    target_type: str = "",
    target_id: uuid.UUID | str | int = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction."""
    if not _ACTION.match(action):
        raise ValueError(f"audit actions are dotted codes, not {action!r}")
    payload = dict(data or {})
    for key, value in payload.items():
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, _SAFE_VALUE) for v in values):
            raise ValueError(f"audit data {key!r} must be codes or ids")
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(
        id=1, defaults={"last_seq": 0, "last_hash": GENESIS}
    )
    seq = head.last_seq + 1
    at = datetime.now(UTC)
    actor = str(actor_id) if actor_id else None
    digest = entry_hash(
        seq=seq,
        at=at,
        actor_id=actor,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        data=payload,
        prev_hash=head.last_hash,
    )
    event = AuditEvent.objects.create(
        seq=seq,
        at=at,
        actor_id=actor,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        data=payload,
        prev_hash=head.last_hash,
        hash=digest,
    )
    head.last_seq = seq
    head.last_hash = digest
    head.save(update_fields=["last_seq", "last_hash"])
    return event


@dataclass(frozen=True)
class ChainReport:
    """The outcome of verifying the chain."""

    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""


def verify_chain(*, batch_size: int = 2000) -> ChainReport:
    """Walk the whole chain in order; report the first entry that breaks it."""
    prev_hash = GENESIS
    expected_seq = 1
    checked = 0
    last_seq = 0
    qs = AuditEvent.objects.order_by("seq")
    for event in qs.iterator(chunk_size=batch_size):
        if event.seq != expected_seq:
            return ChainReport(
                False, checked, expected_seq, _("entry #%(seq)d is missing") % {"seq": expected_seq}
            )
        if event.prev_hash != prev_hash:
            return ChainReport(
                False,
                checked,
                event.seq,
                _("entry #%(seq)d does not follow its predecessor") % {"seq": event.seq},
            )
        recomputed = entry_hash(
            seq=event.seq,
            at=event.at,
            actor_id=str(event.actor_id) if event.actor_id else None,
            action=event.action,
            target_type=event.target_type,
            target_id=event.target_id,
            data=event.data,
            prev_hash=event.prev_hash,
        )
        if recomputed != event.hash:
            return ChainReport(
                False, checked, event.seq, _("entry #%(seq)d was altered") % {"seq": event.seq}
            )
        prev_hash = event.hash
        expected_seq += 1
        last_seq = event.seq
        checked += 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head is None and checked:
        return ChainReport(False, checked, last_seq + 1, _("the chain head is missing"))
    if head is not None and (head.last_seq != last_seq or head.last_hash != prev_hash):
        missing = last_seq + 1
        return ChainReport(
            False, checked, missing, _("entries from #%(seq)d on are missing") % {"seq": missing}
        )
    return ChainReport(True, checked)
