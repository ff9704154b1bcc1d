"""Shared helpers for the operator-side hotline tests."""

from __future__ import annotations

import hashlib
import io

from PIL import ExifTags, Image

from corridor.accounts import keyring, second_factor
from corridor.accounts import services as account_services
from corridor.accounts.models import OrgKeyKind, Role, User
from corridor.crypto.envelope import generate_key
from corridor.crypto.files import encrypt_bytes
from corridor.hotline import services, uploads
from corridor.hotline.triage import Triage
from tests.conftest import PASSWORD

# Coordinators (carol) read the hotline too: tests/hotline/test_coordinators.py.
ROLES_WITHOUT_HOTLINE = ["alice", "dave", "judy"]


def open_web_thread(
    text: str = "They took my phone. Please help.",
    *,
    triage: Triage | None = None,
    files: list[services.PreparedFile] | None = None,
) -> services.NewThread:
    """A thread as the public form opens it; like the public view, the temporary uploads go afterwards."""
    try:
        return services.open_thread(
            triage=triage or Triage(region="RU-CE", threatened_by=["relatives"]), text=text, files=files or []
        )
    finally:
        for prepared in files or []:
            prepared.upload.discard()


def private_key(user: User) -> bytes:
    """The user's private key, unwrapped with their password as at sign-in."""
    unlocked = account_services.unlock_with_password(user.username, PASSWORD)
    assert unlocked is not None
    return unlocked.private_key


def make_keyless_operator(org: dict[str, object], username: str = "newop") -> User:
    """An operator whose hotline and signing keys have not been granted yet (signed-in capable)."""
    secrets = org["secrets"]
    assert isinstance(secrets, dict)
    user = account_services.create_user(
        actor=None,
        actor_private_key=None,
        username=username,
        password=PASSWORD,
        roles={Role.OPERATOR},
        must_change_password=False,
        index_key=secrets[OrgKeyKind.INDEX],
    )
    assert OrgKeyKind.HOTLINE.value not in keyring.held_kinds(user)
    device = second_factor.start_totp_enrolment(user)
    second_factor.confirm_totp_enrolment(
        user=user, device=device, token=second_factor.current_totp_code(device), name="phone"
    )
    return user


def jpeg_with_gps() -> bytes:
    """A small photo whose EXIF says where it was taken and with what."""
    image = Image.new("RGB", (40, 30), (200, 10, 10))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SpyCam"
    exif[ExifTags.Base.Model] = "Serial 12345"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (43.0, 19.0, 0.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (45.0, 41.0, 0.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    return data


def encrypted_upload(data: bytes, *, name: str, content_type: str = "image/jpeg") -> uploads.EncryptedUpload:
    """What EncryptingUploadHandler hands over: ciphertext in a temporary file, key and hash in memory."""
    key = generate_key()
    handle = uploads.nameless_temporary_file()
    handle.write(encrypt_bytes(key, data))
    return uploads.EncryptedUpload(
        ciphertext=handle,
        key=key,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        name=uploads.safe_display_name(name),
        content_type=content_type,
    )


def prepared_photo(name: str = "IMG_0001.jpg") -> list[services.PreparedFile]:
    return services.prepare_files([encrypted_upload(jpeg_with_gps(), name=name)])
