"""Bad input on the applicant's pages: a clear 4xx the person can read, and nothing stored.

Bodies are built by hand (see `multipart`) so that file names, encodings and framing
are exactly what a hostile or broken client sends, not what Django's test client
would tidy up.
"""

from __future__ import annotations

import html
import io
import random
import re
import struct
import unicodedata
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from django.conf import LazySettings
from django.test import Client
from PIL import Image

from corridor.accounts.models import User
from corridor.accounts.services import unwrap_user_key
from corridor.audit.models import AuditEvent
from corridor.hotline import reading
from corridor.hotline.models import Attachment, Message, Thread
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

BOUNDARY = "corridor-test-7MA4YWxkTrZu0gW"
REQUIRED = [
    ("in_danger_now", b"no"),
    ("outed_to_family", b"unsure"),
    ("has_internal_passport", b"unsure"),
    ("has_foreign_passport", b"unsure"),
]
CODENAME = re.compile(r'<p class="codename[^"]*"[^>]*>\s*([\d ]{24})\s*</p>')


# --- building bodies ----------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    name: str
    value: bytes
    filename: bytes | None = None
    content_type: str = "image/jpeg"


def field(name: str, value: bytes | str) -> Part:
    return Part(name, value.encode() if isinstance(value, str) else value)


def photo(content: bytes, filename: bytes = b"photo.jpg", content_type: str = "image/jpeg") -> Part:
    return Part("photos", content, filename, content_type)


def multipart(parts: list[Part], *, boundary: str = BOUNDARY, closed: bool = True) -> bytes:
    out = bytearray()
    for part in parts:
        out += f"--{boundary}\r\n".encode()
        disposition = f'Content-Disposition: form-data; name="{part.name}"'.encode()
        if part.filename is not None:
            disposition += b'; filename="' + part.filename + b'"'
            disposition += f"\r\nContent-Type: {part.content_type}".encode()
        out += disposition + b"\r\n\r\n" + part.value + b"\r\n"
    if closed:
        out += f"--{boundary}--\r\n".encode()
    return bytes(out)


def post(client: Client, path: str, body: bytes, *, boundary: str | None = BOUNDARY) -> Any:
    content_type = "multipart/form-data" + (f"; boundary={boundary}" if boundary else "")
    return client.post(path, data=body, content_type=content_type)


def request_parts(*extra: Part, message: bytes | str = b"Please help") -> list[Part]:
    return [*(field(n, v) for n, v in REQUIRED), field("message", message), *extra]


@cache
def jpeg(size: tuple[int, int] = (32, 24)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def padded_jpeg(total: int) -> bytes:
    """A valid JPEG (decoders ignore bytes after its end marker) of exactly `total` bytes."""
    return jpeg() + bytes(total - len(jpeg()))


@cache
def noisy_jpeg() -> bytes:
    """A photo-like JPEG whose pixel data is most of the file (random pixels do not compress)."""
    pixels = random.Random(7).randbytes(160 * 120 * 3)
    buffer = io.BytesIO()
    Image.frombytes("RGB", (160, 120), pixels).save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


@cache
def bmp() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (0, 0, 0)).save(buffer, "BMP")
    return buffer.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@cache
def png_bomb(width: int, height: int) -> bytes:
    """A valid one-colour 1-bit PNG: a few kilobytes that decode to width x height pixels.

    Built directly (rather than with Image.new(...).save) because Pillow would hold
    400 MB of pixels in memory to write the 20000 x 20000 one.
    """
    row = bytes(1 + (width + 7) // 8)  # filter byte + one bit per pixel, all zero
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


# --- what the person sees, and what was kept -----------------------------------------------


def alerts(response: Any) -> str:
    """The error messages on the page, as the person reads them."""
    found = re.findall(r'role="alert">(.*?)</', response.content.decode(), flags=re.S)
    return " | ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).strip() for text in found)


def heading(response: Any) -> str:
    match = re.search(r"<h1>(.*?)</h1>", response.content.decode(), flags=re.S)
    return html.unescape(match.group(1)) if match else ""


@pytest.fixture
def data_dir(settings: LazySettings, tmp_path: Path) -> Path:
    """This test's own data directory, so 'no file left' can be checked exactly."""
    settings.DATA_DIR = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }
    return tmp_path


