"""Evidence services: a file is kept exactly as received under a key of its own, shown only without
metadata, copied without metadata once and linked by hash, and every step is in its custody chain."""

from __future__ import annotations

import hashlib
import io
import itertools

import pytest
from django.core.files.storage import default_storage
from PIL import ExifTags, Image

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.documentation.evidence import custody, services
from corridor.documentation.evidence.models import CustodyAction, CustodyEntry, EvidenceItem, ItemKind
from corridor.documentation.models import Event
from tests.documentation.evidence.helpers import PDF, bomb, cut_png, flip_byte, png, statement, upload
from tests.documentation.helpers import event
from tests.hotline.helpers import jpeg_with_gps, private_key

pytestmark = pytest.mark.django_db


def _gps(data: bytes) -> object:
    return Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)


def test_an_upload_is_kept_as_received_and_exported_byte_for_byte(dora: User, recorded: Event) -> None:
    photo = jpeg_with_gps()
    item = upload(dora, recorded, photo, note="The cell, from the inside")

    assert item.kind == ItemKind.ORIGINAL
    with default_storage.open(item.blob, "rb") as handle:
        stored = handle.read()
    assert photo not in stored
    assert hashlib.sha256(stored).hexdigest() == item.blob_sha256
    assert len(stored) == item.blob_size
    exported = services.export_file(actor=dora, user_private_key=private_key(dora), item=item)
    assert exported.data == photo  # GPS and camera data kept: it is the evidence
    assert _gps(exported.data)
    assert exported.sha256 == hashlib.sha256(photo).hexdigest()
    assert exported.name == "IMG_0042.jpg"
    assert exported.content_type == "image/jpeg"
    actions = list(CustodyEntry.objects.filter(item=item).order_by("seq").values_list("action", flat=True))
    assert actions == [CustodyAction.RECEIVED, CustodyAction.EXPORTED]
    assert AuditEvent.objects.filter(action="evidence.received", target_id=str(item.pk)).exists()
    assert AuditEvent.objects.filter(action="evidence.exported", target_id=str(item.pk)).exists()


def test_a_photo_is_shown_only_without_its_metadata(dora: User, recorded: Event) -> None:
    item = upload(dora, recorded)
    shown = services.open_for_viewing(actor=dora, user_private_key=private_key(dora), item=item)
    assert not _gps(shown.data)
    assert b"SpyCam" not in shown.data
    entry = CustodyEntry.objects.get(item=item, action=CustodyAction.VIEWED)
    assert entry.actor_id == dora.pk
    assert AuditEvent.objects.filter(action="evidence.viewed", data__custody=entry.hash).exists()


def test_a_document_is_not_shown_in_the_browser(dora: User, recorded: Event) -> None:
    item = upload(dora, recorded, PDF, name="complaint.pdf", content_type="application/pdf")
    with pytest.raises(services.EvidenceRefused):
        services.open_for_viewing(actor=dora, user_private_key=private_key(dora), item=item)
    with pytest.raises(services.EvidenceRefused):
        services.make_stripped_copy(actor=dora, user_private_key=private_key(dora), item=item)
    assert CustodyEntry.objects.filter(item=item).count() == 1
    exported = services.export_file(actor=dora, user_private_key=private_key(dora), item=item)
    assert (exported.data, exported.content_type) == (PDF, "application/pdf")


def test_a_stripped_copy_is_made_once_and_linked_to_its_original_by_hash(dora: User, recorded: Event) -> None:
    original = upload(dora, recorded)
    made = services.make_stripped_copy(actor=dora, user_private_key=private_key(dora), item=original)
    again = services.make_stripped_copy(actor=dora, user_private_key=private_key(dora), item=original)

    assert made.created
    assert not again.created
    assert again.item.pk == made.item.pk
    copy = made.item
    assert (copy.kind, copy.parent_id, copy.parent_hash) == (
        ItemKind.STRIPPED,
        original.pk,
        original.blob_sha256,
    )
    exported = services.export_file(actor=dora, user_private_key=private_key(dora), item=copy)
    assert not _gps(exported.data)
    assert exported.name == "IMG_0042-stripped.jpg"
    made_entry = CustodyEntry.objects.get(item=original, action=CustodyAction.DERIVATIVE_MADE)
    assert made_entry.detail == {
        "derivative": str(copy.pk),
        "kind": "stripped",
        "derivative_hash": copy.blob_sha256,
    }
    received = CustodyEntry.objects.get(item=copy, seq=1)
    assert received.detail["parent_hash"] == original.blob_sha256
    # A copy is not copied again.
    with pytest.raises(services.EvidenceRefused):
        services.make_stripped_copy(actor=dora, user_private_key=private_key(dora), item=copy)
    assert EvidenceItem.objects.count() == 2


