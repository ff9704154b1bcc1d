"""The audit chain: appends link up, and `corridor audit verify` names the first bad entry."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from corridor.audit.models import AuditChainHead, AuditEvent
from corridor.audit.services import record_event, verify_chain


@pytest.fixture
def chain(db: None) -> list[AuditEvent]:
    return [
        record_event(action="test.event", target_type="thing", target_id=str(i), data={"n": i})
        for i in range(1, 6)
    ]


def verify_output() -> str:
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def test_intact_chain_verifies(chain: list[AuditEvent]) -> None:
    assert verify_chain().ok
    assert "intact: 5 entries" in verify_output()
    assert [e.seq for e in chain] == [1, 2, 3, 4, 5]
    assert all(chain[i].prev_hash == chain[i - 1].hash for i in range(1, 5))


def test_an_edit_is_caught(chain: list[AuditEvent]) -> None:
    AuditEvent.objects.filter(seq=3).update(data={"n": 99})
    with pytest.raises(CommandError, match="#3"):
        verify_output()
    report = verify_chain()
    assert (report.ok, report.first_bad_seq, report.checked) == (False, 3, 2)


def test_an_edit_with_a_recomputed_plain_hash_is_caught(chain: list[AuditEvent]) -> None:
    import hashlib

    AuditEvent.objects.filter(seq=2).update(action="test.other", hash=hashlib.sha256(b"forged").hexdigest())
    assert verify_chain().first_bad_seq == 2


def test_a_deletion_is_caught(chain: list[AuditEvent]) -> None:
    AuditEvent.objects.filter(seq=4).delete()
    with pytest.raises(CommandError, match="#4"):
        verify_output()


def test_deleting_the_newest_entries_is_caught(chain: list[AuditEvent]) -> None:
    AuditEvent.objects.filter(seq__gte=4).delete()
    report = verify_chain()
    assert (report.ok, report.first_bad_seq) == (False, 4)


def test_a_reordering_is_caught(chain: list[AuditEvent]) -> None:
    two, three = AuditEvent.objects.get(seq=2), AuditEvent.objects.get(seq=3)
    fields = ["at", "actor_id", "action", "target_type", "target_id", "data", "prev_hash", "hash"]
    AuditEvent.objects.filter(seq=3).update(hash="moving")  # the hash column is unique
    AuditEvent.objects.filter(seq=2).update(**{f: getattr(three, f) for f in fields})
    AuditEvent.objects.filter(seq=3).update(**{f: getattr(two, f) for f in fields})
    with pytest.raises(CommandError, match="#2"):
        verify_output()


def test_entries_refuse_personal_data(db: None) -> None:
    with pytest.raises(ValueError):
        record_event(action="test.event", data={"name": {"nested": "Хасан"}})
    with pytest.raises(ValueError):
        record_event(action="Not A Code")
    assert not AuditEvent.objects.exists()


def test_head_command_prints_the_newest_hash(chain: list[AuditEvent]) -> None:
    out = StringIO()
    call_command("audit", "head", stdout=out)
    head = AuditChainHead.objects.get()
    assert out.getvalue().strip() == f"5 {head.last_hash}"


def test_an_empty_log_verifies(db: None) -> None:
    assert verify_chain().ok


def test_deleting_the_head_with_the_newest_entries_is_caught(chain: list[AuditEvent]) -> None:
    AuditEvent.objects.filter(seq__gte=4).delete()
    AuditChainHead.objects.all().delete()
    report = verify_chain()
    assert (report.ok, report.first_bad_seq) == (False, 4)