def stored_files(data_dir: Path) -> list[str]:
    return sorted(str(p.relative_to(data_dir)) for p in data_dir.rglob("*") if p.is_file())


@dataclass(frozen=True)
class Snapshot:
    threads: int
    messages: int
    attachments: int
    events: int
    files: list[str]
    last_applicant_at: Any


def snapshot(data_dir: Path) -> Snapshot:
    return Snapshot(
        threads=Thread.objects.count(),
        messages=Message.objects.count(),
        attachments=Attachment.objects.count(),
        events=AuditEvent.objects.count(),
        files=stored_files(data_dir),
        last_applicant_at=sorted(Thread.objects.values_list("last_applicant_at", flat=True)),
    )


@pytest.fixture
def kept(data_dir: Path, org: dict[str, object]) -> Callable[[], Snapshot]:
    """What is stored right now: rows that a request could add, and files in the data directory."""
    return lambda: snapshot(data_dir)


@pytest.fixture
def inside(org: dict[str, object], data_dir: Path) -> Client:
    """A browser inside an existing thread."""
    client = Client()
    sent = client.post("/en/request/", {**{n: v.decode() for n, v in REQUIRED}, "message": "First"})
    match = CODENAME.search(sent.content.decode())
    assert match, sent.content.decode()
    assert client.post("/en/thread/", {"codename": match.group(1)}).status_code == 302
    return client


# --- size limits ---------------------------------------------------------------------------


@pytest.fixture
def small_limits(settings: LazySettings) -> None:
    settings.CORRIDOR_UPLOAD_MAX_FILE_BYTES = 50_000
    settings.CORRIDOR_UPLOAD_MAX_TOTAL_BYTES = 100_000


SIZE_CASES = {
    "one file over the per-file limit": ([padded_jpeg(60_000)], "A photo is larger than"),
    "six files": ([jpeg()] * 6, "At most 5 photos can be sent at once."),
    "files over the total limit together": ([padded_jpeg(40_000)] * 3, "The photos together are larger"),
}


@pytest.mark.usefixtures("small_limits")
@pytest.mark.parametrize(("files", "message"), SIZE_CASES.values(), ids=SIZE_CASES.keys())
def test_request_over_the_upload_limits_is_refused(
    kept: Callable[[], Snapshot], files: list[bytes], message: str
) -> None:
    before = kept()
    body = multipart(request_parts(*(photo(f, f"p{i}.jpg".encode()) for i, f in enumerate(files))))

    response = post(Client(), "/en/request/", body)

    assert response.status_code == 413
    assert message in alerts(response)
    assert kept() == before


@pytest.mark.usefixtures("small_limits")
@pytest.mark.parametrize(("files", "message"), SIZE_CASES.values(), ids=SIZE_CASES.keys())
def test_writing_again_over_the_upload_limits_is_refused(
    inside: Client, kept: Callable[[], Snapshot], files: list[bytes], message: str
) -> None:
    before = kept()
    parts = [field("message", "more photos"), *(photo(f, f"p{i}.jpg".encode()) for i, f in enumerate(files))]

    response = post(inside, "/en/thread/write/", multipart(parts))

    assert response.status_code == 413
    assert message in alerts(response)
    assert "First" in response.content.decode()  # still the person's thread page
    assert kept() == before


