"""Staff alerts: the same e-mail every time, one copy per address, whatever arrived."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage as ParsedMessage
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.tasks import TaskResultStatus

from corridor.audit.models import AuditEvent
from corridor.hotline import services
from corridor.hotline.alerts import send_staff_alert_digest
from corridor.hotline.triage import Triage

RECIPIENTS = ["duty@example.org", "coordinator@example.net"]


@pytest.fixture
def alert_settings(settings: Any) -> Any:
    """Two staff addresses, the DB-free immediate task backend, and a sender domain of our own."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.CORRIDOR_ALERT_RECIPIENTS = RECIPIENTS
    settings.CORRIDOR_ALERT_INTERVAL_MINUTES = 60
    settings.DEFAULT_FROM_EMAIL = "alerts@corridor.example"
    return settings


def run_digest() -> list[mail.EmailMessage]:
    """Run the task as the queue would and return what it sent."""
    mail.outbox.clear()
    result = send_staff_alert_digest.enqueue()
    assert result.status == TaskResultStatus.SUCCESSFUL, result.errors
    return list(mail.outbox)


def without_volatile_headers(message: mail.EmailMessage) -> bytes:
    """The whole message as sent, less the two headers that differ on every send."""
    parsed: ParsedMessage = message.message()
    del parsed["Date"]
    del parsed["Message-ID"]
    return parsed.as_bytes()


def test_digest_is_identical_whether_or_not_anything_arrived(
    org: dict[str, object], alert_settings: Any
) -> None:
    new = services.open_thread(
        triage=Triage(region="RU-CE", in_danger_now=True), text="They are at the door.", files=[]
    )
    after_a_request = run_digest()
    with_nothing_new = run_digest()

    assert [m.to for m in after_a_request] == [[address] for address in RECIPIENTS]
    assert [without_volatile_headers(m) for m in after_a_request] == [
        without_volatile_headers(m) for m in with_nothing_new
    ]
    first = after_a_request[0]
    assert first.subject == "Scheduled check"
    assert first.body == (
        "This is the scheduled reminder to check the hotline inbox.\n"
        "It is sent every 60 minutes whether or not anything arrived.\n"
    )
    assert first.from_email == "alerts@corridor.example"
    for message in after_a_request:
        raw = message.message().as_string()
        assert new.thread.code not in raw
        assert "RU-CE" not in raw
        # Not Django's default, which would carry this server's host name.
        assert message.message()["Message-ID"].endswith("@corridor.example>")


def test_each_address_gets_its_own_copy(org: dict[str, object], alert_settings: Any) -> None:
    for message in run_digest():
        others = [address for address in RECIPIENTS if address not in message.to]
        assert others
        assert not any(address in message.message().as_string() for address in others)


def test_the_interval_is_the_only_variable(db: None, alert_settings: Any) -> None:
    alert_settings.CORRIDOR_ALERT_INTERVAL_MINUTES = 15
    assert "It is sent every 15 minutes whether or not anything arrived." in run_digest()[0].body


def test_sending_is_audited_with_the_count_only(org: dict[str, object], alert_settings: Any) -> None:
    run_digest()
    event = AuditEvent.objects.get(action="alerts.digest_sent")
    assert event.data == {"recipients": 2}
    assert event.actor_id is None
    assert event.target_type == ""


def test_no_recipients_sends_nothing(org: dict[str, object], alert_settings: Any) -> None:
    alert_settings.CORRIDOR_ALERT_RECIPIENTS = []
    assert run_digest() == []
    assert not AuditEvent.objects.filter(action="alerts.digest_sent").exists()


def test_a_refused_delivery_fails_without_naming_anyone(
    org: dict[str, object], alert_settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: LocmemBackend, messages: list[mail.EmailMessage]) -> int:
        refused = dict.fromkeys(RECIPIENTS, (550, b"5.1.1 no such mailbox"))
        raise smtplib.SMTPRecipientsRefused(refused)

    monkeypatch.setattr(LocmemBackend, "send_messages", refuse)
    result = send_staff_alert_digest.enqueue()

    assert result.status == TaskResultStatus.FAILED
    (error,) = result.errors
    assert error.exception_class_path == "corridor.hotline.alerts.AlertNotDelivered"
    # The traceback is what the database queue stores and the worker logs.
    assert not any(address in error.traceback for address in RECIPIENTS)
    assert "SMTPRecipientsRefused" not in error.traceback
    assert not AuditEvent.objects.filter(action="alerts.digest_sent").exists()
