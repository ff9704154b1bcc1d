"""A photo's copy without metadata is made after the person's request is answered.

The request checks the photo, seals the original and answers; a thread of the same process
makes the copy from the plaintext it already holds. When that process dies first, staff
see that the copy was not made, and a holder of the evidence key makes it from the original.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from PIL import Image
from pytest_django.fixtures import Settings as SettingsWrapper

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.hotline import photos
from corridor.hotline.models import Attachment, CopyState, Thread
from corridor.hotline.uploads import UploadRejected, photo_copy_type
from tests.hotline.helpers import jpeg_with_gps

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NOT_A_PHOTO = "This file could not be read as a photo."


def send_request(photo: bytes) -> Attachment:
    upload = io.BytesIO(photo)
    upload.name = "IMG_20240501_101010.jpg"
    response = Client().post(
        "/en/request/",
        {
            "in_danger_now": "no",
            "outed_to_family": "unsure",
            "has_internal_passport": "unsure",
            "has_foreign_passport": "unsure",
            "message": "Photos of the bruises.",
            "website": "",
            "photos": [upload],
        },
    )
    assert response.status_code == 200, response.content.decode()
    assert "Your codename" in response.content.decode()
    return Attachment.objects.get(thread=Thread.objects.get())


def file_url(attachment: Attachment) -> str:
    return reverse("hotline_staff:attachment", args=[attachment.thread_id, attachment.pk])


def remake_url(attachment: Attachment) -> str:
    return reverse("hotline_staff:attachment_remake", args=[attachment.thread_id, attachment.pk])


def thread_page(client: Client, attachment: Attachment) -> str:
    response = client.get(reverse("hotline_staff:thread", args=[attachment.thread_id]))
    assert response.status_code == 200
    return response.content.decode()


def assert_stripped_copy(response: object) -> None:
    assert response.status_code == 200  # type: ignore[attr-defined]
    content = response.content  # type: ignore[attr-defined]
    image = Image.open(io.BytesIO(content))
    assert image.format == "JPEG"
    assert image.size == (40, 30)
    assert not image.getexif()
    assert b"SpyCam" not in content


def stored_files() -> list[Path]:
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"]) / "hotline"
    return sorted(root.iterdir()) if root.exists() else []


@pytest.fixture
def in_background(settings: SettingsWrapper) -> None:
    settings.CORRIDOR_PHOTO_COPIES_IN_BACKGROUND = True


@pytest.mark.django_db(transaction=True)
def test_the_copy_is_made_after_the_answer_by_the_same_process(
    in_background: None, olga: User, signed_in: Callable[[User], Client]
) -> None:
    attachment = send_request(jpeg_with_gps())
    # The row and the sealed original are there as soon as the person has their answer.
    assert default_storage.exists(attachment.original_blob)

    photos.wait()

    attachment.refresh_from_db()
    assert attachment.view_state == CopyState.READY
    assert_stripped_copy(signed_in(olga).get(file_url(attachment)))
    # What was stored is ciphertext only: neither the photo's metadata nor its pixels' file.
    for path in stored_files():
        assert b"SpyCam" not in path.read_bytes()
        assert b"JFIF" not in path.read_bytes()


@pytest.mark.django_db(transaction=True)
def test_with_a_full_queue_the_request_makes_the_copy_itself(
    in_background: None, settings: SettingsWrapper, olga: User, signed_in: Callable[[User], Client]
) -> None:
    settings.CORRIDOR_PHOTO_QUEUE_BYTES = 0  # no room for any plaintext to wait

    attachment = send_request(jpeg_with_gps())

    # No waiting: the copy was made before the answer.
    assert attachment.view_state == CopyState.READY
    assert_stripped_copy(signed_in(olga).get(file_url(attachment)))


@pytest.mark.django_db
def test_a_copy_whose_process_died_is_shown_as_not_made_and_made_again_from_the_original(
    in_background: None, olga: User, carol: User, signed_in: Callable[[User], Client]
) -> None:
    # The test's transaction never commits, so the copy queued for after the commit is never
    # made: what a web process killed just after answering leaves behind.
    with time_machine.travel(T0, tick=False) as clock:
        attachment = send_request(jpeg_with_gps())
        assert attachment.view_state == CopyState.PREPARING
        assert not default_storage.exists(attachment.stripped_blob)
        operator = signed_in(olga)

        page = thread_page(operator, attachment)
        assert "The copy without metadata is being prepared." in page
        assert file_url(attachment) not in page
        assert operator.get(file_url(attachment)).status_code == 404

        clock.shift(photos.ABANDONED_AFTER + timedelta(seconds=1))
        page = thread_page(operator, attachment)
        assert "The copy without metadata could not be made. The original is kept as evidence." in page
        assert "A holder of the evidence key can make it again from the original." in page
        assert remake_url(attachment) not in page  # the operator does not hold the evidence key

        # The worker's sweep records it (once).
        assert photos.mark_abandoned() == 1
        assert photos.mark_abandoned() == 0
        assert AuditEvent.objects.filter(action="hotline.photo_copy_abandoned").count() == 1
        attachment.refresh_from_db()
        assert attachment.view_state == CopyState.FAILED

        # Someone without the evidence key cannot make it: a clear message, nothing changed.
        response = operator.post(remake_url(attachment), follow=True)
        assert "Only a holder of the evidence key can make the copy again" in response.content.decode()
        attachment.refresh_from_db()
        assert attachment.view_state == CopyState.FAILED

        coordinator = signed_in(carol)
        page = thread_page(coordinator, attachment)
        assert remake_url(attachment) in page
        response = coordinator.post(remake_url(attachment), follow=True)
        assert "The copy without metadata is made." in response.content.decode()
        attachment.refresh_from_db()
        assert attachment.view_state == CopyState.READY
        assert_stripped_copy(coordinator.get(file_url(attachment)))
        assert_stripped_copy(operator.get(file_url(attachment)))

        # Sent again (a double tap): nothing more happens.
        coordinator.post(remake_url(attachment))
        assert AuditEvent.objects.filter(action="hotline.photo_copy_remade").count() == 1
        assert AuditEvent.objects.filter(action="hotline.original_opened").count() == 1


@pytest.mark.django_db
def test_roles_without_the_hotline_cannot_remake_a_copy(
    in_background: None, alice: User, judy: User, signed_in: Callable[[User], Client]
) -> None:
    attachment = send_request(jpeg_with_gps())
    for user in (alice, judy):
        response = signed_in(user).post(remake_url(attachment))
        assert response.status_code in (403, 404)
    attachment.refresh_from_db()
    assert attachment.view_state == CopyState.PREPARING


def jpeg_with_thumbnail_then_cut() -> bytes:
    """A JPEG whose APP1 segment holds a whole thumbnail (SOI … EOI), cut inside its main scan."""
    image = Image.new("RGB", (64, 48))
    image.putdata([(x * 4 % 256, y * 5 % 256, 90) for y in range(48) for x in range(64)])
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    data = out.getvalue()
    thumbnail = b"\xff\xd8" + b"\x00" * 20 + b"\xff\xd9"
    payload = b"Exif\x00\x00" + thumbnail
    app1 = b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload
    whole = data[:2] + app1 + data[2:]
    Image.open(io.BytesIO(whole)).load()  # the whole file is a good picture
    return whole[: len(whole) - 200]


@pytest.mark.parametrize(
    "data",
    [
        jpeg_with_gps()[: len(jpeg_with_gps()) // 2],
        jpeg_with_gps()[:-2],  # everything but the end marker
        jpeg_with_thumbnail_then_cut(),
    ],
    ids=["cut in half", "without its end", "a thumbnail's end before the cut"],
)
def test_a_jpeg_that_did_not_arrive_whole_is_refused_in_the_request(data: bytes) -> None:
    with pytest.raises(UploadRejected, match=NOT_A_PHOTO):
        photo_copy_type(data)


def test_a_whole_jpeg_is_accepted_without_decoding_its_pixels() -> None:
    assert photo_copy_type(jpeg_with_gps()) == "image/jpeg"
