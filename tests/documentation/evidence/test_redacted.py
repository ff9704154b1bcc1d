"""A redacted copy: a documenter holding the collection uploads, from an original's page, the same file
with faces blurred or a name blacked out (made in another program). It is kept exactly as sent, as a
copy linked to its original by hash both ways, in the custody logs and the audit log; bad input is a
clear 400 (413 over the limit, 409 when the original is damaged) and nothing is kept."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from PIL import ExifTags, Image

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.documentation.evidence import services
from corridor.documentation.evidence.models import CustodyEntry, EvidenceItem, ItemKind, Origin
from corridor.documentation.models import Event
from corridor.hotline import receipts
from tests.documentation.evidence.helpers import PDF, bomb, flip_byte, png, upload
from tests.documentation.evidence.test_views import SignedIn
from tests.hotline.helpers import private_key

pytestmark = pytest.mark.django_db


def blurred_jpeg_with_gps() -> bytes:
    """The photo after another program blurred it: other pixels, and still the camera's GPS position."""
    image = Image.new("RGB", (40, 30), (120, 120, 120))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SpyCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (43.0, 19.0, 0.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def redacted_form(**changes: Any) -> dict[str, Any]:
    return {
        "file": SimpleUploadedFile(
            "IMG_0042-blurred.jpg", blurred_jpeg_with_gps(), content_type="image/jpeg"
        ),
        "note": "The faces of the two children are blurred.",
        "submission": receipts.new_token(),
        **changes,
    }


def url(item: EvidenceItem) -> str:
    return reverse("evidence:redacted", kwargs={"item_id": item.pk})


def item_url(item: EvidenceItem) -> str:
    return reverse("evidence:item", kwargs={"item_id": item.pk})


def actions(item: EvidenceItem) -> list[str]:
    return list(CustodyEntry.objects.filter(item=item).order_by("seq").values_list("action", flat=True))


def test_a_documenter_keeps_a_redacted_copy_linked_to_the_original(
    dora: User, recorded: Event, signed_in: SignedIn
) -> None:
    original = upload(dora, recorded)
    client = signed_in(dora)
    page = client.get(item_url(original)).content.decode()
    assert "Add a redacted copy" in page
    assert url(original) in page

    response = client.post(url(original), redacted_form())
    copy = EvidenceItem.objects.get(kind=ItemKind.REDACTED)
    assert response.status_code == 302
    assert response["Location"] == item_url(copy)
    assert (copy.origin, copy.parent_id, copy.event_id) == (Origin.DERIVATIVE, original.pk, recorded.pk)
    assert copy.parent_hash == original.blob_sha256

    received = CustodyEntry.objects.get(item=copy)
    assert (received.seq, received.action) == (1, "received")
    assert received.detail == {
        "origin": "derivative",
        "parent": str(original.pk),
        "parent_hash": original.blob_sha256,
    }
    made = CustodyEntry.objects.get(item=original, action="derivative_made")
    assert made.detail == {
        "derivative": str(copy.pk),
        "kind": "redacted",
        "derivative_hash": copy.blob_sha256,
    }
    assert actions(original) == ["received", "derivative_made"]
    assert AuditEvent.objects.filter(
        action="evidence.received", target_id=str(copy.pk), data__origin="derivative"
    ).exists()
    assert AuditEvent.objects.filter(
        action="evidence.derivative_made", target_id=str(original.pk), data__kind="redacted"
    ).exists()

    # Kept as sent (its camera data too, as the original's is); shown in the browser without it.
    downloaded = client.post(reverse("evidence:download", kwargs={"item_id": copy.pk}))
    assert downloaded.content == blurred_jpeg_with_gps()
    shown = client.get(reverse("evidence:view", kwargs={"item_id": copy.pk}))
    assert shown.status_code == 200
    assert not Image.open(io.BytesIO(shown.content)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert actions(copy) == ["received", "exported", "viewed"]

    copy_page = client.get(item_url(copy)).content.decode()
    for text in (
        "Redacted copy",
        "Made from",
        original.code,
        "What was hidden",
        "The faces of the two children are blurred.",
    ):
        assert text in copy_page
    assert "Add a redacted copy" not in copy_page
    original_page = client.get(item_url(original)).content.decode()
    assert copy.code in original_page
    assert "Redacted copy" in original_page
    # The copy without metadata can still be made beside it, and a second redaction is a copy of its own.
    assert reverse("evidence:strip", kwargs={"item_id": original.pk}) in original_page
    client.post(reverse("evidence:strip", kwargs={"item_id": original.pk}))
    client.post(url(original), redacted_form(file=SimpleUploadedFile("names.png", png((0, 0, 0)))))
    assert EvidenceItem.objects.filter(parent=original, kind=ItemKind.REDACTED).count() == 2
    assert EvidenceItem.objects.filter(parent=original, kind=ItemKind.STRIPPED).count() == 1

    out = io.StringIO()
    call_command("evidence", "verify", stdout=out, stderr=io.StringIO())
    assert "evidence intact: 4 item(s)" in out.getvalue()


def test_a_document_takes_a_redacted_pdf_or_scan(dora: User, recorded: Event, signed_in: SignedIn) -> None:
    original = upload(dora, recorded, PDF, name="complaint.pdf")
    client = signed_in(dora)
    blacked = PDF.replace(b"Catalog", b"Catalog /Redacted true")
    assert (
        client.post(url(original), redacted_form(file=SimpleUploadedFile("c.pdf", blacked))).status_code
        == 302
    )
    assert (
        client.post(url(original), redacted_form(file=SimpleUploadedFile("p1.png", png()))).status_code == 302
    )
    assert EvidenceItem.objects.filter(parent=original, kind=ItemKind.REDACTED).count() == 2


def test_the_same_form_sent_twice_keeps_one_copy(dora: User, recorded: Event, signed_in: SignedIn) -> None:
    original = upload(dora, recorded)
    client = signed_in(dora)
    token = receipts.new_token()
    first = client.post(url(original), redacted_form(submission=token))
    second = client.post(url(original), redacted_form(submission=token))
    assert first["Location"] == second["Location"]
    assert EvidenceItem.objects.filter(kind=ItemKind.REDACTED).count() == 1
    assert actions(original) == ["received", "derivative_made"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"file": ""}, "Choose a file."),
        ({"file": SimpleUploadedFile("empty.jpg", b"")}, "Choose a file."),
        ({"note": ""}, "Say what was hidden"),
        ({"note": "x" * 2001}, "at most 2000 characters"),
        ({"note": "bell \x07 in the note"}, "The text contains characters that cannot be accepted."),
        ({"file": SimpleUploadedFile("c.pdf", PDF)}, "A redacted copy of a photo must be a photo too"),
        (
            {"file": SimpleUploadedFile("x.exe", b"MZ\x90\x00", content_type="application/x-msdownload")},
            "A redacted copy of a photo must be a photo too",
        ),
        ({"file": SimpleUploadedFile("bomb.png", bomb())}, "This picture is too large."),
        ({"file": "same"}, "This file is the original itself: nothing in it was redacted."),
    ],
)
def test_a_bad_redacted_copy_is_a_400_and_keeps_nothing(
    dora: User, recorded: Event, signed_in: SignedIn, changes: dict[str, Any], message: str
) -> None:
    from tests.hotline.helpers import jpeg_with_gps

    original = upload(dora, recorded)
    if changes.get("file") == "same":
        changes["file"] = SimpleUploadedFile("again.jpg", jpeg_with_gps())
    response = signed_in(dora).post(url(original), redacted_form(**changes))
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "Custody log" in page  # the item page again, with the reason
    assert EvidenceItem.objects.count() == 1
    assert actions(original) == ["received"]


