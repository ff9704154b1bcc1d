"""The audit chain: appends link up, and `corridor audit verify` names the first bad entry."""

from __future__ import annotations

import hashlib
import hmac
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from corridor.audit.chain import head_mac
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


# Attacks on the end of the chain, done as someone who can write to the database but has
# not read the server's configuration: raw SQL, no chain key.


def wipe_the_log() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
        cursor.execute("DELETE FROM audit_auditchainhead")


def test_cutting_the_newest_entries_and_moving_the_head_back_is_caught(chain: list[AuditEvent]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq >= 4")
        cursor.execute(
            "UPDATE audit_auditchainhead SET last_seq = 3,"
            " last_hash = (SELECT hash FROM audit_auditevent WHERE seq = 3) WHERE id = 1"
        )
    report = verify_chain()
    assert (report.ok, report.first_bad_seq, report.checked) == (False, 4, 3)
    assert "moved without the chain key" in report.problem
    with pytest.raises(CommandError, match="#4"):
        verify_output()


def test_a_head_mac_copied_from_an_entry_hash_is_refused(chain: list[AuditEvent]) -> None:
    # Entry hashes are in the database for anyone to copy; the head's MAC has its own key.
    AuditEvent.objects.filter(seq__gte=4).delete()
    AuditChainHead.objects.update(last_seq=3, last_hash=chain[2].hash, mac=chain[3].hash)
    assert verify_chain().first_bad_seq == 4


def test_the_head_mac_is_keyed_and_separated_from_entry_hashes(settings: Any) -> None:
    settings.CORRIDOR_AUDIT_KEY = "audit-key-for-a-known-answer"
    digest = "ab" * 32
    key = hashlib.sha256(b"corridor.audit-head.v1" + b"audit-key-for-a-known-answer").digest()
    expected = hmac.new(key, f"7:{digest}".encode(), hashlib.sha256).hexdigest()
    assert head_mac(seq=7, digest=digest) == expected


def test_every_append_macs_the_head(chain: list[AuditEvent]) -> None:
    head = AuditChainHead.objects.get()
    assert head.mac == head_mac(seq=5, digest=chain[4].hash)


def test_a_wiped_log_is_caught_once_the_organisation_exists(org: dict[str, object]) -> None:
    record_event(action="test.event")
    wipe_the_log()
    report = verify_chain(organisation_initialised=True)
    assert (report.ok, report.first_bad_seq) == (False, 1)
    # The command asks the accounts app itself whether the organisation exists.
    with pytest.raises(CommandError, match="#1 is missing"):
        verify_output()


def test_a_wiped_log_written_to_again_is_caught(org: dict[str, object]) -> None:
    record_event(action="test.event")
    wipe_the_log()
    record_event(action="auth.login_failed", data={"stage": "password"})  # the server carries on
    report = verify_chain(organisation_initialised=True)
    assert (report.ok, report.first_bad_seq) == (False, 1)
    assert "key creation" in report.problem
    with pytest.raises(CommandError, match="key creation"):
        verify_output()


def test_the_key_creation_opens_the_log_of_a_new_organisation(org: dict[str, object]) -> None:
    assert AuditEvent.objects.get(seq=1).action == "org.keys_created"
    assert verify_chain(organisation_initialised=True).ok


def test_entries_written_before_the_organisation_existed_are_accepted(
    db: None, request: pytest.FixtureRequest
) -> None:
    # A sign-in attempt against a server started before `corridor init` comes first.
    record_event(action="auth.login_failed", data={"stage": "password"})
    request.getfixturevalue("org")
    assert AuditEvent.objects.get(seq=2).action == "org.keys_created"
    assert verify_chain(organisation_initialised=True).ok
    assert "intact: 2 entries" in verify_output()
