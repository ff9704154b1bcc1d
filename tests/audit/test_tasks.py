"""Shipping the head: one line per new head in the anchor file, one fixed mail per address."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage as ParsedMessage
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.db import connection
from django.tasks import TaskResultStatus

from corridor.audit.anchors import parse_anchors
from corridor.audit.models import AnchorMailing, AuditChainHead
from corridor.audit.services import ChainHeadInvalid, record_event
from corridor.audit.tasks import ship_audit_head

RECIPIENTS = ["anchor@example.org", "trustee@example.net"]


@pytest.fixture
def anchor_settings(settings: Any, tmp_path: Path) -> Any:
    """An anchor file and two addresses, the immediate task backend, a sender domain of our own."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.CORRIDOR_AUDIT_ANCHOR_FILE = str(tmp_path / "anchors" / "audit-heads")
    (tmp_path / "anchors").mkdir()
    settings.CORRIDOR_AUDIT_ANCHOR_RECIPIENTS = RECIPIENTS
    settings.DEFAULT_FROM_EMAIL = "corridor@corridor.example"
    return settings


def anchor_lines(settings: Any) -> list[str]:
    path = Path(settings.CORRIDOR_AUDIT_ANCHOR_FILE)
    return path.read_text().splitlines() if path.exists() else []


def head_line() -> str:
    head = AuditChainHead.objects.get()
    return f"{head.last_seq} {head.last_hash}"


def ship() -> list[mail.EmailMessage]:
    """Run the task as the queue would and return what it mailed."""
    mail.outbox.clear()
    result = ship_audit_head.enqueue()
    assert result.status == TaskResultStatus.SUCCESSFUL, result.errors
    return list(mail.outbox)


def test_a_new_head_is_shipped_once_and_the_next_one_again(db: None, anchor_settings: Any) -> None:
    record_event(action="test.event")
    sent = ship()
    assert [line.rsplit(" ", 1)[0] for line in anchor_lines(anchor_settings)] == [head_line()]
    assert [m.to for m in sent] == [[address] for address in RECIPIENTS]

    # Nothing new: nothing written, nothing sent. The file and the database remember,
    # so this holds across a restart of the worker too.
    assert ship() == []
    assert len(anchor_lines(anchor_settings)) == 1

    record_event(action="test.event")
    assert len(ship()) == 2
    lines = anchor_lines(anchor_settings)
    assert len(lines) == 2
    assert lines[1].startswith(head_line() + " ")
    # What the worker writes is what `verify --anchor` reads.
    assert [a.seq for a in parse_anchors("\n".join(lines))] == [1, 2]
    call_command("audit", "verify", "--anchor", anchor_settings.CORRIDOR_AUDIT_ANCHOR_FILE)


def test_the_mail_holds_the_head_and_nothing_else(db: None, anchor_settings: Any) -> None:
    record_event(action="test.event", target_type="thread", target_id="K7Q2")
    for message in ship():
        assert message.subject == "Audit anchor"
        assert message.body == head_line() + "\n"
        assert message.from_email == "corridor@corridor.example"
        parsed: ParsedMessage = message.message()
        assert parsed["Message-ID"].endswith("@corridor.example>")
        others = [address for address in RECIPIENTS if address not in message.to]
        assert not any(address in parsed.as_string() for address in others)
        assert "K7Q2" not in parsed.as_string()


def test_an_empty_log_ships_nothing(db: None, anchor_settings: Any) -> None:
    assert ship() == []
    assert anchor_lines(anchor_settings) == []


def test_only_the_configured_anchors_get_the_head(db: None, anchor_settings: Any) -> None:
    anchor_settings.CORRIDOR_AUDIT_ANCHOR_RECIPIENTS = []
    record_event(action="test.event")
    assert ship() == []
    assert len(anchor_lines(anchor_settings)) == 1

    anchor_settings.CORRIDOR_AUDIT_ANCHOR_FILE = ""
    anchor_settings.CORRIDOR_AUDIT_ANCHOR_RECIPIENTS = RECIPIENTS
    assert len(ship()) == 2


def test_a_torn_last_line_gets_the_next_head_its_own_line(db: None, anchor_settings: Any) -> None:
    Path(anchor_settings.CORRIDOR_AUDIT_ANCHOR_FILE).write_text("1 abc")
    record_event(action="test.event")
    ship()
    lines = anchor_lines(anchor_settings)
    assert lines[0] == "1 abc"
    assert lines[1].startswith(head_line() + " ")


def test_a_moved_head_is_never_shipped(db: None, anchor_settings: Any) -> None:
    events = [record_event(action="test.event") for _ in range(3)]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = 3")
        cursor.execute(
            "UPDATE audit_auditchainhead SET last_seq = 2, last_hash = %s WHERE id = 1",
            [events[1].hash],
        )
    with pytest.raises(ChainHeadInvalid):
        ship_audit_head.call()
    assert anchor_lines(anchor_settings) == []
    assert mail.outbox == []


def test_a_refused_mail_is_retried_next_time_without_naming_anyone(
    db: None, anchor_settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: LocmemBackend, messages: list[mail.EmailMessage]) -> int:
        raise smtplib.SMTPRecipientsRefused(dict.fromkeys(RECIPIENTS, (550, b"5.1.1 no such mailbox")))

    record_event(action="test.event")
    with monkeypatch.context() as patch:
        patch.setattr(LocmemBackend, "send_messages", refuse)
        result = ship_audit_head.enqueue()
    assert result.status == TaskResultStatus.FAILED
    (error,) = result.errors
    assert error.exception_class_path == "corridor.audit.tasks.AnchorNotShipped"
    assert not any(address in error.traceback for address in RECIPIENTS)
    assert not AnchorMailing.objects.exists()
    assert len(anchor_lines(anchor_settings)) == 1  # the file did not wait for the mail

    assert len(ship()) == 2
    assert len(anchor_lines(anchor_settings)) == 1


def test_an_unwritable_anchor_file_fails_the_run_but_not_the_mail(db: None, anchor_settings: Any) -> None:
    anchor_settings.CORRIDOR_AUDIT_ANCHOR_FILE = str(Path(anchor_settings.CORRIDOR_AUDIT_ANCHOR_FILE).parent)
    record_event(action="test.event")
    result = ship_audit_head.enqueue()
    assert result.status == TaskResultStatus.FAILED
    (error,) = result.errors
    assert error.exception_class_path == "corridor.audit.tasks.AnchorNotShipped"
    assert len(mail.outbox) == 2


def test_shipping_is_logged_without_the_head(
    db: None, anchor_settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    record_event(action="test.event")
    with caplog.at_level(logging.INFO, logger="corridor.audit"):
        ship()
    assert "audit head anchored: file, mail to 2" in caplog.text
    head = AuditChainHead.objects.get()
    assert head.last_hash not in caplog.text
    assert not any(address in caplog.text for address in RECIPIENTS)