def test_files_just_under_the_limits_are_accepted(
    data_dir: Path, org: dict[str, object], settings: LazySettings
) -> None:
    settings.CORRIDOR_UPLOAD_MAX_FILE_BYTES = 50_000
    settings.CORRIDOR_UPLOAD_MAX_TOTAL_BYTES = 250_000
    files = [photo(padded_jpeg(50_000), f"p{i}.jpg".encode()) for i in range(5)]

    response = post(Client(), "/en/request/", multipart(request_parts(*files)))

    assert response.status_code == 200
    assert Attachment.objects.count() == 5
    assert not list((data_dir / "tmp").iterdir())


def test_text_beyond_the_form_size_limit_is_refused(kept: Callable[[], Snapshot]) -> None:
    before = kept()
    body = multipart(request_parts(message=b"x" * (1024 * 1024 + 1)))

    response = post(Client(), "/en/request/", body)

    # A clear message on the form itself (the text comes back cut), not a generic error page.
    assert response.status_code == 413
    assert "far too long to send" in response.content.decode()
    assert kept() == before


def test_too_many_fields_are_refused(kept: Callable[[], Snapshot]) -> None:
    before = kept()
    body = multipart(request_parts(*(field(f"extra{i}", "x") for i in range(250))))

    response = post(Client(), "/en/request/", body)

    assert response.status_code == 400
    assert heading(response) == "The request could not be accepted"
    assert kept() == before


def test_text_beyond_the_form_size_limit_after_a_photo_is_refused(kept: Callable[[], Snapshot]) -> None:
    before = kept()
    body = multipart([*(field(n, v) for n, v in REQUIRED), photo(jpeg()), field("message", b"x" * 1_100_000)])

    response = post(Client(), "/en/request/", body)

    # A clear message on the form itself (the text comes back cut), not a generic error page.
    assert response.status_code == 413
    assert "far too long to send" in response.content.decode()
    assert kept() == before


def test_too_many_fields_after_a_photo_are_refused(kept: Callable[[], Snapshot]) -> None:
    before = kept()
    body = multipart([photo(jpeg()), *request_parts(*(field(f"extra{i}", "x") for i in range(250)))])

    response = post(Client(), "/en/request/", body)

    assert response.status_code == 400
    assert heading(response) == "The request could not be accepted"
    assert kept() == before


# --- text that cannot be accepted ------------------------------------------------------------


UNREADABLE = "Part of the text could not be read. Type it again, please."
TEXT_CASES = {
    "invalid UTF-8 in the message": (request_parts(message=b"I am \xff\xfe here"), UNREADABLE),
    "invalid UTF-8 in the safe contact": (
        request_parts(field("safe_contact", b"evenings \xc3\x28")),
        UNREADABLE,
    ),
    "NUL byte in the message": (request_parts(message=b"help\x00me"), "Null characters are not allowed."),
    "control character in the message": (
        request_parts(message=b"help \x1b[2J me"),
        "The text contains characters that cannot be accepted.",
    ),
    "message too long": (
        request_parts(message=b"a" * 20_001),
        "The text is too long (at most 20,000 characters).",
    ),
}


@pytest.mark.parametrize(("parts", "message"), TEXT_CASES.values(), ids=TEXT_CASES.keys())
def test_request_with_unacceptable_text_is_refused(
    kept: Callable[[], Snapshot], parts: list[Part], message: str
) -> None:
    before = kept()

    response = post(Client(), "/en/request/", multipart(parts))

    assert response.status_code == 400
    assert message in alerts(response)
    assert kept() == before


WRITE_TEXT_CASES = {
    "invalid UTF-8": (b"still \xff here", UNREADABLE),
    "NUL byte": (b"still\x00here", "Null characters are not allowed."),
    "empty": (b"   ", "Write a few words about what is happening."),
}


@pytest.mark.parametrize(("text", "message"), WRITE_TEXT_CASES.values(), ids=WRITE_TEXT_CASES.keys())
def test_writing_again_with_unacceptable_text_is_refused(
    inside: Client, kept: Callable[[], Snapshot], text: bytes, message: str
) -> None:
    before = kept()

    response = post(inside, "/en/thread/write/", multipart([field("message", text)]))

    assert response.status_code == 400
    assert message in alerts(response)
    assert kept() == before


