"""`corridor evidence verify`: with no key at all, it finds a changed, deleted or reordered custody entry,
a cut-off or rewritten chain, a changed stored file, a copy (stripped or redacted) that no longer matches
its parent, and an item the audit log says was received that was deleted whole."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.documentation.evidence import custody, services
from corridor.documentation.evidence.models import CustodyEntry, EvidenceItem
from corridor.documentation.models import Event
from tests.documentation.evidence.helpers import flip_byte, upload
from tests.hotline.helpers import private_key
from tests.test_cli_installation import listing, run

pytestmark = pytest.mark.django_db


def verify() -> tuple[bool, list[str]]:
    """Whether the command succeeded, and the problem lines it printed."""
    err = io.StringIO()
    try:
        call_command("evidence", "verify", stdout=io.StringIO(), stderr=err)
    except CommandError:
        return False, err.getvalue().splitlines()
    return True, err.getvalue().splitlines()


@pytest.fixture
def item(dora: User, recorded: Event) -> EvidenceItem:
    """A photo received, viewed twice and exported: four custody entries."""
    made = upload(dora, recorded)
    for _ in range(2):
        services.open_for_viewing(actor=dora, user_private_key=private_key(dora), item=made)
    services.export_file(actor=dora, user_private_key=private_key(dora), item=made)
    return EvidenceItem.objects.get(pk=made.pk)


def entry(item: EvidenceItem, seq: int) -> CustodyEntry:
    return CustodyEntry.objects.get(item=item, seq=seq)


def test_an_intact_installation_passes(item: EvidenceItem, dora: User) -> None:
    services.make_stripped_copy(actor=dora, user_private_key=private_key(dora), item=item)
    out = io.StringIO()
    call_command("evidence", "verify", stdout=out, stderr=io.StringIO())
    assert "evidence intact: 2 item(s)" in out.getvalue()


def test_a_changed_time_is_found(item: EvidenceItem) -> None:
    CustodyEntry.objects.filter(pk=entry(item, 2).pk).update(at=entry(item, 2).at - timedelta(hours=3))
    ok, lines = verify()
    assert not ok
    assert lines == [f"evidence {item.code}: custody entry #2 was changed after it was written"]


def test_a_changed_actor_is_found(item: EvidenceItem, dan: User) -> None:
    CustodyEntry.objects.filter(pk=entry(item, 3).pk).update(actor_id=dan.pk)
    ok, lines = verify()
    assert not ok
    assert lines == [f"evidence {item.code}: custody entry #3 was changed after it was written"]


def test_a_deleted_entry_is_found(item: EvidenceItem) -> None:
    entry(item, 2).delete()
    ok, lines = verify()
    assert not ok
    assert f"evidence {item.code}: custody entry #2 is missing or out of place" in lines
    assert f"evidence {item.code}: custody entry #3 does not follow the entry before it" in lines


def test_a_deleted_last_entry_is_found(item: EvidenceItem) -> None:
    entry(item, 4).delete()
    ok, lines = verify()
    assert not ok
    assert lines == [
        f"evidence {item.code}: the custody log's last entry fails its MAC: entries were cut off or rewritten"
    ]


def test_reordered_entries_are_found(item: EvidenceItem) -> None:
    second, third = entry(item, 2), entry(item, 3)
    CustodyEntry.objects.filter(pk=second.pk).update(seq=99)
    CustodyEntry.objects.filter(pk=third.pk).update(seq=2)
    CustodyEntry.objects.filter(pk=second.pk).update(seq=3)
    ok, lines = verify()
    assert not ok
    assert f"evidence {item.code}: custody entry #2 was changed after it was written" in lines
    assert f"evidence {item.code}: custody entry #2 does not follow the entry before it" in lines


def test_a_chain_rewritten_consistently_fails_its_mac(item: EvidenceItem) -> None:
    """A database writer without the configuration's key moves a view three hours back and rehashes
    every entry after it: each link holds, the head's MAC does not."""
    entries = list(CustodyEntry.objects.filter(item=item).order_by("seq"))
    entries[1].at -= timedelta(hours=3)
    prev = entries[0].hash
    for rewritten in entries[1:]:
        rewritten.prev_hash = prev
        rewritten.hash = custody.hash_of(rewritten)
        rewritten.save(update_fields=["at", "prev_hash", "hash"])
        prev = rewritten.hash
    ok, lines = verify()
    assert not ok
    assert lines == [
        f"evidence {item.code}: the custody log's last entry fails its MAC: entries were cut off or rewritten"
    ]


