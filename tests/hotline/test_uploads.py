"""Photos with several pictures inside (MPO): the first one is kept, re-encoded from its pixels alone."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from PIL import ExifTags, Image

from corridor.accounts.models import User
from corridor.hotline.models import Attachment, Thread
from corridor.hotline.uploads import UploadRejected, strip_image

FIRST = (200, 10, 10)
SECOND = (10, 200, 10)
TOO_LARGE = "This picture is too large. Send a smaller photo."


def gps_exif() -> Image.Exif:
    """EXIF that says where a photo was taken and with what."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SpyCam"
    exif[ExifTags.Base.Model] = "Serial 12345"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (43.0, 19.0, 0.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (45.0, 41.0, 0.0)
    return exif


def mpo_with_gps(size: tuple[int, int] = (40, 30)) -> bytes:
    """What a phone saves with a depth map or a second lens: a red photo, then a green second picture."""
    first = Image.new("RGB", size, FIRST)
    second = Image.new("RGB", size, SECOND)
    out = io.BytesIO()
    first.save(out, "MPO", save_all=True, append_images=[second], exif=gps_exif())
    return out.getvalue()


def with_frame_size(data: bytes, frame: int, width: int, height: int) -> bytes:
    """The same file with the size in one picture's JPEG header changed: a bomb costs a few bytes."""
    sof = -1
    for _ in range(frame + 1):
        sof = data.index(b"\xff\xc0", sof + 1)
    # SOF0: marker, length (2), precision (1), height (2), width (2).
    return data[: sof + 5] + height.to_bytes(2, "big") + width.to_bytes(2, "big") + data[sof + 9 :]


def assert_plain_single_jpeg(data: bytes, size: tuple[int, int]) -> None:
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert getattr(image, "n_frames", 1) == 1
    assert image.size == size
    assert not image.getexif()
    assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert "exif" not in image.info
    assert "mp" not in image.info
    for marker in (b"Exif", b"MPF", b"SpyCam", b"Serial 12345"):
        assert marker not in data
    # The first picture's pixels, not the second's.
    red, green, _blue = image.convert("RGB").getpixel((size[0] // 2, size[1] // 2))  # type: ignore[misc]
    assert red > 150 > green


def test_the_sample_is_a_two_picture_mpo_that_tells_where_it_was_taken() -> None:
    image = Image.open(io.BytesIO(mpo_with_gps()))
    assert image.format == "MPO"
    assert getattr(image, "n_frames", 1) == 2
    assert "mp" in image.info
    assert image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert image.getexif()[ExifTags.Base.Make] == "SpyCam"


def test_an_mpo_keeps_only_its_first_picture_without_metadata() -> None:
    stripped = strip_image(mpo_with_gps())

    assert stripped.content_type == "image/jpeg"
    assert (stripped.width, stripped.height) == (40, 30)
    assert_plain_single_jpeg(stripped.data, (40, 30))


def test_the_second_picture_of_an_mpo_is_never_decoded() -> None:
    # Its header claims 60000 x 60000 pixels: decoding it would be a decompression bomb.
    data = with_frame_size(mpo_with_gps(), 1, 60000, 60000)
    stripped = strip_image(data)
    assert_plain_single_jpeg(stripped.data, (40, 30))


@pytest.mark.parametrize(("width", "height"), [(20000, 20000), (7000, 7000)], ids=["bomb", "over the limit"])
def test_an_mpo_whose_first_picture_is_too_large_is_refused(width: int, height: int) -> None:
    data = with_frame_size(mpo_with_gps(), 0, width, height)
    with pytest.raises(UploadRejected, match=TOO_LARGE):
        strip_image(data)


@pytest.mark.django_db
def test_an_mpo_sent_to_the_hotline_reaches_staff_as_a_plain_jpeg(
    olga: User, signed_in: Callable[[User], Client]
) -> None:
    upload = io.BytesIO(mpo_with_gps())
    upload.name = "IMG_20240501_101010.jpg"
    response = Client().post(
        "/en/request/",
        {
            "in_danger_now": "no",
            "outed_to_family": "unsure",
            "has_internal_passport": "unsure",
            "has_foreign_passport": "unsure",
            "message": "",
            "website": "",
            "photos": [upload],
        },
    )
    assert response.status_code == 200, response.content.decode()

    (attachment,) = Attachment.objects.filter(thread=Thread.objects.get())
    download = signed_in(olga).get(
        reverse("hotline_staff:attachment", args=[attachment.thread_id, attachment.pk])
    )
    assert download.status_code == 200
    assert download["Content-Type"] == "image/jpeg"
    assert_plain_single_jpeg(download.content, (40, 30))


def test_a_sideways_phone_photo_is_turned_upright_and_keeps_nothing_but_its_pixels() -> None:
    exif = gps_exif()
    exif[ExifTags.Base.Orientation] = 6  # the camera was held on its side: turn 90° clockwise
    image = Image.new("RGB", (40, 30), "white")
    image.paste((200, 0, 0), (0, 0, 10, 10))  # a red corner, top left as stored
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"Grozny, Staropromyslovsky district", icc_profile=b"\0" * 128)

    stripped = strip_image(out.getvalue())

    clean = Image.open(io.BytesIO(stripped.data))
    assert (stripped.width, stripped.height) == clean.size == (30, 40)
    red, _, blue = clean.convert("RGB").getpixel((25, 5))  # the stored top-left corner, now top right
    assert red > 150
    assert blue < 80
    assert not clean.getexif()
    assert {"exif", "comment", "icc_profile"}.isdisjoint(clean.info)
    assert b"Grozny" not in stripped.data


def test_a_palette_picture_keeps_its_transparency_as_rgba_and_nothing_else() -> None:
    image = Image.new("P", (20, 20), 0)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    image.paste(1, (0, 0, 10, 20))
    out = io.BytesIO()
    image.save(out, "PNG", transparency=0, pnginfo=None, dpi=(300, 300))

    stripped = strip_image(out.getvalue())

    clean = Image.open(io.BytesIO(stripped.data))
    assert clean.mode == "RGBA"
    assert clean.getpixel((0, 0)) == (255, 0, 0, 255)
    assert clean.getpixel((15, 0))[3] == 0
    assert "dpi" not in clean.info
