"""Uploads that never touch the disk in plaintext, and metadata removal from photos.

The upload handler encrypts each file as it streams in, under a fresh random key held
only in memory, so the temporary file holds ciphertext. Limits are enforced while
streaming; a request that breaks one is marked, its files are discarded, and the rest
of its body is never read (a 200 MB upload is refused at its first photo, not after
arriving in full). Text fields over the form limit are salvaged, cut, for the form.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.datastructures import MultiValueDict
from django.utils.http import parse_header_parameters
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from corridor.crypto.envelope import generate_key
from corridor.crypto.files import StreamEncryptor, decrypt_chunks

UPLOAD_ERROR = "_corridor_upload_error"
# Accepted photo formats, and what the copy for staff is saved as. MPO is how phones
# save a JPEG that carries further pictures (depth map, HDR gain map, second lens).
IMAGE_FORMATS = {
    "JPEG": ("JPEG", "image/jpeg"),
    "MPO": ("JPEG", "image/jpeg"),
    "PNG": ("PNG", "image/png"),
    "WEBP": ("WEBP", "image/webp"),
    "GIF": ("PNG", "image/png"),
}
MAX_PIXELS = 40_000_000
# Room for a multipart body's boundaries and part headers on top of its limits.
_MULTIPART_OVERHEAD = 64 * 1024
# Salvaged text is cut to the longest any applicant field accepts.
SALVAGED_CHARS = 20_000
# The views that show a salvaged form again (and check UPLOAD_ERROR); others answer 413 at once.
_SALVAGING_VIEWS = {"hotline_public:request", "hotline_public:write"}


class UploadRejected(ValueError):
    """A file that cannot be accepted; the message is safe to show to the person."""


class EncryptedUpload(UploadedFile):
    """A received file: ciphertext in a nameless temporary file, its key and raw-byte hash in memory."""

    def __init__(
        self, *, ciphertext: BinaryIO, key: bytes, sha256: str, size: int, name: str, content_type: str
    ) -> None:
        super().__init__(file=None, name=name, content_type=content_type, size=size)
        self.ciphertext = ciphertext
        self.key = key
        self.sha256 = sha256

    def plaintext(self) -> bytes:
        """Decrypt into memory (never to disk)."""
        self.ciphertext.seek(0)
        return b"".join(decrypt_chunks(self.key, iter(lambda: self.ciphertext.read(65536), b"")))

    def discard(self) -> None:
        self.ciphertext.close()

    def close(self) -> None:
        # Django closes every uploaded file when the request ends, or when parsing fails
        # half-way: the ciphertext is no longer needed either way.
        self.discard()


def nameless_temporary_file() -> BinaryIO:
    """A temporary file with no name on disk: freed when closed, or when the process dies."""
    return tempfile.TemporaryFile(dir=upload_dir())


def upload_dir() -> Path:
    path = Path(settings.DATA_DIR) / "tmp"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def safe_display_name(name: str) -> str:
    """The base name only, without control characters or path tricks, at most 100 characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    cleaned = cleaned.strip().lstrip(".") or "file"
    return cleaned[:100]