# --- files that are not photos, or are bombs ---------------------------------------------


NOT_A_PHOTO = "This file could not be read as a photo."
TOO_LARGE = "This picture is too large. Send a smaller photo."
FILE_CASES = {
    "text disguised as .jpg": (photo(b"just some text, not a photo\n" * 20), NOT_A_PHOTO),
    "PDF disguised as .jpg": (photo(MINIMAL_PDF), NOT_A_PHOTO),
    "PDF as itself": (photo(MINIMAL_PDF, b"passport.pdf", "application/pdf"), NOT_A_PHOTO),
    "a picture in a format that is not accepted (BMP)": (
        photo(bmp(), b"photo.bmp", "image/bmp"),
        "Only photos can be attached (JPEG, PNG, WebP or GIF).",
    ),
    "a JPEG cut in half": (photo(noisy_jpeg()[: len(noisy_jpeg()) // 2]), NOT_A_PHOTO),
    "PNG bomb 20000 x 20000": (photo(png_bomb(20000, 20000), b"bomb.png", "image/png"), TOO_LARGE),
    "PNG bomb 10000 x 10000": (photo(png_bomb(10000, 10000), b"bomb.png", "image/png"), TOO_LARGE),
    "PNG over the server's own pixel limit": (
        photo(png_bomb(7000, 7000), b"big.png", "image/png"),
        TOO_LARGE,
    ),
}


@pytest.mark.parametrize(("part", "message"), FILE_CASES.values(), ids=FILE_CASES.keys())
def test_request_with_a_file_that_is_not_an_acceptable_photo_is_refused(
    kept: Callable[[], Snapshot], part: Part, message: str
) -> None:
    before = kept()
    # A good photo first: one bad file must reject the whole request.
    body = multipart(request_parts(photo(jpeg(), b"good.jpg"), part))

    response = post(Client(), "/en/request/", body)

    assert response.status_code == 400
    assert message in alerts(response)
    assert "Please help" in response.content.decode()  # the typed message survives
    assert kept() == before


@pytest.mark.parametrize(("part", "message"), FILE_CASES.values(), ids=FILE_CASES.keys())
def test_writing_again_with_a_file_that_is_not_an_acceptable_photo_is_refused(
    inside: Client, kept: Callable[[], Snapshot], part: Part, message: str
) -> None:
    before = kept()

    response = post(inside, "/en/thread/write/", multipart([field("message", "look"), part]))

    assert response.status_code == 400
    assert message in alerts(response)
    assert kept() == before


def test_the_bomb_really_is_one() -> None:
    image = Image.open(io.BytesIO(png_bomb(30, 20)))
    image.load()
    assert image.size == (30, 20)
    assert len(png_bomb(20000, 20000)) < 100_000
    with pytest.raises(Image.DecompressionBombError):
        Image.open(io.BytesIO(png_bomb(20000, 20000)))


# --- malformed multipart ----------------------------------------------------------------------


def test_body_with_the_wrong_boundary_is_refused(kept: Callable[[], Snapshot]) -> None:
    before = kept()
    body = multipart(request_parts(photo(jpeg())), boundary="not-the-announced-one")

    response = post(Client(), "/en/request/", body)

    assert response.status_code == 400
    assert "The request arrived incomplete" in alerts(response)
    assert kept() == before


def test_multipart_without_a_boundary_is_refused(kept: Callable[[], Snapshot]) -> None:
    before = kept()

    response = post(Client(), "/en/request/", multipart(request_parts()), boundary=None)

    assert response.status_code == 400
    assert heading(response) == "The request could not be accepted"
    assert 'class="quick-exit"' in response.content.decode()
    assert kept() == before


def test_body_cut_inside_a_photo_is_refused(kept: Callable[[], Snapshot]) -> None:
    before = kept()
    body = multipart(request_parts(photo(noisy_jpeg())))
    start = body.index(noisy_jpeg())
    cut = body[: start + len(noisy_jpeg()) // 2]

    response = post(Client(), "/en/request/", cut)

    assert response.status_code == 400
    assert "The request arrived incomplete" in alerts(response)
    assert kept() == before


def test_body_cut_inside_the_message_is_refused(kept: Callable[[], Snapshot]) -> None:
    before = kept()
    body = multipart(request_parts(message="I am hiding in the basement of the house on Lenin street 12"))
    cut = body[: body.index(b"Lenin")]

    response = post(Client(), "/en/request/", cut)

    assert response.status_code == 400
    assert "The request arrived incomplete" in alerts(response)
    assert "I am hiding in the basement" in response.content.decode()  # what arrived is offered back
    assert kept() == before


@pytest.mark.parametrize("cut_at", [b"basement", b"\xff\xd8"], ids=["inside the message", "inside a photo"])
def test_writing_again_with_a_body_cut_short_is_refused(
    inside: Client, kept: Callable[[], Snapshot], cut_at: bytes
) -> None:
    before = kept()
    body = multipart([field("message", "I am in the basement now"), photo(noisy_jpeg())])
    cut = body[: body.index(cut_at) + 4]

    response = post(inside, "/en/thread/write/", cut)

    assert response.status_code == 400
    assert "The request arrived incomplete" in alerts(response)
    assert kept() == before


# --- the form itself ---------------------------------------------------------------------------


def test_honeypot_filled_in_is_refused(kept: Callable[[], Snapshot]) -> None:
    before = kept()
    body = multipart(request_parts(photo(jpeg()), field("website", "http://spam.example/")))

    response = post(Client(), "/en/request/", body)

    assert response.status_code == 400
    assert "The request could not be sent." in alerts(response)
    assert kept() == before


def test_missing_answer_keeps_what_the_person_typed(kept: Callable[[], Snapshot]) -> None:
    before = kept()
    typed = "My brother found my messages & <photos>, he says he will tell our father"
    parts = [p for p in request_parts(message=typed) if p.name != "in_danger_now"]

    response = post(Client(), "/en/request/", multipart(parts))

    assert response.status_code == 400
    assert "This field is required." in alerts(response)
    page = response.content.decode()
    assert html.escape(typed) in page
    assert re.search(r"<textarea[^>]*>\s*" + re.escape(html.escape(typed)) + r"\s*</textarea>", page)
    assert kept() == before


# --- hostile file names -------------------------------------------------------------------------


HOSTILE_NAMES = {
    "path traversal": (b"../../../etc/passwd", "passwd"),
    "windows path traversal": (b"..\\..\\..\\windows\\win.ini", "win.ini"),
    "script tag": (b"<script>.jpg", "<script>.jpg"),
    "markup with a handler": (b"<img src=x onerror=alert(1)>.jpg", "<img src=x onerror=alert(1)>.jpg"),
    "markup with a slash": (b"<script>alert(1)</script>.jpg", "script>.jpg"),
    "500 characters": (b"a" * 496 + b".jpg", None),
    "control characters": (b"ev\x01il\x1b[31m\x07\x7fname.jpg", None),
    "right-to-left override": ("photo\u202egpj.exe".encode(), None),
}


def _safe(name: str) -> bool:
    return (
        0 < len(name) <= 100
        and "/" not in name
        and "\\" not in name
        and not name.startswith(".")
        and all(unicodedata.category(ch)[0] != "C" for ch in name)
    )


@pytest.mark.parametrize(("filename", "expected"), HOSTILE_NAMES.values(), ids=HOSTILE_NAMES.keys())
def test_hostile_file_name_is_never_used_as_a_path_and_is_shown_inert(
    data_dir: Path,
    olga: User,
    signed_in: Callable[[User], Client],
    filename: bytes,
    expected: str | None,
) -> None:
    passwd_before = Path("/etc/passwd").stat().st_mtime_ns
    response = post(Client(), "/en/request/", multipart(request_parts(photo(jpeg(), filename))))

    assert response.status_code == 200
    thread = Thread.objects.get()
    (attachment,) = Attachment.objects.filter(thread=thread)
    for blob in (attachment.original_blob, attachment.stripped_blob):
        assert re.fullmatch(r"hotline/[0-9a-f-]{36}\.(orig|view)", blob)
    assert stored_files(data_dir) == sorted(
        [f"media/{attachment.original_blob}", f"media/{attachment.stripped_blob}"]
    )
    assert Path("/etc/passwd").stat().st_mtime_ns == passwd_before

    view = reading.thread_for_staff(
        user=olga,
        user_private_key=unwrap_user_key(olga, PASSWORD),
        thread=thread,
    )
    (shown,) = view.messages[0].attachments
    assert _safe(shown.name), shown.name
    if expected is not None:
        assert shown.name == expected

    page = signed_in(olga).get(f"/staff/hotline/{thread.pk}/").content.decode()
    assert html.escape(shown.name) in page
    if "<" in shown.name:
        assert shown.name not in page
    assert "\x1b" not in page
    assert "\x07" not in page


# --- script injection -------------------------------------------------------------------------


SCRIPT = "<script>alert(document.cookie)</script>"
IMG = '"><img src=x onerror=alert(1)>'


def test_script_in_the_message_and_contact_is_kept_but_inert(
    data_dir: Path, olga: User, signed_in: Callable[[User], Client]
) -> None:
    client = Client()
    sent = post(client, "/en/request/", multipart(request_parts(field("safe_contact", IMG), message=SCRIPT)))
    assert sent.status_code == 200
    match = CODENAME.search(sent.content.decode())
    assert match
    thread = Thread.objects.get()

    view = reading.thread_for_staff(
        user=olga,
        user_private_key=unwrap_user_key(olga, PASSWORD),
        thread=thread,
    )
    assert view.messages[0].text == SCRIPT
    assert view.triage.safe_contact == IMG

    assert client.post("/en/thread/", {"codename": match.group(1)}).status_code == 302
    applicant_page = client.get("/en/thread/messages/").content.decode()
    assert html.escape(SCRIPT) in applicant_page
    assert "<script" not in applicant_page
    assert "<img src=x" not in applicant_page

    staff_page = signed_in(olga).get(f"/staff/hotline/{thread.pk}/").content.decode()
    assert html.escape(SCRIPT) in staff_page
    assert html.escape(IMG) in staff_page
    assert "<script" not in staff_page
    assert "<img src=x" not in staff_page


def test_script_in_a_codename_is_refused_and_inert(org: dict[str, object]) -> None:
    response = Client().post("/en/thread/", {"codename": IMG})

    assert response.status_code == 400
    page = response.content.decode()
    assert "This codename is not known" in page
    assert "<img src=x" not in page


def test_line_breaks_do_not_count_twice_towards_the_length(kept: Callable[[], Snapshot]) -> None:
    """Browsers send CRLF; 19,000 characters over 1,000 lines are within the 20,000 limit."""
    message = ("a" * 18 + "\r\n") * 1000
    response = post(Client(), "/en/request/", multipart(request_parts(message=message.encode())))
    assert response.status_code == 200


def test_control_characters_in_the_safe_contact_answer_are_refused(kept: Callable[[], Snapshot]) -> None:
    before = kept()
    parts = [*request_parts(), field("safe_contact", "eve\x1b[2Jnings\x07")]
    response = post(Client(), "/en/request/", multipart(parts))
    assert response.status_code == 400
    assert "cannot be accepted" in alerts(response)
    assert kept() == before
