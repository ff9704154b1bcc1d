"""Synthetic evidence for `corridor demo`, added by the documentation demo on its events: pictures
drawn with Pillow (never real photos), one with invented camera and GPS data so the copy without
metadata has something to remove, and a scan attached to what a source says."""

from __future__ import annotations

import hashlib
import io

from PIL import ExifTags, Image, ImageDraw

from corridor.accounts.models import User
from corridor.crypto.envelope import generate_key
from corridor.crypto.files import encrypt_bytes
from corridor.documentation.evidence import services
from corridor.documentation.models import Event, Information
from corridor.hotline import uploads

MARK = "DEMO - INVENTED"


def _picture(lines: list[str], colour: tuple[int, int, int], *, gps: bool) -> bytes:
    image = Image.new("RGB", (320, 200), colour)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate([MARK, *lines]):
        draw.text((16, 20 + 28 * i), line, fill=(250, 250, 250))
    exif = Image.Exif()
    if gps:
        exif[ExifTags.Base.Make] = "DemoCam"
        exif[ExifTags.Base.ImageDescription] = MARK
        where = exif.get_ifd(ExifTags.IFD.GPSInfo)
        where[ExifTags.GPS.GPSLatitudeRef] = "N"
        where[ExifTags.GPS.GPSLatitude] = (43.0, 17.0, 0.0)
        where[ExifTags.GPS.GPSLongitudeRef] = "E"
        where[ExifTags.GPS.GPSLongitude] = (45.0, 52.0, 0.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def _upload(data: bytes, name: str) -> uploads.EncryptedUpload:
    """What the upload handler hands over: the file already encrypted in a nameless temporary file."""
    key = generate_key()
    handle = uploads.nameless_temporary_file()
    handle.write(encrypt_bytes(key, data))
    return uploads.EncryptedUpload(
        ciphertext=handle,
        key=key,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        name=name,
        content_type="image/jpeg",
    )


def add_examples(
    *, actor: User, user_private_key: bytes, event: Event, information: Information | None
) -> None:
    photo = services.receive_upload(
        actor=actor,
        user_private_key=user_private_key,
        event=event,
        information=None,
        upload=_upload(
            _picture(["Door of the cell block", "(drawn, not a photo)"], (70, 80, 95), gps=True),
            "IMG_demo_01.jpg",
        ),
        note=f"[{MARK}] Дверь камерного блока (нарисовано).",
    )
    services.make_stripped_copy(actor=actor, user_private_key=user_private_key, item=photo)
    services.receive_upload(
        actor=actor,
        user_private_key=user_private_key,
        event=event,
        information=information,
        upload=_upload(
            _picture(["Scan of a written statement", "(invented text)"], (120, 110, 90), gps=False),
            "scan_demo_02.jpg",
        ),
        note=f"[{MARK}] Скан письменного заявления (вымышленного).",
    )
