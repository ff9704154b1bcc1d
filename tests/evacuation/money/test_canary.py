"""Canary: what an expense says (what for, who was paid, the date) and its receipt are nowhere in the
clear: not in the database (the SQLite image, free pages included, and every row of every table), not
in the media directory, not in the log."""

from __future__ import annotations

import io
import logging
import uuid
from datetime import date
from pathlib import Path

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image

from corridor.accounts.models import User
from corridor.cases.models import Case
from corridor.cases.services import open_case_key
from corridor.evacuation.money import reading
from corridor.evacuation.money import services as money
from corridor.evacuation.money.models import BudgetLine, Expense
from tests.cases.test_case_canary import _database_images
from tests.evacuation.money.conftest import SignedIn
from tests.hotline.helpers import encrypted_upload, private_key

pytestmark = pytest.mark.django_db


def _photo(marker: str) -> bytes:
    image = Image.new("RGB", (30, 20), (10, 10, 200))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = f"{marker} make"
    exif[ExifTags.Base.ImageDescription] = f"{marker} description"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def _media_files() -> dict[str, bytes]:
    root = Path(default_storage.location)  # type: ignore[attr-defined]
    return {str(path): path.read_bytes() for path in root.rglob("*") if path.is_file()}


@time_machine.travel("2026-11-25 12:00:00+00:00", tick=False)
def test_no_expense_text_or_receipt_in_the_clear(
    alice: User, case: Case, line: BudgetLine, signed_in: SignedIn, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    canary = f"canary-{uuid.uuid4().hex}"
    photo = _photo(canary)
    pdf = b"%PDF-1.4\n1 0 obj << /Title (" + canary.encode() + b" pdf) >> endobj\n%%EOF\n"
    assert canary.encode() in photo  # the control: the marker is in what is sent
    # Through the services: a photo and a PDF.
    for receipt in (photo, pdf):
        money.record_expense(
            actor=alice,
            user_private_key=private_key(alice),
            case=case,
            budget_line=line,
            category="medical",
            amount="80",
            currency="EUR",
            spent_on=date(2026, 11, 3),
            description=f"{canary} what for",
            payee=f"{canary} payee",
            receipt=money.prepare_receipt(encrypted_upload(receipt, name=f"{canary}.jpg")),
        )
    # And through the page, as a browser sends it.
    response = signed_in(alice).post(
        reverse("money:expense_add", kwargs={"case_id": case.pk}),
        {
            "budget_line": str(line.pk),
            "category": "documents",
            "amount": "15",
            "currency": "EUR",
            "spent_on": "2026-11-04",
            "description": f"{canary} page",
            "payee": f"{canary} page payee",
            "receipt": SimpleUploadedFile(f"{canary}.jpg", photo, content_type="image/jpeg"),
        },
    )
    assert response.status_code == 302

    key = open_case_key(user=alice, user_private_key=private_key(alice), case=case, purpose="t")
    rows = reading.case_rows(key, case)
    assert {row.payee for row in rows} == {f"{canary} payee", f"{canary} page payee"}  # it was written
    pdf_expense = next(
        e for e in Expense.objects.all() if reading.receipt_file(key, e)[1] == "application/pdf"
    )
    assert reading.receipt_file(key, pdf_expense)[0] == pdf

    needles = {
        "utf-8": canary.encode(),
        "utf-16": canary.encode("utf-16-le"),
        "hex": canary.encode().hex().encode(),
    }
    media = _media_files()
    stored = {str(Path(default_storage.path(e.receipt_blob))) for e in Expense.objects.all()}
    assert len(stored) == 3
    assert stored <= set(media)
    for where, image in {**_database_images(), **media}.items():
        for label, needle in needles.items():
            assert needle not in image, f"the canary ({label}) is in {where} in the clear"
    assert canary not in caplog.text