class EncryptingUploadHandler(FileUploadHandler):
    """Encrypts every uploaded file while it streams in; enforces per-file, count and total limits."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.files_seen = 0
        self.total = 0
        self.declared_length = 0
        self._handle: BinaryIO | None = None

    def handle_raw_input(
        self, input_data: Any, meta: Any, content_length: int, boundary: Any, encoding: str | None = None
    ) -> None:
        self.declared_length = content_length

    def _fail(self, code: str) -> None:
        if self.request is not None:
            setattr(self.request, UPLOAD_ERROR, code)
        self._discard_current()
        # The rest of the body is left unread: the answer goes out now, and the server
        # closes the connection instead of reading megabytes it would throw away.
        raise StopUpload(connection_reset=True)

    @staticmethod
    def body_limit() -> int:
        return (
            settings.CORRIDOR_UPLOAD_MAX_TOTAL_BYTES
            + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            + _MULTIPART_OVERHEAD
        )

    def _discard_current(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        # A body declared larger than every limit together is refused at its first file,
        # once the text before it (what the person typed) has been read.
        if self.declared_length > self.body_limit():
            self._fail("upload_too_large")
        self.files_seen += 1
        if self.files_seen > settings.CORRIDOR_UPLOAD_MAX_FILES:
            self._fail("too_many_files")
        self._key = generate_key()
        self._encryptor = StreamEncryptor(self._key)
        self._hash = hashlib.sha256()
        self._size = 0
        self._handle = nameless_temporary_file()
        self._handle.write(self._encryptor.header)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self._size += len(raw_data)
        self.total += len(raw_data)
        if self._size > settings.CORRIDOR_UPLOAD_MAX_FILE_BYTES:
            self._fail("file_too_large")
        if self.total > settings.CORRIDOR_UPLOAD_MAX_TOTAL_BYTES:
            self._fail("upload_too_large")
        self._hash.update(raw_data)
        assert self._handle is not None
        self._handle.write(self._encryptor.update(raw_data))

    def file_complete(self, file_size: int) -> EncryptedUpload | None:
        assert self._handle is not None
        self._handle.write(self._encryptor.finish())
        handle, self._handle = self._handle, None
        if self._size == 0:
            handle.close()
            return None
        return EncryptedUpload(
            ciphertext=handle,
            key=self._key,
            sha256=self._hash.hexdigest(),
            size=self._size,
            name=safe_display_name(self.file_name or "file"),
            content_type=self.content_type or "application/octet-stream",
        )

    def upload_interrupted(self) -> None:
        self._discard_current()


@dataclass(frozen=True)
class StrippedImage:
    data: bytes
    content_type: str
    width: int
    height: int


def _picture_too_large() -> UploadRejected:
    return UploadRejected(_("This picture is too large. Send a smaller photo."))


def _unreadable() -> UploadRejected:
    return UploadRejected(_("This file could not be read as a photo."))


def _open_photo(data: bytes) -> tuple[Image.Image, str]:
    """Open a photo's first picture without decoding its pixels; refuse other formats and huge pictures."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            fmt = image.format or ""
            if fmt not in IMAGE_FORMATS:
                raise UploadRejected(_("Only photos can be attached (JPEG, PNG, WebP or GIF)."))
            # Only the first picture is ever decoded and kept: the photo itself, not an
            # MPO's depth map or second lens (which may show more of the place), nor the
            # later frames of an animation. The size limits below apply to it.
            image.seek(0)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _picture_too_large() from None
        except UploadRejected:
            raise
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise _unreadable() from None
    if image.width * image.height > MAX_PIXELS:
        raise _picture_too_large()
    return image, fmt


def _decode(image: Image.Image) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _picture_too_large() from None
        except (OSError, SyntaxError, ValueError):
            raise _unreadable() from None


def _jpeg_complete(data: bytes) -> bool:
    """Whether a JPEG's first picture arrived whole: its segments lead to a scan that ends (EOI).

    Inside the scan every 0xFF byte is followed by 0x00 or a restart marker, so the first
    EOI after the start of the scan is the picture's own (an EXIF thumbnail's comes before).
    """
    position = 2  # after SOI
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return False
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte before a marker
            position += 1
            continue
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        if marker == 0xDA:  # start of scan
            return data.find(b"\xff\xd9", position + 2 + length) != -1
        position += 2 + length
    return False


def photo_copy_type(data: bytes) -> str:
    """Check, cheaply, that a file is a whole photo Corridor accepts; the content type of its copy.

    What a request can afford: the format and size from the header, and for JPEG (what phones
    send) that the picture arrived whole, without decoding its pixels. Other formats are
    decoded here. Raises UploadRejected with a message for the person.
    """
    image, fmt = _open_photo(data)
    if fmt in ("JPEG", "MPO"):
        if not _jpeg_complete(data):
            raise _unreadable()
    else:
        _decode(image)
    return IMAGE_FORMATS[fmt][1]


def strip_image(data: bytes) -> StrippedImage:
    """Re-encode a photo's first picture from pixels alone: no EXIF, GPS, XMP, MP index, comment, profile."""
    image, fmt = _open_photo(data)
    _decode(image)
    try:
        ImageOps.exif_transpose(image, in_place=True)
    except (OSError, SyntaxError, ValueError):
        raise _unreadable() from None
    save_as, content_type = IMAGE_FORMATS[fmt]
    # A new image from the pixels alone: nothing of the original's metadata can come along.
    pixels = image if image.mode != "P" else image.convert("RGBA")
    clean = Image.new(pixels.mode, pixels.size)
    clean.paste(pixels)  # one copy of the pixels, into an image that never had any metadata
    if save_as == "JPEG" and clean.mode not in ("RGB", "L"):
        clean = clean.convert("RGB")
    out = io.BytesIO()
    clean.save(out, save_as, **({"quality": 90} if save_as in ("JPEG", "WEBP") else {}))
    return StrippedImage(out.getvalue(), content_type, clean.width, clean.height)


