"""The demo's evidence: drawn pictures, one with invented GPS that its copy without metadata drops,
and a scan attached to what a source says; every chain verifies."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from PIL import ExifTags, Image

from corridor.accounts.models import Role
from corridor.documentation import demo
from corridor.documentation.evidence import services
from corridor.documentation.evidence.models import EvidenceItem, ItemKind
from tests.conftest import make_user
from tests.hotline.helpers import private_key

pytestmark = pytest.mark.django_db


def test_the_demo_evidence(org: dict[str, object]) -> None:
    erin = make_user(org, "erin", {Role.DOCUMENTER})
    demo.populate(SimpleNamespace(keys={"erin": private_key(erin)}))

    assert EvidenceItem.objects.count() == 3
    copy = EvidenceItem.objects.get(kind=ItemKind.STRIPPED)
    assert copy.parent is not None
    original = services.export_file(actor=erin, user_private_key=private_key(erin), item=copy.parent)
    stripped = services.export_file(actor=erin, user_private_key=private_key(erin), item=copy)
    assert Image.open(io.BytesIO(original.data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert not Image.open(io.BytesIO(stripped.data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert EvidenceItem.objects.filter(information__isnull=False).count() == 1
    out = io.StringIO()
    call_command("evidence", "verify", stdout=out)
    assert "evidence intact: 3 item(s)" in out.getvalue()
