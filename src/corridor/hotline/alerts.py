"""Staff alerts by e-mail: one fixed message on a fixed schedule, whatever happened.

Staff mailboxes may be read by the adversary. An alert that said "3 new requests" or
"urgent request at 02:14", or that was sent only when something arrived, would tell
that reader when people reach the hotline and how many. So the alert is the same
subject and body every time, sent on the schedule whether or not anything arrived: it
only reminds staff to look, and the inbox says what is there.

The text is English and never translated: the recipients are bare addresses, not
accounts with a language, and a single text is the easiest to check for leaks.
"""

from __future__ import annotations

import secrets
from email.utils import parseaddr

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMessage
from django.tasks import task

from corridor.audit.services import record_event

DIGEST_SUBJECT = "Scheduled check"
DIGEST_BODY = (
    "This is the scheduled reminder to check the hotline inbox.\n"
    "It is sent every {minutes} minutes whether or not anything arrived.\n"
)


class AlertNotDelivered(Exception):
    """Sending failed; deliberately without the relay's error, which would name addresses."""


def _digest_message(address: str) -> EmailMessage:
    sender = settings.DEFAULT_FROM_EMAIL
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    return EmailMessage(
        subject=DIGEST_SUBJECT,
        body=DIGEST_BODY.format(minutes=settings.CORRIDOR_ALERT_INTERVAL_MINUTES),
        from_email=sender,
        to=[address],
        # Django's default Message-ID carries this server's host name and process id.
        headers={"Message-ID": f"<{secrets.token_hex(16)}@{domain}>"},
    )


@task
def send_staff_alert_digest() -> None:
    """Send the fixed reminder to every configured staff address, each its own copy."""
    recipients = list(settings.CORRIDOR_ALERT_RECIPIENTS)
    if not recipients:
        return
    # One message per address: a shared To: line would show every reader the others.
    messages = [_digest_message(address) for address in recipients]
    try:
        mail.mailers.default.send_messages(messages)
    except Exception:
        # The task result keeps the traceback in the database and the log: keep it bare.
        raise AlertNotDelivered("the staff alert could not be delivered") from None
    record_event(action="alerts.digest_sent", data={"recipients": len(recipients)})