def test_the_command_needs_an_installation(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run(empty, "evidence", "verify")
    assert result.returncode == 1
    assert result.stderr.startswith("corridor evidence: no Corridor installation")
    assert result.stderr.count("\n") == 1
    assert listing(empty) == []


def test_a_changed_stored_file_is_found(item: EvidenceItem) -> None:
    flip_byte(item, 40)
    ok, lines = verify()
    assert not ok
    assert lines == [
        f"evidence {item.code}: the stored file does not match the hash taken when it was received"
    ]


def test_a_missing_stored_file_is_found(item: EvidenceItem) -> None:
    default_storage.delete(item.blob)
    ok, lines = verify()
    assert not ok
    assert lines == [f"evidence {item.code}: the stored file {item.blob} is missing"]


def test_a_file_swapped_with_its_hashes_is_found(item: EvidenceItem, dora: User, recorded: Event) -> None:
    """Another item's file and recorded hash put in place of this one's: the chain names the old hash."""
    other = upload(dora, recorded)
    EvidenceItem.objects.filter(pk=item.pk).update(
        blob=other.blob, blob_sha256=other.blob_sha256, blob_size=other.blob_size
    )
    ok, lines = verify()
    assert not ok
    assert f"evidence {item.code}: custody entry #1 names another file than the one received" in lines


def test_a_copy_that_no_longer_matches_its_parent_is_found(item: EvidenceItem, dora: User) -> None:
    copy = services.make_stripped_copy(actor=dora, user_private_key=private_key(dora), item=item).item
    EvidenceItem.objects.filter(pk=copy.pk).update(parent_hash="0" * 64)
    ok, lines = verify()
    assert not ok
    assert f"evidence {copy.code}: it no longer matches its parent {item.code} by hash" in lines


def test_a_copy_its_parent_never_made_is_found(item: EvidenceItem, dora: User) -> None:
    copy = services.make_stripped_copy(actor=dora, user_private_key=private_key(dora), item=item).item
    CustodyEntry.objects.filter(item=item, action="derivative_made").update(detail={})
    ok, lines = verify()
    assert not ok
    assert f"evidence {copy.code}: its parent {item.code}'s custody log does not record making it" in lines


def redacted_copy(item: EvidenceItem, dora: User) -> EvidenceItem:
    from tests.documentation.evidence.helpers import png
    from tests.hotline.helpers import encrypted_upload

    return services.receive_redacted_copy(
        actor=dora,
        user_private_key=private_key(dora),
        item=item,
        upload=encrypted_upload(png((0, 0, 0)), name="blurred.png", content_type="image/png"),
        note="Faces blurred",
    )


def test_a_redacted_copy_that_no_longer_matches_its_parent_is_found(item: EvidenceItem, dora: User) -> None:
    copy = redacted_copy(item, dora)
    assert verify() == (True, [])
    EvidenceItem.objects.filter(pk=copy.pk).update(parent_hash="0" * 64)
    ok, lines = verify()
    assert not ok
    assert lines == [f"evidence {copy.code}: it no longer matches its parent {item.code} by hash"]


def test_a_redacted_copy_its_parent_never_made_is_found(item: EvidenceItem, dora: User) -> None:
    copy = redacted_copy(item, dora)
    CustodyEntry.objects.filter(item=item, action="derivative_made").update(
        detail={"derivative": str(copy.pk), "kind": "redacted", "derivative_hash": "0" * 64}
    )
    ok, lines = verify()
    assert not ok
    assert f"evidence {copy.code}: its parent {item.code}'s custody log does not record making it" in lines


def delete_whole(item: EvidenceItem) -> None:
    """What someone with the database and the disk could do: the row, its custody log and its file gone."""
    CustodyEntry.objects.filter(item=item).delete()
    EvidenceItem.objects.filter(pk=item.pk).delete()
    default_storage.delete(item.blob)


def test_an_item_deleted_whole_is_found(item: EvidenceItem, dora: User, recorded: Event) -> None:
    kept = upload(dora, recorded)
    delete_whole(item)
    received = AuditEvent.objects.get(action="evidence.received", target_id=str(item.pk))
    ok, lines = verify()
    assert not ok
    assert lines == [
        f"evidence {item.pk}: received on {received.at.date().isoformat()} (audit event #{received.seq}), "
        "but the item no longer exists: it was deleted outside Corridor"
    ]
    assert kept.code not in "\n".join(lines)


def test_a_copy_deleted_whole_is_found(item: EvidenceItem, dora: User) -> None:
    copy = redacted_copy(item, dora)
    delete_whole(copy)
    ok, lines = verify()
    assert not ok
    assert len(lines) == 1
    assert lines[0].startswith(f"evidence {copy.pk}: received on ")
    assert lines[0].endswith("but the item no longer exists: it was deleted outside Corridor")


def test_the_command_exits_non_zero_for_a_deleted_item(item: EvidenceItem) -> None:
    delete_whole(item)
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"evidence: 1 problem\(s\) in 0 item\(s\)"):
        call_command("evidence", "verify", stdout=io.StringIO(), stderr=err)
    assert str(item.pk) in err.getvalue()


def test_a_chain_rewritten_from_its_first_entry_with_the_chain_key_is_found(item: EvidenceItem) -> None:
    """Someone holding the configuration's chain key rewrites the whole chain and its MAC: each link
    and the MAC hold, but the first entry is no longer the one the audit log recorded."""
    entries = list(CustodyEntry.objects.filter(item=item).order_by("seq"))
    entries[0].at -= timedelta(days=2)
    prev = custody.GENESIS
    for rewritten in entries:
        rewritten.prev_hash = prev
        rewritten.hash = custody.hash_of(rewritten)
        rewritten.save(update_fields=["at", "prev_hash", "hash"])
        prev = rewritten.hash
    mac = custody.head_mac(item_id=str(item.pk), seq=entries[-1].seq, digest=prev)
    EvidenceItem.objects.filter(pk=item.pk).update(custody_mac=mac)
    received = AuditEvent.objects.get(action="evidence.received", target_id=str(item.pk))
    ok, lines = verify()
    assert not ok
    assert lines == [
        f"evidence {item.code}: its first custody entry is not the one the audit log recorded when it was "
        f"received (audit event #{received.seq})"
    ]


def test_an_item_the_audit_log_never_saw_received_is_found(item: EvidenceItem) -> None:
    """A row put in the database by someone holding the chain key: the audit log has no receipt for it."""
    AuditEvent.objects.filter(action="evidence.received", target_id=str(item.pk)).update(
        action="evidence.other"
    )
    ok, lines = verify()
    assert not ok
    assert lines == [
        f"evidence {item.code}: the audit log has no record of it being received: "
        "it was added outside Corridor"
    ]
