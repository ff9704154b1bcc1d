"""Canary: a unique string inside evidence files (a document's text, a photo's EXIF), in their names and
in the note beside them is nowhere on disk in the clear: not in the database, not among the stored
files (originals, copies without metadata and redacted copies), not in the upload directory, not in
the log."""

from __future__ import annotations

import io
import logging
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import ExifTags, Image

from corridor.accounts.models import User
from corridor.documentation.evidence.models import EvidenceItem, ItemKind
from corridor.documentation.models import Event
from corridor.hotline import receipts
from tests.cases.test_case_canary import _database_images

pytestmark = pytest.mark.django_db


def photo_with(text: str) -> bytes:
    image = Image.new("RGB", (32, 24), (90, 90, 90))
    exif = Image.Exif()
    exif[ExifTags.Base.ImageDescription] = text
    exif[ExifTags.Base.Make] = text
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_no_evidence_file_or_name_in_the_clear(
    dora: User, recorded: Event, signed_in: Callable[[User], Client], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    canary = f"canary-{uuid.uuid4().hex}"
    client = signed_in(dora)
    url = reverse("evidence:upload", kwargs={"event_id": recorded.pk})
    for name, data in (
        (f"{canary}-photo.jpg", photo_with(f"{canary} in the EXIF")),
        (f"{canary}-statement.txt", f"Statement: {canary} in the text".encode()),
    ):
        response = client.post(
            url,
            {
                "attach_to": "event",
                "file": SimpleUploadedFile(name, data),
                "note": f"{canary} note",
                "submission": receipts.new_token(),
            },
        )
        assert response.status_code == 302, response.content.decode()[-2000:]
    photo = EvidenceItem.objects.order_by("created_at").first()
    assert photo is not None
    assert client.post(reverse("evidence:strip", kwargs={"item_id": photo.pk})).status_code == 302
    assert EvidenceItem.objects.filter(kind=ItemKind.STRIPPED, parent=photo).exists()
    redacted = client.post(
        reverse("evidence:redacted", kwargs={"item_id": photo.pk}),
        {
            "file": SimpleUploadedFile(f"{canary}-blurred.jpg", photo_with(f"{canary} blurred")),
            "note": f"{canary} hidden",
            "submission": receipts.new_token(),
        },
    )
    assert redacted.status_code == 302, redacted.content.decode()[-2000:]
    assert EvidenceItem.objects.filter(kind=ItemKind.REDACTED, parent=photo).exists()

    # The pages and downloads open it all (so the canary really went in)...
    page = client.get(reverse("documentation:event", kwargs={"event_id": recorded.pk})).content.decode()
    assert f"{canary}-photo.jpg" in page
    assert f"{canary} note" in page
    downloaded = client.post(reverse("evidence:download", kwargs={"item_id": photo.pk})).content
    assert f"{canary} in the EXIF".encode() in downloaded
    shown = client.get(reverse("evidence:view", kwargs={"item_id": photo.pk})).content
    assert canary.encode() not in shown

    # ...and nothing on disk holds it in the clear.
    needles = {
        "utf-8": canary.encode(),
        "utf-16": canary.encode("utf-16-le"),
        "hex": canary.encode().hex().encode(),
    }
    for where, image in _database_images().items():
        for label, needle in needles.items():
            assert needle not in image, f"the canary ({label}) is in the {where} in the clear"
    data_dir = Path(settings.DATA_DIR)
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    stored = [Path(default_storage.path(item.blob)) for item in EvidenceItem.objects.all()]
    assert set(stored) <= set(files)
    for path in files:
        try:
            content = path.read_bytes()
        except FileNotFoundError:  # another test's file, deleted meanwhile (tests may share the directory)
            continue
        for label, needle in needles.items():
            assert needle not in content, f"the canary ({label}) is in {path.name} in the clear"
    assert canary not in caplog.text
