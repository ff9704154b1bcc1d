"""Oversized bodies: refused without reading the rest; text over the limit comes back cut, with a message."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client

from corridor.hotline.models import Thread
from tests.hotline.test_public_flow import request_data

pytestmark = pytest.mark.django_db

BOUNDARY = "----corridortest"
MB = 1024 * 1024


class EndlessUpload(io.RawIOBase):
    """A body: the form's text, then photo bytes for ever; counts what the server reads."""

    def __init__(self, fields: dict[str, str]) -> None:
        head = "".join(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            for name, value in fields.items()
        )
        head += f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="photos"; filename="big.jpg"\r\n'
        head += "Content-Type: image/jpeg\r\n\r\n"
        self.head = head.encode()
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        size = 65536 if size is None or size < 0 else size
        start = self.read_bytes
        self.read_bytes += size
        if start < len(self.head):
            chunk = self.head[start : start + size]
            return chunk + b"\xff" * (size - len(chunk))
        return b"\xff" * size

    def readline(self, size: int = -1) -> bytes:
        return self.read(size if size and size > 0 else 65536)


def post_endless(client: Client, path: str, fields: dict[str, str], declared: int) -> tuple[Any, int]:
    body = EndlessUpload(fields)
    response = client.generic(
        "POST",
        path,
        b"",
        CONTENT_TYPE=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(declared),
        **{"wsgi.input": body},
    )
    return response, body.read_bytes


def text_fields(**overrides: Any) -> dict[str, str]:
    data = request_data(**overrides)
    data["threatened_by"] = "relatives"
    return {k: str(v) for k, v in data.items()}


def test_a_200_mb_upload_is_refused_at_its_first_photo_with_the_text_kept(org: dict[str, object]) -> None:
    fields = text_fields(message="They came to the house at night.")
    response, read = post_endless(Client(), "/en/request/", fields, declared=200 * MB)

    assert response.status_code == 413
    assert read < 1 * MB  # the text and one chunk of the photo, not 200 MB
    page = response.content.decode()
    assert "They came to the house at night." in page
    assert "larger than 25 MB" in page
    assert not Thread.objects.exists()


def test_a_photo_over_its_limit_stops_the_read_there(org: dict[str, object], settings: Any) -> None:
    settings.CORRIDOR_UPLOAD_MAX_FILE_BYTES = 2 * MB
    # Declared within every limit, so only the bytes read can tell.
    response, read = post_endless(Client(), "/en/request/", text_fields(), declared=20 * MB)

    assert response.status_code == 413
    assert read < 3 * MB
    assert "larger than 2 MB" in response.content.decode()


def test_a_10_mb_message_comes_back_cut_with_a_clear_message_and_no_traceback(
    org: dict[str, object], caplog: pytest.LogCaptureFixture
) -> None:
    message = "Начало моего сообщения. " + "x" * (10 * MB)
    response = Client().post("/en/request/", request_data(message=message))

    assert response.status_code == 413
    page = response.content.decode()
    assert "far too long to send" in page
    assert "Начало моего сообщения." in page
    assert not Thread.objects.exists()
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]


def test_other_forms_answer_413_in_their_layout(
    org: dict[str, object], caplog: pytest.LogCaptureFixture
) -> None:
    response = Client().post("/en/thread/", {"codename": "x" * (2 * MB)}, format="multipart")

    assert response.status_code == 413
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
