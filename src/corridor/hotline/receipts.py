"""One-time form tokens: a request sent twice (reload, back button, double tap) opens one thread.

The form carries a random token. The first submission stores a receipt: the thread it
opened and its codename, sealed under a key derived from the token. A repeat finds the
receipt by an HMAC of the token and shows the same codename again, creating nothing.
Receipts expire after an hour; the codename is never stored in a form anyone but the
holder of the token can read.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.utils.crypto import salted_hmac

from corridor.crypto.envelope import open_field, seal_field
from corridor.crypto.errors import CryptoError
from corridor.hotline.models import SubmissionReceipt, Thread

RECEIPT_LIFETIME = timedelta(hours=1)
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")


def new_token() -> str:
    """256 random bits for a fresh form."""
    return secrets.token_urlsafe(32)


def well_formed(token: str) -> bool:
    return bool(_TOKEN.match(token))


def _token_id(token: str) -> str:
    return salted_hmac("corridor.receipt.v1", token, algorithm="sha256").hexdigest()


def _key(token: str) -> bytes:
    return hashlib.sha256(b"corridor.receipt-key.v1\x00" + token.encode()).digest()


@dataclass(frozen=True)
class Receipt:
    thread: Thread
    codename: str


def find_receipt(token: str) -> Receipt | None:
    """The answer a form with this token already received, within the last hour."""
    if not well_formed(token):
        return None
    row = SubmissionReceipt.objects.select_related("thread").filter(token_id=_token_id(token)).first()
    if row is None or row.created_at < datetime.now(UTC) - RECEIPT_LIFETIME:
        return None
    try:
        codename = open_field(
            _key(token),
            bytes(row.sealed_codename),
            model="hotline.SubmissionReceipt",
            row=row.token_id,
            field="codename",
        ).decode()
    except (CryptoError, UnicodeDecodeError):
        return None
    return Receipt(thread=row.thread, codename=codename)


def record_receipt(*, token: str, thread: Thread, codename: str) -> None:
    """Store the answer in the caller's transaction; a second receipt for one token is refused."""
    now = datetime.now(UTC)
    SubmissionReceipt.objects.filter(created_at__lt=now - RECEIPT_LIFETIME).delete()
    token_id = _token_id(token)
    SubmissionReceipt.objects.create(
        token_id=token_id,
        thread=thread,
        sealed_codename=seal_field(
            _key(token), codename.encode(), model="hotline.SubmissionReceipt", row=token_id, field="codename"
        ),
        created_at=now,
    )