class _TailRecorder:
    """Passes a request body through, remembering its last bytes and its first ones (for salvage)."""

    def __init__(self, stream: Any, head_limit: int = 0) -> None:
        self._stream = stream
        self.tail = b""
        self.head = bytearray()
        self._head_limit = head_limit

    def _keep(self, data: bytes) -> bytes:
        self.tail = (self.tail + data)[-512:]
        if len(self.head) < self._head_limit:
            self.head += data[: self._head_limit - len(self.head)]
        return data

    def read(self, *args: Any) -> bytes:
        return self._keep(self._stream.read(*args))

    def readline(self, *args: Any) -> bytes:
        return self._keep(self._stream.readline(*args))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class MultipartGuardMiddleware:
    """Lets views tell a complete multipart body from one cut short, and text over the limit from an error.

    Django's parser treats the end of the stream as the end of the form, so a body that
    stops inside a message or a photo would be accepted as a shorter message. The body
    is recorded on its way through (its tail, and its first megabyte or so) and views
    check the closing boundary. Text fields over DATA_UPLOAD_MAX_MEMORY_SIZE make Django
    raise RequestDataTooBig (a generic 400 and a traceback in the log); here the form
    views get instead what arrived of the fields, cut, marked "form_too_large" (413).
    """

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        content_type = request.META.get("CONTENT_TYPE", "")
        if (
            request.method == "POST"
            and content_type.startswith("multipart/form-data")
            and hasattr(request, "_stream")
        ):
            head_limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + _MULTIPART_OVERHEAD
            request._stream = _TailRecorder(request._stream, head_limit)  # type: ignore[assignment]
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if request.method != "POST":
            return None
        try:
            request.POST  # noqa: B018 - parsed here, before CSRF and the view read it
        except RequestDataTooBig:
            match = request.resolver_match
            recorder = getattr(request, "_stream", None)
            if (
                match is None
                or match.view_name not in _SALVAGING_VIEWS
                or not isinstance(recorder, _TailRecorder)
            ):
                return _too_large(request)
            # Django keeps the parsed form in these two attributes; the salvage takes their place.
            salvaged = salvage_fields(bytes(recorder.head), request.META.get("CONTENT_TYPE", ""))
            request._post = salvaged  # type: ignore[attr-defined]
            request._files = MultiValueDict()  # type: ignore[attr-defined]
            setattr(request, UPLOAD_ERROR, "form_too_large")
        return None


def _too_large(request: HttpRequest) -> HttpResponse:
    """413 in the page's own layout for forms that cannot show what was sent again."""
    staff = request.path.startswith("/staff/")
    template = "web/error.html" if staff else "hotline/public/error.html"
    return render(request, template, {"status": 413}, status=413)


def _boundary(content_type: str) -> str:
    for part in content_type.split(";"):
        key, _sep, value = part.strip().partition("=")
        if key.lower() == "boundary":
            return value.strip('"')
    return ""


def salvage_fields(head: bytes, content_type: str) -> QueryDict:
    """The text fields found in the first bytes of a multipart body, the last one possibly cut.

    Unvalidated: the form validates them again, and the view says the text was cut.
    """
    salvaged = QueryDict(mutable=True)
    boundary = _boundary(content_type)
    if not boundary:
        return salvaged
    for part in head.split(b"--" + boundary.encode("latin-1"))[1:]:
        if part.startswith(b"--"):
            break
        headers, found, body = part.partition(b"\r\n\r\n")
        if not found:
            break
        disposition = next(
            (line for line in headers.split(b"\r\n") if line.lower().startswith(b"content-disposition:")), b""
        )
        _kind, params = parse_header_parameters(disposition.partition(b":")[2].decode("latin-1"))
        name = params.get("name")
        if not name or "filename" in params:
            continue
        body = body.removesuffix(b"\r\n")
        salvaged.appendlist(name, body.decode("utf-8", errors="ignore")[:SALVAGED_CHARS])
    salvaged._mutable = False
    return salvaged


def multipart_complete(request: HttpRequest) -> bool:
    """False when a multipart body ended before its closing boundary."""
    recorder = getattr(request, "_stream", None)
    if not isinstance(recorder, _TailRecorder):
        return True
    boundary = _boundary(request.META.get("CONTENT_TYPE", ""))
    if not boundary:
        return False
    return recorder.tail.rstrip(b"\r\n").endswith(b"--" + boundary.encode("latin-1") + b"--")
