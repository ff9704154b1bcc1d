"""Evidence built through the services, as documenters build it."""

from __future__ import annotations

import io
from pathlib import Path

from django.core.files.storage import default_storage
from PIL import Image

from corridor.accounts.models import User
from corridor.documentation.evidence import services
from corridor.documentation.evidence.models import EvidenceItem
from corridor.documentation.models import Event, Information
from tests.hotline.helpers import encrypted_upload, jpeg_with_gps, private_key

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png(colour: tuple[int, int, int] = (10, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (24, 16), colour).save(out, "PNG")
    return out.getvalue()


def cut_png() -> bytes:
    """A photo cut in the middle: recognised as a PNG, but it does not decode."""
    out = io.BytesIO()
    Image.new("RGB", (300, 300), (1, 2, 3)).save(out, "PNG")
    return out.getvalue()[: len(out.getvalue()) // 2]


def bomb() -> bytes:
    """A few kilobytes that decode to 144 million pixels."""
    out = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(out, "PNG")
    return out.getvalue()


def upload(
    user: User,
    on: Event,
    data: bytes | None = None,
    *,
    name: str = "IMG_0042.jpg",
    information: Information | None = None,
    note: str = "",
    content_type: str = "image/jpeg",
) -> EvidenceItem:
    return services.receive_upload(
        actor=user,
        user_private_key=private_key(user),
        event=on,
        information=information,
        upload=encrypted_upload(
            jpeg_with_gps() if data is None else data, name=name, content_type=content_type
        ),
        note=note,
    )


def statement(user: User, on: Event, text: str = "He saw the photos being taken.") -> Information:
    """What a media source says about the event."""
    from corridor.documentation import persons

    source = persons.add_source(
        actor=user,
        user_private_key=private_key(user),
        collection=on.collection,
        kind="media",
        description="A paper",
    )
    return persons.add_information(
        actor=user,
        user_private_key=private_key(user),
        event=on,
        data=persons.InformationInput(
            source_code=source.code, connection="030100000000", reliability="C", credibility=3, statement=text
        ),
    )


def flip_byte(item: EvidenceItem, at: int) -> None:
    """Change one byte of the item's stored file, as someone with the disk could."""
    path = Path(default_storage.path(item.blob))
    stored = bytearray(path.read_bytes())
    stored[at] ^= 0xFF
    path.write_bytes(bytes(stored))
