"""Shipping each new head of the audit chain to the anchors configured for it.

A head kept only in the database can be cut together with the entries behind it, or
wiped with them. A copy the database cannot change (an append-only file, mailboxes
elsewhere) lets `corridor audit verify --anchor` prove that the chain still holds it.

The mail is one fixed shape, like the staff alert: a subject that never changes and a
body holding only the sequence number and hash. The text is English and never
translated, for the same reason as the alert's.
"""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime
from email.utils import parseaddr
from pathlib import Path

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMessage
from django.tasks import task

from corridor.audit.anchors import Head, append_anchor
from corridor.audit.services import current_head, last_mailed_head, record_head_mailed

logger = logging.getLogger("corridor.audit")

ANCHOR_SUBJECT = "Audit anchor"


class AnchorNotShipped(Exception):
    """The head could not reach an anchor; without the relay's error, which would name addresses."""


def anchor_message(head: Head, address: str) -> EmailMessage:
    """The fixed-shape anchor mail for one address."""
    sender = settings.DEFAULT_FROM_EMAIL
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    return EmailMessage(
        subject=ANCHOR_SUBJECT,
        body=f"{head}\n",
        from_email=sender,
        to=[address],
        # Django's default Message-ID carries this server's host name and process id.
        headers={"Message-ID": f"<{secrets.token_hex(16)}@{domain}>"},
    )


@task
def ship_audit_head() -> None:
    """Append the head to the anchor file and mail it to the anchor recipients, if it is new to them."""
    head = current_head()
    if head is None:
        return
    shipped, failed = [], []
    if settings.CORRIDOR_AUDIT_ANCHOR_FILE:
        try:
            if append_anchor(Path(settings.CORRIDOR_AUDIT_ANCHOR_FILE), head, at=datetime.now(UTC)):
                shipped.append("file")
        except OSError as exc:
            failed.append(f"file ({exc.strerror or 'error'})")
    recipients = list(settings.CORRIDOR_AUDIT_ANCHOR_RECIPIENTS)
    # The file's own last line says what it holds; the mail needs the database's record.
    if recipients and last_mailed_head() != head:
        # One message per address: a shared To: line would show every reader the others.
        try:
            mail.mailers.default.send_messages([anchor_message(head, address) for address in recipients])
        except Exception:
            failed.append("mail")
        else:
            record_head_mailed(head)
            shipped.append(f"mail to {len(recipients)}")
    # Logged, not audited: an audit entry would move the head and make every run ship again.
    # The line says where the head went, never which head it was.
    if shipped:
        logger.info("audit head anchored: %s", ", ".join(shipped))
    if failed:
        raise AnchorNotShipped("the audit head did not reach: " + ", ".join(failed))
