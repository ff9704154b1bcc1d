"""Writing to and checking the audit log: the only code that touches its tables."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from corridor.audit.anchors import Anchor, Head
from corridor.audit.chain import GENESIS, entry_hash, head_mac, head_mac_valid
from corridor.audit.models import AnchorMailing, AuditChainHead, AuditEvent

_ACTION = re.compile(r"^[a-z_]+(\.[a-z_]+)+$")
_SAFE_VALUE = (str, int, bool, type(None))

# The event `corridor.accounts.keyring.create_organisation_keys` writes in the same
# transaction that creates the organisation's keys.
ORGANISATION_CREATED = "org.keys_created"


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
        id=1, defaults={"last_seq": 0, "last_hash": GENESIS, "mac": ""}
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
    head.mac = head_mac(seq=seq, digest=digest)
    head.save(update_fields=["last_seq", "last_hash", "mac"])
    return event


class ChainHeadInvalid(Exception):
    """The head's MAC does not hold: it was moved or written without the chain key."""


def current_head() -> Head | None:
    """The head of the chain if its MAC holds; None while the log is empty."""
    head = AuditChainHead.objects.filter(id=1).first()
    if head is None:
        return None
    if not head_mac_valid(seq=head.last_seq, digest=head.last_hash, mac=head.mac):
        # Exporting or shipping such a head would anchor whatever the database was made to say.
        raise ChainHeadInvalid("the audit chain head fails its MAC: run `corridor audit verify`")
    return Head(head.last_seq, head.last_hash)


def last_mailed_head() -> Head | None:
    """The head last mailed to the anchor recipients, if any."""
    row = AnchorMailing.objects.filter(id=1).first()
    return Head(row.last_seq, row.last_hash) if row else None


def record_head_mailed(head: Head) -> None:
    """Remember that this head went out to the anchor recipients."""
    AnchorMailing.objects.update_or_create(id=1, defaults={"last_seq": head.seq, "last_hash": head.hash})


@dataclass(frozen=True)
class ChainReport:
    """The outcome of verifying the chain."""

    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""


def verify_chain(*, organisation_initialised: bool = False, batch_size: int = 2000) -> ChainReport:
    """Walk the whole chain in order; report the first entry that breaks it."""
    # Whether the organisation exists comes from the caller (the command and the
    # auditors' view pass `keyring.organisation_initialised()`): accounts records its
    # events through this module, so reading its tables from here would make a cycle,
    # and the callers already depend on both apps.
    prev_hash = GENESIS
    expected_seq = 1
    checked = 0
    last_seq = 0
    created = False
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
        created = created or event.action == ORGANISATION_CREATED
        prev_hash = event.hash
        expected_seq += 1
        last_seq = event.seq
        checked += 1
    # Once the organisation exists, the log must hold its key creation: an emptied log
    # does not, nor does one the server has written to again since it was wiped. The
    # rule is "holds", not "starts with": a sign-in attempt or a worker run before
    # `corridor init` legitimately comes first, and such an installation would otherwise
    # fail for ever. Without the chain key nobody can write the key creation back, so
    # the weaker rule catches the same attacks.
    if organisation_initialised and not checked:
        return ChainReport(False, 0, 1, _("entry #%(seq)d is missing") % {"seq": 1})
    if organisation_initialised and not created:
        return ChainReport(
            False, checked, 1, _("the log does not hold the organisation's key creation: it was replaced")
        )
    head = AuditChainHead.objects.filter(id=1).first()
    if head is None and checked:
        return ChainReport(False, checked, last_seq + 1, _("the chain head is missing"))
    if head is not None and (head.last_seq != last_seq or head.last_hash != prev_hash):
        missing = last_seq + 1
        return ChainReport(
            False, checked, missing, _("entries from #%(seq)d on are missing") % {"seq": missing}
        )
    if head is not None and not head_mac_valid(seq=head.last_seq, digest=head.last_hash, mac=head.mac):
        missing = last_seq + 1
        return ChainReport(
            False,
            checked,
            missing,
            _("the chain head was moved without the chain key: entries from #%(seq)d on may have been cut")
            % {"seq": missing},
        )
    return ChainReport(True, checked)


def check_anchors(anchors: Sequence[Anchor], *, batch_size: int = 2000) -> ChainReport:
    """Check that the chain still holds every anchored entry with its anchored hash."""
    # Meant for a chain `verify_chain` passed: each entry's hash then covers every entry
    # before it, so a matching anchor also vouches for everything up to it.
    ordered = sorted(anchors, key=lambda a: (a.seq, a.line))
    checked = 0
    for start in range(0, len(ordered), batch_size):
        batch = ordered[start : start + batch_size]
        stored = dict(AuditEvent.objects.filter(seq__in={a.seq for a in batch}).values_list("seq", "hash"))
        for anchor in batch:
            found = stored.get(anchor.seq)
            if found is None:
                return ChainReport(
                    False,
                    checked,
                    anchor.seq,
                    _("entry #%(seq)d, anchored on line %(line)d, is gone: the chain was cut or wiped")
                    % {"seq": anchor.seq, "line": anchor.line},
                )
            if found != anchor.hash:
                return ChainReport(
                    False,
                    checked,
                    anchor.seq,
                    _("entry #%(seq)d differs from its anchor on line %(line)d: the chain was rewritten")
                    % {"seq": anchor.seq, "line": anchor.line},
                )
            checked += 1
    return ChainReport(True, checked)
