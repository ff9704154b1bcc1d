"""Files: operators download the copy with metadata removed, named by its id, under a closed CSP."""

from __future__ import annotations

import io
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.hotline.models import Attachment, Thread
from tests.hotline.helpers import (
    ROLES_WITHOUT_HOTLINE,
    make_keyless_operator,
    open_web_thread,
    prepared_photo,
)

HOSTILE_NAME = 'Grozny "safe" flat\r\nX-Leak: 1;.jpg'


@pytest.fixture
def photo_thread(olga: User) -> Thread:
    return open_web_thread("Photos of the bruises.", files=prepared_photo(HOSTILE_NAME)).thread


@pytest.fixture
def photo(photo_thread: Thread) -> Attachment:
    return Attachment.objects.get(thread=photo_thread)


def file_url(thread_id: uuid.UUID, attachment_id: uuid.UUID) -> str:
    return reverse("hotline_staff:attachment", args=[thread_id, attachment_id])


def test_operator_downloads_the_stripped_copy(signed_in, olga: User, photo: Attachment) -> None:  # type: ignore[no-untyped-def]
    response = signed_in(olga).get(file_url(photo.thread_id, photo.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == f'attachment; filename="{photo.pk}.jpg"'
    assert response["X-Content-Type-Options"] == "nosniff"
    csp = response["Content-Security-Policy"]
    assert csp.startswith("default-src 'none'; img-src 'self'")
    assert "script-src" not in csp
    assert "sandbox" in csp
    assert "no-store" in response["Cache-Control"]
    headers = "\n".join(f"{k}: {v}" for k, v in response.items())
    assert "Grozny" not in headers
    assert "X-Leak" not in headers

    image = Image.open(io.BytesIO(response.content))
    assert image.format == "JPEG"
    assert image.size == (40, 30)
    assert not image.getexif()
    assert b"SpyCam" not in response.content
    assert b"Serial 12345" not in response.content


def test_download_is_audited(signed_in, olga: User, photo: Attachment) -> None:  # type: ignore[no-untyped-def]
    signed_in(olga).get(file_url(photo.thread_id, photo.pk))
    assert AuditEvent.objects.filter(
        action="hotline.thread_decrypted",
        actor_id=olga.pk,
        target_id=str(photo.thread_id),
        data__purpose="file",
    ).exists()


def test_the_thread_page_links_the_file_and_escapes_its_name(  # type: ignore[no-untyped-def]
    signed_in, olga: User, photo: Attachment
) -> None:
    html = signed_in(olga).get(reverse("hotline_staff:thread", args=[photo.thread_id])).content.decode()
    assert file_url(photo.thread_id, photo.pk) in html
    assert "Grozny &quot;safe&quot; flat" in html
    assert "X-Leak" in html  # control characters were dropped from the name, the rest is text
    assert "metadata removed" in html


def test_another_threads_file_is_404(signed_in, olga: User, photo: Attachment) -> None:  # type: ignore[no-untyped-def]
    other = open_web_thread("Another person").thread
    client = signed_in(olga)
    assert client.get(file_url(other.pk, photo.pk)).status_code == 404
    assert not AuditEvent.objects.filter(action="hotline.thread_decrypted").exists()


def test_unknown_ids_are_404(signed_in, olga: User, photo: Attachment) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(olga)
    assert client.get(file_url(photo.thread_id, uuid.uuid4())).status_code == 404
    assert client.get(file_url(uuid.uuid4(), photo.pk)).status_code == 404


def test_operator_without_the_hotline_key_gets_404(signed_in, org, photo: Attachment) -> None:  # type: ignore[no-untyped-def]
    response = signed_in(make_keyless_operator(org)).get(file_url(photo.thread_id, photo.pk))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="hotline.thread_decrypted").exists()


@pytest.mark.parametrize("persona", ROLES_WITHOUT_HOTLINE)
def test_other_roles_get_403(signed_in, request, persona: str, photo: Attachment) -> None:  # type: ignore[no-untyped-def]
    response = signed_in(request.getfixturevalue(persona)).get(file_url(photo.thread_id, photo.pk))
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="hotline.thread_decrypted").exists()


def test_download_is_get_only(signed_in, olga: User, photo: Attachment) -> None:  # type: ignore[no-untyped-def]
    assert signed_in(olga).post(file_url(photo.thread_id, photo.pk)).status_code == 405


def test_anonymous_is_sent_to_sign_in(client: Client, photo: Attachment) -> None:
    response = client.get(file_url(photo.thread_id, photo.pk))
    assert response["Location"].startswith(reverse("accounts:login"))