def test_each_custody_entry_links_to_the_one_before(dora: User, recorded: Event) -> None:
    item = upload(dora, recorded)
    for _ in range(2):
        services.open_for_viewing(actor=dora, user_private_key=private_key(dora), item=item)
    entries = list(CustodyEntry.objects.filter(item=item).order_by("seq"))
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == custody.GENESIS
    for before, after in itertools.pairwise(entries):
        assert after.prev_hash == before.hash
    for entry in entries:
        assert entry.hash == custody.hash_of(entry)
        assert entry.file_hash == item.blob_sha256
    item.refresh_from_db()
    assert custody.head_mac_valid(item, seq=3, digest=entries[-1].hash)


def test_a_file_attached_to_a_statement_stays_with_its_event(dora: User, recorded: Event) -> None:
    said = statement(dora, recorded)
    item = upload(dora, recorded, png(), name="scan.png", information=said)
    assert (item.event_id, item.information_id) == (recorded.pk, said.pk)
    other = event(dora, recorded.collection, title="Another event")
    with pytest.raises(services.EvidenceRefused):
        upload(dora, other, png(), information=said)
    assert EvidenceItem.objects.count() == 1


def test_a_record_moved_to_another_event_does_not_open(dora: User, recorded: Event) -> None:
    item = upload(dora, recorded)
    other = event(dora, recorded.collection, title="Another event")
    EvidenceItem.objects.filter(pk=item.pk).update(event=other)
    moved = EvidenceItem.objects.get(pk=item.pk)
    with pytest.raises(services.EvidenceDamaged):
        services.export_file(actor=dora, user_private_key=private_key(dora), item=moved)
    assert CustodyEntry.objects.filter(item=item).count() == 1


def test_a_changed_stored_file_is_refused(dora: User, recorded: Event) -> None:
    item = upload(dora, recorded)
    flip_byte(item, -5)
    with pytest.raises(services.EvidenceDamaged):
        services.open_for_viewing(actor=dora, user_private_key=private_key(dora), item=item)
    assert CustodyEntry.objects.filter(item=item).count() == 1


def _stored_files() -> list[str]:
    return default_storage.listdir("evidence")[1] if default_storage.exists("evidence") else []


def test_a_photo_that_does_not_decode_is_refused_and_nothing_is_kept(dora: User, recorded: Event) -> None:
    before = _stored_files()
    with pytest.raises(services.EvidenceRefused, match="could not be read as a photo"):
        upload(dora, recorded, cut_png(), name="cut.png")
    assert EvidenceItem.objects.count() == 0
    assert _stored_files() == before


def test_bytes_that_are_no_known_type_are_kept_as_an_opaque_file(dora: User, recorded: Event) -> None:
    item = upload(dora, recorded, b"\xff\xd8\xff\xe0" + b"\x00" * 64, name="x.html", content_type="text/html")
    exported = services.export_file(actor=dora, user_private_key=private_key(dora), item=item)
    assert exported.content_type == "application/octet-stream"


def test_a_decompression_bomb_is_refused(dora: User, recorded: Event) -> None:
    with pytest.raises(services.EvidenceRefused, match="too large"):
        upload(dora, recorded, bomb(), name="bomb.png")
    assert EvidenceItem.objects.count() == 0


def test_only_documenters_take_files_in(alice: User, dora: User, recorded: Event) -> None:
    with pytest.raises(services.EvidenceRefused):
        upload(alice, recorded)
    assert EvidenceItem.objects.count() == 0
