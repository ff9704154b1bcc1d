"""A form sent twice (reload, back and send again, a double tap) opens one thread.

The first submission stores a receipt: the thread it opened and its codename, sealed.
A repeat finds the receipt and shows the same codename again, creating nothing. A
repeat is recognised two ways, because browsers differ in what they send again:

- by the form's **one-time token** (a hidden field): a reload or a double tap sends the
  same body, token included;
- by the **same content from the same browser**: going back fetches the form anew (no
  page is cached), so its token is new, but the browser restores what was typed. The
  lookup is an HMAC of the browser's CSRF secret (its session-only cookie) and the
  text and answers, so another browser sending the same words is not matched.

Each way has its own receipt row: a lookup id (an HMAC under the server's secret) and
the codename sealed under a key derived from the same material. Neither the token, the
cookie nor the content is stored, so a copy of the database cannot open a receipt.
Receipts expire after an hour.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

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


@dataclass(frozen=True)
class ReceiptKey:
    lookup_id: str
    seal_key: bytes


def _key(kind: str, material: bytes) -> ReceiptKey:
    lookup = salted_hmac(f"corridor.receipt.{kind}.v1", material, algorithm="sha256").hexdigest()
    seal = hashlib.sha256(f"corridor.receipt-key.{kind}.v1\x00".encode() + material).digest()
    return ReceiptKey(lookup_id=lookup, seal_key=seal)


def submission_keys(*, token: str, browser_secret: str, content: Mapping[str, Any]) -> list[ReceiptKey]:
    """The ways a repeat of this submission can be recognised (none when the form carries neither)."""
    found = []
    if well_formed(token):
        found.append(_key("token", token.encode()))
    if browser_secret:
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        found.append(_key("content", browser_secret.encode() + b"\x00" + canonical.encode()))
    return found


@dataclass(frozen=True)
class Receipt:
    thread: Thread
    codename: str


def find_receipt(keys: list[ReceiptKey]) -> Receipt | None:
    """The answer this submission already received, within the last hour."""
    cutoff = datetime.now(UTC) - RECEIPT_LIFETIME
    for key in keys:
        row = SubmissionReceipt.objects.select_related("thread").filter(lookup_id=key.lookup_id).first()
        if row is None or row.created_at < cutoff:
            continue
        try:
            codename = open_field(
                key.seal_key,
                bytes(row.sealed_codename),
                model="hotline.SubmissionReceipt",
                row=row.lookup_id,
                field="codename",
            ).decode()
        except (CryptoError, UnicodeDecodeError):
            continue
        return Receipt(thread=row.thread, codename=codename)
    return None


def record_receipt(*, keys: list[ReceiptKey], thread: Thread, codename: str) -> None:
    """Store the answer in the caller's transaction; a second receipt for one lookup id is refused."""
    now = datetime.now(UTC)
    SubmissionReceipt.objects.filter(created_at__lt=now - RECEIPT_LIFETIME).delete()
    for key in keys:
        SubmissionReceipt.objects.create(
            lookup_id=key.lookup_id,
            thread=thread,
            sealed_codename=seal_field(
                key.seal_key,
                codename.encode(),
                model="hotline.SubmissionReceipt",
                row=key.lookup_id,
                field="codename",
            ),
            created_at=now,
        )