def test_only_a_photo_or_a_pdf_is_a_redacted_document(
    dora: User, recorded: Event, signed_in: SignedIn
) -> None:
    original = upload(dora, recorded, PDF, name="complaint.pdf")
    response = signed_in(dora).post(
        url(original), redacted_form(file=SimpleUploadedFile("c.docx", b"PK\x03\x04 a word file"))
    )
    assert response.status_code == 400
    assert "A redacted copy must be a photo (JPEG, PNG, WebP or GIF) or a PDF." in response.content.decode()
    assert EvidenceItem.objects.count() == 1


def test_a_copy_is_not_redacted_again(dora: User, recorded: Event, signed_in: SignedIn) -> None:
    original = upload(dora, recorded)
    copy = services.make_stripped_copy(actor=dora, user_private_key=private_key(dora), item=original).item
    client = signed_in(dora)
    assert "Add a redacted copy" not in client.get(item_url(copy)).content.decode()
    response = client.post(url(copy), redacted_form())
    assert response.status_code == 400
    assert "Copies are made from originals only." in response.content.decode()
    assert EvidenceItem.objects.count() == 2


def test_a_file_over_the_limit_is_a_413_and_keeps_nothing(
    dora: User, recorded: Event, signed_in: SignedIn, settings: Any
) -> None:
    original = upload(dora, recorded)
    settings.CORRIDOR_UPLOAD_MAX_FILE_BYTES = 2 * 1024 * 1024
    big = SimpleUploadedFile("big.jpg", b"\x01" * (3 * 1024 * 1024))
    response = signed_in(dora).post(url(original), redacted_form(file=big))
    assert response.status_code == 413
    assert "The file is too large: at most 2 MB." in response.content.decode()
    assert EvidenceItem.objects.count() == 1
    assert actions(original) == ["received"]


def test_nothing_is_linked_to_a_damaged_original(dora: User, recorded: Event, signed_in: SignedIn) -> None:
    original = upload(dora, recorded)
    flip_byte(original, 50)
    response = signed_in(dora).post(url(original), redacted_form())
    assert response.status_code == 409
    assert "no longer matches the hash taken when it was received" in response.content.decode()
    assert EvidenceItem.objects.count() == 1
    assert actions(original) == ["received"]


def test_a_documenter_of_another_collection_or_another_role_cannot(
    dora: User, dan: User, alice: User, recorded: Event, signed_in: SignedIn
) -> None:
    """The full matrix is in test_views (the redacted copy's address is among the pages it tries)."""
    original = upload(dora, recorded)
    assert signed_in(dan).post(url(original), redacted_form()).status_code == 404
    assert signed_in(alice).post(url(original), redacted_form()).status_code == 403
    assert Client().post(url(original), redacted_form()).status_code == 302
    assert EvidenceItem.objects.count() == 1
    assert actions(original) == ["received"]


def test_the_redacted_copy_speaks_russian(dora: User, recorded: Event, signed_in: SignedIn) -> None:
    original = upload(dora, recorded)
    client = signed_in(dora)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "ru"
    page = client.get(item_url(original)).content.decode()
    assert "Добавить копию с вымарыванием" in page
    assert "Что скрыто" in page
    refused = client.post(url(original), redacted_form(file=SimpleUploadedFile("c.pdf", PDF)))
    assert "Копия фотографии с вымарыванием тоже должна быть фотографией" in refused.content.decode()
    made = client.post(url(original), redacted_form())
    copy_page = client.get(made["Location"]).content.decode()
    assert "Копия с вымарыванием" in copy_page
